"""The real-data reproduction: every published row of Szigeti et al. (2024) against the fits.

The expected values are the authors' own exported model tables (computed with R lme4 + lmerTest
from the real patients), read here as printed strings with the csv module — independent of the
package's code. One test per published row.
"""

from __future__ import annotations

import csv
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from alliance_analysis._files import shipped_data
from alliance_analysis.claims.tables import cell_holds, load_table_registry, stars_for
from alliance_analysis.reproduce.published_tables import standardise_median_sd

REG = load_table_registry("szigeti2024")


def _printed_rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for table in REG.tables:
        with shipped_data(table.file).open(newline="", encoding="utf-8") as fh:
            for i, rec in enumerate(csv.DictReader(fh), start=2):
                rows.append((f"{table.id}:{i}:{rec['scale']}:{rec.get('trt', 'both')}:{rec['component']}", rec))
    return rows


PRINTED = _printed_rows()


@pytest.fixture(scope="module")
def run():
    from alliance_analysis.reproduce.published_tables import reproduce_tables
    from alliance_analysis.reproduce.spec import load_spec

    return reproduce_tables(load_spec("szigeti2024"))


def test_registry_names_every_published_row():
    assert len(PRINTED) == 240 + 144
    assert {t.file.split("/")[2] for t in REG.tables} == {"published_models", "published_models_avg_expectancy"}


@pytest.mark.parametrize("key,printed", PRINTED, ids=[k for k, _ in PRINTED])
def test_published_row(run, key, printed):
    table, file_row = key.split(":")[:2]
    got = run.rows[(run.rows["table"] == table) & (run.rows["file_row"] == int(file_row))]
    assert len(got) == 1
    row = got.iloc[0]
    # the printed cells travel unchanged into the comparison
    for col in ("estimate", "SE", "t", "df", "p", "adj_p", "sig", "adj_sig"):
        assert row[f"printed_{col}"] == printed[col]
    assert row["status"] == "reproduced", row["detail"]


def test_every_row_has_a_status_and_failures_a_reason(run):
    assert set(run.rows["status"]) <= {"reproduced", "mismatch", "not computable"}
    bad = run.rows[run.rows["status"] != "reproduced"]
    assert (bad["detail"].str.len() > 0).all()


def test_bonferroni_by_hand(run):
    """adj_p = min(1, 6 p) within (table, arm, component): recomputed from the computed p's."""
    rows = run.rows
    for _, fam in rows.groupby(["table", "trt", "component"]):
        p = fam["computed_p"].to_numpy(float)
        assert len(p) == 6
        np.testing.assert_allclose(fam["computed_adj_p"].to_numpy(float), np.minimum(1.0, 6 * p), rtol=1e-12)


def test_star_codes_by_hand():
    stars = REG.stars
    assert [stars_for(p, stars) for p in (0.0004, 0.001, 0.009, 0.0499, 0.05, 0.7)] == \
        ["***", "**", "**", "*", "", ""]


@pytest.mark.parametrize("value,printed,decimals,ok", [
    (19.804, "19.8", 2, True),       # "19.8" is R's print of 19.80
    (19.806, "19.8", 2, False),      # rounds to 19.81
    (19.795, "19.8", 2, True),       # half away from zero
    (0.00049, "<0.001", 3, True),    # rounds to 0.000
    (0.00051, "<0.001", 3, False),   # rounds to 0.001
    (0.99951, "1", 3, True),         # capped adjusted p printed as 1
    (0.9994, "1", 3, False),
    (26.0, "26", 2, True),
    (-4.835, "-4.84", 2, True),
    (float("nan"), "0.5", 3, False),
])
def test_cell_holds(value, printed, decimals, ok):
    assert cell_holds(value, printed, decimals) is ok


def test_standardise_median_sd_by_hand():
    x = np.array([12.0, 40.0, np.nan, 25.0, 25.0, 70.0, 3.0])
    finite = [v for v in x.tolist() if not math.isnan(v)]
    expected = [(v - statistics.median(finite)) / statistics.stdev(finite) for v in finite]
    got = standardise_median_sd(x)
    assert np.isnan(got[2])
    np.testing.assert_allclose(got[np.isfinite(got)], expected, rtol=1e-14)


def test_outputs_are_real_data_labelled_machine_readable_and_deterministic(tmp_path):
    import pandas as pd

    from alliance_analysis.cli import main

    outs = []
    for k in (1, 2):  # the figures drawn in this process, then in two forked workers
        out = tmp_path / f"run{k}"
        assert main(["reproduce", "szigeti2024", "--out", str(out), "--jobs", str(k)]) == 0
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert Path("report.html") in files and Path("claims.csv") in files and Path("NOTICE.txt") in files
    for rel in files:
        a, b = (outs[0] / rel).read_bytes(), (outs[1] / rel).read_bytes()
        assert a == b, f"{rel} differs between two runs"
        if rel.suffix in (".png",):
            continue
        text = a.decode("utf-8")
        assert str(tmp_path) not in text, f"{rel} holds an absolute path"
        assert "synthetic" not in text.lower(), f"{rel} mentions synthetic data"
    first = {rel: (outs[0] / rel).read_text(encoding="utf-8").splitlines()[0] for rel in files
             if rel.suffix in (".md", ".txt")}
    assert all("REAL PUBLIC DATA" in line for line in first.values()), first
    page = (outs[0] / "report.html").read_text(encoding="utf-8")
    assert page.index("REAL PUBLIC DATA") < page.index("<table")
    claims = pd.read_csv(outs[0] / "claims.csv")  # header first: no options needed
    assert len(claims) == 384 and claims["data"].str.startswith("real public data").all()


def test_standardising_after_dropping_missing_scores_does_not_reproduce(run, monkeypatch):
    """The registry's inferred reading (median and SD over every row of the subset, missing
    scores included) is the one that reproduces: the other reading leaves rows unreproduced."""
    from alliance_analysis.reproduce import published_tables as pt

    original = pt.model_subsets
    monkeypatch.setattr(pt, "model_subsets",
                        lambda reg, table, long: original(reg, table, long[long["score"].notna()]))
    other = pt.run_table_reproduction("szigeti2024", run.long, run.notice, run.data_name)
    assert (other.rows["status"] != "reproduced").sum() > 0
