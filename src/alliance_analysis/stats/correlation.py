"""Pearson/Spearman correlation, partial correlation and a vectorised correlation matrix.

* t = r·√(df/(1 − r²)), df = n − 2 (n − k − 2 for k covariates); p from Student t (equals
  ``scipy.stats.pearsonr``/``spearmanr``). |r| = 1 gives t = ±∞, p = 0 (two-sided) or 0/1
  (one-sided) and CI [r, r]; |r| within 1e-15 of 1 is treated as ±1 (rounding noise of a
  perfect fit, where p is otherwise arbitrarily sensitive to the last bit of r).
* CI: Fisher (1921) z, tanh(atanh(r) ± z_crit/√(n − 3)) (n − k − 3 for partial r) with the
  normal quantile, at any ``confidence``; one-sided alternatives give one-sided bounds
  ([lower, 1] for "greater", [−1, upper] for "less") like R ``cor.test``. No CI when n − 3 ≤ 0.
  Spearman uses the same SE (as pingouin and R ``psych``).
* Spearman = Pearson on average ranks (ties averaged), as ``scipy.stats.spearmanr``.
* Optional percentile bootstrap CI of r (``n_boot``), all resamples drawn and evaluated at once.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..apa import apa_r
from ..errors import InputError
from ..results import Result, estimate_row
from ._dist import norm_ppf, rank_average
from ._dist import t_pvalue as _t_pvalue
from ._threads import blas_threads_for
from ._validate import (
    check_alternative,
    check_confidence,
    frame_complete,
    frame_matrix,
    is_constant,
    paired_complete,
    warn,
)
from .multiplicity import adjust_pvalues, canonical_method

METHODS = ("pearson", "spearman")
NaN = float("nan")


@dataclasses.dataclass(frozen=True)
class CorrelationResult(Result):
    n: int
    n_dropped: int
    df: float
    r: float
    t: float
    p: float
    ci: tuple[float, float]
    method: str
    alternative: str
    confidence: float
    boot_ci: tuple[float, float] | None = None
    covariates: tuple[str, ...] = ()

    def apa(self, digits: int = 2) -> str:
        """``r(18) = -.65, 95% CI [-.85, -.29], p = .002`` (``r_s`` for Spearman)."""
        name = "r_s" if self.method == "spearman" else "r"
        ci = self.ci if all(math.isfinite(v) for v in self.ci) else None
        return apa_r(self.r, self.df, self.p, ci, self.confidence, digits, name=name)

    def _rows(self) -> list[dict[str, Any]]:
        """Row ``r`` (t test, Fisher-z CI) and, with ``n_boot``, row ``r_boot`` (the same r with
        its percentile bootstrap CI)."""
        rows = [estimate_row("r", self.r, ci=self.ci, confidence=self.confidence,
                             statistic=self.t, df=self.df, p=self.p, method="Fisher z")]
        if self.boot_ci is not None:
            rows.append(estimate_row("r_boot", self.r, ci=self.boot_ci,
                                     confidence=self.confidence, method="percentile bootstrap"))
        return rows


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError("correlation method must be 'pearson' or 'spearman'", value=method)
    return method


_PERFECT_TOL = 1e-15  # |r| within this of 1 is ±1 (rounding noise of a perfect fit)


def snap_r(r: object) -> np.ndarray:
    """Clip r to [−1, 1] and snap |r| ≥ 1 − 1e-15 to ±1 (a perfect fit up to rounding)."""
    r = np.clip(np.asarray(r, dtype=float), -1.0, 1.0)
    with np.errstate(invalid="ignore"):
        return np.where(1.0 - np.abs(r) <= _PERFECT_TOL, np.sign(r), r)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    xc, yc = x - x.mean(), y - y.mean()
    den = math.sqrt(float(np.dot(xc, xc)) * float(np.dot(yc, yc)))
    if den == 0:
        return NaN
    return float(snap_r(np.dot(xc, yc) / den))


def _rank(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return rank_average(x, axis=axis)


def r_to_t(r: object, df: object) -> np.ndarray:
    """t = r√(df/(1 − r²)), ±∞ at |r| = 1 (vectorised; NaN stays NaN)."""
    r = np.asarray(r, dtype=float)
    df = np.asarray(df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(df / ((1.0 - r) * (1.0 + r)))
        return np.where(np.abs(r) == 1.0, np.sign(r) * np.inf, t)


def t_pvalue(t: object, df: object, alternative: str) -> np.ndarray:
    """p of t with df (Student t through ``scipy.special``, see :mod:`._dist`); NaN for df ≤ 0."""
    return _t_pvalue(t, df, alternative)


def fisher_ci(r: object, se_df: object, confidence: float,
              alternative: str) -> tuple[np.ndarray, np.ndarray]:
    """Fisher-z interval with SE = 1/√(se_df) (se_df = n − 3, or n − k − 3)."""
    r = np.asarray(r, dtype=float)
    se_df = np.asarray(se_df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.arctanh(r)
        se = np.where(se_df > 0, 1.0 / np.sqrt(np.where(se_df > 0, se_df, 1.0)), np.inf)
        if alternative == "two-sided":
            crit = float(norm_ppf(0.5 + confidence / 2.0))
            lo, hi = np.tanh(z - crit * se), np.tanh(z + crit * se)
        else:
            crit = float(norm_ppf(confidence))
            lo = np.tanh(z - crit * se) if alternative == "greater" else np.full(r.shape, -1.0)
            hi = np.tanh(z + crit * se) if alternative == "less" else np.full(r.shape, 1.0)
    # |r| = 1: the interval collapses to [r, r] (pingouin, R cor.test); otherwise no interval
    # when n − 3 (or n − k − 3) ≤ 0, where the Fisher SE is undefined (R cor.test needs n ≥ 4)
    perfect = np.abs(r) == 1.0
    lo, hi = np.where(perfect, r, lo), np.where(perfect, r, hi)
    bad = np.isnan(r) | (~(se_df > 0) & ~perfect)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def _rows_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of each row pair (a, b shaped (B, n))."""
    ac = a - a.mean(axis=1, keepdims=True)
    bc = b - b.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.einsum("ij,ij->i", ac, bc) / np.sqrt(
            np.einsum("ij,ij->i", ac, ac) * np.einsum("ij,ij->i", bc, bc))
    return np.clip(r, -1.0, 1.0)


def _finish(r: float, n: int, n_dropped: int, df: float, se_df: float, method: str,
            alternative: str, confidence: float, boot_ci=None,
            covariates: tuple[str, ...] = ()) -> CorrelationResult:
    t = float(r_to_t(r, df))
    p = float(t_pvalue(t, df, alternative))
    lo, hi = fisher_ci(r, se_df, confidence, alternative)
    return CorrelationResult(n=n, n_dropped=n_dropped, df=df, r=r, t=t, p=p,
                             ci=(float(lo), float(hi)), method=method, alternative=alternative,
                             confidence=confidence, boot_ci=boot_ci, covariates=covariates)


def correlate(x: object, y: object, method: str = "pearson", alternative: str = "two-sided",
              confidence: float = 0.95, n_boot: int | None = None,
              seed: int | None = None, *, data: pd.DataFrame | None = None) -> CorrelationResult:
    """Correlation of two paired variables (pairs with a missing value dropped).

    Arrays (``correlate(x, y)``) or column names of ``data`` (``correlate("wai", "bdi",
    data=df)``). A constant variable gives r = NaN with a :class:`ComputationWarning`; n < 3
    complete pairs raises :class:`InputError`. ``n_boot`` adds a percentile bootstrap CI
    (resampling pairs).
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    confidence = check_confidence(confidence)
    if data is not None:
        if not (isinstance(x, str) and isinstance(y, str)):
            raise InputError("with data=, pass x and y as column names")
        cols = frame_matrix(data, [x, y])
        x, y = cols[:, 0], cols[:, 1]
    a, b, n_dropped = paired_complete(x, y, ("x", "y"))
    n = int(a.size)
    if n < 3:
        raise InputError(f"a correlation test needs at least 3 complete pairs, got {n}")
    if is_constant(a) or is_constant(b):
        warn("a variable is constant: the correlation is undefined (NaN)")
        r = NaN
    else:
        if method == "spearman":
            a, b = _rank(a), _rank(b)
        r = _pearson(a, b)
    boot_ci = None
    if n_boot is not None:
        n_boot = int(n_boot)
        if n_boot < 1:
            raise InputError("n_boot must be a positive number of resamples", value=n_boot)
        if math.isnan(r):
            boot_ci = (NaN, NaN)
        else:
            rng = np.random.default_rng(seed)
            idx = rng.integers(0, n, size=(n_boot, n))
            ra, rb = a[idx], b[idx]
            if method == "spearman":
                # re-rank within each resample (ranking is monotone, so ranks of resampled ranks
                # equal ranks of the resampled raw data)
                ra, rb = _rank(ra, axis=1), _rank(rb, axis=1)
            draws = _rows_pearson(ra, rb)
            draws = draws[np.isfinite(draws)]
            alpha = 1.0 - confidence
            boot_ci = (float(np.quantile(draws, alpha / 2)), float(np.quantile(draws, 1 - alpha / 2)))
    return _finish(r, n, n_dropped, float(n - 2), float(n - 3), method, alternative, confidence,
                   boot_ci)


def partial_correlate(data: pd.DataFrame, x: str, y: str, covariates: Sequence[str],
                      method: str = "pearson", alternative: str = "two-sided",
                      confidence: float = 0.95) -> CorrelationResult:
    """Partial correlation of ``x`` and ``y`` controlling for ``covariates`` (listwise).

    Computed as the correlation of the OLS residuals of x and y on [1, covariates] (Spearman: of
    the ranks); df = n − k − 2, Fisher SE = 1/√(n − k − 3) (as R ``ppcor`` and pingouin).
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    confidence = check_confidence(confidence)
    if isinstance(covariates, str):
        covariates = [covariates]
    covs = list(covariates)
    data, n_dropped = frame_complete(data, [x, y, *covs])
    n, k = data.shape[0], len(covs)
    if n - k < 3:
        raise InputError(f"a partial correlation with {k} covariate(s) needs at least {k + 3} "
                         f"complete rows, got {n}")
    if method == "spearman":
        data = _rank(data, axis=0)
    if is_constant(data[:, 0]) or is_constant(data[:, 1]):
        warn("a variable is constant: the partial correlation is undefined (NaN)")
        r = NaN
    else:
        design = np.column_stack([np.ones(n), data[:, 2:]])
        if np.linalg.matrix_rank(design) < design.shape[1]:
            raise InputError("the covariates are collinear (or one is constant)",
                             column=", ".join(covs))
        coef, *_ = np.linalg.lstsq(design, data[:, :2], rcond=None)
        resid = data[:, :2] - design @ coef
        r = _pearson(resid[:, 0], resid[:, 1])
    return _finish(r, n, n_dropped, float(n - k - 2), float(n - k - 3), method, alternative,
                   confidence, None, tuple(covs))


@dataclasses.dataclass(frozen=True)
class CorrelationMatrixResult(Result):
    """All pairwise correlations: ``long`` (one row per pair i < j) and square ``r``/``n``/``p``.

    ``to_frame()``: the tidy shape (:mod:`alliance_analysis.results`), one row per pair labelled
    ``r[x, y]``, with the extra columns ``x``, ``y``, ``n`` and ``p_adj`` (the ``padjust``
    correction over the pairs; equal to ``p`` when none).
    """

    _extra_columns: ClassVar[tuple[str, ...]] = ("x", "y", "n", "p_adj")

    long: pd.DataFrame
    r: pd.DataFrame
    n: pd.DataFrame
    p: pd.DataFrame
    method: str
    nan_policy: str
    padjust: str
    confidence: float
    n_rows: int
    n_dropped: int

    def to_frame(self) -> pd.DataFrame:
        long = self.long
        method = "Fisher z"
        frame = pd.DataFrame({
            "term": [f"r[{a}, {b}]" for a, b in zip(long["x"], long["y"], strict=True)],
            "estimate": long["r"].to_numpy(float), "se": np.nan,
            "ci_low": long["ci_lower"].to_numpy(float), "ci_high": long["ci_upper"].to_numpy(float),
            "confidence": self.confidence, "statistic": long["t"].to_numpy(float),
            "df": long["df"].to_numpy(float), "p": long["p"].to_numpy(float), "method": method,
            "x": long["x"].to_numpy(object), "y": long["y"].to_numpy(object),
            "n": long["n"].to_numpy(int), "p_adj": long["p_adj"].to_numpy(float),
        })
        frame.index = pd.Index(frame["term"].tolist())
        return frame

    def to_dict(self) -> dict:
        return {"method": self.method, "nan_policy": self.nan_policy, "padjust": self.padjust,
                "confidence": self.confidence, "n_rows": self.n_rows, "n_dropped": self.n_dropped,
                "pairs": len(self.long)}

    def apa(self, digits: int = 2) -> str:
        lines = []
        for row in self.long.itertuples(index=False):
            ci = (row.ci_lower, row.ci_upper)
            ci = ci if all(math.isfinite(v) for v in ci) else None
            text = apa_r(row.r, row.df, row.p, ci, self.confidence, digits,
                         name="r_s" if self.method == "spearman" else "r")
            if self.padjust != "none":
                from ..apa import fmt_p

                text += f", p({self.padjust}) {fmt_p(row.p_adj)}"
            lines.append(f"{row.x}–{row.y}: {text}")
        return "\n".join(lines)


def _pairwise_ranks(data: np.ndarray, mask: np.ndarray, sources: np.ndarray,
                    targets: np.ndarray) -> np.ndarray:
    """A[:, s, t] = average rank of column ``sources[s]`` among the rows where both it and column
    ``targets[t]`` are present (NaN elsewhere); shape (n, len(sources), len(targets)).

    One pass per source column (no loop over pairs): sort the column, then cumulative counts of
    the presence of the target columns give, for each tie group, how many jointly present rows
    lie below it and how many share its value.
    """
    n = data.shape[0]
    present = mask[:, targets].astype(np.int64)
    out = np.full((n, sources.size, targets.size), np.nan)
    for s, i in enumerate(sources):
        rows = np.flatnonzero(mask[:, i])
        if rows.size == 0:
            continue
        order = rows[np.argsort(data[rows, i], kind="mergesort")]
        vals = data[order, i]
        pres = present[order]  # (m, T): row also present in target t
        cum = np.vstack([np.zeros((1, targets.size), dtype=np.int64), np.cumsum(pres, axis=0)])
        new_group = np.r_[True, vals[1:] != vals[:-1]]
        starts = np.flatnonzero(new_group)
        ends = np.r_[starts[1:], vals.size]
        group = np.cumsum(new_group) - 1
        below = cum[starts]  # (g, T)
        equal = cum[ends] - cum[starts]
        ranks = below[group] + (equal[group] + 1) / 2.0  # (m, T)
        out[order, s, :] = np.where(pres.astype(bool), ranks, np.nan)
    return out


#: elements of one block of pairwise ranks (two blocks are alive at once): about 64 MB each
_RANK_BLOCK_ELEMENTS = 8_000_000


def _pairwise_rank_sums(data: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sa``, ``saa``, ``sab`` (k × k) of pairwise ranks: for each pair (i, j), the sums over
    their jointly present rows of rank_i, rank_i² and rank_i·rank_j, each rank taken within the
    pair's rows. Computed in blocks of source columns, so memory is O(k² + n·k·B) with the block
    size B chosen to keep a block near :data:`_RANK_BLOCK_ELEMENTS` elements (never (n, k, k))."""
    n, k = data.shape
    sa = np.zeros((k, k))
    saa = np.zeros((k, k))
    sab = np.zeros((k, k))
    every = np.arange(k)
    block = max(1, min(k, _RANK_BLOCK_ELEMENTS // max(1, n * k)))
    for start in range(0, k, block):
        cols = every[start:start + block]
        own = np.nan_to_num(_pairwise_ranks(data, mask, cols, every))      # (n, B, k): rank of i in (i, j)
        other = np.nan_to_num(_pairwise_ranks(data, mask, every, cols))    # (n, k, B): rank of j in (i, j)
        sa[cols] = own.sum(axis=0)
        saa[cols] = np.einsum("rbj,rbj->bj", own, own)
        sab[cols] = np.einsum("rbj,rjb->bj", own, other)
    return sa, saa, sab


def _matrix_r(data: np.ndarray, mask: np.ndarray, m: np.ndarray, method: str,
              nan_policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Square r and pairwise counts from masked sums (see :func:`correlation_matrix`)."""
    nn = m.T @ m  # pairwise complete counts
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "spearman" and (nan_policy == "listwise" or mask.all()):
            data = _rank(data, axis=0) if data.shape[0] else data
            method_pairwise_ranks = False
        else:
            method_pairwise_ranks = method == "spearman"
        if method_pairwise_ranks:
            sa, saa, sab = _pairwise_rank_sums(data, mask)
            sb = sa.T
            sbb = saa.T
        else:
            # centre/scale every column once (r is invariant) to keep the one-pass sums accurate
            count = mask.sum(axis=0)
            safe = np.maximum(count, 1)
            mean = np.where(mask, data, 0.0).sum(axis=0) / safe
            sd = np.sqrt((np.where(mask, data - mean, 0.0) ** 2).sum(axis=0) / safe)
            sd = np.where(sd > 0, sd, 1.0)
            z = np.where(mask, (data - mean) / sd, 0.0)
            sa = z.T @ m  # sum of x_i over rows where j present
            sb = sa.T
            sab = z.T @ z
            saa = (z * z).T @ m
            sbb = saa.T
        cov = sab - sa * sb / nn
        va = saa - sa * sa / nn
        vb = sbb - sb * sb / nn
        r = cov / np.sqrt(va * vb)
        # a variance that is zero up to rounding means a constant variable within the pair
        tiny = 1e-13 * np.maximum(np.abs(saa), 1.0)
        bad = (nn < 3) | (va <= tiny) | (vb <= tiny.T)
        r = np.where(bad, np.nan, snap_r(r))
    return r, nn


def correlation_matrix(data: pd.DataFrame, columns: Sequence[str] | None = None,
                       method: str = "pearson", nan_policy: str = "pairwise",
                       padjust: str | None = None, confidence: float = 0.95,
                       alternative: str = "two-sided") -> CorrelationMatrixResult:
    """Every pairwise correlation of ``columns`` (default: all numeric columns), vectorised.

    Pearson sums come from masked matrix products (no loop over pairs); with pairwise missing
    data each pair uses its own complete rows (Spearman ranks are computed within those rows, as
    a pairwise call to :func:`correlate` would). Pairs with fewer than 3 rows or a constant
    variable get NaN (one :class:`ComputationWarning`). ``padjust`` corrects over exactly the
    k(k − 1)/2 pairs, so a correction needs ``columns`` named: the family is a choice, and
    "every numeric column" (IDs, visit numbers, every item) is almost never the intended one.
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    confidence = check_confidence(confidence)
    padjust = canonical_method(padjust)
    if nan_policy not in ("pairwise", "listwise"):
        raise InputError("nan_policy must be 'pairwise' or 'listwise'", value=nan_policy)
    frame = data
    if not isinstance(frame, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", value=type(frame).__name__)
    if columns is None and padjust != "none":
        n_num = sum(pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d)
                    for d in frame.dtypes)
        raise InputError(f"padjust='{padjust}' needs the family named: pass columns=[...]",
                         hint=f"Without columns every numeric column ({n_num}, so "
                              f"{n_num * (n_num - 1) // 2} pairs) would be one family")
    if columns is None:
        columns = [c for c, d in frame.dtypes.items()
                   if pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d)]
    columns = list(columns)
    if len(columns) < 2:
        raise InputError("a correlation matrix needs at least two numeric columns")
    data = frame_matrix(frame, columns)
    n_rows = data.shape[0]
    n_dropped = 0
    if nan_policy == "listwise":
        keep = ~np.isnan(data).any(axis=1)
        n_dropped = int(n_rows - keep.sum())
        data = data[keep]
    k = data.shape[1]
    mask = ~np.isnan(data)
    m = mask.astype(float)
    with blas_threads_for(float(data.shape[0]) * k * k):
        r, nn = _matrix_r(data, mask, m, method, nan_policy)
    iu = np.triu_indices(k, 1)
    r_pairs = r[iu]
    if np.isnan(r_pairs).any():
        warn("some pairs have fewer than 3 complete rows or a constant variable: r is NaN there")
    # tests and intervals only for the k(k − 1)/2 pairs (the square forms are mirrored)
    n_pairs = nn[iu]
    df_pairs = n_pairs - 2.0
    t_pairs = r_to_t(r_pairs, df_pairs)
    p_pairs = t_pvalue(t_pairs, df_pairs, alternative)
    lo, hi = fisher_ci(r_pairs, n_pairs - 3.0, confidence, alternative)
    p_adj = adjust_pvalues(p_pairs, padjust)
    np.fill_diagonal(r, np.where(np.diag(nn) >= 3, 1.0, np.nan))
    p = np.full((k, k), np.nan)
    p[iu] = p_pairs
    p.T[iu] = p_pairs
    ri, rj = iu
    names = np.asarray(columns, dtype=object)
    long = pd.DataFrame({
        "x": names[ri], "y": names[rj], "n": n_pairs.astype(int), "r": r_pairs, "df": df_pairs,
        "t": t_pairs, "p": p_pairs, "p_adj": p_adj, "ci_lower": lo, "ci_upper": hi,
    })
    long.attrs["padjust"] = padjust  # the table says which correction p_adj is, or none
    idx = pd.Index(columns)
    return CorrelationMatrixResult(
        long=long, r=pd.DataFrame(r, index=idx, columns=idx),
        n=pd.DataFrame(nn.astype(int), index=idx, columns=idx),
        p=pd.DataFrame(p, index=idx, columns=idx), method=method, nan_policy=nan_policy,
        padjust=padjust, confidence=confidence, n_rows=n_rows, n_dropped=n_dropped,
    )
