"""The column-wise wide path (io._widecols) gives exactly what the cell-table path gives: the same
tidy, wide, items and audit, and the same refusal (message, row, column, value) on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_analysis.errors import InputError
from alliance_analysis.io import parse_mapping, read_table
from alliance_analysis.io.core import _load, _numeric_columns
from alliance_analysis.io.readers import grid_to_table

EX = Path(__file__).resolve().parents[1] / "data" / "examples"


def outcome(table, mapping, columnwise):
    try:
        r = _load(table, parse_mapping(mapping), columnwise=columnwise)
    except InputError as exc:
        return str(exc)
    return r


SEEN = {"loaded": 0, "refused": 0}


def assert_same(a, b):
    SEEN["refused" if isinstance(a, str) else "loaded"] += 1
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    pd.testing.assert_frame_equal(a.tidy, b.tidy)
    pd.testing.assert_frame_equal(a.wide, b.wide)
    if a.items is None or b.items is None:
        assert a.items is None and b.items is None
    else:
        pd.testing.assert_frame_equal(a.items, b.items)
    pd.testing.assert_frame_equal(a.audit.values_set_missing, b.audit.values_set_missing)
    for field in ("rows_read", "rows_kept", "n_participants", "instruments", "notes",
                  "timepoint_order", "timepoint_order_source", "items_scored", "scores_missing",
                  "covariates_missing"):
        assert getattr(a.audit, field) == getattr(b.audit, field), field


@pytest.mark.parametrize("name", ["synthetic_example_wide.csv", "synthetic_example_messy.xlsx"])
def test_examples_agree(name):
    mapping = EX / (name.rsplit(".", 1)[0] + "_mapping.toml")
    m = parse_mapping(mapping)
    text = read_table(EX / name, sheet=m.sheet)
    assert_same(outcome(text, m, True), outcome(text, m, False))
    # the file read with numeric columns (the fast reader) agrees too
    fast = read_table(EX / name, sheet=m.sheet, numeric=_numeric_columns(m))
    assert_same(outcome(fast, m, True), outcome(text, m, False))


CELLS = st.one_of(st.sampled_from(["", " ", "1", "3", "5", "2.5", "-99", "9", ".", "NA", "x",
                                   "inf", " 4 ", "40", "120"]), st.integers(-100, 130))
RANGES = {"piq.total": [0, 100]}  # the PIQ's range is unknown to the package: declared
MAPPINGS = st.sampled_from([
    None, {"missing": {"codes": [-99, ".", "NA"]}, "ranges": RANGES},
    {"peaks": {"piq": {"from": ["s1", "s2"], "name": "peak"}}, "missing": {"codes": [-99]},
     "ranges": RANGES},
    {"ranges": RANGES}])


VALID = st.sampled_from(["", "1", "2", "3", "4", "5", "-99", " 3", "2.0"])


@st.composite
def frames(draw, cells=CELLS):
    n = draw(st.integers(1, 5))
    cols = {"participant_id": [f"P{i}" for i in draw(st.permutations(range(1, n + 1)))]}
    for i in range(1, 13):
        cols[f"wai_prep_{i}"] = draw(st.lists(cells, min_size=n, max_size=n))
    cols["piq_s1_total"] = draw(st.lists(cells, min_size=n, max_size=n))
    cols["piq_s2_total"] = draw(st.lists(cells, min_size=n, max_size=n))
    cols["hamd_wk4"] = draw(st.lists(cells, min_size=n, max_size=n))
    return pd.DataFrame(cols, dtype=object)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(frames(), frames(VALID)), MAPPINGS)
def test_random_frames_agree(df, mapping):
    body = df.reset_index(drop=True)
    body.columns = range(body.shape[1])
    table = grid_to_table(list(df.columns), body, "t.csv")
    assert_same(outcome(table, mapping, True), outcome(table, mapping, False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(frames(), frames(VALID)), MAPPINGS)
def test_random_files_read_as_numbers_agree(tmp_path_factory, df, mapping):
    p = tmp_path_factory.mktemp("csv") / "t.csv"
    df.astype(str).to_csv(p, index=False)
    m = parse_mapping(mapping)
    text = read_table(p)
    fast = read_table(p, numeric=_numeric_columns(m))
    assert_same(outcome(fast, m, True), outcome(text, m, False))
    assert np.asarray(fast.rows).tolist() == np.asarray(text.rows).tolist()


def test_both_outcomes_were_compared():
    """(runs after the property tests) both loads and refusals were compared."""
    assert SEEN["loaded"] > 10 and SEEN["refused"] > 10


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.from_regex(r"\A[A-Za-z_\- ]{0,3}[0-9]{1,4}\Z"),
                          st.text(max_size=6)), min_size=1, max_size=30))
def test_natural_order_is_the_natural_sort(ids):
    from alliance_analysis.io._common import natural_key, natural_order

    arr = np.array(ids, dtype=object)
    expected = sorted(range(len(ids)), key=lambda i: natural_key(ids[i]))
    assert natural_order(arr).tolist() == expected
