"""The loader's mapping file (TOML): the user's names → the package's canonical names.

See ``docs/loader.md`` for the format. Every section and key is checked: an unknown section or key
is refused with the list of valid ones, so a typo never passes silently. Names are compared with
:func:`norm` (trimmed, lower-cased) everywhere.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping as AbcMapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .._files import read_user_toml
from ..errors import InputError

#: Built-in column prefixes used when the mapping has no ``[instruments]`` table; every
#: instrument id is also accepted as its own prefix (``wai_sr_prep_1``).
DEFAULT_ALIASES: AbcMapping[str, str] = MappingProxyType({
    "wai": "wai_sr",
    "waisr": "wai_sr",
    "wais": "wai_s",
    "wai36": "wai_36",
    "star": "star_p",
    "starp": "star_p",
    "meq": "meq30",
    "hamd": "grid_hamd_17",
    "gridhamd": "grid_hamd_17",
    "caps4": "caps_iv",
    "capsiv": "caps_iv",
    "caps5": "caps_5",
    "iesr": "ies_r",
    "qids": "qids_sr16",
})

#: Missing-value codes used when the mapping has no ``[missing]`` table (an empty cell is always
#: missing). Text codes are matched ignoring case and surrounding spaces.
DEFAULT_MISSING_CODES: tuple[Any, ...] = ("", "NA", "N/A", ".")

LAYOUTS = ("wide", "long")
SECTIONS = ("layout", "columns", "covariates", "instruments", "scores", "timepoints", "arms",
            "missing", "peaks", "dataset", "ranges")
LAYOUT_KEYS = ("kind", "sheet", "delimiter", "ignore_columns", "ignore_instruments",
               "ignore_other_instruments", "timepoint_order")
#: Keys of a ``[scores.<label>]`` table (a pre-scored total declared without items).
SCORE_KEYS = ("name", "min", "max", "direction", "role")
#: Keys of a ``[covariates]`` entry written as a table.
COVARIATE_KEYS = ("column", "type", "name", "min", "max", "direction", "role")
DIRECTIONS = ("higher_worse", "higher_better")
ROLES = ("outcome", "alliance", "experience", "other")
COVARIATE_TYPES = ("number", "text")
#: Keys of ``[dataset]``: where the data come from (the notice of every output says it).
DATASET_KEYS = ("provenance", "name", "citation", "licence", "note")
PROVENANCES = ("real_public", "synthetic", "user")
DELIMITERS = (",", ";", "\t", "|")
WIDE_COLUMNS = ("participant_id", "arm")
LONG_COLUMNS = ("participant_id", "arm", "timepoint", "instrument", "item", "scale", "value")
#: Keys of ``[columns]`` that are settings about a column rather than column names.
COLUMN_OPTIONS = ("participant_id_pattern",)
MISSING_KEYS = ("codes",)
PEAK_KEYS = ("from", "name")

_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


def norm(name: object) -> str:
    """How names are compared everywhere in the loader: ``str``, trimmed, lower-cased."""
    return str(name).strip().lower()


@dataclasses.dataclass(frozen=True)
class Peak:
    """A derived timepoint ``name``: per participant and scale, the maximum over ``sources``."""

    instrument: str
    sources: tuple[str, ...]
    name: str = "peak"


@dataclasses.dataclass(frozen=True)
class DeclaredScore:
    """A pre-scored total declared in ``[scores.<label>]``: no items, no scoring, only a name, a
    range (values outside it are refused) and the direction of the scale."""

    id: str
    name: str
    min: float
    max: float
    direction: str = "higher_worse"
    role: str = "outcome"

    def instrument(self) -> Any:
        """An :class:`~alliance_analysis.instruments.model.Instrument` with one precomputed
        scale ``total`` of range [min, max] (what the loader validates against)."""
        from ..instruments.model import Instrument, ScaleSpec

        spec = ScaleSpec(name="total", label=self.name, rule="precomputed",
                         range=(self.min, self.max), precomputed=True, status="convention",
                         note="declared in the mapping ([scores])")
        return Instrument(
            id=self.id, name=self.name, abbreviation=self.name, n_items=0, item_ids=(),
            item_min=(), item_max=(), integer_items=False, reverse_items=(),
            accepts_items=False, scales=("total",), precomputed_scales=("total",), citation="",
            status_notes=(), reason="declared in the mapping as a pre-scored total (no items)",
            scale_specs=(spec,))


@dataclasses.dataclass(frozen=True)
class CovariateSpec:
    """A per-participant column (``[covariates]``): numeric or text, optional range/role."""

    name: str
    column: str
    type: str = "number"
    label: str = ""
    min: float | None = None
    max: float | None = None
    direction: str | None = None
    role: str = "other"


@dataclasses.dataclass(frozen=True)
class LoadMapping:
    """A parsed, validated mapping (build it with :func:`parse_mapping`).

    ``columns``: canonical → user column name as written in the mapping (only those given);
    ``covariates``: canonical → normalised user column; ``instruments``: normalised prefix (or
    long-layout label) → instrument id (defaults when no table); ``timepoints``: normalised label →
    canonical timepoint (empty = no table, labels used as they are); ``arms``: value in the file →
    canonical arm (empty = no table); ``ignore_columns``: normalised names;
    ``participant_id_pattern``: regular expression every (trimmed) participant id must match in
    full (``[columns] participant_id_pattern``; None = no check).
    """

    source: str = "<default mapping>"
    kind: str | None = None
    sheet: str | int | None = None
    delimiter: str | None = None
    columns: AbcMapping[str, str] = dataclasses.field(default_factory=dict)
    covariates: AbcMapping[str, str] = dataclasses.field(default_factory=dict)
    instruments: AbcMapping[str, str] = dataclasses.field(default_factory=dict)
    timepoints: AbcMapping[str, str] = dataclasses.field(default_factory=dict)
    arms: AbcMapping[str, str] = dataclasses.field(default_factory=dict)
    missing_codes: tuple[Any, ...] = DEFAULT_MISSING_CODES
    ignore_columns: frozenset[str] = frozenset()
    peaks: tuple[Peak, ...] = ()
    timepoint_order: tuple[str, ...] = ()
    participant_id_pattern: str | None = None
    scores: AbcMapping[str, DeclaredScore] = dataclasses.field(default_factory=dict)
    covariate_specs: AbcMapping[str, CovariateSpec] = dataclasses.field(default_factory=dict)
    ignore_instruments: frozenset[str] = frozenset()
    ignore_other_instruments: bool = False
    timepoint_order_declared: bool = False
    dataset: AbcMapping[str, str] = dataclasses.field(default_factory=dict)
    ranges: AbcMapping[tuple[str, str], tuple[float, float]] = dataclasses.field(
        default_factory=dict)

    def scale_range(self, instrument_id: str, scale: str) -> tuple[float, float] | None:
        """The valid range of a precomputed scale: the package's (or a [scores] total's), else
        the one declared in ``[ranges]``, else None (unknown)."""
        known = self.instrument(instrument_id).scale_range(scale)
        return known if known is not None else self.ranges.get((instrument_id, scale))

    def column(self, canonical: str) -> str:
        """Normalised name of the user's column for ``canonical`` (default: the canonical name)."""
        return norm(self.columns.get(canonical, canonical))

    def instrument(self, instrument_id: str) -> Any:
        """The instrument ``instrument_id``: a total declared in ``[scores]`` first, else the
        package's registry (:func:`~alliance_analysis.instruments.get_instrument`)."""
        from ..instruments import get_instrument

        key = norm(instrument_id)
        if key in self.scores:
            return self.scores[key].instrument()
        return get_instrument(instrument_id)


def _err(source: str, what: str, hint: str | None = None, value: object = None) -> InputError:
    return InputError(what, file=source, value=value, hint=hint)


def _table(source: str, section: str, table: object, valid: tuple[str, ...] | None) -> dict:
    if not isinstance(table, dict):
        raise _err(source, f"[{section}] must be a table")
    if valid is not None:
        unknown = [k for k in table if k not in valid]
        if unknown:
            raise _err(source, f"unknown key '{unknown[0]}' in [{section}]",
                       hint=f"Valid keys in [{section}]: {', '.join(valid)} (check the spelling)")
    return table


def _labels(source: str, section: str, table: object, lower_keys: bool = True) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _table(source, section, table, None).items():
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise _err(source, f"[{section}] '{key}' must map to a non-empty text value",
                       value=value)
        k = norm(key) if lower_keys else str(key).strip()
        if k in out or (not lower_keys and norm(k) in {norm(x) for x in out}):
            raise _err(source, f"[{section}] has two entries for '{key}' (compared ignoring case "
                       "and surrounding spaces)", hint="Keep one of them")
        out[k] = str(value).strip()
    return out


def _read_toml(path: Path) -> dict:
    return read_user_toml(path, "mapping", "--mapping", "docs/loader.md")


def parse_mapping(mapping: Any = None, source: str | None = None) -> LoadMapping:
    """A validated :class:`LoadMapping` from a TOML path, a parsed dict, a LoadMapping or None.

    Raises :class:`InputError` naming the mapping for unknown sections or keys (with the valid
    ones), a bad layout kind, unknown instrument ids, malformed tables, missing codes or peaks.
    """
    from ..instruments import get_instrument, list_instruments

    if isinstance(mapping, LoadMapping):
        return mapping
    if mapping is None:
        data: Any = {}
        source = source or "<default mapping>"
    elif isinstance(mapping, str | Path):
        data = _read_toml(Path(mapping))
        source = source or str(mapping)
    else:
        data = mapping
        source = source or "<mapping>"
    if not isinstance(data, AbcMapping):
        raise _err(source, "a mapping must be a TOML table / dict of sections",
                   value=type(data).__name__)
    unknown = [k for k in data if k not in SECTIONS]
    if unknown:
        raise _err(source, f"unknown section [{unknown[0]}]",
                   hint=f"Valid sections: {', '.join(f'[{s}]' for s in SECTIONS)} "
                   "(see docs/loader.md)")

    layout = _table(source, "layout", data.get("layout", {}), LAYOUT_KEYS)
    kind = layout.get("kind")
    if kind is not None and kind not in LAYOUTS:
        raise _err(source, "[layout] kind must be \"wide\" or \"long\"", value=kind)
    sheet = layout.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        raise _err(source, "[layout] sheet must be a sheet name or a 0-based sheet number",
                   value=sheet)
    delimiter = layout.get("delimiter")
    if delimiter is not None and delimiter not in DELIMITERS:
        raise _err(source, "[layout] delimiter must be one of "
                   + ", ".join(repr(d) for d in DELIMITERS), value=delimiter)
    ignore = layout.get("ignore_columns", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise _err(source, "[layout] ignore_columns must be a list of column names", value=ignore)

    ignore_inst = layout.get("ignore_instruments", [])
    if not isinstance(ignore_inst, list) or not all(isinstance(c, str) for c in ignore_inst):
        raise _err(source, "[layout] ignore_instruments must be a list of instrument labels as "
                   "they appear in the file", value=ignore_inst)
    ignore_other = layout.get("ignore_other_instruments", False)
    if not isinstance(ignore_other, bool):
        raise _err(source, "[layout] ignore_other_instruments must be true or false",
                   value=ignore_other)
    tp_declared = layout.get("timepoint_order")
    if tp_declared is not None and (not isinstance(tp_declared, list) or not tp_declared or not all(
            isinstance(t, str) and _TOKEN.match(t) for t in tp_declared)
            or len(set(tp_declared)) != len(tp_declared)):
        raise _err(source, "[layout] timepoint_order must be a non-empty list of distinct "
                   "timepoint names (letters, digits, '_' or '-'), earliest first",
                   value=tp_declared, hint='e.g. timepoint_order = ["wk0", "wk2", "wk6"]')

    valid_cols = (WIDE_COLUMNS if kind == "wide" else LONG_COLUMNS) + COLUMN_OPTIONS
    columns = {}
    id_pattern = None
    for key, value in _table(source, "columns", data.get("columns", {}), valid_cols).items():
        if key == "participant_id_pattern":
            id_pattern = _id_pattern(source, value)
            continue
        if not isinstance(value, str) or not value.strip():
            raise _err(source, f"[columns] {key} must be the name of a column in your file",
                       value=value)
        columns[key] = value.strip()
    covariates = {}
    cov_specs: dict[str, CovariateSpec] = {}
    for key, value in _table(source, "covariates", data.get("covariates", {}), None).items():
        if not _TOKEN.match(str(key)) or "." in str(key):
            raise _err(source, "[covariates] names must be letters, digits, '_' or '-'",
                       value=key)
        spec = _covariate(source, str(key), value)
        covariates[str(key)] = norm(spec.column)
        cov_specs[str(key)] = spec

    scores: dict[str, DeclaredScore] = {}
    for key, spec in _table(source, "scores", data.get("scores", {}), None).items():
        scores[norm(key)] = _declared_score(source, str(key), spec)

    if "instruments" in data:
        instruments: dict[str, str] = {}
        for prefix, inst_id in _labels(source, "instruments", data["instruments"]).items():
            if not prefix or "." in prefix:
                raise _err(source, "[instruments] prefixes must be non-empty and contain no '.'",
                           value=prefix)
            try:
                instruments[prefix] = get_instrument(inst_id).id
            except InputError as exc:
                raise _err(source, f"[instruments] {prefix} = \"{inst_id}\": {exc.what}",
                           hint=exc.hint) from None
        for inst_id in list(instruments.values()):
            instruments.setdefault(inst_id, inst_id)  # the id itself is always a valid label
    else:
        instruments = {inst.id: inst.id for inst in list_instruments()}
        instruments.update(DEFAULT_ALIASES)
        for label in scores:  # a declared total takes precedence over a default alias
            instruments.pop(label, None)
    for label in scores:
        if label in instruments and instruments[label] != label:
            raise _err(source, f"'{label}' is both a declared total ([scores.{label}]) and an "
                       f"instrument prefix ([instruments] {label} = \"{instruments[label]}\")",
                       hint="Keep one of them")
        instruments[label] = label
    for label in ignore_inst:
        if norm(label) in scores:
            raise _err(source, f"'{label}' is declared in [scores] and listed in [layout] "
                       "ignore_instruments", hint="Keep one of them")

    timepoints = _labels(source, "timepoints", data.get("timepoints", {}))
    order: list[str] = []
    for canonical in timepoints.values():
        if canonical not in order:
            order.append(canonical)
        if not _TOKEN.match(canonical):
            raise _err(source, f"[timepoints] canonical timepoint '{canonical}' must be letters, "
                       "digits, '_' or '-' (it becomes part of names like wai_sr.total.<timepoint>)",
                       value=canonical)
    if tp_declared is not None:
        order = [str(t) for t in tp_declared]
    arms = _labels(source, "arms", data.get("arms", {}), lower_keys=False)
    dataset = _dataset(source, data.get("dataset", {}))

    missing = _table(source, "missing", data.get("missing", {}), MISSING_KEYS)
    codes: tuple[Any, ...] = DEFAULT_MISSING_CODES
    if "codes" in missing:
        raw = missing["codes"]
        if not isinstance(raw, list) or not all(
                isinstance(c, str | int | float) and not isinstance(c, bool) for c in raw):
            raise _err(source, "[missing] codes must be a list of numbers and/or strings",
                       value=raw)
        if any(isinstance(c, float) and not math.isfinite(c) for c in raw):
            raise _err(source, "[missing] codes must be finite numbers or strings", value=raw)
        codes = tuple(raw)

    peaks: list[Peak] = []
    for key, spec in _table(source, "peaks", data.get("peaks", {}), None).items():
        spec = _table(source, f"peaks.{key}", spec, PEAK_KEYS)
        try:
            inst_id = get_instrument(instruments.get(norm(key), norm(key))).id
        except InputError as exc:
            raise _err(source, f"[peaks] {key}: {exc.what}", hint=exc.hint) from None
        sources = spec.get("from")
        if (not isinstance(sources, list) or not sources
                or not all(isinstance(s, str) and s.strip() for s in sources)):
            raise _err(source, f"[peaks] {key}: 'from' must be a non-empty list of timepoints",
                       value=sources)
        name = spec.get("name", "peak")
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise _err(source, f"[peaks] {key}: 'name' must be letters, digits, '_' or '-'",
                       value=name)
        peaks.append(Peak(inst_id, tuple(s.strip() for s in sources), name))

    ranges = _ranges(source, data.get("ranges", {}), instruments)

    return LoadMapping(
        source=source, kind=kind, sheet=sheet, delimiter=delimiter, timepoint_order=tuple(order),
        columns=MappingProxyType(columns), covariates=MappingProxyType(covariates),
        instruments=MappingProxyType(instruments), timepoints=MappingProxyType(timepoints),
        arms=MappingProxyType(arms), missing_codes=codes,
        ignore_columns=frozenset(norm(c) for c in ignore), peaks=tuple(peaks),
        participant_id_pattern=id_pattern, scores=MappingProxyType(scores),
        covariate_specs=MappingProxyType(cov_specs),
        ignore_instruments=frozenset(norm(c) for c in ignore_inst),
        ignore_other_instruments=ignore_other, timepoint_order_declared=tp_declared is not None,
        dataset=MappingProxyType(dataset), ranges=MappingProxyType(ranges),
    )


def _ranges(source: str, table: object, instruments: AbcMapping[str, str]
            ) -> dict[tuple[str, str], tuple[float, float]]:
    """``[ranges]``: ``"<instrument>.<scale>" = [min, max]`` for a precomputed scale whose range
    the package does not know (e.g. ``"piq.total" = [0, 115]``); a known range cannot be
    overridden."""
    from ..instruments import get_instrument

    out: dict[tuple[str, str], tuple[float, float]] = {}
    for key, value in _table(source, "ranges", table, None).items():
        label, _, scale = norm(key).partition(".")
        where = f"[ranges] {key}"
        try:
            inst = get_instrument(instruments.get(label, label))
        except InputError as exc:
            raise _err(source, f"{where}: {exc.what}", hint="Write the key as "
                       "\"<instrument>.<scale>\", e.g. \"piq.total\"") from None
        if scale not in inst.precomputed_scales:
            raise _err(source, f"{where}: {inst.abbreviation} has no precomputed scale "
                       f"'{scale}'", hint=f"Scales: {', '.join(inst.precomputed_scales)}")
        if isinstance(value, dict):
            spec = _table(source, f"ranges.{key}", value, ("min", "max"))
            lo, hi = _range(source, where, spec, required=True)
        elif isinstance(value, list) and len(value) == 2:
            lo, hi = _range(source, where, {"min": value[0], "max": value[1]}, required=True)
        else:
            raise _err(source, f"{where} must be [min, max]", value=value,
                       hint='e.g. "piq.total" = [0, 115]')
        known = inst.scale_range(scale)
        if known is not None:
            raise _err(source, f"{where}: the package knows this range "
                       f"({_fmt(known[0])}-{_fmt(known[1])}); a declared range is only for "
                       "scales whose range is unknown", hint="Remove the entry")
        out[(inst.id, scale)] = (float(lo), float(hi))
    return out


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _number(source: str, where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _err(source, f"{where} must be a finite number", value=value)
    return float(value)


def _range(source: str, where: str, spec: dict, required: bool) -> tuple[float | None, ...]:
    lo = _number(source, f"{where} min", spec["min"]) if "min" in spec else None
    hi = _number(source, f"{where} max", spec["max"]) if "max" in spec else None
    if required and (lo is None or hi is None):
        raise _err(source, f"{where} needs min and max (the range of valid scores)",
                   hint="e.g. min = 0, max = 52")
    if lo is not None and hi is not None and not lo < hi:
        raise _err(source, f"{where}: min must be smaller than max", value=[lo, hi])
    return lo, hi


def _choice(source: str, where: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise _err(source, f"{where} must be one of {', '.join(choices)}", value=value)
    return value.strip().lower()


def _declared_score(source: str, key: str, spec: object) -> DeclaredScore:
    """``[scores.<label>]``: name, min, max (required), direction, role."""
    where = f"[scores.{key}]"
    label = norm(key)
    if not _TOKEN.match(label):
        raise _err(source, f"{where}: the label must be letters, digits, '_' or '-' (it is the "
                   "instrument name in the file and in the analysis columns)", value=key)
    from ..instruments import list_instruments

    if label in {inst.id for inst in list_instruments()}:
        raise _err(source, f"{where}: '{label}' is an instrument of the package",
                   hint="Map the file's label to it in [instruments] instead, or declare the "
                   "total under another label")
    spec = _table(source, f"scores.{key}", spec, SCORE_KEYS)
    lo, hi = _range(source, where, spec, required=True)
    name = spec.get("name", key)
    if not isinstance(name, str) or not name.strip():
        raise _err(source, f"{where} name must be a non-empty text", value=name)
    direction = _choice(source, f"{where} direction", spec.get("direction", "higher_worse"),
                        DIRECTIONS)
    role = _choice(source, f"{where} role", spec.get("role", "outcome"), ROLES)
    return DeclaredScore(id=label, name=name.strip(), min=lo, max=hi, direction=direction,
                         role=role)


def _covariate(source: str, key: str, value: object) -> CovariateSpec:
    """A ``[covariates]`` entry: a column name, or a table (column, type, name, min, max,
    direction, role)."""
    if isinstance(value, str):
        if not value.strip():
            raise _err(source, f"[covariates] {key} must be the name of a column in your file",
                       value=value)
        return CovariateSpec(name=key, column=value.strip())
    where = f"[covariates] {key}"
    spec = _table(source, f"covariates.{key}", value, COVARIATE_KEYS)
    column = spec.get("column", key)
    if not isinstance(column, str) or not column.strip():
        raise _err(source, f"{where} column must be the name of a column in your file",
                   value=column)
    kind = _choice(source, f"{where} type", spec.get("type", "number"), COVARIATE_TYPES)
    lo, hi = _range(source, where, spec, required=False)
    if kind == "text" and (lo is not None or hi is not None):
        raise _err(source, f"{where}: a text covariate has no min/max")
    label = spec.get("name", "")
    if not isinstance(label, str):
        raise _err(source, f"{where} name must be text", value=label)
    direction = (_choice(source, f"{where} direction", spec["direction"], DIRECTIONS)
                 if "direction" in spec else None)
    role = _choice(source, f"{where} role", spec.get("role", "other"), ROLES)
    if role != "other" and kind != "number":
        raise _err(source, f"{where}: only a numeric covariate can have role '{role}'")
    return CovariateSpec(name=key, column=column.strip(), type=kind, label=label.strip(),
                         min=lo, max=hi, direction=direction, role=role)


def _dataset(source: str, table: object) -> dict[str, str]:
    """``[dataset]``: provenance (real_public, synthetic, user), name, citation, licence, note."""
    spec = _table(source, "dataset", table, DATASET_KEYS)
    out: dict[str, str] = {}
    for key, value in spec.items():
        if not isinstance(value, str) or not value.strip():
            raise _err(source, f"[dataset] {key} must be a non-empty text", value=value)
        out[key] = " ".join(value.split())
    if out:
        if "provenance" not in out:
            raise _err(source, "[dataset] needs provenance (real_public, synthetic or user)")
        out["provenance"] = _choice(source, "[dataset] provenance", out["provenance"],
                                    PROVENANCES)
        if out["provenance"] == "real_public" and not {"citation", "licence"} <= set(out):
            raise _err(source, "[dataset] real_public data need a citation and a licence")
    return out


def _id_pattern(source: str, value: object) -> str:
    """``[columns] participant_id_pattern``: a non-empty, valid regular expression."""
    hint = ("Write it as a TOML literal string, e.g. participant_id_pattern = '^P\\d{2}$' "
            "(it must match the whole id)")
    if not isinstance(value, str) or not value.strip():
        raise _err(source, "[columns] participant_id_pattern must be a non-empty regular "
                   "expression", value=value, hint=hint)
    try:
        re.compile(value)
    except re.error as exc:
        raise _err(source, f"[columns] participant_id_pattern is not a valid regular expression "
                   f"({exc})", value=value, hint=hint) from None
    return value
