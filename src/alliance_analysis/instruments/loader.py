"""Read and validate instrument definition files (TOML) into :class:`Instrument` objects.

Every definition is checked before use: unknown keys (typos), item numbers outside 1..k, subscales
that refer to unknown scales, declared ranges that disagree with the range implied by the items,
prorating over items with unequal ranges, partitions that do not cover every item once, source
codes that are not defined in the file, and precomputed-only instruments without a ``reason``.
Errors are :class:`DefinitionError` (an :class:`~alliance_analysis.errors.InputError`) naming
the file and the offending entry.

Format (see ``definitions/wai_sr.toml`` for a complete example)::

    id, name, abbreviation, reference, citation, scoring = "items" | "precomputed", reason, notes
    partition = ["task", "bond", "goal"]          # optional: these scales cover every item once
    [form]      items, response, status, sources  # administered form (documentation)
    [items]     count, min, max, integer, reverse, reversal, status, sources
    [[items.ranges]]  items, min, max, status, sources    # per-item ranges overriding min/max
    [missing]   rule, status, sources             # the missing-item rule in words
    [[scales]]  name, label, rule, items ("all" | [...]), scales, of, fraction, max_missing,
                range, precomputed, status, sources, note
    [outcomes.response]  threshold, status, sources, note
    [outcomes.remission] max_score, min_reduction, status, sources, note
    [[facts]]   fact, value, status, sources
    [sources]   CODE = "description"
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import InputError
from .model import (
    ITEM_RULES,
    RULES,
    STATUSES,
    Instrument,
    OutcomeRule,
    ScaleSpec,
    StatusNote,
)

REVERSAL_RULES = ("min_plus_max_minus_x",)

_TOP = {
    "id", "name", "abbreviation", "reference", "citation", "scoring", "reason", "notes",
    "partition", "form", "items", "missing", "scales", "outcomes", "facts", "sources",
}
_FORM = {"items", "response", "status", "sources"}
_ITEMS = {"count", "min", "max", "integer", "reverse", "reversal", "ranges", "status", "sources"}
_RANGE = {"items", "min", "max", "status", "sources"}
_MISSING = {"rule", "status", "sources"}
_SCALE = {
    "name", "label", "rule", "items", "scales", "of", "fraction", "max_missing", "range",
    "precomputed", "status", "sources", "note",
}
_FACT = {"fact", "value", "status", "sources"}
_OUTCOME_PARAMS = {"response": {"threshold"}, "remission": {"max_score", "min_reduction"}}


class DefinitionError(InputError):
    """An instrument definition file is malformed or internally inconsistent."""


def load_definition(path: str | Path) -> Instrument:
    """Parse and validate one definition file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"not valid TOML: {exc}", file=str(path)) from None
    return parse_definition(data, origin=str(path), expected_id=path.stem)


def parse_definition(
    data: dict[str, Any], origin: str = "<definition>", expected_id: str | None = None
) -> Instrument:
    """Validate an already-parsed definition (a dict as produced by :mod:`tomllib`)."""
    return _Parser(data, origin).build(expected_id)


class _Parser:
    def __init__(self, data: dict[str, Any], origin: str) -> None:
        self.data = data
        self.origin = origin
        self.used_sources: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ helpers
    def fail(self, where: str, what: str, hint: str | None = None) -> DefinitionError:
        return DefinitionError(f"{where}: {what}" if where else what, file=self.origin, hint=hint)

    def keys(self, table: Any, allowed: set[str], where: str) -> dict[str, Any]:
        if not isinstance(table, dict):
            raise self.fail(where, f"must be a table, got {type(table).__name__}")
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                where, f"unknown key(s) {unknown}", hint=f"Allowed: {', '.join(sorted(allowed))}"
            )
        return table

    def text(self, table: dict, key: str, where: str, required: bool = False) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(where, f"'{key}' must be a string")
        if required and not value.strip():
            raise self.fail(where, f"'{key}' is required")
        return value.strip()

    def number(self, table: dict, key: str, where: str, default: Any = None) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, f"'{key}' must be a number, got {value!r}")
        if not math.isfinite(value):
            raise self.fail(where, f"'{key}' must be finite")
        return float(value)

    def status(self, table: dict, where: str, default: str | None = None) -> str:
        value = table.get("status", default)
        if value not in STATUSES:
            raise self.fail(
                where, f"'status' must be one of {', '.join(STATUSES)}, got {value!r}"
            )
        return value

    def source_list(self, table: dict, where: str) -> tuple[str, ...]:
        value = table.get("sources", [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, "'sources' must be a list of source codes")
        self.used_sources.extend((where, v) for v in value)
        return tuple(value)

    def item_list(self, value: Any, n: int, where: str, key: str = "items") -> tuple[int, ...]:
        if value == "all":
            return tuple(range(1, n + 1))
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise self.fail(where, f"'{key}' must be \"all\" or a list of item numbers")
        bad = [v for v in value if not 1 <= v <= n]
        if bad:
            raise self.fail(where, f"'{key}' contains {bad}, but items are numbered 1..{n}")
        if len(set(value)) != len(value):
            raise self.fail(where, f"'{key}' lists an item twice: {value}")
        return tuple(value)

    # ------------------------------------------------------------------ build
    def build(self, expected_id: str | None) -> Instrument:
        d = self.keys(self.data, _TOP, "")
        iid = self.text(d, "id", "", required=True)
        if expected_id is not None and iid != expected_id:
            raise self.fail("", f"id '{iid}' does not match the file name '{expected_id}.toml'")
        if not iid.isidentifier() or iid.lower() != iid:
            raise self.fail("", f"id '{iid}' must be a lower-case identifier")
        name = self.text(d, "name", "", required=True)
        abbreviation = self.text(d, "abbreviation", "", required=True)
        citation = self.text(d, "citation", "", required=True)
        scoring = d.get("scoring")
        if scoring not in ("items", "precomputed"):
            raise self.fail("", "'scoring' must be \"items\" or \"precomputed\"")
        accepts = scoring == "items"
        reason = self.text(d, "reason", "", required=not accepts)
        if accepts and reason:
            raise self.fail("", "'reason' is only for precomputed-only instruments")

        form = ""
        if "form" in d:
            f = self.keys(d["form"], _FORM, "[form]")
            parts = []
            if "items" in f:
                parts.append(f"{int(self.number(f, 'items', '[form]'))} items")
            if f.get("response"):
                parts.append(self.text(f, "response", "[form]"))
            if "status" in f:
                parts.append(f"[{self.status(f, '[form]')}]")
            self.source_list(f, "[form]")
            form = ", ".join(parts)

        # items
        n = 0
        item_min: list[float] = []
        item_max: list[float] = []
        integer = True
        reverse: tuple[int, ...] = ()
        if accepts:
            if "items" not in d:
                raise self.fail("", "an item-scored instrument needs an [items] table")
            it = self.keys(d["items"], _ITEMS, "[items]")
            count = it.get("count")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise self.fail("[items]", "'count' must be a positive integer")
            n = count
            lo = self.number(it, "min", "[items]")
            hi = self.number(it, "max", "[items]")
            if not lo < hi:
                raise self.fail("[items]", f"'min' ({lo}) must be below 'max' ({hi})")
            item_min, item_max = [lo] * n, [hi] * n
            integer = it.get("integer", True)
            if not isinstance(integer, bool):
                raise self.fail("[items]", "'integer' must be true or false")
            self.status(it, "[items]", default="verified")
            self.source_list(it, "[items]")
            overridden: set[int] = set()
            for k, r in enumerate(it.get("ranges", [])):
                where = f"[[items.ranges]] #{k + 1}"
                r = self.keys(r, _RANGE, where)
                ids = self.item_list(r.get("items"), n, where)
                twice = overridden.intersection(ids)
                if twice:
                    raise self.fail(where, f"items {sorted(twice)} already have a range override")
                overridden.update(ids)
                rlo, rhi = self.number(r, "min", where), self.number(r, "max", where)
                if not rlo < rhi:
                    raise self.fail(where, f"'min' ({rlo}) must be below 'max' ({rhi})")
                self.status(r, where, default="verified")
                self.source_list(r, where)
                for i in ids:
                    item_min[i - 1], item_max[i - 1] = rlo, rhi
            reverse = tuple(sorted(self.item_list(it.get("reverse", []), n, "[items]", "reverse")))
            reversal = it.get("reversal", "min_plus_max_minus_x")
            if reversal not in REVERSAL_RULES:
                raise self.fail("[items]", f"'reversal' must be one of {REVERSAL_RULES}")
        elif "items" in d:
            raise self.fail(
                "[items]", "a precomputed-only instrument must not declare items",
                hint="Describe the administered form under [form] instead",
            )

        missing_rule, missing_status = "", "convention"
        if "missing" in d:
            m = self.keys(d["missing"], _MISSING, "[missing]")
            missing_rule = self.text(m, "rule", "[missing]", required=True)
            missing_status = self.status(m, "[missing]")
            self.source_list(m, "[missing]")
        elif accepts:
            raise self.fail("", "an item-scored instrument needs a [missing] table (rule in words)")

        specs = self.scales(d.get("scales"), n, accepts, item_min, item_max)
        names = [s.name for s in specs]

        if "partition" in d:
            part = d["partition"]
            if not accepts or not isinstance(part, list):
                raise self.fail("partition", "must be a list of item-scored scale names")
            seen: list[int] = []
            by_name = {s.name: s for s in specs}
            for p in part:
                if p not in by_name or by_name[p].scales or not by_name[p].items:
                    raise self.fail("partition", f"'{p}' is not a scale made of items")
                seen.extend(by_name[p].items)
            if sorted(seen) != list(range(1, n + 1)):
                dup = sorted({i for i in seen if seen.count(i) > 1})
                gap = sorted(set(range(1, n + 1)) - set(seen))
                raise self.fail(
                    "partition", f"{part} must cover items 1..{n} exactly once "
                    f"(duplicated: {dup}, not covered: {gap})"
                )

        outcomes = {}
        for key, o in (d.get("outcomes") or {}).items():
            where = f"[outcomes.{key}]"
            if key not in _OUTCOME_PARAMS:
                raise self.fail(where, f"unknown outcome; known: {sorted(_OUTCOME_PARAMS)}")
            o = self.keys(o, _OUTCOME_PARAMS[key] | {"status", "sources", "note"}, where)
            params: dict[str, Any] = {}
            for p in sorted(_OUTCOME_PARAMS[key]):
                if p in o:
                    params[p] = self.number(o, p, where)
                elif p == "min_reduction":
                    params[p] = None  # no reduction requirement
                else:
                    raise self.fail(where, f"'{p}' is required")
            outcomes[key] = OutcomeRule(
                name=key, params=MappingProxyType(params), status=self.status(o, where),
                sources=self.source_list(o, where), note=self.text(o, "note", where),
            )

        facts = []
        for k, f in enumerate(d.get("facts", [])):
            where = f"[[facts]] #{k + 1}"
            f = self.keys(f, _FACT, where)
            facts.append(StatusNote(
                fact=self.text(f, "fact", where, required=True),
                value=self.text(f, "value", where, required=True),
                status=self.status(f, where),
                sources=self.source_list(f, where),
            ))

        sources = d.get("sources", {})
        if not isinstance(sources, dict) or not all(
            isinstance(v, str) for v in sources.values()
        ):
            raise self.fail("[sources]", "must map source codes to descriptions")
        undefined = sorted({f"{code} (in {w})" for w, code in self.used_sources
                            if code not in sources})
        if undefined:
            raise self.fail(
                "[sources]", f"source code(s) used but not defined: {', '.join(undefined)}"
            )

        return Instrument(
            id=iid,
            name=name,
            abbreviation=abbreviation,
            n_items=n,
            item_ids=tuple(range(1, n + 1)),
            item_min=tuple(item_min),
            item_max=tuple(item_max),
            integer_items=integer,
            reverse_items=reverse,
            accepts_items=accepts,
            scales=tuple(names),
            precomputed_scales=tuple(s.name for s in specs if s.precomputed),
            citation=citation,
            status_notes=tuple(facts),
            reference=self.text(d, "reference", ""),
            reason=reason,
            notes=self.text(d, "notes", ""),
            form=form,
            missing_rule=missing_rule,
            missing_status=missing_status,
            scale_specs=tuple(specs),
            sources=MappingProxyType(dict(sources)),
            outcome_rules=MappingProxyType(outcomes),
            definition_file=self.origin,
        )

    def scales(
        self, raw: Any, n: int, accepts: bool, item_min: list[float], item_max: list[float]
    ) -> list[ScaleSpec]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("", "at least one [[scales]] entry is required")
        specs: list[ScaleSpec] = []
        ranges: dict[str, tuple[float, float] | None] = {}
        for k, s in enumerate(raw):
            where = f"[[scales]] #{k + 1}"
            if isinstance(s, dict) and isinstance(s.get("name"), str):
                where += f" '{s['name']}'"
            s = self.keys(s, _SCALE, where)
            name = self.text(s, "name", where, required=True)
            if not name.isidentifier() or name.lower() != name:
                raise self.fail(where, "scale names must be lower-case identifiers")
            if name in ranges:
                raise self.fail(where, "scale declared twice")
            rule = s.get("rule", "precomputed")
            if rule not in RULES:
                raise self.fail(where, f"'rule' must be one of {', '.join(RULES)}, got {rule!r}")
            if not accepts and rule != "precomputed":
                raise self.fail(
                    where, f"a precomputed-only instrument cannot compute scales (rule '{rule}')"
                )
            if accepts and rule == "precomputed":
                raise self.fail(where, "an item-scored instrument needs a rule for every scale")
            items: tuple[int, ...] = ()
            subs: tuple[str, ...] = ()
            of: tuple[str, ...] = ()
            fraction = None
            max_missing = s.get("max_missing", 0)
            if not isinstance(max_missing, int) or isinstance(max_missing, bool) or max_missing < 0:
                raise self.fail(where, "'max_missing' must be a non-negative integer")
            implied: tuple[float, float] | None = None
            if rule in ITEM_RULES:
                if "items" in s:
                    items = self.item_list(s["items"], n, where)
                subs = tuple(s.get("scales", []))
                for sub in subs:
                    if sub not in ranges:
                        raise self.fail(where, f"refers to scale '{sub}' declared later or never",
                                        hint="Declare component scales first")
                if not items and not subs:
                    raise self.fail(where, f"rule '{rule}' needs 'items' and/or 'scales'")
                comp = [(item_min[i - 1], item_max[i - 1]) for i in items]
                comp += [ranges[sub] for sub in subs]  # type: ignore[misc]
                m = len(comp)
                if max_missing >= m:
                    raise self.fail(
                        where, f"'max_missing' ({max_missing}) must be below the number of "
                        f"components ({m})"
                    )
                if max_missing and rule != "max" and len(set(comp)) > 1:
                    raise self.fail(
                        where, "prorating (max_missing > 0) needs components with equal ranges; "
                        f"they differ: {sorted(set(comp))}"
                    )
                los, his = [c[0] for c in comp], [c[1] for c in comp]
                if rule == "sum":
                    implied = (sum(los), sum(his))
                elif rule == "mean":
                    implied = (sum(los) / m, sum(his) / m)
                else:
                    implied = (max(los), max(his))
            elif rule == "percent_of_max":
                of = self._of(s, ranges, where, single=True)
                implied = (0.0, 100.0)
            elif rule == "all_at_least_fraction_of_max":
                of = self._of(s, ranges, where, single=False)
                fraction = self.number(s, "fraction", where)
                if not 0 < fraction <= 1:
                    raise self.fail(where, "'fraction' must be in (0, 1]")
                implied = (0.0, 1.0)
            else:
                for key in ("items", "scales", "of", "fraction"):
                    if key in s:
                        raise self.fail(where, f"'{key}' makes no sense for a precomputed scale")
            declared = s.get("range")
            rng: tuple[float, float] | None
            if declared is None:
                rng = implied
            else:
                if (not isinstance(declared, list) or len(declared) != 2
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                   for v in declared)
                        or not declared[0] < declared[1]):
                    raise self.fail(where, f"'range' must be [lo, hi] with lo < hi, got {declared}")
                rng = (float(declared[0]), float(declared[1]))
                if implied is not None and not all(
                    math.isclose(a, b, abs_tol=1e-12) for a, b in zip(rng, implied, strict=True)
                ):
                    raise self.fail(
                        where, f"declared range {list(rng)} disagrees with the range implied "
                        f"by its items and rule {list(implied)}"
                    )
            precomputed = s.get("precomputed", True)
            if not isinstance(precomputed, bool):
                raise self.fail(where, "'precomputed' must be true or false")
            ranges[name] = rng
            specs.append(ScaleSpec(
                name=name,
                label=self.text(s, "label", where) or name,
                rule=rule,
                items=items,
                scales=subs,
                of=of,
                fraction=fraction,
                max_missing=max_missing,
                range=rng,
                precomputed=precomputed,
                status=self.status(s, where),
                sources=self.source_list(s, where),
                note=self.text(s, "note", where),
            ))
        return specs

    def _of(self, s: dict, ranges: dict, where: str, single: bool) -> tuple[str, ...]:
        of = s.get("of")
        of = [of] if isinstance(of, str) else of
        if not isinstance(of, list) or not of or (single and len(of) != 1):
            raise self.fail(where, "'of' must name " + ("one scale" if single else "scales"))
        for name in of:
            if name not in ranges:
                raise self.fail(where, f"'of' refers to scale '{name}' declared later or never")
            if ranges[name] is None:
                raise self.fail(where, f"scale '{name}' has no range to take a fraction of")
        return tuple(of)
