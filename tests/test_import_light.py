"""`import alliance_analysis` must not pull in the heavy libraries (a fact, not a timing)."""

import json
import subprocess
import sys

HEAVY = ("scipy.stats", "statsmodels", "matplotlib", "pandas", "scipy", "numpy")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_package_is_light():
    loaded = _modules_after("import alliance_analysis")
    assert not [m for m in HEAVY if m in loaded]


def test_top_level_names_stay_lazy():
    # listing the API (dir, __all__, the version) must not resolve it: every function of
    # alliance_analysis.__all__ is imported on first use only (module __getattr__)
    loaded = _modules_after("import alliance_analysis as aa\nnames = dir(aa), aa.__all__, "
                            "aa.__version__, aa.InputError")
    assert not [m for m in HEAVY if m in loaded]
    assert not [m for m in loaded if m.startswith(("alliance_analysis.stats",
                                                   "alliance_analysis.io",
                                                   "alliance_analysis.audit",
                                                   "alliance_analysis.power"))]


def test_cli_help_is_light():
    loaded = _modules_after(
        "import contextlib, io\nfrom alliance_analysis import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])"
    )
    assert not [m for m in ("scipy.stats", "statsmodels", "matplotlib") if m in loaded]
