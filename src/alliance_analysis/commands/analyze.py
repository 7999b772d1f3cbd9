"""`alliance-analysis analyze DATA [--mapping MAP.toml] [--plan PLAN.toml] [--out DIR]`.

Loads and scores DATA with the loader, validates the plan (default: derived from the data)
against it, runs the analyses (within each arm when the data have arms, plus the between-arm
tests; pooled only when the plan says ``arms = "pooled"``) and writes results.csv/json,
methods.md, NOTICE.txt, tables, figures and report.html to DIR (default ``out/analysis``). Bad
input raises :class:`InputError` (the CLI prints one ``error: ...`` line and exits 2); nothing
is written then.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUT = Path("out") / "analysis"


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser(
        "analyze", help=help_text, description=help_text,
        epilog="Example: alliance-analysis analyze data/examples/synthetic_example_wide.csv "
               "--mapping data/examples/synthetic_example_wide_mapping.toml "
               "--plan data/examples/analysis_plan.toml --out out/analysis; on the shipped "
               "real trial: alliance-analysis analyze data/public/psilodep2/scores.csv "
               "--mapping data/public/psilodep2/psilodep2_mapping.toml  (see docs/analyze.md)")
    p.add_argument("data", help="trial table (CSV/TSV/XLSX/SAV, wide or long)")
    p.add_argument("--mapping", help="TOML mapping for DATA (see docs/loader.md)")
    p.add_argument("--plan", help="TOML analysis plan (default: derived from the data)")
    p.add_argument("--out", help=f"output directory (default: {DEFAULT_OUT})")
    p.set_defaults(command="analyze")


def run(args: argparse.Namespace) -> int:
    import sys

    from ..analyze.outputs import summary_lines, write_outputs
    from ..analyze.progress import Progress
    from ..analyze.run import run_analysis

    out = Path(args.out) if args.out else DEFAULT_OUT
    result = run_analysis(args.data, args.mapping, args.plan,
                          progress=lambda total, label: Progress(total, label, sys.stderr))
    write_outputs(result, out)
    print("\n".join(summary_lines(result, out)))
    return 0
