#!/usr/bin/env python
"""Regenerate a committed synthetic dataset: ``generate_synthetic.py DESIGN [--seed N] [--out DIR]``.

SYNTHETIC DATA calibrated to published summaries, not any trial's participants. Same design and
seed → byte-identical files. All logic is in ``alliance_analysis.synthetic``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from alliance_analysis.errors import AllianceAnalysisError
    from alliance_analysis.synthetic import generate, load_design, spec_for, write_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("design", help="design name under synthetic/designs (e.g. davis2024)")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the design's committed seed)")
    parser.add_argument("--out", default=None, help="output folder (default: data/synthetic/DESIGN)")
    args = parser.parse_args(argv)
    try:
        design = load_design(args.design)
        spec = spec_for(args.design)
        start = time.perf_counter()
        ds = generate(spec, seed=args.seed)
        elapsed = time.perf_counter() - start
        out = Path(args.out) if args.out else ROOT / "data" / "synthetic" / spec.id
        paths = write_dataset(ds, out, mapping_name=design.get("mapping_name"))
    except AllianceAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = ds.manifest
    print(f"SYNTHETIC DATA: {spec.id}, seed {m['seed']} (used {m['seed_used']}), "
          f"{len(m['targets'])} targets all reproduced, {elapsed:.1f} s")
    for p in paths:
        print(f"  wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
