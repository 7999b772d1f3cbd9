"""Unit tests of the synthetic generator's newer mechanisms, against independent references.

- targets.batch_regression / batch_welch_t vs statsmodels OLS and scipy's Welch test;
- spec.family_p_bounds: hand-derived intervals and a property test against
  statsmodels.stats.multitest.multipletests;
- items.compose_unit_items (QIDS-SR-16 domain maxima) vs the instrument's own scoring;
- reverse-keyed WAI-36 items: stored responses rescored by the instrument/loader give the totals.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from alliance_analysis.errors import InputError
from alliance_analysis.instruments import get_instrument
from alliance_analysis.synthetic.items import compose_unit_items, unit_scores_total
from alliance_analysis.synthetic.spec import family_p_bounds, reverse_items, score_units
from alliance_analysis.synthetic.targets import batch_regression, batch_welch_t

# ------------------------------------------------------------------------------------------------
# batched statistics


def _candidates(seed: int, n_pred: int, b: int = 4, m: int = 25) -> list[np.ndarray]:
    """(B, m) columns: outcome first, correlated predictors, on raw (unstandardized) scales."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(b, m, n_pred))
    x[..., 1:] += 0.5 * x[..., :1]  # correlated predictors, so ΔR² ≠ r²
    y = x @ rng.normal(size=n_pred) + rng.normal(size=(b, m))
    scale = rng.uniform(0.5, 20.0, size=n_pred + 1)
    shift = rng.uniform(-50, 50, size=n_pred + 1)
    cols = [y] + [x[..., j] for j in range(n_pred)]
    return [c * s + o for c, s, o in zip(cols, scale, shift, strict=True)]


@pytest.mark.parametrize("n_pred", [1, 2, 3])
@pytest.mark.parametrize("seed", [1, 2])
def test_batch_regression_equals_statsmodels(n_pred, seed):
    import statsmodels.api as sm

    cols = _candidates(seed, n_pred)
    got = batch_regression(cols)
    for b in range(cols[0].shape[0]):
        frame = pd.DataFrame({f"v{j}": c[b] for j, c in enumerate(cols)})
        y, preds = frame["v0"], [f"v{j}" for j in range(1, n_pred + 1)]
        full = sm.OLS(y, sm.add_constant(frame[preds])).fit()
        others = preds[1:]
        r2_without = (sm.OLS(y, sm.add_constant(frame[others])).fit().rsquared if others else 0.0)
        z = (frame - frame.mean()) / frame.std(ddof=1)
        beta = sm.OLS(z["v0"], sm.add_constant(z[preds])).fit().params["v1"]
        assert got["partial_t"][b] == pytest.approx(full.tvalues["v1"], rel=1e-9, abs=1e-9)
        assert got["r2"][b] == pytest.approx(full.rsquared, abs=1e-10)
        assert got["delta_r2"][b] == pytest.approx(full.rsquared - r2_without, abs=1e-10)
        assert got["beta"][b] == pytest.approx(beta, abs=1e-10)


def test_batch_regression_constant_column_gives_nan():
    cols = _candidates(3, 2, b=2)
    cols[1] = cols[1].copy()
    cols[1][0] = 4.0  # candidate 0: the focal predictor is constant
    got = batch_regression(cols)
    for key in ("beta", "r2", "delta_r2", "partial_t"):
        assert np.isnan(got[key][0]), key
        assert np.isfinite(got[key][1]), key


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_welch_t_equals_scipy(seed):
    from scipy.stats import ttest_ind

    rng = np.random.default_rng(seed)
    b, m = 5, 22
    y = rng.normal(50, 10, size=(b, m))
    y[:, :8] *= 2.5  # unequal variances
    g = np.zeros((b, m))
    for i in range(b):  # different group sizes and memberships per candidate
        g[i, rng.choice(m, size=5 + 3 * i, replace=False)] = 1.0
    y += 4 * g
    got = batch_welch_t(y, g)
    for i in range(b):
        ref = ttest_ind(y[i, g[i] == 1], y[i, g[i] == 0], equal_var=False).statistic
        assert got[i] == pytest.approx(ref, rel=1e-12)


# ------------------------------------------------------------------------------------------------
# family_p_bounds


def _family(pattern: str, method: str, printed: str = ".05", family: str = "fam") -> list[dict]:
    """Claim dicts: 's' significant after correction, 'q' significant only before, 'n' neither."""
    out = []
    for i, kind in enumerate(pattern):
        c = {"id": f"{family}-{i}", "analysis": "regression", "statistic": "p", "printed": printed,
             "family": family, "correction": method,
             "expected": "significant" if kind == "s" else "not significant"}
        if kind == "q":
            c["uncorrected_expected"] = "significant"
        out.append(c)
    return out


def _interval(bounds, cid):
    lo, hi, why = bounds[cid]
    assert isinstance(why, str) and why
    return lo, hi


@pytest.mark.parametrize(("method", "q_lower"), [
    ("holm", 0.05 / 2),        # the q claim ranks 5th of 6: Holm multiplies it by 6 − 4 = 2
    ("bonferroni", 0.05 / 6),  # multiplied by m = 6
    ("fdr_bh", 0.05 * 5 / 6),  # BH: rank 5 of 6, p·6/5 (the 6th p ≥ α cannot pull it down)
])
def test_family_p_bounds_hand_derived(method, q_lower):
    bounds = family_p_bounds(_family("ssssqn", method))
    assert set(bounds) == {f"fam-{i}" for i in range(6)}
    for i in range(4):
        assert _interval(bounds, f"fam-{i}") == pytest.approx((0.0, 0.05 / 6), rel=1e-12)
    assert _interval(bounds, "fam-4") == pytest.approx((q_lower, 0.05), rel=1e-12)
    assert _interval(bounds, "fam-5") == pytest.approx((0.05, 1.0), rel=1e-12)


def test_family_p_bounds_more_hand_cases():
    # BH with two 'only before correction' claims: ranks 3 and 4 of 6 → p ≥ α·4/6
    bh = family_p_bounds(_family("sqqnns", "fdr_bh", printed=".01"))
    assert _interval(bh, "fam-1") == pytest.approx((0.01 * 4 / 6, 0.01), rel=1e-12)
    assert _interval(bh, "fam-5") == pytest.approx((0.0, 0.01 / 6), rel=1e-12)
    # Holm, 3 tests, none significant after correction: the q claim must survive × 3
    holm = family_p_bounds(_family("qnn", "holm"))
    assert _interval(holm, "fam-0") == pytest.approx((0.05 / 3, 0.05), rel=1e-12)
    # two families and a claim without a family are treated separately; non-regression claims ignored
    claims = _family("ssqn", "holm", family="a") + _family("sq", "bonferroni", family="b")
    claims.append({"id": "solo", "analysis": "regression", "statistic": "p", "printed": ".05",
                   "expected": "significant", "correction": "holm"})
    claims.append({"id": "corr", "analysis": "correlation", "statistic": "r", "printed": ".30"})
    both = family_p_bounds(claims)
    assert set(both) == {"a-0", "a-1", "a-2", "a-3", "b-0", "b-1", "solo"}
    assert _interval(both, "a-0") == pytest.approx((0.0, 0.05 / 4), rel=1e-12)
    # 'sssq' (m − s = 1) cannot be printed under Holm: refused, not an empty interval
    with pytest.raises(InputError):
        family_p_bounds(_family("sssq", "holm"))
    assert _interval(both, "a-2") == pytest.approx((0.05 / 2, 0.05), rel=1e-12)  # m − s = 2
    assert _interval(both, "a-3") == pytest.approx((0.05, 1.0), rel=1e-12)
    assert _interval(both, "b-1") == pytest.approx((0.05 / 2, 0.05), rel=1e-12)
    assert _interval(both, "solo") == pytest.approx((0.0, 0.05), rel=1e-12)
    # no correction: 'significant' is simply p < α
    none = family_p_bounds(_family("sn", "none"))
    assert _interval(none, "fam-0") == pytest.approx((0.0, 0.05), rel=1e-12)


def test_only_before_correction_needs_a_correction():
    with pytest.raises(InputError):
        family_p_bounds(_family("sq", "none"))


@pytest.mark.parametrize(("pattern", "method"), [("sq", "holm"), ("q", "bonferroni"), ("sq", "fdr_bh"),
                                                 ("sqq", "fdr_bh")])
def test_infeasible_patterns_admit_no_p(pattern, method):
    """Holm with one non-significant test, Bonferroni with m = 1 and BH when every test is
    significant uncorrected cannot print 'significant only before correction' (the largest p
    enters unmultiplied): no p may be admissible (empty half-open interval, or an error)."""
    try:
        bounds = family_p_bounds(_family(pattern, method))
    except InputError:
        return
    lo, hi = _interval(bounds, f"fam-{pattern.index('q')}")
    assert lo >= hi


# a relative margin inside each endpoint: the intervals are exact in real arithmetic, but an
# adjusted p such as (α/m)·m can round across α at the very endpoint
EDGE = 1e-9


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.data())
def test_p_inside_the_bounds_give_the_expected_pattern(data):
    from statsmodels.stats.multitest import multipletests

    method = data.draw(st.sampled_from(["holm", "bonferroni", "fdr_bh", "none"]), label="method")
    kinds = "sn" if method == "none" else "sqn"
    pattern = "".join(data.draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=8), label="pattern"))
    printed = data.draw(st.sampled_from([".05", ".01", ".10", ".001"]), label="alpha")
    alpha = float(printed)
    try:
        bounds = family_p_bounds(_family(pattern, method, printed))
    except InputError:  # an infeasible pattern (see test_infeasible_patterns_admit_no_p)
        assume(False)
    intervals = [bounds[f"fam-{i}"][:2] for i in range(len(pattern))]
    assume(all(lo < hi for lo, hi in intervals))
    us = data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(pattern), max_size=len(pattern)),
                   label="positions")
    p = np.array([lo + (hi - lo) * min(max(u, EDGE), 1.0 - EDGE) for (lo, hi), u in zip(intervals, us, strict=True)])
    adjusted = p if method == "none" else multipletests(p, method=method)[1]
    after = [k == "s" for k in pattern]
    before = [k in "sq" for k in pattern]
    assert list(adjusted < alpha) == after, (pattern, method, p, adjusted)
    assert list(p < alpha) == before, (pattern, method, p)


# ------------------------------------------------------------------------------------------------
# QIDS-SR-16 unit composition

QIDS_DOMAINS = {(5,), (10,), (11,), (12,), (13,), (14,), (1, 2, 3, 4), (6, 7, 8, 9), (15, 16)}


def test_qids_score_units_are_its_nine_domains():
    units = score_units("qids_sr16")
    assert set(units) == QIDS_DOMAINS and len(units) == 9
    assert score_units("wai_36") == ()  # a plain sum


@pytest.mark.parametrize("seed", [0, 1])
def test_compose_unit_items_hits_every_qids_total(seed):
    units = score_units("qids_sr16")
    inst = get_instrument("qids_sr16")
    totals = np.repeat(np.arange(0, 28, dtype=float), 6)
    totals = np.concatenate([totals, [np.nan, 13.0, np.nan]])
    items = compose_unit_items(totals, (0,) * 16, (3,) * 16, units, np.random.default_rng(seed))
    assert items.shape == (totals.size, 16)
    ok = ~np.isnan(totals)
    assert np.isnan(items[~ok]).all()
    x = items[ok]
    assert not np.isnan(x).any()
    assert np.array_equal(x, np.rint(x)) and x.min() >= 0 and x.max() <= 3
    scored = inst.score(x)["total"].score  # rows = administrations, columns = items 1..16
    assert np.array_equal(scored, totals[ok])
    assert np.array_equal(unit_scores_total(x, units), totals[ok])
    # the domain items other than the maximum are really varied (not all copies of the maximum)
    sleep = x[:, :4]
    assert (sleep < sleep.max(axis=1, keepdims=True)).any()
    assert (x.sum(axis=1) > scored).any()


def test_compose_unit_items_refuses_an_unreachable_total():
    units = score_units("qids_sr16")
    with pytest.raises(InputError):
        compose_unit_items(np.array([28.0]), (0,) * 16, (3,) * 16, units, np.random.default_rng(0))


# ------------------------------------------------------------------------------------------------
# WAI-36 reverse-keyed items

WAI36_REVERSE = (1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34)  # Horvath & Greenberg key (S16)


def test_reverse_items_are_the_instruments_positions():
    inst = get_instrument("wai_36")
    assert reverse_items("wai_36") == tuple(inst.item_ids.index(i) + 1 for i in inst.reverse_items)
    assert reverse_items("wai_36") == WAI36_REVERSE
    assert reverse_items("qids_sr16") == ()
    assert reverse_items("no_such_instrument") == ()


def test_stored_wai36_items_rescore_to_the_composed_totals(tmp_path):
    from alliance_analysis.io import load_table
    from alliance_analysis.synthetic import spec_for
    from alliance_analysis.synthetic.generate import build_frame
    from alliance_analysis.synthetic.output import mapping_toml

    spec = spec_for("zeifman2024")
    var = spec.variable("wai_36.total.s4")
    assert var.reverse == WAI36_REVERSE and not var.units
    totals = np.array([36, 37, 100, 144, 190, 200, 251, 252, np.nan, 222], dtype=float)
    small = dataclasses.replace(spec, n=totals.size, arms=(("all", totals.size),), variables=(var,),
                                derived=(), out_name="mini.csv")
    frame = build_frame(small, totals[:, None], np.random.default_rng(5))
    items = frame[var.stored_columns()].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(totals)
    assert np.isnan(items[~ok]).all()
    assert items[ok].min() >= 1 and items[ok].max() <= 7
    inst = get_instrument("wai_36")
    assert np.array_equal(inst.score(items[ok])["total"].score, totals[ok])
    # reversal is really applied on storage: the all-1 / all-7 extremes store 7 / 1 on reverse items
    rev = np.array(WAI36_REVERSE) - 1
    fwd = np.setdiff1d(np.arange(36), rev)
    assert (items[0, rev] == 7).all() and (items[0, fwd] == 1).all()
    assert (items[7, rev] == 1).all() and (items[7, fwd] == 7).all()
    # end to end through the loader with the generator's mapping
    frame.to_csv(tmp_path / "mini.csv", index=False)
    (tmp_path / "mini.toml").write_text(mapping_toml(small, "mini.csv"), encoding="utf-8")
    wide = load_table(tmp_path / "mini.csv", tmp_path / "mini.toml").wide
    assert np.array_equal(wide["wai_36.total.s4"].to_numpy(float), totals, equal_nan=True)
