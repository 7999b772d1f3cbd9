"""Monte Carlo power for the real design: alliance × k follow-up outcomes, attrition, multiplicity.

Model (per simulated trial, n participants):

* alliance X and outcomes Y_1..Y_k are multivariate normal with corr(X, Y_j) = rho_j and
  Y_j = rho_j·X + sqrt(1 − rho_j²)·E_j, where the residuals E_j share the equicorrelation
  ``outcome_corr`` (c). So corr(Y_i, Y_j) = rho_i·rho_j + c·sqrt((1 − rho_i²)(1 − rho_j²));
  c = 0 means outcomes that are independent given alliance ("independent outcomes"), c > 0
  repeated measures of one construct (e.g. depression at 4 weeks, 3, 6 and 12 months).
* missingness is MCAR: with ``missing="independent"`` every value is missing with its own
  probability (``attrition``: one number for every variable, or k + 1 numbers, alliance first);
  with ``missing="monotone"`` alliance is missing independently and the outcomes are ordered
  timepoints with dropout — one uniform U per participant and Y_j missing when U < attrition_j
  (so attrition_j is the cumulative proportion gone by timepoint j and must not decrease).
* each test is Pearson's r on the pairwise-complete cases, p from t = r·sqrt(df/(1 − r²)),
  df = n_complete − 2 (a test with fewer than 3 complete pairs is counted as not significant);
  the k p-values of a trial are adjusted with ``correction`` (none, Bonferroni, Holm 1979,
  Benjamini–Hochberg 1995, Benjamini–Yekutieli 2001 — the same adjusted p-values as statsmodels
  ``multipletests``) through the package's one :func:`~alliance_analysis.stats.adjust_pvalues`
  with ``nan_policy="as_one"``: a planned test lost to attrition stays in the family as p = 1.

Everything is vectorised: a chunk of trials is one array (chunk × n × (k + 1)), correlations
come from masked sums, p-values from ``scipy.special.stdtr`` on arrays, and the corrections are
row-wise sorts and cumulative maxima/minima — no Python loop over trials. Monte Carlo standard
errors are sqrt(p̂(1 − p̂)/n_sims). The random stream is ``np.random.default_rng(seed)``; the
result depends on (seed, chunk_size) only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from ..apa import fmt_bounded
from ..errors import InputError
from ..results import Result, estimate_row
from ..stats.multiplicity import METHODS, adjust_pvalues, canonical_method
from ._common import check_alpha, check_alternative, fmt_alpha, fmt_power, sided_phrase

__all__ = ["SimulatedPower", "simulate_correlation_power", "adjust_pvalues", "CORRECTIONS"]

#: the one method list of :func:`alliance_analysis.stats.adjust_pvalues` (aliases accepted)
CORRECTIONS = METHODS
_CORRECTION_LABEL = {"none": "no correction", "bonferroni": "Bonferroni correction",
                     "holm": "Holm correction", "fdr_bh": "Benjamini–Hochberg FDR correction",
                     "fdr_by": "Benjamini–Yekutieli FDR correction"}


@dataclasses.dataclass(frozen=True)
class SimulatedPower(Result):
    """Monte Carlo power per test and family-wise ("at least one significant")."""

    n: int
    k: int
    rho: tuple[float, ...]
    attrition: tuple[float, ...]
    missing: str
    outcome_corr: float
    correction: str
    alpha: float
    alternative: str
    n_sims: int
    seed: int | None
    power: tuple[float, ...]
    power_se: tuple[float, ...]
    any_power: float
    any_power_se: float
    mean_n_complete: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """Fields as a dict; per-test tuples become lists (JSON-ready)."""
        return {f.name: (list(getattr(self, f.name)) if isinstance(getattr(self, f.name), tuple)
                         else getattr(self, f.name)) for f in dataclasses.fields(self)}

    _extra_columns: ClassVar[tuple[str, ...]] = ("test", "rho", "mean_n_complete")

    def _rows(self) -> list[dict[str, Any]]:
        """Tidy rows (:mod:`alliance_analysis.results`): ``power[1]`` … ``power[k]`` and
        ``power[any]`` (family-wise: at least one significant); se = Monte Carlo SE
        √(p̂(1 − p̂)/n_sims); extra columns ``test``, ``rho``, ``mean_n_complete``."""
        rows = [estimate_row(f"power[{j + 1}]", self.power[j], self.power_se[j],
                             method="Monte Carlo", test=str(j + 1), rho=self.rho[j],
                             mean_n_complete=self.mean_n_complete[j])
                for j in range(self.k)]
        rows.append(estimate_row("power[any]", self.any_power, self.any_power_se,
                                 method="Monte Carlo", test="any", rho=math.nan,
                                 mean_n_complete=math.nan))
        return rows

    def apa(self) -> str:
        att = sorted(set(self.attrition))
        if att == [0.0]:
            attrition = "no attrition"
        elif len(att) == 1:
            attrition = f"MCAR attrition {fmt_bounded(att[0])} per variable"
        else:
            attrition = (f"MCAR attrition {fmt_bounded(att[0])}–{fmt_bounded(att[-1])} "
                         "per variable")
        if self.missing == "monotone" and att != [0.0]:
            attrition += " (monotone dropout)"
        design = (f"In {self.n_sims:,} simulated trials (n = {self.n}, {attrition}, "
                  f"{self.k} test{'s' if self.k > 1 else ''}"
                  f"{', ' + _CORRECTION_LABEL[self.correction] if self.k > 1 else ''}, "
                  f"{sided_phrase(self.alternative)} alpha = {fmt_alpha(self.alpha)})")
        se = max(self.power_se)
        lo, hi = min(self.power), max(self.power)
        if self.k == 1:
            return f"{design}, power was {fmt_power(lo)} (Monte Carlo SE {fmt_bounded(se, 3)})."
        per = (f"{fmt_power(lo)}" if fmt_power(lo) == fmt_power(hi)
               else f"{fmt_power(lo)} to {fmt_power(hi)}")
        return (f"{design}, power per test was {per} (Monte Carlo SE ≤ {fmt_bounded(se, 3)}) "
                f"and the probability that at least one test was significant was "
                f"{fmt_power(self.any_power)} (SE {fmt_bounded(self.any_power_se, 3)}).")


def _as_vector(value: float | Sequence[float], length: int, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.ndim != 1 or arr.size not in (1, length):
        raise InputError(f"{name} must be one number or {length} numbers", value=arr.tolist())
    return np.broadcast_to(arr, (length,)).copy()


def _cholesky(rho: np.ndarray, outcome_corr: float) -> np.ndarray:
    k = rho.size
    resid = np.sqrt(1.0 - rho ** 2)
    sigma = np.empty((k + 1, k + 1))
    sigma[0, 0] = 1.0
    sigma[0, 1:] = sigma[1:, 0] = rho
    sigma[1:, 1:] = np.outer(rho, rho) + outcome_corr * np.outer(resid, resid)
    np.fill_diagonal(sigma, 1.0)
    try:
        return np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        raise InputError("the implied correlation matrix is not positive definite",
                         value=outcome_corr,
                         hint=f"outcome_corr must exceed -1/(k - 1) = {-1 / max(k - 1, 1):.3f}"
                         ) from None


def simulate_correlation_power(
    n: int,
    rho: float | Sequence[float],
    *,
    k: int | None = None,
    attrition: float | Sequence[float] = 0.0,
    missing: str = "independent",
    outcome_corr: float = 0.0,
    correction: str = "none",
    alpha: float = 0.05,
    alternative: str = "two-sided",
    n_sims: int = 10_000,
    seed: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulatedPower:
    """Monte Carlo power of k alliance–outcome correlations under MCAR attrition.

    ``rho``: one true correlation for every test or k of them (then ``k`` may be omitted).
    ``attrition``: probability that a value is missing — one number (every variable) or k + 1
    numbers (alliance first). ``progress(done, total)`` is called after every chunk.
    See the module docstring for the model and formulas.
    """
    from scipy import special

    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    correction = canonical_method(correction)
    if missing not in ("independent", "monotone"):
        raise InputError("missing must be 'independent' or 'monotone'", value=missing)
    rho_in = np.atleast_1d(np.asarray(rho, dtype=float))
    if k is None:
        k = rho_in.size
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError("k (number of tests) must be a positive whole number", value=k)
    k = int(k)
    rho_v = _as_vector(rho_in, k, "rho")
    if not np.all(np.isfinite(rho_v)) or np.any(np.abs(rho_v) >= 1.0):
        raise InputError("every rho must be strictly between -1 and 1", value=rho)
    att = _as_vector(attrition, k + 1, "attrition")
    if not np.all((att >= 0.0) & (att < 1.0)):
        raise InputError("attrition probabilities must be in [0, 1)", value=attrition)
    if missing == "monotone" and np.any(np.diff(att[1:]) < 0):
        raise InputError("monotone dropout needs non-decreasing attrition over the outcomes",
                         value=attrition)
    outcome_corr = float(outcome_corr)
    if not (math.isfinite(outcome_corr) and -1.0 < outcome_corr <= 1.0):
        raise InputError("outcome_corr must be in (-1, 1]", value=outcome_corr)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
        raise InputError("n must be a whole number of at least 3", value=n)
    if isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer)) or n_sims < 1:
        raise InputError("the number of simulated trials must be a positive whole number",
                         value=n_sims)
    n, n_sims = int(n), int(n_sims)
    if chunk_size is None:
        chunk_size = max(1, 2_000_000 // (n * (k + 1)))
    chunk_size = max(1, int(chunk_size))

    chol = _cholesky(rho_v, outcome_corr)
    rng = np.random.default_rng(seed)
    rejections = np.zeros(k, dtype=np.int64)
    any_rejections = 0
    n_complete_sum = np.zeros(k)
    done = 0
    while done < n_sims:
        m = min(chunk_size, n_sims - done)
        data = rng.standard_normal((m, n, k + 1)) @ chol.T
        if missing == "independent":
            observed = rng.random((m, n, k + 1)) >= att
        else:
            observed = np.empty((m, n, k + 1), dtype=bool)
            observed[..., 0] = rng.random((m, n)) >= att[0]
            observed[..., 1:] = rng.random((m, n))[..., None] >= att[1:]
        w = (observed[..., :1] & observed[..., 1:]).astype(float)  # (m, n, k)
        x = data[..., :1]
        y = data[..., 1:]
        nc = w.sum(axis=1)  # (m, k)
        wx, wy = w * x, w * y
        sx, sy = wx.sum(axis=1), wy.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            cxx = (wx * x).sum(axis=1) - sx * sx / nc
            cyy = (wy * y).sum(axis=1) - sy * sy / nc
            cxy = (wx * y).sum(axis=1) - sx * sy / nc
            r = np.clip(cxy / np.sqrt(cxx * cyy), -1.0, 1.0)
            df = nc - 2.0
            t = r * np.sqrt(df / (1.0 - r * r))
            if alternative == "two-sided":
                p = 2.0 * special.stdtr(df, -np.abs(t))
            elif alternative == "greater":
                p = special.stdtr(df, -t)
            else:
                p = special.stdtr(df, t)
        p = np.where(df >= 1.0, p, np.nan)
        # a test lost to attrition stays in the family as p = 1 (nan_policy="as_one")
        reject = adjust_pvalues(p, correction, nan_policy="as_one", axis=-1) <= alpha
        rejections += reject.sum(axis=0)
        any_rejections += int(reject.any(axis=1).sum())
        n_complete_sum += nc.sum(axis=0)
        done += m
        if progress is not None:
            progress(done, n_sims)

    power = rejections / n_sims
    any_power = any_rejections / n_sims
    return SimulatedPower(
        n=n, k=k, rho=tuple(float(v) for v in rho_v), attrition=tuple(float(v) for v in att),
        missing=missing, outcome_corr=outcome_corr, correction=correction, alpha=alpha,
        alternative=alternative, n_sims=n_sims, seed=seed,
        power=tuple(float(v) for v in power),
        power_se=tuple(float(math.sqrt(v * (1.0 - v) / n_sims)) for v in power),
        any_power=float(any_power),
        any_power_se=float(math.sqrt(any_power * (1.0 - any_power) / n_sims)),
        mean_n_complete=tuple(float(v) for v in n_complete_sum / n_sims),
    )
