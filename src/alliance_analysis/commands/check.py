"""`alliance-analysis check TEXT|FILE` — statcheck-style consistency check of printed results.

Prints a plain aligned table (or JSON with ``--json``). Exit 0 when the check ran, whatever it
found; exit 2 (via the dispatcher) when no result could be found or the input is unreadable.
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
               "alliance-analysis check paper.txt --json",
    )
    p.add_argument("text", help="an APA result string, a path to a text file, or '-' for stdin")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
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


def _read_input(arg: str) -> tuple[str, str | None]:
    if arg == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(arg)
    try:
        is_file = len(arg) < 4096 and "\n" not in arg and path.is_file()
    except OSError:
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except UnicodeDecodeError as exc:
            raise InputError("file is not UTF-8 text", file=str(path),
                             hint="Convert it to plain UTF-8 text first (e.g. pdftotext)") from exc
    return arg, None


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _table(report) -> str:
    from ..audit.check import fmt_p_number

    header = ("#", "result", "computed p", "p range", "tails", "status", "notes")
    rows = []
    for i, r in enumerate(report.results, 1):
        rng = "" if r.p_low is None else f"[{fmt_p_number(r.p_low)}, {fmt_p_number(r.p_high)}]"
        rows.append((str(i), r.raw, fmt_p_number(r.computed_p) if r.computed_p is not None else "",
                     rng, r.tails, r.status, "; ".join(r.notes)))
    widths = [max(len(h), *(len(row[j]) for row in rows)) for j, h in enumerate(header)]
    widths[-1] = 0
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * max(w, len(h)) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for s in report.skipped:
        lines.append(f"skipped: {s.raw} ({s.reason})")
    lines.append(report.apa() + f" (alpha = {report.alpha:g})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import json

    from ..audit import check_text

    text, source = _read_input(args.text)
    try:
        report = check_text(text, alpha=args.alpha, one_tailed=args.one_tailed,
                            one_tailed_txt=args.one_tailed_txt, n=args.n, n_min=args.n_min,
                            n_max=args.n_max)
    except InputError as exc:
        if source is not None and exc.file is None:
            exc.file = source
            exc.args = (exc.message,)
        raise
    if args.json:
        payload = {
            "source": source,
            "summary": report.to_dict(),
            "results": [{k: _clean(v) for k, v in r.to_dict().items()} for r in report.results],
            "skipped": [s.to_dict() for s in report.skipped],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(_table(report))
    return 0
