"""Fixed- and random-effects models, fitted for many study sets at once.

Model: ``y_i = x_i'β + u_i + e_i`` with ``e_i ~ N(0, v_i)`` (known sampling variances) and
``u_i ~ N(0, τ²)`` (random effects; ``τ² = 0`` for the fixed-effect model). With weights
``w_i = 1 / (v_i + τ²)``, ``W = diag(w)``, ``A = X'WX``:

* ``β̂ = A⁻¹ X'W y``, ``Var(β̂) = A⁻¹`` (inverse-variance weighting; Hedges & Olkin 1985);
* ``P = W - W X A⁻¹ X' W``, the generalised ``Q(τ²) = y'P y = Σ w_i e_i²`` with ``e = y - Xβ̂``;
  Cochran's ``Q = Q(0)`` on ``k - p`` df;
* τ² estimators: DerSimonian & Laird (1986) ``τ² = max(0, (Q - (k - p)) / tr P(0))``;
  Paule & Mandel (1982) the root of ``Q(τ²) = k - p``; ML and REML (Viechtbauer 2005) by Fisher
  scoring, ``τ² ← τ² + (y'PPy - tr W) / tr W²`` (ML) and ``τ² ← τ² + (y'PPy - tr P) / tr PP``
  (REML), kept at ``τ² ≥ 0``;
* Knapp & Hartung (2003): ``SE² = A⁻¹ Q(τ̂²) / (k - p)`` with t on ``k - p`` df (not truncated,
  as metafor's ``test = "knha"``);
* τ² CI by the Q-profile method (Viechtbauer 2007): the τ² where ``Q(τ²)`` equals the
  ``1 - α/2`` and ``α/2`` quantiles of χ²(k - p) (0 when ``Q(0)`` is already below);
* ``I² = τ² / (τ² + s²)`` and ``H² = (τ² + s²) / s²`` with the typical within-study variance
  ``s² = (k - p) / tr P(0)`` (Higgins & Thompson 2002); for the fixed-effect model
  ``I² = max(0, (Q - (k - p)) / Q)``, ``H² = Q / (k - p)``;
* prediction interval ``μ̂ ± crit · sqrt(SE² + τ²)`` (Riley et al. 2011), crit from z or, with
  Knapp-Hartung, t(k - p).

Every estimator runs on a batch of fits at once (arrays of shape ``(B, k)`` where a 0/1 mask
leaves studies out), so leave-one-out is the k fits of one call, iterated together, and a
benchmark of 10,000 studies runs at numpy speed. Memory stays linear: batches are processed in
chunks of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("REML", "ML", "DL", "PM", "FE")
#: elements per (B, k) array in one chunk of a batch (about 32 MB of float64)
CHUNK_ELEMENTS = 1 << 22
_MAX_ITER = 1000
_TOL = 1e-13


@dataclass(frozen=True)
class Batch:
    """Fits of one batch: arrays with a leading batch dimension B (``beta`` is ``(B, p)``)."""

    beta: np.ndarray
    vb: np.ndarray  # (B, p, p) model-based Var(β̂) = A⁻¹
    tau2: np.ndarray
    q: np.ndarray  # Cochran's Q with w = 1/v
    q_tau: np.ndarray  # generalised Q at τ̂²
    trp0: np.ndarray  # tr P(0)
    k: np.ndarray  # studies in each fit
    converged: np.ndarray


def _wls(y: np.ndarray, X: np.ndarray, w: np.ndarray):
    """``β̂``, ``A⁻¹``, residuals ``e`` and ``WX`` for weights ``w`` of shape (B, k)."""
    if X is None:  # intercept only: plain sums
        sw = w.sum(1)
        mu = (w @ y) / sw
        return mu[:, None], (1.0 / sw)[:, None, None], y[None, :] - mu[:, None], None
    wx = w[:, :, None] * X[None, :, :]  # (B, k, p)
    a = np.einsum("bkp,kq->bpq", wx, X)
    ainv = np.linalg.inv(a)
    beta = np.einsum("bpq,bq->bp", ainv, np.einsum("bkp,k->bp", wx, y))
    e = y[None, :] - beta @ X.T
    return beta, ainv, e, wx


def _traces(X, w, ainv, wx):
    """``tr P`` and ``tr PP`` (see the module docstring) for weights ``w`` (B, k)."""
    if wx is None:  # intercept only
        s1, w2 = w.sum(1), w * w
        s2, s3 = w2.sum(1), (w2 * w).sum(1)
        return s1 - s2 / s1, s2 - 2 * s3 / s1 + (s2 / s1) ** 2
    b2 = np.einsum("bkp,bk,kq->bpq", wx, w, X)  # X'W²X
    b3 = np.einsum("bkp,bk,kq->bpq", wx, w * w, X)  # X'W³X
    c2 = ainv @ b2
    trp = w.sum(1) - np.trace(c2, axis1=1, axis2=2)
    trpp = ((w * w).sum(1) - 2 * np.trace(ainv @ b3, axis1=1, axis2=2)
            + np.einsum("bij,bji->b", c2, c2))
    return trp, trpp


def _q_of(y, v, X, m, tau2):
    """Generalised ``Q(τ²)`` and its derivative ``-y'PPy`` for each fit."""
    w = m / (v[None, :] + tau2[:, None])
    _, _, e, _ = _wls(y, X, w)
    we = w * e
    return (we * e).sum(1), -(we * we).sum(1)


def q_root(y, v, X, m, target) -> np.ndarray:
    """τ² ≥ 0 with ``Q(τ²) = target`` for each fit (0 where ``Q(0) ≤ target``).

    ``Q`` decreases in τ²: the root is bracketed, then found by Newton steps that fall back to
    bisection whenever a step leaves the bracket (all fits together).
    """
    target = np.asarray(target, dtype=float)
    b = m.shape[0]
    q0, _ = _q_of(y, v, X, m, np.zeros(b))
    out = np.zeros(b)
    todo = np.flatnonzero(q0 > target)
    if todo.size == 0:
        return out
    mm, tt = m[todo], target[todo]
    lo = np.zeros(todo.size)
    hi = np.full(todo.size, max(1.0, float(np.var(y)) * 10))
    for _ in range(200):  # grow the upper end until Q(hi) < target
        qh, _ = _q_of(y, v, X, mm, hi)
        bad = qh >= tt
        if not bad.any():
            break
        hi = np.where(bad, hi * 10, hi)
    x = lo.copy()
    active = np.ones(todo.size, dtype=bool)
    for _ in range(_MAX_ITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        qx, dq = _q_of(y, v, X, mm[idx], x[idx])
        f = qx - tt[idx]
        lo[idx] = np.where(f > 0, x[idx], lo[idx])
        hi[idx] = np.where(f <= 0, x[idx], hi[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            new = x[idx] - f / dq
        bis = ~((new > lo[idx]) & (new < hi[idx])) | ~np.isfinite(new)
        new = np.where(bis, 0.5 * (lo[idx] + hi[idx]), new)
        done = (np.abs(new - x[idx]) <= _TOL * (1 + np.abs(new))) | (f == 0)
        x[idx] = new
        active[idx[done]] = False
    out[todo] = x
    return out


def _design(X) -> np.ndarray | None:
    """``None`` for the intercept-only model (the fast path), else the (k, p) float design."""
    if X is None:
        return None
    X = np.asarray(X, dtype=float)
    return None if X.shape[1] == 1 and np.all(X == 1.0) else X


def _fit_chunk(y, v, X, m, method: str) -> Batch:
    b = m.shape[0]
    p = 1 if X is None else X.shape[1]
    k = m.sum(1)
    w0 = m / v[None, :]
    beta0, ainv0, e0, wx0 = _wls(y, X, w0)
    q = (w0 * e0 * e0).sum(1)
    trp0, _ = _traces(X, w0, ainv0, wx0)
    converged = np.ones(b, dtype=bool)
    if method == "FE":
        tau2 = np.zeros(b)
    elif method == "DL":
        tau2 = np.maximum(0.0, (q - (k - p)) / trp0)
    elif method == "PM":
        tau2 = q_root(y, v, X, m, k - p)
    elif method in ("REML", "ML"):
        tau2 = np.maximum(0.0, (q - (k - p)) / trp0)  # DL start
        active = np.ones(b, dtype=bool)
        for _ in range(_MAX_ITER):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            w = m[idx] / (v[None, :] + tau2[idx, None])
            _, ainv, e, wx = _wls(y, X, w)
            we = w * e
            yppy = (we * we).sum(1)
            if method == "REML":
                trp, trpp = _traces(X, w, ainv, wx)
                adj = (yppy - trp) / trpp
            else:
                adj = (yppy - w.sum(1)) / (w * w).sum(1)
            new = np.maximum(0.0, tau2[idx] + adj)
            done = np.abs(new - tau2[idx]) <= _TOL * (1 + new)
            tau2[idx] = new
            active[idx[done]] = False
        converged = ~active
    else:  # pragma: no cover - checked by the caller
        raise ValueError(method)
    if method == "FE":
        beta, vb, q_tau = beta0, ainv0, q
    else:
        w = m / (v[None, :] + tau2[:, None])
        beta, vb, e, _ = _wls(y, X, w)
        q_tau = (w * e * e).sum(1)
    return Batch(beta, vb, tau2, q, q_tau, trp0, k, converged)


def fit_batch(y: np.ndarray, v: np.ndarray, m: np.ndarray, method: str = "REML",
              X: np.ndarray | None = None) -> Batch:
    """Fit ``m.shape[0]`` models on the studies ``(y, v)``; row b uses the studies where
    ``m[b] == 1``. ``X`` is the (k, p) design (default: intercept only)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    X = _design(X)
    m = np.asarray(m, dtype=float)
    rows = max(1, CHUNK_ELEMENTS // max(1, y.size * (1 if X is None else X.shape[1])))
    parts = [_fit_chunk(y, v, X, m[i:i + rows], method) for i in range(0, m.shape[0], rows)]
    if len(parts) == 1:
        return parts[0]
    return Batch(*(np.concatenate([getattr(pt, f) for pt in parts])
                   for f in Batch.__dataclass_fields__))


def tau2_ci_batch(y, v, m, level: float = 0.95, X=None) -> tuple[np.ndarray, np.ndarray]:
    """Q-profile confidence interval of τ² (Viechtbauer 2007) for each fit of the batch."""
    from scipy.stats import chi2

    y = np.asarray(y, dtype=float)
    X = _design(X)
    m = np.asarray(m, dtype=float)
    df = m.sum(1) - (1 if X is None else X.shape[1])
    alpha = 1 - level
    lower = q_root(y, v, X, m, chi2.ppf(1 - alpha / 2, df))
    upper = q_root(y, v, X, m, chi2.ppf(alpha / 2, df))
    return lower, upper


def inference(batch: Batch, knapp_hartung: bool, level: float = 0.95, coef: int = 0):
    """SE, statistic, p, CI and PI of coefficient ``coef`` for each fit; df is NaN for z."""
    from scipy import stats

    p = batch.beta.shape[1]
    est = batch.beta[:, coef]
    var = batch.vb[:, coef, coef]
    df = batch.k - p
    if knapp_hartung:
        var = var * batch.q_tau / df
        crit = stats.t.ppf(1 - (1 - level) / 2, df)
    else:
        crit = np.full(est.shape, stats.norm.ppf(1 - (1 - level) / 2))
        df = np.full(est.shape, np.nan)
    se = np.sqrt(var)
    stat = est / se
    pval = 2 * (stats.t.sf(np.abs(stat), df) if knapp_hartung else stats.norm.sf(np.abs(stat)))
    half = crit * se
    pi_half = crit * np.sqrt(var + batch.tau2)
    return {"estimate": est, "se": se, "stat": stat, "p": pval, "df": df,
            "ci": (est - half, est + half), "pi": (est - pi_half, est + pi_half)}


def heterogeneity(batch: Batch, fixed: bool) -> dict[str, np.ndarray]:
    """I² (in %, as metafor), H² and the typical within-study variance s²."""
    df = batch.k - batch.beta.shape[1]
    s2 = df / batch.trp0
    with np.errstate(divide="ignore", invalid="ignore"):
        if fixed:
            i2 = np.maximum(0.0, 100 * (batch.q - df) / batch.q)
            h2 = batch.q / df
        else:
            i2 = 100 * batch.tau2 / (batch.tau2 + s2)
            h2 = (batch.tau2 + s2) / s2
    return {"i2": i2, "h2": h2, "s2": s2}
