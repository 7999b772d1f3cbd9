"""`alliance-analysis meta`: outputs, data notice, exclusions, errors, determinism, and the
generated page and built-in dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]
CSV = "study,r,n,instrument\nA,.30,40,WAI\nB,.12,25,WAI\nC,.45,60,=HYPERLINK(\"x\")\nD,,30,WAI\nE,.25,18,CALPAS\n"


def _run(tmp_path, text, name="studies.csv", extra=()):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    return main(["meta", str(src), "--out", str(out), *extra]), out


def test_outputs_with_notice_and_exclusion(tmp_path, capsys):
    code, out = _run(tmp_path, CSV)
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"NOTICE.txt", "results.csv", "studies.csv", "leave_one_out.csv", "apa.txt",
            "forest.png", "forest.svg", "funnel.png", "report.html"} <= names
    notice = (out / "NOTICE.txt").read_text(encoding="utf-8").splitlines()
    assert notice[0].startswith("DATA SUPPLIED BY THE USER: studies.csv")
    assert any("row 5: excluded: no value in column 'r'" in line for line in notice)
    assert (out / "apa.txt").read_text(encoding="utf-8").startswith("DATA SUPPLIED BY THE USER")
    body = (out / "report.html").read_text(encoding="utf-8").split("<body>", 1)[1]
    assert "DATA SUPPLIED BY THE USER" in body[:500]
    results = pd.read_csv(out / "results.csv")  # header first, machine-readable
    assert list(results["scale"]) == ["z", "r"] and results.loc[0, "k"] == 4
    studies = (out / "studies.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in studies  # formula neutralised
    assert "row 5: excluded" in capsys.readouterr().out


def test_reruns_are_byte_identical(tmp_path):
    _run(tmp_path, CSV)
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    _run(tmp_path, CSV)
    second = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert first == second


@pytest.mark.parametrize(("text", "expected"), [
    ("study,r,n\nA,.3,40\nB,abc,20\n", "studies.csv, row 3, column 'r': not a number"),
    ("study,r,n\nA,.3,40\nB,1.2,20\n", "row 3, column 'r': a correlation must lie"),
    ("study,r,n\nA,.3,40\nB,.2,2\n", "row 3, column 'n': too few participants"),
    ("study,r,n\nA,.3,40\nB,.2,20.5\n", "row 3, column 'n': must be a whole number"),
    ("name,r,n\nA,.3,40\n", "row 1: no 'study' column"),
    ("study,x,n\nA,.3,40\n", "no effect-size columns"),
    ("study,r,n\nA,,40\n", "no effect left to pool"),
    ("study,r,n\nA,.3,40\n,.2,30\n", "row 3, column 'study': empty study label"),
])
def test_bad_input_is_one_error_line(tmp_path, capsys, text, expected):
    code, out = _run(tmp_path, text)
    err = capsys.readouterr().err
    assert code == 2 and expected in err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert not out.exists()


def test_d_columns_and_three_level(tmp_path):
    code, out = _run(tmp_path, "Study,D,N1,N2\nA,.3,40,38\nB,.5,20,22\nC,.1,50,50\n")
    assert code == 0
    assert "Hedges' g, independent groups" in (out / "NOTICE.txt").read_text(encoding="utf-8")
    (tmp_path / "b").mkdir()
    code, out = _run(tmp_path / "b", "study,effect,r,n\nA,x,.3,40\nA,y,.5,40\nB,x,.2,30\nC,x,.4,50\n")
    frame = pd.read_csv(out / "results.csv")
    assert code == 0 and frame.loc[0, "model"] == "three-level" and frame.loc[0, "n_studies"] == 3
    assert not (out / "leave_one_out.csv").exists()


def test_builtin_dataset_rows_cite_registry_and_data():
    from alliance_analysis.claims import load_registry
    from alliance_analysis.meta.dataset import alliance_outcome_dataset

    frame, _ = alliance_outcome_dataset()
    printed = frame[frame["source"] == "printed"]
    assert len(printed) >= 1
    for _, row in printed.iterrows():
        reg, cid = row["claim_id"].split(":")
        claim = load_registry(reg).get(cid)
        assert row["printed"] == claim.printed and row["n"] == claim.n
        assert row["n_status"] == claim.n_status
        assert row["r_oriented"] == -float(claim.printed)
    # the public trial's r per arm, recomputed here from the raw file with pandas only
    raw = pd.read_csv(ROOT / "data" / "public" / "psilodep2" / "scores.csv")
    wk6 = raw[(raw["scale"] == "qids") & (raw["tp"] == "wk6")].drop_duplicates("patient_id")
    computed = frame[frame["source"] == "computed from real data"]
    assert len(computed) == 2
    for code, arm in (("P", "psilocybin"), ("E", "escitalopram")):
        part = wk6[wk6["trt"] == code].dropna(subset=["ta", "score"])
        row = computed[computed["study"].str.contains(arm)].iloc[0]
        assert row["n"] == len(part)
        assert row["r"] == pytest.approx(np.corrcoef(part["ta"], part["score"])[0, 1], abs=1e-12)


def test_generated_page_is_current():
    from alliance_analysis.meta.page import render_page

    page = ROOT / "docs" / "papers" / "alliance_meta.md"
    assert page.read_text(encoding="utf-8") == render_page(), (
        "docs/papers/alliance_meta.md is out of date: run python scripts/make_meta_page.py")


def test_builtin_cli(tmp_path, capsys):
    assert main(["meta", "--builtin", "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out.startswith("PUBLISHED VALUES AND REAL PUBLIC DATA")
    assert main(["meta", "--out", str(tmp_path / "c")]) == 2
