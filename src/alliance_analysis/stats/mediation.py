"""Simple mediation X → M → Y (Hayes 2013/2022, PROCESS model 4) with a vectorised bootstrap.

Paths are OLS fits on the listwise-complete rows (covariates C enter both equations):

* a: M ~ 1 + X + C;   b and c′: Y ~ 1 + X + M + C;   c (total): Y ~ 1 + X + C;
* b is the M coefficient **controlling for X** (pingouin's "Y ~ M" row is the simple slope of
  Y on M, which is not the b used in its own indirect effect);
* indirect = a·b (equals c − c′ exactly for OLS with the same rows and covariates);
* completely standardized indirect = a·b·SD(X)/SD(Y) (Preacher & Kelley 2011; PROCESS
  ``effsize``), bootstrapped with the SDs recomputed in every resample.

Intervals of every path: a, b, c and c′ have **t intervals** (``a_ci`` … ``c_prime_ci``:
estimate ± t_{df, 1−α/2}·SE with the df of their equation, as PROCESS and statsmodels
``conf_int``; exact under the linear model given X and the covariates); the indirect effect and
its standardized form have the **bootstrap** intervals below (``indirect_ci``,
``indirect_std_ci``), since a·b is not normal.

Bootstrap: the n_boot × n resample indices come from ``np.random.default_rng(seed)``
(deterministic for a seed), drawn chunk by chunk (the same stream as one draw, memory
O(chunk × n) whatever n_boot). A resample is an OLS fit with integer case weights, so the normal
equations (XᵀWX)β = XᵀWy of every resample come from one matrix product of the count matrix
with the fixed row products; the stacked systems are solved at once (closed form for 1 × 1 and
2 × 2, batched ``np.linalg.solve`` beyond). No Python loop per resample; memory-bounded chunks.
CIs: ``percentile`` (PROCESS ≥ 3 default), ``bc`` (bias-corrected; PROCESS 2, pingouin) or
``bca`` (bias-corrected and accelerated, Efron 1987; acceleration from the jackknife, also
batched). SE of the indirect effect = SD of the bootstrap draws.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..apa import apa_estimate, fmt_number
from ..errors import InputError
from ..results import Result, estimate_row
from ._threads import blas_threads_for
from ._validate import check_confidence, frame_complete, warn

CI_METHODS = ("percentile", "bc", "bca")
_CHUNK_ELEMENTS = 2_000_000  # resamples × n case weights per batch


@dataclasses.dataclass(frozen=True)
class MediationResult(Result):
    x: str
    m: str
    y: str
    covariates: tuple[str, ...]
    a: float
    a_se: float
    a_t: float
    a_p: float
    b: float
    b_se: float
    b_t: float
    b_p: float
    c: float
    c_se: float
    c_t: float
    c_p: float
    c_prime: float
    c_prime_se: float
    c_prime_t: float
    c_prime_p: float
    indirect: float
    indirect_se: float
    indirect_ci: tuple[float, float]
    indirect_std: float
    indirect_std_ci: tuple[float, float]
    r2_m: float
    r2_y: float
    df_m: float
    df_y: float
    n: int
    n_dropped: int
    n_boot: int
    n_boot_failed: int
    ci: str
    confidence: float
    seed: int | None
    a_ci: tuple[float, float] = (math.nan, math.nan)
    b_ci: tuple[float, float] = (math.nan, math.nan)
    c_ci: tuple[float, float] = (math.nan, math.nan)
    c_prime_ci: tuple[float, float] = (math.nan, math.nan)
    df_c: float = math.nan

    def _rows(self) -> list[dict[str, Any]]:
        """Rows a, b, c, c' (t test, t interval), indirect and indirect_std (bootstrap), in the
        tidy shape of :mod:`alliance_analysis.results`."""
        dfs = {"a": self.df_m, "b": self.df_y, "c": self.df_c, "c_prime": self.df_y}
        rows = [estimate_row("c'" if key == "c_prime" else key, getattr(self, key),
                             getattr(self, f"{key}_se"), getattr(self, f"{key}_ci"),
                             self.confidence, getattr(self, f"{key}_t"), dfs[key],
                             getattr(self, f"{key}_p"), "t")
                for key in ("a", "b", "c", "c_prime")]
        label = {"percentile": "percentile bootstrap", "bc": "bias-corrected bootstrap",
                 "bca": "BCa bootstrap"}[self.ci]
        rows.append(estimate_row("indirect", self.indirect, self.indirect_se, self.indirect_ci,
                                 self.confidence, method=label))
        rows.append(estimate_row("indirect_std", self.indirect_std, ci=self.indirect_std_ci,
                                 confidence=self.confidence, method=label))
        return rows

    def paths(self) -> pd.DataFrame:
        """One row per path: path, estimate, se, t, p."""
        rows = []
        for name, key in (("a", "a"), ("b", "b"), ("c", "c"), ("c'", "c_prime")):
            rows.append({"path": name, "estimate": getattr(self, key),
                         "se": getattr(self, f"{key}_se"), "t": getattr(self, f"{key}_t"),
                         "p": getattr(self, f"{key}_p")})
        return pd.DataFrame(rows)

    def apa(self, digits: int = 2) -> str:
        """``a = 0.56, b = 0.64, c' = 0.04, ab = 0.36, 95% CI [0.21, 0.53] (5000 percentile ...)``."""
        label = {"percentile": "percentile", "bc": "bias-corrected", "bca": "BCa"}[self.ci]
        return (f"a = {fmt_number(self.a, digits)}, b = {fmt_number(self.b, digits)}, "
                f"c' = {fmt_number(self.c_prime, digits)}, "
                f"{apa_estimate('ab', self.indirect, self.indirect_ci, self.confidence, digits)}"
                f" ({self.n_boot} {label} bootstrap resamples)")


def _ols(design: np.ndarray, y: np.ndarray):
    """Coefficients, SEs, t, two-sided p and R² of an OLS fit (full-rank design)."""
    from scipy.stats import t as tdist

    n, p = design.shape
    xtx_inv = np.linalg.inv(design.T @ design)
    coef = xtx_inv @ (design.T @ y)
    resid = y - design @ coef
    df = n - p
    sse = float(resid @ resid)
    mse = sse / df
    se = np.sqrt(np.diag(xtx_inv) * mse)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    pval = 2.0 * tdist.sf(np.abs(t), df)
    yc = y - y.mean()
    sst = float(yc @ yc)
    r2 = 1.0 - sse / sst if sst > 0 else float("nan")
    return coef, se, t, pval, r2, float(df)


def _resample_counts(idx: np.ndarray, n: int) -> np.ndarray:
    """Counts w[b, i] = how often row i occurs in resample b (an (B, n) float matrix)."""
    n_sets = idx.shape[0]
    flat = (idx + n * np.arange(n_sets)[:, None]).ravel()
    return np.bincount(flat, minlength=n_sets * n).reshape(n_sets, n).astype(float)


def row_products(values: np.ndarray) -> np.ndarray:
    """[vᵢ, vec(vᵢvᵢᵀ)] per row (n × (d + d²)): the terms whose case-weighted sums give every
    resample's normal equations."""
    n, d = values.shape
    return np.concatenate([values, (values[:, :, None] * values[:, None, :]).reshape(n, d * d)],
                          axis=1)


def resampled_sums(products: np.ndarray, n_boot: int, rng: np.random.Generator):
    """Yield ``(start, stop, sums, total)`` for bootstrap resamples ``start:stop``, in chunks of
    at most ``_CHUNK_ELEMENTS`` case weights: sums = W @ products with W the counts of rows
    drawn with replacement (``rng.integers(0, n, (chunk, n))``, chunk after chunk: the same
    stream as one ``(n_boot, n)`` draw), total = Σw = n. Memory O(chunk × n), not
    O(n_boot × n)."""
    n = products.shape[0]
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        w = _resample_counts(rng.integers(0, n, size=(stop - start, n)), n)
        yield start, stop, w @ products, np.full(stop - start, float(n))


def jackknife_sums(products: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums and totals of the n leave-one-out samples: Σ_{j≠i} products_j = Σ_j products_j −
    products_i (case weights 1 − eᵢ, without forming them)."""
    n = products.shape[0]
    return products.sum(axis=0)[None, :] - products, np.full(n, float(n - 1))


def centred_cross(sums: np.ndarray, total: np.ndarray, d: int) -> np.ndarray:
    """S = Σwvvᵀ − (Σwv)(Σwv)ᵀ/Σw per resample (the intercept removed by weighted centring)."""
    sv = sums[:, :d]
    return sums[:, d:].reshape(-1, d, d) - sv[:, :, None] * sv[:, None, :] / total[:, None, None]


def _solve_first(s: np.ndarray, rhs: np.ndarray, pos: int, scale: np.ndarray) -> np.ndarray:
    """Element ``pos`` of the solution of every stacked system ``s β = rhs`` (s: (B, q, q)).

    q = 1 and q = 2 are solved in closed form (division, Cramer's rule), larger systems with one
    batched ``np.linalg.solve``. A system whose matrix is (numerically) singular — e.g. a
    predictor that is constant, or collinear with another, in that resample — gives NaN: the
    test is the Hadamard ratio det(S)/Π diag(S) ∈ [0, 1] and each diagonal entry relative to
    ``scale`` (the full-sample sum of squares of that predictor).
    """
    q = s.shape[1]
    diag = np.einsum("bii->bi", s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ok = np.all(diag > 1e-10 * scale, axis=1)
        if q == 1:
            out = rhs[:, 0] / s[:, 0, 0]
        elif q == 2:
            det = s[:, 0, 0] * s[:, 1, 1] - s[:, 0, 1] * s[:, 1, 0]
            ok &= det / (diag[:, 0] * diag[:, 1]) > 1e-12
            if pos == 0:
                out = (rhs[:, 0] * s[:, 1, 1] - s[:, 0, 1] * rhs[:, 1]) / det
            else:
                out = (s[:, 0, 0] * rhs[:, 1] - s[:, 1, 0] * rhs[:, 0]) / det
        else:
            ok &= np.linalg.det(s) / np.prod(diag, axis=1) > 1e-12
            out = np.full(len(s), np.nan)
            if ok.any():
                out[ok] = np.linalg.solve(s[ok], rhs[ok][..., None])[:, pos, 0]
    return np.where(ok, out, np.nan)


def _indirect_draws(values: np.ndarray, n_boot: int | None,
                    rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """a·b and a·b·SD(X)/SD(Y) for each of ``n_boot`` resamples drawn from ``rng``, or, with
    ``n_boot=None``, for each jackknife (leave-one-out) sample.

    ``values`` = [X, M, C₁..C_k, Y] centred on the analysed rows (slopes and SD ratios do not
    change, and the sums stay well conditioned for raw scores far from zero). A resample is an
    OLS fit with integer case weights w (the counts; the jackknife uses 1 − eᵢ), so every
    resample's normal equations are built from weighted sums of the fixed row products
    vᵢvᵢᵀ: one matrix product ``weights @ [vᵢ, vᵢvᵢᵀ]`` gives all of them. Removing the
    intercept by weighted centring, S = Σwvvᵀ − (Σwv)(Σwv)ᵀ/Σw, leaves for each resample

    * a: S[XC, XC] β = S[XC, M] (first element),
    * b: S[XMC, XMC] β = S[XMC, Y] (second element),
    * SD(X)/SD(Y) = √(S[X, X]/S[Y, Y]).

    Resamples are drawn and processed in memory-bounded chunks (:func:`resampled_sums`); no
    Python loop per resample.
    """
    n, d = values.shape
    k = d - 3
    products = row_products(values)
    scale = np.einsum("ij,ij->j", values, values)
    pm = np.r_[0, np.arange(2, 2 + k)]  # predictors of M: X, C
    py = np.r_[0, 1, np.arange(2, 2 + k)]  # predictors of Y: X, M, C
    if n_boot is None:
        sums, total = jackknife_sums(products)
        chunks = [(0, n, sums, total)]
        n_sets = n
    else:
        chunks = resampled_sums(products, n_boot, rng)
        n_sets = n_boot
    ab = np.empty(n_sets)
    ab_std = np.empty(n_sets)
    for start, stop, sums, total in chunks:
        cross = centred_cross(sums, total, d)
        a = _solve_first(cross[:, pm[:, None], pm[None, :]], cross[:, pm, 1], 0, scale[pm])
        b = _solve_first(cross[:, py[:, None], py[None, :]], cross[:, py, d - 1], 1, scale[py])
        est = a * b
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.sqrt(cross[:, 0, 0] / cross[:, d - 1, d - 1])
        ab[start:stop] = est
        ab_std[start:stop] = est * ratio
    return ab, ab_std


def _interval(draws: np.ndarray, est: float, confidence: float, method: str,
              jack: np.ndarray | None) -> tuple[float, float]:
    from scipy.stats import norm

    draws = draws[np.isfinite(draws)]
    if draws.size == 0 or not math.isfinite(est):
        return (float("nan"), float("nan"))
    alpha = 1.0 - confidence
    probs = np.array([alpha / 2.0, 1.0 - alpha / 2.0])
    if method != "percentile":
        prop = float(np.mean(draws < est))
        if prop <= 0.0 or prop >= 1.0:
            warn("bias correction undefined (all bootstrap draws on one side): percentile CI used")
        else:
            z0 = float(norm.ppf(prop))
            zq = norm.ppf(probs)
            acc = 0.0
            if method == "bca" and jack is not None:
                jack = jack[np.isfinite(jack)]
                dev = jack.mean() - jack
                den = 6.0 * float(np.sum(dev**2)) ** 1.5
                acc = float(np.sum(dev**3)) / den if den > 0 else 0.0
            probs = norm.cdf(z0 + (z0 + zq) / (1.0 - acc * (z0 + zq)))
    lo, hi = np.quantile(draws, probs)
    return (float(lo), float(hi))


def mediate(data: pd.DataFrame, x: str, m: str, y: str,
            covariates: Sequence[str] | str | None = None, n_boot: int = 5000,
            ci: str = "percentile", confidence: float = 0.95, seed: int | None = 0) -> MediationResult:
    """Indirect effect of ``x`` on ``y`` through ``m`` with bootstrap CI (listwise deletion).

    ``a`` (X→M), ``b`` (M→Y controlling for X), ``c`` (total), ``c_prime`` (direct) each with
    OLS se/t/p; ``indirect`` = a·b with bootstrap SE (SD of the draws) and CI; ``indirect_std`` is
    completely standardized. Same ``seed`` → same draws.
    """
    frame = data
    if ci not in CI_METHODS:
        raise InputError("ci must be 'percentile', 'bc' or 'bca'", value=ci)
    confidence = check_confidence(confidence)
    n_boot = int(n_boot)
    if n_boot < 1:
        raise InputError("n_boot must be a positive number of resamples", value=n_boot)
    if covariates is None:
        covs: list[str] = []
    elif isinstance(covariates, str):
        covs = [covariates]
    else:
        covs = list(covariates)
    names = [x, m, y, *covs]
    if len(set(names)) != len(names):
        raise InputError("x, m, y and the covariates must be different columns")
    data, n_dropped = frame_complete(frame, names)
    n = data.shape[0]
    k = len(covs)
    if n < k + 5:
        raise InputError(f"mediation with {k} covariate(s) needs at least {k + 5} complete rows, "
                         f"got {n}")
    xv, mv, yv, cv = data[:, 0], data[:, 1], data[:, 2], data[:, 3:]
    ones = np.ones((n, 1))
    dm = np.hstack([ones, xv[:, None], cv])  # M ~ 1 + X + C
    dy = np.hstack([ones, xv[:, None], mv[:, None], cv])  # Y ~ 1 + X + M + C
    dc = np.hstack([ones, xv[:, None], cv])  # Y ~ 1 + X + C
    for design, what in ((dm, "x and the covariates"), (dy, "x, m and the covariates")):
        if np.linalg.matrix_rank(design) < design.shape[1]:
            raise InputError(f"{what} are collinear (or one is constant)")
    cm, sm_, tm, pm, r2_m, df_m = _ols(dm, mv)
    cy, sy, ty, py, r2_y, df_y = _ols(dy, yv)
    cc, sc, tc, pc, _, df_c = _ols(dc, yv)
    a, b = float(cm[1]), float(cy[2])
    indirect = a * b
    sd_x, sd_y = float(xv.std(ddof=1)), float(yv.std(ddof=1))
    indirect_std = indirect * sd_x / sd_y if sd_y > 0 else float("nan")

    values = np.column_stack([xv, mv, cv, yv])
    values = values - values.mean(axis=0)
    rng = np.random.default_rng(seed)
    # the products are made chunk by chunk: the work per product decides the BLAS threads
    d = values.shape[1]
    with blas_threads_for(float(min(n_boot * n, _CHUNK_ELEMENTS)) * (d + d * d)):
        draws, draws_std = _indirect_draws(values, n_boot, rng)
    failed = int(np.sum(~np.isfinite(draws)))
    if failed:
        warn(f"{failed} of {n_boot} bootstrap resamples had a singular design and were discarded")
    jack = jack_std = None
    if ci == "bca":
        # jackknife (leave-one-out) fits as case weights 1 − e_i, for the acceleration
        jack, jack_std = _indirect_draws(values, None)
    finite = draws[np.isfinite(draws)]
    return MediationResult(
        x=x, m=m, y=y, covariates=tuple(covs),
        a=a, a_se=float(sm_[1]), a_t=float(tm[1]), a_p=float(pm[1]),
        b=b, b_se=float(sy[2]), b_t=float(ty[2]), b_p=float(py[2]),
        c=float(cc[1]), c_se=float(sc[1]), c_t=float(tc[1]), c_p=float(pc[1]),
        c_prime=float(cy[1]), c_prime_se=float(sy[1]), c_prime_t=float(ty[1]),
        c_prime_p=float(py[1]),
        indirect=indirect,
        indirect_se=float(finite.std(ddof=1)) if finite.size > 1 else float("nan"),
        indirect_ci=_interval(draws, indirect, confidence, ci, jack),
        indirect_std=indirect_std,
        indirect_std_ci=_interval(draws_std, indirect_std, confidence, ci, jack_std),
        r2_m=float(r2_m), r2_y=float(r2_y), df_m=df_m, df_y=df_y, n=int(n),
        n_dropped=n_dropped, n_boot=n_boot, n_boot_failed=failed, ci=ci,
        confidence=confidence, seed=seed,
        a_ci=_t_ci(float(cm[1]), float(sm_[1]), df_m, confidence),
        b_ci=_t_ci(float(cy[2]), float(sy[2]), df_y, confidence),
        c_ci=_t_ci(float(cc[1]), float(sc[1]), df_c, confidence),
        c_prime_ci=_t_ci(float(cy[1]), float(sy[1]), df_y, confidence), df_c=df_c,
    )


def _t_ci(est: float, se: float, df: float, confidence: float) -> tuple[float, float]:
    """estimate ± t_{df, 1−α/2}·SE."""
    from scipy.special import stdtrit

    half = float(stdtrit(df, 0.5 + confidence / 2.0)) * se
    return (est - half, est + half)
