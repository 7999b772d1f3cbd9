"""Vectorised effect-size conversions for paired (pre/post) designs.

All take scalars or arrays (broadcast together); scalars in → float out, arrays in → arrays out.
NaN where a formula is undefined (n < 1, |r| > 1, df ≤ 1). The audit module reuses these to
recompute a printed d from a printed t.

From a paired t with n pairs (df = n − 1) and the pre–post correlation r:

* ``d_z  = t / √n``  (Cohen 1988; Lakens 2013; the d of paired power analysis);
* ``d_rm = d_z · √(2(1 − r))``  (Lakens 2013 eq. 9; Cohen 1988 p. 48) — exact, no assumption
  about the SDs;
* ``d_av = d_z · √(2(1 − r))`` **assuming equal SDs** (SD_pre = SD_post = s): then
  SD_diff² = 2s²(1 − r), and both the Cumming (rms) and the Lakens (mean) d_av denominators equal
  s, so d_av = M_diff/s = d_z·√(2(1 − r)) = d_rm; Becker's d_b reduces to the same value. With
  unequal SDs d_av cannot be recovered from (t, n, r) alone — it needs both SDs
  (:func:`d_av_from_summary`).

Exact Hedges small-sample factor ``J(df) = Γ(df/2) / (√(df/2) · Γ((df − 1)/2))`` (Hedges 1981;
Hedges & Olkin 1985), NaN for df ≤ 1. R effectsize uses this J with df = n − 1 for paired
designs; pingouin (and researchpy) use the between-subjects approximation
1 − 3/(4(n₁ + n₂) − 9) with n₁ = n₂ = n (:func:`pingouin_paired_hedges_factor`).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


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


def d_rm_from_t(t: object, n: object, r: object) -> float | np.ndarray:
    """Repeated-measures d from a paired t, n pairs and r: ``(t/√n)·√(2(1 − r))`` (Lakens 2013 eq. 9)."""
    return d_rm_from_dz(d_z_from_t(t, n), r)


def d_av_from_t(t: object, n: object, r: object) -> float | np.ndarray:
    """d_av from a paired t, n pairs and r, **assuming equal pre and post SDs**.

    Under that assumption d_av (Cumming's rms or Lakens's mean-of-SDs denominator) = d_rm =
    d_z·√(2(1 − r)). Use :func:`d_av_from_summary` when both SDs are known.
    """
    return d_rm_from_dz(d_z_from_t(t, n), r)


def d_b_from_t(t: object, n: object, r: object) -> float | np.ndarray:
    """Becker's d_b from a paired t, n pairs and r, **assuming equal pre and post SDs**.

    d_b = M_diff/SD_pre (Becker 1988); with SD_pre = SD_post it equals d_z·√(2(1 − r)).
    """
    return d_rm_from_dz(d_z_from_t(t, n), r)


def d_av_from_summary(mean_diff: object, sd_pre: object, sd_post: object,
                      kind: str = "cumming") -> float | np.ndarray:
    """d_av from the mean difference and the two SDs.

    ``kind="cumming"``: M_diff/√((SD_pre² + SD_post²)/2) (Cumming 2012; effectsize ``rm_d(method="av")``;
    pingouin's paired ``cohen_d`` is its absolute value). ``kind="lakens"``: M_diff/((SD_pre + SD_post)/2)
    (Lakens 2013 eq. 10).
    """
    m = np.asarray(mean_diff, dtype=float)
    s1 = np.asarray(sd_pre, dtype=float)
    s2 = np.asarray(sd_post, dtype=float)
    if kind == "cumming":
        den = np.sqrt((s1**2 + s2**2) / 2.0)
    elif kind == "lakens":
        den = (s1 + s2) / 2.0
    else:
        raise InputError("kind must be 'cumming' or 'lakens'", value=kind)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(den > 0, m / np.where(den > 0, den, 1.0), np.nan))


def sd_diff_from_sds(sd_pre: object, sd_post: object, r: object) -> float | np.ndarray:
    """SD of the differences: √(SD_pre² + SD_post² − 2·r·SD_pre·SD_post)."""
    s1 = np.asarray(sd_pre, dtype=float)
    s2 = np.asarray(sd_post, dtype=float)
    rr = np.asarray(r, dtype=float)
    with np.errstate(invalid="ignore"):
        return _out(np.sqrt(np.maximum(s1**2 + s2**2 - 2.0 * rr * s1 * s2, 0.0)))


def pingouin_paired_hedges_factor(n: object) -> float | np.ndarray:
    """pingouin/researchpy's paired Hedges factor 1 − 3/(4·2n − 9) (n pairs), for comparison only.

    This is the between-subjects approximation with n₁ = n₂ = n; the package itself uses the exact
    :func:`hedges_j` with df = n − 1 (as R effectsize). On the Lakens (2013) movie data (n = 10)
    the two give g_av = 1.081 and 1.029.
    """
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(n_arr >= 2, 1.0 - 3.0 / (8.0 * n_arr - 9.0), np.nan))


def hedges_j(df: object) -> float | np.ndarray:
    """Exact Hedges correction factor J(df) = Γ(df/2)/(√(df/2)·Γ((df − 1)/2)) (Hedges 1981).

    → 1 as df → ∞; J(9) = 0.91446...; ≈ 1 − 3/(4·df − 1) for large df. NaN for df ≤ 1.
    """
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
    CI of d_z (R ``effectsize::cohens_d(paired = TRUE)``). One value of :func:`ncp_ci_many`.
    """
    lo, hi = ncp_ci_many(np.array([t], dtype=float), np.array([df], dtype=float), confidence,
                         alternative)
    return (float(lo[0]), float(hi[0]))


def _ncp_root(t: np.ndarray, df: np.ndarray, target: float) -> np.ndarray:
    """The ncp with P(T_df(ncp) <= t) = ``target``, for every element at once (t >= 0).

    The cdf decreases in ncp. A narrow bracket around the normal approximation of the root is
    widened where needed, then the Illinois
    variant of regula falsi (superlinear, always bracketed) runs on all elements together until
    every bracket is below 2e-15 relative; elements whose cdf is NaN far in a tail count as 0 or 1.
    """
    from ._dist import nct_cdf  # scipy's nctdtr ufunc, NaN far in a tail read as 0 or 1

    def f(ncp: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return nct_cdf(t[idx], df[idx], ncp) - target

    from scipy.special import ndtri

    every = np.arange(t.size)
    # start from the normal approximation of the noncentral t (Johnson & Welch 1940):
    # P(T <= t | ncp) ~ Phi((t(1 - 1/(4 df)) - ncp)/sqrt(1 + t^2/(2 df))); a narrow bracket
    # around it (widened where it does not bracket) needs a few regula falsi steps, not ~20
    spread = np.sqrt(1.0 + t * t / (2.0 * df))
    guess = t * (1.0 - 1.0 / (4.0 * df)) - ndtri(target) * spread
    guess = np.where(np.isfinite(guess), guess, t)
    width = 0.05 * spread + 0.02
    a, b = guess - width, guess + width
    fa, fb = f(a, every), f(b, every)
    for _ in range(80):  # widen until f(a) > 0 > f(b) everywhere
        need = ~((fa > 0) & (fb < 0))
        if not need.any():
            break
        # move only the end on the wrong side, doubling the step each time
        low_bad = need & ~(fa > 0)
        high_bad = need & ~(fb < 0)
        width = np.where(need, 2 * width, width)
        a = np.where(low_bad, a - width, a)
        b = np.where(high_bad, b + width, b)
        idx = np.flatnonzero(need)
        fa[idx], fb[idx] = f(a[idx], idx), f(b[idx], idx)
    side = np.zeros(t.size, dtype=int)  # which end was kept last time (Illinois halving)
    c = (a + b) / 2
    active = every
    for _ in range(200):
        aa, bb, faa, fbb = a[active], b[active], fa[active], fb[active]
        cc = bb - fbb * (bb - aa) / (fbb - faa)
        bad = ~np.isfinite(cc) | (cc <= np.minimum(aa, bb)) | (cc >= np.maximum(aa, bb))
        cc = np.where(bad, (aa + bb) / 2, cc)
        fc = f(cc, active)
        c[active] = cc
        same = np.sign(fc) == np.sign(fbb)
        # the end with the same sign as f(c) moves to c; the other end's f is halved when the
        # same end moved twice in a row (Illinois), which keeps convergence superlinear
        new_a = np.where(same, aa, cc)
        new_b = np.where(same, cc, bb)
        new_fa = np.where(same, faa, fc)
        new_fb = np.where(same, fc, fbb)
        moved = np.where(same, 1, -1)
        halve_a = same & (side[active] == 1)
        halve_b = ~same & (side[active] == -1)
        new_fa = np.where(halve_a, new_fa / 2, new_fa)
        new_fb = np.where(halve_b, new_fb / 2, new_fb)
        a[active], b[active], fa[active], fb[active] = new_a, new_b, new_fa, new_fb
        side[active] = moved
        # converged: the bracket is at rounding level, or f(c) is at the cdf's own resolution
        done = (np.abs(new_b - new_a) <= 2e-15 * (1.0 + np.abs(cc))) | (np.abs(fc) <= 5e-16)
        active = active[~done]
        if active.size == 0:
            break
    return c


def ncp_ci_many(t: np.ndarray, df: np.ndarray, confidence: float = 0.95,
                alternative: str = "two-sided") -> tuple[np.ndarray, np.ndarray]:
    """:func:`ncp_ci` for arrays of t and df at once (vectorised root finding, no loop per value).

    NaN or infinite t, or df <= 0, give NaN ends. Negative t uses the exact symmetry
    CI(−t) = −CI(t) with the one-sided alternatives swapped.
    """
    t = np.asarray(t, dtype=float).reshape(-1)
    df = np.broadcast_to(np.asarray(df, dtype=float), t.shape).reshape(-1)
    alpha = 1.0 - confidence
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    lower = np.full(t.shape, np.nan)
    upper = np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.isfinite(df) & (df > 0)
    neg = t < 0
    at = np.abs(t)
    # for t >= 0: lower needs "greater"/"two-sided", upper needs "less"/"two-sided"; with t < 0
    # the roles of the two ends swap (CI(-t) = -CI(t), alternatives swapped)
    want_low = alternative in ("two-sided", "greater")
    want_high = alternative in ("two-sided", "less")
    idx = np.flatnonzero(ok)
    if idx.size:
        pos_low = np.full(t.shape, np.nan)
        pos_high = np.full(t.shape, np.nan)
        # ends computed on |t|: "lo" end of |t| and "hi" end of |t|
        need_lo = np.where(neg, want_high, want_low)[idx]
        need_hi = np.where(neg, want_low, want_high)[idx]
        if need_lo.any():
            j = idx[need_lo]
            pos_low[j] = _ncp_root(at[j], df[j], 1.0 - tail)
        if need_hi.any():
            j = idx[need_hi]
            pos_high[j] = _ncp_root(at[j], df[j], tail)
        pos_low = np.where(np.isnan(pos_low) & ok, -np.inf, pos_low)
        pos_high = np.where(np.isnan(pos_high) & ok, np.inf, pos_high)
        lower = np.where(ok, np.where(neg, -pos_high, pos_low), np.nan)
        upper = np.where(ok, np.where(neg, -pos_low, pos_high), np.nan)
    return lower, upper
