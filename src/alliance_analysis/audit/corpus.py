"""Corpus runs: many documents checked in parallel, resumable, optionally on a Dask cluster.

``run_corpus`` writes to an output folder:

* ``results.csv`` — one row per checked result (:data:`RESULT_FIELDS`), header first;
* ``documents.csv`` — one row per document (:data:`DOCUMENT_FIELDS`), unreadable ones included
  with their reason;
* ``summary.json`` — corpus counts and the shares of articles with at least one inconsistency /
  decision error (the figures the statcheck literature reports, e.g. Nuijten et al., 2016);
* ``results.parquet`` / ``documents.parquet`` when pyarrow is installed (the optional corpus
  extra), ``NOTICE.txt`` (what data the files come from).

Resumable: each document's results are stored under ``.parts/`` keyed by the SHA-256 of its bytes
and of the check options, written atomically (temporary file + rename). A run that is killed
loses at most the documents being checked at that moment (a chunk of at most 64 per worker); the same command run again reuses
every stored part (an unchanged document is never checked twice) and rebuilds the CSVs from the
parts in document-name order, so the output is identical to an uninterrupted run.

Parallel: local worker processes by default (``jobs``), or Dask distributed (``scheduler`` an
address such as ``tcp://host:8786``, or ``workers=N`` for a local cluster of N processes). Workers
read the documents by path, so with a remote cluster the corpus must be visible at the same path
on every worker (a shared file system); results come back to this process, which alone writes.
"""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
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

__all__ = ["RESULT_FIELDS", "DOCUMENT_FIELDS", "CheckOptions", "discover", "check_document",
           "check_path", "check_paths", "run_corpus", "DEFAULT_INCLUDE"]

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
PART_VERSION = 1


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
        return json.dumps(dataclasses.asdict(self) | {"v": PART_VERSION},
                          sort_keys=True).encode()


# ----------------------------------------------------------------------------- one document

def _clean(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def check_document(doc, options: CheckOptions) -> tuple[dict, list[dict]]:
    """``(document row, result rows)`` for a read :class:`~.documents.Document`."""
    from .check import check_text_batches

    row = {"format": doc.format, "n_results": 0, "n_errors": 0, "n_decision_errors": 0,
           "n_ci_errors": 0, "n_skipped": 0, "n_repairs": len(doc.repairs),
           "flags": "; ".join(doc.flags), "unreadable_reason": ""}
    pieces = check_text_batches(doc.text, alpha=options.alpha, one_tailed=options.one_tailed,
                                one_tailed_txt=options.one_tailed_txt, n=options.n,
                                n_min=options.n_min, n_max=options.n_max)
    try:
        first = next(pieces)
    except InputError as exc:
        if "no checkable APA result" not in exc.what:
            raise
        skipped = exc.hint or ""
        row["n_skipped"] = skipped.count("': ") if skipped.startswith("Skipped") else 0
        return row, []
    rows = []
    counts = dict.fromkeys(("n_results", "n_errors", "n_decision_errors", "n_ci_errors",
                            "n_skipped"), 0)
    import itertools

    for report in itertools.chain([first], pieces):
        counts["n_results"] += len(report)
        counts["n_errors"] += report.n_errors
        counts["n_decision_errors"] += report.n_decision_errors
        counts["n_ci_errors"] += report.n_ci_errors
        counts["n_skipped"] += len(report.skipped)
        rows += _rows(doc, report)
    row.update(counts)
    return row, rows


def _rows(doc, report) -> list[dict]:
    rows = []
    for d in report.iter_dicts():
        start, end = d["start"], d["end"]
        notes = list(d["notes"])
        if doc.repairs:
            notes += [f"repaired: {r}" for r in doc.repairs_in(start, end)]
        ci = f"{d['ci_level']}% CI [{d['ci_low']}, {d['ci_high']}]" if d["ci_level"] else ""
        undetermined = d["status"] == "undetermined"
        err = d["error"]
        rows.append({
            "location": doc.location(start), "offset": start, "source_text": d["raw"],
            "test": d["test_type"], "df1": d["df1"], "df2": d["df2"],
            "test_comparison": d["test_comparison"], "value": _clean(d["value"]),
            "statistic": d["statistic"], "p_comparison": d["p_comparison"],
            "reported_p_text": d["reported_p_text"], "reported_p": d["reported_p"],
            "computed_p": d["computed_p"], "p_low": d["p_low"], "p_high": d["p_high"],
            "tails": d["tails"],
            "error": None if undetermined and not err else (None if err is None else bool(err)),
            "decision_error": None if undetermined else bool(d["decision_error"]),
            "status": d["status"], "consistent_n": d["consistent_n"] or "", "ci": ci,
            "ci_check": d["ci_check"], "ci_note": d["ci_note"], "notes": "; ".join(notes),
        })
    return rows


def check_path(path: str, options: CheckOptions) -> dict:
    """Worker task: read and check one file; a JSON-able part (never raises on a bad file)."""
    from .documents import Unreadable, read_bytes

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {"hash": "", "document": _unreadable(f"cannot read the file: {exc.strerror or exc}"),
                "results": []}
    digest = content_key(data, options)
    try:
        doc = read_bytes(Path(path).name, data, options.fmt, Path(path).suffix)
        row, rows = check_document(doc, options)
    except Unreadable as exc:
        row, rows = _unreadable(str(exc)), []
    except InputError as exc:
        row, rows = _unreadable(exc.message), []
    row["content_hash"] = hashlib.sha256(data).hexdigest()
    return {"hash": digest, "document": row, "results": rows}


#: documents longer than this (characters of text) are checked alone, in streamed pieces
SMALL_TEXT = 2_000_000


def check_paths(paths: list[str], options: CheckOptions) -> list[dict]:
    """Worker task for a chunk of files: one part per path, as :func:`check_path` gives.

    Short documents are checked together in one vectorised pass
    (:func:`~alliance_analysis.audit.check.check_many`); the rows are the same as one by one.
    """
    from .check import check_many
    from .documents import Unreadable, read_bytes

    parts: list[dict | None] = [None] * len(paths)
    small = []
    for i, path in enumerate(paths):
        try:
            data = Path(path).read_bytes()
        except OSError:
            parts[i] = check_path(path, options)
            continue
        try:
            doc = read_bytes(Path(path).name, data, options.fmt, Path(path).suffix)
        except Unreadable as exc:
            row = _unreadable(str(exc))
            row["content_hash"] = hashlib.sha256(data).hexdigest()
            parts[i] = {"hash": content_key(data, options), "document": row, "results": []}
            continue
        if len(doc.text) > SMALL_TEXT:
            parts[i] = check_path(path, options)
        else:
            small.append((i, doc, data))
    if small:
        reports = check_many([d.text for _, d, _ in small], alpha=options.alpha,
                             one_tailed=options.one_tailed, one_tailed_txt=options.one_tailed_txt,
                             n=options.n, n_min=options.n_min, n_max=options.n_max)
        for (i, doc, data), rep in zip(small, reports, strict=True):
            row = {"format": doc.format, "n_results": len(rep), "n_errors": rep.n_errors,
                   "n_decision_errors": rep.n_decision_errors, "n_ci_errors": rep.n_ci_errors,
                   "n_skipped": len(rep.skipped), "n_repairs": len(doc.repairs),
                   "flags": "; ".join(doc.flags), "unreadable_reason": "",
                   "content_hash": hashlib.sha256(data).hexdigest()}
            parts[i] = {"hash": content_key(data, options), "document": row,
                        "results": _rows(doc, rep) if len(rep) else []}
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

def _part_path(out: Path, digest: str) -> Path:
    return out / ".parts" / digest[:2] / f"{digest}.json"


def _write_part(out: Path, part: dict) -> None:
    path = _part_path(out, part["hash"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _read_part(out: Path, digest: str) -> dict | None:
    path = _part_path(out, digest)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ----------------------------------------------------------------------------- execution

def _chunks(tasks: list[tuple[str, str]], workers: int) -> list[list[tuple[str, str]]]:
    """Tasks grouped so each worker gets several chunks (load balance) of at most 64 files."""
    size = max(1, min(64, len(tasks) // max(4 * workers, 1)))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _local_map(tasks: list[tuple[str, str]], options: CheckOptions, jobs: int
               ) -> Iterator[tuple[str, dict]]:
    chunks = _chunks(tasks, jobs)
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield from zip([n for n, _ in chunk], check_paths([p for _, p in chunk], options),
                           strict=True)
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: dict = {}
        it = iter(chunks)

        def submit(chunk):
            pending[pool.submit(check_paths, [p for _, p in chunk], options)] = chunk

        for chunk in it:
            submit(chunk)
            if len(pending) >= 2 * jobs:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                chunk = pending.pop(fut)
                yield from zip([n for n, _ in chunk], fut.result(), strict=True)
                nxt = next(it, None)
                if nxt is not None:
                    submit(nxt)


def _dask_map(tasks: list[tuple[str, str]], options: CheckOptions, scheduler: str | None,
              workers: int | None) -> Iterator[tuple[str, dict]]:
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
        names: dict = {}
        futures = []

        def submit(chunk):
            f = client.submit(check_paths, [p for _, p in chunk], options, pure=False)
            names[f.key] = chunk
            return f

        for chunk in it:
            futures.append(submit(chunk))
            if len(futures) >= window:
                break
        ac = as_completed(futures)
        for fut in ac:
            chunk = names.pop(fut.key)
            yield from zip([n for n, _ in chunk], fut.result(), strict=True)
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
    key_of: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    tasks = []
    for name, path in items:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            unreadable[name] = ("no such file or folder" if isinstance(exc, FileNotFoundError)
                                else f"cannot read the file: {exc.strerror or exc}")
            continue
        digest = content_key(data, options)
        key_of[name] = digest
        if not _part_path(out, digest).exists():
            tasks.append((name, str(path)))
    todo = {}
    for name, path in tasks:  # identical documents are checked once
        todo.setdefault(key_of[name], (name, path))
    bar = Progress(len(todo), progress)
    reused = len(key_of) - len(tasks)
    if scheduler or workers:
        stream = _dask_map(list(todo.values()), options, scheduler, workers)
    else:
        stream = _local_map(list(todo.values()), options, jobs or os.cpu_count() or 1)
    for name, part in stream:
        part["hash"] = key_of[name]
        _write_part(out, part)
        bar.update()
    summary = _assemble(out, items, key_of, unreadable, options, parquet)
    return CorpusRun(out, len(items), len(todo), reused,
                     summary["n_unreadable"], summary)


def _csv_cell(v: Any) -> Any:
    from ..report.files import csv_safe

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
        return csv_safe(v) if v[:1] in _RISKY and v != "=" else v
    return v


_RISKY = frozenset("=+-@\t\r")


def _assemble(out: Path, items: list[tuple[str, Path]], key_of: dict[str, str],
              unreadable: dict[str, str], options: CheckOptions, parquet: bool | None) -> dict:
    """Stream the parts into results.csv / documents.csv (document-name order) and summary."""
    tmp_r, tmp_d = out / "results.csv.tmp", out / "documents.csv.tmp"
    totals = {"n_documents": 0, "n_unreadable": 0, "n_with_results": 0, "n_results": 0,
              "n_errors": 0, "n_decision_errors": 0, "n_ci_errors": 0, "n_docs_with_error": 0,
              "n_docs_with_decision_error": 0}
    with tmp_r.open("w", encoding="utf-8", newline="") as fr, \
            tmp_d.open("w", encoding="utf-8", newline="") as fd:
        wr = csv.writer(fr, lineterminator="\n")
        wd = csv.writer(fd, lineterminator="\n")
        wr.writerow(RESULT_FIELDS)
        wd.writerow(DOCUMENT_FIELDS)
        for name, _ in items:
            totals["n_documents"] += 1
            part = _read_part(out, key_of[name]) if name in key_of else None
            if part is None:
                reason = unreadable.get(name, "not checked (run interrupted)")
                doc = _unreadable(reason)
                rows = []
            else:
                doc, rows = part["document"], part["results"]
            doc = dict(doc, document=name)
            wd.writerow([_csv_cell(doc.get(f, "")) for f in DOCUMENT_FIELDS])
            for row in rows:
                row = dict(row, document=name)
                wr.writerow([_csv_cell(row.get(f)) for f in RESULT_FIELDS])
            if doc["unreadable_reason"]:
                totals["n_unreadable"] += 1
            if doc["n_results"]:
                totals["n_with_results"] += 1
                totals["n_docs_with_error"] += doc["n_errors"] > 0
                totals["n_docs_with_decision_error"] += doc["n_decision_errors"] > 0
            for k in ("n_results", "n_errors", "n_decision_errors", "n_ci_errors"):
                totals[k] += doc[k]
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
