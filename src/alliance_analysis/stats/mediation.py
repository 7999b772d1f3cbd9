"""Simple mediation X → M → Y (Hayes PROCESS model 4) with a vectorised bootstrap.

Paths are OLS fits on the listwise-complete rows:

* a: M ~ 1 + X + C;   b and c′: Y ~ 1 + X + M + C;   c (total): Y ~ 1 + X + C;
* indirect = a·b (equals c − c′ exactly for OLS with the same rows and covariates);
* completely standardized indirect = a·b·SD(X)/SD(Y) (Preacher & Kelley 2011; PROCESS
  ``effsize``), bootstrapped with the SDs recomputed in every resample.

The bootstrap draws all n_boot × n resample indices at once from ``np.random.default_rng(seed)``
and solves the stacked normal equations (XᵀX)β = Xᵀy for every resample with one batched
``np.linalg.solve`` (processed in memory-bounded chunks; no Python loop per resample).
CIs: ``percentile`` (PROCESS ≥ 3 default), ``bc`` (bias-corrected; PROCESS 2, pingouin) or
``bca`` (bias-corrected and accelerated, acceleration from the jackknife, also batched).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..report.apa import apa_estimate, fmt_number
from ..results import Result
from ._validate import check_confidence, frame_complete, warn

CI_METHODS = ("percentile", "bc", "bca")
_CHUNK_ELEMENTS = 4_000_000  # resamples × n × p floats per batch


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


def _batched_coef(designs: np.ndarray, ys: np.ndarray, col: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficient ``col`` of OLS for every stacked design (B, n, p); NaN where singular."""
    xtx = np.einsum("bni,bnj->bij", designs, designs)
    xty = np.einsum("bni,bn->bi", designs, ys)
    try:
        coef = np.linalg.solve(xtx, xty[..., None])[..., 0]
        ok = np.ones(len(xtx), dtype=bool)
    except np.linalg.LinAlgError:
        s = np.linalg.svd(xtx, compute_uv=False)
        ok = s[:, -1] > s[:, 0] * 1e-12
        coef = np.full(xty.shape, np.nan)
        if ok.any():
            coef[ok] = np.linalg.solve(xtx[ok], xty[ok][..., None])[..., 0]
    return coef[:, col], ok


def _indirect_draws(dm: np.ndarray, dy: np.ndarray, m: np.ndarray, y: np.ndarray,
                    xcol: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a·b and a·b·SD(X)/SD(Y) for each row of ``idx`` (rows = resample or jackknife index sets)."""
    n_sets, size = idx.shape
    p = dy.shape[1]
    chunk = max(1, _CHUNK_ELEMENTS // max(1, size * p))
    ab = np.empty(n_sets)
    ab_std = np.empty(n_sets)
    for start in range(0, n_sets, chunk):
        sl = idx[start:start + chunk]
        a, ok_a = _batched_coef(dm[sl], m[sl], 1)
        b, ok_b = _batched_coef(dy[sl], y[sl], 2)
        est = a * b
        est[~(ok_a & ok_b)] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = xcol[sl].std(axis=1, ddof=1) / y[sl].std(axis=1, ddof=1)
        ab[start:start + chunk] = est
        ab_std[start:start + chunk] = est * ratio
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


def mediate(frame: pd.DataFrame, x: str, m: str, y: str,
            covariates: Sequence[str] | str | None = None, n_boot: int = 5000,
            ci: str = "percentile", confidence: float = 0.95, seed: int | None = 0) -> MediationResult:
    """Indirect effect of ``x`` on ``y`` through ``m`` with bootstrap CI (listwise deletion).

    ``a`` (X→M), ``b`` (M→Y controlling for X), ``c`` (total), ``c_prime`` (direct) each with
    OLS se/t/p; ``indirect`` = a·b with bootstrap SE (SD of the draws) and CI; ``indirect_std`` is
    completely standardized. Same ``seed`` → same draws.
    """
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
    cc, sc, tc, pc, _, _ = _ols(dc, yv)
    a, b = float(cm[1]), float(cy[2])
    indirect = a * b
    sd_x, sd_y = float(xv.std(ddof=1)), float(yv.std(ddof=1))
    indirect_std = indirect * sd_x / sd_y if sd_y > 0 else float("nan")

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    draws, draws_std = _indirect_draws(dm, dy, mv, yv, xv, idx)
    failed = int(np.sum(~np.isfinite(draws)))
    if failed:
        warn(f"{failed} of {n_boot} bootstrap resamples had a singular design and were discarded")
    jack = jack_std = None
    if ci == "bca":
        loo = np.array([np.r_[0:i, i + 1:n] for i in range(n)]) if n <= 20000 else None
        if loo is None:
            raise InputError("BCa intervals are limited to n ≤ 20000; use ci='percentile'")
        jack, jack_std = _indirect_draws(dm, dy, mv, yv, xv, loo)
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
    )
