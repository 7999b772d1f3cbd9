"""APA tables of an analysis run, built with the existing builders of
:mod:`alliance_analysis.report.tables` (descriptives, paired change, correlations) and, for the
regressions and mediations that have no builder there, as :class:`~report.tables.ApaTable`
values filled with the canonical formatter :mod:`alliance_analysis.apa`. Rendering
(Markdown/HTML/CSV) is always :class:`ApaTable`'s own.
"""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import TYPE_CHECKING, Any

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


def label(column: str) -> str:
    """``wai_sr.total.prep`` → ``WAI-SR total (prep)``; other names are returned as they are."""
    parts = split_column(column)
    if parts is None:
        return column
    inst, scale, tp = parts
    return f"{_abbreviation(inst)} {scale.replace('_', ' ')} ({tp})"


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


def build_tables(run: AnalysisRun) -> list[ApaTable]:
    """Descriptives, then one table per analysis that ran (in plan order)."""
    from ..report.tables import (
        correlation_table,
        descriptives_table,
        paired_change_table,
    )

    plan = run.plan
    conf = plan.confidence
    corr = CORRECTION_LABELS[plan.correction]
    cols = analysis_variables(run)
    tables: list[ApaTable] = [descriptives_table(
        run.wide, {c: label(c) for c in cols}, title="Descriptive statistics of the analysed "
        "variables")]

    for a in run.changes:
        if a.result is None:
            continue
        t = paired_change_table(a.result.to_dict(),
                                title=f"Alliance change: {label(a.pre)} to {label(a.post)}")
        note = t.note + (f" {a.result.n_dropped} participant(s) without both values excluded.")
        if len(run.changes) > 1:
            note += (f" p adjusted ({corr}, {run.family_size('alliance_change')} tests): "
                     f"{p_cell(a.p_adjusted)}.")
        tables.append(_relabel_ci(dataclasses.replace(t, note=note), conf))

    if run.correlations:
        import pandas as pd

        frame = pd.DataFrame([{
            "x": a.x, "y": a.y, "n": a.result.n if a.result else 0,
            "r": a.result.r if a.result else math.nan, "p": a.result.p if a.result else math.nan,
            "ci_lower": a.result.ci[0] if a.result else math.nan,
            "ci_upper": a.result.ci[1] if a.result else math.nan, "p_adj": a.p_adjusted,
        } for a in run.correlations])
        method = "Spearman" if plan.correlation_method == "spearman" else "Pearson"
        t = correlation_table(frame, {c: label(c) for c in frame["x"].tolist() +
                                      frame["y"].tolist()},
                              title=f"{method} correlations of alliance and acute experience with "
                              "outcomes (pairwise n per row)")
        note = t.note.replace("r = Pearson correlation",
                              f"r = {method} correlation" if method == "Pearson" else
                              "r = Spearman rank correlation")
        note = note.replace("Adjusted p corrects for multiple comparisons.",
                            f"Adjusted p: {corr} over the family of "
                            f"{run.family_size('correlations')} correlations.")
        tables.append(_relabel_ci(dataclasses.replace(t, note=note), conf))

    if run.regressions:
        tables.append(regression_table(run))
    if run.mediations:
        tables.append(mediation_table(run))
    return tables


def regression_table(run: AnalysisRun) -> ApaTable:
    """One row per model: outcome, alliance predictor, n, R² (step 1), ΔR², F-change, p, adjusted
    p, β and b with its CI (step 2)."""
    import pandas as pd

    from ..apa import fmt_df
    from ..report.tables import ApaTable

    records: list[dict[str, Any]] = []
    rows = []
    for a in run.regressions:
        ch, co = a.change, a.coefficient
        r2_1 = float(a.result.changes.iloc[0]["r2"]) if a.result else math.nan
        n = a.result.n if a.result else 0
        records.append({"outcome": a.outcome, "baseline": a.baseline, "predictor": a.predictor,
                        "n": n, "r2_step1": r2_1, "r2_step2": ch["r2"],
                        "delta_r2": ch["delta_r2"], "f_change": ch["f_change"], "df1": ch["df1"],
                        "df2": ch["df2"], "p_change": ch["p_change"], "p_adj": a.p_adjusted,
                        "beta": co["beta"], "b": co["b"], "b_ci_lower": co["ci_lower"],
                        "b_ci_upper": co["ci_upper"]})
        f_text = (f"F({fmt_df(ch['df1'])}, {fmt_df(ch['df2'])}) = {num_cell(ch['f_change'])}"
                  if math.isfinite(ch["f_change"]) else MISSING)
        rows.append((label(a.outcome), label(a.predictor), str(n), bounded_cell(r2_1),
                     bounded_cell(ch["delta_r2"]), f_text, p_cell(ch["p_change"]), p_cell(a.p_adjusted),
                     bounded_cell(co["beta"]), num_cell(co["b"]), ci_cell(co["ci_lower"], co["ci_upper"])))
    note = ("Step 1: baseline score of the outcome; step 2: + alliance. ΔR² tested with the "
            "F-change test; β = standardized coefficient and b (95% CI) = unstandardized "
            "coefficient of alliance in the step-2 model. Listwise deletion within each model. "
            f"Adjusted p: {CORRECTION_LABELS[run.plan.correction]} over the family of "
            f"{run.family_size('regressions')} models.")
    return ApaTable(
        title="Hierarchical regressions: follow-up outcome on baseline, then alliance",
        note=note, columns=("Outcome", "Alliance", "n", "R² step 1", "ΔR²", "F-change", "p",
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
        records.append({"x": a.x, "m": a.m, "y": a.y, "covariates": ";".join(a.covariates),
                        "n": r.n if r else 0, "a": g("a"), "a_p": g("a_p"), "b": g("b"),
                        "b_p": g("b_p"), "c": g("c"), "c_p": g("c_p"), "c_prime": g("c_prime"),
                        "c_prime_p": g("c_prime_p"), "indirect": g("indirect"),
                        "indirect_se": g("indirect_se"), "indirect_ci_lower": lo,
                        "indirect_ci_upper": hi, "indirect_std": g("indirect_std"),
                        "indirect_std_ci_lower": slo, "indirect_std_ci_upper": shi,
                        "n_boot_failed": r.n_boot_failed if r else 0})
        rows.append((label(a.x), label(a.m), label(a.y), str(r.n if r else 0), num_cell(g("a")),
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
        note=note, columns=("X", "M", "Y", "n", "a", "b", "c", "c′", "ab", f"{pct} CI", "ab_cs",
                            f"{pct} CI (ab_cs)"),
        rows=tuple(rows), data=pd.DataFrame.from_records(records), name="mediation")
