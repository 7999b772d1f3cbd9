"""`alliance-analysis meta STUDIES.csv [--out DIR] [--method REML] [--knapp-hartung]`.

Reads a CSV of studies (study, r and n, d and n / n1 and n2, or yi and vi; optional effect label
and moderators; see :mod:`alliance_analysis.meta.studies`), pools them (repeated study labels:
the three-level model) and writes results.csv, studies.csv, leave_one_out.csv, apa.txt, forest and
funnel figures and report.html to DIR (default ``out/meta``), with NOTICE.txt saying which data.
``--builtin`` pools the package's own dataset of psychedelic-trial alliance-outcome correlations
instead of a file. Bad input raises :class:`InputError` (one ``error:`` line, exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUT = Path("out") / "meta"
METHODS = ("REML", "ML", "DL", "PM", "FE")
USER_NOTICE = ("DATA SUPPLIED BY THE USER: {name}. Effect sizes as given in that file; pooled with "
               "alliance-analysis meta; not checked against any publication.")
BUILTIN_NOTICE = ("PUBLISHED VALUES AND REAL PUBLIC DATA: alliance-outcome correlations printed by "
                  "psychedelic-trial papers (the package's claims registries; n as printed or "
                  "inferred there) and computed from the public psilocybin-vs-escitalopram trial "
                  "data; sign oriented so that positive = stronger alliance, fewer symptoms.")


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser(
        "meta", help=help_text, description=help_text,
        epilog="Example: alliance-analysis meta studies.csv --out out/meta   "
               "alliance-analysis meta --builtin --out out/meta_builtin  (see docs/meta.md)")
    p.add_argument("studies", nargs="?", help="CSV of studies: study, r, n (or d, n1, n2; or yi, vi)")
    p.add_argument("--builtin", action="store_true",
                   help="pool the built-in psychedelic-trial alliance-outcome dataset")
    p.add_argument("--method", default="REML", choices=METHODS,
                   help="tau^2 estimator (default REML; FE = fixed effect)")
    p.add_argument("--knapp-hartung", action="store_true",
                   help="Knapp-Hartung SE with t on k - 1 df")
    p.add_argument("--out", help=f"output directory (default: {DEFAULT_OUT})")
    p.set_defaults(command="meta")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..meta import meta_analysis
    from ..meta.outputs import write_outputs

    out = Path(args.out) if args.out else DEFAULT_OUT
    if args.builtin == bool(args.studies):
        raise InputError("give a studies CSV or --builtin (one of them)",
                         hint="For example: alliance-analysis meta studies.csv --out out/meta")
    if args.builtin:
        from ..meta.dataset import alliance_outcome_dataset

        frame, notes = alliance_outcome_dataset()
        notice = BUILTIN_NOTICE
        kw = {"r": frame["r_oriented"], "n": frame["n"]}
        title = "Meta-analysis: built-in psychedelic-trial alliance-outcome correlations"
    else:
        from ..meta.studies import read_studies

        table = read_studies(args.studies)
        frame, notes = table.frame, table.notes()
        notice = USER_NOTICE.format(name=table.file)
        kw = ({"r": frame["r"], "n": frame["n"]} if table.kind == "r" else
              {"yi": frame["yi"], "vi": frame["vi"],
               "effect": "yi" if table.kind == "yi" else "d"})
        title = f"Meta-analysis of {table.file}"
    labels = [f"{s}: {e}" if e else str(s) for s, e in zip(frame["study"], frame["effect"],
                                                                strict=True)]
    repeated = frame["study"].duplicated().any()
    method = args.method
    if repeated and method != "REML":
        raise InputError(f"repeated study labels give the three-level model, fitted by REML only "
                         f"(not {method})", column="study",
                         hint="Drop --method or give one effect per study")
    result = meta_analysis(**kw, study=list(frame["study"]), labels=labels, method=method,
                           knapp_hartung=args.knapp_hartung)
    write_outputs(result, out, notice, notes, studies=frame, title=title)
    print(notice)
    print(result.apa())
    for line in notes[1:] if len(notes) > 1 else ():
        print(line)
    print(f"wrote {out}/ (results.csv, studies.csv, apa.txt, forest, funnel, report.html)")
    return 0
