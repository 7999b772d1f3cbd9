"""Instrument objects and the small vectorised scoring engine.

An :class:`Instrument` is built from a TOML definition (see :mod:`.loader`); nothing about a
questionnaire's key is written in Python. The engine knows a handful of generic rules, each of
which a definition names as data:

``sum``
    sum of the listed items and/or earlier scales; with at most ``max_missing`` components missing
    the sum is prorated (mean of the answered components × number of components), otherwise NaN.
``mean``
    mean of the answered components when at most ``max_missing`` are missing, otherwise NaN.
``max``
    maximum of the answered components (QIDS-SR-16 domain rule, "highest of items 1–4",
    reference S28/S29), NaN when more than ``max_missing`` are missing.
``percent_of_max``
    ``(score − lo) × 100 / (hi − lo)`` over the range of the scale named in ``of`` (for a 0-based
    range this is ``score ÷ max × 100``, the MEQ30 rule of reference S7).
``all_at_least_fraction_of_max``
    1.0 when every scale named in ``of`` reaches ``fraction`` of its range (MEQ30 "complete
    mystical experience", ≥ 60 % on each factor, reference S4/S5), 0.0 otherwise, NaN when any of
    those scales is missing.
``precomputed``
    no rule: the score is only accepted as supplied by the user.

Reverse-keyed items are reversed before any rule as ``item_min + item_max − x``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from ..errors import InputError

#: Tolerance (relative to a scale's width) used when comparing a computed score with a threshold,
#: so that e.g. a factor mean of exactly 3.0 counts as "≥ 60 % of 5" despite binary rounding.
THRESHOLD_TOLERANCE = 1e-9

ITEM_RULES = ("sum", "mean", "max")
RULES = (*ITEM_RULES, "percent_of_max", "all_at_least_fraction_of_max", "precomputed")
STATUSES = ("verified", "verified_single_source", "unverified", "not_found", "convention")


@dataclasses.dataclass(frozen=True, eq=False)
class ScaleScore:
    """One scale's scores for every row.

    ``score`` is float (NaN = not computable under the missing-item rule); ``n_answered`` counts the
    answered raw items underlying the scale; ``n_items`` is the number of those raw items.
    """

    score: np.ndarray
    n_answered: np.ndarray
    n_items: int


@dataclasses.dataclass(frozen=True)
class StatusNote:
    """One documented fact about an instrument, with its evidence status and source codes."""

    fact: str
    value: str
    status: str
    sources: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class OutcomeRule:
    """Default parameters of an outcome helper (``response`` / ``remission``) for an instrument.

    Use as ``remission(b, f, **inst.outcome_rules["remission"].params)``.
    """

    name: str
    params: Mapping[str, Any] = dataclasses.field(compare=False, hash=False)
    status: str = "unverified"
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclasses.dataclass(frozen=True)
class ScaleSpec:
    """A scale as declared in a definition file (``[[scales]]``)."""

    name: str
    label: str
    rule: str
    items: tuple[int, ...] = ()
    scales: tuple[str, ...] = ()
    of: tuple[str, ...] = ()
    fraction: float | None = None
    max_missing: int = 0
    range: tuple[float, float] | None = None
    precomputed: bool = True
    status: str = "unverified"
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Instrument:
    """A questionnaire declared as data; see ``instruments/definitions/<id>.toml``.

    ``n_items`` is 0 and ``accepts_items`` False for instruments whose item key could not be
    confirmed: they accept precomputed scores only, and ``reason`` says why.
    """

    id: str
    name: str
    abbreviation: str
    n_items: int
    item_ids: tuple[int, ...]
    item_min: tuple[float, ...]
    item_max: tuple[float, ...]
    integer_items: bool
    reverse_items: tuple[int, ...]
    accepts_items: bool
    scales: tuple[str, ...]
    precomputed_scales: tuple[str, ...]
    citation: str
    status_notes: tuple[StatusNote, ...]
    reference: str = ""
    reason: str = ""
    notes: str = ""
    form: str = ""
    missing_rule: str = ""
    missing_status: str = "convention"
    scale_specs: tuple[ScaleSpec, ...] = ()
    sources: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False, repr=False
    )
    outcome_rules: Mapping[str, OutcomeRule] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False, repr=False
    )
    definition_file: str = dataclasses.field(default="", compare=False, repr=False)

    # ------------------------------------------------------------------ introspection
    def scale_spec(self, scale: str) -> ScaleSpec:
        """The declaration of ``scale``; InputError naming the known scales otherwise."""
        for spec in self.scale_specs:
            if spec.name == scale:
                return spec
        raise InputError(
            f"instrument '{self.id}' has no scale '{scale}'",
            hint=f"Known scales: {', '.join(self.scales)}",
        )

    def scale_range(self, scale: str) -> tuple[float, float] | None:
        """Valid ``(lo, hi)`` of a scale score, or None when the range is unknown."""
        return self.scale_spec(scale).range

    def to_dict(self) -> dict[str, Any]:
        """Plain-data description (JSON-serialisable) used by ``alliance-analysis instruments``."""
        return {
            "id": self.id,
            "name": self.name,
            "abbreviation": self.abbreviation,
            "reference": self.reference,
            "accepts_items": self.accepts_items,
            "reason": self.reason,
            "n_items": self.n_items,
            "item_ids": list(self.item_ids),
            "item_min": list(self.item_min),
            "item_max": list(self.item_max),
            "integer_items": self.integer_items,
            "reverse_items": list(self.reverse_items),
            "form": self.form,
            "scales": [
                {
                    "name": s.name,
                    "label": s.label,
                    "rule": s.rule,
                    "items": list(s.items),
                    "scales": list(s.scales),
                    "of": list(s.of),
                    "fraction": s.fraction,
                    "max_missing": s.max_missing,
                    "range": list(s.range) if s.range is not None else None,
                    "precomputed": s.precomputed,
                    "status": s.status,
                    "sources": list(s.sources),
                    "note": s.note,
                }
                for s in self.scale_specs
            ],
            "precomputed_scales": list(self.precomputed_scales),
            "missing_rule": self.missing_rule,
            "missing_status": self.missing_status,
            "outcome_rules": {
                k: {"params": dict(r.params), "status": r.status, "sources": list(r.sources),
                    "note": r.note}
                for k, r in self.outcome_rules.items()
            },
            "citation": self.citation,
            "status_notes": [dataclasses.asdict(n) for n in self.status_notes],
            "sources": dict(self.sources),
            "notes": self.notes,
        }

    # ------------------------------------------------------------------ item checks
    def _as_matrix(self, items: Any) -> np.ndarray:
        if not self.accepts_items:
            raise InputError(
                f"instrument '{self.id}' ({self.abbreviation}) accepts precomputed scores only "
                f"({', '.join(self.precomputed_scales)}), not items: {self.reason}",
                hint="Supply the trial's own scale scores instead of item responses",
            )
        try:
            x = np.asarray(items, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{self.abbreviation} items must be numeric (NaN = missing): {exc}"
            ) from None
        if x.ndim != 2 or x.shape[1] != self.n_items:
            raise InputError(
                f"{self.abbreviation} items must be a 2-D array with {self.n_items} columns "
                f"(items {self.item_ids[0]}..{self.item_ids[-1]} in order), got shape {x.shape}"
            )
        return x

    def out_of_range(self, items: Any) -> np.ndarray:
        """Boolean mask (same shape as ``items``) of answered values that are not valid.

        A value is invalid when it lies outside its item's declared range, is infinite, or is not a
        whole number for an instrument declared with ``integer = true``. NaN (missing) is valid.
        """
        x = self._as_matrix(items)
        lo = np.asarray(self.item_min)
        hi = np.asarray(self.item_max)
        with np.errstate(invalid="ignore"):
            bad = (x < lo) | (x > hi) | np.isinf(x)
            if self.integer_items:
                bad |= np.isfinite(x) & (x != np.round(x))
        return bad

    # ------------------------------------------------------------------ scoring
    def score(self, items: Any) -> dict[str, ScaleScore]:
        """Score every declared scale from an item matrix, vectorised over rows.

        ``items``: 2-D float array, one row per administration, one column per item in
        ``item_ids`` order, NaN = missing. Raises :class:`InputError` for a precomputed-only
        instrument, a wrong shape, or any value flagged by :meth:`out_of_range` (use that mask to
        locate or blank invalid values first).
        """
        x = self._as_matrix(items)
        bad = self.out_of_range(x)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise InputError(
                f"{self.abbreviation} item {self.item_ids[c]} has an invalid value in row index "
                f"{r} (0-based; {int(bad.sum())} invalid value(s) in total)",
                value=float(x[r, c]),
                hint=(
                    f"Item {self.item_ids[c]} takes "
                    f"{'whole numbers ' if self.integer_items else 'values '}"
                    f"{_fmt(self.item_min[c])}–{_fmt(self.item_max[c])}; use "
                    "Instrument.out_of_range() to find all of them"
                ),
            )
        if self.reverse_items:
            x = x.copy()
            cols = np.asarray([i - 1 for i in self.reverse_items])
            lo = np.asarray(self.item_min)[cols]
            hi = np.asarray(self.item_max)[cols]
            x[:, cols] = lo + hi - x[:, cols]
        # Work on the transposed matrix (items × rows, C-contiguous): gathering a scale's items
        # is then a copy of whole rows, and every reduction runs over a short first axis.
        xt = np.ascontiguousarray(x.T)
        present = ~np.isnan(xt)
        ctx = _Context(
            present=present,
            zero=np.where(present, xt, 0.0),
            low=(np.where(present, xt, -np.inf)
                 if any(sp.rule == "max" for sp in self.scale_specs) else None),
            done={},
            underlying={},
        )
        for spec in self.scale_specs:
            score, base, n_ans = _apply_rule(spec, ctx, self)
            ctx.underlying[spec.name] = base
            if n_ans is None:
                n_ans = ctx.present[[i - 1 for i in base]].sum(axis=0)
            ctx.done[spec.name] = ScaleScore(
                score=score, n_answered=n_ans.astype(np.int64), n_items=len(base)
            )
        return dict(ctx.done)


@dataclasses.dataclass
class _Context:
    present: np.ndarray  # items × rows, True = answered
    zero: np.ndarray  # items × rows, NaN -> 0
    low: np.ndarray | None  # items × rows, NaN -> -inf (only when a "max" rule exists)
    done: dict[str, ScaleScore]
    underlying: dict[str, tuple[int, ...]]


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _apply_rule(
    spec: ScaleSpec, ctx: _Context, inst: Instrument
) -> tuple[np.ndarray, tuple[int, ...], np.ndarray | None]:
    """Score one scale: (scores, ids of the raw items underlying it, answered count or None)."""
    done, underlying = ctx.done, ctx.underlying
    n = ctx.present.shape[1]
    if spec.rule in ITEM_RULES:
        rows = [i - 1 for i in spec.items]
        base = list(spec.items)
        m = len(rows) + len(spec.scales)
        n_present = ctx.present[rows].sum(axis=0) if rows else np.zeros(n, dtype=np.int64)
        n_items_answered = n_present if not spec.scales else None
        if spec.rule == "max":
            raw = ctx.low[rows].max(axis=0) if rows else np.full(n, -np.inf)
        else:
            raw = ctx.zero[rows].sum(axis=0) if rows else np.zeros(n)
        for name in spec.scales:
            sub = done[name].score
            has = ~np.isnan(sub)
            n_present = n_present + has
            if spec.rule == "max":
                raw = np.fmax(raw, sub)
            else:
                raw = raw + np.where(has, sub, 0.0)
            base.extend(i for i in underlying[name] if i not in base)
        ok = (m - n_present <= spec.max_missing) & (n_present > 0)
        if spec.rule != "max":
            safe_n = np.where(n_present > 0, n_present, 1)
            if spec.rule == "sum":
                # complete rows keep the exact sum; prorated rows: sum × m / answered
                raw = np.where(n_present == m, raw, raw * m / safe_n)
            else:
                raw = raw / safe_n
        return np.where(ok, raw, np.nan), tuple(sorted(base)), n_items_answered
    if spec.rule == "percent_of_max":
        (name,) = spec.of
        lo, hi = inst.scale_range(name)  # loader guarantees a range
        base_score = done[name]
        return (base_score.score - lo) * 100.0 / (hi - lo), underlying[name], base_score.n_answered
    if spec.rule == "all_at_least_fraction_of_max":
        result = np.ones(n)
        any_nan = np.zeros(n, dtype=bool)
        base = []
        for name in spec.of:
            lo, hi = inst.scale_range(name)
            s = done[name].score
            width = hi - lo
            with np.errstate(invalid="ignore"):
                meets = (s - lo) >= spec.fraction * width - THRESHOLD_TOLERANCE * width
            result = np.where(meets, result, 0.0)
            any_nan |= np.isnan(s)
            base.extend(i for i in underlying[name] if i not in base)
        return np.where(any_nan, np.nan, result), tuple(sorted(base)), None
    raise InputError(f"scale '{spec.name}' of '{inst.id}' has no item rule ({spec.rule})")
