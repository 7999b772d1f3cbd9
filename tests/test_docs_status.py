"""docs/claims_status.md is generated from the registries and must be up to date."""

from pathlib import Path

from alliance_analysis.reproduce.pipeline import run_reproduction
from alliance_analysis.reproduce.spec import available_specs
from alliance_analysis.reproduce.status_page import render_status_page

ROOT = Path(__file__).resolve().parents[1]


def test_claims_status_page_is_current():
    runs = [run_reproduction(name, root=ROOT) for name in available_specs()]
    expected = render_status_page(runs)
    committed = (ROOT / "docs" / "claims_status.md").read_text(encoding="utf-8")
    assert committed == expected, "run: python scripts/make_claims_status.py"


def test_status_page_lists_every_claim_with_its_status():
    text = (ROOT / "docs" / "claims_status.md").read_text(encoding="utf-8")
    for run in (run_reproduction(name, root=ROOT) for name in available_specs()):
        for claim in run.claims:
            assert f"| {claim.claim_id} |" in text
    assert "MISMATCH" not in text
