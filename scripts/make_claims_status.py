#!/usr/bin/env python
"""Regenerate docs/claims_status.md from the registries and the committed synthetic datasets."""

import sys
from pathlib import Path

from alliance_analysis.reproduce.pipeline import run_reproduction
from alliance_analysis.reproduce.spec import available_specs
from alliance_analysis.reproduce.status_page import render_status_page

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    runs = [run_reproduction(name, root=ROOT) for name in available_specs()]
    path = ROOT / "docs" / "claims_status.md"
    path.write_text(render_status_page(runs), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
