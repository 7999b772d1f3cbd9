"""Per-scale reliability of a loaded table (scale_reliability) against R psych.

The WAI-36 item set is stored as a questionnaire records it (14 items reverse-worded); the loader
reads it as a wide trial table and scale_reliability reverses the items from the instrument's
own definition. R (psych_reliability.R) reversed them as 8 − x and computed α, the Feldt interval
and ω total for the total and the three subscales; the QIDS-SR16 total from items 5, 10–14 and
the three domain maxima.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.instruments import get_instrument
from alliance_analysis.io import load_frame
from alliance_analysis.scale_reliability import (
    SCALE_RELIABILITY_COLUMNS,
    SKIPPED_COLUMNS,
    ScaleReliabilityResult,
    scale_reliability,
)

ORACLE = Path(__file__).parent / "oracles" / "psych"
SETS = json.loads((ORACLE / "sets.json").read_text())
EXPECTED = pd.read_csv(ORACLE / "expected.csv")


def expected(name: str, quantity: str) -> float:
    e = EXPECTED[(EXPECTED.set == name) & (EXPECTED.missing == "listwise")
                 & (EXPECTED.quantity == quantity)]
    assert len(e) == 1, (name, quantity)
    return float(e["value"].iloc[0])


def wide_table(csv: str, prefix: str, timepoint: str) -> pd.DataFrame:
    items = pd.read_csv(ORACLE / csv)
    frame = pd.DataFrame({"participant_id": [f"P{i + 1:03d}" for i in range(len(items))]})
    for j, col in enumerate(items.columns):
        frame[f"{prefix}_{timepoint}_{j + 1}"] = items[col].map(
            lambda v: "" if pd.isna(v) else str(int(v)))
    return frame


def load(frame: pd.DataFrame, prefix: str, instrument: str, timepoints=("base",)):
    mapping = {"layout": {"kind": "wide"}, "instruments": {prefix: instrument},
               "timepoints": {t: t for t in timepoints}}
    return load_frame(frame, mapping)


@pytest.fixture(scope="module")
def wai36():
    return scale_reliability(load(wide_table("k36_n300_wai36.csv", "wai", "base"), "wai",
                                  "wai_36"))


@pytest.mark.parametrize("scale", ["total", "goal", "task", "bond"])
def test_wai36_scales_match_psych_with_the_definition_reverse_keys(wai36, scale):
    row = wai36.table.set_index(["instrument", "scale", "timepoint"]).loc[("wai_36", scale, "base")]
    name = f"wai_36:{scale}"
    assert row["n"] == int(expected(name, "n"))
    for col, q in (("alpha", "alpha"), ("alpha_std", "alpha_std"),
                   ("alpha_ci_lower", "feldt_lower"), ("alpha_ci_upper", "feldt_upper")):
        assert abs(row[col] - expected(name, q)) < 1e-6, col
    assert abs(row["omega_total"] - expected(name, "omega_total")) < 1e-5
    spec = get_instrument("wai_36").scale_spec(scale)
    used = [int(i) for i in row["items"].split(",")]
    assert used == sorted(spec.items)
    rev = set(get_instrument("wai_36").reverse_items)
    assert row["reversed_items"] == ",".join(str(i) for i in used if i in rev)
    assert row["n_rows"] == 300 and row["n_no_data"] == 0
    assert row["n_dropped"] == 300 - row["n"]


def test_wai36_result_shapes(wai36):
    assert isinstance(wai36, ScaleReliabilityResult)
    assert tuple(wai36.table.columns) == SCALE_RELIABILITY_COLUMNS
    assert tuple(wai36.skipped.columns) == SKIPPED_COLUMNS
    assert list(wai36.table["scale"]) == ["total", "goal", "task", "bond"]
    full = wai36.results[("wai_36", "goal", "base")]
    assert full.k == 12 and full.alpha == wai36.table.loc[1, "alpha"]
    tidy = wai36.to_frame()
    assert list(tidy.index[:5]) == [f"wai_36:total:base:{t}" for t in
                                    ("alpha", "alpha_std", "omega_total", "omega_model", "mean_r")]
    assert len(tidy) == 5 * len(wai36.table)
    goal = tidy.loc["wai_36:goal:base:alpha"]
    assert goal["estimate"] == full.alpha and (goal["ci_low"], goal["ci_high"]) == full.alpha_ci
    assert goal["method"] == "Feldt" and goal["n"] == full.n and goal["scale"] == "goal"
    assert tidy.loc["wai_36:goal:base:omega_total", "estimate"] == full.omega_total
    assert "wai_36 goal, base: Cronbach's α = .80" in wai36.apa()
    assert "wai_36" in wai36.summary() and "<table" in wai36._repr_html_()


def test_without_the_reverse_key_alpha_would_differ(wai36):
    """The oracle's keyed α is reached only because the definition's items are reversed."""
    from alliance_analysis.stats.reliability import reliability

    raw = pd.read_csv(ORACLE / "k36_n300_wai36.csv")
    assert reliability(raw).alpha < wai36.table.loc[0, "alpha"] - 0.3


def test_qids_total_uses_domain_maxima_as_components():
    res = scale_reliability(load(wide_table("k16_n120_qids.csv", "qids", "base"),
                                 "qids", "qids_sr16"))
    row = res.table.set_index("scale").loc["total"]
    assert row["items"] == "5,10,11,12,13,14,appetite_weight,psychomotor,sleep"
    assert row["k"] == 9 and row["n"] == int(expected("qids_sr16:total", "n"))
    assert abs(row["alpha"] - expected("qids_sr16:total", "alpha")) < 1e-6
    assert abs(row["alpha_ci_lower"] - expected("qids_sr16:total", "feldt_lower")) < 1e-6
    assert abs(row["omega_total"] - expected("qids_sr16:total", "omega_total")) < 1e-5
    skipped = res.skipped.set_index("scale")["reason"]
    assert {"sleep", "appetite_weight", "psychomotor"} <= set(skipped.index)
    assert "maximum" in skipped["sleep"]


def _wai_sr_frame(values: np.ndarray, tps=("prep", "post")) -> pd.DataFrame:
    n = values.shape[1]
    frame = pd.DataFrame({"participant_id": [f"S{i:02d}" for i in range(n)]})
    for t, tp in enumerate(tps):
        for j in range(12):
            frame[f"wai_{tp}_{j + 1}"] = [
                "" if np.isnan(v) else str(int(v)) for v in values[t, :, j]]
    return frame


def test_constant_item_is_left_out_with_a_note_and_missing_is_counted():
    rng = np.random.default_rng(4)
    f = rng.standard_normal((2, 30, 1))
    vals = np.clip(np.round(3 + f + 0.8 * rng.standard_normal((2, 30, 12))), 1, 5)
    vals[0, :, 6] = 3                        # item 7 constant at prep
    vals[1, :4, :] = np.nan                  # 4 participants without any post answer
    vals[1, 5, 2] = np.nan                   # one missing item at post
    res = scale_reliability(load(_wai_sr_frame(vals), "wai", "wai_sr", ("prep", "post")))
    t = res.table.set_index(["scale", "timepoint"])
    prep = t.loc[("total", "prep")]
    assert prep["k"] == 11 and "7" not in prep["items"].split(",")
    assert "left out" in prep["note"] and ": 7" in prep["note"]
    post = t.loc[("total", "post")]
    assert post["n_no_data"] == 4 and post["n_rows"] == 26
    assert post["n"] == 25 and post["n_dropped"] == 1
    assert "1 of 26 rows excluded" in post["note"]
    bond = t.loc[("bond", "prep")]                   # bond = 3, 5, 7, 9: item 7 left out
    assert bond["items"] == "3,5,9"
    assert set(res.skipped["scale"]) == {"total_mean"}


def test_cell_that_cannot_be_computed_is_kept_with_its_reason():
    rng = np.random.default_rng(5)
    vals = np.clip(np.round(3 + rng.standard_normal((1, 30, 12))), 1, 5)
    vals[0, 2:, 0] = np.nan                 # item 1 answered by 2 people only
    vals[0, :2, 0] = [1, 5]
    res = scale_reliability(load(_wai_sr_frame(vals, ("prep",)), "wai", "wai_sr", ("prep",)))
    task = res.table.set_index("scale").loc["task"]          # task = 1, 2, 10, 12
    assert np.isnan(task["alpha"]) and task["note"].startswith("not computed:")
    assert task["n"] == 2 and task["n_dropped"] == 28
    assert ("wai_sr", "task", "prep") not in res.results


def test_instrument_filter_and_tables_without_items():
    loaded = load(wide_table("k16_n120_qids.csv", "qids", "base"), "qids", "qids_sr16")
    assert len(scale_reliability(loaded, instruments=["qids_sr16"]).table) == 1
    with pytest.raises(InputError, match="no item responses for instrument 'wai_sr'"):
        scale_reliability(loaded, instruments=["wai_sr"])

    class NoItems:
        items = None

    empty = scale_reliability(NoItems())
    assert empty.table.empty and tuple(empty.table.columns) == SCALE_RELIABILITY_COLUMNS


def test_wide_and_long_layouts_of_the_same_data_agree():
    from alliance_analysis.io import load_table

    ex = Path(__file__).resolve().parents[1] / "data" / "examples"
    wide = scale_reliability(load_table(ex / "synthetic_example_wide.csv",
                                        ex / "synthetic_example_wide_mapping.toml"))
    long = scale_reliability(load_table(ex / "synthetic_example_long.csv",
                                        ex / "synthetic_example_long_mapping.toml"))
    pd.testing.assert_frame_equal(wide.table, long.table)
    assert len(wide.table) == 10 and (wide.table["n_rows"] == 8).all()
