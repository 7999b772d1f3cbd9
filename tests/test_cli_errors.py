"""Every failure at the top of the CLI is one `error:` line (exit 2), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alliance_analysis import cli

ROOT = Path(__file__).resolve().parents[1]


def test_out_naming_an_existing_file_is_one_error_line(tmp_path, capsys):
    existing = tmp_path / "taken"
    existing.write_text("x")
    for out in (existing, existing / "below"):
        code = cli.main(["reproduce", "szigeti2024", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
        assert "output folder" in err


def test_unexpected_exception_is_one_line_and_debug_shows_it(monkeypatch, capsys):
    from alliance_analysis.commands import instruments

    def boom(args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(instruments, "run", boom)
    assert cli.main(["instruments"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected RuntimeError: kaboom") and err.count("\n") == 1
    assert "--debug" in err
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "instruments"])


def test_output_piped_into_head_ends_quietly(tmp_path):
    # far more output than a pipe buffer holds, so the writer meets the closed pipe
    text = tmp_path / "results.txt"
    text.write_text("We found t(28) = 2.20, p = .036 and r(40) = .31, p = .047.\n" * 20000)
    proc = subprocess.run(f"{sys.executable} -m alliance_analysis check {text} | head -n 1",
                          shell=True, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_check_mistyped_file_and_bad_inputs_are_one_error_line(tmp_path, capsys):
    cases = [
        (["check", str(tmp_path / "paper.pdf")], "no such file or folder"),
        (["check", "t(28) = \u2212\u00a02.20, p"], "no checkable APA result"),
        (["check", str(tmp_path), "--out", str(tmp_path / "o")], "no documents found"),
        (["check", "t(28) = 2.20, p = .03", "--workers", "2"], "corpus runs"),
    ]
    for argv, text in cases:
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and text in err, err
