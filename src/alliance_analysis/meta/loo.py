"""Leave-one-out of an intercept-only model in O(k) memory and time per iteration.

Fit i leaves study i out. Every quantity of the estimators in :mod:`.models` (intercept only) is
a function of the sums ``T_ab(τ) = Σ_j y_j^b / (v_j + τ)^a`` (a = 1, 2, 3; b = 0, 1, 2):
``Σw = T_10``, ``Σwy = T_11``, ``Σw² = T_20``, ``Σw²y = T_21``, ``Σw²y² = T_22``, ``Σw³ = T_30``,
``Σwy² = T_12``. Fit i needs them at its own τ_i without study i: the full sum minus study i's
term. The full sums at k different τ_i are taken from one set of moments at the full-data
``τ₀`` by the binomial series (exact up to its truncation, kept below 1e-17 relative):

    ``(v + τ₀ + δ)^(-a) = Σ_m C(a + m - 1, m) (-δ)^m (v + τ₀)^(-a-m)``, ``|δ| < min(v) + τ₀``,

so one iteration for all k fits costs O(k·L) for L terms (L is small: the τ_i of leave-one-out
fits lie close to τ₀). Fits whose δ is too large for the series fall back to the direct batch
of :func:`.models.fit_batch`. Formulas of the estimators: :mod:`.models`.
"""

from __future__ import annotations

import math

import numpy as np

from . import models

_RATIO_MAX = 0.5
_TERMS_MAX = 80


class _Sums:
    """Leave-one-out sums ``T_ab(τ_i)`` without study i, for a vector ``τ`` of k fits."""

    def __init__(self, y: np.ndarray, v: np.ndarray, tau0: float):
        self.y, self.v, self.tau0 = y, v, tau0
        self.base = v + tau0
        self.rmin = float(self.base.min())
        self.yb = (np.ones_like(y), y, y * y)
        self._inv = [np.ones_like(y)]  # base^-c for c = 0, 1, ...
        self._moments: dict[tuple[int, int], float] = {}

    def _moment(self, c: int, b: int) -> float:
        key = (c, b)
        if key not in self._moments:
            while len(self._inv) <= c:
                self._inv.append(self._inv[-1] / self.base)
            self._moments[key] = float(self.yb[b] @ self._inv[c])
        return self._moments[key]

    def usable(self, tau: np.ndarray) -> np.ndarray:
        return np.abs(tau - self.tau0) <= _RATIO_MAX * self.rmin

    def __call__(self, tau: np.ndarray, idx: np.ndarray | None = None
                 ) -> dict[tuple[int, int], np.ndarray]:
        """Sums for the fits ``idx`` (default all) at their ``tau`` (one per fit in idx)."""
        idx = np.arange(self.y.size) if idx is None else idx
        delta = tau - self.tau0
        ratio = min(_RATIO_MAX, float(np.max(np.abs(delta))) / self.rmin) if delta.size else 0.0
        terms = 1 if ratio == 0 else min(_TERMS_MAX, max(1, math.ceil(-40 / math.log(ratio)) + 1))
        powers = np.cumprod(np.column_stack([np.ones_like(delta)] + [-delta] * (terms - 1)),
                            axis=1) if terms > 1 else np.ones((delta.size, 1))
        own = 1.0 / (self.v[idx] + tau)
        out = {}
        for a in (1, 2, 3):
            coef = np.array([math.comb(a + m - 1, m) for m in range(terms)], dtype=float)
            for b in (0, 1, 2):
                mom = np.array([self._moment(a + m, b) for m in range(terms)])
                out[(a, b)] = powers @ (coef * mom) - self.yb[b][idx] * own**a
        return out


def _stats(t):
    s1, sy = t[(1, 0)], t[(1, 1)]
    mu = sy / s1
    s2, s3 = t[(2, 0)], t[(3, 0)]
    yppy = t[(2, 2)] - 2 * mu * t[(2, 1)] + mu * mu * s2
    q_gen = t[(1, 2)] - 2 * mu * sy + mu * mu * s1
    trp = s1 - s2 / s1
    trpp = s2 - 2 * s3 / s1 + (s2 / s1) ** 2
    return mu, s1, s2, yppy, q_gen, trp, trpp


def loo_batch(y: np.ndarray, v: np.ndarray, method: str) -> models.Batch:
    """The k leave-one-out fits of the intercept-only model (same fields as ``fit_batch``)."""
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    k = y.size
    kk = np.full(k, float(k - 1))
    zero = _Sums(y, v, 0.0)
    t0 = zero(np.zeros(k))
    _, _, _, _, q, trp0, _ = _stats(t0)
    full = models.fit_batch(y, v, np.ones((1, k)), method)
    sums = _Sums(y, v, float(full.tau2[0]))
    df = kk - 1
    converged = np.ones(k, dtype=bool)
    if method == "FE":
        tau2 = np.zeros(k)
    elif method == "DL":
        tau2 = np.maximum(0.0, (q - df) / trp0)
    else:
        tau2 = np.full(k, float(full.tau2[0]))
        active = np.ones(k, dtype=bool)
        for _ in range(models._MAX_ITER):
            idx = np.flatnonzero(active & sums.usable(tau2))
            if idx.size == 0:
                break
            mu, s1, s2, yppy, q_gen, trp, trpp = _stats(sums(tau2[idx], idx))
            if method == "REML":
                new = tau2[idx] + (yppy - trp) / trpp
            elif method == "ML":
                new = tau2[idx] + (yppy - s1) / s2
            else:  # PM: Newton on Q(τ²) = k - 1 - 1, dQ/dτ² = -y'PPy
                new = tau2[idx] - (q_gen - df[idx]) / (-yppy)
            new = np.maximum(0.0, new)
            if method == "PM":
                new = np.where(q[idx] <= df[idx], 0.0, new)
            done = np.abs(new - tau2[idx]) <= models._TOL * (1 + new)
            tau2[idx] = new
            active[idx[done]] = False
        converged = ~active
    ok = sums.usable(tau2) & converged
    mu, s1, _, _, q_gen, _, _ = _stats(sums(tau2))
    batch = models.Batch(beta=mu[:, None], vb=(1 / s1)[:, None, None], tau2=tau2, q=q,
                         q_tau=q_gen, trp0=trp0, k=kk, converged=np.ones(k, dtype=bool))
    bad = np.flatnonzero(~ok)
    if bad.size:  # outside the series' reach (or not converged there): direct refits
        m = np.ones((bad.size, k))
        m[np.arange(bad.size), bad] = 0.0
        direct = models.fit_batch(y, v, m, method)
        for f in ("beta", "vb", "tau2", "q", "q_tau", "trp0", "converged"):
            getattr(batch, f)[bad] = getattr(direct, f)
    return batch
