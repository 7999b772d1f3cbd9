"""Read a trial table as *text*, so that every offending cell can be reported as the user typed it.

Supported: ``.csv`` (delimiter sniffed among ``,`` ``;`` tab ``|``), ``.tsv``/``.tab`` (tab),
``.txt`` (sniffed), ``.xlsx``/``.xlsm`` (openpyxl; the only non-empty sheet unless ``sheet`` is
given) and ``.sav``/``.zsav`` (SPSS via pyreadstat; codes kept, value labels *not* applied, the
file's user-missing declarations kept as reasons).

Every reader returns a :class:`TextTable`: a :class:`pandas.DataFrame` of Python ``str`` (object
dtype, ``""`` = empty cell, surrounding spaces kept so the audit shows the cell as typed) with the
header names as columns, plus the spreadsheet row number of each data row (header = row 1; for a
``.sav`` file, case ``k`` is reported as row ``k + 1``).

Delimited text is parsed by pandas' C reader (vectorised; no Python object per row). Because that
reader pads short rows and lets an unclosed quote swallow the rest of the file, the file's
structure is checked first: without quote characters by counting delimiters per line with numpy,
with quote characters by one strict pass of Python's ``csv`` module (no field-size limit) that
keeps only the number of cells of each row. A row with fewer cells than the header, an unclosed
quote and text after a closing quote are refused with the row (and column) they start in.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as _dt
import io
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import per_unique

TEXT_EXTENSIONS = (".csv", ".tsv", ".tab", ".txt")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
SPSS_EXTENSIONS = (".sav", ".zsav")
SUPPORTED = (*TEXT_EXTENSIONS, *EXCEL_EXTENSIONS, *SPSS_EXTENSIONS)
_SNIFF_DELIMITERS = ",;\t|"
#: Longest value shown in an error message (a 200,000-character cell is cut, not printed).
MAX_SHOWN = 80
#: Peak memory of a load per byte of a delimited file, measured by benchmarks/bench_io.py
#: (wide layout, 1e6 participants x 60 columns: 3.9 bytes), with a margin; used to refuse what
#: cannot fit (before reading).
MEMORY_PER_FILE_BYTE = 6.0
#: The same for the long layout (one row per answer: 30 bytes per byte of the file at 5.8
#: million rows, 35 at 580,000), checked once the layout is known.
MEMORY_PER_LONG_FILE_BYTE = 50.0
_CHUNK_ROWS = 1 << 16  # rows per block of the C reader (its token buffers scale with it)
_BLOCK = 1 << 22


@dataclasses.dataclass(frozen=True, eq=False)
class TextTable:
    """A table of text cells: ``frame`` (object dtype, ``""`` = empty) and the spreadsheet row
    number of each of its rows (``rows``, int array; header = row 1).

    ``declared_missing``: column → values the file itself declares missing (SPSS user-missing
    values and ranges, as ``(lo, hi)`` pairs); ``notes``: facts about the reading for the audit
    (which sheet was read, cells holding line breaks).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    declared_missing: Mapping[str, tuple[tuple[float, float], ...]] = dataclasses.field(
        default_factory=dict)
    notes: tuple[str, ...] = ()
    text_of: Any = dataclasses.field(default=None, repr=False)
    file_columns: Mapping[str, int] = dataclasses.field(default_factory=dict, repr=False)

    def typed(self, column: str, positions: np.ndarray) -> np.ndarray:
        """The cells of ``column`` at frame ``positions`` as typed in the file (for a column the
        reader parsed as numbers, re-read as text; else the frame's own text)."""
        return self.typed_many({column: positions})[column]

    def typed_many(self, wanted: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """:meth:`typed` for several columns at once (one re-read of the file)."""
        out: dict[str, np.ndarray] = {}
        reread: dict[int, np.ndarray] = {}
        for column, positions in wanted.items():
            col = self.frame[column]
            positions = np.asarray(positions, dtype=np.int64)
            if col.dtype == object or self.text_of is None:
                out[column] = col.to_numpy(dtype=object)[positions]
            else:
                reread[self.file_columns[column]] = positions
        if reread:
            got = self.text_of(reread)
            by_j = {j: c for c, j in self.file_columns.items()}
            out.update({by_j[j]: v for j, v in got.items()})
        return out


def shown(value: Any) -> Any:
    """``value`` as shown in a message: text longer than :data:`MAX_SHOWN` is cut."""
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return f"{value[:MAX_SHOWN]}... ({len(value)} characters)"
    return value


def available_memory() -> int | None:
    """Bytes of memory available to this process (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(p: Path, factor: float = MEMORY_PER_FILE_BYTE) -> None:
    """Refuse a file whose load would not fit in the available memory (a clear message instead
    of the process being killed)."""
    need = p.stat().st_size * factor
    have = available_memory()
    if have is not None and need > have:
        raise InputError(
            f"the file ({p.stat().st_size / 1e6:.0f} MB) needs about {need / 1e9:.1f} GB of "
            f"memory to load; {have / 1e9:.1f} GB are available", file=str(p),
            hint="Close other programs, use a machine with more memory, or split the file "
            "(e.g. by site) and load the parts separately")


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
    return text_to_table(names, text, source, first_row)


def text_to_table(names: list[str], text: pd.DataFrame, source: str, first_row: int = 2,
                  **extra: Any) -> TextTable:
    """A :class:`TextTable` from header names and a frame of ``str`` cells (positional columns):
    unnamed empty columns dropped, an unnamed column with data or a repeated name refused."""
    rows = np.arange(len(text), dtype=np.int64) + first_row
    keep: list[int] = []
    seen: dict[str, str] = {}
    for j, name in enumerate(names):
        if name == "":
            filled = ~blank_rows(text.iloc[:, [j]])
            if filled.any():
                k = int(np.argmax(filled))
                raise InputError(
                    f"column {j + 1} has data but no name in the header row", file=source,
                    row=int(rows[k]), value=shown(text.iat[k, j]),
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
    text = text.iloc[:, keep].copy() if len(keep) < text.shape[1] else text
    text.columns = [names[j] for j in keep]
    extra.setdefault("file_columns", {names[j]: j for j in keep})
    if len(text) == 0:
        raise InputError("the table has a header row but no data rows", file=source,
                         hint="Add one row per participant (wide) or per answer (long)")
    return TextTable(text.reset_index(drop=True), rows, source, **extra)


def _sniff(sample: str, default: str) -> str:
    sample = sample.replace("\r\n", "\n").replace("\r", "\n")  # the sniffer splits on LF only
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFF_DELIMITERS).delimiter
    except csv.Error:
        return default


def _check_text(p: Path, raw: bytes) -> str:
    """UTF-8 (BOM allowed) and no NUL byte, checked block by block; returns a sample."""
    if not raw.strip():
        raise InputError("the file is empty", file=str(p),
                         hint="Export the table again with a header row and one row per record")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    sample = ""
    for start in range(0, len(raw), _BLOCK):
        try:
            text = decoder.decode(raw[start:start + _BLOCK], final=start + _BLOCK >= len(raw))
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the file is not UTF-8 text (byte {start + exc.start} cannot be decoded)",
                file=str(p), hint="Re-save it as 'CSV UTF-8' in your spreadsheet program"
            ) from None
        if not sample:
            sample = text[:20000]
    if b"\x00" in raw:
        raise InputError("the file is binary, not a text table", file=str(p),
                         hint="Save it as CSV (UTF-8), or use the .xlsx/.sav extension it has")
    return sample


def _line_field_counts(raw: bytes, delimiter: str) -> np.ndarray:
    """Cells per line of a file without quote characters (delimiters + 1), vectorised in blocks."""
    b = np.frombuffer(raw, dtype=np.uint8)
    d = ord(delimiter)
    counts: list[np.ndarray] = []
    carry = 0
    for start in range(0, len(b), _BLOCK):
        blk = b[start:start + _BLOCK]
        nl = np.flatnonzero(blk == 10)
        cum = np.cumsum(blk == d, dtype=np.int64)
        at = cum[nl]
        if len(nl):
            per = np.diff(at, prepend=0)
            per[0] += carry
            counts.append(per + 1)
            carry = int(cum[-1] - at[-1])
        else:
            carry += int(cum[-1]) if len(cum) else 0
    if len(raw) and raw[-1:] != b"\n":
        counts.append(np.array([carry + 1], dtype=np.int64))
    return np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)


def _quote_error(content: str, records_ok: int, line_no: int, delimiter: str, header: list[str],
                 file: str, row: int) -> InputError:
    """The error for a quoting problem in the record starting at physical line ``line_no``."""
    lines = content.splitlines()
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    field, culprit, inq, i, closed_bad = 0, None, False, 0, False
    while i < len(line):
        ch = line[i]
        if inq:
            if ch == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    i += 1
                else:
                    inq = False
                    if i + 1 < len(line) and line[i + 1] != delimiter:
                        culprit, closed_bad = field, True
                        break
        elif ch == delimiter:
            field += 1
        elif ch == '"' and (i == 0 or line[i - 1] == delimiter):
            inq, culprit = True, field
        i += 1
    column = header[culprit] if culprit is not None and culprit < len(header) else None
    if closed_bad:
        what = "text follows the closing quote of a quoted cell"
    else:
        what = ("a quoted cell is never closed: its opening quote (\") would swallow the rows "
                "after it")
    return InputError(what, file=file, row=row, column=column or None,
                      hint="Close the quote, or remove it; a quote inside a cell is written "
                      "doubled (\"\") with the whole cell in quotes")


def _record_field_counts(content: str, delimiter: str, file: str, first: int) -> tuple[
        np.ndarray, int, list[str]]:
    """Cells per record via a strict ``csv`` pass (files with quotes); records with a line break
    inside a cell are counted. Quoting errors are refused with their row and column."""
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    counts: list[int] = []
    multiline = 0
    header: list[str] = []
    try:
        reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
        last_line = 0
        try:
            for rec in reader:
                if not counts:
                    header = [c.strip() for c in rec]
                counts.append(len(rec))
                if reader.line_num - last_line > 1:
                    multiline += 1
                last_line = reader.line_num
        except csv.Error:
            raise _quote_error(content, len(counts), last_line + 1, delimiter, header, file,
                               row=len(counts) + 1 + first) from None
    finally:
        csv.field_size_limit(old)
    return np.asarray(counts, dtype=np.int64), multiline, header


def compact(values: np.ndarray) -> np.ndarray:
    """The smallest float dtype (16, 32 or 64 bit) that holds ``values`` exactly (NaN kept):
    item responses (small whole numbers, halves) take 2 bytes a cell instead of 8."""
    v = np.asarray(values, dtype=np.float64)
    for dt in (np.float16, np.float32):
        with np.errstate(over="ignore", invalid="ignore"):
            c = v.astype(dt)
        if np.array_equal(c.astype(np.float64), v, equal_nan=True):
            return c
    return v


def _shared(arr: np.ndarray) -> np.ndarray:
    """Equal cells of a text column as one ``str`` object (a long table repeats a few timepoints,
    instruments and answers over millions of rows: 8 bytes a cell instead of one object each)."""
    return per_unique(arr, _same, max_share=0.5)


def _same(values: np.ndarray) -> np.ndarray:
    return values


def _header_fields(body_raw: bytes, delimiter: str) -> list[str]:
    end = body_raw.find(b"\n")
    line = body_raw[: end if end >= 0 else len(body_raw)].decode("utf-8").rstrip("\r")
    return next(csv.reader([line], delimiter=delimiter), [])


def _line_ends(raw: bytes) -> tuple[bytes, bytes | None, str | None]:
    """Line ends of a delimited file: LF and CR LF are read as they are. Bare CR line ends (old
    Mac exports) are made LF in memory when that is unambiguous: the file has no LF at all (every
    CR ends a line, or is a line break inside a quoted cell), or it has no quote character (so no
    cell can hold a line break). Returns (bytes to check, bytes to read or None to read the file,
    audit note). A file mixing bare CR with LF and holding quotes is read as it is: the strict
    ``csv`` pass and the C reader both end a row at a bare CR outside quotes and keep one inside a
    quoted cell; should they disagree, the load is refused, naming the mixed line ends."""
    n_cr = raw.count(b"\r")
    if not n_cr:
        return raw, None, None
    n_crlf = raw.count(b"\r\n")
    if n_cr == n_crlf:
        return raw, None, None
    if b"\n" not in raw:
        fixed = raw.replace(b"\r", b"\n")
        return fixed, fixed, "line ends: bare CR (old Mac format), read as line breaks"
    if b'"' not in raw:
        fixed = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return fixed, fixed, (f"line ends: {n_cr - n_crlf} bare CR (old Mac format) among LF "
                              "line ends, read as line breaks")
    return raw, None, None


def _read_delimited(p: Path, delimiter: str | None, numeric: Any = None) -> TextTable:
    """``numeric``: predicate on a header name; such columns are parsed as numbers by the C
    reader when every cell of the column is a number or empty (NaN), else kept as text."""
    file = str(p)
    raw = p.read_bytes()
    sample = _check_text(p, raw)
    bom = raw.startswith(codecs.BOM_UTF8)
    if bom:
        raw = raw[len(codecs.BOM_UTF8):]
    raw, in_memory, line_note = _line_ends(raw)
    if delimiter is None:
        default = "\t" if p.suffix.lower() in (".tsv", ".tab") else ","
        delimiter = default if p.suffix.lower() in (".tsv", ".tab") else _sniff(sample, default)
    # leading blank lines are skipped; row numbers keep counting them
    stripped_start = len(raw) - len(raw.lstrip(b"\r\n \t"))
    first = raw[:stripped_start].count(b"\n")
    skip = raw.rfind(b"\n", 0, stripped_start) + 1 if first else 0
    body_raw = memoryview(raw)[skip:].tobytes() if skip else raw
    del raw
    multiline = 0
    if b'"' in body_raw:
        counts, multiline, header = _record_field_counts(body_raw.decode("utf-8"), delimiter,
                                                         file, first)
    else:
        counts = _line_field_counts(body_raw, delimiter)
        header = _header_fields(body_raw, delimiter)
    body_bare_cr = body_raw.count(b"\r") > body_raw.count(b"\r\n")
    del body_raw
    width_header = int(counts[0])
    width = int(counts.max())
    header = [str(h).strip() for h in header] + [""] * (width - len(header))
    num_cols = [j for j, h in enumerate(header) if h and numeric is not None and numeric(h)]
    opts = dict(sep=delimiter, header=None, names=range(width), index_col=False,
                keep_default_na=False, skip_blank_lines=False, skiprows=first + 1,
                encoding="utf-8-sig", quotechar='"', doublequote=True, engine="c")
    dtype: dict[int, Any] = {j: object for j in range(width) if j not in set(num_cols)}
    na_values = {j: [""] for j in num_cols}
    parts: dict[int, list[np.ndarray]] = {j: [] for j in range(width)}
    n_read = 0
    def source() -> Any:  # the file, or its bytes with the line ends made LF
        return p if in_memory is None else io.BytesIO(in_memory)

    reader = pd.read_csv(source(), dtype=dtype, na_values=na_values, na_filter=bool(num_cols),
                         chunksize=_CHUNK_ROWS, **opts)
    with reader:
        for chunk in reader:
            n_read += len(chunk)
            for j in range(width):
                col = chunk[j]
                if j in na_values and col.dtype.kind in "fiub":
                    parts[j].append(compact(col.to_numpy(dtype=np.float64)))
                else:
                    arr = col.to_numpy(dtype=object)
                    if j in na_values:  # a numeric candidate holding text: back to text
                        arr = np.where(pd.isna(arr), "", arr).astype(object)
                    parts[j].append(_shared(arr))
    if n_read != len(counts) - 1:  # the C reader and the structure pass must agree
        mixed = (" The file mixes line ends: some lines end in a bare CR (old Mac), others in "
                 "LF or CR LF, and a quoted cell makes it ambiguous which CR ends a row."
                 if line_note is None and body_bare_cr else "")
        raise InputError(
            f"the file's rows could not be read consistently ({len(counts) - 1} data rows found "
            f"by the structure check, {n_read} by the reader).{mixed}", file=file,
            hint="Check the quoting and line ends of the file, or export it again as CSV")
    columns = {}
    for j in range(width):
        chunks = parts.pop(j)
        if any(c.dtype == object for c in chunks):
            chunks = [c if c.dtype == object else np.where(
                np.isnan(c), "", column_text(c)).astype(object) for c in chunks]
        arr = np.concatenate(chunks) if chunks else np.zeros(0, dtype=object)
        # text stays object dtype (pandas would otherwise convert it to its string dtype)
        columns[j] = pd.Series(arr, dtype=object) if arr.dtype == object else arr
    body = pd.DataFrame(columns, copy=False)
    del columns
    n_cells = counts[1:]
    rows = np.arange(len(body), dtype=np.int64) + first + 2
    short = np.flatnonzero(n_cells < width_header)
    if len(short):
        short = short[~blank_rows(body.iloc[short])]
    if len(short):
        k = int(short[0])
        raise InputError(
            f"row has {int(n_cells[k])} cells but the header has {width_header} names (the file "
            "may be cut off, or a delimiter is missing)", file=file, row=int(rows[k]),
            hint=f"Check that row (delimiter {delimiter!r}); every row needs {width_header} "
            "cells, empty ones included" + (f"; and {len(short) - 1} more such rows"
                                            if len(short) > 1 else ""))
    long_rows = np.flatnonzero(n_cells > width_header)
    if len(long_rows):
        extra = body.iloc[long_rows, width_header:]
        bad = long_rows[~blank_rows(extra)]
        if len(bad):
            k = int(bad[0])
            value = next(v for v in body.iloc[k, width_header:] if str(v).strip())
            raise InputError(
                f"row has {int(n_cells[k])} cells but the header has {width_header} names",
                file=file, row=int(rows[k]), value=shown(value),
                hint=f"Check the delimiter ({delimiter!r} used) and quoting on that row"
                + (f", and {len(bad) - 1} more such rows" if len(bad) > 1 else ""))
    notes: tuple[str, ...] = (line_note,) if line_note else ()
    if multiline:
        notes += (f"{multiline} row(s) hold a quoted cell with a line break (read as one cell; "
                  "check rows read if that is not expected)",)

    def text_of(wanted: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        """The cells of file columns ``j`` at row positions ``wanted[j]`` exactly as typed:
        one re-read of those columns in blocks (memory: the cells asked for)."""
        out = {j: np.empty(len(v), dtype=object) for j, v in wanted.items()}
        order = {j: np.argsort(v, kind="stable") for j, v in wanted.items()}
        start = 0
        reader = pd.read_csv(source(), usecols=sorted(wanted), dtype=object, na_filter=False,
                             chunksize=_CHUNK_ROWS, **opts)
        with reader:
            for chunk in reader:
                stop = start + len(chunk)
                for j, v in wanted.items():
                    sv = v[order[j]]
                    lo, hi = np.searchsorted(sv, [start, stop])
                    out[j][order[j][lo:hi]] = chunk[j].to_numpy(dtype=object)[sv[lo:hi] - start]
                start = stop
        return out

    return text_to_table(header, body, file, first + 2, notes=notes, text_of=text_of)


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Per row: True when every cell is empty (text that strips to "", or NaN)."""
    out = np.ones(len(frame), dtype=bool)
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        if col.dtype.kind in "fiub":
            out &= pd.isna(col).to_numpy()
        else:
            out &= per_unique(col.to_numpy(dtype=object), _is_blank).astype(bool)
    return out


def _is_blank(values: np.ndarray) -> np.ndarray:
    return (pd.Series(values, dtype=object).astype(str).str.strip() == "").to_numpy()


def read_table(path: str | Path, sheet: str | int | None = None,
               delimiter: str | None = None, numeric: Any = None) -> TextTable:
    """Read ``path`` as text (see the module docstring); :class:`InputError` on any failure.

    ``numeric`` (delimited files): a predicate on header names; those columns are parsed as
    numbers by the C reader (a float column, NaN = empty cell) when all their cells are numbers,
    and :attr:`TextTable.text_of` gives the cells as typed for messages."""
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
        check_memory(p)
        return _read_delimited(p, delimiter, numeric)
    if p.stat().st_size == 0:
        raise InputError("the file is empty", file=file,
                         hint="Export the table again with a header row and one row per record")
    if ext in EXCEL_EXTENSIONS:
        return _read_excel(p, sheet)
    return _read_spss(p)


def _sheet_rows(ws: Any) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _non_empty(rows: list[tuple]) -> bool:
    return any(cell_text(v).strip() != "" for r in rows for v in r)


def _read_excel(p: Path, sheet: str | int | None) -> TextTable:
    file = str(p)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl/zipfile raise many unrelated types
        raise _unreadable(file, "Excel workbook", exc) from None
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            grids = {n: _sheet_rows(wb[n]) for n in names}
            filled = [n for n in names if _non_empty(grids[n])]
            if len(filled) > 1:
                example = filled[1]
                raise InputError(
                    f"the workbook has {len(filled)} sheets with data ("
                    + ", ".join(f"'{n}'" for n in filled) + "); the loader will not guess which "
                    "one holds the trial table", file=file,
                    hint=f"Name it in the mapping: [layout] sheet = \"{example}\" (a sheet name "
                    "or 0-based number)")
            name = filled[0] if filled else names[0]
            rows = grids[name]
        else:
            if isinstance(sheet, int):
                name = names[sheet] if 0 <= sheet < len(names) else None
            else:
                name = sheet if sheet in names else None
            if name is None:
                raise InputError(f"sheet {sheet!r} not found in the workbook", file=file,
                                 hint="Fix [layout] sheet in the mapping (a name or 0-based "
                                 "number); sheets: " + ", ".join(f"'{n}'" for n in names))
            rows = _sheet_rows(wb[name])
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _unreadable(file, "Excel workbook", exc) from None
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    values = np.empty((len(rows), width), dtype=object)
    values[:] = None
    for i, r in enumerate(rows):
        values[i, :len(r)] = r
    filled = np.array([[cell_text(v).strip() != "" for v in row] for row in values[:50]],
                      dtype=bool).reshape(min(len(values), 50), width)
    nonempty = np.flatnonzero(filled.any(axis=1)) if filled.size else np.array([], dtype=int)
    if len(nonempty) == 0:
        raise InputError("the sheet is empty", file=file,
                         hint="Put the header row in row 1 and one record per row below it")
    _check_formulas(p, name, values)
    h = int(nonempty[0])
    note = f"sheet '{name}' read" + (f" (the workbook's sheets: {', '.join(names)})"
                                    if len(names) > 1 else "")
    table = grid_to_table(list(values[h]), values[h + 1:], file, first_row=h + 2)
    return dataclasses.replace(table, notes=(note,))


def _check_formulas(p: Path, sheet: str, values: np.ndarray) -> None:
    """Refuse a formula cell without a stored result (openpyxl-written or never recalculated
    workbooks): it would otherwise read as an empty cell."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(p, read_only=True, data_only=False, keep_links=False)
    try:
        for r, row in enumerate(wb[sheet].iter_rows()):
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) != "f":
                    continue
                stored = values[r, c] if r < values.shape[0] and c < values.shape[1] else None
                if stored is None:
                    raise InputError(
                        f"cell {get_column_letter(c + 1)}{r + 1} of sheet '{sheet}' holds a "
                        "formula with no stored result (it would read as an empty cell)",
                        file=str(p), row=r + 1, value=shown(str(cell.value)),
                        hint="Open and save the file in a spreadsheet program (which stores "
                        "the results), or export CSV")
    finally:
        wb.close()


def _read_spss(p: Path) -> TextTable:
    file = str(p)
    try:
        import pyreadstat

        data, meta = pyreadstat.read_sav(str(p), user_missing=True, apply_value_formats=False)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises its own error types
        raise _unreadable(file, "SPSS .sav file", exc) from None
    if data.shape[1] == 0:
        raise InputError("the file has no variables", file=file)
    declared: dict[str, tuple[tuple[Any, Any], ...]] = {}
    for var, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        pairs = tuple((r.get("lo"), r.get("hi")) for r in ranges if isinstance(r, dict))
        if pairs:
            declared[str(var).strip()] = pairs
    table = grid_to_table(list(data.columns), data, file, first_row=2)
    return dataclasses.replace(table, declared_missing=declared)


def declared_missing_reasons(text: np.ndarray, pairs: tuple[tuple[Any, Any], ...]
                             ) -> np.ndarray:
    """Per cell: ``"user-missing value '99' (declared in the file)"`` or None (vectorised)."""
    s = pd.Series(text, dtype=object).astype(str).str.strip()
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    hit = np.zeros(len(s), dtype=bool)
    for lo, hi in pairs:
        if isinstance(lo, int | float) and isinstance(hi, int | float):
            with np.errstate(invalid="ignore"):
                hit |= (num >= float(lo)) & (num <= float(hi))
        else:
            hit |= (s == str(lo).strip()).to_numpy() | (s == str(hi).strip()).to_numpy()
    out = np.full(len(s), None, dtype=object)
    out[hit] = ("user-missing value '" + s[hit] + "' (declared in the file)").to_numpy()
    return out


def _unreadable(file: str, what: str, exc: Exception) -> InputError:
    return InputError(
        f"could not read the file as an {what}: {type(exc).__name__}: {exc}", file=file,
        hint="Open it in the program that made it and save it again (CSV UTF-8 is the safest)")
