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

from .tables import CI_LABELS, CORRECTION_LABELS, label

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


def data_sentences(run: AnalysisRun) -> list[str]:
    """Where the data came from and what the loader set missing or left out (the audit)."""
    audit = run.loaded.audit
    mapping = run.mapping_path.name if run.mapping_path is not None else "the default mapping"
    out = [f"Data were read from {run.data_path.name} ({audit.layout} layout, mapping "
           f"{mapping}): {audit.rows_read} data rows, {audit.n_participants} participants."]
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
    if len(audit.columns_ignored):
        out.append(f"{len(audit.columns_ignored)} column(s) were ignored as listed in the "
                   "mapping.")
    out.append("Questionnaires were scored with the instrument definitions of "
               "alliance-analysis (missing-item rules as documented there); peaks are the "
               "per-participant maximum over the sessions named in the mapping.")
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


def analysis_sentences(run: AnalysisRun) -> list[str]:
    """One or more sentences per analysis that ran."""
    plan = run.plan
    pct = _pct(plan.confidence)
    corr = CORRECTION_LABELS[plan.correction]
    out: list[str] = []
    if run.changes:
        pairs = _list([f"{label(a.pre)} to {label(a.post)}" for a in run.changes])
        ns = [a.result.n for a in run.changes if a.result]
        dropped = sum(a.result.n_dropped for a in run.changes if a.result)
        out.append(f"Change in alliance from its first to its last assessment ({pairs}) was "
                   f"tested with two-sided paired-samples t tests ({_range(ns)} complete pairs; "
                   f"{dropped} participant(s) without both values excluded).")
        out.append(_d_sentence() + f" The {pct} CI of d_z is from the noncentral t distribution "
                   "(Steiger & Fouladi, 1997).")
        if len(run.changes) > 1:
            out.append(f"p values were adjusted with {corr} over the family of "
                       f"{run.family_size('alliance_change')} change tests.")
    if run.correlations:
        method = ("Spearman rank correlations" if plan.correlation_method == "spearman"
                  else "Pearson correlations")
        xs = _list([label(c) for c in dict.fromkeys(a.x for a in run.correlations)])
        ys = _list([label(c) for c in dict.fromkeys(a.y for a in run.correlations)])
        ns = [a.result.n for a in run.correlations if a.result]
        dropped = [a.result.n_dropped for a in run.correlations if a.result]
        out.append(f"Associations of {xs} with {ys} were estimated with {method} using pairwise "
                   f"deletion (each pair uses its complete cases: {_range(ns)}; "
                   f"{_span(dropped)} participant(s) missing per pair), with {pct} CIs from Fisher's z transformation. p values were "
                   f"adjusted with {corr} over the family of "
                   f"{run.family_size('correlations')} correlations.")
    if run.regressions:
        ns = [a.result.n for a in run.regressions if a.result]
        out.append("Each follow-up outcome was regressed on its baseline score "
                   f"({plan.baseline_timepoint}; step 1) and then on one alliance variable "
                   "(step 2) by ordinary least squares; the increment in R² (ΔR²) was tested "
                   "with the F-change test, and standardized coefficients (β) are reported. "
                   f"Each model used listwise deletion ({_range(ns)}). p values of the F-change "
                   f"tests were adjusted with {corr} over the family of "
                   f"{run.family_size('regressions')} models.")
    if run.mediations:
        ns = [a.result.n for a in run.mediations if a.result]
        cov = (", controlling for the baseline score of the outcome in both equations"
               if plan.adjust_baseline else "")
        out.append(f"Indirect effects of alliance on outcome through the acute experience "
                   f"({len(run.mediations)} model(s)) were estimated as the product a·b of "
                   f"ordinary least squares paths (Hayes, 2022, PROCESS model 4){cov}, with "
                   f"{pct} {CI_LABELS[plan.ci]} bootstrap confidence intervals from "
                   f"{plan.resamples} resamples (random seed {plan.seed}); listwise deletion "
                   f"({_range(ns)}). An indirect effect is deemed different from zero when its "
                   "CI excludes zero; these intervals are not corrected for multiplicity.")
    not_computed = [r for r in run.rows() if r.note.startswith("not computed")]
    if not_computed:
        out.append(f"{len(not_computed)} planned test(s) could not be computed on these data "
                   "(see the note column of results.csv).")
    alpha = f"{plan.alpha:g}"
    alpha = alpha[1:] if alpha.startswith("0.") else alpha  # APA: no leading zero
    out.append(f"Statistical significance was evaluated at α = {alpha} (two-sided).")
    return out


def software_sentence(versions: Mapping[str, str]) -> str:
    items = [f"{'Python' if k == 'python' else k} {v}" for k, v in versions.items()]
    return f"Analyses were run with {_list(items)}."


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
    lines += ["## References", ""]
    refs = ["Becker, B. J. (1988). Synthesizing standardized mean-change measures. *British "
            "Journal of Mathematical and Statistical Psychology, 41*, 257–278.",
            "Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd "
            "ed.). Erlbaum.",
            "Cumming, G. (2012). *Understanding the new statistics*. Routledge.",
            "Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional "
            "process analysis* (3rd ed.). Guilford Press.",
            "Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and "
            "related estimators. *Journal of Educational Statistics, 6*, 107–128.",
            "Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
            "*Scandinavian Journal of Statistics, 6*, 65–70.",
            "Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative "
            "science. *Frontiers in Psychology, 4*, 863.",
            "Preacher, K. J., & Kelley, K. (2011). Effect size measures for mediation models. "
            "*Psychological Methods, 16*, 93–115.",
            "Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the "
            "evaluation of statistical models. In *What if there were no significance tests?* "
            "(pp. 221–257). Erlbaum."]
    if plan.correction == "fdr_bh":
        refs.append("Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery "
                    "rate. *Journal of the Royal Statistical Society B, 57*, 289–300.")
    if plan.correction == "fdr_by":
        refs.append("Benjamini, Y., & Yekutieli, D. (2001). The control of the false discovery "
                    "rate in multiple testing under dependency. *Annals of Statistics, 29*, "
                    "1165–1188.")
    lines += [f"- {r}" for r in sorted(refs)]
    return "\n".join(lines) + "\n"
