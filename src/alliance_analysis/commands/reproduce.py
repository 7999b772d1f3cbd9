"""`alliance-analysis reproduce NAME [--data FILE --mapping MAP.toml] [--out DIR]`.

Exit code 0 when every claim is reproduced, 1 when the run finished but some claim was not
(mismatch, direction only, not computable), 2 for bad input."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

#: exit codes: 0 = every claim (row) reproduced; 1 = the run finished but at least one claim is
#: a mismatch, direction only or not computable (see the summary); 2 = bad input (error: line)
EXIT_OK, EXIT_NOT_ALL = 0, 1


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser("reproduce", help=help_text, description=help_text)
    configure(p)


def configure(p: argparse.ArgumentParser, fixed_name: str | None = None) -> None:
    if fixed_name is None:
        p.add_argument("name", help="reproduction to run (e.g. davis2024)")
    p.add_argument("--data", help="a real export with the same variables (default: the synthetic dataset)")
    p.add_argument("--mapping", help="TOML mapping for --data (see docs/loader.md)")
    p.add_argument("--out", help="output directory (default: out/NAME)")
    p.add_argument("--root", help="repository root for the default data (default: current directory)")
    p.add_argument("--svg", action="store_true",
                   help="also write every figure as SVG beside its PNG (slower; the report embeds the PNGs)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes drawing the figures (default: one per CPU, at most 4; "
                        "1 draws them in this process); the files are the same either way")
    if fixed_name:
        p.set_defaults(command="reproduce", name=fixed_name)
    else:
        p.set_defaults(command="reproduce")


#: thread-count variables of the BLAS libraries numpy and scipy load (read once, at load time)
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread() -> contextlib.AbstractContextManager:
    """BLAS on one thread for a reproduction: its matrices are a paper's sample (tens to hundreds
    of rows), where a thread pool costs more than it saves, badly so on a busy machine (the item
    reliability's factor fits of the Davis reproduction took 1.0-2.6 s of CPU with OpenBLAS's two
    threads on a shared 2-core machine, 0.1 s with one). Before numpy is loaded this sets the
    variables above unless the user set them (a user's own setting wins); once it is loaded,
    threadpoolctl limits the libraries loaded when the block starts (nothing without
    threadpoolctl)."""
    if "numpy" not in sys.modules:
        for var in BLAS_THREAD_VARS:
            os.environ.setdefault(var, "1")
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run(args: argparse.Namespace) -> int:
    with one_blas_thread():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..reproduce.spec import load_spec

    if args.jobs is not None and args.jobs < 1:
        from ..errors import InputError

        raise InputError("--jobs must be at least 1 (1 draws the figures in this process)",
                         value=args.jobs)
    root = Path(args.root) if args.root else Path.cwd()
    out = Path(args.out) if args.out else root / "out" / args.name
    spec = load_spec(args.name)
    if spec.kind == "model_tables":
        return _run_model_tables(spec, args, root, out)
    from ..reproduce.outputs import reproduce_and_write
    from ..reproduce.pipeline import summary_lines

    result, _ = reproduce_and_write(args.name, out, data=args.data, mapping=args.mapping, root=root,
                                    svg=args.svg, jobs=args.jobs)
    print("\n".join(summary_lines(result, out)))
    return EXIT_OK if result.n_reproduced == len(result.claims) else EXIT_NOT_ALL


def _run_model_tables(spec, args: argparse.Namespace, root: Path, out: Path) -> int:
    """A published model-table reproduction (real data by default): every printed row."""
    from ..reproduce.published_tables import reproduce_tables, summary_lines
    from ..reproduce.table_outputs import write_table_outputs

    run = reproduce_tables(spec, data=args.data, mapping=args.mapping, root=root)
    label = "real public data" if args.data is None else "user data"
    write_table_outputs(run, out, data_label=f"{label}: {run.data_name}",
                        split=spec.trajectory.get("split", ""), split_label=spec.trajectory.get("label", ""),
                        arm_labels=run.registry.arms, sections=list(spec.sections), alliance=spec.alliance,
                        svg=args.svg, jobs=args.jobs)
    print("\n".join(summary_lines(run, out)))
    return EXIT_OK if run.n_reproduced == len(run.rows) else EXIT_NOT_ALL


def main_for(name: str, argv: list[str] | None = None, root: Path | None = None) -> int:
    """Entry point for the thin ``scripts/reproduce_NAME.py`` wrappers (exit codes as the CLI)."""
    from ..errors import AllianceAnalysisError

    parser = argparse.ArgumentParser(prog=f"reproduce_{name}.py",
                                     description=f"Reproduce the '{name}' claims end to end.")
    configure(parser, fixed_name=name)
    args = parser.parse_args(argv)
    if args.root is None and root is not None:
        args.root = str(root)
    try:
        return run(args)
    except AllianceAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
