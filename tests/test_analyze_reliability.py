"""analyze reports the reliability of every item-scored scale (issue 16 s2), and says nothing of
reliability when no scale was scored from items (pre-scored totals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from alliance_analysis.analyze import run_analysis, write_outputs
from alliance_analysis.analyze.methods_text import methods_paragraph

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
PSILODEP2 = ROOT / "data" / "public" / "psilodep2"


def _alpha(x: np.ndarray) -> float:
    """Cronbach (1951) by hand: k/(k-1) * (1 - sum of item variances / variance of the total)."""
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_item_scored_scales_get_alpha_in_tables_csv_and_methods(tmp_path):
    run = run_analysis(EX / "synthetic_example_wide.csv", EX / "synthetic_example_wide_mapping.toml",
                       plan=EX / "analysis_plan.toml")
    paths = write_outputs(run, tmp_path)
    table = pd.read_csv(paths["reliability_csv"])
    row = table[(table.instrument == "wai_sr") & (table.scale == "task")
                & (table.timepoint == "prep")].iloc[0]
    assert int(row.k) == 4 and int(row.n) > 2
    assert "Cronbach's α" in methods_paragraph(run)
    assert list((tmp_path / "tables").glob("*reliability*.html"))
    assert np.isfinite(row.alpha)


def test_alpha_matches_the_hand_formula_on_the_loaders_items():
    run = run_analysis(EX / "synthetic_example_wide.csv", EX / "synthetic_example_wide_mapping.toml",
                       plan=EX / "analysis_plan.toml")
    items = run.loaded.items
    sub = items[(items["instrument"] == "wai_sr") & (items["timepoint"] == "prep")]
    wide = sub.pivot_table(index="participant_id", columns="item", values="value")
    task = wide[[c for c in wide.columns if str(c) in {"1", "2", "10", "12"}]].dropna()
    expected = _alpha(task.to_numpy(dtype=float))
    table = run.reliability.table
    got = table[(table.instrument == "wai_sr") & (table.scale == "task")
                & (table.timepoint == "prep")].alpha.iloc[0]
    assert abs(got - expected) < 1e-12


def test_pre_scored_totals_report_no_reliability():
    run = run_analysis(PSILODEP2 / "scores.csv", PSILODEP2 / "psilodep2_mapping.toml", plan=None)
    assert run.reliability is not None and len(run.reliability.table) == 0
    assert "Cronbach" not in methods_paragraph(run)


def test_reproduction_reports_show_reliability_labelled_as_construction(tmp_path):
    """The synthetic reproductions carry item-level data: their report lists each scale's alpha,
    with a note that synthetic values reflect what the generator built."""
    from alliance_analysis.reproduce.outputs import build_tables
    from alliance_analysis.reproduce.pipeline import run_reproduction

    run = run_reproduction("davis2024")
    table = next(t for t in build_tables(run) if t.name == "reliability")
    assert "generator built" in table.note
    frame = table.data
    row = frame[(frame.instrument == "wai_sr") & (frame.scale == "total")].iloc[0]
    items = run.loaded.items
    sub = items[(items["instrument"] == "wai_sr") & (items["timepoint"] == row.timepoint)]
    wide = sub.pivot_table(index="participant_id", columns="item", values="value").dropna()
    x = wide.to_numpy(dtype=float)
    # WAI-SR has no reverse-keyed items: alpha straight from the loaded responses
    assert abs(row.alpha - _alpha(x)) < 1e-12
