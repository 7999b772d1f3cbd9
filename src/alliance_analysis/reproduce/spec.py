"""Reproduction specs (``specs/NAME.toml``): which registries, default data, labels, layout.

A spec holds no published number; it says which registries to check and how to present them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import shipped_toml
from ..errors import InputError

SPEC_DIR = Path(__file__).with_name("specs")
_KEYS = {"id", "title", "registries", "data", "mapping", "synthetic_notice", "labels", "paired",
         "correlations", "trajectory", "regressions", "paths", "mediation"}


@dataclass(frozen=True)
class ReproductionSpec:
    id: str
    title: str
    registries: tuple[str, ...]
    data: str
    mapping: str
    synthetic_notice: str
    labels: dict[str, str] = field(default_factory=dict)
    paired: dict[str, Any] = field(default_factory=dict)
    correlations: dict[str, Any] = field(default_factory=dict)
    trajectory: dict[str, Any] = field(default_factory=dict)
    regressions: tuple[dict[str, Any], ...] = ()
    paths: tuple[dict[str, Any], ...] = ()
    #: bootstrap settings for the indirect effects of path claims (n_boot, seed, ci)
    mediation: dict[str, Any] = field(default_factory=dict)

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


def available_specs() -> list[str]:
    return sorted(p.stem for p in SPEC_DIR.glob("*.toml"))


def load_spec(name: str) -> ReproductionSpec:
    path = shipped_toml(name, SPEC_DIR, "reproduction")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {unknown}", file=str(path), hint=f"Valid: {', '.join(sorted(_KEYS))}")
    data["registries"] = tuple(data["registries"])
    data["regressions"] = tuple(data.get("regressions", ()))
    data["paths"] = tuple(data.get("paths", ()))
    return ReproductionSpec(**data)
