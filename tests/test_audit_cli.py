"""`alliance-analysis check`: table and JSON output, file input, exit codes."""

from __future__ import annotations

import json

from alliance_analysis import cli


def test_check_string_table(capsys):
    rc = cli.main(["check", "r(18) = -.65, p = .002"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "consistent" in out and ".00192" in out and "[.00172, .00214]" in out


def test_check_inconsistent_still_exits_zero(capsys):
    assert cli.main(["check", "t(28) = 2.20, p = .06"]) == 0
    assert "decision_error" in capsys.readouterr().out


def test_check_file_json(tmp_path, capsys):
    f = tmp_path / "paper.txt"
    f.write_text("Alliance rose, t(19) = 2.31, p = .032. It correlated with outcome, "
                 "r = -.47, p = .036, and r(16) = 26.05, p = .01.", encoding="utf-8")
    rc = cli.main(["check", str(f), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert payload["source"] == str(f)
    assert [r["test_type"] for r in payload["results"]] == ["t", "r"]
    assert payload["results"][1]["consistent_n"] == "20"
    assert payload["results"][1]["computed_p"] is None
    assert len(payload["skipped"]) == 1


def test_check_options(capsys):
    assert cli.main(["check", "t(28) = 2.20, p = .02", "--one-tailed", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)["results"][0]
    assert res["status"] == "consistent" and res["tails"] == "one"
    assert cli.main(["check", "t(28) = 5.20, p = .02", "--alpha", ".01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["decision_error"] is True
    assert cli.main(["check", "r = -.47, p = .036", "--n", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["status"] == "consistent"


def test_check_no_result_is_exit_2(capsys):
    rc = cli.main(["check", "nothing to see here"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: no checkable APA result found")


def test_check_empty_file_names_file(tmp_path, capsys):
    f = tmp_path / "empty.txt"
    f.write_text("", encoding="utf-8")
    assert cli.main(["check", str(f)]) == 2
    assert str(f) in capsys.readouterr().err
