"""Corpus runs: many documents checked in parallel, resumable, optionally on a Dask cluster.

``run_corpus`` writes to an output folder:

* ``results.csv`` — one row per checked result (:data:`RESULT_FIELDS`), header first;
* ``documents.csv`` — one row per document (:data:`DOCUMENT_FIELDS`), unreadable ones included
  with their reason;
* ``summary.json`` — corpus counts and the shares of articles with at least one inconsistency /
  decision error (the figures the statcheck literature reports, e.g. Nuijten et al., 2016);
* ``results.parquet`` / ``documents.parquet`` when pyarrow is installed (the optional corpus
  extra), ``NOTICE.txt`` (what data the files come from).

Resumable: results are stored under ``.parts/`` in part files (one per chunk of at most 64
documents, or per long document), each record keyed by the SHA-256 of the document's bytes and
of the check options, written atomically (temporary file + rename). A run that is killed loses at
most the chunks being checked at that moment; the same command run again reuses every stored
record (an unchanged document is never checked twice) and rebuilds the CSVs from the parts in
document-name order, so the output is identical to an uninterrupted run.

Fast path: workers build the results.csv lines column by column (:func:`render_rows`) and a
chunk of short documents is checked in one vectorised pass; the CSVs are assembled by copying
those lines with the document name in front. A long document (more than :data:`SMALL_TEXT`
characters) is shared out to the local worker processes in pieces of :data:`PIECE` characters
(:func:`~alliance_analysis.audit.parse.parse_range`), or streamed in pieces of :data:`BATCH`
results: memory is bounded by the largest document, not by the corpus.

Parallel: local worker processes by default (``jobs``), or Dask distributed (``scheduler`` an
address such as ``tcp://host:8786``, or ``workers=N`` for a local cluster of N processes). Workers
read the documents by path, so with a remote cluster the corpus must be visible at the same path
on every worker (a shared file system); results come back to this process, which alone writes.
"""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
import functools
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from .parse import Memo

__all__ = ["RESULT_FIELDS", "DOCUMENT_FIELDS", "CheckOptions", "discover", "check_paths",
           "run_corpus", "DEFAULT_INCLUDE"]

RESULT_FIELDS = (
    "document", "location", "offset", "source_text", "test", "df1", "df2", "test_comparison",
    "value", "statistic", "p_comparison", "reported_p_text", "reported_p", "computed_p", "p_low",
    "p_high", "tails", "error", "decision_error", "status", "consistent_n", "ci", "ci_check",
    "ci_note", "notes",
)
DOCUMENT_FIELDS = (
    "document", "format", "content_hash", "n_results", "n_errors", "n_decision_errors",
    "n_ci_errors", "n_skipped", "n_repairs", "flags", "unreadable_reason",
)
_BOOL = ("error", "decision_error")
_FLOAT = ("df1", "df2", "value", "reported_p", "computed_p", "p_low", "p_high")
_INTS = ("offset",)
DEFAULT_INCLUDE = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm", "*.xhtml", "*.xml",
                   "*.nxml", "*.pdf", "*.docx")
NOTICE = ("Data: the user's own documents, checked by alliance-analysis check (statcheck rules, "
          "Nuijten et al. 2016). Values are as printed in those documents; nothing here is "
          "synthetic or from the project's data.")
PART_VERSION = 2


@dataclasses.dataclass(frozen=True)
class CheckOptions:
    """Options of :func:`~alliance_analysis.audit.check_text` that change results."""

    alpha: float = 0.05
    one_tailed: bool = False
    one_tailed_txt: bool = False
    n: int | None = None
    n_min: int = 4
    n_max: int = 10_000
    fmt: str = "auto"

    def key(self) -> bytes:
        return _options_key(self)


@functools.lru_cache(maxsize=16)
def _options_key(options: CheckOptions) -> bytes:
    return json.dumps(dataclasses.asdict(options) | {"v": PART_VERSION}, sort_keys=True).encode()


# ----------------------------------------------------------------------------- one document

#: documents longer than this (characters of text) are checked alone, in streamed pieces
SMALL_TEXT = 2_000_000
#: results per streamed piece of a long document
BATCH = 50_000


class _Lines(list):
    """A list that is also a file for ``csv.writer``: each written row is one item."""

    write = list.append


def _csv_rows(columns: list[list]) -> list[str]:
    """CSV lines (each ending in a newline) of the rows given column by column.

    The same text ``csv.writer`` (minimal quoting, ``\n`` line ends) writes: a column whose
    cells hold no comma, quote or line break (one scan of the joined column) is copied as it is;
    in the others a cell with a comma, quote or ``\n`` is quoted with its quotes doubled, and a
    cell with ``\r`` (quoted or not depending on the Python version) is written by ``csv`` itself.
    """
    k = len(columns[0]) if columns else 0
    cols = []
    for col in columns:
        if len(col) != k:
            raise ValueError("columns of unequal length")
        if col and type(col[0]) is int and all(type(v) is int for v in col):
            col = list(map(str, col))
        try:
            joined = "".join(col)
        except TypeError:  # cells other than text and integers: csv writes them
            cols = []
            break
        if "," in joined or '"' in joined or "\n" in joined or "\r" in joined:
            col = [_quote_cell(v) if ("," in v or '"' in v or "\n" in v or "\r" in v) else v
                   for v in col]
        cols.append(col)
    if len(cols) < 2 or not k:  # (a lone empty cell is written "")
        lines = _Lines()
        csv.writer(lines, lineterminator="\n").writerows(zip(*columns, strict=True))
        return lines
    cols[-1] = [v + "\n" for v in cols[-1]]
    return list(map(",".join, zip(*cols, strict=True)))


def _quote_cell(v: str) -> str:
    """One cell as ``csv.writer`` writes it (``v`` holds a comma, quote or line break)."""
    if "\r" in v:
        lines = _Lines()
        csv.writer(lines, lineterminator="\n").writerow([v])
        return lines[0][:-1]
    return '"' + v.replace('"', '""') + '"'


def _safe_column(values: list[str]) -> list[str]:
    """:func:`_csv_cell` on a column of text: ``csv_safe`` where a cell starts like a formula.

    A sign followed by plain digits (``-2.20``, ``-.5``) is a number, which ``csv_safe`` leaves
    alone, so it is not sent there (this keeps the report package out of the workers).
    """
    out = values
    for i, v in enumerate(values):
        if v[:1] in _RISKY and v != "=":
            rest = v[1:]
            if v[0] in "+-" and rest.isascii() and rest.replace(".", "", 1).isdigit():
                continue
            from ..report.escape import csv_safe

            if out is values:
                out = list(values)
            out[i] = csv_safe(v)
    return out


_FMT = "{:.12g}".format


#: ``%.12g`` texts of floats met before (df, printed statistics and p repeat); bounded
_REPEATING = Memo(_FMT)


def _float_column(values, finite_only: bool = False, repeating: bool = False) -> list[str]:
    """:func:`_csv_cell` of floats (``%.12g``), NaN (and with ``finite_only`` ±inf) empty.

    ``repeating``: read the texts through :data:`_REPEATING` (zeros are formatted apart, since
    ``-0.0 == 0.0`` as a key but prints ``-0``).
    """
    import numpy as np

    arr = np.asarray(values, dtype=float)
    blank = ~np.isfinite(arr) if finite_only else np.isnan(arr)
    if repeating:
        out = list(map(_REPEATING.__getitem__, np.where(blank, 1.0, arr).tolist()))
        for i in np.flatnonzero(arr == 0).tolist():
            out[i] = _FMT(arr[i])
    else:
        out = list(map(_FMT, arr.tolist()))
    if blank.any():
        for i in np.flatnonzero(blank).tolist():
            out[i] = ""
    return out


def render_rows(doc, report) -> list[str]:
    """results.csv lines of one report (without the ``document`` column), built column-wise.

    The cells are those the row-by-row path gave (each result's dict through
    :func:`_csv_cell`; tested equal against that path, kept in the tests).
    """
    c = report.columns
    if not len(report):
        return []
    return _render(c, _locations(doc, c["start"]), _note_cells(doc, c))


def _locations(doc, start) -> list[str]:
    """The ``location`` cells of results starting at ``start`` in ``doc``."""
    import numpy as np

    where = np.maximum(np.searchsorted(np.asarray(doc.part_starts), start, side="right"), 1)
    label = doc.part_label
    names: dict[int, str] = {}
    return [names[i] if i in names else names.setdefault(i, f"{label} {i}")
            for i in where.tolist()]


def _note_cells(doc, c) -> list[str]:
    """The ``notes`` cells (the document's repairs inside a result added)."""
    if doc.repairs:
        return ["; ".join(list(n) + [f"repaired: {r}" for r in doc.repairs_in(s0, e0)])
                for n, s0, e0 in zip(c["notes"], c["start"].tolist(), c["end"].tolist(),
                                     strict=True)]
    return ["; ".join(n) for n in c["notes"]]


def _render(c, location: list[str], notes: list[str]) -> list[str]:
    """results.csv lines of the columns ``c`` (one report, or several merged)."""
    import numpy as np

    start = c["start"]
    status = c["status"].tolist()
    test = c["test_type"].tolist()
    undetermined = np.asarray(c["status"], dtype=object) == "undetermined"
    e = np.asarray(c["error"], dtype=bool)
    de = np.asarray(c["decision_error"], dtype=bool)
    blank = undetermined & (~e | (np.isin(np.asarray(c["test_type"], dtype=object), ("r", "d"))
                                  & np.isnan(np.asarray(c["computed_p"], dtype=float))))
    err = np.where(blank, "", np.where(e, "true", "false")).tolist()
    dec = np.where(undetermined, "", np.where(de, "true", "false")).tolist()
    ci = [f"{lev}% CI [{lo}, {hi}]" if lev else ""
          for lev, lo, hi in zip(c["ci_level"], c["ci_low"], c["ci_high"], strict=True)]
    consistent = [v or "" for v in c["consistent_n"].tolist()]
    columns = [
        location, start.tolist(), list(c["raw"]), test,
        _float_column(c["df1"], repeating=True), _float_column(c["df2"], repeating=True),
        c["test_comparison"].tolist(),
        _float_column(c["value"], finite_only=True, repeating=True),
        _safe_column(c["statistic"].tolist()), c["p_comparison"].tolist(),
        _safe_column(c["reported_p_text"].tolist()),
        _float_column(c["reported_p"], repeating=True),
        _float_column(c["computed_p"]), _float_column(c["p_low"]),
        _float_column(c["p_high"]), c["tails"].tolist(), err, dec, status,
        _safe_column(consistent), _safe_column(ci), c["ci_check"].tolist(),
        _safe_column(c["ci_note"].tolist()), _safe_column(notes),
    ]
    return _csv_rows(columns)


def _doc_row(doc, report_counts: dict, data: bytes) -> dict:
    row = {"format": doc.format, "n_repairs": len(doc.repairs), "flags": "; ".join(doc.flags),
           "unreadable_reason": "", "content_hash": hashlib.sha256(data).hexdigest()}
    row.update(report_counts)
    return row


def _counts(reports) -> dict:
    """The documents.csv counts of a document's reports (all zero for none)."""
    counts = dict.fromkeys(("n_results", "n_errors", "n_decision_errors", "n_ci_errors",
                            "n_skipped"), 0)
    for rep in reports:
        counts["n_results"] += len(rep)
        counts["n_errors"] += rep.n_errors
        counts["n_decision_errors"] += rep.n_decision_errors
        counts["n_ci_errors"] += rep.n_ci_errors
        counts["n_skipped"] += len(rep.skipped)
    return counts


def _add_counts(counts: dict, more: dict) -> None:
    for key in counts:
        counts[key] += more[key]


def _check_long(doc, data: bytes, options: CheckOptions, stream_dir: str | None) -> dict:
    """A long document checked in streamed pieces of :data:`BATCH` results.

    With ``stream_dir`` the rows go straight to a part file there (memory bounded by a piece);
    without (a Dask worker, which may not see the output folder) they come back in the part.
    """
    from .check import check_text_batches

    digest = content_key(data, options)
    counts = _counts([])
    pieces = check_text_batches(doc.text, batch=BATCH, alpha=options.alpha,
                                one_tailed=options.one_tailed,
                                one_tailed_txt=options.one_tailed_txt, n=options.n,
                                n_min=options.n_min, n_max=options.n_max)
    fh = None
    rows: list[str] = []
    if stream_dir is not None:
        path = _chunk_path(Path(stream_dir), digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        fh = tmp.open("w", encoding="utf-8")
    try:
        try:
            for rep in pieces:
                _add_counts(counts, _counts([rep]))
                lines = render_rows(doc, rep)
                if fh is not None and lines:
                    fh.write(json.dumps(lines, ensure_ascii=False) + "\n")
                else:
                    rows += lines
        except InputError as exc:
            if "no checkable APA result" not in exc.what:
                raise
            skipped = exc.hint or ""
            counts["n_skipped"] = skipped.count("': ") if skipped.startswith("Skipped") else 0
        part = {"hash": digest, "document": _doc_row(doc, counts, data)}
        if fh is not None:
            fh.write(json.dumps(part, ensure_ascii=False) + "\n")
            fh.close()
            fh = None
            os.replace(tmp, path)
            return dict(part, file=str(path))
        return dict(part, rows=rows)
    finally:
        if fh is not None:
            fh.close()
            tmp.unlink(missing_ok=True)


#: characters per piece when one long document is checked by several local processes
PIECE = 1_000_000
#: the long document being checked in pieces (forked workers inherit it: no copy is sent)
_LONG: dict = {}


def _check_piece(lo: int, hi: int, options: CheckOptions) -> tuple[str, dict, list]:
    """Worker task: the part-file line of the results.csv lines (``""`` when none), counts and
    first skipped strings of the results of the long document in :data:`_LONG` that start in
    ``[lo, hi)``."""
    from .check import _report
    from .parse import parse_range

    doc = _LONG["doc"]
    parsed = parse_range(doc.text, lo, hi, _LONG["cue"])
    report = _report(parsed, alpha=options.alpha, one_tailed=options.one_tailed,
                     one_tailed_txt=options.one_tailed_txt, p_equal_alpha_sig=True,
                     p_zero_error=True, n=options.n, n_min=options.n_min, n_max=options.n_max,
                     require=False)
    lines = render_rows(doc, report)
    # the JSON line of the part file is made here, in parallel (one string to send back)
    text = json.dumps(lines, ensure_ascii=False) + "\n" if lines else ""
    return text, _counts([report]), parsed.skipped[:3]


def _check_long_parallel(path: str, options: CheckOptions, jobs: int, parts_dir: Path,
                         prefetch: bool = False) -> dict | None:
    """One long document checked in pieces of :data:`PIECE` characters by ``jobs`` forked
    processes, its lines written in order to its own part file; ``None`` when the document is
    not long after all (or unreadable): the caller checks it the ordinary way."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from .documents import Unreadable, read_bytes
    from .parse import mentions_one_tailed

    try:
        data = Path(path).read_bytes()
        doc = read_bytes(Path(path).name, data, options.fmt, Path(path).suffix)
    except (OSError, Unreadable):
        return None
    if len(doc.text) <= SMALL_TEXT:
        return None
    from .check import _validate

    _validate(options.alpha, options.n, options.n_min, options.n_max)
    _preimport()
    digest = content_key(data, options)
    path_out = _chunk_path(parts_dir, digest)
    path_out.parent.mkdir(parents=True, exist_ok=True)
    tmp = path_out.with_name(path_out.name + f".tmp{os.getpid()}")
    counts = _counts([])
    first_skipped: list = []
    _LONG.update(doc=doc, cue=mentions_one_tailed(doc.text))
    cuts = list(range(0, len(doc.text), PIECE)) + [len(doc.text)]
    try:
        with tmp.open("w", encoding="utf-8") as fh, ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            spans = iter(zip(cuts, cuts[1:], strict=False))
            pending: deque = deque()
            for lo, hi in spans:
                pending.append(pool.submit(_check_piece, lo, hi, options))
                if len(pending) >= 2 * jobs:
                    break
            if prefetch:  # as in _local_map: the workers are forked, this process mostly waits
                _prefetch_pyarrow()
            while pending:
                lines, piece, skipped = pending.popleft().result()
                nxt = next(spans, None)
                if nxt is not None:
                    pending.append(pool.submit(_check_piece, *nxt, options))
                _add_counts(counts, piece)
                first_skipped += skipped[:3 - len(first_skipped)]
                fh.write(lines)
            if counts["n_results"] == 0 and counts["n_skipped"] <= BATCH:
                # as check_text would: the count of the reasons it names (at most three)
                hint = "; ".join(f"'{raw}': {reason}" for raw, _, reason in first_skipped)
                counts["n_skipped"] = hint.count("': ")
            part = {"hash": digest, "document": _doc_row(doc, counts, data)}
            fh.write(json.dumps(part, ensure_ascii=False) + "\n")
        os.replace(tmp, path_out)
    finally:
        _LONG.clear()
        tmp.unlink(missing_ok=True)
    return dict(part, file=str(path_out))


def check_paths(paths: list[str], options: CheckOptions,
                stream_dir: str | None = None) -> list[dict]:
    """Worker task for a chunk of files: one part per path (never raises on a bad file).

    A part is ``{"hash", "document", "rows"}``: the content key, the documents.csv fields and the
    results.csv lines without the document column. Short documents are checked together in one
    vectorised pass (:func:`~alliance_analysis.audit.check.check_many`: the rows are the same as
    one by one); a long one in streamed pieces (see :func:`_check_long`; with ``stream_dir`` its
    part says ``"file"`` instead of carrying rows).
    """
    from .check import check_many_merged
    from .documents import Unreadable, read_bytes

    parts: list[dict | None] = [None] * len(paths)
    small = []
    for i, path in enumerate(paths):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            parts[i] = {"hash": "", "document": _unreadable(
                f"cannot read the file: {exc.strerror or exc}"), "rows": []}
            continue
        try:
            doc = read_bytes(Path(path).name, data, options.fmt, Path(path).suffix)
            if len(doc.text) > SMALL_TEXT:
                parts[i] = _check_long(doc, data, options, stream_dir)
                continue
        except Unreadable as exc:
            doc = None
            reason = str(exc)
        except InputError as exc:
            doc = None
            reason = exc.message
        if doc is None:
            row = _unreadable(reason)
            row["content_hash"] = hashlib.sha256(data).hexdigest()
            parts[i] = {"hash": content_key(data, options), "document": row, "rows": []}
            continue
        small.append((i, doc, data))
    if small:
        reports, merged = check_many_merged(
            [d.text for _, d, _ in small], alpha=options.alpha, one_tailed=options.one_tailed,
            one_tailed_txt=options.one_tailed_txt, n=options.n, n_min=options.n_min,
            n_max=options.n_max)
        # the lines of all documents in one column-wise pass (numpy's per-call cost paid once)
        location: list[str] = []
        notes: list[str] = []
        for (_, doc, _), rep in zip(small, reports, strict=True):
            if len(rep):
                location += _locations(doc, rep.columns["start"])
                notes += _note_cells(doc, rep.columns)
        lines = _render(merged, location, notes) if location else []
        pos = 0
        for (i, doc, data), rep in zip(small, reports, strict=True):
            parts[i] = {"hash": content_key(data, options),
                        "document": _doc_row(doc, _counts([rep]), data),
                        "rows": lines[pos:pos + len(rep)]}
            pos += len(rep)
    if stream_dir is not None:
        # the worker writes its chunk's part file itself (in parallel, nothing sent back but
        # where each record is)
        memory = [p for p in parts if p is not None and "file" not in p and p["hash"]]
        if memory:
            path, where = _write_chunk(Path(stream_dir), memory)
            at = dict(where)
            parts = [{"hash": p["hash"], "file": str(path), "offset": at[p["hash"]]}
                     if p is not None and p["hash"] in at and "file" not in p else p
                     for p in parts]
    return parts  # type: ignore[return-value]


def _unreadable(reason: str) -> dict:
    return {"format": "", "n_results": 0, "n_errors": 0, "n_decision_errors": 0, "n_ci_errors": 0,
            "n_skipped": 0, "n_repairs": 0, "flags": "", "unreadable_reason": reason,
            "content_hash": ""}


def content_key(data: bytes, options: CheckOptions) -> str:
    h = hashlib.sha256(options.key())
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()


# ----------------------------------------------------------------------------- discovery

def discover(paths: Iterable[str | Path], include: Iterable[str] = (),
             exclude: Iterable[str] = ()) -> list[tuple[str, Path]]:
    """``(name, path)`` of every document under ``paths`` (folders recursively), sorted by name.

    Names are paths relative to the folder given (POSIX separators), or the file name for a file
    given directly, so outputs carry no absolute path. ``include`` globs default to the readable
    formats; ``exclude`` globs are matched against the relative name and each of its parts.
    """
    include = tuple(include) or DEFAULT_INCLUDE
    exclude = tuple(exclude)
    found: dict[str, Path] = {}

    def excluded(name: str) -> bool:
        parts = name.split("/")
        return any(fnmatch.fnmatch(name, g) or any(fnmatch.fnmatch(p, g) for p in parts)
                   for g in exclude)

    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file():
                    continue
                name = f.relative_to(p).as_posix()
                if any(fnmatch.fnmatch(f.name, g) or fnmatch.fnmatch(name, g) for g in include) \
                        and not excluded(name):
                    found.setdefault(name, f)
        else:
            name = p.name if p.is_absolute() else p.as_posix()
            if not excluded(name):
                found.setdefault(name, p)
    return sorted(found.items())


# ----------------------------------------------------------------------------- progress

class Progress:
    """A one-line progress bar with rate and ETA on stderr (redrawn at most every 0.2 s)."""

    def __init__(self, total: int, enabled: bool = True, stream=None) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.stream = stream or sys.stderr
        self.t0 = self.last = time.monotonic()
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def update(self, k: int = 1) -> None:
        self.done += k
        now = time.monotonic()
        if self.enabled and (now - self.last > (0.2 if self.tty else 5.0)
                             or self.done == self.total):
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self.t0, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = "--" if not math.isfinite(left) else f"{int(left // 60)}m{int(left % 60):02d}s"
        width = 30
        fill = int(width * self.done / self.total)
        line = (f"[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} documents "
                f"{rate:.1f}/s ETA {eta}")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


# ----------------------------------------------------------------------------- parts

# Part files (``.parts/xx/KEY.jsonl``, one per chunk of documents or per long document) hold
# records: zero or more lines of results.csv lines (JSON arrays of strings, without the document
# column) followed by one line ``{"hash": ..., "document": {...}}`` that closes the record. A
# file is written under a temporary name and renamed: it exists only complete.

def _chunk_path(parts_dir: Path, key: str) -> Path:
    return parts_dir / key[:2] / f"{key}.jsonl"


def _write_chunk(parts_dir: Path, parts: list[dict]) -> tuple[Path, list[tuple[str, int]]]:
    """Write the in-memory parts as one part file; ``(file, [(hash, record offset)])``."""
    path = _chunk_path(parts_dir, parts[0]["hash"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    where = []
    offset = 0
    chunks = []
    for part in parts:
        where.append((part["hash"], offset))
        text = ""
        if part["rows"]:
            text = json.dumps(part["rows"], ensure_ascii=False) + "\n"
        text += json.dumps({"hash": part["hash"], "document": part["document"]},
                           ensure_ascii=False) + "\n"
        data = text.encode("utf-8")
        chunks.append(data)
        offset += len(data)
    tmp.write_bytes(b"".join(chunks))
    os.replace(tmp, path)
    return path, where


def _scan_parts(parts_dir: Path, wanted: set[str]) -> dict[str, tuple[Path, int]]:
    """``hash -> (file, record offset)`` of the records already stored (a resumed run)."""
    found: dict[str, tuple[Path, int]] = {}
    if not parts_dir.is_dir():
        return found
    for path in sorted(parts_dir.glob("*/*.jsonl")):
        try:
            with path.open("rb") as fh:
                offset = record = 0
                for line in fh:
                    if line[:1] == b"{":
                        try:
                            digest = json.loads(line)["hash"]
                        except (ValueError, KeyError, TypeError):
                            break
                        if digest in wanted:
                            found.setdefault(digest, (path, record))
                        record = offset + len(line)
                    offset += len(line)
        except OSError:
            continue
    return found


class _Records:
    """Reads records back from part files (a few files kept open: reads are mostly in order)."""

    def __init__(self, keep: int = 16) -> None:
        self.open: dict[Path, Any] = {}
        self.keep = keep

    def read(self, where: tuple[Path, int], rows) -> dict:
        """The document dict of the record at ``where``; each array of row lines on the way is
        given to ``rows`` (one at a time: a long document is never held whole)."""
        path, offset = where
        fh = self.open.pop(path, None)
        if fh is None:
            fh = path.open("rb")
            if len(self.open) >= self.keep:
                old = next(iter(self.open))
                self.open.pop(old).close()
        self.open[path] = fh
        fh.seek(offset)
        for line in fh:
            if line[:1] == b"[":
                rows(json.loads(line))
            else:
                return json.loads(line)["document"]
        raise OSError(f"part file {path.name} ends inside a record")

    def close(self) -> None:
        for fh in self.open.values():
            fh.close()
        self.open.clear()


# ----------------------------------------------------------------------------- execution

def _chunks(tasks: list[tuple[str, str]], workers: int) -> list[list[tuple[str, str]]]:
    """Tasks grouped so each worker gets several chunks (load balance) of at most 64 files."""
    size = max(1, min(64, len(tasks) // max(4 * workers, 1)))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _preimport() -> None:
    """What every worker needs, imported once before the workers are forked."""
    import scipy.special  # noqa: F401

    from . import check  # noqa: F401


def _local_map(tasks: list[tuple[str, str]], options: CheckOptions, jobs: int,
               stream_dir: str, prefetch: bool = False) -> Iterator[list[dict]]:
    chunks = _chunks(tasks, jobs)
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield check_paths([p for _, p in chunk], options, stream_dir)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = None
    for thread in _PREFETCHED:  # no fork while a module may be half imported
        thread.join()
    if "fork" in multiprocessing.get_all_start_methods():
        _preimport()  # forked workers start with scipy.special and the checker loaded
        context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: dict = {}
        it = iter(chunks)

        def submit(chunk):
            pending[pool.submit(check_paths, [p for _, p in chunk], options, stream_dir)] = chunk

        for chunk in it:
            submit(chunk)
            if len(pending) >= 2 * jobs:
                break
        if prefetch:
            # the workers are forked by now; this process mostly waits for them: meanwhile it
            # loads what the Parquet copies need (an import only: nothing waits on it)
            _prefetch_pyarrow()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                pending.pop(fut)
                yield fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    submit(nxt)


_PREFETCHED: list = []


def _prefetch_pyarrow() -> None:
    """:func:`_import_pyarrow` in a background thread, once per process."""
    if not _PREFETCHED:
        import threading

        _PREFETCHED.append(threading.Thread(target=_import_pyarrow, daemon=True))
        _PREFETCHED[0].start()


def _import_pyarrow() -> None:
    try:
        import pyarrow.csv  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        pass


def _dask_map(tasks: list[tuple[str, str]], options: CheckOptions, scheduler: str | None,
              workers: int | None) -> Iterator[list[dict]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise InputError("--scheduler/--workers need Dask distributed",
                         hint="Install it (pip install 'distributed') or drop the option to use "
                              "local worker processes") from exc
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=int(workers or 1), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler {scheduler}: {exc}",
                         hint="Check the address (tcp://HOST:PORT) and that the scheduler runs"
                         ) from exc
    try:
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        chunks = _chunks(tasks, n_workers)
        window = 2 * n_workers + 2
        it = iter(chunks)
        futures = []

        def submit(chunk):
            return client.submit(check_paths, [p for _, p in chunk], options, pure=False)

        for chunk in it:
            futures.append(submit(chunk))
            if len(futures) >= window:
                break
        ac = as_completed(futures)
        for fut in ac:
            yield fut.result()
            fut.release()
            nxt = next(it, None)
            if nxt is not None:
                ac.add(submit(nxt))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclasses.dataclass
class CorpusRun:
    """What a corpus run did (also printed by the CLI)."""

    out: Path
    n_documents: int
    n_checked: int
    n_reused: int
    n_unreadable: int
    summary: dict


def run_corpus(items: list[tuple[str, Path]], out: str | Path, options: CheckOptions = CheckOptions(),
               *, jobs: int | None = None, scheduler: str | None = None,
               workers: int | None = None, progress: bool = True,
               parquet: bool | None = None) -> CorpusRun:
    """Check every ``(name, path)`` and write the corpus files under ``out`` (see module doc)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("--out names a file, not a folder", file=str(out),
                         hint="Give a new or existing folder for the results")
    out.mkdir(parents=True, exist_ok=True)
    parts_dir = out / ".parts"
    key_of: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    paths: dict[str, str] = {}
    for name, path in items:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            unreadable[name] = ("no such file or folder" if isinstance(exc, FileNotFoundError)
                                else f"cannot read the file: {exc.strerror or exc}")
            continue
        key_of[name] = digest = content_key(data, options)
        paths.setdefault(digest, str(path))
        del data  # one document's bytes at a time
    index = _scan_parts(parts_dir, set(key_of.values()))
    todo = {}
    for name, digest in key_of.items():  # identical documents are checked once
        if digest not in index:
            todo.setdefault(digest, (name, paths[digest]))
    reused = sum(1 for d in key_of.values() if d in index)
    bar = Progress(len(todo), progress)
    tasks = list(todo.values())
    jobs = jobs or os.cpu_count() or 1
    long_parts = []
    import multiprocessing

    if not (scheduler or workers) and jobs > 1 and \
            "fork" in multiprocessing.get_all_start_methods():
        short = []
        for name, path in tasks:  # a long document is shared out in pieces
            part = None
            if os.path.getsize(path) > SMALL_TEXT:
                part = _check_long_parallel(path, options, jobs, parts_dir,
                                            prefetch=parquet is not False)
            if part is None:
                short.append((name, path))
            else:
                long_parts.append(part)
        tasks = short
    if scheduler or workers:
        stream = _dask_map(tasks, options, scheduler, workers)
    else:
        stream = _local_map(tasks, options, jobs, str(parts_dir), prefetch=parquet is not False)
    import itertools

    for parts in itertools.chain([long_parts] if long_parts else [], stream):
        for part in parts:
            if "file" in part:
                index[part["hash"]] = (Path(part["file"]), part.get("offset", 0))
        memory = [p for p in parts if "file" not in p and p["hash"]]
        if memory:
            path, where = _write_chunk(parts_dir, memory)
            for digest, offset in where:
                index[digest] = (path, offset)
        bar.update(len(parts))
    summary = _assemble(out, items, key_of, index, unreadable, options, parquet)
    return CorpusRun(out, len(items), len(todo), reused,
                     summary["n_unreadable"], summary)


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return f"{v:.12g}"
    if isinstance(v, str):
        # a lone "=" (a comparison column) carries no formula: kept readable for R and pandas
        if v[:1] in _RISKY and v != "=":
            from ..report.escape import csv_safe

            return csv_safe(v)
        return v
    return v


_RISKY = frozenset("=+-@\t\r")


def _name_prefix(name: str) -> str:
    """The ``document`` cell of a row as csv.writer writes it, followed by the delimiter."""
    lines = _Lines()
    csv.writer(lines, lineterminator="\n").writerow([_csv_cell(name)])
    return lines[0][:-1] + ","


def _assemble(out: Path, items: list[tuple[str, Path]], key_of: dict[str, str],
              index: dict[str, tuple[Path, int]], unreadable: dict[str, str],
              options: CheckOptions, parquet: bool | None) -> dict:
    """Stream the parts into results.csv / documents.csv (document-name order) and summary."""
    tmp_r, tmp_d = out / "results.csv.tmp", out / "documents.csv.tmp"
    totals = {"n_documents": 0, "n_unreadable": 0, "n_with_results": 0, "n_results": 0,
              "n_errors": 0, "n_decision_errors": 0, "n_ci_errors": 0, "n_docs_with_error": 0,
              "n_docs_with_decision_error": 0}
    records = _Records()
    try:
        with tmp_r.open("w", encoding="utf-8", newline="") as fr, \
                tmp_d.open("w", encoding="utf-8", newline="") as fd:
            wr = csv.writer(fr, lineterminator="\n")
            wd = csv.writer(fd, lineterminator="\n")
            wr.writerow(RESULT_FIELDS)
            wd.writerow(DOCUMENT_FIELDS)
            for name, _ in items:
                totals["n_documents"] += 1
                where = index.get(key_of[name]) if name in key_of else None
                if where is None:
                    doc = _unreadable(unreadable.get(name, "not checked (run interrupted)"))
                else:
                    prefix = _name_prefix(name)
                    doc = records.read(where, lambda lines, p=prefix: fr.write(p + p.join(lines)))
                doc = dict(doc, document=name)
                wd.writerow([_csv_cell(doc.get(f, "")) for f in DOCUMENT_FIELDS])
                if doc["unreadable_reason"]:
                    totals["n_unreadable"] += 1
                if doc["n_results"]:
                    totals["n_with_results"] += 1
                    totals["n_docs_with_error"] += doc["n_errors"] > 0
                    totals["n_docs_with_decision_error"] += doc["n_decision_errors"] > 0
                for k in ("n_results", "n_errors", "n_decision_errors", "n_ci_errors"):
                    totals[k] += doc[k]
    finally:
        records.close()
    os.replace(tmp_r, out / "results.csv")
    os.replace(tmp_d, out / "documents.csv")
    wr_ = totals["n_with_results"]
    summary = {
        "data": NOTICE,
        **totals,
        "share_articles_with_error": round(totals["n_docs_with_error"] / wr_, 6) if wr_ else None,
        "share_articles_with_decision_error":
            round(totals["n_docs_with_decision_error"] / wr_, 6) if wr_ else None,
        "share_results_error": (round(totals["n_errors"] / totals["n_results"], 6)
                                if totals["n_results"] else None),
        "options": dataclasses.asdict(options),
        "parquet": _write_parquet(out, parquet),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    (out / "NOTICE.txt").write_text(NOTICE + "\nFiles: results.csv (one row per result), "
                                    "documents.csv (one row per document), summary.json.\n",
                                    encoding="utf-8")
    return summary


def _write_parquet(out: Path, wanted: bool | None) -> str:
    """Parquet copies of the CSVs, streamed in blocks (pyarrow: the optional corpus extra)."""
    if wanted is False:
        return "not requested"
    try:
        import pyarrow as pa
        from pyarrow import csv as pacsv
        from pyarrow import parquet as pq
    except ImportError:
        if wanted:
            raise InputError("Parquet output needs pyarrow", hint="pip install pyarrow, or run "
                             "without --parquet (the CSVs are complete)") from None
        print("note: pyarrow is not installed: results.parquet/documents.parquet not written "
              "(the CSVs are complete)", file=sys.stderr)
        return "not written: pyarrow not installed"
    for stem, fields in (("results", RESULT_FIELDS), ("documents", DOCUMENT_FIELDS)):
        types = {f: pa.string() for f in fields}
        types.update({f: pa.float64() for f in _FLOAT if f in fields})
        types.update({f: pa.int64() for f in (*_INTS, "n_results", "n_errors",
                                              "n_decision_errors", "n_ci_errors", "n_skipped",
                                              "n_repairs") if f in fields})
        types.update({f: pa.bool_() for f in _BOOL if f in fields})
        conv = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                    true_values=["true"], false_values=["false"],
                                    null_values=[""], quoted_strings_can_be_null=False)
        reader = pacsv.open_csv(out / f"{stem}.csv", convert_options=conv,
                                read_options=pacsv.ReadOptions(block_size=1 << 22))
        tmp = out / f"{stem}.parquet.tmp"
        with pq.ParquetWriter(tmp, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
        os.replace(tmp, out / f"{stem}.parquet")
    return "written"
