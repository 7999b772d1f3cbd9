"""Demo: load the SYNTHETIC example trial, print the audit and the head of the wide view.

    python scripts/demo_load.py                     # the messy .xlsx example
    python scripts/demo_load.py DATA MAPPING.toml   # any table with its mapping
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


def main(argv: list[str]) -> int:
    import pandas as pd

    from alliance_analysis.errors import InputError
    from alliance_analysis.io import load_table

    if argv:
        if len(argv) != 2:
            print("usage: demo_load.py [DATA MAPPING.toml]", file=sys.stderr)
            return 2
        data, mapping = argv
    else:
        print("SYNTHETIC DATA: the example trial in data/examples is random numbers, "
              "not real participants.\n")
        data = EXAMPLES / "synthetic_example_messy.xlsx"
        mapping = EXAMPLES / "synthetic_example_messy_mapping.toml"
    try:
        result = load_table(data, mapping)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.audit.summary())
    print()
    totals = [c for c in result.wide.columns if ".total." in c][:8]
    columns = ["arm", *totals]
    with pd.option_context("display.width", 160, "display.max_columns", 12):
        print(result.wide[columns].head(8).round(2).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
