"""The top-level API: every name in ``alliance_analysis.__all__`` resolves (lazily), is the
documented sub-module function, is callable, has a docstring and type hints on every parameter
and on its return value."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import subprocess
import sys

import pytest

import alliance_analysis as aa

NOT_FUNCTIONS = {"__version__", "AllianceAnalysisError", "InputError"}
FUNCTIONS = sorted(set(aa.__all__) - NOT_FUNCTIONS)

# the list (issue 15) plus the two reserved names: the surface must not shrink silently
REQUIRED = {"paired_ttest", "correlate", "correlation_matrix", "regress", "mediate",
            "mixed_model", "power_r", "check", "load", "meta_analysis", "reliability"}

# where each name comes from (written out here, independently of the package's own table)
SOURCE = {
    "paired_ttest": ("alliance_analysis.stats", "paired_ttest"),
    "correlate": ("alliance_analysis.stats", "correlate"),
    "correlation_matrix": ("alliance_analysis.stats", "correlation_matrix"),
    "regress": ("alliance_analysis.stats", "regress"),
    "mediate": ("alliance_analysis.stats", "mediate"),
    "mixed_model": ("alliance_analysis.stats", "mixed_model"),
    "power_r": ("alliance_analysis.power", "power_r"),
    "check": ("alliance_analysis.audit", "check_text"),
    "load": ("alliance_analysis.io", "load_table"),
    "meta_analysis": ("alliance_analysis.meta", "meta_analysis"),
    "reliability": ("alliance_analysis.stats.reliability", "reliability"),
}


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _resolve(name: str):
    module, _ = SOURCE[name]
    if not _module_exists(module):
        pytest.skip(f"{module} does not exist yet (aa.{name} is reserved for it)")
    return getattr(aa, name)


def test_all_lists_the_required_names_once():
    assert REQUIRED <= set(aa.__all__)
    assert len(aa.__all__) == len(set(aa.__all__))
    assert set(FUNCTIONS) == set(SOURCE), "a new top-level name needs its source written here"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_name_resolves_to_the_documented_function(name):
    obj = _resolve(name)
    module, attribute = SOURCE[name]
    assert obj is getattr(importlib.import_module(module), attribute)
    assert name in dir(aa)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_is_callable_documented_and_typed(name):
    obj = _resolve(name)
    assert callable(obj)
    doc = inspect.getdoc(obj)
    assert doc and len(doc.split()) >= 5, f"aa.{name} needs a docstring"
    sig = inspect.signature(obj)
    untyped = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not untyped, f"aa.{name}: parameters without type hints: {untyped}"
    assert sig.return_annotation is not inspect.Signature.empty, f"aa.{name}: no return type"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        aa.not_a_function  # noqa: B018
    assert not hasattr(aa, "paired_t_test")


def test_a_missing_module_is_an_attribute_error_not_an_import_error():
    # hasattr() must answer (False) for a reserved name whose module is not installed yet
    for name in ("meta_analysis", "reliability", "meta"):
        module = SOURCE.get(name, ("alliance_analysis.meta", ""))[0]
        if not _module_exists(module):
            assert not hasattr(aa, name)


def test_subpackages_are_attributes():
    assert aa.stats is importlib.import_module("alliance_analysis.stats")
    assert aa.power.mde_r is importlib.import_module("alliance_analysis.power").mde_r


def test_top_level_function_works_and_stays_lazy_until_used():
    code = ("import sys, alliance_analysis as aa\n"
            "assert 'alliance_analysis.audit' not in sys.modules\n"
            "report = aa.check('t(28) = 2.20, p = .036')\n"
            "assert 'alliance_analysis.audit' in sys.modules\n"
            "print(len(report))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_power_r_is_the_power_of_the_test_of_rho_zero():
    # at rho = 0 the power is the type I error rate: alpha exactly (two-sided, exact method)
    assert aa.power_r(0.0, 30).power == pytest.approx(0.05, abs=1e-9)
