"""Write docs/papers/alliance_meta.md: the psychedelic-trial alliance-outcome correlations pooled
(from the claims registries and the public trial's files) beside the psychotherapy benchmark.

Run from the repository root: ``python scripts/make_meta_page.py`` (``--check`` exits 1 when the
committed page differs from a fresh rendering).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PAGE = Path("docs") / "papers" / "alliance_meta.md"


def main(argv: list[str] | None = None) -> int:
    from alliance_analysis.meta.page import render_page

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render_page()
    if args.check:
        same = PAGE.is_file() and PAGE.read_text(encoding="utf-8") == text
        print(f"{PAGE}: {'current' if same else 'OUT OF DATE: run scripts/make_meta_page.py'}")
        return 0 if same else 1
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    with PAGE.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
