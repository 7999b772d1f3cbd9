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
SECTIONS = ("layout", "columns", "covariates", "instruments", "timepoints", "arms", "missing",
            "peaks")
LAYOUT_KEYS = ("kind", "sheet", "delimiter", "ignore_columns")
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

    def column(self, canonical: str) -> str:
        """Normalised name of the user's column for ``canonical`` (default: the canonical name)."""
        return norm(self.columns.get(canonical, canonical))


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
    for key, value in _table(source, "covariates", data.get("covariates", {}), None).items():
        if not isinstance(value, str) or not value.strip():
            raise _err(source, f"[covariates] {key} must be the name of a column in your file",
                       value=value)
        if not _TOKEN.match(str(key)) or "." in str(key):
            raise _err(source, "[covariates] names must be letters, digits, '_' or '-'",
                       value=key)
        covariates[str(key)] = norm(value)

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

    timepoints = _labels(source, "timepoints", data.get("timepoints", {}))
    order: list[str] = []
    for canonical in timepoints.values():
        if canonical not in order:
            order.append(canonical)
        if not _TOKEN.match(canonical):
            raise _err(source, f"[timepoints] canonical timepoint '{canonical}' must be letters, "
                       "digits, '_' or '-' (it becomes part of names like wai_sr.total.<timepoint>)",
                       value=canonical)
    arms = _labels(source, "arms", data.get("arms", {}), lower_keys=False)

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

    return LoadMapping(
        source=source, kind=kind, sheet=sheet, delimiter=delimiter, timepoint_order=tuple(order),
        columns=MappingProxyType(columns), covariates=MappingProxyType(covariates),
        instruments=MappingProxyType(instruments), timepoints=MappingProxyType(timepoints),
        arms=MappingProxyType(arms), missing_codes=codes,
        ignore_columns=frozenset(norm(c) for c in ignore), peaks=tuple(peaks),
        participant_id_pattern=id_pattern,
    )


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
