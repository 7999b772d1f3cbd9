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
_KEYS = {"id", "kind", "title", "registries", "data", "mapping", "synthetic_notice", "data_notice",
         "labels", "paired", "correlations", "trajectory", "regressions", "paths", "mediation",
         "sections", "alliance"}
#: "claims": claims registries on a wide table (synthetic data by default);
#: "model_tables": a model-table registry fitted on the shipped real data (claims/tables)
KINDS = ("claims", "model_tables")


@dataclass(frozen=True)
class ReproductionSpec:
    id: str
    title: str
    registries: tuple[str, ...]
    data: str
    mapping: str
    synthetic_notice: str = ""
    #: notice of the default data when they are real (kind "model_tables")
    data_notice: str = ""
    kind: str = "claims"
    labels: dict[str, str] = field(default_factory=dict)
    paired: dict[str, Any] = field(default_factory=dict)
    correlations: dict[str, Any] = field(default_factory=dict)
    trajectory: dict[str, Any] = field(default_factory=dict)
    regressions: tuple[dict[str, Any], ...] = ()
    paths: tuple[dict[str, Any], ...] = ()
    #: bootstrap settings for the indirect effects of path claims (n_boot, seed, ci)
    mediation: dict[str, Any] = field(default_factory=dict)
    #: text sections of the report ({title, text})
    sections: tuple[dict[str, str], ...] = ()
    #: exploratory alliance analyses on real data: covariate, label, first, last, reference_arm
    alliance: dict[str, Any] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.kind == "claims"

    @property
    def notice(self) -> str:
        return self.synthetic_notice if self.synthetic else self.data_notice

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


def available_specs(kind: str | None = None) -> list[str]:
    """Names of the shipped reproductions (of one ``kind`` when given)."""
    names = sorted(p.stem for p in SPEC_DIR.glob("*.toml"))
    return names if kind is None else [n for n in names if load_spec(n).kind == kind]


def load_spec(name: str) -> ReproductionSpec:
    path = shipped_toml(name, SPEC_DIR, "reproduction")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {unknown}", file=str(path), hint=f"Valid: {', '.join(sorted(_KEYS))}")
    if data.get("kind", "claims") not in KINDS:
        raise InputError(f"kind must be one of {KINDS}", file=str(path))
    if not (data.get("synthetic_notice") or data.get("data_notice")):
        raise InputError("a reproduction spec needs the data notice of its default data", file=str(path))
    data["registries"] = tuple(data["registries"])
    data["sections"] = tuple(data.get("sections", ()))
    data["regressions"] = tuple(data.get("regressions", ()))
    data["paths"] = tuple(data.get("paths", ()))
    return ReproductionSpec(**data)
