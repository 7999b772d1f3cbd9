"""Files of a reproduction: claims (CSV/JSON), APA tables (MD/HTML/CSV), figures (PNG/SVG), report.

Every file starts with the run's data notice (synthetic or user data): a ``#`` line in CSV, a
quoted first line in Markdown, an HTML comment and banner, and a caption line inside each figure.
Outputs are deterministic: same inputs give byte-identical files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..claims.compute import group_rows
from ..rounding import parse_printed
from .model_tables import model_tables
from .pipeline import ReproductionRun, write_claims

#: (file stem, a callable building the figure, caption)
FigurePlan = tuple[str, Callable[[], Any], str]


def _unique(seq):
    seen, out = set(), []
    for item in seq:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _available(run: ReproductionRun, columns: list[str]) -> list[str]:
    return [c for c in columns if c in run.wide.columns]


def build_tables(run: ReproductionRun) -> list[Any]:
    """APA tables of the run: claims, descriptives, paired change, model-based tables (significance
    pattern under each correction, variance readings, path models), correlations, sensitivity."""
    from ..report.tables import (
        ApaTable,
        claims_table,
        correlation_table,
        descriptives_table,
        paired_change_table,
    )
    from ..stats import correlation_matrix, paired_ttest

    spec, wide = run.spec, run.wide
    tables = [claims_table(run.claims_frame(), title="Claims: published and reproduced")]
    traj = spec.trajectory
    columns = _unique(list(spec.correlations.get("columns", [])) + [spec.paired.get("pre"), spec.paired.get("post")]
                      + ([f"{traj['prefix']}.{t}" for t in traj.get("timepoints", [])] if traj else []))
    columns = _available(run, [c for c in columns if c])
    if columns:
        tables.append(descriptives_table(wide, {c: spec.label(c) for c in columns},
                                         by=traj.get("group") if traj and traj.get("group") in wide.columns else None,
                                         title="Descriptive statistics"))
    if spec.paired and all(c in wide.columns for c in (spec.paired["pre"], spec.paired["post"])):
        res = paired_ttest(wide[spec.paired["pre"]], wide[spec.paired["post"]])
        tables.append(paired_change_table(
            res.to_dict(), title=f"Paired change: {spec.label(spec.paired['pre'])} to {spec.label(spec.paired['post'])}"))
    tables.extend(model_tables(run))
    corr_cols = _available(run, list(spec.correlations.get("columns", [])))
    if len(corr_cols) >= 2:
        group = spec.correlations.get("group")
        rows = group_rows(wide, group)
        if rows is None:  # no arm column: every row, and the title does not claim an arm
            rows, group = wide, None
        matrix = correlation_matrix(rows, columns=corr_cols)
        where = f", {group} arm" if group else ""
        tables.append(correlation_table(matrix.long, {c: spec.label(c) for c in corr_cols},
                                        title=f"Pearson correlations (pairwise n per cell{where})"))
    sizes = sorted({c.n for c in run.claims if c.n and c.analysis in (
        "correlation", "paired_change", "significance", "regression", "path")})
    if sizes:
        from ..power import sensitivity_table

        sens = sensitivity_table(ns=tuple(int(n) for n in sizes if n >= 4))
        cols = list(sens.columns)
        rows = [[str(int(r["n"]))] + [f"{float(r[c]):.3f}" for c in cols[1:]] for _, r in sens.iterrows()]
        tables.append(ApaTable(
            title="Design sensitivity at the analysed sample sizes (two-sided alpha = .05, power = .80)",
            note="mde = minimum detectable effect (exact Pearson distribution; d_z via the noncentral t).",
            columns=cols, rows=rows, data=sens, name="sensitivity"))
    from ..report.tables import reliability_table
    from ..scale_reliability import scale_reliability

    rel = scale_reliability(run.loaded)
    if len(rel.table):
        tables.append(reliability_table(rel.table, 0.95, n_skipped=len(rel.skipped), note=(
            "On synthetic data these values show only what the generator built into the items, "
            "not the reliability the paper's sample had; compare them with any reliability the "
            "paper prints." if run.synthetic else "")))
    return tables


def _residuals(y: np.ndarray, covariates: np.ndarray) -> np.ndarray:
    """OLS residuals of ``y`` on an intercept and ``covariates`` (n × k)."""
    design = np.column_stack([np.ones(len(y)), covariates])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return y - design @ coef


def _model_figures(run: ReproductionRun) -> list[FigurePlan]:
    """Added-variable plots of the regression claims (outcome and predictor each residualised on
    the claim's covariates; the slope equals the predictor's partial coefficient) and the
    mediator → outcome scatter of each path model."""
    from ..report.figures import scatter_fit

    spec, plans, done = run.spec, [], set()
    for claim in (c for reg in run.registries for c in reg.claims):
        wide = group_rows(run.wide, claim.group)
        if wide is None:
            continue
        if claim.analysis == "regression" and claim.covariates:
            cols = [claim.outcome, claim.predictor, *claim.covariates]
            if not all(c in wide.columns for c in cols):
                continue
            data = wide[cols].dropna().to_numpy(float)
            y, x = _residuals(data[:, 0], data[:, 2:]), _residuals(data[:, 1], data[:, 2:])
            adj = ", ".join(spec.label(c) for c in claim.covariates)
            plans.append((f"added_variable_{claim.id}", functools.partial(
                scatter_fit, x, y, f"{spec.label(claim.predictor)} | {adj}",
                f"{spec.label(claim.outcome)} | {adj}", title=f"{claim.id}: {claim.description}"),
                f"{claim.id}: added-variable plot (both axes residualised on {adj}); "
                "OLS line with 95% CI band."))
        elif claim.analysis == "path" and (claim.m, claim.y, claim.group) not in done:
            if not all(c in wide.columns for c in (claim.m, claim.y)):
                continue
            done.add((claim.m, claim.y, claim.group))
            plans.append((f"path_{claim.m}_{claim.y}".replace(".", "_"), functools.partial(
                scatter_fit, wide[claim.m].to_numpy(float), wide[claim.y].to_numpy(float),
                spec.label(claim.m), spec.label(claim.y),
                title=f"{spec.label(claim.m)} and {spec.label(claim.y)}"
                + (f" ({claim.group})" if claim.group else "")),
                "Mediator and outcome of a path model; OLS line with 95% CI band."))
    return plans


def _stamped(make: Callable[[], Any], notice: str) -> Any:
    from ..report.figures import stamp_notice

    fig = make()
    stamp_notice(fig, notice)
    return fig


def figure_plan(run: ReproductionRun) -> list[FigurePlan]:
    """(file stem, figure maker, caption) for every figure of the run, without drawing anything:
    each maker builds its matplotlib figure, data notice stamped, when called (so that figures
    can be built and rendered in worker processes, :mod:`.render`)."""
    import pandas as pd

    from ..report.figures import (
        paired_change_plot,
        published_vs_reproduced,
        scatter_fit,
        trajectories,
    )
    from ..stats import correlate

    spec, wide = run.spec, run.wide
    plans: list[FigurePlan] = []
    if spec.paired and all(c in wide.columns for c in (spec.paired["pre"], spec.paired["post"])):
        plans.append(("paired_change", functools.partial(
            paired_change_plot, wide[spec.paired["pre"]].to_numpy(float),
            wide[spec.paired["post"]].to_numpy(float),
            labels=tuple(spec.paired.get("labels") or (spec.label(spec.paired["pre"]),
                                                         spec.label(spec.paired["post"]))),
            title="Alliance change", ylabel=spec.paired.get("ylabel", "Score")),
            "Change per participant (thin lines) with mean and 95% CI."))
    dots = []
    for claim in (c for reg in run.registries for c in reg.claims):
        if claim.analysis != "correlation" or not all(v in wide.columns for v in (claim.x, claim.y)):
            continue
        x, y = wide[claim.x].to_numpy(float), wide[claim.y].to_numpy(float)
        res = correlate(x, y)
        note = f"published {claim.published_text}; reproduced {res.apa()}"
        plans.append((f"scatter_{claim.id}", functools.partial(
            scatter_fit, x, y, spec.label(claim.x), spec.label(claim.y), annotation=note,
            title=f"{claim.id}: {claim.description}"),
            f"{claim.id}: {claim.description}. OLS line with 95% CI band."))
        dots.append({"claim_id": claim.id, "published": parse_printed(claim.printed),
                     "reproduced": res.r, "ci_lower": res.ci[0], "ci_upper": res.ci[1]})
    plans.extend(_model_figures(run))
    if dots:
        plans.append(("published_vs_reproduced", functools.partial(
            published_vs_reproduced, pd.DataFrame(dots), xlabel="Pearson r"),
            "Published r (open) and reproduced r with 95% CI (Fisher z)."))
    traj = spec.trajectory
    if traj:
        cols = [f"{traj['prefix']}.{t}" for t in traj["timepoints"]]
        if all(c in wide.columns for c in cols):
            group = wide[traj["group"]].astype(str) if traj.get("group") in wide.columns else "all"
            parts = []
            for k, (col, label) in enumerate(zip(cols, traj.get("labels", traj["timepoints"]), strict=True)):
                parts.append(pd.DataFrame({"participant": np.arange(len(wide)), "group": group,
                                           "time_index": k, "time_label": label,
                                           "score": wide[col].to_numpy(float)}))
            plans.append(("trajectories", functools.partial(
                trajectories, pd.concat(parts, ignore_index=True),
                ylabel=traj.get("ylabel", "Score"), title="Trajectories by arm"),
                "Mean and 95% CI per arm; thin lines are participants."))
    return [(stem, functools.partial(_stamped, make, run.notice), caption)
            for stem, make, caption in plans]


def build_figures(run: ReproductionRun) -> list[tuple[str, Any, str]]:
    """(file stem, matplotlib figure, caption) for every figure of the run (data notice stamped)."""
    return [(stem, make(), caption) for stem, make, caption in figure_plan(run)]


def write_outputs(run: ReproductionRun, out: str | Path, *, svg: bool = False,
                  jobs: int | None = None) -> Path:
    """Write every output of ``run`` under ``out`` through :mod:`alliance_analysis.report`;
    returns the report path. Figures are PNG (embedded in the report); ``svg=True`` adds SVGs.

    The figures are built and rendered in ``jobs`` worker processes (default: one per CPU, at
    most 4; ``jobs=1`` renders in this process) while this process writes the claims and tables;
    the files are byte-identical either way (:mod:`.render`)."""
    from .render import render_figures

    out = Path(out)
    with render_figures(figure_plan(run), out / "figures", svg=svg, jobs=jobs) as rendering:
        return _write_all(run, out, rendering)


def reproduce_and_write(name: str, out: str | Path, *, data: str | Path | None = None,
                        mapping: str | Path | None = None, root: str | Path | None = None,
                        svg: bool = False, jobs: int | None = None) -> tuple[ReproductionRun, Path]:
    """:func:`~.pipeline.run_reproduction` then :func:`write_outputs`, with the figure workers
    started as soon as the data are loaded, so that they draw while this process computes the
    claims (the figures need the data and the claims' definitions, not their results). The same
    files as the two steps one after the other; returns (run, report path)."""
    from .pipeline import compute_run, prepare_run
    from .render import render_figures

    out = Path(out)
    prepared = prepare_run(name, data=data, mapping=mapping, root=root)
    with render_figures(figure_plan(prepared), out / "figures", svg=svg, jobs=jobs) as rendering:
        run = compute_run(prepared)
        return run, _write_all(run, out, rendering)


def _write_all(run: ReproductionRun, out: Path, rendering: Any) -> Path:
    """Notice, claims, tables, then (once the figures are in) the report."""
    from ..report.files import write_notice, write_tables
    from ..report.html import write_report

    write_notice(out, run.notice, [f"Reproduction: {run.spec.title}", f"Data: {run.data_path.name}"])
    write_claims(run, out)
    tables = build_tables(run)
    write_tables(tables, out / "tables", run.notice)
    figures = rendering.entries()
    assumptions = [{"text": text, "source": f"{reg.id} {aid}"} for reg in run.registries
                   for aid, text in reg.assumptions.items()]
    assumptions += [{"text": f"Not checked: \u201c{o['quote']}\u201d ({o.get('source', '')}). {o['reason']}",
                     "source": f"{reg.id} {o['id']} (omitted)"} for reg in run.registries for o in reg.omitted]
    if run.synthetic:
        assumptions.insert(0, {"text": run.notice, "source": "data"})
    context = {
        "notice": run.notice,
        "synthetic": run.synthetic,
        "title": run.spec.title,
        "subtitle": f"Data: {run.data_path.name}. {audit_text(run)}".strip(),
        "claims": tables[0],
        "audit": list(run.printed_audit),
        "tables": tables[1:],
        "figures": figures,
        "assumptions": assumptions,
    }
    path = out / "report.html"
    write_report(path, context)
    return path


def audit_text(run: ReproductionRun) -> str:
    """The loader's audit summary with the data and mapping named by file name only (outputs
    carry no path of the machine that ran them)."""
    text = run.loaded.audit.summary() if hasattr(run.loaded, "audit") else ""
    for path in (run.data_path, run.mapping_path):
        if path is not None:
            text = text.replace(str(path), path.name)
    return text
