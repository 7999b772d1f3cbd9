"""docs/claims_status.md is generated from the registries and must be up to date."""

from pathlib import Path

from alliance_analysis.reproduce.pipeline import run_reproduction
from alliance_analysis.reproduce.spec import available_specs
from alliance_analysis.reproduce.status_page import render_status_page

ROOT = Path(__file__).resolve().parents[1]


def test_claims_status_page_is_current():
    runs = [run_reproduction(name, root=ROOT) for name in available_specs("claims")]
    expected = render_status_page(runs)
    committed = (ROOT / "docs" / "claims_status.md").read_text(encoding="utf-8")
    assert committed == expected, "run: python scripts/make_claims_status.py"


def test_status_page_lists_every_claim_with_its_status():
    text = (ROOT / "docs" / "claims_status.md").read_text(encoding="utf-8")
    for run in (run_reproduction(name, root=ROOT) for name in available_specs("claims")):
        for claim in run.claims:
            assert f"| {claim.claim_id} |" in text
    assert "MISMATCH" not in text
    assert "construction targets" in text


def test_paper_pages_are_current_and_their_figures_exist():
    from alliance_analysis.reproduce.paper_page import write_paper_page

    docs = ROOT / "docs"
    for name in available_specs("claims"):
        run = run_reproduction(name, root=ROOT)
        expected = write_paper_page(run, docs, with_figures=False)
        page = docs / "papers" / f"{name}.md"
        assert page.exists(), f"missing {page}: run python scripts/make_claims_status.py"
        assert page.read_text(encoding="utf-8") == expected, "run: python scripts/make_claims_status.py"
        assert f"**{run.n_reproduced} of {len(run.claims)} claims reproduced**" in expected
        assert all(c.status in ("reproduced", "direction only") for c in run.claims), name
        for line in expected.splitlines():
            if line.startswith("!["):
                rel = line[line.index("](") + 2 : -1]
                assert (page.parent / rel).is_file(), rel


def test_analyze_example_page_is_current():
    """docs/analyze_example.md = a fresh analyze run (software versions aside: they belong to the
    machine that generated the page)."""
    import re
    import runpy

    script = runpy.run_path(str(ROOT / "scripts" / "make_claims_status.py"))
    expected = script["analyze_example"]()
    committed = (ROOT / "docs" / "analyze_example.md").read_text(encoding="utf-8")
    versions = re.compile(r"Analyses were run with [^\n]*?\.(?= |\n|$)")
    assert versions.sub("", committed) == versions.sub("", expected), \
        "run: python scripts/make_claims_status.py"
    assert "SYNTHETIC DATA" in committed.splitlines()[4]


def test_real_data_pages_are_current_and_their_figures_exist():
    import runpy

    script = runpy.run_path(str(ROOT / "scripts" / "make_claims_status.py"))
    pages = script["real_pages"](with_figures=False)
    assert set(pages) == {"szigeti2024.md", "psilodep2_alliance.md"}
    for name, expected in pages.items():
        page = ROOT / "docs" / "papers" / name
        assert page.read_text(encoding="utf-8") == expected, "run: python scripts/make_claims_status.py"
        assert "REAL PUBLIC DATA" in expected.splitlines()[4]
        for line in expected.splitlines():
            if line.startswith("!["):
                rel = line[line.index("](") + 2 : -1]
                assert (page.parent / rel).is_file(), rel
    assert "**384 of 384 published rows reproduced**" in pages["szigeti2024.md"]
