"""One input convention: arrays or data= with column names; long format for the paired test;
a 2-D batch equal to the one-variable calls (scipy as the independent check of t and p)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from alliance_analysis.errors import InputError
from alliance_analysis.stats import (
    PairedTTestBatch,
    correlate,
    mediate,
    paired_ttest,
    regress,
    welch_ttest,
)

RNG = np.random.default_rng(11)
WIDE = pd.DataFrame({"id": [f"p{i:02d}" for i in range(20)], "pre": RNG.normal(20, 4, 20)})
WIDE["post"] = WIDE["pre"] - RNG.normal(3, 3, 20)
WIDE.loc[4, "post"] = np.nan
LONG = WIDE.melt(id_vars="id", value_vars=["pre", "post"], var_name="time", value_name="bdi")


def test_paired_long_wide_and_arrays_agree():
    arrays = paired_ttest(WIDE["pre"], WIDE["post"])
    wide = paired_ttest("pre", "post", data=WIDE)
    long = paired_ttest(data=LONG, dv="bdi", within="time", subject="id", order=("pre", "post"))
    assert arrays == wide == long
    assert long.n == 19 and long.n_dropped == 1
    ref = st.ttest_rel(WIDE["post"].drop(4), WIDE["pre"].drop(4))
    assert long.t == pytest.approx(ref.statistic, rel=1e-12)
    assert long.p == pytest.approx(ref.pvalue, rel=1e-10)


def test_long_format_levels_default_to_sorted_order_and_refuse_bad_designs():
    # sorted order of "post" < "pre": pre level = "post" unless order= says otherwise
    swapped = paired_ttest(data=LONG, dv="bdi", within="time", subject="id")
    assert swapped.t == pytest.approx(-paired_ttest(WIDE["pre"], WIDE["post"]).t)
    three = pd.concat([LONG, LONG.assign(time="fu")])
    with pytest.raises(InputError, match="exactly 2 levels"):
        paired_ttest(data=three, dv="bdi", within="time", subject="id")
    dup = pd.concat([LONG, LONG.iloc[:1]])
    with pytest.raises(InputError, match="two rows"):
        paired_ttest(data=dup, dv="bdi", within="time", subject="id")


def test_batch_equals_one_call_per_variable():
    n, k = 25, 40
    pre = RNG.normal(size=(n, k))
    post = pre * 0.5 + RNG.normal(0.3, 1, size=(n, k))
    pre[RNG.random((n, k)) < 0.05] = np.nan
    batch = paired_ttest(pre, post)
    assert isinstance(batch, PairedTTestBatch) and len(batch) == k
    ref = st.ttest_rel(post, pre, nan_policy="omit")
    np.testing.assert_allclose(batch.t, np.asarray(ref.statistic), rtol=1e-10)
    np.testing.assert_allclose(batch.p, np.asarray(ref.pvalue), rtol=1e-8)
    for j in (0, 7, 39):
        one = paired_ttest(pre[:, j], post[:, j])
        got, want = batch.result(j).to_frame(), one.to_frame()
        cols = ["estimate", "ci_low", "ci_high", "statistic", "p"]
        np.testing.assert_allclose(got[cols].to_numpy(float), want[cols].to_numpy(float),
                                   rtol=1e-12, atol=1e-14)
    frame = batch.to_frame()
    assert len(frame) == k * 11 and frame.loc["7:d_av", "estimate"] == batch.d_av[7]


def test_welch_correlate_regress_mediate_take_data():
    df = WIDE.assign(arm=np.repeat(["a", "b"], 10), x=RNG.normal(size=20))
    long = welch_ttest(data=df, dv="pre", between="arm")
    assert long == welch_ttest(df["pre"][:10], df["pre"][10:])
    ref = st.ttest_ind(df["pre"][:10], df["pre"][10:], equal_var=False)
    assert long.t == pytest.approx(ref.statistic, rel=1e-12)
    assert correlate("pre", "x", data=df) == correlate(df["pre"], df["x"])
    assert regress(data=df, outcome="post", predictors=["pre"]).n == 19
    assert mediate(data=df, x="x", m="pre", y="post", n_boot=100).n == 19


def test_one_column_frames_are_one_variable_as_before():
    single = paired_ttest(WIDE[["pre"]], WIDE[["post"]])
    assert single == paired_ttest(WIDE["pre"], WIDE["post"])
