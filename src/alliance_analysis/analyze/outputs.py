"""Files of an analysis run: results (CSV/JSON), methods.md, APA tables, figures and the report.

Every file starts with the run's data notice on its first line: a ``#`` line in CSV, a quoted
line in Markdown, an HTML comment in HTML and SVG, the first key on the first line of the JSON
(``{"notice": "...",``); PNG figures carry it printed along their bottom edge. Outputs are
byte-deterministic: the bootstrap seed is fixed in the plan, keys and rows are in a fixed order
and floats are written with ``%.12g``.

The HTML report is rendered by :func:`alliance_analysis.report.html.render_report` with its one
template (with ``reproduction = False``: no claims/audit sections); nothing here renders
HTML or tables itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .methods_text import methods_markdown, methods_paragraph, software
from .plan import split_column
from .run import RESULT_COLUMNS, AnalysisRun
from .tables import build_tables, label

FLOAT_FORMAT = "%.12g"
RESULTS_CSV = "results.csv"
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
    """``results.csv``: ``# notice`` line, header, one row per test (``%.12g``, ``\\n``)."""
    frame = results_frame(run)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# " + run.notice.replace("\n", " ") + "\n")
        frame.to_csv(fh, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def _details(run: AnalysisRun) -> dict[str, Any]:
    """Full results per analysis (every field of each stats result)."""
    out: dict[str, Any] = {}
    if run.changes:
        out["alliance_change"] = [
            {"pre": a.pre, "post": a.post, "p_adjusted": a.p_adjusted, "note": a.note,
             "result": a.result.to_dict() if a.result else None} for a in run.changes]
    if run.correlations:
        out["correlations"] = [
            {"x": a.x, "y": a.y, "role": a.role, "p_adjusted": a.p_adjusted, "note": a.note,
             "result": a.result.to_dict() if a.result else None} for a in run.correlations]
    if run.regressions:
        out["regressions"] = [
            {"outcome": a.outcome, "baseline": a.baseline, "predictor": a.predictor,
             "p_adjusted": a.p_adjusted, "note": a.note, "change": a.change,
             "coefficient": a.coefficient,
             "steps": ([{"r2": s.r2, "adj_r2": s.adj_r2, "f": s.f, "f_p": s.f_p,
                         "df_model": s.df_model, "df_resid": s.df_resid,
                         "coefficients": s.coefficients.to_dict("records")}
                        for s in a.result.steps] if a.result else None),
             "n": a.result.n if a.result else 0} for a in run.regressions]
    if run.mediations:
        out["mediation"] = [
            {"x": a.x, "m": a.m, "y": a.y, "covariates": list(a.covariates), "note": a.note,
             "result": a.result.to_dict() if a.result else None} for a in run.mediations]
    return out


def results_payload(run: AnalysisRun, versions: dict[str, str] | None = None) -> dict[str, Any]:
    """What ``results.json`` holds (the notice is written separately, as the first key)."""
    audit = run.loaded.audit
    plan = run.plan.to_dict()
    plan["source"] = _source_name(run.plan.source)
    return {
        "synthetic": run.synthetic,
        "data": {"file": run.data_path.name,
                 "mapping": run.mapping_path.name if run.mapping_path else None,
                 "layout": audit.layout, "rows_read": audit.rows_read,
                 "rows_kept": audit.rows_kept, "rows_excluded": len(audit.rows_excluded),
                 "participants": audit.n_participants,
                 "values_set_missing": {str(k): int(v)
                                        for k, v in audit.missing_counts().items()}},
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
    """Print the data notice along the bottom edge, with room reserved in the layout."""
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, 0.03, 1, 0.97))
    text = notice[:140] + ("..." if len(notice) > 140 else "")
    fig.text(0.005, 0.003, text, ha="left", va="bottom", fontsize=5.5, color="#a00000")


def build_figures(run: AnalysisRun) -> list[tuple[str, Any, str]]:
    """(file stem, figure, caption): the alliance change per measure, and a scatter with the OLS
    fit for each correlation with a follow-up outcome (baseline correlations are in the table
    only)."""
    from ..report.figures import paired_change_plot, scatter_fit

    wide = run.wide
    figs: list[tuple[str, Any, str]] = []
    for i, a in enumerate(run.changes, start=1):
        if a.result is None:
            continue
        measure = label(a.pre).rsplit(" (", 1)[0]
        tp = (split_column(a.pre) or ("", "", a.pre))[2], (split_column(a.post) or
                                                           ("", "", a.post))[2]
        fig = paired_change_plot(wide[a.pre].to_numpy(float), wide[a.post].to_numpy(float),
                                 labels=tp, title=f"Alliance change: {measure}",
                                 ylabel=measure)
        figs.append((f"alliance_change_{i}", fig,
                     f"{label(a.pre)} to {label(a.post)}: one line per participant, mean and "
                     f"95% CI; {a.result.apa()}."))
    follow = set(run.plan.outcomes)
    k = 0
    for a in run.correlations:
        if a.y not in follow or a.result is None or not math.isfinite(a.result.r):
            continue
        k += 1
        x, y = wide[a.x].to_numpy(float), wide[a.y].to_numpy(float)
        try:
            fig = scatter_fit(x, y, label(a.x), label(a.y), annotation=a.result.apa())
        except ValueError:  # fewer than 3 pairs or constant x: no fit to draw
            continue
        figs.append((f"scatter_{k}", fig, f"{label(a.y)} by {label(a.x)}: OLS line with the "
                     f"95% confidence band of the mean; {a.result.apa()}."))
    for _, fig, _ in figs:
        _stamp(fig, run.notice)
    return figs


def _svg_notice(path: Path, notice: str) -> None:
    """Put the notice first in an SVG file as an XML comment (the XML declaration is optional
    and is dropped; a comment may precede the DOCTYPE)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("<?xml"):
        text = text.split("\n", 1)[1]
    safe = notice.replace("--", "- -").replace("\n", " ")
    path.write_text(f"<!-- {safe} -->\n{text}", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# everything
# ---------------------------------------------------------------------------------------------
def report_context(run: AnalysisRun, tables: list, figures: list[dict[str, Any]],
                   versions: dict[str, str]) -> dict[str, Any]:
    """The context for :func:`~alliance_analysis.report.html.render_report`."""
    rows = run.rows()
    audit = run.loaded.audit
    assumptions: list[dict[str, str]] = []
    if run.synthetic:
        assumptions.append({"text": run.notice, "source": "data"})
    assumptions += [{"text": n, "source": "default plan"} for n in run.plan.notes]
    assumptions += [{"text": r.variables + ": " + r.note, "source": r.analysis}
                    for r in rows if r.note.startswith("not computed")]
    summary = {"participants": audit.n_participants, "tests": len(rows),
               "values set missing": len(audit.values_set_missing),
               "rows excluded": len(audit.rows_excluded)}
    if run.plan.correction != "none":
        summary[f"p_adj < {run.plan.alpha:g}"] = sum(
            1 for r in rows if math.isfinite(r.p_adjusted) and r.p_adjusted < run.plan.alpha)
    mapping = run.mapping_path.name if run.mapping_path else "default mapping"
    return {
        "notice": run.notice,
        "synthetic": run.synthetic,
        "title": "Alliance analysis",
        "subtitle": (f"Data: {run.data_path.name} (mapping: {mapping}); plan: "
                     f"{_source_name(run.plan.source)}; analyses: "
                     f"{', '.join(run.plan.analyses)}; correction: {run.plan.correction}."),
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
    """Write every output of ``run`` under ``out``; returns ``{kind: path}``."""
    import base64

    from ..report.figures import save_figure
    from ..report.html import render_report

    versions = software() if versions is None else dict(versions)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results_csv": write_results_csv(run, out / RESULTS_CSV),
             "results_json": write_results_json(run, out / RESULTS_JSON, versions)}
    methods = out / METHODS_MD
    methods.write_text(methods_markdown(run, versions), encoding="utf-8")
    paths["methods"] = methods

    tables = build_tables(run)
    tdir = out / "tables"
    tdir.mkdir(parents=True, exist_ok=True)
    for i, table in enumerate(tables, start=1):
        stem = tdir / f"table{i}_{table.name or 'table'}"
        stem.with_suffix(".md").write_text(f"> {run.notice}\n\n{table.to_markdown()}",
                                           encoding="utf-8")
        stem.with_suffix(".html").write_text(f"<!-- {run.notice} -->\n{table.to_html()}",
                                             encoding="utf-8")
        table.to_csv(stem.with_suffix(".csv"), comment=run.notice)
    paths["tables"] = tdir

    fdir = out / "figures"
    fdir.mkdir(parents=True, exist_ok=True)
    figures = []
    for stem, fig, caption in build_figures(run):
        files = save_figure(fig, fdir / stem)
        png = next(p for p in files if p.suffix == ".png")
        for svg in (p for p in files if p.suffix == ".svg"):
            _svg_notice(svg, run.notice)
        figures.append({"caption": caption, "title": stem.replace("_", " "), "alt": caption,
                        "png_base64": base64.b64encode(png.read_bytes()).decode("ascii")})
    paths["figures"] = fdir

    html = render_report(report_context(run, tables, figures, versions))
    report = out / REPORT_HTML
    safe = run.notice.replace("--", "- -").replace("\n", " ")
    with report.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"<!-- {safe} -->\n{html.lstrip()}")
    paths["report"] = report
    return paths


def summary_lines(run: AnalysisRun, out: Path | None = None) -> list[str]:
    """The short terminal summary: notice, what ran, the tests, where the files are."""
    rows = run.rows()
    lines = [run.notice, ""]
    plan = run.plan
    lines.append(f"{len(rows)} test(s) on {run.loaded.audit.n_participants} participants "
                 f"(plan: {_source_name(plan.source)}; correction: {plan.correction}).")
    for r in rows:
        p = f"p = {r.p:.3g}" if math.isfinite(r.p) else ""
        padj = f", p_adj = {r.p_adjusted:.3g}" if math.isfinite(r.p_adjusted) else ""
        ci = (f", {r.effect} CI [{r.ci_lower:.3g}, {r.ci_upper:.3g}]"
              if math.isfinite(r.ci_lower) else "")
        value = f"{r.value:.3g}" if math.isfinite(r.value) else "NaN"
        lines.append(f"  {r.analysis}: {r.variables}: {r.statistic} = {value}"
                     f"{', ' if p else ''}{p}{padj}{ci} (n = {r.n})"
                     + (f" [{r.note}]" if r.note.startswith("not computed") else ""))
    if out is not None:
        lines.append(f"Outputs in {out}: {RESULTS_CSV}, {RESULTS_JSON}, {METHODS_MD}, "
                     f"{REPORT_HTML}, tables/, figures/")
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
