"""Vectorised p recomputation and the consistency rules (arrays in, arrays out).

The rules restate statcheck (Nuijten, Hartgerink, van Assen, Epskamp & Wicherts, 2016, *Behav.
Res. Methods* 48:1205-1226; R package v1.6.0, ``error_test``/``decision_error_test``):

* p is recomputed two-sided for t, r and z (one-sided = half of it), upper tail for F and χ²;
  r is turned into t = r·√(df / (1 − r²)).
* The printed statistic stands for the interval ``value ± 0.5·10^-decimals``; its magnitude
  bounds give ``[p_low, p_high]``. Negative statistics use the magnitude (statcheck fixed this in
  2023; the PyPI port still flags every exact p of a negative statistic).
* Reported ``p = y``: error when y lies outside ``[round(p_low), round(p_high)]`` at the printed
  p decimals; ``p < y``: error when y < p_low; ``p > y``: error when y > p_high; ``ns`` is
  ``p > alpha``. With ``p_zero_error`` any reported p ≤ 0 (``p = .000``) is an error.
* A decision error is an error whose significance at ``alpha`` (p = alpha counts as significant
  when ``p_equal_alpha_sig``) differs between reported p and the computed p at face value.

Deviation (documented in docs/audit.md): for a statistic printed with ``<``/``>`` (e.g.
``F(1, 20) < 1``) the bound is read on the side that makes the report *possible*: ``test < x``
means the true p is at least ``p_low``; ``test > x`` that it is at most ``p_high``; for negative
t, r or z the sign of such a comparison is mirrored onto the magnitude.
"""

from __future__ import annotations

import numpy as np

__all__ = ["p_from_magnitude", "stat_bounds", "error_rule", "decision_error_rule", "round_units"]

T, F, R, Z, CHI2, D = 0, 1, 2, 3, 4, 5


def r_to_t(r: np.ndarray, df: np.ndarray) -> np.ndarray:
    """t = r·√(df / (1 − r²)); ±inf at |r| = 1."""
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(df / (1.0 - r * r))
    return np.where(np.abs(r) >= 1, np.copysign(np.inf, r), t)


def p_from_magnitude(code: np.ndarray, mag: np.ndarray, df1: np.ndarray, df2: np.ndarray,
                     two_sided: np.ndarray | bool = True) -> np.ndarray:
    """p of a statistic magnitude (|t|, |r|, |z| or F, χ² ≥ 0), element-wise.

    ``code`` uses t=0, F=1, r=2, z=3, χ²=4; ``df1`` is the df of t, r, χ² and the numerator df of
    F, ``df2`` the denominator df of F. Two-sided doubling applies to t, r, z only.
    """
    from scipy import special

    code = np.asarray(code)
    mag = np.asarray(mag, dtype=float)
    df1 = np.asarray(df1, dtype=float)
    df2 = np.asarray(df2, dtype=float)
    code, mag, df1, df2 = np.broadcast_arrays(code, mag, df1, df2)
    out = np.full(mag.shape, np.nan)
    m = code == T
    if m.any():
        out[m] = special.stdtr(df1[m], -mag[m])
    m = code == R
    if m.any():
        t = r_to_t(np.minimum(mag[m], 1.0), df1[m])
        out[m] = np.where(np.isinf(t), 0.0, special.stdtr(df1[m], -np.abs(t)))
    m = code == Z
    if m.any():
        out[m] = special.ndtr(-mag[m])
    m = code == F
    if m.any():
        out[m] = special.fdtrc(df1[m], df2[m], np.maximum(mag[m], 0.0))
    m = code == CHI2
    if m.any():
        out[m] = special.chdtrc(df1[m], np.maximum(mag[m], 0.0))
    doubles = np.isin(code, (T, R, Z)) & np.asarray(two_sided, dtype=bool)
    out = np.where(doubles, np.minimum(2.0 * out, 1.0), out)
    return out


def stat_bounds(value: np.ndarray, decimals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude interval ``(low, high)`` a printed statistic stands for (sign removed)."""
    half = 0.5 * 10.0 ** (-np.asarray(decimals, dtype=float))
    mag = np.abs(np.asarray(value, dtype=float))
    return np.maximum(mag - half, 0.0), mag + half


def round_units(p: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """``p`` rounded half-up at ``decimals``, in integer units of the last printed digit."""
    scale = 10.0 ** np.asarray(decimals, dtype=float)
    # the tiny offset absorbs binary noise like 0.0365 * 1000 = 36.49999...
    return np.floor(np.asarray(p, dtype=float) * scale + 0.5 + 1e-9)


def error_rule(test_comp: np.ndarray, p_comp: np.ndarray, reported: np.ndarray,
               p_decimals: np.ndarray, p_low: np.ndarray, p_high: np.ndarray,
               alpha: float = 0.05, p_zero_error: bool = True) -> np.ndarray:
    """Inconsistency of reported p with the interval ``[p_low, p_high]`` (element-wise).

    ``test_comp`` is the comparison of the statistic's *magnitude* (``=``, ``<``, ``>``);
    ``p_comp`` is ``=``, ``<``, ``>`` or ``ns`` (read as ``p > alpha``).
    """
    test_comp = np.asarray(test_comp)
    p_comp = np.asarray(p_comp)
    ns = p_comp == "ns"
    rep = np.where(ns, alpha, np.asarray(reported, dtype=float))
    pc = np.where(ns, ">", p_comp)
    dec = np.where(ns, 0, np.asarray(p_decimals))
    p_low = np.asarray(p_low, dtype=float)
    p_high = np.asarray(p_high, dtype=float)
    scale = 10.0 ** dec.astype(float)
    rep_u = np.rint(rep * scale)
    lo_u = round_units(p_low, dec)
    hi_u = round_units(p_high, dec)
    te, tl, tg = test_comp == "=", test_comp == "<", test_comp == ">"
    pe, pl, pg = pc == "=", pc == "<", pc == ">"
    err = (
        (te & pe & ((rep_u > hi_u) | (rep_u < lo_u)))
        | (te & pl & (rep < p_low))
        | (te & pg & (rep > p_high))
        | (tl & pe & (rep_u < lo_u))
        | (tl & pl & (rep <= p_low))
        | (tg & pe & (rep_u > hi_u))
        | (tg & pg & (rep >= p_high))
    )
    if p_zero_error:
        err = err | (~ns & (rep <= 0) & (pc != ">"))
    err = err | (~ns & (rep < 0))
    return err


def decision_error_rule(test_comp: np.ndarray, p_comp: np.ndarray, reported: np.ndarray,
                        computed: np.ndarray, alpha: float = 0.05,
                        p_equal_alpha_sig: bool = True) -> np.ndarray:
    """statcheck's decision-error table (evaluate only where :func:`error_rule` is true)."""
    test_comp = np.asarray(test_comp)
    p_comp = np.asarray(p_comp)
    ns = p_comp == "ns"
    rep = np.where(ns, alpha, np.asarray(reported, dtype=float))
    pc = np.where(ns, ">", p_comp)
    c = np.asarray(computed, dtype=float)
    te, tl, tg = test_comp == "=", test_comp == "<", test_comp == ">"
    pe, pl, pg = pc == "=", pc == "<", pc == ">"
    a = alpha
    if p_equal_alpha_sig:
        de = (
            (te & pe & (((rep <= a) & (c > a)) | ((rep > a) & (c <= a))))
            | (te & pl & (rep <= a) & (c > a))
            | (te & pg & (rep >= a) & (c <= a))
            | (tl & (pe | pl) & (rep <= a) & (c >= a))
            | (tg & pe & (rep > a) & (c <= a))
            | (tg & pg & (rep >= a) & (c <= a))
        )
    else:
        de = (
            (te & pe & (((rep < a) & (c >= a)) | ((rep >= a) & (c < a))))
            | (te & pl & (rep <= a) & (c >= a))
            | (te & pg & (rep >= a) & (c < a))
            | (tl & pe & (rep < a) & (c >= a))
            | (tl & pl & (rep <= a) & (c >= a))
            | (tg & pe & (rep >= a) & (c <= a))
            | (tg & pg & (rep >= a) & (c <= a))
        )
    return de
