"""`alliance-analysis load DATA --mapping MAP.toml --out tidy.csv [--wide-out wide.csv]`.

Reads a trial table (CSV/TSV/XLSX/SAV, wide or long), validates and scores it, prints the audit
summary (rows read and kept, every value set missing and why) and writes the tidy table and,
optionally, the wide analysis view. Output is byte-identical for the same input.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser("load", help=help_text, description=help_text)
    p.add_argument("data", help="the trial table: .csv, .tsv, .xlsx or .sav")
    p.add_argument("--mapping", metavar="MAP.toml", default=None,
                   help="mapping of your column names, codes and timepoints (docs/loader.md); "
                   "without it the default names are used")
    p.add_argument("--out", metavar="TIDY.csv", default=None,
                   help="write the tidy table (participant × timepoint × instrument × scale)")
    p.add_argument("--wide-out", metavar="WIDE.csv", default=None,
                   help="write the wide analysis view (one row per participant)")
    p.add_argument("--items-out", metavar="ITEMS.csv", default=None,
                   help="write the validated item responses (long)")
    p.set_defaults(command="load")


def run(args: argparse.Namespace) -> int:
    from ..io import load_table, write_tidy, write_wide

    result = load_table(args.data, args.mapping)
    print(result.audit.summary())
    written = []
    if args.out:
        written.append(f"tidy table ({len(result.tidy)} rows): {write_tidy(result.tidy, args.out)}")
    if args.wide_out:
        path = write_wide(result.wide, args.wide_out)
        written.append(f"wide view ({result.wide.shape[0]} participants × "
                       f"{result.wide.shape[1] - 1} score columns + arm): {path}")
    if args.items_out:
        if result.items is None:
            written.append("items: none in this table (only precomputed scores); nothing written")
        else:
            written.append(f"items ({len(result.items)} responses): "
                           f"{write_tidy(result.items, args.items_out)}")
    if written:
        print("Written:")
        for line in written:
            print(f"  {line}")
    else:
        print("Nothing written (give --out TIDY.csv and/or --wide-out WIDE.csv).")
    return 0
