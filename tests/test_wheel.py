"""The built wheel carries everything a command needs: run from another directory, the installed
copy (not the source tree) finds its shipped real and synthetic data."""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--disable-pip-version-check", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, cwd=dist)
    wheels = list(dist.glob("alliance_analysis-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="module")
def unpacked_wheel(built_wheel, tmp_path_factory) -> Path:
    wheels = [built_wheel]
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


def _version_source() -> str:
    text = (ROOT / "src" / "alliance_analysis" / "_version.py").read_text(encoding="utf-8")
    found = re.findall(r'^__version__ = "([^"]+)"$', text, flags=re.M)
    assert len(found) == 1
    return found[0]


def test_one_version_source():
    with (ROOT / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    assert "version" not in project and "version" in project["dynamic"]
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.findall(r"^version: (\S+)$", citation, flags=re.M) == [_version_source()]


def test_wheel_metadata(built_wheel):
    with zipfile.ZipFile(built_wheel) as zf:
        names = set(zf.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    assert built_wheel.name.startswith(f"alliance_analysis-{_version_source()}-")
    assert meta["Version"] == _version_source()
    assert meta["License-Expression"] == "MIT"  # PEP 639 form, not the deprecated table
    assert not [c for c in meta.get_all("Classifier") if c.startswith("License ::")]
    licences = {n.split(".dist-info/licenses/", 1)[1] for n in names if ".dist-info/licenses/" in n}
    assert licences == {"LICENSE", "data/public/psilodep2/LICENSE"}
    assert "alliance_analysis/py.typed" in names
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert "Topic :: Scientific/Engineering" in meta.get_all("Classifier")
    requires = meta.get_all("Requires-Dist")
    for dep in ("numpy", "pandas", "scipy", "statsmodels", "matplotlib"):
        assert any(r.startswith(dep + ">=") for r in requires), dep
    assert not [r for r in requires if "pingouin" in r and "extra ==" not in r]  # GPL: dev only
    assert meta.get_all("Project-URL")


@pytest.mark.parametrize("args, expected", [
    (("check", "t(28) = 2.20, p = .036"), "2.20"),
    (("instruments", "wai_sr"), "wai_sr"),
    (("power", "r", "--n", "20"), "20"),
])
def test_installed_commands_run_from_another_directory(unpacked_wheel, tmp_path, args, expected):
    # the console-script entry point, as `alliance-analysis ...` would run it
    code = "import sys; from alliance_analysis.cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    proc = subprocess.run([sys.executable, "-c", code, *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout


def test_sdist_ships_the_data_and_licences(tmp_path):
    from setuptools import build_meta

    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        name = build_meta.build_sdist(str(tmp_path))
    finally:
        os.chdir(cwd)
    import tarfile

    with tarfile.open(tmp_path / name) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for shipped in ("LICENSE", "CITATION.cff", "README.md", "pyproject.toml", "setup.py",
                    "MANIFEST.in", "data/public/psilodep2/scores.csv",
                    "data/public/psilodep2/LICENSE",
                    "data/synthetic/davis2024/davis2024_synthetic_wide.csv",
                    "src/alliance_analysis/py.typed", "src/alliance_analysis/_version.py",
                    "src/alliance_analysis/report/templates/report.html.j2"):
        assert shipped in names, shipped
    # every claims registry (printed values), scoring key and shipped dataset of the source tree
    pkg = ROOT / "src" / "alliance_analysis"
    wanted = [p for p in (*(pkg / "claims").rglob("*.toml"),
                          *(pkg / "instruments" / "definitions").glob("*.toml"),
                          *(ROOT / "data").rglob("*"))
              if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert len(wanted) > 40
    missing = sorted(p.relative_to(ROOT).as_posix() for p in wanted
                     if p.relative_to(ROOT).as_posix() not in names)
    assert missing == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
