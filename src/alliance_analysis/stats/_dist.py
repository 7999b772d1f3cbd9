"""Student t and normal distribution functions through the ``scipy.special`` ufuncs that
``scipy.stats`` itself calls, without importing ``scipy.stats`` (about 0.3-0.6 s on import).

Source of each formula: scipy's ``scipy/stats/_continuous_distns.py`` (t_gen and norm_gen):
``t.cdf(x, df) = stdtr(df, x)``, ``t.sf(x, df) = stdtr(df, -x)``, ``t.ppf(q, df) = stdtrit(df, q)``,
``t.isf(q, df) = −stdtrit(df, q)``, ``norm.cdf = ndtr``, ``norm.ppf = ndtri``; and the noncentral t
(nct_gen): ``nct.cdf(x, df, nc) = nctdtr(df, nc, x)``; the F distribution (f_gen):
``f.ppf(q, dfn, dfd) = fdtri(dfn, dfd, q)``. scipy.stats adds argument checks on top: here df ≤ 0
or NaN gives NaN (as scipy.stats does), and the results equal scipy.stats' to the last bit
(tests/test_stats_dist.py, rtol 1e-15).

The noncentral-t survival function uses the reflection T'(δ) = −T'(−δ) (Johnson, Kotz &
Balakrishnan 1995, ch. 31): P(T'(δ) ≥ t) = P(T'(−δ) ≤ −t) = ``nctdtr(df, −δ, −t)``. It is the
value ``scipy.stats.nct.sf`` gets from its own private ufunc (equal to the last bit on a random
grid of df, δ and t; tests/test_stats_dist.py), and unlike ``1 − nctdtr(df, δ, t)`` it keeps its
relative precision in the upper tail. Far in a tail ``nctdtr`` gives NaN where the value is 0 or
1 to double precision (and scipy's own sf is then within 1e-14 of 0 or 1, clipped); the NaN is
replaced by 0 when t lies above δ and by 1 below.

Also the average ranks of ``scipy.stats.rankdata(method="average")`` in plain numpy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["t_cdf", "t_sf", "t_ppf", "t_isf", "nct_cdf", "nct_sf", "f_ppf", "norm_cdf", "norm_ppf", "t_pvalue", "rank_average"]


def _valid_df(df: np.ndarray) -> np.ndarray:
    return df > 0  # False for NaN too


def t_cdf(x: object, df: object) -> np.ndarray:
    """P(T_df ≤ x) = ``scipy.special.stdtr(df, x)``; NaN for df ≤ 0."""
    from scipy.special import stdtr

    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(_valid_df(df), stdtr(np.where(_valid_df(df), df, 1.0), x), np.nan)


def t_sf(x: object, df: object) -> np.ndarray:
    """P(T_df > x) = ``scipy.special.stdtr(df, -x)``; NaN for df ≤ 0."""
    return t_cdf(-np.asarray(x, dtype=float), df)


def t_ppf(q: object, df: object) -> np.ndarray:
    """Quantile of Student t = ``scipy.special.stdtrit(df, q)``; −∞/+∞ at q = 0/1 and NaN for
    df ≤ 0 or q outside [0, 1] (as ``scipy.stats.t.ppf``)."""
    from scipy.special import stdtrit

    q, df = np.asarray(q, dtype=float), np.asarray(df, dtype=float)
    ok = _valid_df(df) & (q >= 0) & (q <= 1)
    with np.errstate(invalid="ignore"):
        inner = stdtrit(np.where(_valid_df(df), df, 1.0), np.clip(np.nan_to_num(q, nan=0.5), 0.0, 1.0))
    # the ends as scipy.stats: q = 0 gives −∞ and q = 1 gives +∞ (stdtrit gives +∞ at both)
    inner = np.where(q == 0, -np.inf, np.where(q == 1, np.inf, inner))
    return np.where(ok, inner, np.nan)


def t_isf(q: object, df: object) -> np.ndarray:
    """Upper quantile of Student t, ``−stdtrit(df, q)`` (``scipy.stats.t.isf``): P(T_df > x) = q."""
    return -t_ppf(q, df)


def _nct_args(x: object, df: object, nc: object) -> tuple[np.ndarray, ...]:
    x, df, nc = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, df, nc)))
    return x, df, nc, _valid_df(df) & ~np.isnan(x) & ~np.isnan(nc)


def nct_cdf(x: object, df: object, nc: object) -> np.ndarray:
    """P(T'_df(nc) ≤ x) = ``scipy.special.nctdtr(df, nc, x)``; where it gives NaN far in a tail,
    0 (x below nc) or 1 (x above nc); NaN for df ≤ 0 or NaN input. For a probability near 1
    use :func:`nct_sf` of the other side, which keeps the small complement exactly."""
    from scipy.special import nctdtr

    x, df, nc, ok = _nct_args(x, df, nc)
    with np.errstate(invalid="ignore"):
        raw = nctdtr(np.where(ok, df, 1.0), np.where(ok, nc, 0.0), np.where(ok, x, 0.0))
    raw = np.where(np.isnan(raw), np.where(x > nc, 1.0, 0.0), np.clip(raw, 0.0, 1.0))
    return np.where(ok, raw, np.nan)


def nct_sf(x: object, df: object, nc: object) -> np.ndarray:
    """P(T'_df(nc) ≥ x) = P(T'_df(−nc) ≤ −x) = ``nctdtr(df, −nc, −x)`` (``scipy.stats.nct.sf``);
    NaN far in a tail resolved to 0 (x above nc) or 1 (x below nc)."""
    return nct_cdf(-np.asarray(x, dtype=float), df, -np.asarray(nc, dtype=float))


def f_ppf(q: object, dfn: object, dfd: object) -> np.ndarray:
    """Quantile of the F distribution = ``scipy.special.fdtri(dfn, dfd, q)``; 0 at q = 0, +∞ at
    q = 1, NaN for a df ≤ 0 or q outside [0, 1] (as ``scipy.stats.f.ppf``)."""
    from scipy.special import fdtri

    q, dfn, dfd = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q, dfn, dfd)))
    ok = _valid_df(dfn) & _valid_df(dfd) & (q >= 0) & (q <= 1)
    with np.errstate(invalid="ignore"):
        inner = fdtri(np.where(ok, dfn, 1.0), np.where(ok, dfd, 1.0), np.where(ok, q, 0.5))
    inner = np.where(q == 0, 0.0, np.where(q == 1, np.inf, inner))
    return np.where(ok, inner, np.nan)


def norm_cdf(x: object) -> np.ndarray:
    """Standard normal cdf Φ(x) = ``scipy.special.ndtr``."""
    from scipy.special import ndtr

    return ndtr(np.asarray(x, dtype=float))


def norm_ppf(q: object) -> np.ndarray:
    """Standard normal quantile Φ⁻¹(q) = ``scipy.special.ndtri``."""
    from scipy.special import ndtri

    return ndtri(np.asarray(q, dtype=float))


def t_pvalue(t: object, df: object, alternative: str) -> np.ndarray:
    """p of a t statistic: two-sided min(1, 2·P(T > |t|)), ``greater`` P(T > t), ``less``
    P(T < t) (as ``scipy.stats.ttest_*``); NaN where t is NaN or df ≤ 0."""
    t = np.asarray(t, dtype=float)
    if alternative == "two-sided":
        p = np.minimum(1.0, 2.0 * t_sf(np.abs(t), df))
    elif alternative == "greater":
        p = t_sf(t, df)
    else:
        p = t_cdf(t, df)
    return np.where(np.isnan(t), np.nan, p)


def rank_average(x: object, axis: int = -1) -> np.ndarray:
    """Ranks 1..n along ``axis`` with ties given their average rank (``scipy.stats.rankdata``,
    ``method="average"``); a slice containing NaN is all NaN (scipy's ``nan_policy="propagate"``).

    The average rank of a tie block at sorted positions s..e (0-based) is (s + e)/2 + 1, exact in
    floating point, so the ranks equal scipy's bit for bit.
    """
    a = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    shape = a.shape
    n = shape[-1] if a.ndim else 1
    a2 = a.reshape(-1, n)
    if a2.size == 0:
        return np.moveaxis(np.empty(shape, dtype=float), -1, axis)
    order = np.argsort(a2, axis=1, kind="mergesort")
    s = np.take_along_axis(a2, order, axis=1)
    idx = np.broadcast_to(np.arange(n), s.shape)
    starts = np.ones(s.shape, dtype=bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones(s.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, idx, n - 1)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty(s.shape, dtype=float)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=1)
    ranks[np.isnan(a2).any(axis=1)] = np.nan
    return np.moveaxis(ranks.reshape(shape), -1, axis)
