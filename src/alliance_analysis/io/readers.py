"""Read a trial table as *text*, so that every offending cell can be reported as the user typed it.

Supported: ``.csv`` (delimiter sniffed among ``,`` ``;`` tab ``|``), ``.tsv``/``.tab`` (tab),
``.txt`` (sniffed), ``.xlsx``/``.xlsm`` (openpyxl; first sheet unless ``sheet`` is given) and
``.sav``/``.zsav`` (SPSS via pyreadstat; codes kept, value labels *not* applied).

Every reader returns a :class:`TextTable`: a :class:`pandas.DataFrame` of Python ``str`` (object
dtype, ``""`` = empty cell, surrounding spaces kept so the audit shows the cell as typed) with the
header names as columns, plus the spreadsheet row number of each data row (header = row 1; for a
``.sav`` file, case ``k`` is reported as row ``k + 1``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError

TEXT_EXTENSIONS = (".csv", ".tsv", ".tab", ".txt")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
SPSS_EXTENSIONS = (".sav", ".zsav")
SUPPORTED = (*TEXT_EXTENSIONS, *EXCEL_EXTENSIONS, *SPSS_EXTENSIONS)
_SNIFF_DELIMITERS = ",;\t|"


@dataclasses.dataclass(frozen=True, eq=False)
class TextTable:
    """A table of text cells: ``frame`` (object dtype, ``""`` = empty) and the spreadsheet row
    number of each of its rows (``rows``, int array; header = row 1)."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str


def cell_text(value: Any) -> str:
    """The text of one cell as a person reads it (``3.0`` → ``"3"``, ``0.1`` → ``"0.1"``,
    missing → ``""``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return ""
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, _dt.datetime | _dt.date | _dt.time | pd.Timestamp):
        return value.isoformat()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def column_text(values: Any) -> np.ndarray:
    """Vectorised :func:`cell_text` for one column (object array of ``str``).

    Float columns are converted without a Python loop; other columns cell by cell.
    """
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        x = arr.astype(float)
        finite = np.isfinite(x)
        whole = finite & (np.abs(x) < 1e15) & (x == np.round(np.where(finite, x, 0.0)))
        out = np.where(np.isnan(x), "", x.astype(str)).astype(object)
        out[whole] = np.round(x[whole]).astype(np.int64).astype(str)
        return out
    if arr.dtype.kind in "iu":
        return arr.astype(str).astype(object)
    if arr.dtype.kind == "b":
        return np.where(arr, "TRUE", "FALSE").astype(object)
    return np.fromiter((cell_text(v) for v in arr.ravel()), dtype=object,
                       count=arr.size).reshape(arr.shape)


def grid_to_table(header: list[Any], body: Any, source: str, first_row: int = 2) -> TextTable:
    """Build a :class:`TextTable` from header names and a 2-D body of raw cells; checks names.

    Unnamed columns without data are dropped (trailing separators, formatting); an unnamed column
    with data, or two names equal ignoring case and spaces, is refused.
    """
    body = pd.DataFrame(body)
    names = [cell_text(h).strip() for h in header]
    if len(names) == 0:
        raise InputError("the table has no columns", file=source,
                         hint="Supply a header row and one row per record")
    text = pd.DataFrame({j: column_text(body.iloc[:, j].to_numpy()) for j in range(len(names))},
                        index=pd.RangeIndex(len(body)), dtype=object) if len(body) else \
        pd.DataFrame({j: pd.Series([], dtype=object) for j in range(len(names))})
    rows = np.arange(len(body), dtype=np.int64) + first_row
    keep: list[int] = []
    seen: dict[str, str] = {}
    for j, name in enumerate(names):
        filled = (text[j].str.strip() != "").to_numpy()
        if name == "":
            if filled.any():
                k = int(np.argmax(filled))
                raise InputError(
                    f"column {j + 1} has data but no name in the header row", file=source,
                    row=int(rows[k]), value=text.iat[k, j],
                    hint="Give every column a name in the header row (or delete the column)")
            continue
        key = name.lower()
        if key in seen:
            raise InputError(
                "two columns have the same name (names are compared ignoring case and "
                "surrounding spaces)", file=source, row=first_row - 1, column=name,
                value=seen[key], hint="Rename or delete one of them")
        seen[key] = name
        keep.append(j)
    if not keep:
        raise InputError("the header row is empty", file=source,
                         hint="The first row must hold the column names")
    text = text[keep]
    text.columns = [names[j] for j in keep]
    if len(text) == 0:
        raise InputError("the table has a header row but no data rows", file=source,
                         hint="Add one row per participant (wide) or per answer (long)")
    return TextTable(text.reset_index(drop=True), rows, source)


def _sniff(sample: str, default: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFF_DELIMITERS).delimiter
    except csv.Error:
        return default


def _read_delimited(p: Path, delimiter: str | None) -> tuple[list[Any], Any, int]:
    raw = p.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", file=str(p),
                         hint="Export the table again with a header row and one row per record")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)", file=str(p),
            hint="Re-save it as 'CSV UTF-8' in your spreadsheet program") from None
    if "\x00" in content:
        raise InputError("the file is binary, not a text table", file=str(p),
                         hint="Save it as CSV (UTF-8), or use the .xlsx/.sav extension it has")
    if delimiter is None:
        default = "\t" if p.suffix.lower() in (".tsv", ".tab") else ","
        delimiter = default if p.suffix.lower() in (".tsv", ".tab") else \
            _sniff(content[:20000], default)
    records = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter,
                              strict=False))
    first = next(i for i, r in enumerate(records) if any(c.strip() for c in r))
    records = records[first:]
    header = records[0]
    width = max(len(r) for r in records)
    long_rows = [i for i, r in enumerate(records[1:]) if len(r) > len(header)]
    if long_rows:
        i = long_rows[0]
        extra = [c for c in records[1 + i][len(header):] if c.strip()]
        if extra:
            raise InputError(
                f"row has {len(records[1 + i])} cells but the header has {len(header)} names",
                file=str(p), row=first + i + 2, value=extra[0],
                hint=f"Check the delimiter ({delimiter!r} used) and quoting on that row"
                + (f", and {len(long_rows) - 1} more such rows" if len(long_rows) > 1 else ""))
    body = [r + [""] * (width - len(r)) for r in records[1:]]
    header = header + [""] * (width - len(header))
    body_arr = np.array(body, dtype=object).reshape(len(body), width)
    return header, body_arr, first + 2


def read_table(path: str | Path, sheet: str | int | None = None,
               delimiter: str | None = None) -> TextTable:
    """Read ``path`` as text (see the module docstring); :class:`InputError` on any failure."""
    p = Path(path)
    file = str(p)
    ext = p.suffix.lower()
    if not p.exists():
        raise InputError("file not found", file=file, hint="Check the path")
    if p.is_dir():
        raise InputError("this is a folder, not a table file", file=file,
                         hint="Give the path of a .csv, .tsv, .xlsx or .sav file")
    if ext not in SUPPORTED:
        raise InputError(
            f"unknown file type '{p.suffix or '(no extension)'}'", file=file,
            hint=f"Save the table as one of: {', '.join(SUPPORTED)}")
    if ext in TEXT_EXTENSIONS:
        header, body, first = _read_delimited(p, delimiter)
        return grid_to_table(header, body, file, first)
    if p.stat().st_size == 0:
        raise InputError("the file is empty", file=file,
                         hint="Export the table again with a header row and one row per record")
    if ext in EXCEL_EXTENSIONS:
        return _read_excel(p, sheet)
    return _read_spss(p)


def _read_excel(p: Path, sheet: str | int | None) -> TextTable:
    file = str(p)
    try:
        raw = pd.read_excel(p, sheet_name=0 if sheet is None else sheet, header=None,
                            dtype=object, engine="openpyxl")
    except (ValueError, KeyError, IndexError) as exc:
        if sheet is not None and ("not found" in str(exc) or "is invalid" in str(exc)
                                  or isinstance(exc, IndexError)):
            raise InputError(f"sheet {sheet!r} not found in the workbook", file=file,
                             hint="Fix [layout] sheet in the mapping (a name or 0-based number)"
                             ) from None
        raise _unreadable(file, "Excel workbook", exc) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl/zipfile raise many unrelated types
        raise _unreadable(file, "Excel workbook", exc) from None
    values = raw.to_numpy(dtype=object)
    filled = np.array([[cell_text(v).strip() != "" for v in row] for row in values[:50]],
                      dtype=bool).reshape(min(len(values), 50), raw.shape[1])
    nonempty = np.flatnonzero(filled.any(axis=1)) if filled.size else np.array([], dtype=int)
    if len(nonempty) == 0:
        raise InputError("the sheet is empty", file=file,
                         hint="Put the header row in row 1 and one record per row below it")
    h = int(nonempty[0])
    return grid_to_table(list(values[h]), values[h + 1:], file, first_row=h + 2)


def _read_spss(p: Path) -> TextTable:
    file = str(p)
    try:
        data = pd.read_spss(p, convert_categoricals=False)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises its own error types
        raise _unreadable(file, "SPSS .sav file", exc) from None
    if data.shape[1] == 0:
        raise InputError("the file has no variables", file=file)
    return grid_to_table(list(data.columns), data, file, first_row=2)


def _unreadable(file: str, what: str, exc: Exception) -> InputError:
    return InputError(
        f"could not read the file as an {what}: {type(exc).__name__}: {exc}", file=file,
        hint="Open it in the program that made it and save it again (CSV UTF-8 is the safest)")
