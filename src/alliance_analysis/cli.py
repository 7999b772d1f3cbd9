"""Command-line interface: ``alliance-analysis <command> ...``.

The only place (with ``scripts/``) that parses arguments, prints and chooses exit codes:
0 = ran, 1 = a check the command ran did not pass (e.g. a claim not reproduced), 2 = bad input
or an unexpected failure (one ``error: ...`` line, no traceback; ``--debug`` shows the traceback).
Output piped into a program that stops reading (``| head``) ends quietly, as Unix tools do.
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
    "meta": "Meta-analysis of correlations or effect sizes: random effects, forest and funnel plots.",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-analysis",
        description="Reproduce, audit and analyse therapeutic-alliance statistics.",
    )
    from ._version import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an unexpected error (for bug reports)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f".commands.{name}", __package__)
        module.add_parser(sub, help_text)
    return parser


def _os_error_text(exc: OSError) -> str:
    where = exc.filename or ""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return (f"{where}: a file stands where a folder is needed. Choose an output folder path "
                "that is not an existing file (or under one).")
    if isinstance(exc, IsADirectoryError):
        return f"{where}: is a folder, not a file. Check the path."
    if isinstance(exc, PermissionError):
        return f"{where}: permission denied. Choose a path you can read or write."
    if isinstance(exc, FileNotFoundError):
        return f"{where}: {exc.strerror}. Check the path."
    return f"{where}: {exc.strerror or exc}. Check the path and free disk space."


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``| head``): stop quietly, like Unix tools."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(f".commands.{args.command}", __package__)
    try:
        code = int(module.run(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except AllianceAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {_os_error_text(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last resort: one line for people, the traceback on request
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}. This is a bug in alliance-analysis, "
              "not in your data: re-run with --debug and report the traceback.", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
