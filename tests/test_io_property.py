"""Property: load_frame on random, garbled tables returns a LoadResult or raises InputError."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_analysis.errors import InputError
from alliance_analysis.io import TIDY_COLUMNS, LoadResult, load_frame

HEADERS = st.one_of(
    st.sampled_from(["participant_id", "arm", "wai_prep_1", "wai_prep_2", "hamd_wk4",
                     "hamd_wk4_total", "piq_s1_total", "piq_s1_1", "meq_s1_3", "wai_sr.total.prep",
                     "WAI_PREP_1 ", "timepoint", "instrument", "item", "scale", "value", "",
                     "participant", "x.y.z", "hamd_1", "wai__1", "caps5_base_20"]),
    st.text(max_size=12),
    st.integers(-5, 5),
)
CELLS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-200, 200),
    st.sampled_from(["", " ", "1", "3", "5", "-99", ".", "NA", "P1", "prep", "wai", "hamd",
                     "total", "1.5", "1e3", "nan", "inf", "wk4", "s1", "piq", "12"]),
    st.text(max_size=6),
)


@st.composite
def frames(draw):
    n_cols = draw(st.integers(0, 7))
    n_rows = draw(st.integers(0, 6))
    headers = draw(st.lists(HEADERS, min_size=n_cols, max_size=n_cols))
    cols = {}
    for j in range(len(headers)):
        cols[j] = draw(st.lists(CELLS, min_size=n_rows, max_size=n_rows))
    df = pd.DataFrame(cols, dtype=object) if n_cols else pd.DataFrame(index=range(n_rows))
    if n_cols:
        df.columns = headers
    return df


MAPPINGS = st.sampled_from([
    None,
    {"layout": {"kind": "long"}},
    {"missing": {"codes": [-99, ".", "NA"]}},
    {"timepoints": {"prep": "prep", "wk4": "wk4"}, "arms": {"1": "a", "P1": "b"}},
    {"peaks": {"piq": {"from": ["s1"], "name": "peak"}}},
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), MAPPINGS)
def test_load_frame_never_crashes(df, mapping):
    try:
        result = load_frame(df, mapping)
    except InputError as exc:
        assert str(exc)
        return
    assert isinstance(result, LoadResult)
    assert tuple(result.tidy.columns) == TIDY_COLUMNS
    assert result.wide.index.is_unique
    assert result.audit.rows_kept <= result.audit.rows_read


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.integers(0, 6), st.none(), st.just(-99)), min_size=12,
                         max_size=12), min_size=1, max_size=5))
def test_valid_wai_items_always_score(rows):
    data = {"participant_id": [f"P{i}" for i in range(len(rows))]}
    for i in range(12):
        data[f"wai_prep_{i + 1}"] = [r[i] for r in rows]
    df = pd.DataFrame(data)
    try:
        result = load_frame(df, {"missing": {"codes": [-99]}})
    except InputError as exc:
        # only out-of-range items (0 or 6) may be refused
        assert "outside the instrument's range" in str(exc)
        assert any(v in (0, 6) for r in rows for v in r)
        return
    totals = result.wide["wai_sr.total.prep"].to_numpy(dtype=float)
    finite = totals[np.isfinite(totals)]
    assert ((finite >= 12) & (finite <= 60)).all()
