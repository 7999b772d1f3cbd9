"""pytest plugin for the floors session (``make test-floors``): a test that needs a dev-only oracle
which cannot be installed at the declared minimum versions (pingouin 0.7 needs numpy >= 2.2 and
pandas >= 2.3; pyprocessmacro) is reported as SKIPPED with that reason instead of failing.

Only a ``ModuleNotFoundError`` naming one of ``ORACLES`` is turned into a skip; any other error,
including an ImportError inside the package itself, still fails. The skips are listed in the
summary (``-rs``), so the session says how many tests did not run at the floors and why.

``LOCK_ONLY`` tests compare a regenerated committed file byte for byte with the copy made by the
lock's versions, so they hold at those versions only: the synthetic datasets' README and
manifest record the numpy version that generated them (their data files do regenerate
identically at the floors), and the example .xlsx bytes depend on the openpyxl writer (reading
works at the floor). They are skipped with that reason; a listed test that no longer exists is an error (the list cannot rot).
"""

from __future__ import annotations

import pytest

ORACLES = frozenset({"pingouin", "pyprocessmacro"})
LOCK_ONLY = {
    "tests/test_reproduce_zeifman_murphy.py::test_regeneration_is_byte_identical":
        "the README it regenerates records the lock's numpy version",
    "tests/test_synthetic_davis2024.py::test_regeneration_is_byte_identical":
        "the manifest and README it regenerates record the lock's numpy version",
    "tests/test_io_participant_ids.py::test_generator_reproduces_the_example_files_byte_for_byte":
        "the .xlsx bytes depend on the lock's openpyxl writer",
}


def pytest_configure(config):
    for nodeid in LOCK_ONLY:
        path, name = nodeid.split("::")
        source = config.rootpath / path
        if not source.is_file() or f"def {name}(" not in source.read_text(encoding="utf-8"):
            raise pytest.UsageError(f"floors_plugin.LOCK_ONLY names a missing test: {nodeid}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        base = item.nodeid.split("[", 1)[0]
        if base in LOCK_ONLY:
            item.add_marker(pytest.mark.skip(reason=f"lock versions only: {LOCK_ONLY[base]}"))


def _missing_oracle(excinfo) -> str | None:
    if excinfo is None or not excinfo.errisinstance(ModuleNotFoundError):
        return None
    name = (excinfo.value.name or "").split(".")[0]
    return name if name in ORACLES else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    name = _missing_oracle(call.excinfo)
    if name is not None and report.failed:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0,
                           f"Skipped: dev-only oracle {name} is not installed at the floors")
