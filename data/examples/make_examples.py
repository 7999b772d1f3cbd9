"""Regenerate the SYNTHETIC example tables in this folder (deterministic, byte-identical).

SYNTHETIC DATA: random numbers from a fixed seed, not observations of any person.

    python data/examples/make_examples.py

Writes ``synthetic_example_wide.csv``, ``synthetic_example_long.csv``,
``synthetic_example_messy.xlsx`` and ``synthetic_example_messy_typo.xlsx`` (the mapping TOMLs and
README.md are written by hand).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20240601
N = 8
WAI_TP = ("prep", "post")
HAMD_TP = ("base", "wk4")
PIQ_TP = ("s1", "s2")
# GRID-HAMD-17 item maxima: items 1-3, 7-11, 15 are 0-4; items 4-6, 12-14, 16, 17 are 0-2
HAMD_MAX = (4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2)
FIXED_TIME = dt.datetime(2024, 6, 1, 0, 0, 0)


def make_data() -> dict:
    """The trial as plain Python data (participant → columns)."""
    rng = np.random.default_rng(SEED)
    pids = [f"S{i:02d}" for i in range(1, N + 1)]
    arms = ["immediate" if i < N // 2 else "delayed" for i in range(N)]
    wai = {tp: rng.integers(2 if tp == "prep" else 3, 6, size=(N, 12)) for tp in WAI_TP}
    hamd = {}
    for tp in HAMD_TP:
        top = np.asarray(HAMD_MAX)
        base = rng.integers(0, top + 1, size=(N, 17))
        hamd[tp] = base if tp == "base" else np.minimum(base, rng.integers(0, 3, size=(N, 17)))
    piq = {tp: rng.integers(20, 101, size=N) for tp in PIQ_TP}
    return {"pid": pids, "arm": arms, "wai": wai, "hamd": hamd, "piq": piq}


def wide_rows(d: dict) -> list[list[str]]:
    header = ["participant_id", "arm"]
    header += [f"wai_{tp}_{i}" for tp in WAI_TP for i in range(1, 13)]
    header += [f"hamd_{tp}_{i}" for tp in HAMD_TP for i in range(1, 18)]
    header += [f"piq_{tp}_total" for tp in PIQ_TP]
    rows = [header]
    for k in range(N):
        row = [d["pid"][k], d["arm"][k]]
        row += [str(v) for tp in WAI_TP for v in d["wai"][tp][k]]
        row += [str(v) for tp in HAMD_TP for v in d["hamd"][tp][k]]
        row += [str(d["piq"][tp][k]) for tp in PIQ_TP]
        rows.append(row)
    rows[2][header.index("wai_prep_3")] = ""  # S02 skipped WAI-SR item 3 at prep
    rows[5][header.index("piq_s2_total")] = ""  # S05 has no PIQ at session 2
    return rows


def long_rows(wide: list[list[str]]) -> list[list[str]]:
    header = wide[0]
    out = [["participant_id", "arm", "timepoint", "instrument", "item", "scale", "value"]]
    for row in wide[1:]:
        for name, value in zip(header[2:], row[2:], strict=True):
            prefix, tp, last = name.split("_")
            item, scale = (last, "") if last.isdigit() else ("", last)
            out.append([row[0], row[1], tp, prefix, item, scale, value])
    return out


def messy_rows(wide: list[list[str]]) -> list[list[object]]:
    """Renamed columns, arm coded 1/2, missing codes -99 and '.', a notes column, a blank row."""
    tp_names = {"prep": "Prep", "post": "Post", "base": "Baseline", "wk4": "Week 4",
                "s1": "Session 1", "s2": "Session 2"}
    header = ["Subject ID", "Group"]
    for name in wide[0][2:]:
        prefix, tp, last = name.split("_")
        header.append(f"{prefix.upper()}_{tp_names[tp]}_{last}")
    header.append("Notes")
    rows: list[list[object]] = [header]
    for row in wide[1:]:
        cells: list[object] = [row[0], 1 if row[1] == "immediate" else 2]
        cells += [int(v) if v != "" else None for v in row[2:]]
        cells.append("")
        rows.append(cells)
    col = {name: j for j, name in enumerate(header)}
    rows[1][col["WAI_Post_5"]] = -99      # S01: WAI-SR post item 5 not answered (code -99)
    rows[3][col["HAMD_Week 4_16"]] = "."  # S03: GRID-HAMD wk4 item 16 not rated (code '.')
    rows[7][col["PIQ_Session 1_total"]] = -99  # S07: PIQ session 1 total missing (code -99)
    rows[4][col["Notes"]] = "session 2 rescheduled"
    rows.insert(5, [None] * len(header))  # a blank spreadsheet row 6 between S04 and S05
    return rows


#: The one participant id mistyped in synthetic_example_messy_typo.xlsx: letter O for digit 0.
TYPO = ("S05", "SO5")


def messy_typo_rows(messy: list[list[object]]) -> list[list[object]]:
    """The messy export with ONE participant id mistyped (``SO5``, letter O, for ``S05``)."""
    rows = [list(r) for r in messy]
    hits = [r for r in rows[1:] if r[0] == TYPO[0]]
    assert len(hits) == 1, "the typo must change exactly one id"
    hits[0][0] = TYPO[1]
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "SYNTHETIC trial export"
    for row in rows:
        ws.append(row)
    wb.properties.creator = "make_examples.py (SYNTHETIC DATA)"
    wb.properties.title = "SYNTHETIC DATA - not real participants"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    # rewrite the zip with fixed entry timestamps so the file is byte-identical on every run
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' on save
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                              rb"\g<1>2024-06-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    path.write_bytes(out.getvalue())


def main() -> None:
    d = make_data()
    wide = wide_rows(d)
    write_csv(HERE / "synthetic_example_wide.csv", wide)
    write_csv(HERE / "synthetic_example_long.csv", long_rows(wide))
    messy = messy_rows(wide)
    write_xlsx(HERE / "synthetic_example_messy.xlsx", messy)
    write_xlsx(HERE / "synthetic_example_messy_typo.xlsx", messy_typo_rows(messy))


if __name__ == "__main__":
    main()
