"""`alliance-analysis load`: exit codes, printed audit, deterministic outputs."""

from __future__ import annotations

from pathlib import Path

from alliance_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"


def test_load_writes_outputs_and_prints_audit(tmp_path, capsys):
    args = [str(EX / "synthetic_example_messy.xlsx"), "--mapping",
            str(EX / "synthetic_example_messy_mapping.toml")]
    rc = main(["load", *args, "--out", str(tmp_path / "a" / "tidy.csv"),
               "--wide-out", str(tmp_path / "a" / "wide.csv")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "rows read: 9; rows kept: 8; rows excluded: 1" in out
    assert "missing code '-99': 2" in out and "row 6 excluded" in out
    assert str(tmp_path / "a" / "tidy.csv") in out
    tidy = (tmp_path / "a" / "tidy.csv").read_bytes()
    assert tidy.startswith(b"participant_id,arm,timepoint,instrument,scale,score,n_answered,")
    assert main(["load", *args, "--out", str(tmp_path / "b" / "tidy.csv"),
                 "--wide-out", str(tmp_path / "b" / "wide.csv")]) == 0
    assert (tmp_path / "b" / "tidy.csv").read_bytes() == tidy
    assert (tmp_path / "b" / "wide.csv").read_bytes() == (tmp_path / "a" / "wide.csv").read_bytes()


def test_load_bad_input_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,hamd_wk4\nP1,99\n", encoding="utf-8")
    rc = main(["load", str(bad), "--out", str(tmp_path / "t.csv")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: ") and "bad.csv" in err and "row 2" in err
    assert "Traceback" not in err
    assert not (tmp_path / "t.csv").exists()


def test_load_missing_mapping_exits_2(tmp_path, capsys):
    rc = main(["load", str(EX / "synthetic_example_wide.csv"), "--mapping",
               str(tmp_path / "nope.toml")])
    assert rc == 2 and "mapping file not found" in capsys.readouterr().err
