"""`alliance-analysis check PATH...` — statcheck-style consistency check of printed results.

PATH is an APA result string, a file (text, Markdown, HTML, JATS XML, PDF, DOCX), a folder
(searched recursively; ``--include``/``--exclude`` globs) or ``-`` for standard input. Without
``--out`` it prints a plain table per document (or JSON with ``--json``, streamed result by
result); with ``--out DIR`` it runs a resumable, parallel corpus check (see
:mod:`alliance_analysis.audit.corpus`). Exit 0 when the check ran, whatever it found; exit 2
(via the dispatcher) when no input could be read or a single input holds no result.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ..errors import InputError


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser(
        "check", help=help_text, description=help_text,
        epilog='Examples: alliance-analysis check "r(18) = -.65, p = .002"   '
               "alliance-analysis check paper.pdf --json   "
               "alliance-analysis check corpus/ --out results/ --workers 4",
    )
    p.add_argument("text", nargs="+", metavar="PATH",
                   help="an APA result string, a file, a folder, or '-' for stdin")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    p.add_argument("--format", choices=("auto", "text", "markdown", "html", "jats", "pdf", "docx"),
                   default="auto", help="document format (default: from the file name)")
    p.add_argument("--include", action="append", default=[], metavar="GLOB",
                   help="file-name glob to read in folders (repeatable; default: known formats)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="glob of files or folders to skip (repeatable)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="corpus mode: write results.csv, documents.csv, summary.json (+ Parquet)")
    p.add_argument("--jobs", type=int, default=None,
                   help="local worker processes for --out (default: all cores; 1 = serial)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run the corpus on this Dask distributed scheduler")
    p.add_argument("--workers", type=int, default=None,
                   help="start a local Dask cluster of N worker processes")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default .05)")
    p.add_argument("--one-tailed", action="store_true",
                   help="recompute t, r and z p-values one-tailed")
    p.add_argument("--one-tailed-txt", action="store_true",
                   help="accept a one-tailed p where the text mentions one-sided tests "
                        "(statcheck's OneTailedTxt)")
    p.add_argument("--n", type=int, default=None,
                   help="sample size for r printed without df and for paired 'd = ..., p = ...'")
    p.add_argument("--n-min", type=int, default=4, help="smallest n searched (default 4)")
    p.add_argument("--n-max", type=int, default=10_000, help="largest n searched (default 10000)")
    p.set_defaults(command="check")


_DOC_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".xml", ".nxml",
                 ".pdf", ".docx", ".csv", ".rtf", ".doc")


def _classify(arg: str) -> str:
    """'stdin', 'path' (an existing file or folder), 'missing' (looks like a path) or 'text'."""
    if arg == "-":
        return "stdin"
    try:
        if len(arg) < 4096 and "\n" not in arg and Path(arg).exists():
            return "path"
    except OSError:
        pass
    looks_like_path = ("=" not in arg and " " not in arg.strip()
                       and (arg.lower().endswith(_DOC_SUFFIXES) or "/" in arg or "\\" in arg))
    return "missing" if looks_like_path else "text"


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _table(report, doc=None, first: int = 1) -> list[str]:
    """Table lines of one report piece (header included; numbering from ``first``)."""
    from ..audit.check import fmt_p_number

    header = ("#", "where", "result", "computed p", "p range", "tails", "status", "notes")
    rows = []
    for i, r in enumerate(report.iter_results(), first):
        rng = "" if r.p_low is None else f"[{fmt_p_number(r.p_low)}, {fmt_p_number(r.p_high)}]"
        notes = list(r.notes)
        if r.ci_check:
            notes.append(f"CI {r.ci_check}" + (f" ({r.ci_note})" if r.ci_note else ""))
        if doc is not None and doc.repairs:
            notes += [f"repaired: {x}" for x in doc.repairs_in(r.start, r.end)]
        rows.append((str(i), doc.location(r.start) if doc is not None else "", r.raw,
                     fmt_p_number(r.computed_p) if r.computed_p is not None else "",
                     rng, r.tails, r.status, "; ".join(notes)))
    if doc is None:
        header = header[:1] + header[2:]
        rows = [row[:1] + row[2:] for row in rows]
    if not rows:
        return []
    widths = [max(len(h), *(len(row[j]) for row in rows)) for j, h in enumerate(header)]
    widths[-1] = 0
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * max(w, len(h)) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for s in report.skipped:
        lines.append(f"skipped: {s.raw} ({s.reason})")
    return lines


def _print_table(reports, doc, out) -> None:
    n = n_err = n_de = n_skip = 0
    alpha = 0.05
    for rep in reports:
        for line in _table(rep, doc, n + 1):
            out.write(line + "\n")
        n += len(rep)
        n_err += rep.n_errors
        n_de += rep.n_decision_errors
        n_skip += len(rep.skipped)
        alpha = rep.alpha
    if doc is not None and doc.flags:
        out.write(f"document: {'; '.join(doc.flags)}\n")
    out.write(f"{n} results checked: {n_err} inconsistent, {n_de} decision errors, "
              f"{n_skip} skipped (alpha = {alpha:g})\n")


def _inputs(args):
    """Yield ``(name, Document | None, unreadable reason | None)`` for every input, in order."""
    from ..audit.corpus import discover
    from ..audit.documents import Document, Unreadable, read_bytes, read_document

    for arg in args.text:
        kind = _classify(arg)
        if kind == "text":
            yield None, Document("<text>", "text", arg, [0], "line"), None
        elif kind == "stdin":
            try:
                yield "<stdin>", read_bytes("<stdin>", sys.stdin.buffer.read(), args.format), None
            except Unreadable as exc:
                yield "<stdin>", None, str(exc)
        elif kind == "missing":
            yield arg, None, "no such file or folder"
        else:
            entries = (discover([arg], args.include, args.exclude) if Path(arg).is_dir()
                       else [(arg, Path(arg))])
            for name, path in entries:
                try:
                    yield name, read_document(path, name, args.format), None
                except Unreadable as exc:
                    yield name, None, str(exc)


def _check(doc, args):
    """The document's report pieces (raises InputError at once when there is no result)."""
    import itertools

    from ..audit.check import check_text_batches

    pieces = check_text_batches(doc.text, alpha=args.alpha, one_tailed=args.one_tailed,
                                one_tailed_txt=args.one_tailed_txt, n=args.n, n_min=args.n_min,
                                n_max=args.n_max)
    first = next(pieces)
    return itertools.chain([first], pieces)


def _json_document(name, doc, reports, out) -> None:
    """One document's JSON, written result by result (summary last: counts are streamed)."""
    import json

    dumps = json.dumps
    out.write('{"source": ' + dumps(name, ensure_ascii=False) + ', "results": [')
    summary = None
    skipped: list = []
    i = 0
    for rep in reports or ():
        for d in rep.iter_dicts():
            d["notes"] = "; ".join(d["notes"])
            d["value"] = _clean(d["value"])
            if doc is not None:
                d["location"] = doc.location(d["start"])
                extra = doc.repairs_in(d["start"], d["end"]) if doc.repairs else ()
                if extra:
                    d["notes"] = "; ".join([d["notes"], *(f"repaired: {x}" for x in extra)]
                                           ).strip("; ")
            out.write(("," if i else "") + "\n  " + dumps(d, ensure_ascii=False))
            i += 1
        skipped += [s.to_dict() for s in rep.skipped]
        part = rep.to_dict()
        if summary is None:
            summary = part
        else:
            for k in ("n_results", "n_errors", "n_decision_errors", "n_skipped"):
                summary[k] += part[k]
    out.write('\n], "skipped": ' + dumps(skipped, ensure_ascii=False) + ', "summary": '
              + dumps(summary) + "}")


def _run_corpus(args) -> int:
    from ..audit.corpus import CheckOptions, discover, run_corpus

    items = []
    for arg in args.text:
        kind = _classify(arg)
        if kind in ("text", "stdin"):
            raise InputError("--out checks files and folders, not text or standard input",
                             value=arg if kind == "stdin" else arg[:40],
                             hint="Save the text to a file, or drop --out")
        if kind == "missing":
            items.append((arg, Path(arg)))
        else:
            items += discover([arg], args.include, args.exclude)
    if not items:
        raise InputError("no documents found", value=args.text,
                         hint="Check the folder and the --include/--exclude globs")
    options = CheckOptions(alpha=args.alpha, one_tailed=args.one_tailed,
                           one_tailed_txt=args.one_tailed_txt, n=args.n, n_min=args.n_min,
                           n_max=args.n_max, fmt=args.format)
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1", value=args.workers)
    run = run_corpus(items, args.out, options, jobs=args.jobs, scheduler=args.scheduler,
                     workers=args.workers, progress=not args.no_progress)
    s = run.summary
    print(f"{run.n_documents} documents ({run.n_checked} checked, {run.n_reused} reused from an "
          f"earlier run, {s['n_unreadable']} unreadable): {s['n_results']} results, "
          f"{s['n_errors']} inconsistent, {s['n_decision_errors']} decision errors; "
          f"written to {args.out}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.out is not None:
        return _run_corpus(args)
    if args.scheduler or args.workers:
        raise InputError("--scheduler/--workers are for corpus runs", hint="Add --out DIR")
    out = sys.stdout
    inputs = _inputs(args)
    first = next(inputs)
    second = next(inputs, None)
    if second is None:  # one document: the report itself, or one error line
        name, doc, reason = first
        if reason is not None:
            raise InputError(reason, file=name)
        try:
            report = _check(doc, args)
        except InputError as exc:
            if name is not None and exc.file is None:
                exc.file = name
                exc.args = (exc.message,)
            raise
        if args.json:
            _json_document(name, doc if name else None, report, out)
            out.write("\n")
        else:
            _print_table(report, doc if name else None, out)
        return 0
    import itertools

    n_read = 0
    if args.json:
        out.write("[")
    for k, (name, doc, reason) in enumerate(itertools.chain([first, second], inputs)):
        if reason is not None:
            print(f"unreadable: {name}: {reason}", file=sys.stderr)
            if args.json:
                out.write(("," if k else "") + "\n")
                import json

                out.write(json.dumps({"source": name, "unreadable_reason": reason}))
            continue
        n_read += 1
        try:
            report = _check(doc, args)
        except InputError as exc:
            if "no checkable APA result" not in exc.what:
                raise InputError(exc.what, file=name, hint=exc.hint) from exc
            report = None
        if args.json:
            out.write(("," if k else "") + "\n")
            _json_document(name or "<text>", doc, report, out)
        else:
            out.write(f"== {name or '<text>'} ==\n")
            if report is None:
                out.write("no checkable APA result found\n")
            else:
                _print_table(report, doc, out)
            out.write("\n")
    if args.json:
        out.write("\n]\n")
    if n_read == 0:
        raise InputError("none of the inputs could be read", hint="See the unreadable: lines")
    return 0
