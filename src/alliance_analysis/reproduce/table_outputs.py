"""Files of a model-table reproduction: rows compared (CSV/JSON), APA tables, figures, report.

Everything is written through :mod:`alliance_analysis.report` (one CSV writer, one escaping
path, one HTML template). The data notice leads every human-facing file and ``NOTICE.txt``; CSVs
keep their header first and carry a short ``data`` column.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..claims.tables import NUMERIC_COLUMNS
from .published_tables import STATUS_MISMATCH, STATUS_NA, STATUS_OK, TableReproductionRun

ROW_COLUMNS = ("table", "file_row", "scale", "trt", "component")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_rows(run: TableReproductionRun, out: Path, data_label: str) -> tuple[Path, Path]:
    """``claims.csv`` (one row per printed row, header first) and ``claims.json`` (notice first)."""
    from ..report.files import write_csv, write_json

    frame = run.rows.copy()
    frame.insert(0, "data", data_label)
    csv_path = write_csv(frame, out / "claims.csv")
    payload = {
        "notice": run.notice,
        "reproduction": run.registry.id,
        "data": run.data_name,
        "provenance": data_label,
        "counts": {STATUS_OK: run.n_reproduced,
                   STATUS_MISMATCH: int((run.rows["status"] == STATUS_MISMATCH).sum()),
                   STATUS_NA: int((run.rows["status"] == STATUS_NA).sum())},
        "rows": [{k: _jsonable(v) for k, v in rec.items()} for rec in run.rows.to_dict("records")],
    }
    return csv_path, write_json(payload, out / "claims.json")


def _cell(printed: str, computed: Any, decimals: int) -> str:
    if computed is None or (isinstance(computed, float) and not math.isfinite(computed)):
        return f"{printed} / —"
    return f"{printed} / {float(computed):.{decimals + 2}f}"


def rows_table(run: TableReproductionRun):
    """Every printed row: printed / computed per column (computed two decimals finer), status."""
    from ..report.tables import STATUS_CLASSES, ApaTable

    rules = run.registry.columns
    rows, classes = [], []
    for rec in run.rows.to_dict("records"):
        cells = [rec["table"], rec["scale"], rec["trt"] or "both", rec["component"]]
        cells += [_cell(rec[f"printed_{c}"], rec[f"computed_{c}"], rules[c].decimals) for c in NUMERIC_COLUMNS]
        cells += [rec["status"], rec["detail"]]
        rows.append(tuple(str(c) for c in cells))
        classes.append(STATUS_CLASSES.get(rec["status"], "status-other"))
    columns = ("Table", "Scale", "Arm", "Term", *(f"{c} (printed / computed)" for c in NUMERIC_COLUMNS),
               "Status", "Detail")
    data = run.rows.reset_index(drop=True)
    note = ("Printed = the authors' exported cell as a string; computed = this package's value with two "
            "more decimals than printed. 'reproduced' = every printed cell (and star code) is given back at "
            "the column's printed precision.")
    return ApaTable(title="Published model rows: printed and reproduced", note=note, columns=columns,
                    rows=tuple(rows), data=data, name="rows", row_classes=tuple(classes))


def counts_table(run: TableReproductionRun):
    from ..report.tables import ApaTable

    counts = run.counts().reset_index()
    descriptions = {t.id: t.description for t in run.registry.tables}
    rows = [(r["table"], descriptions[r["table"]], str(int(r[STATUS_OK])), str(int(r[STATUS_MISMATCH])),
             str(int(r[STATUS_NA]))) for r in counts.to_dict("records")]
    return ApaTable(title="Rows reproduced per published table",
                    note="Each table: six scales (HAMD, BDI, MADRS, QIDS, STAI-T, WEMWBS), per arm where "
                         "the table is within-arm; one row per fixed effect.",
                    columns=("Table", "Model", "Reproduced", "Mismatch", "Not computable"),
                    rows=tuple(rows), data=counts, name="counts")


def trajectory_figure_plan(run: TableReproductionRun, split: str, split_label: str,
                           arm_labels: dict[str, str]) -> list[tuple[str, Any, str]]:
    """(file stem, figure maker, caption) of every trajectory figure, without drawing: one figure
    per scale, mean score over every visit by arm, each arm split at its median of ``split`` (a
    baseline covariate); patients without the covariate are left out and counted. Each maker
    builds its figure, data notice stamped, when called (:mod:`.render` calls them in workers)."""
    import functools

    long = run.long
    per_person = long.drop_duplicates("participant_id").set_index("participant_id")
    medians = per_person.groupby("arm")[split].median()
    level = {}
    for pid, rec in per_person.iterrows():
        value, arm = rec[split], arm_labels.get(rec["arm"], rec["arm"])
        if np.isfinite(value):
            side = "above" if value > medians[rec["arm"]] else "at or below"
            level[pid] = f"{arm}, {split_label} {side} median"
    n_without = len(per_person) - len(level)
    order = {tp: i for i, tp in enumerate(run.timepoint_order)}
    plan = []
    for scale, label in run.registry.scales.items():
        rows = long[(long["scale"] == scale) & long["participant_id"].isin(level)]
        if rows.empty:
            continue
        plan.append((f"trajectory_{scale}", functools.partial(
            _trajectory_figure, rows, level, order, label, split_label, run.notice),
            f"{label}: mean and 95% CI per visit, by arm and {split_label} (median split within "
            f"arm); thin lines are patients; {n_without} patient(s) without {split_label} not "
            "shown. Descriptive; the models use wk0 and wk6 only."))
    return plan


def _trajectory_figure(rows: Any, level: dict, order: dict, label: str, split_label: str,
                       notice: str) -> Any:
    import pandas as pd

    from ..report.figures import stamp_notice, trajectories

    frame = pd.DataFrame({"participant": rows["participant_id"].to_numpy(),
                          "group": rows["participant_id"].map(level).to_numpy(),
                          "time_index": rows["timepoint"].map(order).to_numpy(),
                          "time_label": rows["timepoint"].astype(str).to_numpy(),
                          "score": rows["score"].to_numpy(float)})
    fig = trajectories(frame, ylabel=f"{label} score", title=f"{label} by arm and {split_label}")
    stamp_notice(fig, notice)
    return fig


def trajectory_figures(run: TableReproductionRun, split: str, split_label: str,
                       arm_labels: dict[str, str]) -> list[tuple[str, Any, str]]:
    """(file stem, figure, caption) of every trajectory figure (:func:`trajectory_figure_plan`,
    drawn)."""
    return [(stem, make(), caption)
            for stem, make, caption in trajectory_figure_plan(run, split, split_label, arm_labels)]


def _write_rows_and_tables(run: TableReproductionRun, out: Path, data_label: str,
                           arm_labels: dict[str, str], alliance: dict[str, Any] | None) -> tuple:
    """The notice, the compared rows and the APA tables (rows table first) of a run."""
    from ..report.files import write_notice, write_tables

    write_notice(out, run.notice, [f"Reproduction: {run.registry.paper['citation']}",
                                   f"Published values: {run.registry.paper['source']}"])
    write_rows(run, out, data_label)
    claims = rows_table(run)
    tables = [counts_table(run)]
    if alliance:
        from .alliance_real import alliance_tables

        labelled = run.long.assign(scale=run.long["scale"].map(lambda s: run.registry.scales.get(s, s)))
        tables += alliance_tables(labelled, alliance["covariate"], alliance["label"], alliance["first"],
                                  alliance["last"], arm_labels, alliance["reference_arm"])
    write_tables([claims, *tables], out / "tables", run.notice)
    return claims, tables


def write_table_outputs(run: TableReproductionRun, out: str | Path, *, data_label: str,
                        split: str, split_label: str, arm_labels: dict[str, str],
                        sections: list[dict[str, str]], alliance: dict[str, Any] | None = None,
                        svg: bool = False, jobs: int | None = None) -> Path:
    """Write every output of ``run`` under ``out``; returns the report path. ``alliance``
    (covariate, label, first, last, reference_arm) adds the exploratory alliance tables;
    ``svg=True`` writes each figure as SVG too (the report embeds the PNGs). The figures are
    drawn in ``jobs`` worker processes while this process writes the rows and tables (default one
    per CPU, at most 4; ``jobs=1`` draws them here; the files are the same, :mod:`.render`)."""
    from ..report.html import write_report
    from .render import render_figures

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    plan = trajectory_figure_plan(run, split, split_label, arm_labels)
    with render_figures(plan, out / "figures", svg=svg, jobs=jobs) as rendering:
        claims, tables = _write_rows_and_tables(run, out, data_label, arm_labels, alliance)
        figures = rendering.entries()
    reg = run.registry
    assumptions = [{"text": f"{rule.name}: printed at {rule.decimals} decimals ({rule.status}: {rule.basis})",
                    "source": reg.id} for rule in reg.columns.values()]
    assumptions += [{"text": note, "source": f"{reg.id} model ({reg.model['status']})"} for note in reg.notes]
    context = {
        "notice": run.notice,
        "synthetic": False,
        "title": f"{reg.paper['short']}: the published mixed models, row by row",
        "subtitle": f"Data: {run.data_name}. {run.n_reproduced} of {len(run.rows)} published rows reproduced.",
        "claims": claims,
        "tables": tables,
        "figures": figures,
        "assumptions": assumptions,
        "sections": sections,
    }
    return write_report(out / "report.html", context)
