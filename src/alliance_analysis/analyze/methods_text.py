"""The APA-style methods paragraph of an analysis run, generated from what was actually run.

Every sentence is built from the run (:class:`~.run.AnalysisRun`): the data file and the loader
audit (rows excluded, values set missing by reason), the tests and their sample sizes, the d
formulas (Cohen 1988; Lakens 2013; Cumming 2012; Becker 1988; Hedges 1981), the correction and
its family size, the bootstrap (resamples, CI method, seed) and the software versions
(:func:`alliance_analysis.report.html.software_versions`). Nothing is a fixed template text
about analyses that did not run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .run import PARTIAL
from .tables import CI_LABELS, CORRECTION_LABELS, label, with_names

if TYPE_CHECKING:  # pragma: no cover
    from .run import AnalysisRun

SOFTWARE_PACKAGES: tuple[str, ...] = ("alliance-analysis", "numpy", "pandas", "scipy",
                                      "statsmodels", "matplotlib", "jinja2")


def software(packages: Sequence[str] = SOFTWARE_PACKAGES) -> dict[str, str]:
    """``{name: version}`` for Python and the packages used (``software_versions``)."""
    from ..report.html import software_versions

    return software_versions(packages)


def _list(items: Sequence[str]) -> str:
    items = list(items)
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def _range(values: Sequence[int]) -> str:
    values = sorted(set(values))
    if not values:
        return "n = 0"
    if len(values) == 1:
        return f"n = {values[0]}"
    return f"n = {values[0]}–{values[-1]}"


def _source_name(source: str) -> str:
    from pathlib import Path

    return source if source.startswith("<") else Path(source).name


def _span(values: Sequence[int]) -> str:
    lo, hi = min(values, default=0), max(values, default=0)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _pct(confidence: float) -> str:
    return f"{confidence * 100:g}%"


def _arm_sizes(run: AnalysisRun) -> str:
    return _list([f"{label} (n = {n})" for label, n in run.subsets])


def data_sentences(run: AnalysisRun) -> list[str]:
    """Where the data came from, how they were grouped and ordered, and what the loader set
    missing or left out (the audit; missing counts in values and participants)."""
    audit = run.loaded.audit
    plan = run.plan
    mapping = run.mapping_path.name if run.mapping_path is not None else "the default mapping"
    out = [f"Data were read from {run.data_name or run.data_path.name} ({audit.layout} layout, "
           f"mapping {mapping}): {audit.rows_read} data rows, {audit.n_participants} "
           "participants."]
    dataset = getattr(run.loaded.mapping, "dataset", {}) or {}
    if run.real:
        out.append(f"These are real, public patient-level data ({dataset.get('name', '')}; "
                   f"{dataset['citation'].rstrip('.')}; licence: "
                   f"{dataset['licence'].rstrip('.')}).")
    excluded = len(audit.rows_excluded)
    if excluded:
        reasons = audit.rows_excluded.groupby("reason", sort=True).size()
        out.append(" ".join(f"{count} row(s) were excluded as '{reason}'."
                            for reason, count in reasons.items()))
    counts = audit.missing_counts()
    total = int(counts.sum()) if len(counts) else 0
    if total:
        out.append(f"The loader set {total} value(s) to missing (" + "; ".join(
            f"{reason}: {int(count)}" for reason, count in counts.items()) + ").")
    else:
        out.append("The loader set no value to missing.")
    sm = dict(getattr(audit, "scores_missing", {}) or {})
    if sm.get("values"):
        out.append(f"Of the {sm['values']} scores (participant × timepoint × questionnaire "
                   f"scale), {sm.get('missing', 0)} were missing, in "
                   f"{sm.get('participants', 0)} participant(s).")
    used = set(plan.alliance) | set(plan.experience)
    cov = {k: v for k, v in (getattr(audit, "covariates_missing", {}) or {}).items()
           if k in used and v}
    for name, n in cov.items():
        out.append(f"{name} was missing for {n} participant(s).")
    if len(audit.columns_ignored):
        out.append(f"{len(audit.columns_ignored)} column(s) of the file were ignored as listed "
                   "in the mapping.")
    if getattr(audit, "items_scored", False):
        out.append("Questionnaires were scored from their items with the instrument definitions "
                   "of alliance-analysis (missing-item rules as documented there).")
    else:
        out.append("The scores were used as they are in the file (pre-scored totals; no item "
                   "was scored).")
    if getattr(audit, "peaks_derived", ()):
        out.append(f"Peaks ({_list(list(dict.fromkeys(audit.peaks_derived)))}) are the "
                   "per-participant maximum "
                   "over the sessions named in the mapping.")
    if plan.global_order:
        src = f" (from {plan.order_source})" if plan.order_source else ""
        out.append(f"Timepoints were ordered {' < '.join(plan.global_order)}{src}; the "
                   f"baseline is {plan.baseline_timepoint}.")
    if len(plan.arm_levels) >= 2:
        arms = f"The participants were in {len(plan.arm_levels)} arms: {_arm_sizes(run)}."
        if plan.by_arm:
            arms += (" Every analysis was run separately within each arm (the arms were not "
                     "pooled)")
            arms += (", and the arms were compared by the between-arm tests below."
                     if (run.between or any(m.arm == "between arms" for m in run.mixed))
                     else ".")
        else:
            arms = (f"The participants were in {len(plan.arm_levels)} arms "
                    f"({_list(list(plan.arm_levels))}); as the plan asks, the arms were pooled: "
                    "each analysis used all participants together.")
        out.append(arms)
        if run.no_arm:
            out.append(f"{run.no_arm} participant(s) without an arm were left out of the "
                       "per-arm analyses.")
    return out


def _cite(refs: str) -> str:
    """``Cohen (1988); Lakens (2013)`` → ``Cohen, 1988; Lakens, 2013`` (inside parentheses)."""
    import re

    return re.sub(r"(\S[^;()]*?) \((\d{4})\)", r"\1, \2", refs)


def _d_sentence() -> str:
    from ..report.tables import D_VARIANTS

    keys = ("d_z", "d_rm", "d_av", "d_av_lakens", "d_b")
    parts = [f"{k} = {D_VARIANTS[k][0]} ({_cite(D_VARIANTS[k][1])})" for k in keys]
    return ("Standardized mean differences (M_diff = M_last − M_first) are reported as "
            + "; ".join(parts) + "; Hedges' g = d · J(n − 1) with the exact correction factor J "
            "(Hedges, 1981).")


def _within(run: AnalysisRun) -> str:
    return " within each arm" if run.plan.by_arm else ""


def _ns(items) -> list[int]:
    return [a.result.n for a in items if a.result is not None]


def analysis_sentences(run: AnalysisRun) -> list[str]:
    """One or more sentences per analysis that ran (and one per analysis that yielded
    nothing, with the reason)."""
    plan = run.plan
    pct = _pct(plan.confidence)
    corr = CORRECTION_LABELS[plan.correction]
    within = _within(run)
    fam = " within each arm" if plan.by_arm else ""
    out: list[str] = []
    d_said = False
    if run.changes:
        pairs = _list(list(dict.fromkeys(f"{label(a.pre)} to {label(a.post)}"
                                         for a in run.changes)))
        dropped = sum(a.result.n_dropped for a in run.changes if a.result)
        out.append(f"Change in alliance from its first to its last assessment ({pairs}) was "
                   f"tested{within} with two-sided paired-samples t tests "
                   f"({_range(_ns(run.changes))} complete pairs; {dropped} participant(s) "
                   "without both values excluded).")
        out.append(_d_sentence() + f" The {pct} CI of d_z is from the noncentral t distribution "
                   "(Steiger & Fouladi, 1997).")
        d_said = True
        if max(run.family_size("alliance_change", a.arm) for a in run.changes) > 1:
            out.append(f"p values were adjusted with {corr} over the family of change tests"
                       f"{fam}.")
    if run.outcome_changes:
        measures = _list(list(dict.fromkeys(label(a.post).rsplit(" (", 1)[0]
                                            for a in run.outcome_changes)))
        dropped = [a.result.n_dropped for a in run.outcome_changes if a.result]
        k = max(run.family_size("outcome_change", a.arm) for a in run.outcome_changes)
        out.append(f"Change in each outcome ({measures}) from baseline ({plan.baseline_timepoint})"
                   f" to each follow-up was tested{within} with two-sided paired-samples t tests "
                   f"({_range(_ns(run.outcome_changes))} complete pairs; "
                   f"{_span(dropped or [0])} participant(s) without both values per test), "
                   f"with p values adjusted with {corr} over the {k} tests{fam}.")
        if not d_said:
            out.append(_d_sentence() + f" The {pct} CI of d_z is from the noncentral t "
                       "distribution (Steiger & Fouladi, 1997).")
    if run.correlations:
        method = ("Spearman rank correlations" if plan.correlation_method == "spearman"
                  else "Pearson correlations")
        xs = _list([label(c) for c in dict.fromkeys(a.x for a in run.correlations)])
        ys = _list([label(c) for c in dict.fromkeys(a.y for a in run.correlations)])
        dropped = [a.result.n_dropped for a in run.correlations if a.result]
        k = max(run.family_size("correlations", a.arm) for a in run.correlations)
        out.append(f"Associations of {xs} with {ys} were estimated{within} with {method} using "
                   f"pairwise deletion (each pair uses its complete cases: "
                   f"{_range(_ns(run.correlations))}; {_span(dropped)} participant(s) missing "
                   f"per pair), with {pct} CIs from Fisher's z transformation. p values were "
                   f"adjusted with {corr} over the family of {k} correlations{fam}.")
    if run.regressions:
        ns = [a.result.n for a in run.regressions if a.result]
        k = max(run.family_size("regressions", a.arm) for a in run.regressions)
        out.append("Each follow-up outcome was regressed on its baseline score "
                   f"({plan.baseline_timepoint}; step 1) and then on one alliance variable "
                   f"(step 2) by ordinary least squares{within}; the increment in R² (ΔR²) was "
                   "tested with the F-change test, and standardized coefficients (β) are "
                   f"reported. Each model used listwise deletion ({_range(ns)}). p values of the "
                   f"F-change tests were adjusted with {corr} over the family of {k} models{fam}.")
    if run.between:
        ref = run.between[0].reference
        anc = run.family_size("between_arms", "ancova")
        mod = run.family_size("between_arms", "moderation")
        text = (f"The arms were compared on each follow-up outcome by ANCOVA (ordinary least "
                f"squares of the follow-up on its baseline and arm; reference arm {ref}; "
                f"{_range(_ns([a for a in run.between if a.kind == 'ancova']))})")
        if mod:
            alli = _list(list(dict.fromkeys(label(a.predictor) for a in run.between
                                            if a.kind == "moderation")))
            text += (f", and whether the association of {alli} with the outcome differs between "
                     "the arms by the alliance × arm interaction in the same model with alliance "
                     f"added ({_range(_ns([a for a in run.between if a.kind == 'moderation']))})")
        text += (f"; listwise deletion per model. p values were adjusted with {corr} over the "
                 f"{anc} ANCOVA tests" + (f" and, separately, the {mod} interaction tests."
                                           if mod else "."))
        out.append(text)
    fitted = [m for m in run.mixed if m.result is not None]
    if run.mixed:
        measures = _list([label(m + ".x").rsplit(" (", 1)[0]
                          for m in dict.fromkeys(a.measure for a in run.mixed)])
        forms = []
        if any(a.formula == "score ~ tp * arm" for a in run.mixed):
            forms.append("score ~ timepoint × arm (all participants)")
        if any(a.formula == "score ~ tp * alliance" for a in run.mixed):
            forms.append("score ~ timepoint × alliance" + (
                " within each arm" if plan.by_arm else ""))
        if any(a.formula == "score ~ tp * arm * alliance" for a in run.mixed):
            forms.append("score ~ timepoint × arm × alliance")
        alli = _list(list(dict.fromkeys(label(a.moderator) for a in run.mixed if a.moderator)))
        obs = [a.result.n_obs for a in fitted]
        groups = [a.result.n_groups for a in fitted]
        text = (f"Every outcome assessed at more than two visits ({measures}) was analysed over "
                "all its visits with linear mixed models (random intercept per participant, "
                "REML; Bates et al., 2015), timepoint being a factor with the baseline as "
                f"reference: {_list(forms)}")
        if alli != "none":
            text += (f"; alliance ({alli}) was centred at its mean over each model's "
                     "participants")
        text += (f". Fixed effects were tested with t tests on Satterthwaite degrees of freedom "
                 f"(Kuznetsova et al., 2017) with Wald {pct} CIs; {_span(obs)} observations of "
                 f"{_span(groups)} participants per model (visits with a missing score "
                 "dropped); these tests are exploratory and not corrected for multiplicity.")
        singular = sum(1 for a in fitted if a.result.singular)
        if singular:
            text += (f" {singular} model(s) had a random-intercept variance estimated at 0 "
                     "(singular fit).")
        if len(fitted) < len(run.mixed):
            text += f" {len(run.mixed) - len(fitted)} model(s) could not be fitted."
        out.append(text)
    if run.mediations:
        ns = [a.result.n for a in run.mediations if a.result]
        cov = (", controlling for the baseline score of the outcome in both equations"
               if plan.adjust_baseline else "")
        out.append(f"Indirect effects of alliance on outcome through the acute experience "
                   f"({len(run.mediations)} model(s){within}) were estimated as the product a·b "
                   f"of ordinary least squares paths (Hayes, 2022, PROCESS model 4){cov}, with "
                   f"{pct} {CI_LABELS[plan.ci]} bootstrap confidence intervals from "
                   f"{plan.resamples} resamples (random seed {plan.seed}); listwise deletion "
                   f"({_range(ns)}). An indirect effect is deemed different from zero when its "
                   "CI excludes zero; these intervals are not corrected for multiplicity.")
    not_computed = [r for r in run.rows() if r.note.startswith("not computed")]
    if not_computed:
        out.append(f"{len(not_computed)} planned test(s) could not be computed on these data "
                   "(see the note column of results.csv).")
    for analysis, reason in run.empty:
        name = analysis.replace("_", " ")
        if reason.startswith(PARTIAL):
            out.append(f"Some {name} were not fitted: {reason.removeprefix(PARTIAL)}.")
        else:
            out.append(f"The analysis {name} yielded no result: {reason}.")
    rel = run.reliability
    if rel is not None and len(rel.table):
        out.append(f"Internal consistency of each item-scored scale was estimated per timepoint "
                   f"as Cronbach's α with a Feldt {pct} confidence interval (Cronbach, 1951; "
                   "Feldt, Woodruff, & Salih, 1987) and McDonald's ω total from a one-factor "
                   "maximum-likelihood model (McDonald, 1999), in participants with every item "
                   "answered.")
    alpha = f"{plan.alpha:g}"
    alpha = alpha[1:] if alpha.startswith("0.") else alpha  # APA: no leading zero
    out.append(f"Statistical significance was evaluated at α = {alpha} (two-sided).")
    return out


def software_sentence(versions: Mapping[str, str]) -> str:
    items = [f"{'Python' if k == 'python' else k} {v}" for k, v in versions.items()]
    return f"Analyses were run with {_list(items)}."


@with_names
def methods_paragraph(run: AnalysisRun, versions: Mapping[str, str] | None = None) -> str:
    """The whole paragraph (one string)."""
    versions = software() if versions is None else versions
    return " ".join([*data_sentences(run), *analysis_sentences(run),
                     software_sentence(versions)])


def methods_markdown(run: AnalysisRun, versions: Mapping[str, str] | None = None) -> str:
    """``methods.md``: the notice (first line), the paragraph, the plan source, references."""
    plan = run.plan
    lines = [f"> {run.notice}", "", "# Statistical analysis", "",
             methods_paragraph(run, versions), "",
             f"Plan: {_source_name(plan.source)}; "
             f"analyses run: {', '.join(plan.analyses)}.", ""]
    if plan.notes:
        lines += ["Default plan, derived from the data:", ""]
        lines += [f"- {n}" for n in plan.notes]
        lines.append("")
    refs = references(run)
    if refs:
        lines += ["## References", ""]
        lines += [f"- {r}" for r in sorted(refs)]
    return "\n".join(lines) + "\n"


REFERENCES: dict[str, str] = {
    "bates2015": "Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear "
                 "mixed-effects models using lme4. *Journal of Statistical Software, 67*(1), "
                 "1–48.",
    "becker1988": "Becker, B. J. (1988). Synthesizing standardized mean-change measures. "
                  "*British Journal of Mathematical and Statistical Psychology, 41*, 257–278.",
    "bh1995": "Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. "
              "*Journal of the Royal Statistical Society B, 57*, 289–300.",
    "by2001": "Benjamini, Y., & Yekutieli, D. (2001). The control of the false discovery rate "
              "in multiple testing under dependency. *Annals of Statistics, 29*, 1165–1188.",
    "cohen1988": "Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* "
                 "(2nd ed.). Erlbaum.",
    "cronbach1951": "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of "
                    "tests. *Psychometrika, 16*, 297–334.",
    "cumming2012": "Cumming, G. (2012). *Understanding the new statistics*. Routledge.",
    "feldt1987": "Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for "
                 "coefficient alpha. *Applied Psychological Measurement, 11*, 93–103.",
    "hayes2022": "Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional "
                 "process analysis* (3rd ed.). Guilford Press.",
    "hedges1981": "Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect "
                  "size and related estimators. *Journal of Educational Statistics, 6*, "
                  "107–128.",
    "holm1979": "Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
                "*Scandinavian Journal of Statistics, 6*, 65–70.",
    "kuznetsova2017": "Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). "
                      "lmerTest package: Tests in linear mixed effects models. *Journal of "
                      "Statistical Software, 82*(13), 1–26.",
    "lakens2013": "Lakens, D. (2013). Calculating and reporting effect sizes to facilitate "
                  "cumulative science. *Frontiers in Psychology, 4*, 863.",
    "mcdonald1999": "McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.",
    "preacher2011": "Preacher, K. J., & Kelley, K. (2011). Effect size measures for mediation "
                    "models. *Psychological Methods, 16*, 93–115.",
    "steiger1997": "Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation "
                   "and the evaluation of statistical models. In *What if there were no "
                   "significance tests?* (pp. 221–257). Erlbaum.",
}


def references(run: AnalysisRun) -> list[str]:
    """The references of the methods that ran (and only those)."""
    keys: list[str] = []
    if run.changes or run.outcome_changes:
        keys += ["becker1988", "cohen1988", "cumming2012", "hedges1981", "lakens2013",
                 "steiger1997"]
    corrected = bool(run.changes or run.outcome_changes or run.correlations or run.regressions
                     or run.between)
    if corrected:
        keys += {"holm": ["holm1979"], "fdr_bh": ["bh1995"],
                 "fdr_by": ["by2001"]}.get(run.plan.correction, [])
    if run.mixed:
        keys += ["bates2015", "kuznetsova2017"]
    if run.mediations:
        keys += ["hayes2022", "preacher2011"]
    if run.reliability is not None and len(run.reliability.table):
        keys += ["cronbach1951", "feldt1987", "mcdonald1999"]
    return [REFERENCES[k] for k in dict.fromkeys(keys)]
