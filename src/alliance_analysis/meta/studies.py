"""Reading a CSV of studies for ``alliance-analysis meta``.

Columns (names case-insensitive, surrounding spaces ignored):

* ``study`` (required): the study label; a label on several rows gives the three-level model;
* one effect size: ``r`` with ``n`` (correlations: Fisher z), ``d`` with ``n1`` and ``n2``
  (independent groups: Hedges' g), ``d`` with ``n`` (paired design, d_z: Hedges' g of the change),
  or ``yi`` with ``vi`` (any effect size with its sampling variance);
* ``effect`` (optional): a label of the effect within its study (default: row number);
* any other column is kept as a moderator (text), shown in the study table.

Rows are numbered as a spreadsheet shows them (header = row 1). A row whose effect-size cell is
empty is excluded and counted with its reason; a cell that is present but not a valid number
(text, |r| ≥ 1, n ≤ 3, vi ≤ 0) is refused with an :class:`~alliance_analysis.errors.InputError`
naming file, row and column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .effects import fisher_z, smd_independent, smd_paired

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

KNOWN = ("study", "effect", "r", "n", "d", "n1", "n2", "yi", "vi")
KINDS = {"r": "correlation r (Fisher z, vi = 1/(n - 3))",
         "d_independent": "Hedges' g, independent groups (vi = 1/n1 + 1/n2 + g²/(2(n1 + n2)))",
         "d_paired": "Hedges' g of a paired change, d_z (vi = 1/n + g²/(2n))",
         "yi": "effect size yi with its sampling variance vi, as given"}


@dataclass(frozen=True)
class StudyTable:
    """The effects kept (``frame``: study, effect, yi, vi, n and the input columns), the kind of
    effect size, and every excluded row with its reason."""

    frame: pd.DataFrame
    kind: str
    file: str
    rows_read: int
    excluded: tuple[tuple[int, str], ...]
    moderators: tuple[str, ...]

    def notes(self) -> list[str]:
        out = [f"{self.file}: {self.rows_read} row(s) read, {len(self.frame)} effect(s) kept, "
               f"{len(self.excluded)} excluded; effect size: {KINDS[self.kind]}."]
        out += [f"{self.file}, row {row}: excluded: {why}" for row, why in self.excluded]
        return out


def _number(text: str, file: str, row: int, column: str, integer: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError("not a number", file=file, row=row, column=column, value=text,
                         hint="Write a plain number (e.g. -.45 or 0.3)") from None
    if not math.isfinite(value):
        raise InputError("not a finite number", file=file, row=row, column=column, value=text)
    if integer and value != int(value):
        raise InputError("must be a whole number of participants", file=file, row=row,
                         column=column, value=text)
    return value


def read_studies(path: str | Path) -> StudyTable:
    """Read and check a studies CSV (see the module docstring)."""
    import pandas as pd

    path = Path(path)
    name = path.name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", file=str(path), hint="Check the path") from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=name, hint="Save the file as UTF-8 CSV") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable CSV table ({str(exc).splitlines()[0]})", file=name,
                         hint="Use one header row, comma-separated") from None
    columns = {str(c).strip().lower(): c for c in raw.columns}
    if len(columns) != len(raw.columns):
        raise InputError("two columns have the same name (ignoring case)", file=name, row=1)
    if "study" not in columns:
        raise InputError("no 'study' column", file=name, row=1,
                         hint="Name the column of study labels 'study'")
    has = set(columns)
    if {"yi", "vi"} <= has:
        kind, need = "yi", ("yi", "vi")
    elif {"r", "n"} <= has:
        kind, need = "r", ("r", "n")
    elif {"d", "n1", "n2"} <= has:
        kind, need = "d_independent", ("d", "n1", "n2")
    elif {"d", "n"} <= has:
        kind, need = "d_paired", ("d", "n")
    else:
        raise InputError("no effect-size columns: need r and n, d with n1 and n2 (independent "
                         "groups), d with n (paired), or yi and vi", file=name, row=1)
    effect_col = need[0]
    kept, excluded = [], []
    for i, rec in enumerate(raw.to_dict("records")):
        row = i + 2
        cell = {k: str(rec[c]).strip() for k, c in columns.items()}
        study = cell["study"]
        if not study:
            raise InputError("empty study label", file=name, row=row, column=columns["study"],
                             hint="Give every effect its study label")
        if not cell[effect_col]:
            excluded.append((row, f"no value in column '{columns[effect_col]}'"))
            continue
        values = {}
        for col in need:
            text = cell[col]
            if not text:
                excluded.append((row, f"no value in column '{columns[col]}'"))
                break
            values[col] = _number(text, name, row, columns[col], integer=col.startswith("n"))
        else:
            _check(kind, values, name, row, columns)
            kept.append({"row": row, "study": study, "effect": cell.get("effect", ""),
                         **values, **{k: cell[k] for k in columns if k not in KNOWN}})
    if not kept:
        raise InputError("no effect left to pool (every row excluded)", file=name,
                         hint="Fill the effect-size and n columns")
    frame = pd.DataFrame(kept)
    if kind == "r":
        yi, vi = fisher_z(frame["r"], frame["n"])
    elif kind == "d_independent":
        yi, vi = smd_independent(frame["d"], frame["n1"], frame["n2"])
    elif kind == "d_paired":
        yi, vi = smd_paired(frame["d"], frame["n"])
    else:
        yi, vi = frame["yi"].to_numpy(float), frame["vi"].to_numpy(float)
    frame["yi"], frame["vi"] = np.asarray(yi, float), np.asarray(vi, float)
    moderators = tuple(columns[k] for k in columns if k not in KNOWN)
    return StudyTable(frame=frame, kind=kind, file=name, rows_read=len(raw),
                      excluded=tuple(excluded), moderators=moderators)


def _check(kind: str, values: dict[str, float], file: str, row: int, columns: dict) -> None:
    if kind == "r" and not -1 < values["r"] < 1:
        raise InputError("a correlation must lie strictly between -1 and 1", file=file, row=row,
                         column=columns["r"], value=values["r"])
    for col, low in (("n", 4), ("n1", 2), ("n2", 2)):
        if col in values and values[col] < low:
            need = "more than 3 pairs (Fisher z)" if kind == "r" else f"at least {low}"
            raise InputError(f"too few participants: need {need}", file=file, row=row,
                             column=columns[col], value=values[col])
    if kind == "d_paired" and values["n"] < 3:
        raise InputError("too few participants for a paired d", file=file, row=row,
                         column=columns["n"], value=values["n"])
    if kind == "yi" and values["vi"] <= 0:
        raise InputError("a sampling variance must be positive", file=file, row=row,
                         column=columns["vi"], value=values["vi"])
