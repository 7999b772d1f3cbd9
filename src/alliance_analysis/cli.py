"""Command-line interface: ``alliance-analysis <command> ...``.

The only place (with ``scripts/``) that parses arguments, prints and chooses exit codes:
0 = ran, 2 = bad input (one ``error: ...`` line, no traceback).
Each sub-command lives in ``alliance_analysis.commands.<name>`` with ``add_parser(subparsers)``
and ``run(args) -> int``; modules are imported lazily so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import AllianceAnalysisError

COMMANDS = {
    "load": "Load, validate and score a trial table (CSV/TSV/XLSX/SAV) into a tidy table.",
    "instruments": "List the questionnaires the package knows, with ranges and sources.",
    "check": "Check printed statistics (APA strings or a text file) for internal consistency.",
    "reproduce": "Reproduce a published paper's statistics claim by claim.",
    "power": "Plan a trial: exact and Monte Carlo power, minimum detectable effects, sample size.",
    "analyze": "Analyse a trial's own alliance data with a plan: tests, tables, figures, report.",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-analysis",
        description="Reproduce, audit and analyse therapeutic-alliance statistics.",
    )
    from ._version import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f".commands.{name}", __package__)
        module.add_parser(sub, help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(f".commands.{args.command}", __package__)
    try:
        return int(module.run(args) or 0)
    except AllianceAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"error: {exc.filename}: {exc.strerror}. Check the path.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
