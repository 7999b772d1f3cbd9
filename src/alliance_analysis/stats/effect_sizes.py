"""Vectorised effect-size conversions for paired designs.

* ``d_z = t / √n`` (one-sample/paired t with df = n − 1);
* ``d_rm = d_z · √(2(1 − r))`` (Lakens 2013, eq. 9);
* exact Hedges small-sample factor ``J(df) = Γ(df/2) / (√(df/2) · Γ((df − 1)/2))`` (Hedges 1981),
  NaN for df ≤ 1 (where the bias correction is not defined as a useful multiplier).

Scalars in → float out; arrays in → arrays out.
"""

from __future__ import annotations

import numpy as np


def _out(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def d_z_from_t(t: object, n: object) -> float | np.ndarray:
    """Cohen's d_z from a paired t and the number of pairs: ``t / √n``."""
    t_arr = np.asarray(t, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n_arr >= 1, t_arr / np.sqrt(np.where(n_arr >= 1, n_arr, np.nan)), np.nan)
    return _out(out)


def d_rm_from_dz(dz: object, r: object) -> float | np.ndarray:
    """Repeated-measures d from d_z and the pre–post correlation: ``d_z·√(2(1 − r))``."""
    dz_arr = np.asarray(dz, dtype=float)
    r_arr = np.asarray(r, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = (r_arr >= -1) & (r_arr <= 1)
        out = np.where(ok, dz_arr * np.sqrt(2.0 * (1.0 - np.where(ok, r_arr, 0.0))), np.nan)
    return _out(out)


def hedges_j(df: object) -> float | np.ndarray:
    """Exact Hedges correction factor J(df) (→ 1 as df → ∞; J(9) = 0.9145...)."""
    from scipy.special import gammaln

    df_arr = np.asarray(df, dtype=float)
    ok = df_arr > 1
    safe = np.where(ok, df_arr, 3.0)
    val = np.exp(gammaln(safe / 2.0) - 0.5 * np.log(safe / 2.0) - gammaln((safe - 1.0) / 2.0))
    return _out(np.where(ok, val, np.nan))


def ncp_ci(t: float, df: float, confidence: float = 0.95,
           alternative: str = "two-sided") -> tuple[float, float]:
    """Confidence interval of the noncentrality parameter of a t statistic (Steiger & Fouladi 1997).

    Two-sided: the ncp values whose noncentral t has ``t`` at its upper/lower ``(1 − level)/2``
    tail; one-sided intervals have one infinite end (as R ``effectsize`` does). Divide by √n for a
    CI of d_z (R ``effectsize::cohens_d(paired = TRUE)``).
    """
    import math

    from scipy.optimize import brentq
    from scipy.stats import nct

    if not (math.isfinite(t) and math.isfinite(df) and df > 0):
        return (float("nan"), float("nan"))
    if t < 0:  # exact symmetry: CI(−t) = −CI(t) with the one-sided alternatives swapped
        swapped = {"greater": "less", "less": "greater"}.get(alternative, alternative)
        lo, hi = ncp_ci(-t, df, confidence, swapped)
        return (-hi, -lo)
    alpha = 1.0 - confidence
    tail = alpha / 2.0 if alternative == "two-sided" else alpha

    def solve(target: float) -> float:
        # P(T <= t | ncp) decreases in ncp; bracket around t and widen until the sign changes.
        def f(ncp: float) -> float:
            cdf = float(nct.cdf(t, df, ncp))
            if math.isnan(cdf):  # scipy's nct can return NaN far in a tail
                cdf = 0.0 if ncp > t else 1.0
            return cdf - target

        width = 10.0 + abs(t)
        lo, hi = t - width, t + width
        for _ in range(60):
            if f(lo) > 0 and f(hi) < 0:
                break
            lo, hi = lo - width, hi + width
            width *= 2
        return float(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=500))

    lower = solve(1.0 - tail) if alternative in ("two-sided", "greater") else -math.inf
    upper = solve(tail) if alternative in ("two-sided", "less") else math.inf
    return (lower, upper)
