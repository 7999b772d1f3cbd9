"""Reproduction statuses cannot flatter: direction is part of a directional claim, a direction
claim short of its threshold is "direction only", verbal claims show their criterion apart from
what was printed, and every printed claim is either checked or listed as omitted."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_analysis.claims import load_registry
from alliance_analysis.reproduce.compute import compute_claim

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def davis_wide():
    from alliance_analysis.io import load_table

    d = ROOT / "data" / "synthetic" / "davis2024"
    return load_table(d / "davis2024_synthetic_wide.csv", d / "davis2024_mapping.toml").wide


def test_significant_claim_with_reversed_scores_is_a_mismatch(davis_wide):
    """Levin Q2 (insight predicts improvement, a negative r with depression): with the insight
    scores reversed the correlation has the wrong sign and must not pass on p alone."""
    claim = load_registry("levin2024").get("Q2")
    assert claim.expected == "significant" and claim.direction == "negative"
    assert compute_claim(claim, davis_wide).status == "reproduced"
    reversed_wide = davis_wide.copy()
    reversed_wide[claim.x] = -reversed_wide[claim.x]
    result = compute_claim(claim, reversed_wide)
    assert result.status == "mismatch"
    assert "claimed negative sign" in result.detail


def test_direction_only_is_not_reproduced():
    from alliance_analysis.reproduce.pipeline import run_reproduction

    run = run_reproduction("murphy2022", root=ROOT)
    direction = [c for c in run.claims if c.status == "direction only"]
    for c in direction:
        assert c.reproduced_p >= 0.05 and "claimed sign" in c.detail
    assert run.n_reproduced == sum(c.status == "reproduced" for c in run.claims)
    assert run.n_reproduced + len(direction) <= len(run.claims)


def test_verbal_claims_show_a_criterion_not_a_printed_threshold():
    for name in ("levin2024", "murphy2022", "zeifman2024"):
        for claim in load_registry(name).claims:
            if claim.analysis in ("significance", "group_difference") or claim.is_direction_claim \
                    or (claim.analysis == "regression" and claim.statistic == "p"):
                assert claim.criterion_text, claim.id
                assert ".05" not in claim.published_text and " 0" not in claim.published_text, claim.id
                assert "assumed" in claim.criterion_text, claim.id


def test_murphy_abstract_claims_are_checked_or_listed_as_omitted():
    reg = load_registry("murphy2022")
    omitted = {o["id"]: o for o in reg.omitted}
    assert {"M-rapport", "M-session-specific", "M-alliance-s2"} <= set(omitted)
    assert all(o["reason"] for o in omitted.values())
