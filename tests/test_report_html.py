"""The HTML report: notice first, escaping, self-containment, determinism."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.report.figures import scatter_fit
from alliance_analysis.report.html import render_report, write_report
from alliance_analysis.report.tables import correlation_table

XSS = "<script>alert(1)</script>"
NOTICE = "SYNTHETIC DATA: generated to match the published summaries; not the trial's data."


def _context(**extra):
    claims = pd.DataFrame({
        "claim_id": ["L3", "L4", "L7"],
        "description": [XSS, "alliance x BDI 6 months", "alliance x insight"],
        "statistic": ["r", "r", "r"],
        "published": ["r = -.65, p = .002", "r = -.47, p = .036", "r = .52, p = .040"],
        "reproduced": [-0.6523, -0.31, np.nan],
        "n": [20, 20, None],
        "df": [18.0, 18.0, None],
        "status": ["reproduced", "mismatch", "not computable"],
    })
    corr = pd.DataFrame({"x": ["wai"], "y": ["bdi"], "n": [20], "r": [-0.65], "p": [0.002],
                         "ci_lower": [-0.85], "ci_upper": [-0.29]})
    rng = np.random.default_rng(0)
    x = rng.normal(size=15)
    ctx = {
        "notice": NOTICE,
        "title": "Levin et al. (2024) reproduction",
        "claims": claims,
        "audit": [{"claim_id": "L2", "kind": "d formula", "verdict": "d_z impossible for n <= 24",
                   "flag": True},
                  {"claim_id": "L3", "kind": "r/p", "verdict": "consistent", "flag": False}],
        "tables": [correlation_table(corr, {"wai": XSS})],
        "figures": [{"figure": scatter_fit(x, -x + rng.normal(size=15), XSS, "BDI-II"),
                     "title": "Alliance and depression", "caption": f"Caption {XSS}"}],
        "assumptions": [f"Assumed {XSS}", {"text": "d = .43 taken as d_av", "source": "registry"}],
        "software": {"python": "3.11", "alliance-analysis": "0.1.0"},
    }
    ctx.update(extra)
    return ctx


def test_notice_is_first_in_body():
    page = render_report(_context())
    body = page.split("<body>", 1)[1].lstrip()
    assert body.startswith('<div class="notice"')
    first_text = html.unescape(re.sub(r"<[^>]+>", "", body.split("</div>", 1)[0]))
    assert first_text == NOTICE
    order = [page.index(s) for s in ('id="data-notice"', "<h1>", 'id="summary"', 'id="claims"',
                                      'id="audit"', 'id="tables"', 'id="figures"',
                                      'id="assumptions"', 'id="software"')]
    assert order == sorted(order)


def test_notice_required():
    with pytest.raises(ValueError):
        render_report(_context(notice=""))


def test_all_user_text_is_escaped():
    page = render_report(_context(notice=f"SYNTHETIC DATA {XSS}", title=XSS, subtitle=XSS,
                                  summary={XSS: 1}))
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 7


def test_self_contained():
    page = render_report(_context())
    assert not re.search(r"(src|href)\s*=\s*[\"'](?!data:)", page)
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page
    imgs = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(imgs) == 1


def test_summary_counts_and_status_classes():
    page = render_report(_context())
    assert '<li class="status-ok"><span class="count">1</span>reproduced</li>' in page
    assert '<li class="status-mismatch"><span class="count">1</span>mismatch</li>' in page
    assert '<li class="status-na"><span class="count">1</span>not computable</li>' in page
    assert '<tr class="status-mismatch"><td>L4</td>' in page
    assert re.search(r"tr\.status-ok \{ background: #e9f7ee; \}", page)
    assert "<td>-.652</td>" in page  # APA: no leading zero
    assert '<tr class="flagged"><td>L2</td>' in page
    assert "1 of 2 check(s) flagged" in page


def test_rendering_is_deterministic(tmp_path):
    a = write_report(tmp_path / "a" / "report.html", _context())
    b = write_report(tmp_path / "b" / "report.html", _context())
    assert a.read_bytes() == b.read_bytes()
    assert b"\r\n" not in a.read_bytes()


def test_user_data_banner_style():
    page = render_report(_context(notice="DATA SUPPLIED BY THE USER: trial.csv."))
    assert '<div class="notice user-data"' in page
    assert '<div class="notice"' in render_report(_context())


def test_report_modules_import_light():
    code = ("import alliance_analysis.report.tables, alliance_analysis.report.figures, "
            "alliance_analysis.report.html, alliance_analysis.report.style, sys, json; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(__import__("json").loads(out.stdout.strip().splitlines()[-1]))
    assert not [m for m in ("matplotlib", "scipy", "pandas", "jinja2") if m in loaded]
