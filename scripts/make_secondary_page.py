"""Regenerate docs/papers/secondary_sources.md from the secondary-source registries; with
``--out DIR`` also write the HTML report (report.html, NOTICE.txt) there."""

from __future__ import annotations

import argparse
from pathlib import Path

from alliance_analysis.claims.secondary import (
    load_secondaries,
    render_secondary_page,
    write_secondary_report,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", help="also write report.html and NOTICE.txt to this folder")
    args = parser.parse_args()
    registries = load_secondaries()
    page = ROOT / "docs" / "papers" / "secondary_sources.md"
    page.write_text(render_secondary_page(registries), encoding="utf-8", newline="\n")
    print(f"wrote {page.relative_to(ROOT)}")
    if args.out:
        print(f"wrote {write_secondary_report(args.out, registries)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
