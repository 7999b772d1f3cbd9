"""``meta_analysis``: the public entry point, and its frozen result.

Correlations are pooled on Fisher's z scale (``estimate``, ``se``, ``ci`` are z) and shown back
on the r scale (``r_estimate``, ``r_ci``, ``r_pi`` = ``tanh`` of the z values). Repeated
``study`` labels give the three-level model (:mod:`.multilevel`); otherwise one effect per study
and :mod:`.models`. Formulas and references: the docstrings of those modules and docs/meta.md.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ..results import Result, estimate_row
from . import models
from .effects import fisher_z
from .loo import loo_batch

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..report.tables import ApaTable

_DATA_FIELDS = ("yi", "vi", "labels", "study")
MODEL_NAMES = {"FE": "fixed-effect", "three-level": "three-level random-effects"}


@dataclass(frozen=True)
class EggerResult(Result):
    """Egger's regression test (Egger et al. 1997): the slope on the standard error.

    ``model = "rma"`` is metafor's ``regtest`` default (a meta-regression on ``sqrt(vi)`` with the
    fit's τ² method and test); ``"lm"`` the classical weighted regression with a multiplicative
    dispersion (t on k - 2 df). ``intercept`` is the limit estimate as the SE goes to 0.
    """

    model: str
    slope: float
    se: float
    stat: float
    df: float
    p: float
    intercept: float
    k: int

    def _rows(self) -> list[dict[str, Any]]:
        """Tidy rows: ``slope`` (the test of asymmetry: SE, t or z, df, p) and ``intercept``
        (the limit estimate as the SE goes to 0; no test of its own here). No intervals."""
        test = "t" if math.isfinite(self.df) else "z"
        return [estimate_row("slope", self.slope, self.se, statistic=self.stat, df=self.df,
                             p=self.p, method=f"Egger regression ({self.model}, {test} test)"),
                estimate_row("intercept", self.intercept,
                             method=f"Egger regression ({self.model})")]

    def apa(self) -> str:
        from ..apa import fmt_number, fmt_p

        stat = (f"t({int(self.df)})" if math.isfinite(self.df) else "z")
        return (f"Egger's regression test ({self.model}): {stat} = {fmt_number(self.stat)}, "
                f"p {fmt_p(self.p)}, k = {self.k}")


@dataclass(frozen=True)
class MetaResult(Result):
    """A pooled estimate with its heterogeneity; the study data ride along for the figures.

    ``tau2`` is the total heterogeneity (``σ²₁ + σ²₂`` in the three-level model, where
    ``sigma2 = (between-study, within-study)``); ``i2`` is in percent, as metafor prints it.
    ``pi`` is the prediction interval (equal to ``ci`` for the fixed-effect model).

    ``to_frame()`` is the tidy shape of :mod:`alliance_analysis.results`, one row per estimate:
    ``mu`` (the pooled value on the analysis scale: Fisher's z for correlations), ``r`` (for
    correlations: ``tanh`` of ``mu`` and of its interval; the test is that of z, the SE NaN),
    ``tau2`` (with its Q-profile interval; NaN for the fixed-effect and three-level models),
    ``sigma2_study`` and ``sigma2_effect`` (three-level model only), ``i2`` (percent), ``h2``
    and ``q`` (Cochran's Q with its df and p). Extra columns, always these: ``scale`` (the
    scale of the row's estimate), ``pi_low``/``pi_high`` (the prediction interval, on ``mu``
    and ``r``), ``k`` and ``n_studies``. The one-row-per-scale table that ``results.csv`` holds
    is :meth:`pooled_frame`.
    """

    _extra_columns: ClassVar[tuple[str, ...]] = ("scale", "pi_low", "pi_high", "k", "n_studies")

    model: str
    method: str
    effect: str
    k: int
    n_studies: int
    estimate: float
    se: float
    stat: float
    df: float
    p: float
    ci: tuple[float, float]
    pi: tuple[float, float]
    tau2: float
    tau2_ci: tuple[float, float]
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    r_estimate: float
    r_ci: tuple[float, float]
    r_pi: tuple[float, float]
    sigma2: tuple[float, float] | None = None
    knapp_hartung: bool = False
    level: float = 0.95
    converged: bool = True
    yi: tuple[float, ...] = ()
    vi: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    study: tuple[str, ...] = ()

    # -- shapes ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in _DATA_FIELDS:
                continue
            value = getattr(self, f.name)
            if isinstance(value, tuple) or (f.name == "sigma2" and value is None):
                lo, hi = value if value is not None else (math.nan, math.nan)
                names = (("sigma2_study", "sigma2_effect") if f.name == "sigma2"
                         else (f"{f.name}_lower", f"{f.name}_upper"))
                out[names[0]], out[names[1]] = lo, hi
            else:
                out[f.name] = value
        return out

    def _rows(self) -> list[dict[str, Any]]:
        three = self.model == "three-level"
        test = "t" if math.isfinite(self.df) else "z"
        mu_method = ("Knapp-Hartung t" if self.knapp_hartung and not three else test)
        scale = "z" if self.effect == "r" else self.effect
        common = {"k": self.k, "n_studies": self.n_studies}
        nan = math.nan
        rows = [estimate_row("mu", self.estimate, self.se, self.ci, self.level, self.stat,
                             self.df, self.p, mu_method, scale=scale, pi_low=self.pi[0],
                             pi_high=self.pi[1], **common)]
        if self.effect == "r":
            rows.append(estimate_row("r", self.r_estimate, nan, self.r_ci, self.level, self.stat,
                                     self.df, self.p, f"tanh of the mu interval ({mu_method})",
                                     scale="r", pi_low=self.r_pi[0], pi_high=self.r_pi[1],
                                     **common))
        has_ci = all(math.isfinite(x) for x in self.tau2_ci)
        rows.append(estimate_row("tau2", self.tau2, ci=self.tau2_ci,
                                 confidence=self.level if has_ci else nan,
                                 method="Q-profile" if has_ci else "", scale=scale,
                                 pi_low=nan, pi_high=nan, **common))
        if three and self.sigma2 is not None:
            rows += [estimate_row(name, value, scale=scale, pi_low=nan, pi_high=nan, **common)
                     for name, value in zip(("sigma2_study", "sigma2_effect"), self.sigma2,
                                            strict=True)]
        rows += [estimate_row("i2", self.i2, scale="%", pi_low=nan, pi_high=nan, **common),
                 estimate_row("h2", self.h2, scale="ratio", pi_low=nan, pi_high=nan, **common),
                 estimate_row("q", self.q, statistic=self.q, df=self.q_df, p=self.q_p,
                              method="chi-squared", scale=scale, pi_low=nan, pi_high=nan,
                              **common)]
        return rows

    def pooled_frame(self) -> pd.DataFrame:
        """The table of ``results.csv``: one row per scale of the pooled value (the analysis
        scale and, for correlations, r; the SE and test of r are those of z) with every scalar
        field (heterogeneity, options) as a column."""
        import pandas as pd

        base = self.to_dict()
        for key in ("r_estimate", "r_ci_lower", "r_ci_upper", "r_pi_lower", "r_pi_upper"):
            base.pop(key)
        rows = [{"scale": "z" if self.effect == "r" else self.effect, **base}]
        if self.effect == "r":
            rows.append({**rows[0], "scale": "r", "estimate": self.r_estimate,
                         "ci_lower": self.r_ci[0], "ci_upper": self.r_ci[1],
                         "pi_lower": self.r_pi[0], "pi_upper": self.r_pi[1]})
        return pd.DataFrame(rows)

    def studies_frame(self) -> pd.DataFrame:
        """The input effects with their CI, weight (% of the total) and study label."""
        import pandas as pd
        from scipy.stats import norm

        yi, vi = np.asarray(self.yi), np.asarray(self.vi)
        crit = norm.ppf(1 - (1 - self.level) / 2)
        if self.model == "three-level":
            w = 1 / (vi + (self.sigma2 or (0, 0))[1])  # within-study weights (display only)
        else:
            w = 1 / (vi + self.tau2)
        frame = pd.DataFrame({"study": list(self.study_labels()),
                              "label": list(self.effect_labels()), "yi": yi,
                              "vi": vi, "ci_lower": yi - crit * np.sqrt(vi),
                              "ci_upper": yi + crit * np.sqrt(vi), "weight_pct": 100 * w / w.sum()})
        if self.effect == "r":
            frame["r"] = np.tanh(yi)
            frame["r_ci_lower"], frame["r_ci_upper"] = np.tanh(frame["ci_lower"]), np.tanh(
                frame["ci_upper"])
        return frame

    def effect_labels(self) -> tuple[str, ...]:
        """The labels of the effects (``1`` .. ``k`` when none were given)."""
        return self.labels or tuple(str(i) for i in range(1, self.k + 1))

    def study_labels(self) -> tuple[str, ...]:
        """The study of each effect (each effect its own study when none were given)."""
        return self.study or self.effect_labels()

    # -- text ------------------------------------------------------------------------------
    def _what(self) -> str:
        name = MODEL_NAMES.get(self.model if self.model == "three-level" else self.method,
                               "random-effects")
        method = "" if self.method == "FE" else f", τ² by {self.method}"
        kh = ", Knapp-Hartung" if self.knapp_hartung and self.model != "three-level" else ""
        return f"{name.capitalize()} meta-analysis{method}{kh}"

    def apa(self) -> str:
        """One APA sentence: pooled value, CI, test, prediction interval, heterogeneity."""
        from ..apa import fmt_ci, fmt_df, fmt_number, fmt_p

        pct = f"{100 * self.level:g}%"
        if self.effect == "r":
            est = (f"r = {_bounded(self.r_estimate)}, {pct} CI {fmt_ci(*self.r_ci, bounded=True)}")
            pi = f"{pct} PI {fmt_ci(*self.r_pi, bounded=True)}"
        else:
            name = {"d": "g"}.get(self.effect, "estimate")
            est = f"{name} = {fmt_number(self.estimate)}, {pct} CI {fmt_ci(*self.ci)}"
            pi = f"{pct} PI {fmt_ci(*self.pi)}"
        stat = f"t({fmt_df(self.df)})" if math.isfinite(self.df) else "z"
        studies = (f"k = {self.k} effects from {self.n_studies} studies" if self.k != self.n_studies
                   else f"k = {self.k}")
        text = (f"{self._what()} ({studies}): {est}, {stat} = {fmt_number(self.stat)}, "
                f"p {fmt_p(self.p)}")
        if self.method != "FE":
            text += f"; {pi}"
        text += (f"; Q({self.q_df}) = {fmt_number(self.q)}, p {fmt_p(self.q_p)}, "
                 f"I² = {fmt_number(self.i2, 1)}%")
        if self.model == "three-level" and self.sigma2 is not None:
            text += (f", σ²(between studies) = {fmt_number(self.sigma2[0], 3)}, "
                     f"σ²(within studies) = {fmt_number(self.sigma2[1], 3)}")
        elif self.method != "FE":
            text += f", τ² = {fmt_number(self.tau2, 3)}"
            if all(math.isfinite(x) for x in self.tau2_ci):
                text += f", {pct} CI {fmt_ci(*self.tau2_ci, digits=3)}"
        return text + "."

    def summary(self) -> str:
        """A few lines for the console: the APA sentence, the tidy table and the per-study
        table."""
        frame = self.studies_frame()
        cols = ["label", "r", "r_ci_lower", "r_ci_upper"] if self.effect == "r" else [
            "label", "yi", "ci_lower", "ci_upper"]
        table = frame[cols + ["weight_pct"]].to_string(index=False, float_format="%.3f")
        tidy = self.to_frame().drop(columns=["term"]).to_string(float_format=lambda v: f"{v:.4g}")
        return f"{self.apa()}\n\n{tidy}\n\n{table}"

    # -- diagnostics -----------------------------------------------------------------------
    def leave_one_out(self) -> pd.DataFrame:
        """Each study left out in turn (all k fits iterated together, :mod:`.loo`; models with one
        effect per study)."""
        import pandas as pd

        if self.model == "three-level":
            raise InputError("leave-one-out is available for one effect per study; the "
                             "three-level model has repeated study labels",
                             hint="Pool one effect per study to run it")
        y, v = np.asarray(self.yi), np.asarray(self.vi)
        batch = loo_batch(y, v, self.method)
        inf = models.inference(batch, self.knapp_hartung, self.level)
        het = models.heterogeneity(batch, self.method == "FE")
        frame = pd.DataFrame({"left_out": list(self.effect_labels()), "estimate": inf["estimate"],
                              "se": inf["se"], "ci_lower": inf["ci"][0], "ci_upper": inf["ci"][1],
                              "p": inf["p"], "tau2": batch.tau2, "i2": het["i2"], "q": batch.q})
        if self.effect == "r":
            frame["r_estimate"] = np.tanh(frame["estimate"])
        return frame

    def egger(self, model: str = "rma") -> EggerResult:
        """Egger's regression test of funnel asymmetry (see :class:`EggerResult`)."""
        return egger_test(self.yi, self.vi, method=self.method, knapp_hartung=self.knapp_hartung,
                          model=model)


def _bounded(x: float) -> str:
    from ..apa import fmt_bounded

    return fmt_bounded(x)


def leave_one_out_batch(yi: ArrayLike, vi: ArrayLike, method: str = "REML",
                        knapp_hartung: bool = False) -> dict[str, np.ndarray]:
    """Arrays of the k leave-one-out fits (estimate, se, tau2, ...) without building a result;
    the k fits are iterated together in O(k) per iteration (see :mod:`.loo`)."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    batch = loo_batch(y, v, method)
    inf = models.inference(batch, knapp_hartung)
    return {"estimate": inf["estimate"], "se": inf["se"], "tau2": batch.tau2, "q": batch.q}


def egger_test(yi: ArrayLike, vi: ArrayLike, method: str = "REML", knapp_hartung: bool = False,
               model: str = "rma") -> EggerResult:
    """Egger et al. (1997) regression test: ``yi = b0 + b1 sqrt(vi)``, test of ``b1 = 0``."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    if y.size < 3:
        raise InputError(f"Egger's test needs at least 3 studies, got {y.size}")
    if model not in ("rma", "lm"):
        raise InputError(f"model must be 'rma' or 'lm', got {model!r}")
    X = np.column_stack([np.ones(y.size), np.sqrt(v)])
    meth, kh = (("FE", True) if model == "lm" else (method, knapp_hartung))
    batch = models.fit_batch(y, v, np.ones((1, y.size)), meth, X=X)
    slope = models.inference(batch, kh, coef=1)
    return EggerResult(model=model, slope=float(slope["estimate"][0]), se=float(slope["se"][0]),
                       stat=float(slope["stat"][0]), df=float(slope["df"][0]),
                       p=float(slope["p"][0]), intercept=float(batch.beta[0, 0]), k=int(y.size))


def _array(name: str, x: Any, k: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers", value=str(x)[:60]) from exc
    if k is not None and arr.size != k:
        raise InputError(f"{name} has {arr.size} values, expected {k} (one per effect)")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InputError(f"{name} is missing or not finite at position {int(bad[0]) + 1} "
                         f"({bad.size} value(s) in all)", hint="Drop or fill those effects first")
    return arr


def meta_analysis(r: ArrayLike | None = None, n: ArrayLike | None = None, *,
                  yi: ArrayLike | None = None, vi: ArrayLike | None = None,
                  study: Sequence[Any] | None = None, labels: Sequence[Any] | None = None,
                  method: str = "REML", knapp_hartung: bool = False, level: float = 0.95,
                  effect: str | None = None) -> MetaResult:
    """Pool correlations (``r``, ``n``) or any effect sizes (``yi``, ``vi``).

    ``method``: ``"REML"`` (default), ``"ML"``, ``"DL"``, ``"PM"`` or ``"FE"`` (fixed effect).
    ``knapp_hartung``: t tests and intervals on k - 1 df with the Knapp & Hartung (2003) SE
    (three-level model: t on k - 1 df, as metafor's ``rma.mv(test = "t")``). ``study`` with a
    repeated label fits the three-level model (REML only). ``effect`` names the yi scale for
    display (``"d"`` for Hedges' g; default ``"yi"``).
    """
    if (r is None) == (yi is None):
        raise InputError("give either r= and n= (correlations) or yi= and vi= (effect sizes)")
    if r is not None:
        if n is None:
            raise InputError("r= needs n= (the number of pairs behind each correlation)")
        r_arr = _array("r", r)
        n_arr = _array("n", n, r_arr.size)
        if np.any(np.abs(r_arr) >= 1):
            i = int(np.flatnonzero(np.abs(r_arr) >= 1)[0])
            raise InputError(f"r must lie strictly between -1 and 1; effect {i + 1} is not",
                             value=float(r_arr[i]))
        if np.any(n_arr <= 3):
            i = int(np.flatnonzero(n_arr <= 3)[0])
            raise InputError(f"n must exceed 3 for Fisher's z (variance 1/(n - 3)); effect "
                             f"{i + 1} has n = {n_arr[i]:g}")
        y, v = fisher_z(r_arr, n_arr)
        effect = "r"
    else:
        if vi is None:
            raise InputError("yi= needs vi= (the sampling variance of each effect)")
        y = _array("yi", yi)
        v = _array("vi", vi, y.size)
        if np.any(v <= 0):
            raise InputError("vi must be positive", value=float(v[v <= 0][0]))
        effect = effect or "yi"
    k = y.size
    method = str(method).upper()
    if method not in models.METHODS:
        raise InputError(f"method must be one of {', '.join(models.METHODS)}", value=method)
    # labels and study are kept as given (strings); without them they stay empty and the
    # effects are numbered 1..k where shown (no Python work per study on the hot path)
    lab = () if labels is None else tuple(map(str, labels))
    stud = () if study is None else tuple(map(str, study))
    if (lab and len(lab) != k) or (stud and len(stud) != k):
        raise InputError(f"study/labels need one value per effect ({k})")
    if not lab and stud:
        lab = stud
    codes, n_studies = _codes(stud) if stud else (None, k)
    if k < 2:
        raise InputError(f"a meta-analysis needs at least 2 effects, got {k}")
    from scipy.stats import chi2

    m1 = np.ones((1, k))
    if n_studies < k:
        return _three_level(y, v, codes, n_studies, effect, knapp_hartung, level, lab, stud, method)
    batch = models.fit_batch(y, v, m1, method)
    inf = models.inference(batch, knapp_hartung, level)
    het = models.heterogeneity(batch, method == "FE")
    if method == "FE":
        tau2_ci = (math.nan, math.nan)
    else:
        lo, hi = models.tau2_ci_batch(y, v, m1, level)
        tau2_ci = (float(lo[0]), float(hi[0]))
    q = float(batch.q[0])
    ci = (float(inf["ci"][0][0]), float(inf["ci"][1][0]))
    pi = ci if method == "FE" else (float(inf["pi"][0][0]), float(inf["pi"][1][0]))
    return _result(model="fixed" if method == "FE" else "random", method=method, effect=effect,
                   k=k, n_studies=n_studies, estimate=float(inf["estimate"][0]),
                   se=float(inf["se"][0]), stat=float(inf["stat"][0]), df=float(inf["df"][0]),
                   p=float(inf["p"][0]), ci=ci, pi=pi, tau2=float(batch.tau2[0]), tau2_ci=tau2_ci,
                   i2=float(het["i2"][0]), h2=float(het["h2"][0]), q=q, q_df=k - 1,
                   q_p=float(chi2.sf(q, k - 1)), knapp_hartung=knapp_hartung, level=level,
                   converged=bool(batch.converged[0]), yi=tuple(y.tolist()),
                   vi=tuple(v.tolist()), labels=lab, study=stud)


def _codes(labels: tuple[str, ...]) -> tuple[np.ndarray, int]:
    """Integer study codes in order of first appearance, and the number of studies."""
    uniq, first, inverse = np.unique(np.asarray(labels, dtype=object), return_index=True,
                                     return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[inverse].astype(np.intp), int(uniq.size)


def _result(**kw) -> MetaResult:
    tr = math.tanh
    if kw["effect"] == "r":
        kw["r_estimate"] = tr(kw["estimate"])
        kw["r_ci"] = (tr(kw["ci"][0]), tr(kw["ci"][1]))
        kw["r_pi"] = (tr(kw["pi"][0]), tr(kw["pi"][1]))
    else:
        kw["r_estimate"], kw["r_ci"], kw["r_pi"] = math.nan, (math.nan, math.nan), (math.nan,
                                                                                      math.nan)
    return MetaResult(**kw)


def _three_level(y, v, codes, n_studies, effect, t_test, level, lab, stud, method) -> MetaResult:
    from scipy import stats

    from .multilevel import fit_three_level

    if method != "REML":
        raise InputError(f"the three-level model (repeated study labels) is fitted by REML only, "
                         f"not {method}", hint="Use method='REML' or one effect per study")
    k = y.size
    fit = fit_three_level(y, v, codes, n_studies)
    est, se = fit["mu"], fit["se"]
    s1, s2 = fit["sigma2_study"], fit["sigma2_effect"]
    df = float(k - 1) if t_test else math.nan
    crit = (stats.t.ppf(1 - (1 - level) / 2, df) if t_test else
            stats.norm.ppf(1 - (1 - level) / 2))
    stat = est / se
    p = float(2 * (stats.t.sf(abs(stat), df) if t_test else stats.norm.sf(abs(stat))))
    w = 1 / v
    mu_fe = (w * y).sum() / w.sum()
    q = float((w * (y - mu_fe) ** 2).sum())
    trp0 = w.sum() - (w * w).sum() / w.sum()
    s2typ = (k - 1) / trp0
    total = s1 + s2
    pi_half = crit * math.sqrt(se**2 + total)
    return _result(model="three-level", method="REML", effect=effect, k=k, n_studies=n_studies,
                   estimate=est, se=se, stat=stat, df=df, p=p,
                   ci=(est - crit * se, est + crit * se), pi=(est - pi_half, est + pi_half),
                   tau2=total, tau2_ci=(math.nan, math.nan),
                   i2=100 * total / (total + s2typ), h2=(total + s2typ) / s2typ, q=q, q_df=k - 1,
                   q_p=float(stats.chi2.sf(q, k - 1)), sigma2=(s1, s2), knapp_hartung=t_test,
                   level=level, converged=fit["converged"], yi=tuple(y.tolist()),
                   vi=tuple(v.tolist()), labels=lab, study=stud)


def _cell(x: Any, digits: int = 3) -> str:
    if isinstance(x, float):
        return "" if not math.isfinite(x) else f"{x:.{digits}f}"
    return str(x)


def result_table(result: MetaResult, title: str | None = None) -> ApaTable:
    """The pooled estimate(s) as an :class:`~alliance_analysis.report.tables.ApaTable`."""
    from ..report.tables import ApaTable

    frame = result.pooled_frame()
    cols = ["scale", "estimate", "se", "ci_lower", "ci_upper", "pi_lower", "pi_upper", "p",
            "tau2", "i2", "q", "q_p"]
    rows = tuple(tuple(_cell(v) for v in r) for r in frame[cols].itertuples(index=False))
    return ApaTable(title=title or result._what(), note=result.apa(), columns=tuple(cols),
                    rows=rows, data=frame, name="pooled")
