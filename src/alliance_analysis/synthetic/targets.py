"""Targets as interval constraints on statistics, and their fast batched evaluation.

A printed result such as ``r = -.65, p = .002`` at an (inferred) pairwise n is turned into the
closed interval of r values that reproduce *both* printed numbers: the rounding interval of r
(half away from zero) intersected with the r values whose two-sided p rounds to the printed p.
The p → |r| map is inverted in closed form, |r| = t / √(df + t²) with t = t⁻¹(1 − p/2; df),
so no root finding is needed. Paired p values become intervals on t, descriptive values on M or
SD, proportions on counts.

Each :class:`Alternative` is one statistic with its interval; a :class:`Target` is satisfied when
any of its alternatives is (one alternative for ordinary claims; several for claims such as
"insight predicts depression at 3 or 6 months").

The evaluation functions work on a batch of candidate score matrices ``(B, n, V)`` at once with
plain numpy (Pearson r, mean, SD with n − 1, paired t, Cumming's d_av) — this is the inner loop of
the repair search, kept independent of :mod:`alliance_analysis.stats`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..rounding import parse_printed, rounding_interval

#: statistic kinds understood by :class:`CompiledAlternative`. For the regression kinds the
#: variables are ``(outcome, focal predictor, other predictors...)`` and the statistic is that of
#: the focal predictor in the OLS model of the outcome on all predictors (standardized).
KINDS = ("r", "paired_t", "d_av", "mean", "sd", "count_response", "count_remission", "count_ones",
         "beta", "r2", "delta_r2", "partial_t", "welch_t")
REGRESSION_KINDS = ("beta", "r2", "delta_r2", "partial_t")


def t_for_p(p: float, df: float) -> float:
    """|t| whose two-sided p at ``df`` equals ``p`` (inf for p = 0, 0 for p = 1)."""
    from scipy.special import stdtrit

    if p <= 0.0:
        return math.inf
    if p >= 1.0:
        return 0.0
    return float(stdtrit(df, 1.0 - p / 2.0))


def r_for_p(p: float, n: int) -> float:
    """|r| whose two-sided Pearson p at sample size ``n`` equals ``p``."""
    df = n - 2
    t = t_for_p(p, df)
    return 1.0 if math.isinf(t) else t / math.sqrt(df + t * t)


def p_interval(printed: str, comparator: str) -> tuple[float, float]:
    """Interval of true p values a printed p stands for (``"=" .03`` → [.025, .035])."""
    bound = parse_printed(printed)
    if comparator == "=":
        lo, hi = rounding_interval(printed)
        return max(lo, 0.0), min(hi, 1.0)
    if comparator in ("<", "<="):
        return 0.0, bound
    if comparator in (">", ">="):
        return bound, 1.0
    raise InputError(f"unknown p comparator {comparator!r}")


def abs_r_interval_from_p(printed: str, comparator: str, n: int) -> tuple[float, float]:
    """Interval of |r| consistent with a printed two-sided p at ``n``."""
    plo, phi = p_interval(printed, comparator)
    return r_for_p(phi, n), r_for_p(plo, n)


def abs_t_interval_from_p(printed: str, comparator: str, df: int) -> tuple[float, float]:
    """Interval of |t| consistent with a printed two-sided p at ``df``."""
    plo, phi = p_interval(printed, comparator)
    return t_for_p(phi, df), t_for_p(plo, df)


def r_interval(r_printed: str | None, p_printed: str | None, p_comparator: str | None, n: int,
               sign: int = 0) -> tuple[float, float]:
    """Closed interval of r reproducing a printed r (half away from zero) and/or a printed p at n.

    ``sign`` (−1/+1) restricts the direction when only a p is given; with a printed r the sign
    is the sign of r. Raises :class:`InputError` when no r satisfies everything (the printed pair
    is inconsistent at this n).
    """
    lo, hi = -1.0, 1.0
    if r_printed is not None:
        lo, hi = rounding_interval(r_printed)
        sign = int(np.sign(parse_printed(r_printed))) or sign
    if p_printed is not None:
        alo, ahi = abs_r_interval_from_p(p_printed, p_comparator or "=", n)
        if sign > 0:
            lo, hi = max(lo, alo), min(hi, ahi)
        elif sign < 0:
            lo, hi = max(lo, -ahi), min(hi, -alo)
        else:
            if alo > 0:
                raise InputError("a significant correlation needs a direction (sign)")
            lo, hi = max(lo, -ahi), min(hi, ahi)
    if lo > hi:
        raise InputError(f"no r reproduces r = {r_printed}, p {p_comparator} {p_printed} at n = {n}")
    return lo, hi


@dataclass(frozen=True)
class Alternative:
    """One statistic of the analysis variables and the closed interval it must fall in."""

    kind: str
    variables: tuple[str, ...]
    lo: float
    hi: float
    group: str | None = None
    n: int | None = None
    #: for paired statistics: +1 when the statistic is post − pre, −1 for pre − post
    sign: int = 1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"unknown target statistic {self.kind!r}", hint=f"Use one of {KINDS}")
        if not self.lo <= self.hi:
            raise InputError(f"empty target interval [{self.lo}, {self.hi}] for {self.kind}")


@dataclass(frozen=True)
class Target:
    """A printed result as an any-of set of interval constraints (see module docstring)."""

    id: str
    description: str
    printed: str
    alternatives: tuple[Alternative, ...]
    source: str = ""
    basis: str = ""
    claim: dict = field(default_factory=dict, compare=False)


# --------------------------------------------------------------------------------------------
# batched statistics: arrays of shape (B, m), statistic along the last axis


def batch_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    den = np.sqrt((xc * xc).sum(-1) * (yc * yc).sum(-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (xc * yc).sum(-1) / den


def batch_sd(x: np.ndarray) -> np.ndarray:
    return x.std(axis=-1, ddof=1)


def batch_paired_t(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    d = post - pre
    m = d.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return d.mean(-1) / (d.std(axis=-1, ddof=1) / math.sqrt(m))


def batch_d_av(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Cumming's d_av: mean(post − pre) / √((SD_pre² + SD_post²)/2)."""
    rms = np.sqrt((pre.var(axis=-1, ddof=1) + post.var(axis=-1, ddof=1)) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (post - pre).mean(-1) / rms


def batch_regression(cols: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Standardized OLS of ``cols[0]`` on ``cols[1:]`` for every candidate, from correlations.

    With R the (B, p, p) sample correlation matrix, R_xx its predictor block and r_xy the
    predictor-outcome column: β = R_xx⁻¹ r_xy, R² = r_xyᵀβ; for the focal predictor j = 0 the
    squared semipartial correlation (ΔR² when it enters last) is β_j² / [R_xx⁻¹]_jj and its t is
    β_j / √((1 − R²)/(m − k − 1) · [R_xx⁻¹]_jj) (Cohen, Cohen, West & Aiken 2003, eqs. 3.5.8
    and 3.6.1; the usual OLS t of the unstandardized slope is the same number).
    """
    z = np.stack(cols, axis=-1)  # (B, m, p)
    m = z.shape[-2]
    k = z.shape[-1] - 1
    z = z - z.mean(axis=-2, keepdims=True)
    sd = np.sqrt((z * z).sum(axis=-2, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = z / sd
        r = np.einsum("bmi,bmj->bij", z, z)
        bad = ~np.isfinite(r).all(axis=(-1, -2))
        r[bad] = np.eye(k + 1)
        rxx, rxy = r[:, 1:, 1:], r[:, 1:, 0]
        inv = np.linalg.inv(rxx + np.eye(k) * 1e-12)
        beta = np.einsum("bij,bj->bi", inv, rxy)
        r2 = (rxy * beta).sum(-1)
        jj = inv[:, 0, 0]
        delta = beta[:, 0] ** 2 / jj
        resid = np.maximum(1.0 - r2, 1e-300) / max(m - k - 1, 1)
        t = beta[:, 0] / np.sqrt(resid * jj)
    out = {"beta": beta[:, 0], "r2": r2, "delta_r2": delta, "partial_t": t}
    for key in out:
        out[key] = np.where(bad, np.nan, out[key])
    return out


def batch_welch_t(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Welch t of mean(y | g = 1) − mean(y | g = 0) for every candidate (g coded 0/1)."""
    one = g > 0.5
    n1 = one.sum(-1)
    n0 = (~one).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m1 = np.where(one, y, 0.0).sum(-1) / n1
        m0 = np.where(~one, y, 0.0).sum(-1) / n0
        v1 = np.where(one, (y - m1[..., None]) ** 2, 0.0).sum(-1) / (n1 - 1)
        v0 = np.where(~one, (y - m0[..., None]) ** 2, 0.0).sum(-1) / (n0 - 1)
        return (m1 - m0) / np.sqrt(v1 / n1 + v0 / n0)


def batch_counts(base: np.ndarray, follow: np.ndarray, remission: bool,
                 threshold: float = 0.5, max_score: float = 7.0) -> np.ndarray:
    """Participants with ≥ ``threshold`` reduction from baseline (and ≤ ``max_score``)."""
    hit = (base - follow) >= threshold * base - 1e-9
    if remission:
        hit &= follow <= max_score + 1e-9
    return hit.sum(-1).astype(float)


@dataclass
class CompiledAlternative:
    """An :class:`Alternative` bound to column indices and participant rows."""

    alt: Alternative
    cols: tuple[int, ...]
    rows: np.ndarray
    factors: tuple[float, ...]
    inset_lo: float
    inset_hi: float
    scale: float

    def values(self, scores: np.ndarray) -> np.ndarray:
        """Statistic for every candidate in the batch ``scores`` (B, n, V)."""
        cols = [scores[:, self.rows, c] * f for c, f in zip(self.cols, self.factors, strict=True)]
        kind = self.alt.kind
        if kind == "r":
            return batch_pearson(cols[0], cols[1])
        if kind == "mean":
            return cols[0].mean(-1)
        if kind == "sd":
            return batch_sd(cols[0])
        if kind == "paired_t":
            return self.alt.sign * batch_paired_t(cols[0], cols[1])
        if kind == "d_av":
            return self.alt.sign * batch_d_av(cols[0], cols[1])
        if kind in REGRESSION_KINDS:
            return batch_regression(cols)[kind]
        if kind == "welch_t":
            return batch_welch_t(cols[0], cols[1])
        if kind == "count_ones":
            return (cols[0] > 0.5).sum(-1).astype(float)
        return batch_counts(cols[0], cols[1], remission=kind == "count_remission")

    def distance(self, values: np.ndarray) -> np.ndarray:
        """Scaled distance of each value from the inset interval (0 inside, large if NaN)."""
        with np.errstate(invalid="ignore"):
            d = np.maximum(self.inset_lo - values, 0.0) + np.maximum(values - self.inset_hi, 0.0)
        return np.where(np.isfinite(values), d / self.scale, 1e6)


def compile_alternative(alt: Alternative, columns: list[str], present: np.ndarray,
                        groups: np.ndarray, factors: dict[str, float],
                        margin: float = 0.1) -> CompiledAlternative:
    """Bind an alternative to the score-matrix layout; rows = participants with every variable."""
    cols = tuple(columns.index(v) for v in alt.variables)
    keep = present[:, list(cols)].all(axis=1)
    if alt.group is not None:
        keep &= groups == alt.group
    rows = np.flatnonzero(keep)
    if alt.n is not None and rows.size != alt.n:
        raise InputError(f"{alt.kind} of {alt.variables}: the design gives n = {rows.size}, "
                         f"the target needs n = {alt.n}")
    width = alt.hi - alt.lo
    if alt.kind.startswith("count"):
        inset_lo, inset_hi, scale = alt.lo, alt.hi, 1.0
    elif not math.isfinite(width):  # one-sided: a small margin, 0.001 x max(1, |bound|)
        inset_lo = alt.lo + margin * 0.01 * max(abs(alt.lo), 1.0) if math.isfinite(alt.lo) else alt.lo
        inset_hi = alt.hi - margin * 0.01 * max(abs(alt.hi), 1.0) if math.isfinite(alt.hi) else alt.hi
        scale = 1.0
    else:
        finite = width > 0
        scale = min(width, 1.0) if finite else 1.0
        pad = margin * width if finite else 0.0
        inset_lo, inset_hi = alt.lo + pad, alt.hi - pad
    return CompiledAlternative(alt, cols, rows, tuple(factors.get(v, 1.0) for v in alt.variables),
                               inset_lo, inset_hi, scale)


def batch_loss(compiled: list[list[CompiledAlternative]], scores: np.ndarray) -> np.ndarray:
    """Sum over targets of the smallest scaled distance over the target's alternatives."""
    total = np.zeros(scores.shape[0])
    for alts in compiled:
        best = None
        for ca in alts:
            d = ca.distance(ca.values(scores))
            best = d if best is None else np.minimum(best, d)
        total += best
    return total


@dataclass
class Objective:
    """The search loss: derived peak columns (row maxima of session columns, NaN-ignoring, as
    the loader computes peaks) are appended to each candidate before :func:`batch_loss`."""

    compiled: list[list[CompiledAlternative]]
    derived_sources: tuple[tuple[int, ...], ...] = ()

    def extend(self, scores: np.ndarray) -> np.ndarray:
        if not self.derived_sources:
            return scores
        from ..instruments.peaks import peak

        peaks = [peak(scores[..., list(src)], axis=-1) for src in self.derived_sources]
        return np.concatenate([scores, np.stack(peaks, axis=-1)], axis=-1)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return batch_loss(self.compiled, self.extend(scores))
