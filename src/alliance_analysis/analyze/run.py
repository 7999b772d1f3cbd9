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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .plan import AnalysisPlan, PlanSpec, read_plan, resolve_plan, split_column

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..io import LoadResult
    from ..stats import (
        CorrelationResult,
        HierarchicalRegressionResult,
        MediationResult,
        MixedModelResult,
        PairedTTestResult,
        RegressionResult,
    )

NaN = float("nan")

SYNTHETIC_NOTICE = ("SYNTHETIC DATA: {name} is one of the package's synthetic datasets; no value is "
                    "an observation of any person and no statistic below is evidence about any "
                    "trial.")
USER_DATA_NOTICE = ("YOUR DATA (supplied by the user): {name}. Analysed with alliance-analysis "
                    "analyze; check the loader audit before interpreting any result.")
REAL_NOTICE = ("REAL PUBLIC DATA: {name}, patient-level data of real trial participants "
               "({file}). Citation: {citation}. Licence: {licence}. The analyses are "
               "exploratory: no published claim is tested here.")


def data_notice(data_path: str | Path, dataset: Mapping[str, str] | None = None
                ) -> tuple[str, bool]:
    """The notice that leads every output, and whether the data are synthetic.

    The mapping's ``[dataset] provenance`` decides when it is given: ``real_public`` (with its
    name, citation and licence), ``synthetic`` or ``user``. Without it, a data file whose name
    contains ``synthetic`` (as every file in ``data/examples/`` and ``data/synthetic/`` does) is
    treated as synthetic and any other file as the user's own data.
    """
    name = Path(data_path).name
    dataset = dict(dataset or {})
    provenance = dataset.get("provenance")
    if provenance == "real_public":
        return REAL_NOTICE.format(name=dataset.get("name", name), file=name,
                                  citation=dataset["citation"].rstrip("."),
                                  licence=dataset["licence"].rstrip(".")), False
    synthetic = provenance == "synthetic" or (provenance is None and "synthetic" in name.lower())
    return (SYNTHETIC_NOTICE if synthetic else USER_DATA_NOTICE).format(name=name), synthetic


@dataclasses.dataclass(frozen=True)
class ResultRow:
    """One row of ``results.csv`` / ``results.json``: one test.

    ``arm`` is the arm the test was run in (``all`` when there is one arm, ``all (pooled)``
    when the plan pools the arms, ``between arms`` for a test of arm). ``value`` is the test
    statistic named by ``statistic`` (t, r, F_change, ab); ``df``/``df2`` its degrees of
    freedom; ``effect``/``estimate`` the effect size with its CI (``ci_method``).
    ``p_adjusted`` is corrected within the family (analysis x arm: ``correction``,
    ``family_size`` tests). A row with ``statistic`` empty records an analysis that yielded
    nothing, with the reason in ``note``.
    """

    analysis: str
    arm: str
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
ALL = "all"
#: Prefix of an ``empty`` reason when an analysis ran only in part.
PARTIAL = "in part: "
POOLED = "all (pooled)"
BETWEEN = "between arms"


@dataclasses.dataclass(frozen=True)
class ChangeAnalysis:
    """(a) Alliance change, or (a') outcome change, ``pre`` → ``post`` (paired t test)."""

    pre: str
    post: str
    result: PairedTTestResult | None
    p_adjusted: float = NaN
    note: str = ""
    arm: str = ALL


@dataclasses.dataclass(frozen=True)
class CorrelationAnalysis:
    """(b) Correlation of a predictor (alliance or experience) ``x`` with an outcome ``y``."""

    x: str
    y: str
    role: str  # "alliance" or "experience"
    result: CorrelationResult | None
    p_adjusted: float = NaN
    note: str = ""
    arm: str = ALL


@dataclasses.dataclass(frozen=True)
class RegressionAnalysis:
    """(c) ``outcome`` ~ ``baseline`` (step 1) + ``predictor`` (step 2)."""

    outcome: str
    baseline: str
    predictor: str
    result: HierarchicalRegressionResult | None
    p_adjusted: float = NaN
    note: str = ""
    arm: str = ALL

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
class BetweenArmAnalysis:
    """(e) A test of arm: ANCOVA ``outcome ~ baseline + arm`` (``kind = "ancova"``, the term is
    the arm indicator) or the arm x alliance interaction ``outcome ~ baseline + alliance + arm +
    alliance:arm`` (``kind = "moderation"``). ``arm`` is the arm compared with ``reference``."""

    kind: str
    outcome: str
    baseline: str
    predictor: str
    arm: str
    reference: str
    term: str
    result: RegressionResult | None
    p_adjusted: float = NaN
    note: str = ""

    @property
    def coefficient(self) -> dict[str, float]:
        keys = ("b", "se", "t", "p", "ci_lower", "ci_upper", "beta")
        if self.result is None:
            return {k: NaN for k in keys}
        coefs = self.result.coefficients
        row = coefs[coefs["term"] == self.term].iloc[0]
        return {k: float(row[k]) for k in keys}

    @property
    def label(self) -> str:
        if self.kind == "ancova":
            return f"{self.outcome} ~ {self.baseline} + arm[{self.arm} vs {self.reference}]"
        return (f"{self.outcome} ~ {self.baseline} + {self.predictor} x arm[{self.arm} vs "
                f"{self.reference}]")


@dataclasses.dataclass(frozen=True)
class MixedAnalysis:
    """(f) A linear mixed model over all visits of one outcome measure: ``score ~ tp * arm``
    (between arms), ``score ~ tp * alliance`` (within an arm) or ``score ~ tp * arm * alliance``.
    ``visits``: the timepoints in order (the first is the reference level of ``tp``);
    ``moderator``: the alliance column (centred at its mean over the model's participants,
    ``centre``) or empty."""

    measure: str
    arm: str
    formula: str
    visits: tuple[str, ...]
    moderator: str
    centre: float
    reference_arm: str
    result: MixedModelResult | None
    note: str = ""

    def term_label(self, term: str) -> str:
        """``tpwk2:armpsilocybin:alliance`` → ``tp[wk2]:arm[psilocybin]:ta``."""
        parts = []
        for part in term.split(":"):
            if part == "alliance":
                parts.append(self.moderator)
            elif part.startswith("tp") and part[2:] in self.visits:
                parts.append(f"tp[{part[2:]}]")
            elif part.startswith("arm"):
                parts.append(f"arm[{part[3:]}]")
            else:
                parts.append(part)
        return ":".join(parts)

    @property
    def label(self) -> str:
        rhs = self.formula.split("~", 1)[1].strip().replace("alliance", self.moderator)
        return f"{self.measure} ~ {rhs}"


@dataclasses.dataclass(frozen=True)
class MediationAnalysis:
    """(d) ``x`` → ``m`` → ``y`` controlling for ``covariates``."""

    x: str
    m: str
    y: str
    covariates: tuple[str, ...]
    result: MediationResult | None
    note: str = ""
    arm: str = ALL


@dataclasses.dataclass(frozen=True, eq=False)
class AnalysisRun:
    """Everything :func:`run_analysis` computed; :mod:`.outputs` writes it.

    ``empty``: ``(analysis, reason)`` for each analysis of the plan that yielded no test (left
    out by the default plan, or nothing to compute on these data). ``subsets``: the
    participant groups the analyses ran in, ``(label, n participants)``; ``no_arm``: the number
    of participants without an arm (left out of every per-arm analysis).
    """

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
    outcome_changes: tuple[ChangeAnalysis, ...] = ()
    between: tuple[BetweenArmAnalysis, ...] = ()
    mixed: tuple[MixedAnalysis, ...] = ()
    empty: tuple[tuple[str, str], ...] = ()
    subsets: tuple[tuple[str, int], ...] = ()
    no_arm: int = 0
    data_name: str = ""
    real: bool = False
    #: reliability of every item-scored scale (:func:`alliance_analysis.scale_reliability`)
    reliability: Any = None

    @property
    def wide(self):
        return self.loaded.wide

    def subset(self, arm: str):
        """The rows of ``wide`` of one arm label (every row for ``all``/``all (pooled)``)."""
        wide = self.loaded.wide
        if arm in (ALL, POOLED, BETWEEN) or "arm" not in wide.columns:
            return wide
        return wide[wide["arm"].astype("string") == arm]

    def _family(self, analysis: str) -> tuple:
        return {"alliance_change": self.changes, "outcome_change": self.outcome_changes,
                "correlations": self.correlations, "regressions": self.regressions,
                "between_arms": self.between}.get(analysis, ())

    def family_size(self, analysis: str, arm: str | None = None) -> int:
        """Number of finite p-values in the family of ``analysis`` (within ``arm`` when given,
        for the between-arm tests within their kind): the correction's m."""
        items = self._family(analysis)
        if arm is not None:
            items = [a for a in items if _family_key(a) == arm]
        return sum(1 for a in items if math.isfinite(_p_of(a)))

    def rows(self) -> tuple[ResultRow, ...]:
        """One :class:`ResultRow` per test, in plan order."""
        out: list[ResultRow] = []
        plan = self.plan
        ci_t = "noncentral t (Steiger & Fouladi 1997)"
        for name, items in (("alliance_change", self.changes),
                            ("outcome_change", self.outcome_changes)):
            for a in items:
                r = a.result
                out.append(ResultRow(
                    analysis=name, arm=a.arm, variables=f"{a.pre} -> {a.post}", statistic="t",
                    value=_f(r, "t"), df=_f(r, "df"), df2=NaN, p=_f(r, "p"),
                    p_adjusted=a.p_adjusted, correction=plan.correction,
                    family_size=self.family_size(name, a.arm), n=_n(r),
                    n_dropped=_n(r, "n_dropped"), effect="d_z", estimate=_f(r, "d_z"),
                    ci_lower=r.d_z_ci[0] if r else NaN, ci_upper=r.d_z_ci[1] if r else NaN,
                    ci_method=ci_t, note=a.note or (
                        f"d_av = {_g(r.d_av)}; d_rm = {_g(r.d_rm)}; g_av = {_g(r.g_av)}"
                        if r else "")))
        name = "r_s" if plan.correlation_method == "spearman" else "r"
        for a in self.correlations:
            r = a.result
            out.append(ResultRow(
                analysis="correlations", arm=a.arm, variables=f"{a.x} ~ {a.y}", statistic=name,
                value=_f(r, "r"), df=_f(r, "df"), df2=NaN, p=_f(r, "p"),
                p_adjusted=a.p_adjusted, correction=plan.correction,
                family_size=self.family_size("correlations", a.arm), n=_n(r),
                n_dropped=_n(r, "n_dropped"), effect=name, estimate=_f(r, "r"),
                ci_lower=r.ci[0] if r else NaN, ci_upper=r.ci[1] if r else NaN,
                ci_method="Fisher z", note=a.note))
        for a in self.regressions:
            ch, co = a.change, a.coefficient
            out.append(ResultRow(
                analysis="regressions", arm=a.arm,
                variables=f"{a.outcome} ~ {a.baseline} + {a.predictor}",
                statistic="F_change", value=ch["f_change"], df=ch["df1"], df2=ch["df2"],
                p=ch["p_change"], p_adjusted=a.p_adjusted, correction=plan.correction,
                family_size=self.family_size("regressions", a.arm),
                n=a.result.n if a.result else 0,
                n_dropped=a.result.n_dropped if a.result else 0, effect="beta",
                estimate=co["beta"], ci_lower=NaN, ci_upper=NaN, ci_method="",
                note=a.note or f"delta_r2 = {_g(ch['delta_r2'])}; b = {_g(co['b'])}, 95% CI "
                f"[{_g(co['ci_lower'])}, {_g(co['ci_upper'])}]"))
        for a in self.between:
            co = a.coefficient
            r = a.result
            out.append(ResultRow(
                analysis="between_arms", arm=BETWEEN, variables=a.label, statistic="t",
                value=co["t"], df=float(r.df_resid) if r else NaN, df2=NaN, p=co["p"],
                p_adjusted=a.p_adjusted, correction=plan.correction,
                family_size=self.family_size("between_arms", a.kind), n=_n(r),
                n_dropped=_n(r, "n_dropped"), effect="b", estimate=co["b"],
                ci_lower=co["ci_lower"], ci_upper=co["ci_upper"], ci_method="t (OLS)",
                note=a.note or f"{'ANCOVA' if a.kind == 'ancova' else 'interaction'}; "
                f"beta = {_g(co['beta'])}"))
        for a in self.mixed:
            r = a.result
            if r is None:
                out.append(ResultRow(
                    analysis="mixed_models", arm=a.arm, variables=a.label, statistic="t",
                    value=NaN, df=NaN, df2=NaN, p=NaN, p_adjusted=NaN, correction="none",
                    family_size=0, n=0, n_dropped=0, effect="b", estimate=NaN, ci_lower=NaN,
                    ci_upper=NaN, ci_method="", note=a.note))
                continue
            for j, term in enumerate(r.terms):
                if term == "(Intercept)":
                    continue
                out.append(ResultRow(
                    analysis="mixed_models", arm=a.arm, variables=f"{a.label}: "
                    f"{a.term_label(term)}", statistic="t", value=float(r.t[j]),
                    df=float(r.df[j]), df2=NaN, p=float(r.p[j]), p_adjusted=NaN,
                    correction="none", family_size=0, n=r.n_groups, n_dropped=r.n_dropped,
                    effect="b", estimate=float(r.estimate[j]), ci_lower=float(r.ci_low[j]),
                    ci_upper=float(r.ci_high[j]), ci_method="Wald t (Satterthwaite df)",
                    note="; ".join((f"{r.n_obs} observations", *r.notes, *(
                        [a.note] if a.note else [])))))
        for a in self.mediations:
            r = a.result
            cov = f" | {', '.join(a.covariates)}" if a.covariates else ""
            out.append(ResultRow(
                analysis="mediation", arm=a.arm, variables=f"{a.x} -> {a.m} -> {a.y}{cov}",
                statistic="ab", value=_f(r, "indirect"), df=NaN, df2=NaN, p=NaN,
                p_adjusted=NaN, correction="none", family_size=0, n=_n(r),
                n_dropped=_n(r, "n_dropped"), effect="ab", estimate=_f(r, "indirect"),
                ci_lower=r.indirect_ci[0] if r else NaN, ci_upper=r.indirect_ci[1] if r else NaN,
                ci_method=(f"{r.ci} bootstrap, {r.n_boot} resamples, seed {r.seed}" if r
                           else ""), note=a.note))
        for analysis, reason in self.empty:
            out.append(ResultRow(
                analysis=analysis, arm="", variables="", statistic="", value=NaN, df=NaN,
                df2=NaN, p=NaN, p_adjusted=NaN, correction="none", family_size=0, n=0,
                n_dropped=0, effect="", estimate=NaN, ci_lower=NaN, ci_upper=NaN, ci_method="",
                note=empty_note(reason)))
        return tuple(out)


def empty_note(reason: str) -> str:
    """The note of an analysis that yielded nothing (or, with :data:`PARTIAL`, only in part)."""
    if reason.startswith(PARTIAL):
        return "some models not fitted: " + reason.removeprefix(PARTIAL)
    return f"nothing computed: {reason}"


def _f(result: Any, name: str) -> float:
    return float(getattr(result, name)) if result is not None else NaN


def _n(result: Any, name: str = "n") -> int:
    return int(getattr(result, name)) if result is not None else 0


def _g(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else "NaN"


def _p_of(item: Any) -> float:
    if isinstance(item, RegressionAnalysis):
        return item.change["p_change"]
    if isinstance(item, BetweenArmAnalysis):
        return item.coefficient["p"]
    return _f(item.result, "p")


def _family_key(item: Any) -> str:
    return item.kind if isinstance(item, BetweenArmAnalysis) else item.arm


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
    """Adjust the p values within each family (analysis x arm; between arms: x kind)."""
    from ..stats import adjust_pvalues

    if not items:
        return items
    out = list(items)
    for key in dict.fromkeys(_family_key(a) for a in items):
        idx = [i for i, a in enumerate(items) if _family_key(a) == key]
        adj = adjust_pvalues([_p_of(items[i]) for i in idx], plan.correction)
        for i, q in zip(idx, adj, strict=True):
            out[i] = dataclasses.replace(items[i], p_adjusted=float(q))
    return out


def _subsets(plan: AnalysisPlan, wide) -> tuple[list[tuple[str, Any]], int]:
    """(label, rows) of the participant groups every analysis runs in, and the number of
    participants left out for having no arm."""
    if not plan.by_arm:
        return [(POOLED if plan.arms == "pooled" else ALL, wide)], 0
    arm = wide["arm"].astype("string")
    return [(level, wide[arm == level]) for level in plan.arm_levels], int(arm.isna().sum())


def _indicator(name: str) -> str:
    return f"arm[{name}]"


def between_arm_tests(plan: AnalysisPlan, wide) -> list[BetweenArmAnalysis]:
    """ANCOVA of each follow-up outcome on baseline + arm, and the alliance x arm interaction
    (per per-participant alliance variable), each arm against the first arm (sorted).

    No bootstrap of the standardized coefficients (``n_boot=0``): these tests report b with
    its t interval and β alone (:attr:`BetweenArmAnalysis.coefficient`), so a β interval
    would be computed and never shown."""
    from ..stats import regress

    ref, others = plan.arm_levels[0], plan.arm_levels[1:]
    arm = wide["arm"].astype("string")
    frame = wide.copy()
    for level in others:
        frame[_indicator(level)] = (arm == level).astype(float).where(arm.notna())
    out: list[BetweenArmAnalysis] = []
    inds = [_indicator(level) for level in others]
    for y in plan.outcomes:
        base = plan.baselines[y]
        res, note = _attempt(lambda y=y, base=base: regress(frame, y, inds, [base], n_boot=0))
        for level in others:
            out.append(BetweenArmAnalysis(kind="ancova", outcome=y, baseline=base, predictor="",
                                          arm=level, reference=ref, term=_indicator(level),
                                          result=res, note=note))
    for a in plan.alliance_person:
        prods = []
        for level in others:
            prod = f"{a} x {_indicator(level)}"
            frame[prod] = frame[a] * frame[_indicator(level)]
            prods.append(prod)
        for y in plan.outcomes:
            base = plan.baselines[y]
            res, note = _attempt(lambda y=y, base=base, a=a, prods=prods: regress(
                frame, y, [a, *inds, *prods], [base], n_boot=0))
            for level, prod in zip(others, prods, strict=True):
                out.append(BetweenArmAnalysis(kind="moderation", outcome=y, baseline=base,
                                              predictor=a, arm=level, reference=ref, term=prod,
                                              result=res, note=note))
    return out


def mixed_measures(plan: AnalysisPlan) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(measure, visits in order, their columns) of each outcome measure: its baseline and its
    follow-ups in the plan."""
    out: dict[str, list[str]] = {}
    for y in plan.outcomes:
        m = _measure(y)
        out.setdefault(m, [plan.baselines[y]])
        out[m].append(y)
    result = []
    for m, cols in out.items():
        cols = sorted(dict.fromkeys(cols), key=lambda c: _tp_rank(plan, c))
        result.append((m, tuple(split_column(c)[2] for c in cols), tuple(cols)))
    return result


def _long(wide, cols: Sequence[str], visits: Sequence[str], extra: Sequence[str]):
    """Long frame of one measure: participant, tp (ordered categorical), score, ``extra``."""
    import numpy as np
    import pandas as pd

    n = len(wide)
    k = len(cols)
    frame = pd.DataFrame({
        "participant": np.repeat(np.arange(n), k),
        "tp": pd.Categorical.from_codes(np.tile(np.arange(k, dtype=np.int8), n),
                                        categories=list(visits)),
        "score": wide[list(cols)].to_numpy(dtype=float).reshape(-1)})
    for name, col in extra:
        values = wide[col]
        if name == "arm":  # coded once per participant, repeated as codes (no object copies)
            arm = pd.Categorical(values.astype("string").to_numpy(dtype=object))
            frame[name] = pd.Categorical.from_codes(np.repeat(arm.codes, k), arm.categories)
        else:
            frame[name] = np.repeat(values.to_numpy(), k)
    return frame


def mixed_models(plan: AnalysisPlan, wide, subsets) -> tuple[list[MixedAnalysis], list[str]]:
    """The mixed models of every outcome measure with more than two visits; the reasons for
    those with two (the paired change covers them)."""
    import numpy as np

    from ..stats import mixed_model

    out: list[MixedAnalysis] = []
    reasons: list[str] = []
    two_arms = len(plan.arm_levels) >= 2
    for measure, visits, cols in mixed_measures(plan):
        if len(visits) <= 2:
            reasons.append(f"{measure} has {len(visits)} visits ({', '.join(visits)})")
            continue
        specs: list[tuple[str, Any, str, str]] = []  # (arm label, rows, formula, moderator)
        if two_arms:
            specs.append((BETWEEN, wide, "score ~ tp * arm", ""))
        for label, rows in subsets:
            for a in plan.alliance_person:
                specs.append((label, rows, "score ~ tp * alliance", a))
        if two_arms:
            for a in plan.alliance_person:
                specs.append((BETWEEN, wide, "score ~ tp * arm * alliance", a))
        for label, rows, formula, a in specs:
            extra = []
            if "arm" in formula:
                extra.append(("arm", "arm"))
            centre = NaN
            if a:
                extra.append(("alliance", a))
            frame = _long(rows, cols, visits, extra)
            if a:
                person = rows[a].to_numpy(dtype=float)
                centre = float(person[np.isfinite(person)].mean()) if np.isfinite(
                    person).any() else NaN
                frame["alliance"] = frame["alliance"].astype(float) - centre
            res, note = _attempt(lambda frame=frame, formula=formula: mixed_model(
                frame, formula, groups="participant", confidence=plan.confidence))
            out.append(MixedAnalysis(measure=measure, arm=label, formula=formula,
                                     visits=visits, moderator=a, centre=centre,
                                     reference_arm=plan.arm_levels[0] if two_arms else "",
                                     result=res, note=note))
    return out, reasons


def run_plan(plan: AnalysisPlan, loaded: LoadResult, data_path: str | Path,
             mapping_path: str | Path | None = None,
             progress: Callable[[int, str], Any] | None = None,
             data_name: str | None = None) -> AnalysisRun:
    """Compute every analysis of ``plan`` on ``loaded.wide``, within each arm unless the plan
    pools them (see :class:`~.plan.AnalysisPlan`).

    ``progress(total, label)`` (optional) returns an object with ``step()``; it is used for the
    bootstrap (see :class:`~.progress.Progress`).
    """
    from ..stats import correlate, hierarchical_regress, mediate, paired_ttest

    wide = loaded.wide
    data_path = Path(data_path)
    dataset = getattr(loaded.mapping, "dataset", {}) or {}
    notice, synthetic = data_notice(data_name or data_path, dataset)
    conf = plan.confidence
    subsets, no_arm = _subsets(plan, wide)
    empty: list[tuple[str, str]] = list(plan.skipped)

    changes: list[ChangeAnalysis] = []
    if plan.runs("alliance_change"):
        pairs = change_pairs(plan)
        for label, rows in subsets:
            for pre, post in pairs:
                res, note = _attempt(lambda pre=pre, post=post, rows=rows: paired_ttest(
                    rows[pre], rows[post], confidence=conf))
                changes.append(ChangeAnalysis(pre=pre, post=post, result=res, note=note,
                                              arm=label))
        changes = _adjust(changes, plan)
        if not pairs:
            once = sorted({_measure(c) for c in plan.alliance})
            empty.append(("alliance_change", "no alliance measure was assessed at two or more "
                          f"timepoints ({', '.join(once)}: one assessment each)"))

    outcome_changes: list[ChangeAnalysis] = []
    if plan.runs("outcome_change"):
        for label, rows in subsets:
            for y in plan.outcomes:
                base = plan.baselines[y]
                res, note = _attempt(lambda base=base, y=y, rows=rows: paired_ttest(
                    rows[base], rows[y], confidence=conf))
                outcome_changes.append(ChangeAnalysis(pre=base, post=y, result=res, note=note,
                                                      arm=label))
        outcome_changes = _adjust(outcome_changes, plan)

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
        for label, rows in subsets:
            for x, role in predictors:
                for y in targets:
                    res, note = _attempt(lambda x=x, y=y, rows=rows: correlate(
                        rows[x], rows[y], method=plan.correlation_method, confidence=conf))
                    correlations.append(CorrelationAnalysis(x=x, y=y, role=role, result=res,
                                                            note=note, arm=label))
        correlations = _adjust(correlations, plan)

    regressions: list[RegressionAnalysis] = []
    if plan.runs("regressions"):
        for label, rows in subsets:
            for y in plan.outcomes:
                base = plan.baselines[y]
                for a in plan.alliance:
                    res, note = _attempt(lambda y=y, base=base, a=a, rows=rows:
                                         hierarchical_regress(rows, y, [[base], [a]]))
                    regressions.append(RegressionAnalysis(outcome=y, baseline=base, predictor=a,
                                                          result=res, note=note, arm=label))
        regressions = _adjust(regressions, plan)

    between: list[BetweenArmAnalysis] = []
    if plan.runs("between_arms"):
        between = _adjust(between_arm_tests(plan, wide), plan)

    mixed: list[MixedAnalysis] = []
    if plan.runs("mixed_models"):
        mixed, reasons = mixed_models(plan, wide, subsets)
        why = ("; ".join(reasons) + " (a model over visits needs more than two; the paired "
               "change from baseline tests these)") if reasons else "no outcome measure"
        if not mixed:
            empty.append(("mixed_models", why))
        elif reasons:
            empty.append(("mixed_models", PARTIAL + why))

    mediations: list[MediationAnalysis] = []
    if plan.runs("mediation"):
        combos = [(label, rows, x, m, y) for label, rows in subsets for y in plan.mediation_y
                  for x in plan.mediation_x for m in plan.mediation_m]
        bar = progress(len(combos), f"bootstrap ({plan.resamples} resamples per model)") \
            if progress else None
        for label, rows, x, m, y in combos:
            base = plan.baselines.get(y)
            covs = (base,) if plan.adjust_baseline and base else ()
            if len({x, m, y, *covs}) < 3 + len(covs):
                mediations.append(MediationAnalysis(x=x, m=m, y=y, covariates=covs, result=None,
                                                    note="not computed: x, m, y and the "
                                                    "covariates must be different columns",
                                                    arm=label))
            else:
                res, note = _attempt(lambda x=x, m=m, y=y, covs=covs, rows=rows: mediate(
                    rows, x, m, y, covariates=list(covs), n_boot=plan.resamples, ci=plan.ci,
                    confidence=conf, seed=plan.seed))
                mediations.append(MediationAnalysis(x=x, m=m, y=y, covariates=covs, result=res,
                                                    note=note, arm=label))
            if bar is not None:
                bar.step()

    mapping = Path(mapping_path) if mapping_path is not None else None
    from ..scale_reliability import scale_reliability

    rel = scale_reliability(loaded, confidence=conf)
    return AnalysisRun(plan=plan, loaded=loaded, data_path=data_path, mapping_path=mapping,
                       notice=notice, synthetic=synthetic, changes=tuple(changes),
                       correlations=tuple(correlations), regressions=tuple(regressions),
                       mediations=tuple(mediations), outcome_changes=tuple(outcome_changes),
                       between=tuple(between), mixed=tuple(mixed), empty=tuple(empty),
                       subsets=tuple((label, len(rows)) for label, rows in subsets),
                       no_arm=no_arm, data_name=data_name or data_path.name,
                       real=dataset.get("provenance") == "real_public", reliability=rel)


FRAME_NAME = "DataFrame"


def run_analysis(data: str | Path | pd.DataFrame, mapping: str | Path | Mapping | None = None,
                 plan: str | Path | PlanSpec | dict | None = None,
                 progress: Callable[[int, str], Any] | None = None) -> AnalysisRun:
    """Load ``data`` (a file path, or a pandas DataFrame laid out as the file would be) with
    ``mapping``, validate ``plan`` (file, dict, PlanSpec or None = default) against the data,
    then run it. Everything is validated before any statistic is computed; bad input raises
    :class:`InputError`. A DataFrame goes through the same loader checks as a file
    (:func:`alliance_analysis.io.load_frame`; its rows are reported as spreadsheet rows); its
    outputs name it ``DataFrame`` and carry the user-data notice unless the mapping's
    ``[dataset]`` says otherwise."""
    from ..io import load_frame, load_table

    spec = plan if isinstance(plan, PlanSpec) else read_plan(plan)
    if _is_frame(data):
        loaded = load_frame(data, mapping, source_name=FRAME_NAME)
        resolved = resolve_plan(spec, loaded)
        return run_plan(resolved, loaded, Path(FRAME_NAME), mapping if isinstance(
            mapping, str | Path) else None, progress=progress, data_name=FRAME_NAME)
    if not isinstance(data, str | Path):
        raise InputError("data must be a file path or a pandas DataFrame",
                         value=type(data).__name__,
                         hint="pass the trial table's path (CSV/TSV/XLSX/SAV) or a DataFrame")
    data_path = Path(data)
    if not data_path.exists():
        raise InputError("data file not found", file=str(data_path), hint="Check the DATA path")
    loaded = load_table(data_path, mapping)
    resolved = resolve_plan(spec, loaded)
    return run_plan(resolved, loaded, data_path, mapping if isinstance(mapping, str | Path)
                    else None, progress=progress)


def _is_frame(data: object) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return False
    return isinstance(data, pd.DataFrame)
