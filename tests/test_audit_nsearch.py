"""n search for r printed without df, and the paired-d formula question (levin2024.md §3-§4).

Every expectation is re-derived here with scipy.stats and plain loops (Pearson's t = r·√(df/(1−r²)),
d_z = t/√n, d_rm = d_z·√(2(1 − r)); Lakens 2013), not copied from the module's output.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from scipy import stats

from alliance_analysis.audit import consistent_n_for_r, d_formula_consistency
from alliance_analysis.audit.nsearch import format_ranges
from alliance_analysis.errors import InputError


def _half(printed: str) -> float:
    return 0.5 * 10.0 ** -(len(printed.split(".")[1]) if "." in printed else 0)


def _p_r(r: float, n: int, tails: int) -> float:
    df = n - 2
    t = abs(r) * math.sqrt(df / (1 - r * r))
    return tails * stats.t.sf(t, df)


def _ref_r_consistent(r_text: str, p_text: str, n: int, tails: int) -> bool:
    """Is there a true r (rounding to r_text) whose p rounds to p_text? (dense grid + ends)."""
    r, h = abs(float(r_text)), _half(r_text)
    grid = np.linspace(r - h, r + h, 201)
    ps = [_p_r(x, n, tails) for x in grid]
    dec = len(p_text.split(".")[1])
    target = Decimal(p_text)
    q = Decimal(1).scaleb(-dec)
    rounded = {Decimal(repr(float(p))).quantize(q, rounding=ROUND_HALF_UP) for p in ps}
    lo, hi = min(ps), max(ps)
    # p is monotone in r, so consistency = target within [round(lo), round(hi)]
    rlo = Decimal(repr(float(lo))).quantize(q, rounding=ROUND_HALF_UP)
    rhi = Decimal(repr(float(hi))).quantize(q, rounding=ROUND_HALF_UP)
    return (rlo <= target <= rhi) or target in rounded


@pytest.mark.parametrize("r_text, p_text", [("-.47", ".036"), ("-.54", ".014"), (".49", ".027"),
                                            (".52", ".040"), ("-.45", ".030"), ("-.52", ".010")])
def test_r_n_set_matches_independent_computation(r_text, p_text):
    res = consistent_n_for_r(r_text, p_text, n_min=4, n_max=80)
    for tails, ranges in ((2, res.two_tailed), (1, res.one_tailed)):
        got = {n for a, b in ranges for n in range(a, b + 1)}
        want = {n for n in range(4, 81) if _ref_r_consistent(r_text, p_text, n, tails)}
        assert got == want, (tails, sorted(got ^ want))


def test_levin_r_047_p_036_is_n_20_two_tailed_only():
    res = consistent_n_for_r("-.47", ".036")
    assert res.includes(20)
    # independent: at n = 20 the p range of r in [.465, .475] covers .036
    assert _p_r(0.475, 20, 2) < 0.0365 and _p_r(0.465, 20, 2) > 0.0355
    assert res.two_tailed == ((20, 20),)
    assert res.one_tailed == ()  # levin2024.md §3: no n fits one-tailed
    assert "20" in res.apa()


def test_levin_less_than_001_gives_open_range():
    res = consistent_n_for_r("-.75", "< .001", n_max=500)
    first = res.two_tailed[0][0]
    assert res.two_tailed == ((first, 500),)
    assert _p_r(0.755, first, 2) < 0.001 <= _p_r(0.755, first - 1, 2)


def test_unicode_minus_and_floats_accepted():
    assert consistent_n_for_r("\u2212.47", "p = .036").two_tailed == ((20, 20),)
    assert consistent_n_for_r(-0.47, 0.036).two_tailed == ((20, 20),)


def test_r_search_rejects_bad_input():
    with pytest.raises(InputError):
        consistent_n_for_r("1.5", ".03")
    with pytest.raises(InputError):
        consistent_n_for_r(".3", "abc")
    with pytest.raises(InputError):
        consistent_n_for_r(".3", ".03", n_min=10, n_max=5)


# --------------------------------------------------------------------------------- paired d

def _dz_p_range(d_lo: float, d_hi: float, n: int, tails: int) -> tuple[float, float]:
    df = n - 1
    return (tails * stats.t.sf(d_hi * math.sqrt(n), df), tails * stats.t.sf(d_lo * math.sqrt(n), df))


def test_d_043_p_03_is_not_dz_for_any_n_up_to_24_two_tailed():
    # independent derivation: for every n <= 24 the p range of d_z in [.425, .435] misses [.025, .035]
    for n in range(3, 25):
        p_lo, p_hi = _dz_p_range(0.425, 0.435, n, 2)
        assert p_hi < 0.025 or p_lo > 0.035, n
    res = d_formula_consistency(".43", ".03", n_max=24)
    assert res.ranges("d_z") == ()
    assert not any(res.consistent("d_z", n) for n in range(3, 25))


def test_d_043_p_03_dz_one_tailed_matches_independent():
    res = d_formula_consistency(".43", ".03", n_max=40)
    want = {n for n in range(3, 41)
            if not (lambda lo, hi: hi < 0.025 or lo > 0.035)(*_dz_p_range(0.425, 0.435, n, 1))}
    got = {n for a, b in res.ranges("d_z", one_tailed=True) for n in range(a, b + 1)}
    assert got == want and want  # levin2024.md: one-tailed d_z fits n around 21-22
    assert {21, 22} <= got


def test_d_rm_and_d_av_consistent_for_some_r():
    res = d_formula_consistency(".43", ".03", n=20)
    for formula in ("d_rm", "d_av", "d_av_lakens"):
        assert res.consistent(formula, 20)
        r_lo, r_hi = res.r_interval(formula, 20)
        assert -1 <= r_lo < r_hi <= 1
        # independent: with r at the middle of the interval, d = .43 as d_rm implies d_z and a p
        # that rounds to .03
        r_mid = (r_lo + r_hi) / 2
        dz = 0.43 / math.sqrt(2 * (1 - r_mid))
        p = 2 * stats.t.sf(dz * math.sqrt(20), 19)
        assert round(p, 2) == 0.03
        # and r outside the interval does not work (at the printed d)
        for r_out in (r_lo - 0.05, r_hi + 0.05):
            dz = 0.43 / math.sqrt(2 * (1 - r_out))
            assert round(2 * stats.t.sf(dz * math.sqrt(20), 19), 2) != 0.03
    # levin2024.md §3: with n = 20 the implied prep-post correlation is about .67
    assert res.r_interval("d_av", 20)[0] < 0.67 < res.r_interval("d_av", 20)[1]


def test_d_av_with_unequal_sds_independent():
    # d_av_lakens with SD_post = 1.5 SD_pre: d_z = d * (1 + k)/2 / sqrt(1 + k^2 - 2 r k);
    # d_av (root mean square, Cumming): d_z = d * sqrt((1 + k^2)/2) / sqrt(1 + k^2 - 2 r k)
    k = 1.5
    res = d_formula_consistency(".43", ".03", n=20, sd_ratio=k)
    for name, c in (("d_av_lakens", (1 + k) / 2), ("d_av", math.sqrt((1 + k * k) / 2))):
        r_lo, r_hi = res.r_interval(name, 20)
        r_mid = (r_lo + r_hi) / 2
        dz = 0.43 * c / math.sqrt(1 + k * k - 2 * r_mid * k)
        assert round(2 * stats.t.sf(dz * math.sqrt(20), 19), 2) == 0.03
    # different denominators, different r intervals
    assert res.r_interval("d_av", 20) != res.r_interval("d_av_lakens", 20)


def test_av_denominator_is_deprecated():
    with pytest.warns(DeprecationWarning):
        d_formula_consistency(".43", ".03", n=20, av_denominator="cumming")


def test_d_formula_table_and_needs():
    res = d_formula_consistency(".43", ".03", n_min=10, n_max=24)
    frame = res.by_n()
    assert set(frame["formula"]) == {"d_z", "d_rm", "d_av", "d_av_lakens", "d_b"}
    assert len(frame) == 5 * 2 * 15
    assert frame.loc[frame["formula"] == "d_z", "r_low"].isna().all()
    needs = dict(res.needs)
    assert "n only" in needs["d_z"] and "correlation r" in needs["d_rm"]
    assert "d_z two-tailed: n = none" in res.apa()


def test_d_bad_input():
    with pytest.raises(InputError):
        d_formula_consistency("big", ".03")
    with pytest.raises(InputError):
        d_formula_consistency(".43", "1.3")
    with pytest.raises(InputError):
        d_formula_consistency(".43", ".03", sd_ratio=0)


def test_tidy_frames_of_the_n_searches():
    # one row per formula and tails, labelled; the n ranges as printed and their count
    res = d_formula_consistency(".43", ".03", n_min=10, n_max=40)
    tidy = res.to_frame()
    assert list(tidy.index) == [f"{f} {t}-tailed" for f in ("d_z", "d_rm", "d_av", "d_av_lakens",
                                                            "d_b") for t in ("two", "one")]
    assert (tidy["estimate"] == 0.43).all() and tidy["p"].isna().all()
    one = tidy.loc["d_z one-tailed"]
    by_n = res.by_n()
    want = by_n[(by_n["formula"] == "d_z") & (by_n["tails"] == "one")]
    assert one["n_count"] == int(want["consistent"].sum())
    assert one["n_ranges"] == format_ranges(res.ranges("d_z", one_tailed=True))
    # independent: n whose two-tailed p range of d_z in [.425, .435] meets [.025, .035]
    two = [n for n in range(10, 41)
           if not (lambda lo, hi: hi < 0.025 or lo > 0.035)(*_dz_p_range(0.425, 0.435, n, 2))]
    assert tidy.loc["d_z two-tailed", "n_count"] == len(two) > 0
    assert tidy.loc["d_z two-tailed", "n_ranges"] == f"{two[0]}\u2013{two[-1]}"
    assert dict(res.n_ranges)["d_z two-tailed"] == ((two[0], two[-1]),)
    r = consistent_n_for_r("-.47", ".036").to_frame()
    assert list(r.index) == ["r two-tailed", "r one-tailed"]
    assert r.loc["r two-tailed", "n_ranges"] == "20" and r.loc["r two-tailed", "n_count"] == 1
    assert r.loc["r two-tailed", "estimate"] == -0.47 and r.loc["r one-tailed", "p_printed"] == "= .036"
    assert list(r.columns) == list(tidy.columns)
