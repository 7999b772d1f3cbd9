"""Run an :class:`~.plan.AnalysisPlan` on loaded data into frozen result objects (no files).

Analyses (each a family for the multiplicity correction, :func:`stats.adjust_pvalues`):

(a) ``alliance_change``: per alliance measure (instrument.scale), its first vs its last
    timepoint, :func:`stats.paired_ttest` (pairs with a missing value dropped; d family of
    Lakens 2013 / Cumming 2012, see :mod:`alliance_analysis.stats.paired`);
(b) ``correlations``: every alliance and acute-experience variable with every outcome column
    (follow-ups, and baseline unless ``include_baseline = false``), :func:`stats.correlate`
    (pairwise deletion: each pair uses its own complete cases; Fisher-z CI);
(c) ``regressions``: each follow-up outcome on its baseline (step 1) then one alliance variable
    (step 2), :func:`stats.hierarchical_regress` (listwise within each model; ΔR², F-change, β);
(d) ``mediation``: alliance → acute experience → outcome, :func:`stats.mediate` (Hayes 2022
    model 4; a·b with a seeded vectorised bootstrap CI; baseline outcome as covariate unless
    ``adjust_baseline = false``). Mediation is judged by its CI; no p-value is corrected.

A test that cannot be computed on these data (too few complete cases, a constant variable) is
kept as a row with NaN numbers and the reason in ``note``; it does not stop the other tests.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .plan import AnalysisPlan, PlanSpec, read_plan, resolve_plan, split_column

if TYPE_CHECKING:  # pragma: no cover
    from ..io import LoadResult
    from ..stats import (
        CorrelationResult,
        HierarchicalRegressionResult,
        MediationResult,
        PairedTTestResult,
    )

NaN = float("nan")

SYNTHETIC_NOTICE = ("SYNTHETIC DATA: {name} is one of the package's synthetic datasets; no value is "
                    "an observation of any person and no statistic below is evidence about any "
                    "trial.")
USER_DATA_NOTICE = ("DATA SUPPLIED BY THE USER: {name}. Analysed with alliance-analysis analyze; "
                    "check the loader audit before interpreting any result.")


def data_notice(data_path: str | Path) -> tuple[str, bool]:
    """The notice that leads every output, and whether the data are the synthetic example.

    A data file whose name contains ``synthetic`` (as every file in ``data/examples/`` and
    ``data/synthetic/`` does) is treated as synthetic; any other file as the user's own data.
    """
    name = Path(data_path).name
    synthetic = "synthetic" in name.lower()
    return (SYNTHETIC_NOTICE if synthetic else USER_DATA_NOTICE).format(name=name), synthetic


@dataclasses.dataclass(frozen=True)
class ResultRow:
    """One row of ``results.csv`` / ``results.json``: one test.

    ``value`` is the test statistic named by ``statistic`` (t, r, F_change, ab); ``df``/``df2``
    its degrees of freedom; ``effect``/``estimate`` the effect size with its CI
    (``ci_method``). ``p_adjusted`` is corrected within the analysis family
    (``correction``, ``family_size`` tests).
    """

    analysis: str
    variables: str
    statistic: str
    value: float
    df: float
    df2: float
    p: float
    p_adjusted: float
    correction: str
    family_size: int
    n: int
    n_dropped: int
    effect: str
    estimate: float
    ci_lower: float
    ci_upper: float
    ci_method: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


RESULT_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ResultRow))


@dataclasses.dataclass(frozen=True)
class ChangeAnalysis:
    """(a) Alliance change ``pre`` → ``post`` (same instrument and scale)."""

    pre: str
    post: str
    result: PairedTTestResult | None
    p_adjusted: float = NaN
    note: str = ""


@dataclasses.dataclass(frozen=True)
class CorrelationAnalysis:
    """(b) Correlation of a predictor (alliance or experience) ``x`` with an outcome ``y``."""

    x: str
    y: str
    role: str  # "alliance" or "experience"
    result: CorrelationResult | None
    p_adjusted: float = NaN
    note: str = ""


@dataclasses.dataclass(frozen=True)
class RegressionAnalysis:
    """(c) ``outcome`` ~ ``baseline`` (step 1) + ``predictor`` (step 2)."""

    outcome: str
    baseline: str
    predictor: str
    result: HierarchicalRegressionResult | None
    p_adjusted: float = NaN
    note: str = ""

    @property
    def change(self) -> dict[str, float]:
        """The step-2 row of ``changes`` (ΔR², F-change, df1, df2, p_change)."""
        if self.result is None:
            return {k: NaN for k in ("r2", "delta_r2", "f_change", "df1", "df2", "p_change")}
        row = self.result.changes.iloc[-1]
        return {k: float(row[k]) for k in ("r2", "delta_r2", "f_change", "df1", "df2",
                                           "p_change")}

    @property
    def coefficient(self) -> dict[str, float]:
        """The predictor's row in the step-2 model (b, se, t, p, CI, β, sr²)."""
        keys = ("b", "se", "t", "p", "ci_lower", "ci_upper", "beta", "sr2")
        if self.result is None:
            return {k: NaN for k in keys}
        coefs = self.result.steps[-1].coefficients
        row = coefs[coefs["term"] == self.predictor].iloc[0]
        return {k: float(row[k]) for k in keys}


@dataclasses.dataclass(frozen=True)
class MediationAnalysis:
    """(d) ``x`` → ``m`` → ``y`` controlling for ``covariates``."""

    x: str
    m: str
    y: str
    covariates: tuple[str, ...]
    result: MediationResult | None
    note: str = ""


@dataclasses.dataclass(frozen=True, eq=False)
class AnalysisRun:
    """Everything :func:`run_analysis` computed; :mod:`.outputs` writes it."""

    plan: AnalysisPlan
    loaded: LoadResult
    data_path: Path
    mapping_path: Path | None
    notice: str
    synthetic: bool
    changes: tuple[ChangeAnalysis, ...] = ()
    correlations: tuple[CorrelationAnalysis, ...] = ()
    regressions: tuple[RegressionAnalysis, ...] = ()
    mediations: tuple[MediationAnalysis, ...] = ()

    @property
    def wide(self):
        return self.loaded.wide

    def family_size(self, analysis: str) -> int:
        """Number of finite p-values in the family of ``analysis`` (the correction's m)."""
        items = {"alliance_change": self.changes, "correlations": self.correlations,
                 "regressions": self.regressions}.get(analysis, ())
        return sum(1 for a in items if math.isfinite(_p_of(a)))

    def rows(self) -> tuple[ResultRow, ...]:
        """One :class:`ResultRow` per test, in plan order (a, b, c, d)."""
        out: list[ResultRow] = []
        plan = self.plan
        ci_t = "noncentral t (Steiger & Fouladi 1997)"
        for a in self.changes:
            r = a.result
            out.append(ResultRow(
                analysis="alliance_change", variables=f"{a.pre} -> {a.post}", statistic="t",
                value=_f(r, "t"), df=_f(r, "df"), df2=NaN, p=_f(r, "p"),
                p_adjusted=a.p_adjusted, correction=plan.correction,
                family_size=self.family_size("alliance_change"), n=_n(r),
                n_dropped=_n(r, "n_dropped"), effect="d_z", estimate=_f(r, "d_z"),
                ci_lower=r.d_z_ci[0] if r else NaN, ci_upper=r.d_z_ci[1] if r else NaN,
                ci_method=ci_t, note=a.note))
        name = "r_s" if plan.correlation_method == "spearman" else "r"
        for a in self.correlations:
            r = a.result
            out.append(ResultRow(
                analysis="correlations", variables=f"{a.x} ~ {a.y}", statistic=name,
                value=_f(r, "r"), df=_f(r, "df"), df2=NaN, p=_f(r, "p"),
                p_adjusted=a.p_adjusted, correction=plan.correction,
                family_size=self.family_size("correlations"), n=_n(r),
                n_dropped=_n(r, "n_dropped"), effect=name, estimate=_f(r, "r"),
                ci_lower=r.ci[0] if r else NaN, ci_upper=r.ci[1] if r else NaN,
                ci_method="Fisher z", note=a.note))
        for a in self.regressions:
            ch, co = a.change, a.coefficient
            out.append(ResultRow(
                analysis="regressions", variables=f"{a.outcome} ~ {a.baseline} + {a.predictor}",
                statistic="F_change", value=ch["f_change"], df=ch["df1"], df2=ch["df2"],
                p=ch["p_change"], p_adjusted=a.p_adjusted, correction=plan.correction,
                family_size=self.family_size("regressions"),
                n=a.result.n if a.result else 0,
                n_dropped=a.result.n_dropped if a.result else 0, effect="beta",
                estimate=co["beta"], ci_lower=NaN, ci_upper=NaN, ci_method="",
                note=a.note or f"delta_r2 = {_g(ch['delta_r2'])}; b = {_g(co['b'])}, 95% CI "
                f"[{_g(co['ci_lower'])}, {_g(co['ci_upper'])}]"))
        for a in self.mediations:
            r = a.result
            cov = f" | {', '.join(a.covariates)}" if a.covariates else ""
            out.append(ResultRow(
                analysis="mediation", variables=f"{a.x} -> {a.m} -> {a.y}{cov}",
                statistic="ab", value=_f(r, "indirect"), df=NaN, df2=NaN, p=NaN,
                p_adjusted=NaN, correction="none", family_size=0, n=_n(r),
                n_dropped=_n(r, "n_dropped"), effect="ab", estimate=_f(r, "indirect"),
                ci_lower=r.indirect_ci[0] if r else NaN, ci_upper=r.indirect_ci[1] if r else NaN,
                ci_method=(f"{r.ci} bootstrap, {r.n_boot} resamples, seed {r.seed}" if r
                           else ""), note=a.note))
        return tuple(out)


def _f(result: Any, name: str) -> float:
    return float(getattr(result, name)) if result is not None else NaN


def _n(result: Any, name: str = "n") -> int:
    return int(getattr(result, name)) if result is not None else 0


def _g(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else "NaN"


def _p_of(item: Any) -> float:
    if isinstance(item, RegressionAnalysis):
        return item.change["p_change"]
    return _f(item.result, "p")


def _attempt(fn: Callable[[], Any]) -> tuple[Any, str]:
    """Run one test; a data problem (InputError) or a ComputationWarning becomes a note."""
    from ..errors import ComputationWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ComputationWarning)
        try:
            result = fn()
        except InputError as exc:
            return None, f"not computed: {exc.what}"
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, ComputationWarning)})
    return result, "; ".join(notes)


def _measure(column: str) -> str:
    parts = split_column(column)
    return f"{parts[0]}.{parts[1]}" if parts else column


def _tp_rank(plan: AnalysisPlan, column: str) -> int:
    parts = split_column(column)
    if parts is None:
        return 0
    order = plan.timepoint_order.get(parts[0], ())
    return order.index(parts[2]) if parts[2] in order else len(order)


def change_pairs(plan: AnalysisPlan) -> list[tuple[str, str]]:
    """(first, last) timepoint column of each alliance measure with at least two timepoints."""
    groups: dict[str, list[str]] = {}
    for col in plan.alliance:
        groups.setdefault(_measure(col), []).append(col)
    pairs = []
    for cols in groups.values():
        if len(cols) >= 2:
            ordered = sorted(cols, key=lambda c: _tp_rank(plan, c))
            pairs.append((ordered[0], ordered[-1]))
    return pairs


def _adjust(items: list, plan: AnalysisPlan) -> list:
    from ..stats import adjust_pvalues

    if not items:
        return items
    p = [_p_of(a) for a in items]
    adj = adjust_pvalues(p, plan.correction)
    return [dataclasses.replace(a, p_adjusted=float(q)) for a, q in zip(items, adj, strict=True)]


def run_plan(plan: AnalysisPlan, loaded: LoadResult, data_path: str | Path,
             mapping_path: str | Path | None = None,
             progress: Callable[[int, str], Any] | None = None) -> AnalysisRun:
    """Compute every analysis of ``plan`` on ``loaded.wide``.

    ``progress(total, label)`` (optional) returns an object with ``step()``; it is used for the
    bootstrap (see :class:`~.progress.Progress`).
    """
    from ..stats import correlate, hierarchical_regress, mediate, paired_ttest

    wide = loaded.wide
    data_path = Path(data_path)
    notice, synthetic = data_notice(data_path)
    conf = plan.confidence

    changes: list[ChangeAnalysis] = []
    if plan.runs("alliance_change"):
        for pre, post in change_pairs(plan):
            res, note = _attempt(lambda pre=pre, post=post: paired_ttest(
                wide[pre], wide[post], confidence=conf))
            changes.append(ChangeAnalysis(pre=pre, post=post, result=res, note=note))
        changes = _adjust(changes, plan)

    correlations: list[CorrelationAnalysis] = []
    if plan.runs("correlations"):
        targets: list[str] = []
        for col in plan.outcomes:
            base = plan.baselines.get(col)
            if plan.include_baseline and base and base not in targets:
                targets.append(base)
            targets.append(col)
        predictors = [(c, "alliance") for c in plan.alliance] + [
            (c, "experience") for c in plan.experience]
        for x, role in predictors:
            for y in targets:
                res, note = _attempt(lambda x=x, y=y: correlate(
                    wide[x], wide[y], method=plan.correlation_method, confidence=conf))
                correlations.append(CorrelationAnalysis(x=x, y=y, role=role, result=res,
                                                        note=note))
        correlations = _adjust(correlations, plan)

    regressions: list[RegressionAnalysis] = []
    if plan.runs("regressions"):
        for y in plan.outcomes:
            base = plan.baselines[y]
            for a in plan.alliance:
                res, note = _attempt(lambda y=y, base=base, a=a: hierarchical_regress(
                    wide, y, [[base], [a]]))
                regressions.append(RegressionAnalysis(outcome=y, baseline=base, predictor=a,
                                                      result=res, note=note))
        regressions = _adjust(regressions, plan)

    mediations: list[MediationAnalysis] = []
    if plan.runs("mediation"):
        combos = [(x, m, y) for y in plan.mediation_y for x in plan.mediation_x
                  for m in plan.mediation_m]
        bar = progress(len(combos), f"bootstrap ({plan.resamples} resamples per model)") \
            if progress else None
        for x, m, y in combos:
            base = plan.baselines.get(y)
            covs = (base,) if plan.adjust_baseline and base else ()
            if len({x, m, y, *covs}) < 3 + len(covs):
                mediations.append(MediationAnalysis(x=x, m=m, y=y, covariates=covs, result=None,
                                                    note="not computed: x, m, y and the "
                                                    "covariates must be different columns"))
            else:
                res, note = _attempt(lambda x=x, m=m, y=y, covs=covs: mediate(
                    wide, x, m, y, covariates=list(covs), n_boot=plan.resamples, ci=plan.ci,
                    confidence=conf, seed=plan.seed))
                mediations.append(MediationAnalysis(x=x, m=m, y=y, covariates=covs, result=res,
                                                    note=note))
            if bar is not None:
                bar.step()

    mapping = Path(mapping_path) if mapping_path is not None else None
    return AnalysisRun(plan=plan, loaded=loaded, data_path=data_path, mapping_path=mapping,
                       notice=notice, synthetic=synthetic, changes=tuple(changes),
                       correlations=tuple(correlations), regressions=tuple(regressions),
                       mediations=tuple(mediations))


def run_analysis(data: str | Path, mapping: str | Path | None = None,
                 plan: str | Path | PlanSpec | dict | None = None,
                 progress: Callable[[int, str], Any] | None = None) -> AnalysisRun:
    """Load ``data`` with ``mapping``, validate ``plan`` (file, dict, PlanSpec or None = default)
    against the data, then run it. Everything is validated before any statistic is computed;
    bad input raises :class:`InputError`."""
    from ..io import load_table

    spec = plan if isinstance(plan, PlanSpec) else read_plan(plan)
    data_path = Path(data)
    if not data_path.exists():
        raise InputError("data file not found", file=str(data_path), hint="Check the DATA path")
    loaded = load_table(data_path, mapping)
    resolved = resolve_plan(spec, loaded)
    return run_plan(resolved, loaded, data_path, mapping, progress=progress)
