"""Two independent groups: Welch t-test (unequal variances) with Cohen's d_s and Hedges g_s.

* t = (M_a − M_b)/√(s_a²/n_a + s_b²/n_b), df Welch–Satterthwaite (Welch 1947), as
  ``scipy.stats.ttest_ind(equal_var=False)``;
* ``d_s`` = (M_a − M_b)/SD_pooled, SD_pooled² = ((n_a − 1)s_a² + (n_b − 1)s_b²)/(n_a + n_b − 2)
  (Cohen 1988; Lakens 2013 eq. 1), ``g_s`` = d_s·J(n_a + n_b − 2) with the exact Hedges J;
* ``d_s_ci``: noncentral t (Steiger & Fouladi 1997; Hedges & Olkin 1985): the interval of the
  noncentrality λ of the pooled-variance t = d_s·√(n_a n_b/(n_a + n_b)), df = n_a + n_b − 2,
  divided by √(n_a n_b/(n_a + n_b)) — **exact** under normality with equal variances (d_s's own
  assumption: one pooled SD), as R ``effectsize::cohens_d()`` (checked in the tests);
  ``g_s_ci`` = d_s_ci·J, as ``effectsize::hedges_g()``. With unequal variances the interval is
  approximate (the Welch test itself does not assume equal variances).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from ..apa import apa_t
from ..errors import InputError
from ..results import Result, estimate_row
from ._dist import t_cdf, t_ppf, t_sf
from ._validate import check_alternative, check_confidence, drop_missing, series_to_float, warn
from .effect_sizes import hedges_j, ncp_ci

_NAN2 = (math.nan, math.nan)


@dataclasses.dataclass(frozen=True)
class TwoSampleResult(Result):
    """Welch t-test of mean(a) − mean(b); ``to_frame()`` rows ``mean_diff`` (Welch t), ``d_s``
    and ``g_s`` (noncentral t), in the tidy shape of :mod:`alliance_analysis.results`."""

    n: int
    n_a: int
    n_b: int
    n_dropped: int
    mean_a: float
    mean_b: float
    sd_a: float
    sd_b: float
    mean_diff: float
    t: float
    df: float
    p: float
    alternative: str
    d_s: float
    confidence: float = 0.95
    mean_diff_ci: tuple[float, float] = _NAN2
    d_s_ci: tuple[float, float] = _NAN2
    g_s: float = math.nan
    g_s_ci: tuple[float, float] = _NAN2

    def apa(self, digits: int = 2) -> str:
        """``t(17.43) = 1.20, p = .245`` (Welch df printed with two decimals)."""
        return apa_t(self.t, self.df, self.p, digits)

    def _rows(self) -> list[dict[str, Any]]:
        se = math.sqrt(self.sd_a**2 / self.n_a + self.sd_b**2 / self.n_b)
        return [
            estimate_row("mean_diff", self.mean_diff, se, self.mean_diff_ci, self.confidence,
                         self.t, self.df, self.p, "Welch t"),
            estimate_row("d_s", self.d_s, ci=self.d_s_ci, confidence=self.confidence,
                         method="noncentral t"),
            estimate_row("g_s", self.g_s, ci=self.g_s_ci, confidence=self.confidence,
                         method="noncentral t"),
        ]


def _group_values(data: pd.DataFrame, dv: str, between: str) -> tuple[np.ndarray, np.ndarray,
                                                                      tuple]:
    for col in (dv, between):
        if col not in data.columns:
            raise InputError("no such column", column=str(col),
                             hint=f"available: {', '.join(map(str, data.columns))}")
    values = series_to_float(data[dv], dv, column=dv)
    g = data[between]
    if g.isna().any():
        raise InputError("the group column has missing values", column=between)
    levels = (list(g.cat.categories[g.cat.categories.isin(g.unique())])
              if isinstance(g.dtype, pd.CategoricalDtype) else sorted(g.unique().tolist(), key=str))
    if len(levels) != 2:
        raise InputError(f"a two-group test needs exactly 2 groups in {between}, found "
                         f"{len(levels)}", column=between)
    gv = g.to_numpy()
    return values[gv == levels[0]], values[gv == levels[1]], tuple(levels)


def welch_ttest(a: object = None, b: object = None, alternative: str = "two-sided",
                confidence: float = 0.95, *, data: pd.DataFrame | None = None,
                dv: str | None = None, between: str | None = None) -> TwoSampleResult:
    """Welch's t-test of mean(a) − mean(b) with d_s, g_s and their noncentral-t CIs.

    Arrays (``welch_ttest(a, b)``) or a long table (``welch_ttest(data=df, dv="score",
    between="arm")``: a = the first of the two groups in sorted/categorical order). Missing values
    are dropped from each group separately (counted in ``n_dropped``); each group needs ≥ 2
    values. Formulas and interval method: see the module docstring.
    """
    alternative = check_alternative(alternative)
    confidence = check_confidence(confidence)
    if data is not None:
        if dv is None or between is None or a is not None or b is not None:
            raise InputError("with data=, pass dv= and between= (and no a/b)")
        a, b, _ = _group_values(data, dv, between)
    if a is None or b is None:
        raise InputError("welch_ttest needs a and b (or data=, dv=, between=)")
    x, da = drop_missing(a, "a")
    y, db = drop_missing(b, "b")
    na, nb = int(x.size), int(y.size)
    if na < 2 or nb < 2:
        raise InputError(f"each group needs at least 2 non-missing values (got {na} and {nb})")
    ma, mb = float(x.mean()), float(y.mean())
    va, vb = float(x.var(ddof=1)), float(y.var(ddof=1))
    diff = ma - mb
    se2 = va / na + vb / nb
    nan = float("nan")
    mean_diff_ci = _NAN2
    if se2 > 0:
        se = math.sqrt(se2)
        t = diff / se
        df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
        if alternative == "two-sided":
            p = float(min(1.0, 2.0 * t_sf(abs(t), df)))
            half = float(t_ppf(0.5 + confidence / 2.0, df)) * se
            mean_diff_ci = (diff - half, diff + half)
        else:
            p = float(t_sf(t, df)) if alternative == "greater" else float(t_cdf(t, df))
            crit = float(t_ppf(confidence, df)) * se
            mean_diff_ci = ((diff - crit, math.inf) if alternative == "greater"
                            else (-math.inf, diff + crit))
    else:
        warn("both groups are constant: the Welch t-test is undefined (NaN)")
        t = df = p = nan
    df_pooled = float(na + nb - 2)
    pooled = math.sqrt(((na - 1) * va + (nb - 1) * vb) / df_pooled)
    d_s = diff / pooled if pooled > 0 else nan
    j = float(hedges_j(df_pooled))
    if math.isfinite(d_s):
        scale = math.sqrt(na * nb / (na + nb))
        lo, hi = ncp_ci(d_s * scale, df_pooled, confidence, alternative)
        d_s_ci = (lo / scale, hi / scale)
    else:
        d_s_ci = _NAN2
    return TwoSampleResult(n=na + nb, n_a=na, n_b=nb, n_dropped=da + db, mean_a=ma, mean_b=mb,
                           sd_a=math.sqrt(va), sd_b=math.sqrt(vb), mean_diff=diff, t=t,
                           df=float(df), p=p, alternative=alternative, d_s=d_s,
                           confidence=confidence, mean_diff_ci=mean_diff_ci, d_s_ci=d_s_ci,
                           g_s=d_s * j, g_s_ci=(d_s_ci[0] * j, d_s_ci[1] * j))
