"""CI regression: every registered claim is recovered from the committed dataset at its printed
precision. Expected values come only from the claims registries (printed strings)."""

import subprocess
import sys
from pathlib import Path

import pytest

from alliance_analysis.claims import load_registries
from alliance_analysis.reproduce.compute import compute_claim
from alliance_analysis.reproduce.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = load_spec("davis2024")
CLAIMS = [c for reg in load_registries(SPEC.registries) for c in reg.claims]


@pytest.fixture(scope="module")
def wide():
    from alliance_analysis.io import load_table

    return load_table(ROOT / SPEC.data, ROOT / SPEC.mapping).wide


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_is_reproduced(claim, wide):
    result = compute_claim(claim, wide)
    assert result.status == "reproduced", (
        f"{claim.id} ({claim.paper}): published {claim.published_text}; "
        f"computed {result.statistic} = {result.reproduced!r}, p = {result.reproduced_p!r}, "
        f"n = {result.n}: {result.detail}"
    )


def test_inferred_n_is_what_the_data_give(wide):
    for claim in CLAIMS:
        if claim.n is not None and claim.analysis in ("correlation", "paired_change"):
            assert compute_claim(claim, wide).n == claim.n, claim.id


def _run_script(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "reproduce_davis2024.py"), "--out", str(out)],
        capture_output=True, text=True, cwd=out.parent,
    )


def test_script_end_to_end_is_deterministic(tmp_path):
    import pandas as pd

    first = _run_script(tmp_path / "a")
    assert first.returncode == 0, first.stderr
    assert "SYNTHETIC DATA" in first.stdout.splitlines()[0]
    out = tmp_path / "a"
    for name in ("claims.csv", "claims.json", "report.html"):
        assert (out / name).exists(), name
    # CSVs are header first (plain read_csv works); the notice is in NOTICE.txt beside them
    assert (out / "claims.csv").read_text().startswith("data,claim_id,")
    assert (out / "NOTICE.txt").read_text().startswith("SYNTHETIC DATA")
    assert (out / "tables" / "NOTICE.txt").read_text().startswith("SYNTHETIC DATA")
    assert (out / "claims.json").read_text().splitlines()[1].startswith('  "notice": "SYNTHETIC DATA')
    for table in (out / "tables").glob("*"):
        first = table.read_text().splitlines()[0]
        if table.suffix == ".csv":
            assert not first.startswith("#"), table.name
        else:
            assert "SYNTHETIC DATA" in first, table.name
    claims = pd.read_csv(out / "claims.csv")
    assert (claims["data"] == "synthetic").all()
    assert sorted(claims["claim_id"]) == sorted(c.id for c in CLAIMS)
    assert set(claims["status"]) == {"reproduced"}, claims.loc[claims.status != "reproduced"]
    html = (out / "report.html").read_text()
    assert "SYNTHETIC DATA" in html[: html.find("</h1>") + 2000]
    for text in (html, (out / "claims.json").read_text()):  # no path of this machine
        assert str(ROOT) not in text and str(tmp_path) not in text
    second = _run_script(tmp_path / "b")
    assert second.returncode == 0, second.stderr
    assert (out / "claims.csv").read_bytes() == (tmp_path / "b" / "claims.csv").read_bytes()
    assert (out / "report.html").read_bytes() == (tmp_path / "b" / "report.html").read_bytes()


def test_script_bad_data_path_exits_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "reproduce_davis2024.py"),
         "--data", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
