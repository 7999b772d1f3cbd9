"""APA tables of an analysis run, built with the existing builders of
:mod:`alliance_analysis.report.tables` (descriptives, paired change, correlations) and, for the
regressions and mediations that have no builder there, as :class:`~report.tables.ApaTable`
values filled with the canonical formatter :mod:`alliance_analysis.apa`. Rendering
(Markdown/HTML/CSV) is always :class:`ApaTable`'s own.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

from ..apa import fmt_df
from ..report.tables import MISSING, bounded_cell, ci_cell, num_cell, p_cell
from .plan import split_column

if TYPE_CHECKING:  # pragma: no cover
    from ..report.tables import ApaTable
    from .run import AnalysisRun

CORRECTION_LABELS = {
    "holm": "Holm (1979)",
    "bonferroni": "Bonferroni",
    "fdr_bh": "Benjamini–Hochberg (1995) false discovery rate",
    "fdr_by": "Benjamini–Yekutieli (2001) false discovery rate",
    "none": "no correction",
}
CI_LABELS = {"percentile": "percentile", "bc": "bias-corrected", "bca": "bias-corrected and "
             "accelerated (BCa)"}


@cache
def _abbreviation(inst_id: str) -> str:
    from ..instruments import get_instrument

    try:
        return get_instrument(inst_id).abbreviation
    except Exception:
        return inst_id


#: Names the mapping gives to its pre-scored totals (``[scores.<id>] name``), for the run being
#: written (set by :func:`with_names`).
_NAMES: ContextVar[Mapping[str, str] | None] = ContextVar("instrument_names", default=None)


def instrument_names(run: AnalysisRun) -> dict[str, str]:
    """``{instrument id: name}`` of the totals the mapping declares (``[scores]``)."""
    scores = getattr(run.loaded.mapping, "scores", {}) or {}
    return {k: v.name for k, v in scores.items() if getattr(v, "name", "")}


def with_names(fn):
    """Run ``fn(run, ...)`` with the mapping's score names in effect for :func:`label`."""
    @functools.wraps(fn)
    def inner(run, *args, **kwargs):
        token = _NAMES.set(instrument_names(run))
        try:
            return fn(run, *args, **kwargs)
        finally:
            _NAMES.reset(token)
    return inner


def label(column: str) -> str:
    """``wai_sr.total.prep`` → ``WAI-SR total (prep)``; a declared pre-scored total by its
    name in the mapping (``bdi.total.wk6`` → ``BDI total (wk6)``); other names as they are."""
    parts = split_column(column)
    if parts is None:
        return column
    inst, scale, tp = parts
    name = (_NAMES.get() or {}).get(inst) or _abbreviation(inst)
    return f"{name} {scale.replace('_', ' ')} ({tp})"


def _pct(confidence: float) -> str:
    return f"{confidence * 100:g}%"


def _relabel_ci(table: ApaTable, confidence: float) -> ApaTable:
    """Headers and notes of the shared builders say 95%; say the plan's level instead."""
    if math.isclose(confidence, 0.95):
        return table
    pct = _pct(confidence)
    return dataclasses.replace(
        table, columns=tuple(c.replace("95%", pct) for c in table.columns),
        note=table.note.replace("95%", pct))


def analysis_variables(run: AnalysisRun) -> list[str]:
    """Every column the plan uses, in plan order, without repeats."""
    plan = run.plan
    cols = [*plan.alliance, *plan.experience]
    for y in plan.outcomes:
        cols += [plan.baselines[y], y]
    cols += [*plan.mediation_x, *plan.mediation_m, *plan.mediation_y]
    return list(dict.fromkeys(cols))


def _in_arm(title: str, arm: str) -> str:
    return title if arm in ("all", "") else f"{title} — {arm}"


@with_names
def build_tables(run: AnalysisRun) -> list[ApaTable]:
    """Descriptives (by arm when the analyses run per arm), then the tables of each analysis
    that ran, in plan order."""
    from ..report.tables import (
        correlation_table,
        descriptives_table,
        paired_change_table,
    )

    plan = run.plan
    conf = plan.confidence
    corr = CORRECTION_LABELS[plan.correction]
    cols = analysis_variables(run)
    by = "arm" if len(plan.arm_levels) >= 2 else None
    tables: list[ApaTable] = [dataclasses.replace(descriptives_table(
        run.wide, {c: label(c) for c in cols}, by=by,
        title="Descriptive statistics of the analysed variables" + (" by arm" if by else "")),
        name="descriptives")]

    for a in run.changes:
        if a.result is None:
            continue
        t = paired_change_table(a.result.to_dict(), title=_in_arm(
            f"Alliance change: {label(a.pre)} to {label(a.post)}", a.arm))
        note = t.note + (f" {a.result.n_dropped} participant(s) without both values excluded.")
        if run.family_size("alliance_change", a.arm) > 1:
            note += (f" p adjusted ({corr}, {run.family_size('alliance_change', a.arm)} tests): "
                     f"{p_cell(a.p_adjusted)}.")
        tables.append(_relabel_ci(dataclasses.replace(t, note=note, name="alliance_change"),
                                  conf))
    if run.outcome_changes:
        tables.append(_relabel_ci(outcome_change_table(run), conf))

    if run.correlations:
        import pandas as pd

        method = "Spearman" if plan.correlation_method == "spearman" else "Pearson"
        for arm in dict.fromkeys(a.arm for a in run.correlations):
            items = [a for a in run.correlations if a.arm == arm]
            frame = pd.DataFrame([{
                "x": a.x, "y": a.y, "n": a.result.n if a.result else 0,
                "r": a.result.r if a.result else math.nan,
                "p": a.result.p if a.result else math.nan,
                "ci_lower": a.result.ci[0] if a.result else math.nan,
                "ci_upper": a.result.ci[1] if a.result else math.nan, "p_adj": a.p_adjusted,
            } for a in items])
            t = correlation_table(frame, {c: label(c) for c in frame["x"].tolist() +
                                          frame["y"].tolist()},
                                  title=_in_arm(f"{method} correlations of alliance and acute "
                                                "experience with outcomes (pairwise n per row)",
                                                arm))
            note = t.note.replace("r = Pearson correlation",
                                  f"r = {method} correlation" if method == "Pearson" else
                                  "r = Spearman rank correlation")
            note = note.replace("Adjusted p corrects for multiple comparisons.",
                                f"Adjusted p: {corr} over the family of "
                                f"{run.family_size('correlations', arm)} correlations"
                                + ("" if arm in ("all", "") else f" in {arm}") + ".")
            data = frame.assign(arm=arm)[["arm", *frame.columns]]
            tables.append(_relabel_ci(dataclasses.replace(t, note=note, data=data,
                                                          name="correlations"), conf))

    if run.regressions:
        tables.append(regression_table(run))
    if run.between:
        tables.append(between_arms_table(run))
    if run.mixed:
        tables.extend(mixed_model_tables(run))
    if run.mediations:
        tables.append(mediation_table(run))
    rel = reliability_table(run)
    if rel is not None:
        tables.append(rel)
    if run.empty:
        tables.append(empty_table(run))
    return tables


def reliability_table(run: AnalysisRun) -> ApaTable | None:
    """The reliability of every item-scored scale (:func:`report.tables.reliability_table`);
    None when no scale was scored from items (pre-scored totals have none)."""
    from ..report.tables import reliability_table as table

    rel = run.reliability
    if rel is None or not len(rel.table):
        return None
    return table(rel.table, run.plan.confidence, n_skipped=len(rel.skipped))


def _mean_sd(mean: float, sd: float) -> str:
    return MISSING if not math.isfinite(mean) else f"{num_cell(mean)} ({num_cell(sd)})"


def outcome_change_table(run: AnalysisRun) -> ApaTable:
    """Paired change of each outcome from baseline to each follow-up, per arm: n, M (SD) at
    both, t(df), p, adjusted p, d_z with its CI, d_av and g_av."""
    import pandas as pd

    from ..apa import apa_t
    from ..report.tables import ApaTable

    records: list[dict[str, Any]] = []
    rows = []
    for a in run.outcome_changes:
        r = a.result
        d = r.to_dict() if r else {}

        def g(key: str, d=d) -> float:
            v = d.get(key, math.nan)
            return float(v) if v is not None else math.nan

        lo, hi = (r.d_z_ci if r else (math.nan, math.nan))
        records.append({"arm": a.arm, "pre": a.pre, "post": a.post, "n": r.n if r else 0,
                        "n_dropped": r.n_dropped if r else 0, "mean_pre": g("mean_pre"),
                        "sd_pre": g("sd_pre"), "mean_post": g("mean_post"),
                        "sd_post": g("sd_post"), "t": g("t"), "df": g("df"), "p": g("p"),
                        "p_adj": a.p_adjusted, "d_z": g("d_z"), "d_z_ci_lower": lo,
                        "d_z_ci_upper": hi, "d_rm": g("d_rm"), "d_av": g("d_av"),
                        "g_av": g("g_av")})
        t_text = apa_t(g("t"), g("df"), g("p")).split(", p")[0] if r else MISSING
        rows.append((a.arm, label(a.pre), label(a.post), str(r.n if r else 0),
                     _mean_sd(g("mean_pre"), g("sd_pre")), _mean_sd(g("mean_post"), g("sd_post")),
                     t_text, p_cell(g("p")), p_cell(a.p_adjusted), num_cell(g("d_z")),
                     ci_cell(lo, hi), num_cell(g("d_av")), num_cell(g("g_av"))))
    plan = run.plan
    note = (f"Paired-samples t tests of each outcome from baseline ({plan.baseline_timepoint}) "
            "to each follow-up, within each arm; participants without both values excluded "
            "(per row). d_z = M_diff / SD_diff with its 95% CI from the noncentral t; d_av = "
            "M_diff / sqrt((SD_pre² + SD_post²)/2); g_av = Hedges-corrected d_av. Adjusted p: "
            f"{CORRECTION_LABELS[plan.correction]} within each arm.")
    return ApaTable(
        title="Outcome change from baseline, per arm", note=note,
        columns=("Arm", "Baseline", "Follow-up", "n", "M (SD) baseline", "M (SD) follow-up", "t",
                 "p", "p (adjusted)", "d_z", "95% CI", "d_av", "g_av"),
        rows=tuple(rows), data=pd.DataFrame.from_records(records), name="outcome_change")


def between_arms_table(run: AnalysisRun) -> ApaTable:
    """The tests of arm: ANCOVA (arm effect on the follow-up adjusted for baseline) and the
    alliance x arm interaction, with b, its CI, t(df), p and adjusted p."""
    import pandas as pd

    from ..report.tables import ApaTable

    records: list[dict[str, Any]] = []
    rows = []
    for a in run.between:
        co = a.coefficient
        df = float(a.result.df_resid) if a.result else math.nan
        n = a.result.n if a.result else 0
        records.append({"kind": a.kind, "outcome": a.outcome, "baseline": a.baseline,
                        "alliance": a.predictor, "arm": a.arm, "reference": a.reference,
                        "n": n, **{k: co[k] for k in ("b", "se", "t", "p", "ci_lower",
                                                       "ci_upper", "beta")}, "df": df,
                        "p_adj": a.p_adjusted})
        test = ("ANCOVA: arm" if a.kind == "ancova" else f"alliance x arm: {label(a.predictor)}")
        t_text = (f"t({fmt_df(df)}) = {num_cell(co['t'])}" if math.isfinite(co["t"])
                  else MISSING)
        rows.append((test, label(a.outcome), f"{a.arm} vs {a.reference}", str(n),
                     num_cell(co["b"]), ci_cell(co["ci_lower"], co["ci_upper"]), t_text,
                     p_cell(co["p"]), p_cell(a.p_adjusted)))
    note = ("ANCOVA: follow-up outcome = b0 + b1 baseline + b2 arm (OLS; b = the adjusted "
            "difference between the arms). Alliance x arm: follow-up = b0 + b1 baseline + "
            "b2 alliance + b3 arm + b4 alliance·arm; b = b4, the difference between the arms in "
            "the slope of the outcome on alliance. Listwise deletion per model. Adjusted p: "
            f"{CORRECTION_LABELS[run.plan.correction]} within each kind of test "
            f"({run.family_size('between_arms', 'ancova')} ANCOVA, "
            f"{run.family_size('between_arms', 'moderation')} interaction tests).")
    return ApaTable(
        title="Between-arm tests", note=note,
        columns=("Test", "Outcome", "Arm", "n", "b", "95% CI", "t", "p", "p (adjusted)"),
        rows=tuple(rows), data=pd.DataFrame.from_records(records), name="between_arms")


def mixed_model_tables(run: AnalysisRun) -> list[ApaTable]:
    """One table per outcome measure: the fixed effects of each mixed model fitted on it."""
    import pandas as pd

    from ..report.tables import ApaTable

    tables = []
    for measure in dict.fromkeys(a.measure for a in run.mixed):
        records: list[dict[str, Any]] = []
        rows = []
        models = [a for a in run.mixed if a.measure == measure]
        for a in models:
            r = a.result
            if r is None:
                rows.append((a.label, a.arm, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING,
                             MISSING))
                records.append({"model": a.label, "arm": a.arm, "term": "", "note": a.note})
                continue
            for j, term in enumerate(r.terms):
                records.append({"model": a.label, "arm": a.arm, "term": a.term_label(term),
                                "estimate": float(r.estimate[j]), "se": float(r.se[j]),
                                "df": float(r.df[j]), "t": float(r.t[j]), "p": float(r.p[j]),
                                "ci_low": float(r.ci_low[j]), "ci_high": float(r.ci_high[j]),
                                "n_obs": r.n_obs, "n_groups": r.n_groups,
                                "singular": r.singular, "note": "; ".join(r.notes)})
                rows.append((a.label, a.arm, a.term_label(term), num_cell(r.estimate[j]),
                             num_cell(r.se[j]), num_cell(r.df[j]), num_cell(r.t[j]),
                             p_cell(r.p[j]), ci_cell(r.ci_low[j], r.ci_high[j])))
        first = models[0]
        centre = "; ".join(f"{a.moderator} in {a.arm}: {num_cell(a.centre)}" for a in models
                           if a.moderator)
        ref = f" The reference arm is {first.reference_arm}." if first.reference_arm else ""
        note = (f"Linear mixed models over the visits {' < '.join(first.visits)} (tp, a factor "
                f"with reference {first.visits[0]}), random intercept per participant, REML; "
                "t tests with Satterthwaite df (lmerTest's method), Wald 95% CIs.{ref} The "
                "alliance moderator is centred at its mean over the model's participants "
                f"({centre or 'none'}). Rows with a missing score are dropped per visit. "
                "Not corrected for multiplicity (exploratory).").replace("{ref}", ref)
        tables.append(ApaTable(
            title=f"Mixed models of {label(measure + '.x').rsplit(' (', 1)[0]} over visits",
            note=note, columns=("Model", "Arm", "Term", "b", "SE", "df", "t", "p", "95% CI"),
            rows=tuple(rows), data=pd.DataFrame.from_records(records),
            name=f"mixed_{measure.replace('.', '_')}"))
    return tables


def empty_table(run: AnalysisRun) -> ApaTable:
    """The analyses of the plan that yielded nothing, with the reason."""
    import pandas as pd

    from ..report.tables import ApaTable

    rows = tuple((a, r) for a, r in run.empty)
    return ApaTable(title="Analyses that yielded no result", note="Each analysis of the plan "
                    "that could not be run on these data, with the reason.",
                    columns=("Analysis", "Reason"), rows=rows,
                    data=pd.DataFrame(list(rows), columns=["analysis", "reason"]),
                    name="not_run")


def regression_table(run: AnalysisRun) -> ApaTable:
    """One row per model: outcome, alliance predictor, n, R² (step 1), ΔR², F-change, p, adjusted
    p, β and b with its CI (step 2)."""
    import pandas as pd

    from ..report.tables import ApaTable

    records: list[dict[str, Any]] = []
    rows = []
    for a in run.regressions:
        ch, co = a.change, a.coefficient
        r2_1 = float(a.result.changes.iloc[0]["r2"]) if a.result else math.nan
        n = a.result.n if a.result else 0
        records.append({"arm": a.arm, "outcome": a.outcome, "baseline": a.baseline,
                        "predictor": a.predictor,
                        "n": n, "r2_step1": r2_1, "r2_step2": ch["r2"],
                        "delta_r2": ch["delta_r2"], "f_change": ch["f_change"], "df1": ch["df1"],
                        "df2": ch["df2"], "p_change": ch["p_change"], "p_adj": a.p_adjusted,
                        "beta": co["beta"], "b": co["b"], "b_ci_lower": co["ci_lower"],
                        "b_ci_upper": co["ci_upper"]})
        f_text = (f"F({fmt_df(ch['df1'])}, {fmt_df(ch['df2'])}) = {num_cell(ch['f_change'])}"
                  if math.isfinite(ch["f_change"]) else MISSING)
        rows.append((a.arm, label(a.outcome), label(a.predictor), str(n), bounded_cell(r2_1),
                     bounded_cell(ch["delta_r2"]), f_text, p_cell(ch["p_change"]), p_cell(a.p_adjusted),
                     bounded_cell(co["beta"]), num_cell(co["b"]), ci_cell(co["ci_lower"], co["ci_upper"])))
    note = ("Step 1: baseline score of the outcome; step 2: + alliance. ΔR² tested with the "
            "F-change test; β = standardized coefficient and b (95% CI) = unstandardized "
            "coefficient of alliance in the step-2 model. Listwise deletion within each model. "
            f"Adjusted p: {CORRECTION_LABELS[run.plan.correction]} over the family of "
            "models within each arm.")
    return ApaTable(
        title="Hierarchical regressions: follow-up outcome on baseline, then alliance",
        note=note, columns=("Arm", "Outcome", "Alliance", "n", "R² step 1", "ΔR²", "F-change", "p",
                            "p (adjusted)", "β", "b", "95% CI"),
        rows=tuple(rows), data=pd.DataFrame.from_records(records), name="regressions")


def mediation_table(run: AnalysisRun) -> ApaTable:
    """One row per model: X, M, Y, n, paths a, b, c, c′, indirect a·b with its bootstrap CI and
    the completely standardized indirect effect."""
    import pandas as pd

    from ..report.tables import ApaTable

    plan = run.plan
    pct = _pct(plan.confidence)
    records: list[dict[str, Any]] = []
    rows = []
    for a in run.mediations:
        r = a.result

        def g(key: str, r=r) -> float:
            return float(getattr(r, key)) if r is not None else math.nan

        lo, hi = (r.indirect_ci if r else (math.nan, math.nan))
        slo, shi = (r.indirect_std_ci if r else (math.nan, math.nan))
        records.append({"arm": a.arm, "x": a.x, "m": a.m, "y": a.y,
                        "covariates": ";".join(a.covariates),
                        "n": r.n if r else 0, "a": g("a"), "a_p": g("a_p"), "b": g("b"),
                        "b_p": g("b_p"), "c": g("c"), "c_p": g("c_p"), "c_prime": g("c_prime"),
                        "c_prime_p": g("c_prime_p"), "indirect": g("indirect"),
                        "indirect_se": g("indirect_se"), "indirect_ci_lower": lo,
                        "indirect_ci_upper": hi, "indirect_std": g("indirect_std"),
                        "indirect_std_ci_lower": slo, "indirect_std_ci_upper": shi,
                        "n_boot_failed": r.n_boot_failed if r else 0})
        rows.append((a.arm, label(a.x), label(a.m), label(a.y), str(r.n if r else 0),
                     num_cell(g("a")),
                     num_cell(g("b")), num_cell(g("c")), num_cell(g("c_prime")), num_cell(g("indirect")),
                     ci_cell(lo, hi), num_cell(g("indirect_std")), ci_cell(slo, shi)))
    cov = ("The baseline score of the outcome is a covariate in both equations. "
           if plan.adjust_baseline else "")
    note = (f"a = X → M; b = M → Y controlling for X; c = total effect; c′ = direct effect; "
            f"ab = indirect effect a·b with {pct} {CI_LABELS[plan.ci]} bootstrap CI "
            f"({plan.resamples} resamples, seed {plan.seed}); ab_cs = completely standardized "
            f"indirect effect (Preacher & Kelley 2011). {cov}Listwise deletion "
            "within each model (Hayes 2022, PROCESS model 4).")
    return ApaTable(
        title="Mediation: alliance → acute experience → outcome",
        note=note, columns=("Arm", "X", "M", "Y", "n", "a", "b", "c", "c′", "ab", f"{pct} CI", "ab_cs",
                            f"{pct} CI (ab_cs)"),
        rows=tuple(rows), data=pd.DataFrame.from_records(records), name="mediation")
