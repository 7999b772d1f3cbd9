"""Claims registries: what papers printed, as data.

One TOML file per paper under ``claims/registry/``. A published value is never written in code or
in a test's expected value: code computes (:mod:`alliance_analysis.reproduce`), this package
holds the printed strings and decides whether a computed value reproduces them at the printed
precision (:func:`check_claim_value`).
"""

from .compare import check_claim_value, p_holds
from .model import ANALYSES, Claim, Registry, load_registries, load_registry, registry_path

__all__ = [
    "ANALYSES",
    "Claim",
    "Registry",
    "check_claim_value",
    "load_registries",
    "load_registry",
    "p_holds",
    "registry_path",
]
