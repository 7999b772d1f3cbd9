"""The built wheel carries everything a command needs: run from another directory, the installed
copy (not the source tree) finds its shipped real and synthetic data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--disable-pip-version-check", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, cwd=dist)
    wheels = list(dist.glob("alliance_analysis-*.whl"))
    assert len(wheels) == 1
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheels[0]) as zf:
        names = zf.namelist()
        zf.extractall(site)
    for shipped in ("alliance_analysis/_data/public/psilodep2/scores.csv",
                    "alliance_analysis/_data/public/psilodep2/LICENSE",
                    "alliance_analysis/_data/public/psilodep2/psilodep2_mapping.toml",
                    "alliance_analysis/_data/public/psilodep2/published_models/within_arm_exp.csv",
                    "alliance_analysis/_data/synthetic/davis2024/davis2024_synthetic_wide.csv",
                    "alliance_analysis/claims/tables/szigeti2024.toml"):
        assert shipped in names, shipped
    return site


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    code = ("import sys, alliance_analysis; from alliance_analysis.cli import main; "
            "print('PACKAGE', alliance_analysis.__file__); sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


# exit 0: every claim reproduced; exit 1: ran, but not every claim reproduced (Murphy 2022 has two
# "direction only" claims); exit 2 would be a failure to run (e.g. data not found in the wheel)
@pytest.mark.parametrize("name, expected_rc", [("szigeti2024", 0), ("murphy2022", 1)])
def test_reproduce_runs_from_the_wheel_in_another_directory(unpacked_wheel, tmp_path, name,
                                                            expected_rc):
    proc = _run(unpacked_wheel, tmp_path, "reproduce", name, "--out", "out")
    assert proc.returncode == expected_rc, proc.stderr
    assert f"PACKAGE {unpacked_wheel}" in proc.stdout
    assert (tmp_path / "out" / "report.html").is_file()
