"""Model-table registries: published tables of model coefficients, read as printed strings.

Some papers publish their models as exported tables (one row per fixed effect with estimate, SE,
t, df, p, adjusted p). Such a table *is* the published record, so the registry
(``claims/tables/NAME.toml``) does not copy its numbers: it names the shipped files, says how
each model was specified, and marks every fact as ``printed``, ``described`` (by the source's
notes) or ``inferred`` (by this package). The printed cells are read as strings and never
converted before comparison, so their precision is known.

A computed value reproduces a printed cell when both round to the same value at the column's
printed precision (:func:`cell_holds`; rounding half away from zero,
:mod:`alliance_analysis.rounding`). ``<0.001`` holds when p rounds to 0 at 3 decimals (the
source's rule), and a star code holds when the computed p gives the same stars.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import shipped_data, shipped_toml
from ..errors import InputError
from ..rounding import parse_printed, round_half_away

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

TABLES_DIR = Path(__file__).with_name("tables")
#: printed columns compared numerically, in the order they are reported
NUMERIC_COLUMNS = ("estimate", "SE", "t", "df", "p", "adj_p")
STAR_COLUMNS = {"sig": "p", "adj_sig": "adj_p"}
DESIGNS = {"within_arm": "score ~ tp * {term}", "between_arms": "score ~ tp * trt * {term}"}
STATUSES = ("printed", "described", "inferred")


@dataclass(frozen=True)
class ColumnRule:
    name: str
    decimals: int
    status: str
    basis: str


@dataclass(frozen=True)
class TableSpec:
    """One published table: its file, the model design, the covariate and its printed term."""

    id: str
    file: str
    design: str
    covariate: str
    term: str
    description: str

    @property
    def formula(self) -> str:
        return DESIGNS[self.design].format(term=self.term)


@dataclass(frozen=True)
class TableRegistry:
    id: str
    path: Path
    paper: dict[str, Any]
    columns: dict[str, ColumnRule]
    model: dict[str, Any]
    scales: dict[str, str]
    #: the tables' arm codes -> arm names in the data
    arms: dict[str, str]
    tables: tuple[TableSpec, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def stars(self) -> tuple[tuple[float, str], ...]:
        return tuple((float(a), str(s)) for a, s in self.model.get("stars", ()))

    def printed(self, table: TableSpec) -> pd.DataFrame:
        """The published table as strings, exactly as in the file (no NA conversion)."""
        import pandas as pd

        path = shipped_data(table.file)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in ("scale", "component", *NUMERIC_COLUMNS) if c not in frame.columns]
        if table.design == "within_arm" and "trt" not in frame.columns:
            missing.append("trt")
        if missing:
            raise InputError(f"published table lacks column(s) {missing}", file=path.name,
                             hint="The model-table registry expects the authors' exported columns")
        return frame


def _require(data: dict, key: str, where: str, path: Path) -> Any:
    if key not in data:
        raise InputError(f"{where}: missing key '{key}'", file=path.name)
    return data[key]


def load_table_registry(name: str | Path) -> TableRegistry:
    """Load and validate ``claims/tables/NAME.toml`` (or a path to such a file)."""
    path = shipped_toml(name, TABLES_DIR, "model-table registry")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    paper = _require(data, "paper", "registry", path)
    columns = {}
    for col, rule in _require(data, "columns", "registry", path).items():
        if rule.get("status") not in STATUSES:
            raise InputError(f"column {col}: status must be one of {STATUSES}", file=path.name)
        columns[col] = ColumnRule(col, int(rule["decimals"]), rule["status"], rule.get("basis", ""))
    unknown = sorted(set(NUMERIC_COLUMNS) - set(columns))
    if unknown:
        raise InputError(f"columns {unknown} have no printed precision", file=path.name)
    model = _require(data, "model", "registry", path)
    if model.get("status") not in STATUSES:
        raise InputError(f"[model] status must be one of {STATUSES}", file=path.name)
    tables = []
    for i, t in enumerate(_require(data, "tables", "registry", path)):
        where = f"[[tables]] #{i + 1}"
        spec = TableSpec(**{k: str(_require(t, k, where, path)) for k in
                            ("id", "file", "design", "covariate", "term", "description")})
        if spec.design not in DESIGNS:
            raise InputError(f"{where}: design must be one of {sorted(DESIGNS)}", file=path.name)
        tables.append(spec)
    return TableRegistry(id=str(paper["id"]), path=path, paper=dict(paper), columns=columns,
                         model=dict(model), scales=dict(_require(data, "scales", "registry", path)),
                         arms=dict(_require(data, "arms", "registry", path)),
                         tables=tuple(tables), notes=tuple(model.get("notes", ())))


def stars_for(p: float, stars: tuple[tuple[float, str], ...]) -> str:
    """Star code of ``p`` (``***`` p < .001 …, ``""`` when no threshold is met)."""
    if p is None or not math.isfinite(p):
        return ""
    for alpha, code in sorted(stars):
        if p < alpha:
            return code
    return ""


def cell_holds(value: float, printed: str, decimals: int) -> bool:
    """Whether ``value`` gives the printed cell at the column's precision.

    ``<X`` (e.g. ``<0.001``) holds when ``value`` rounds to 0 at ``decimals`` (the source prints
    ``<0.001`` for a p that rounds to 0.000); otherwise both ``value`` and the printed number are
    rounded half away from zero to ``decimals`` and must be equal.
    """
    if value is None or not math.isfinite(value):
        return False
    text = printed.strip()
    if text.startswith("<"):
        return round_half_away(value, decimals) == 0.0
    return round_half_away(value, decimals) == round_half_away(parse_printed(text), decimals)
