"""The long layout, vectorised: text work runs once per distinct cell (``_common.per_unique``);
it gives exactly what the cell-by-cell computation gives (results and refusals), and messages on
a large table still name the exact row and column."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

import alliance_analysis.io._common as common
from alliance_analysis.errors import InputError
from alliance_analysis.io import load_frame

COLUMNS = ["participant_id", "arm", "timepoint", "instrument", "item", "scale", "value"]
RANGES = {"piq.total": [0, 100]}
MAPPINGS = [{"missing": {"codes": [-99]}, "ranges": RANGES},
            {"arms": {"1": "a", "2": "b"}, "ranges": RANGES, "missing": {"codes": [-99]}},
            {"peaks": {"wai_sr": {"from": ["prep", "post"]}}, "ranges": RANGES,
             "missing": {"codes": [-99]}},
            None]
FAULTS = [None] * 6 + ["dup", "arm", "val", "tp", "inst", "item", "case", "both", "range", "mix",
                       "zw", "blank"]


def long_frame(rng: random.Random) -> pd.DataFrame:
    rows = []
    for p in range(1, rng.randint(1, 6) + 1):
        pid, arm = f"P{p}", rng.choice(["1", "2", "1.0"])
        for tp in rng.sample(["prep", "post"], rng.randint(1, 2)):
            for it in range(1, 13):
                if rng.random() < 0.9:
                    rows.append([pid, arm, tp, "wai", str(it), "",
                                 rng.choice(["1", "2", "3", "4", "5", "", "-99", " 3 "])])
        if rng.random() < 0.7:
            rows.append([pid, arm, "s1", "piq", "", "total",
                         rng.choice(["10", "55", "", "-99", "100"])])
        if rng.random() < 0.5:
            rows.append([pid, arm, "wk4", "hamd", "total", "", rng.choice(["10", "3", ""])])
    rng.shuffle(rows)
    fault = rng.choice(FAULTS)
    j = rng.randrange(len(rows)) if rows else 0
    r = list(rows[j]) if rows else None
    if r is not None and fault is not None:
        if fault == "dup":
            rows.insert(rng.randrange(len(rows) + 1), r)
        elif fault == "blank":
            rows.insert(rng.randrange(len(rows) + 1), [""] * 7)
        else:
            if fault == "arm":
                r[1] = "2" if r[1] != "2" else "1"
            elif fault == "val":
                r[6] = rng.choice(["x", "7", "2.5", "inf", "999"])
            elif fault == "tp":
                r[2] = rng.choice(["", "Week 4", "9x y"])
            elif fault == "inst":
                r[3] = "xyz"
            elif fault == "item":
                r[4], r[5] = rng.choice(["13", "0", "x", "2.5"]), ""
            elif fault == "case":
                r[0] = r[0].lower()
            elif fault == "both":
                r[4], r[5] = "1", "total"
            elif fault == "range":
                r[3], r[4], r[5], r[6] = "piq", "", "total", "150"
            elif fault == "mix":
                r[3], r[4], r[5], r[6] = "wai", "", "total", "30"
            elif fault == "zw":
                r[0] = r[0] + "\u200b"
            rows[j] = r
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def outcome(df, mapping):
    try:
        r = load_frame(df, mapping, source_name="t.csv")
    except InputError as exc:
        return str(exc)
    return (r.tidy, r.wide, r.items, r.audit.values_set_missing, r.audit.rows_excluded,
            r.audit.notes)


def test_per_distinct_value_equals_per_cell(monkeypatch):
    rng = random.Random(20241206)
    cases = [(long_frame(rng), rng.choice(MAPPINGS)) for _ in range(150)]
    seen = {"loaded": 0, "refused": 0}
    for df, mapping in cases:
        monkeypatch.setattr(common, "PER_UNIQUE_MIN_ROWS", 0)
        monkeypatch.setattr(common, "PER_UNIQUE_MAX_SHARE", 2.0)
        fast = outcome(df, mapping)
        monkeypatch.setattr(common, "PER_UNIQUE_MIN_ROWS", 1 << 60)
        slow = outcome(df, mapping)
        if isinstance(fast, str) or isinstance(slow, str):
            assert fast == slow
            seen["refused"] += 1
            continue
        seen["loaded"] += 1
        for a, b in zip(fast, slow, strict=True):
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b)
            else:
                assert a == b
    assert seen["loaded"] > 20 and seen["refused"] > 20


def big_long(n_participants: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    pid = np.repeat([f"P{i:05d}" for i in range(1, n_participants + 1)], 12)
    return pd.DataFrame({
        "participant_id": pid, "arm": np.repeat(rng.choice(["1", "2"], n_participants), 12),
        "timepoint": "prep", "instrument": "wai",
        "item": np.tile([str(i) for i in range(1, 13)], n_participants),
        "value": rng.integers(1, 6, 12 * n_participants).astype(str)}, dtype=object)


@pytest.mark.parametrize(("value", "what"), [("x", "not a number"), ("6", "outside"),
                                             ("-99", "outside")])
def test_messages_on_a_large_table_name_the_exact_cell(value, what):
    df = big_long(1000)  # 12,000 rows: the per-distinct-value path is taken
    df.loc[7776, "value"] = value  # spreadsheet row 7778
    df.loc[9000, "value"] = value
    exc = pytest.raises(InputError, load_frame, df, source_name="big.csv").value
    assert (exc.file, exc.row, exc.column, exc.value) == ("big.csv", 7778, "value", value)
    assert what in str(exc) and "and 1 more" in str(exc)


def test_arm_disagreement_on_a_large_table_names_both_rows():
    df = big_long(1000)
    first = df.loc[df["participant_id"] == "P00500", "arm"].iloc[0]
    # P00500 holds positions 5988-5999 (spreadsheet rows 5990-6001); position 5995 is row 5997
    df.loc[5995, "arm"] = "2" if first == "1" else "1"
    exc = pytest.raises(InputError, load_frame, df, source_name="big.csv").value
    assert (exc.row, exc.column) == (5997, "arm") and f"row 5990 says {first!r}" in str(exc)


def test_large_table_scores_match_the_hand_sum():
    df = big_long(1000)
    r = load_frame(df)
    sums = df["value"].astype(int).groupby(df["participant_id"]).sum()
    assert np.array_equal(r.wide["wai_sr.total.prep"].to_numpy(), sums.to_numpy(dtype=float))
