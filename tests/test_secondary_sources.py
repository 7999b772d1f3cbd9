"""Secondary-source claims: registry validation (each rule can fail), the generated page stays
current, and the HTML report carries the notice first and only the package's own markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from alliance_analysis.claims.secondary import (
    NOT_FOUND,
    NOTICE,
    SECONDARY_DIR,
    VERDICTS,
    load_secondaries,
    load_secondary,
    render_secondary_page,
    write_secondary_report,
)
from alliance_analysis.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = SECONDARY_DIR / "journey_clinical_2023.toml"


def test_every_shipped_claim_is_complete():
    regs = load_secondaries()
    assert regs, "no secondary-source registry shipped"
    for reg in regs:
        for claim in reg.claims:
            assert claim.verdict in VERDICTS
            assert claim.reason.endswith(".")
            for pv in claim.printed:
                assert pv.value == NOT_FOUND or pv.value in pv.text or \
                    pv.value in pv.text.replace(" ", "")
                assert re.match(r"https://\S+$", pv.address), pv.address
                assert pv.primary in claim.primary


def test_the_seed_article_checks_every_cited_trial():
    """The clinic article cites Dore 2019, Mitchell 2021 and Davis 2021: each is checked, and the
    MDMA numbers (2.1 and 0.91) are both traced to what Mitchell 2021 printed."""
    reg = load_secondary("journey_clinical_2023")
    cited = {p for c in reg.claims for p in c.primary}
    assert {"dore2019", "mitchell2021", "davis2021"} <= cited
    mitchell = {pv.value for c in reg.claims for pv in c.printed if pv.primary == "mitchell2021"}
    assert any("2.1" in v for v in mitchell) and any("0.91" in v for v in mitchell)
    frame = reg.to_frame()
    assert list(frame.index) == list(frame["term"])
    assert frame.loc["JC1.2", "claim"] == "JC1" and (frame["source"] == reg.id).all()
    assert len(frame) == sum(len(c.printed) for c in reg.claims)
    assert {"verdict", "reason", "primary", "printed", "address"} <= set(frame.columns)
    assert frame["estimate"].isna().all()  # recorded text, no computed number


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, message", [
    ('verdict = "supported"', 'verdict = "plausible"', "not in the vocabulary"),
    ('value = "d = 2.1"', 'value = "d = 2.7"', "must appear in the quoted text"),
    ('reason = "Mitchell 2021 prints d = 2.1', 'reason = "Fine. Mitchell 2021 prints d = 2.1',
     "one sentence"),
    ('primary = ["dore2019"]', 'primary = ["nobody2020"]', "declared [[primary]] ids"),
])
def test_validation_rules_fail_on_bad_entries(tmp_path, old, new, message):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(InputError, match=re.escape(message)):
        load_secondary(_write(tmp_path, text.replace(old, new, 1)))


def test_generated_page_is_current():
    page = ROOT / "docs" / "papers" / "secondary_sources.md"
    assert page.read_text(encoding="utf-8") == render_secondary_page(load_secondaries()), \
        "run scripts/make_secondary_page.py"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(a for a, _ in attrs)

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def test_report_is_escaped_and_says_what_it_is(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace(
        'title = "What is the therapeutic alliance, and why is it important?"',
        'title = "<img src=x onerror=alert(1)> t--><script>alert(2)</script>"')
    reg = load_secondary(_write(tmp_path, text))
    out = write_secondary_report(tmp_path / "out", [reg])
    html = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert "img" not in parser.tags and "onerror" not in parser.attrs
    assert "<script>alert(2)" not in html
    assert (tmp_path / "out" / "NOTICE.txt").read_text(encoding="utf-8").startswith(NOTICE[:40])
    body = html[html.index("<body"):]
    assert NOTICE[:40] in body[:400], "the data notice is the first thing on the page"
    assert "SYNTHETIC" not in html.upper().replace("NOT SYNTHETIC", "")
