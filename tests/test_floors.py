"""The floors session (``make test-floors``) installs what pyproject.toml declares: every
run-time dependency pinned at exactly its ``>=`` floor, nothing GPL, and its plugin skips only
tests whose dev-only oracle is missing."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(name: str) -> dict[str, str]:
    pins = {}
    for line in (LOCKS / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.+!]*", line), line
        package, version = line.split("==")
        assert _canonical(package) not in pins, f"{package} pinned twice in {name}"
        pins[_canonical(package)] = version
    return pins


def _declared_floors() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        deps = tomllib.load(fh)["project"]["dependencies"]
    floors = {}
    for dep in deps:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*", dep)
        assert match, f"{dep!r}: every run-time dependency needs a plain >= floor"
        floors[_canonical(match.group(1))] = match.group(2)
    return floors


def test_floors_lock_pins_every_dependency_at_its_floor():
    lock = _lock("floors.lock")
    for package, floor in _declared_floors().items():
        assert lock.get(package) == floor, f"{package}: floors.lock {lock.get(package)} != {floor}"


@pytest.mark.parametrize("name", ["runtime.lock", "dev.lock", "floors.lock"])
def test_locks_are_exact_and_satisfy_the_floors(name):
    lock = _lock(name)
    for package, floor in _declared_floors().items():
        assert package in lock, f"{name} lacks {package}"
        got = tuple(int(x) for x in re.findall(r"\d+", lock[package])[:3])
        want = tuple(int(x) for x in re.findall(r"\d+", floor)[:3])
        assert got >= want, f"{name}: {package} {lock[package]} is below the floor {floor}"
    assert "alliance-analysis" not in lock
    assert tuple(int(x) for x in lock["setuptools"].split(".")[:2]) >= (77, 0)


def test_gpl_oracles_are_dev_only():
    assert "pingouin" in _lock("dev.lock")
    assert "pingouin" not in _lock("runtime.lock")
    assert "pingouin" not in _lock("floors.lock")


def _plugin():
    spec = importlib.util.spec_from_file_location("floors_plugin", LOCKS / "floors_plugin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _excinfo(exc: BaseException) -> pytest.ExceptionInfo:
    try:
        raise exc
    except BaseException as raised:  # noqa: BLE001 - building the object pytest would see
        return pytest.ExceptionInfo.from_exception(raised)


def test_plugin_skips_only_a_missing_dev_oracle():
    missing = _plugin()._missing_oracle
    assert missing(_excinfo(ModuleNotFoundError("No module", name="pingouin"))) == "pingouin"
    assert missing(_excinfo(ModuleNotFoundError("x", name="pyprocessmacro.process"))) == \
        "pyprocessmacro"
    assert missing(_excinfo(ModuleNotFoundError("x", name="scipy"))) is None
    assert missing(_excinfo(ImportError("cannot import name 'x' from 'pingouin'"))) is None
    assert missing(_excinfo(AssertionError("pingouin"))) is None
    assert missing(None) is None
