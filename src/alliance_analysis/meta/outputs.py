"""Files of a meta-analysis run, written through the package's one writer (``report/``).

Every call into ``report`` is in this module: CSVs (header first, formula-safe) with the data
notice in ``NOTICE.txt`` beside them, the APA paragraph (``apa.txt``, notice first), forest and
funnel figures (PNG + SVG, notice printed on them) and ``report.html`` (notice first).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..report.tables import ApaTable
    from .analysis import MetaResult

from .analysis import _cell, result_table  # noqa: F401  (result_table: re-exported)

RESULTS_CSV = "results.csv"
STUDIES_CSV = "studies.csv"
LOO_CSV = "leave_one_out.csv"
APA_TXT = "apa.txt"
REPORT_HTML = "report.html"


def frame_table(frame: pd.DataFrame, title: str, note: str, name: str) -> ApaTable:
    """Any frame as an ApaTable (cells formatted to 3 decimals)."""
    from ..report.tables import ApaTable

    rows = tuple(tuple(_cell(v) for v in r) for r in frame.itertuples(index=False))
    return ApaTable(title=title, note=note, columns=tuple(str(c) for c in frame.columns),
                    rows=rows, data=frame, name=name)


def write_outputs(result: MetaResult, out: str | Path, notice: str, notes: Sequence[str] = (),
                  studies: pd.DataFrame | None = None, title: str = "Meta-analysis") -> list[Path]:
    """Write the run's files under ``out``; returns their paths (notice-first everywhere)."""
    from ..report.files import write_csv, write_figures, write_notice
    from ..report.html import write_report
    from .figures import forest_plot, funnel_plot

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paragraph = [result.apa()]
    egger = None
    if result.k >= 3 and result.model != "three-level":
        egger = result.egger()
        paragraph.append(egger.apa() + ".")
    names = [RESULTS_CSV, STUDIES_CSV] + ([LOO_CSV] if result.model != "three-level" else [])
    names += [APA_TXT, "forest.png/svg", "funnel.png/svg", REPORT_HTML]
    written = [write_notice(out, notice, ["", *notes, "", "Files: " + ", ".join(names)])]
    frame = result.pooled_frame()
    written.append(write_csv(frame, out / RESULTS_CSV))
    per_study = result.studies_frame()
    if studies is not None:
        extra = [c for c in studies.columns if c not in per_study.columns]
        per_study = per_study.join(studies[extra].reset_index(drop=True))
    written.append(write_csv(per_study, out / STUDIES_CSV))
    tables = [result_table(result), frame_table(per_study, "Effects pooled",
                                                "One row per effect; CI from yi ± z·sqrt(vi).",
                                                "studies")]
    if result.model == "three-level":
        (out / LOO_CSV).unlink(missing_ok=True)  # our own file of an earlier run: not current
    else:
        loo = result.leave_one_out()
        written.append(write_csv(loo, out / LOO_CSV))
        tables.append(frame_table(loo, "Leave-one-out", "Each effect left out in turn.", "loo"))
    apa = out / APA_TXT
    apa.write_text(notice + "\n\n" + " ".join(paragraph) + "\n", encoding="utf-8")
    written.append(apa)
    figs = [("forest", forest_plot(result, notice), "Forest plot: effects with 95% CIs, the "
             "pooled estimate (diamond) and the prediction interval."),
            ("funnel", funnel_plot(result, notice), "Funnel plot with the 95% pseudo-confidence "
             "region around the pooled estimate.")]
    entries = write_figures(figs, out)
    written += [out / f"{stem}.{ext}" for stem, _, _ in figs for ext in ("png", "svg")]
    context = {"notice": notice, "title": title, "reproduction": False,
               "summary": {"effects": result.k, "studies": result.n_studies},
               "sections": [{"title": "Result", "text": " ".join(paragraph)},
                            {"title": "Data", "text": "\n\n".join(notes) or notice}],
               "tables": tables, "figures": entries}
    written.append(write_report(out / REPORT_HTML, context))
    return written
