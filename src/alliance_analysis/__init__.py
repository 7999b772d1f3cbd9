"""alliance_analysis: reproducible statistics on the therapeutic alliance in psychedelic trials.

Three uses: reproduce published alliance statistics claim by claim, audit printed numbers for
internal consistency, and analyse a trial's own data with the same code.

The main functions are at the top level::

    import alliance_analysis as aa

    aa.paired_ttest(pre, post)          # paired t-test and the paired d family
    aa.correlate(x, y)                  # Pearson / Spearman r with its CI
    aa.correlation_matrix(frame)        # every pair at once (vectorised)
    aa.regress(frame, "y", ["x", "z"])  # OLS with standardized coefficients
    aa.mediate(frame, x="x", m="m", y="y")
    aa.mixed_model(...)                 # linear mixed model, Satterthwaite df
    aa.power_r(0.3, 40)                 # power of the test of rho = 0 (exact distribution of r)
    aa.check("r(18) = -.65, p = .002")  # consistency audit of printed results
    aa.load("trial.csv", "mapping.toml")

Each top-level name is the sub-module's own function, not a copy: ``aa.check`` is
:func:`alliance_analysis.audit.check_text`, ``aa.load`` is
:func:`alliance_analysis.io.load_table`, ``aa.power_r`` is
:func:`alliance_analysis.power.power_r` (the minimum detectable r is
:func:`alliance_analysis.power.mde_r`), ``aa.meta_analysis`` is
:func:`alliance_analysis.meta.meta_analysis` and ``aa.reliability`` is
:func:`alliance_analysis.stats.reliability.reliability`. The sub-packages (``aa.stats``,
``aa.power``, ``aa.audit``, ``aa.io``, ...) are reachable as attributes as well.

Importing the package is deliberately light: every name above is resolved on first use (a
module ``__getattr__``, PEP 562), so ``import alliance_analysis`` loads neither numpy nor pandas;
scipy.stats, statsmodels and matplotlib are imported only inside the functions that need them (a
test checks this through ``sys.modules`` in a fresh interpreter).
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from .errors import AllianceAnalysisError, InputError

# top-level name -> (module, attribute); resolved on first access and then cached in globals()
_LAZY: dict[str, tuple[str, str]] = {
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

_SUBPACKAGES = frozenset({
    "analyze", "apa", "audit", "claims", "cli", "commands", "errors", "instruments", "io", "meta",
    "power", "report", "reproduce", "results", "rounding", "stats", "synthetic",
})

__all__ = ["__version__", "AllianceAnalysisError", "InputError", *_LAZY]


def __getattr__(name: str) -> Any:
    """Resolve a top-level function or a sub-package on first access (PEP 562)."""
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        value = getattr(_import(module_name, name), attribute)
    elif name in _SUBPACKAGES:
        value = _import(f"{__name__}.{name}", name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def _import(module_name: str, name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # a dependency of the module is missing: say which
            raise
        raise AttributeError(f"alliance_analysis.{name} needs {module_name}, which this "
                             "installation does not contain") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBPACKAGES)
