"""OLS regression (statsmodels) with standardized β and squared semi-partial correlations.

* listwise deletion over outcome, predictors and covariates; ``n_dropped`` counts removed rows;
* ``beta`` = b·SD(x)/SD(y) on the analysed rows (NaN for the intercept);
* ``sr2`` (squared semi-partial r, unique R² of the term) = t²·(1 − R²)/df_resid;
* hierarchical models use the same rows for every step (listwise on all variables of all steps);
  F-change = (ΔR²/df1)/((1 − R²)/df2), df1 = terms added, df2 = df_resid of the larger model.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..apa import apa_f, fmt_bounded
from ..errors import InputError
from ..results import Result
from ._validate import frame_complete, warn


@dataclasses.dataclass(frozen=True)
class RegressionResult(Result):
    outcome: str
    coefficients: pd.DataFrame
    r2: float
    adj_r2: float
    f: float
    f_p: float
    df_model: float
    df_resid: float
    n: int
    n_dropped: int

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("outcome", "r2", "adj_r2", "f", "f_p", "df_model", "df_resid", "n", "n_dropped")}

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def apa(self, digits: int = 2) -> str:
        """``R² = .31, F(2, 47) = 10.56, p < .001``."""
        return (f"R² = {fmt_bounded(self.r2, digits)}, "
                f"{apa_f(self.f, self.df_model, self.df_resid, self.f_p, digits)}")


@dataclasses.dataclass(frozen=True)
class HierarchicalRegressionResult(Result):
    outcome: str
    steps: tuple[RegressionResult, ...]
    changes: pd.DataFrame
    n: int
    n_dropped: int

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "n": self.n, "n_dropped": self.n_dropped,
                "steps": len(self.steps)}

    def to_frame(self) -> pd.DataFrame:
        return self.changes.copy()

    def apa(self, digits: int = 2) -> str:
        """One line per step: ``Step 2: ΔR² = .05, F(1, 46) = 4.12, p = .048``."""
        lines = []
        for row in self.changes.itertuples(index=False):
            lines.append(f"Step {row.step}: ΔR² = {fmt_bounded(row.delta_r2, digits)}, "
                         f"{apa_f(row.f_change, row.df1, row.df2, row.p_change, digits)}")
        return "\n".join(lines)


def _names(values: Sequence[str] | str | None, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise InputError(f"{what} must be column names")
    return out


def _fit(data: np.ndarray, outcome: str, terms: list[str], n_dropped: int) -> RegressionResult:
    import statsmodels.api as sm

    n = data.shape[0]
    y = data[:, 0]
    xs = data[:, 1:]
    p = len(terms) + 1
    if n <= p:
        raise InputError(f"regression of {outcome} on {len(terms)} term(s) needs more than {p} "
                         f"complete rows, got {n}")
    design = np.column_stack([np.ones(n), xs])
    if np.linalg.matrix_rank(design) < p:
        raise InputError("predictors are perfectly collinear (or one is constant) in the "
                         "analysed rows", column=", ".join(terms))
    if np.all(y == y[0]):
        warn(f"the outcome {outcome} is constant: R² and the tests are undefined (NaN)")
    fit = sm.OLS(y, design).fit()
    ci = np.asarray(fit.conf_int(0.05))
    sd_y = float(y.std(ddof=1))
    sd_x = xs.std(axis=0, ddof=1)
    params = np.asarray(fit.params)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.r_[np.nan, params[1:] * sd_x / sd_y]
        tvals = np.asarray(fit.tvalues)
        sr2 = np.r_[np.nan, tvals[1:] ** 2 * (1.0 - fit.rsquared) / fit.df_resid]
    coefs = pd.DataFrame({
        "term": ["Intercept", *terms], "b": params, "se": np.asarray(fit.bse), "t": tvals,
        "p": np.asarray(fit.pvalues), "ci_lower": ci[:, 0], "ci_upper": ci[:, 1], "beta": beta,
        "sr2": sr2,
    })
    return RegressionResult(outcome=outcome, coefficients=coefs, r2=float(fit.rsquared),
                            adj_r2=float(fit.rsquared_adj), f=float(fit.fvalue),
                            f_p=float(fit.f_pvalue), df_model=float(fit.df_model),
                            df_resid=float(fit.df_resid), n=int(n), n_dropped=n_dropped)


def regress(frame: pd.DataFrame, outcome: str, predictors: Sequence[str] | str,
            covariates: Sequence[str] | str | None = None) -> RegressionResult:
    """OLS of ``outcome`` on an intercept, ``predictors`` and then ``covariates`` (listwise).

    ``coefficients`` has one row per term (``Intercept`` first, then the column names in the
    order given): term, b, se, t, p, ci_lower, ci_upper (95%), beta, sr2.
    """
    preds = _names(predictors, "predictors")
    covs = _names(covariates, "covariates")
    if not preds:
        raise InputError("regress needs at least one predictor")
    terms = preds + covs
    if outcome in terms:
        raise InputError("the outcome is also a predictor", column=outcome)
    data, n_dropped = frame_complete(frame, [outcome, *terms])
    return _fit(data, outcome, terms, n_dropped)


def hierarchical_regress(frame: pd.DataFrame, outcome: str,
                         steps: Sequence[Sequence[str]]) -> HierarchicalRegressionResult:
    """Blockwise OLS: step s adds ``steps[s]`` to all earlier terms; same rows for every step.

    ``changes``: step (1-based), r2, delta_r2, f_change, df1, df2, p_change (step 1 is tested
    against the intercept-only model, so its F-change is the model F).
    """
    from scipy.stats import f as fdist

    blocks = [_names(s, f"step {i + 1}") for i, s in enumerate(steps)]
    if not blocks or any(not b for b in blocks):
        raise InputError("every step must add at least one term")
    all_terms = [t for b in blocks for t in b]
    if outcome in all_terms:
        raise InputError("the outcome is also a predictor", column=outcome)
    data, n_dropped = frame_complete(frame, [outcome, *all_terms])
    results = []
    rows = []
    prev_r2, used = 0.0, 0
    for i, block in enumerate(blocks):
        used += len(block)
        res = _fit(data[:, : 1 + used], outcome, all_terms[:used], n_dropped)
        results.append(res)
        df1, df2 = float(len(block)), res.df_resid
        delta = res.r2 - prev_r2
        with np.errstate(divide="ignore", invalid="ignore"):
            f_change = (delta / df1) / ((1.0 - res.r2) / df2) if res.r2 < 1 else math.inf
        p_change = float(fdist.sf(f_change, df1, df2)) if math.isfinite(f_change) else (
            0.0 if f_change == math.inf else float("nan"))
        rows.append({"step": i + 1, "r2": res.r2, "delta_r2": delta, "f_change": float(f_change),
                     "df1": df1, "df2": df2, "p_change": p_change})
        prev_r2 = res.r2
    return HierarchicalRegressionResult(outcome=outcome, steps=tuple(results),
                                        changes=pd.DataFrame(rows), n=int(data.shape[0]),
                                        n_dropped=n_dropped)
