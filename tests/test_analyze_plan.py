"""Plan validation (before anything runs): unknown keys, sections and columns are refused with
one ``error:`` line naming the file and the key, exit code 2, and nothing written."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_analysis.analyze.plan import SCHEMA, PlanSpec, read_plan
from alliance_analysis.analyze.progress import Progress
from alliance_analysis.cli import main
from alliance_analysis.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
WIDE = EX / "synthetic_example_wide.csv"
WIDE_MAP = EX / "synthetic_example_wide_mapping.toml"


def _run(tmp_path: Path, plan_text: str, capsys) -> tuple[int, list[str], Path]:
    plan = tmp_path / "my_plan.toml"
    plan.write_text(plan_text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan", str(plan),
                 "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    return code, err, out


@pytest.mark.parametrize("text, key, valid", [
    ('[analyses]\ncorection = "holm"\n', "'corection' in [analyses]", "correction"),
    ("[bootstrap]\nresample = 100\n", "'resample' in [bootstrap]", "resamples"),
    ('[variables]\nallaince = ["wai_sr.total.prep"]\n', "'allaince' in [variables]", "alliance"),
    ("[mediation]\nadjust = true\n", "'adjust' in [mediation]", "adjust_baseline"),
    ('[correlations]\nmethods = "pearson"\n', "'methods' in [correlations]", "method"),
    ("[stats]\nalpha = 0.05\n", "[stats]", "[bootstrap]"),
])
def test_unknown_key_exits_2_with_one_line(tmp_path, capsys, text, key, valid):
    code, err, out = _run(tmp_path, text, capsys)
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith("error: ") and "my_plan.toml" in err[0]
    assert key in err[0] and valid in err[0]
    assert not out.exists(), "nothing is written when the plan is refused"


def test_unknown_column_lists_available_columns(tmp_path, capsys):
    code, err, out = _run(tmp_path, '[variables]\nalliance = ["wai_sr.total.pre"]\n', capsys)
    assert code == 2 and len(err) == 1
    assert "unknown column 'wai_sr.total.pre' in [variables] alliance" in err[0]
    assert "Available columns:" in err[0] and "wai_sr.total.prep" in err[0]
    assert not out.exists()


def test_unknown_column_in_mediation(tmp_path, capsys):
    code, err, _ = _run(tmp_path, '[mediation]\nexperience = ["meq30.total.peak"]\n', capsys)
    assert code == 2 and "unknown column 'meq30.total.peak' in [mediation] experience" in err[0]


@pytest.mark.parametrize("text, fragment", [
    ('[analyses]\ncorrection = "sidak"\n', "[analyses] correction must be one of"),
    ("[analyses]\nalpha = 5\n", "[analyses] alpha must be a number strictly between 0 and 1"),
    ('[analyses]\nrun = ["anova"]\n', "unknown analysis 'anova'"),
    ("[bootstrap]\nresamples = 10\n", "[bootstrap] resamples must be a whole number"),
    ('[bootstrap]\nci = "normal"\n', "[bootstrap] ci must be one of"),
    ('[variables]\noutcomes = ["grid_hamd_17.total.base"]\n', "is the baseline itself"),
    ('[variables]\noutcomes = ["piq.total.peak"]\n', "has no baseline column"),
    ("[correlations]\ninclude_baseline = 1\n", "must be true or false"),
    ("not toml = = \n", "not valid TOML"),
])
def test_bad_values_are_refused(tmp_path, capsys, text, fragment):
    code, err, out = _run(tmp_path, text, capsys)
    assert code == 2 and len(err) == 1
    assert fragment in err[0], err[0]
    assert not out.exists()


def test_missing_plan_file(tmp_path, capsys):
    code = main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan",
                 str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "plan file not found" in err[0]


def test_read_plan_defaults_and_schema():
    spec = read_plan(None)
    assert spec == PlanSpec()
    assert spec.correction == "holm" and spec.resamples == 5000 and spec.alpha == 0.05
    parsed = read_plan({"analyses": {"correction": "BH"}, "bootstrap": {"ci": "BCa"}})
    assert parsed.correction == "fdr_bh" and parsed.ci == "bca"
    with pytest.raises(InputError) as info:
        read_plan({"variables": {"colour": 1}}, source="p.toml")
    assert info.value.file == "p.toml"
    for key in SCHEMA["variables"]:
        assert key in str(info.value)


def test_example_plan_file_is_valid():
    spec = read_plan(EX / "analysis_plan.toml")
    assert spec.alliance == ("wai_sr.total.prep", "wai_sr.total.post")
    assert spec.seed == 20240601


def test_progress_only_on_a_terminal():
    quiet = io.StringIO()
    bar = Progress(3, "bootstrap", quiet)
    for _ in range(3):
        bar.step()
    assert quiet.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    loud = Tty()
    bar = Progress(2, "bootstrap", loud)
    bar.step()
    bar.step()
    text = loud.getvalue()
    assert "bootstrap" in text and "2/2" in text and text.endswith("\n")


def test_analyze_help_stays_light():
    code = ("import contextlib, io, json, sys\nfrom alliance_analysis import cli\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    cli.main(['analyze', '--help'])\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    loaded = set(__import__("json").loads(out.stdout.strip().splitlines()[-1]))
    assert not [m for m in ("pandas", "scipy", "statsmodels", "matplotlib") if m in loaded]
