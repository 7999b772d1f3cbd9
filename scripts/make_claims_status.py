#!/usr/bin/env python
"""Regenerate the generated docs: docs/claims_status.md and docs/papers/NAME.md (+ figures in
docs/papers/img/) from the registries, the synthetic designs and the committed synthetic datasets;
the real-data pages (docs/papers/szigeti2024.md, docs/papers/psilodep2_alliance.md) from the
shipped public data; and docs/analyze_example.md from an analyze run on the Davis synthetic dataset."""

import sys
from pathlib import Path

from alliance_analysis.reproduce.paper_page import write_paper_page
from alliance_analysis.reproduce.pipeline import run_reproduction
from alliance_analysis.reproduce.spec import available_specs
from alliance_analysis.reproduce.status_page import render_status_page

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DATA = "data/synthetic/davis2024/davis2024_synthetic_wide.csv"
EXAMPLE_MAPPING = "data/synthetic/davis2024/davis2024_mapping.toml"
EXAMPLE_COMMAND = f"alliance-analysis analyze {EXAMPLE_DATA} --mapping {EXAMPLE_MAPPING} --out out/analysis"


def analyze_example() -> str:
    """docs/analyze_example.md text (default plan on the Davis synthetic dataset)."""
    from alliance_analysis.analyze import run_analysis
    from alliance_analysis.analyze.outputs import example_page

    run = run_analysis(ROOT / EXAMPLE_DATA, ROOT / EXAMPLE_MAPPING, plan=None)
    return example_page(run, EXAMPLE_COMMAND)


def real_pages(with_figures: bool = False) -> dict[str, str]:
    """docs/papers/ pages of the real-data reproductions (model tables) and their alliance page."""
    from alliance_analysis.reproduce.published_tables import reproduce_tables
    from alliance_analysis.reproduce.real_pages import write_real_pages
    from alliance_analysis.reproduce.spec import load_spec

    pages: dict[str, str] = {}
    for name in available_specs("model_tables"):
        spec = load_spec(name)
        pages.update(write_real_pages(reproduce_tables(spec), spec, ROOT / "docs", with_figures))
    return pages


def main() -> int:
    runs = [run_reproduction(name, root=ROOT) for name in available_specs("claims")]
    docs = ROOT / "docs"
    path = docs / "claims_status.md"
    path.write_text(render_status_page(runs), encoding="utf-8")
    print(f"wrote {path}")
    (docs / "papers").mkdir(exist_ok=True)
    for run in runs:
        page = docs / "papers" / f"{run.spec.id}.md"
        page.write_text(write_paper_page(run, docs), encoding="utf-8")
        print(f"wrote {page}")
    for name, text in real_pages(with_figures=True).items():
        page = docs / "papers" / name
        page.write_text(text, encoding="utf-8")
        print(f"wrote {page}")
    example = docs / "analyze_example.md"
    example.write_text(analyze_example(), encoding="utf-8")
    print(f"wrote {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
