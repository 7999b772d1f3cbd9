"""Printed confidence intervals checked against the printed estimate and test (vectorised).

A printed CI ``[a, b]`` stands for ``a ± h`` and ``b ± h`` (h = half a unit of the last printed
digit), the estimate for its own rounding interval. A CI is *consistent* when some values inside
those rounding intervals reproduce it:

* **r(df)**: Fisher z interval, tanh(atanh(r) ± z_(1−α/2)/√(n − 3)) with n = df + 2 (Fisher,
  1921; e.g. Cohen, Cohen, West & Aiken, 2003, §2.8). Each end is monotone in r, so the printed
  end must lie between the ends computed at the two rounding bounds of r (± h).
* **t(df)** and **z** with a CI (read as the interval of a mean difference or other estimate
  ``M ± t_crit·SE``): the CI alone implies |t| = t_crit·|(a + b)/2| / ((b − a)/2), with t_crit the
  t (or normal) quantile at the interval's level; the range of that implied |t| over the rounding
  of a and b must meet the rounding interval of the printed |t|.
* **d** with a CI and a known n (paired d_z = t/√n, df = n − 1): the noncentral-t interval
  (Steiger & Fouladi, 1997; Cumming & Finch, 2001) at the rounding bounds of d, divided by √n,
  solved for all results at once by :func:`alliance_analysis.stats.effect_sizes.ncp_ci_many`.

Other tests (F, χ², Q) and d without n are returned as ``not checked`` with the reason.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_intervals"]


def _half(text: np.ndarray) -> np.ndarray:
    dec = np.array([len(s) - s.index(".") - 1 if "." in s else 0 for s in text], dtype=float)
    return 0.5 * 10.0 ** (-dec)


def check_intervals(test_type: np.ndarray, value: np.ndarray, stat_decimals: np.ndarray,
                    df1: np.ndarray, level: np.ndarray, low: np.ndarray, high: np.ndarray,
                    n: int | None = None) -> tuple[list[str], list[str]]:
    """``(ci_check, ci_note)`` per result; ``""`` where no CI is printed.

    ``level``/``low``/``high`` are the printed strings (``"95"``, ``"-.85"``, ``"-.29"``).
    """
    from scipy import special

    k = len(test_type)
    check = [""] * k
    note = [""] * k
    has = np.array([bool(x) for x in level], dtype=bool)
    if not has.any():
        return check, note
    idx = np.flatnonzero(has)
    lev = np.array([float(level[i]) / 100.0 for i in idx])
    a = np.array([float(low[i]) for i in idx])
    b = np.array([float(high[i]) for i in idx])
    ha = _half(np.array([low[i] for i in idx], dtype=object))
    hb = _half(np.array([high[i] for i in idx], dtype=object))
    v = np.asarray(value, dtype=float)[idx]
    hv = 0.5 * 10.0 ** (-np.asarray(stat_decimals, dtype=float)[idx])
    df = np.asarray(df1, dtype=float)[idx]
    kind = np.asarray(test_type, dtype=object)[idx]
    tail = 1.0 - (1.0 - lev) / 2.0
    ok = np.full(len(idx), np.nan)
    why = [""] * len(idx)

    bad_level = ~((lev > 0) & (lev < 1)) | (a > b)
    for j in np.flatnonzero(bad_level):
        why[j] = "interval not readable (level outside 0-100 % or lower end above upper end)"

    m = (kind == "r") & np.isfinite(df) & (df > 1) & ~bad_level
    if m.any():
        zc = special.ndtri(tail[m])
        se = 1.0 / np.sqrt(df[m] - 1.0)  # n - 3 = df - 1
        r_lo = np.clip(v[m] - hv[m], -0.999999, 0.999999)
        r_hi = np.clip(v[m] + hv[m], -0.999999, 0.999999)
        lo_min, lo_max = np.tanh(np.arctanh(r_lo) - zc * se), np.tanh(np.arctanh(r_hi) - zc * se)
        up_min, up_max = np.tanh(np.arctanh(r_lo) + zc * se), np.tanh(np.arctanh(r_hi) + zc * se)
        fit = ((a[m] >= lo_min - ha[m] - 1e-12) & (a[m] <= lo_max + ha[m] + 1e-12)
               & (b[m] >= up_min - hb[m] - 1e-12) & (b[m] <= up_max + hb[m] + 1e-12))
        ok[m] = fit
        for j, lo1, lo2, up1, up2 in zip(np.flatnonzero(m), lo_min, lo_max, up_min, up_max,
                                         strict=True):
            why[j] = f"Fisher z interval [{lo1:.3f} to {lo2:.3f}, {up1:.3f} to {up2:.3f}]"

    m = np.isin(kind, ("t", "z")) & ~bad_level & ((kind == "z") | (np.isfinite(df) & (df > 0)))
    if m.any():
        crit = np.where(kind[m] == "z", special.ndtri(tail[m]),
                        special.stdtrit(np.where(np.isfinite(df[m]), df[m], 1.0), tail[m]))
        mid, half = np.abs((a[m] + b[m]) / 2.0), (b[m] - a[m]) / 2.0
        hmid = (ha[m] + hb[m]) / 2.0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_min = crit * np.maximum(mid - hmid, 0.0) / (half + hmid)
            t_max = np.where(half - hmid > 0, crit * (mid + hmid) / (half - hmid), np.inf)
        s_lo, s_hi = np.maximum(np.abs(v[m]) - hv[m], 0.0), np.abs(v[m]) + hv[m]
        ok[m] = (t_max >= s_lo) & (t_min <= s_hi)
        for j, t1, t2 in zip(np.flatnonzero(m), t_min, t_max, strict=True):
            why[j] = (f"as M \u00b1 t_crit\u00b7SE the interval implies |t| in "
                      f"[{t1:.2f}, {t2:.2f}]")

    m = (kind == "d") & ~bad_level
    if m.any() and n is not None:
        from ..stats.effect_sizes import ncp_ci_many

        rt = np.sqrt(float(n))
        dfn = np.full(int(m.sum()), float(n) - 1.0)
        confs = lev[m]
        lo_ends, hi_ends = [], []
        for bound in (v[m] - hv[m], v[m] + hv[m]):
            los, his = np.full(len(bound), np.nan), np.full(len(bound), np.nan)
            for c in np.unique(confs):  # one vectorised solve per printed level
                sel = confs == c
                lo_c, hi_c = ncp_ci_many(bound[sel] * rt, dfn[sel], confidence=float(c))
                los[sel], his[sel] = lo_c / rt, hi_c / rt
            lo_ends.append(los)
            hi_ends.append(his)
        lo_min, lo_max = np.minimum(*lo_ends), np.maximum(*lo_ends)
        up_min, up_max = np.minimum(*hi_ends), np.maximum(*hi_ends)
        fit = ((a[m] >= lo_min - ha[m] - 1e-12) & (a[m] <= lo_max + ha[m] + 1e-12)
               & (b[m] >= up_min - hb[m] - 1e-12) & (b[m] <= up_max + hb[m] + 1e-12))
        ok[m] = fit
        for j, lo1, lo2, up1, up2 in zip(np.flatnonzero(m), lo_min, lo_max, up_min, up_max,
                                         strict=True):
            why[j] = (f"noncentral-t interval of d_z with n = {n}: "
                      f"[{lo1:.3f} to {lo2:.3f}, {up1:.3f} to {up2:.3f}]")
    for pos, i in enumerate(idx):
        if np.isnan(ok[pos]):
            check[i] = "not checked"
            note[i] = why[pos] or (
                "a d interval needs n (give --n)" if kind[pos] == "d"
                else f"intervals are checked for r, t, z and d, not {kind[pos]}")
        else:
            check[i] = "consistent" if ok[pos] else "inconsistent"
            note[i] = why[pos]
    return check, note
