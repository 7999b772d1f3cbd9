"""Files of an analysis run: results (CSV/JSON), methods.md, APA tables, figures and the report.

Every file is written through the package's one writer, :mod:`alliance_analysis.report.files`
and :mod:`alliance_analysis.report.html`: CSVs are header first (readable by
``pandas.read_csv`` and R ``read.csv`` with no options) with every text cell that a spreadsheet
would run as a formula neutralised, and the data notice in ``NOTICE.txt`` beside them; every
HTML is escaped on its one path (jinja2 autoescape for the report, ``ApaTable.to_html`` for the
tables) with the notice as its first, escaped comment. The notice is also the first line of
Markdown files (a quoted line), the first key of the JSON (``{"notice": "...",``), the first
comment of each SVG and printed along the bottom edge of each PNG. Outputs are
byte-deterministic: the bootstrap seed is fixed in the plan, keys and rows are in a fixed order
and floats are written with ``%.12g``.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from pathlib import Path
from typing import Any

from .methods_text import methods_markdown, methods_paragraph, software
from .plan import split_column
from .run import RESULT_COLUMNS, AnalysisRun, empty_note, mixed_measures
from .tables import build_tables, label, with_names

FLOAT_FORMAT = "%.12g"
#: Above this many participants a figure draws a seeded random sample of them (said in the
#: caption); every statistic is computed on all participants.
FIGURE_MAX_POINTS = 2000
FIGURE_SEED = 20240601
RESULTS_CSV = "results.csv"
RELIABILITY_CSV = "reliability.csv"
RESULTS_JSON = "results.json"
METHODS_MD = "methods.md"
REPORT_HTML = "report.html"


def _clean(value: Any) -> Any:
    """JSON-ready: non-finite floats → None; floats through ``%.12g`` (stable across runs)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(FLOAT_FORMAT % value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def results_frame(run: AnalysisRun):
    """The tests as a DataFrame with :data:`~.run.RESULT_COLUMNS` (one row per test)."""
    import pandas as pd

    return pd.DataFrame([r.to_dict() for r in run.rows()], columns=list(RESULT_COLUMNS))


def write_results_csv(run: AnalysisRun, path: Path) -> Path:
    """``results.csv``: header first, one row per test (``%.12g``, ``\\n``); text cells
    neutralised against spreadsheet formulas (:func:`alliance_analysis.report.files.write_csv`).
    The data notice is in ``NOTICE.txt`` beside it."""
    from ..report.files import write_csv

    return write_csv(results_frame(run), path)


def _details(run: AnalysisRun) -> dict[str, Any]:
    """Full results per analysis (every field of each stats result)."""
    out: dict[str, Any] = {}
    if run.changes:
        out["alliance_change"] = [
            {"arm": a.arm, "pre": a.pre, "post": a.post, "p_adjusted": a.p_adjusted,
             "note": a.note,
             "result": a.result.to_dict() if a.result else None} for a in run.changes]
    if run.correlations:
        out["correlations"] = [
            {"arm": a.arm, "x": a.x, "y": a.y, "role": a.role, "p_adjusted": a.p_adjusted,
             "note": a.note,
             "result": a.result.to_dict() if a.result else None} for a in run.correlations]
    if run.regressions:
        out["regressions"] = [
            {"arm": a.arm, "outcome": a.outcome, "baseline": a.baseline,
             "predictor": a.predictor, "p_adjusted": a.p_adjusted, "note": a.note, "change": a.change,
             "coefficient": a.coefficient,
             "steps": ([{"r2": s.r2, "adj_r2": s.adj_r2, "f": s.f, "f_p": s.f_p,
                         "df_model": s.df_model, "df_resid": s.df_resid,
                         "coefficients": s.coefficients.to_dict("records")}
                        for s in a.result.steps] if a.result else None),
             "n": a.result.n if a.result else 0} for a in run.regressions]
    if run.outcome_changes:
        out["outcome_change"] = [
            {"arm": a.arm, "pre": a.pre, "post": a.post, "p_adjusted": a.p_adjusted,
             "note": a.note, "result": a.result.to_dict() if a.result else None}
            for a in run.outcome_changes]
    if run.between:
        out["between_arms"] = [
            {"kind": a.kind, "outcome": a.outcome, "baseline": a.baseline,
             "alliance": a.predictor, "arm": a.arm, "reference": a.reference, "term": a.term,
             "p_adjusted": a.p_adjusted, "note": a.note, "coefficient": a.coefficient,
             "n": a.result.n if a.result else 0,
             "df_resid": a.result.df_resid if a.result else None} for a in run.between]
    if run.mixed:
        out["mixed_models"] = [
            {"measure": a.measure, "arm": a.arm, "formula": a.formula, "model": a.label,
             "visits": list(a.visits), "moderator": a.moderator, "moderator_centre": a.centre,
             "reference_arm": a.reference_arm, "note": a.note,
             "fit": a.result.to_dict() if a.result else None,
             "fixed_effects": ([dict(rec, term=a.term_label(rec["term"])) for rec in
                                a.result.to_frame().to_dict("records")] if a.result else None),
             "variance_components": (a.result.variance_components.to_dict("records")
                                     if a.result else None)} for a in run.mixed]
    if run.mediations:
        out["mediation"] = [
            {"arm": a.arm, "x": a.x, "m": a.m, "y": a.y, "covariates": list(a.covariates),
             "note": a.note, "result": a.result.to_dict() if a.result else None}
            for a in run.mediations]
    if run.empty:
        out["not_run"] = [{"analysis": a, "reason": r} for a, r in run.empty]
    return out


def results_payload(run: AnalysisRun, versions: dict[str, str] | None = None) -> dict[str, Any]:
    """What ``results.json`` holds (the notice is written separately, as the first key)."""
    audit = run.loaded.audit
    plan = run.plan.to_dict()
    plan["source"] = _source_name(run.plan.source)
    return {
        "provenance": ("real_public" if run.real else "synthetic" if run.synthetic else "user"),
        "data": {"file": run.data_name or run.data_path.name, "real": run.real,
                 "mapping": run.mapping_path.name if run.mapping_path else None,
                 "layout": audit.layout, "rows_read": audit.rows_read,
                 "rows_kept": audit.rows_kept, "rows_excluded": len(audit.rows_excluded),
                 "participants": audit.n_participants,
                 "values_set_missing": {str(k): int(v)
                                        for k, v in audit.missing_counts().items()},
                 "scores_missing": dict(getattr(audit, "scores_missing", {}) or {}),
                 "timepoint_order": list(run.plan.global_order),
                 "timepoint_order_source": run.plan.order_source,
                 "baseline_timepoint": run.plan.baseline_timepoint,
                 "arms": {label: n for label, n in run.subsets},
                 "participants_without_arm": run.no_arm},
        "plan": plan,
        "plan_notes": list(run.plan.notes),
        "tests": [r.to_dict() for r in run.rows()],
        "details": _details(run),
        "methods": methods_paragraph(run, versions),
        "software": dict(versions if versions is not None else software()),
    }


def write_results_json(run: AnalysisRun, path: Path,
                       versions: dict[str, str] | None = None) -> Path:
    """``results.json`` with ``{"notice": ...,`` on its first line; fixed key order, no NaN."""
    body = json.dumps(_clean(results_payload(run, versions)), indent=2, ensure_ascii=False,
                      allow_nan=False)
    assert body.startswith("{\n")
    text = "{\"notice\": " + json.dumps(run.notice, ensure_ascii=False) + ",\n" + body[2:]
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _source_name(source: str) -> str:
    return source if source.startswith("<") else Path(source).name


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------
def _stamp(fig, notice: str) -> None:
    """Print the whole data notice along the bottom edge (wrapped, 6 pt), with room reserved in
    the layout so that nothing is clipped."""
    width, height = fig.get_size_inches()
    lines = textwrap.wrap(notice, max(40, int(width * 72 / (6 * 0.62))))
    extra = len(lines) * 6 * 1.3 / 72 + 0.08  # inches added below the figure for the notice
    fig.set_figheight(height + extra)
    band = extra / (height + extra)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, band, 1, 1 - band))  # (left, bottom, width, height)
    else:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, band + 0.08))
    fig.text(0.005, 0.005, "\n".join(lines), ha="left", va="bottom", fontsize=6,
             color="#a00000", linespacing=1.25)


def _sample(n: int) -> Any:
    """Row positions drawn in a figure: all, or a seeded sample above FIGURE_MAX_POINTS."""
    import numpy as np

    if n <= FIGURE_MAX_POINTS:
        return slice(None), ""
    rng = np.random.default_rng(FIGURE_SEED)
    idx = np.sort(rng.choice(n, FIGURE_MAX_POINTS, replace=False))
    return idx, (f" Drawn for a random sample of {FIGURE_MAX_POINTS} of {n} participants (seed "
                 f"{FIGURE_SEED}); the statistics use all of them.")


def _arm_title(arm: str) -> str:
    return "" if arm in ("all", "") else f" ({arm})"


@with_names
def build_figures(run: AnalysisRun) -> list[tuple[str, Any, str]]:
    """(file stem, figure, caption): the alliance change per measure, and a scatter with the OLS
    fit for each correlation with the last follow-up of an outcome measure (the other tests,
    the outcome change included, are in the tables only); each within each arm when the
    analyses run per arm."""
    from ..report.figures import paired_change_plot, scatter_fit

    figs: list[tuple[str, Any, str]] = []
    changes = [("alliance_change", "Alliance change", a) for a in run.changes]
    for i, (stem, title, a) in enumerate(changes, start=1):
        if a.result is None:
            continue
        rows = run.subset(a.arm)
        pick, note = _sample(len(rows))
        measure = label(a.pre).rsplit(" (", 1)[0]
        tp = (split_column(a.pre) or ("", "", a.pre))[2], (split_column(a.post) or
                                                           ("", "", a.post))[2]
        fig = paired_change_plot(rows[a.pre].to_numpy(float)[pick],
                                 rows[a.post].to_numpy(float)[pick], labels=tp,
                                 title=f"{title}: {measure}{_arm_title(a.arm)}", ylabel=measure)
        figs.append((f"{stem}_{i}", fig,
                     f"{label(a.pre)} to {label(a.post)}{_arm_title(a.arm)}: one line per "
                     f"participant, mean and 95% CI; {a.result.apa()}.{note}"))
    last = {cols[-1] for _, _, cols in mixed_measures(run.plan)}
    k = 0
    for a in run.correlations:
        if a.y not in last or a.result is None or not math.isfinite(a.result.r):
            continue
        k += 1
        rows = run.subset(a.arm)
        pick, note = _sample(len(rows))
        x, y = rows[a.x].to_numpy(float)[pick], rows[a.y].to_numpy(float)[pick]
        try:
            fig = scatter_fit(x, y, label(a.x), label(a.y), annotation=a.result.apa(),
                              title=(a.arm if a.arm not in ("all", "") else None))
        except ValueError:  # fewer than 3 pairs or constant x: no fit to draw
            continue
        figs.append((f"scatter_{k}", fig, f"{label(a.y)} by {label(a.x)}{_arm_title(a.arm)}: "
                     f"OLS line with the 95% confidence band of the mean; {a.result.apa()}."
                     f"{note}"))
    for _, fig, _ in figs:
        _stamp(fig, run.notice)
    return figs


def _comment(notice: str) -> str:
    """The notice as the text of an HTML/SVG comment: escaped, and unable to close it."""
    return html.escape(notice.replace("\n", " ")).replace("--", "- -")


def _svg_notice(path: Path, notice: str) -> None:
    """Put the notice first in an SVG file as an XML comment (the XML declaration is optional
    and is dropped; a comment may precede the DOCTYPE)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("<?xml"):
        text = text.split("\n", 1)[1]
    path.write_text(f"<!-- {_comment(notice)} -->\n{text}", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# everything
# ---------------------------------------------------------------------------------------------
def report_context(run: AnalysisRun, tables: list, figures: list[dict[str, Any]],
                   versions: dict[str, str]) -> dict[str, Any]:
    """The context for :func:`~alliance_analysis.report.html.render_report`."""
    rows = run.rows()
    audit = run.loaded.audit
    plan = run.plan
    assumptions: list[dict[str, str]] = []
    if run.synthetic or run.real:
        assumptions.append({"text": run.notice, "source": "data"})
    if plan.global_order:
        assumptions.append({"text": f"timepoint order {' < '.join(plan.global_order)} (from "
                            f"{plan.order_source or 'the loader'}); baseline "
                            f"{plan.baseline_timepoint}", "source": "loader"})
    if len(plan.arm_levels) >= 2:
        assumptions.append({"text": ("every analysis within each arm: " if plan.by_arm else
                                     "arms pooled as the plan asks: ")
                            + ", ".join(f"{a} (n = {n})" for a, n in run.subsets),
                            "source": "plan"})
    assumptions += [{"text": n, "source": "default plan"} for n in plan.notes]
    assumptions += [{"text": f"{a}: {empty_note(r)}", "source": a} for a, r in run.empty]
    assumptions += [{"text": r.variables + ": " + r.note, "source": r.analysis}
                    for r in rows if r.note.startswith("not computed")]
    tests = [r for r in rows if r.statistic]
    summary = {"participants": audit.n_participants, "tests": len(tests),
               "values set missing": len(audit.values_set_missing),
               "rows excluded": len(audit.rows_excluded)}
    if plan.correction != "none":
        summary[f"p_adj < {plan.alpha:g}"] = sum(
            1 for r in tests if math.isfinite(r.p_adjusted) and r.p_adjusted < plan.alpha)
    mapping = run.mapping_path.name if run.mapping_path else "default mapping"
    return {
        "notice": run.notice,
        "synthetic": run.synthetic,
        "title": "Alliance analysis",
        "subtitle": (f"Data: {run.data_name or run.data_path.name} (mapping: {mapping}); plan: "
                     f"{_source_name(plan.source)}; analyses: "
                     f"{', '.join(plan.analyses)}; arms: "
                     f"{'separate' if plan.by_arm else plan.arms}; correction: "
                     f"{plan.correction}."),
        "reproduction": False,
        "sections": [{"id": "methods", "title": f"Methods (also in {METHODS_MD})",
                      "text": methods_paragraph(run, versions)}],
        "summary": summary,
        "tables": tables,
        "figures": figures,
        "assumptions": assumptions,
        "software": versions,
    }


def write_outputs(run: AnalysisRun, out: str | Path,
                  versions: dict[str, str] | None = None) -> dict[str, Path]:
    """Write every output of ``run`` under ``out`` through :mod:`alliance_analysis.report`;
    returns ``{kind: path}``."""
    from ..report.files import write_figures, write_notice, write_tables
    from ..report.html import render_report

    versions = software() if versions is None else dict(versions)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"notice": write_notice(out, run.notice, (
                 "", f"{RESULTS_CSV} and tables/*.csv are header-first CSV files; this notice "
                 "applies to every file in this folder.")),
             "results_csv": write_results_csv(run, out / RESULTS_CSV),
             "results_json": write_results_json(run, out / RESULTS_JSON, versions)}
    if run.reliability is not None and len(run.reliability.table):
        from ..report.files import write_csv

        paths["reliability_csv"] = write_csv(run.reliability.table, out / RELIABILITY_CSV)
    methods = out / METHODS_MD
    methods.write_text(methods_markdown(run, versions), encoding="utf-8")
    paths["methods"] = methods

    tables = build_tables(run)
    tdir = out / "tables"
    write_tables(tables, tdir, run.notice)
    paths["tables"] = tdir

    fdir = out / "figures"
    fdir.mkdir(parents=True, exist_ok=True)
    figs = build_figures(run)
    figures = write_figures(figs, fdir)
    for stem, _, _ in figs:
        svg = fdir / f"{stem}.svg"
        if svg.exists():
            _svg_notice(svg, run.notice)
    paths["figures"] = fdir

    page = render_report(report_context(run, tables, figures, versions))
    report = out / REPORT_HTML
    with report.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"<!-- {_comment(run.notice)} -->\n{page.lstrip()}")
    paths["report"] = report
    return paths


def summary_lines(run: AnalysisRun, out: Path | None = None) -> list[str]:
    """The short terminal summary: notice, grouping and order, the tests, where the files are."""
    rows = run.rows()
    plan = run.plan
    lines = [run.notice, ""]
    tests = [r for r in rows if r.statistic]
    lines.append(f"{len(tests)} test(s) on {run.loaded.audit.n_participants} participants "
                 f"(plan: {_source_name(plan.source)}; correction: {plan.correction}).")
    if plan.global_order:
        lines.append(f"Timepoint order: {' < '.join(plan.global_order)} (from "
                     f"{plan.order_source or 'the loader'}); baseline: "
                     f"{plan.baseline_timepoint}.")
    if len(plan.arm_levels) >= 2:
        lines.append(("Arms analysed separately: " if plan.by_arm else
                      "Arms pooled (as the plan asks): ") +
                     ", ".join(f"{a} (n = {n})" for a, n in run.subsets) + ".")
    for r in rows:
        if not r.statistic:
            lines.append(f"  {r.analysis}: {r.note}")
            continue
        p = f"p = {r.p:.3g}" if math.isfinite(r.p) else ""
        padj = f", p_adj = {r.p_adjusted:.3g}" if math.isfinite(r.p_adjusted) else ""
        ci = (f", {r.effect} CI [{r.ci_lower:.3g}, {r.ci_upper:.3g}]"
              if math.isfinite(r.ci_lower) else "")
        value = f"{r.value:.3g}" if math.isfinite(r.value) else "NaN"
        arm = f"[{r.arm}] " if r.arm not in ("all", "") else ""
        lines.append(f"  {r.analysis}: {arm}{r.variables}: {r.statistic} = {value}"
                     f"{', ' if p else ''}{p}{padj}{ci} (n = {r.n})"
                     + (f" [{r.note}]" if r.note.startswith("not computed") else ""))
    if out is not None:
        lines.append(f"Outputs in {out}: {RESULTS_CSV}, {RESULTS_JSON}, {METHODS_MD}, "
                     f"{REPORT_HTML}, NOTICE.txt, tables/, figures/")
    return lines


def example_page(run: AnalysisRun, command: str, versions: dict[str, str] | None = None) -> str:
    """A Markdown page with what ``analyze`` writes for ``run``: the notice, the command, the
    methods paragraph and every APA table (used for the generated docs/analyze_example.md)."""
    versions = software() if versions is None else dict(versions)
    methods = methods_markdown(run, versions).split("\n", 2)[-1].strip()
    methods = methods.removeprefix("# Statistical analysis").replace("\n## ", "\n### ")
    lines = ["# Example analysis report", "",
             "<!-- generated by scripts/make_claims_status.py from an analyze run; do not edit -->",
             "", f"> {run.notice}", "",
             "What `alliance-analysis analyze` produces with the **default plan** on a synthetic "
             "trial of 24 participants (the Levin/Davis 2024 calibration dataset). The same run "
             "also writes `report.html` (these tables, the figures and the methods paragraph on "
             "one self-contained page), `results.csv`/`results.json` and the figures as PNG/SVG.",
             "", "```bash", command, "```", "", "## Methods paragraph (methods.md)", "",
             methods.strip(), "", "## Tables", ""]
    for table in build_tables(run):
        lines += [table.to_markdown(), ""]
    return "\n".join(lines)
