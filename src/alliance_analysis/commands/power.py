"""`alliance-analysis power r|dz|simulate|sensitivity` — plan a trial.

* ``power r --n 20 --rho .5``          power of the test of rho = 0 (exact by default)
* ``power r --n 20``                   minimum detectable r at ``--power`` (default .80)
* ``power r --rho .5 --target-power .8`` smallest n reaching that power
* ``power dz ...``                     the same for the paired t-test (``--dz``)
* ``power simulate --n 24 --rho .5 --attrition .1 --k 4 --correction holm --sims 10000 --seed 1``
* ``power sensitivity [--ns 16 20 23 24]``

Prints an APA sentence (plus a table for simulate/sensitivity) or JSON with ``--json``. Exit 0
when it ran; bad input raises :class:`InputError` (the dispatcher prints it and exits 2).
"""

from __future__ import annotations

import argparse
import math
import sys

from ..errors import InputError

_ALTERNATIVES = ("two-sided", "greater", "less")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default .05)")
    p.add_argument("--alternative", default="two-sided", choices=_ALTERNATIVES,
                   help="alternative hypothesis (default two-sided)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser(
        "power", help=help_text, description=help_text,
        epilog="Examples: alliance-analysis power r --n 20 --rho .5   "
               "alliance-analysis power r --n 20   "
               "alliance-analysis power dz --dz .5 --target-power .8   "
               "alliance-analysis power simulate --n 24 --rho .5 --attrition .1 --k 4 "
               "--correction holm --sims 10000 --seed 1   alliance-analysis power sensitivity",
    )
    sub = p.add_subparsers(dest="power_command", metavar="WHAT")

    for name, effect_flag, help_line in (
        ("r", "--rho", "Pearson correlation (test of rho = 0)"),
        ("dz", "--dz", "paired t-test from d_z (noncentral t)"),
    ):
        q = sub.add_parser(name, help=help_line, description=(
            f"{help_line}. With --n and {effect_flag}: power. With --n only: minimum detectable "
            f"effect at --power. With {effect_flag} and --target-power (or without --n): sample "
            "size."))
        q.add_argument("--n", type=int, default=None, help="number of participants (pairs)")
        q.add_argument(effect_flag, dest="effect", type=float, default=None,
                       help="true effect size")
        q.add_argument("--power", type=float, default=0.80,
                       help="target power for the minimum detectable effect (default .80)")
        q.add_argument("--target-power", type=float, default=None,
                       help="target power: solve for the sample size")
        if name == "r":
            q.add_argument("--method", default="exact", choices=("exact", "fisher_z"),
                           help="exact distribution of r (default) or pwr's Fisher-z "
                                "approximation")
        _common(q)

    s = sub.add_parser("simulate", help="Monte Carlo power: k correlations, attrition, correction",
                       description="Monte Carlo power of alliance × outcome correlations with "
                                   "MCAR attrition and a multiplicity correction.")
    s.add_argument("--n", type=int, required=True, help="participants enrolled")
    s.add_argument("--rho", type=float, nargs="+", required=True,
                   help="true correlation (one for all tests, or k values)")
    s.add_argument("--k", type=int, default=None, help="number of tests (outcomes); default: "
                                                       "number of --rho values")
    s.add_argument("--attrition", type=float, nargs="+", default=[0.0],
                   help="probability a value is missing: one for every variable, or k + 1 "
                        "(alliance first)")
    s.add_argument("--missing", default="independent", choices=("independent", "monotone"),
                   help="MCAR per value (default) or monotone dropout over the outcomes")
    s.add_argument("--outcome-corr", type=float, default=0.0,
                   help="residual correlation among outcomes given alliance (default 0)")
    s.add_argument("--correction", default="none",
                   choices=("none", "bonferroni", "holm", "fdr_bh"),
                   help="multiplicity correction over the k tests (default none)")
    s.add_argument("--sims", type=int, default=10_000, help="simulated trials (default 10000)")
    s.add_argument("--seed", type=int, default=None, help="random seed (reproducible runs)")
    _common(s)

    t = sub.add_parser("sensitivity", help="design sensitivity table (Levin 2024 n's by default)",
                       description="Minimum detectable r and d_z, and power at r = .30/.50, "
                                   "per sample size.")
    t.add_argument("--ns", type=int, nargs="+", default=None,
                   help="sample sizes (default 16 20 23 24, the Levin 2024 analyses)")
    t.add_argument("--power", type=float, default=0.80, help="target power (default .80)")
    t.add_argument("--effects", type=float, nargs="+", default=[0.3, 0.5],
                   help="correlations at which to report power (default .3 .5)")
    _common(t)
    p.set_defaults(command="power")


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def _emit(args: argparse.Namespace, result, table: str | None = None) -> None:
    import json

    if args.json:
        print(json.dumps({k: _clean(v) for k, v in result.to_dict().items()}, indent=2))
    else:
        if table:
            print(table)
        print(result.apa())


def _run_exact(args: argparse.Namespace) -> int:
    from .. import power as pw

    effect, n = args.effect, args.n
    is_r = args.power_command == "r"
    if effect is None:
        if n is None:
            raise InputError(f"give --n (for the minimum detectable effect) or "
                             f"{'--rho' if is_r else '--dz'} (for the sample size)")
        target = args.target_power if args.target_power is not None else args.power
        result = (pw.mde_r(n, args.alpha, target, args.alternative, args.method) if is_r
                  else pw.mde_dz(n, args.alpha, target, args.alternative))
    elif args.target_power is not None or n is None:
        if n is not None:
            raise InputError("give either --n (power at that n) or --target-power (sample "
                             "size), not both")
        target = args.target_power if args.target_power is not None else args.power
        result = (pw.sample_size_r(effect, target, args.alpha, args.alternative, args.method)
                  if is_r else pw.sample_size_dz(effect, target, args.alpha, args.alternative))
    else:
        result = (pw.power_r(effect, n, args.alpha, args.alternative, args.method) if is_r
                  else pw.power_dz(effect, n, args.alpha, args.alternative))
    _emit(args, result)
    return 0


def _run_simulate(args: argparse.Namespace) -> int:
    from ..power import simulate_correlation_power

    progress = None
    if not args.json and sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            print(f"\rsimulated {done:,}/{total:,} trials", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)

    rho = args.rho[0] if len(args.rho) == 1 else args.rho
    attrition = args.attrition[0] if len(args.attrition) == 1 else args.attrition
    result = simulate_correlation_power(
        args.n, rho, k=args.k, attrition=attrition, missing=args.missing,
        outcome_corr=args.outcome_corr, correction=args.correction, alpha=args.alpha,
        alternative=args.alternative, n_sims=args.sims, seed=args.seed, progress=progress)
    table = None
    if not args.json:
        view = result.to_frame()[["test", "rho", "estimate", "se", "mean_n_complete"]].rename(
            columns={"estimate": "power", "se": "mc_se"})
        table = view.to_string(index=False, float_format=lambda v: f"{v:.4f}")
    _emit(args, result, table)
    return 0


def _run_sensitivity(args: argparse.Namespace) -> int:
    import json

    from ..power import LEVIN2024_NS, sensitivity_table

    ns = tuple(args.ns) if args.ns else LEVIN2024_NS
    frame = sensitivity_table(ns, alpha=args.alpha, power=args.power,
                              effects=tuple(args.effects), alternative=args.alternative)
    if args.json:
        print(json.dumps({"alpha": args.alpha, "power": args.power,
                          "alternative": args.alternative,
                          "rows": [{k: _clean(v) for k, v in row.items()}
                                   for row in frame.to_dict(orient="records")]}, indent=2))
    else:
        print(f"Design sensitivity ({args.alternative}, alpha = {args.alpha:g}, "
              f"power = {args.power:g}; exact unless marked fisher_z)")
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


def run(args: argparse.Namespace) -> int:
    what = getattr(args, "power_command", None)
    if what in ("r", "dz"):
        return _run_exact(args)
    if what == "simulate":
        return _run_simulate(args)
    if what == "sensitivity":
        return _run_sensitivity(args)
    raise InputError("say what to compute: power r | dz | simulate | sensitivity",
                     hint="See 'alliance-analysis power --help'")
