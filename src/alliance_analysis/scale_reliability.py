"""Reliability of every item-scored scale of a loaded table, per timepoint.

Given what :func:`alliance_analysis.io.load_table` returns (a ``LoadResult`` whose ``items`` holds
the validated item responses), :func:`scale_reliability` computes Cronbach's α (raw, standardized,
Feldt CI) and McDonald's ω total (:func:`alliance_analysis.stats.reliability.reliability`) for each
instrument × scale × timepoint, with n and the items used. It sits at the analyze/reproduce layer:
it reads the loader's result and the instrument definitions and calls the statistics; it imports
neither ``analyze`` nor ``reproduce``.

Which items (all from the instrument definition, nothing re-keyed by hand):

* a ``sum`` or ``mean`` scale uses its listed items; a scale built on other ``sum``/``mean``
  scales uses all their items; a ``max`` scale it is built on (e.g. a QIDS-SR16 domain, "highest
  of items 1–4") enters as one component, scored by :meth:`Instrument.score`;
* reverse-keyed items are reversed as the definition's ``reverse`` list and item ranges say
  (item_min + item_max − x, the rule of :meth:`Instrument.score`);
* scales that are not a sum of components are listed in ``skipped`` with the reason: ``max``
  scales themselves, ``percent_of_max`` (a linear transform: same reliability as the scale it
  rescales), yes/no classifications, and a scale with exactly the components of an earlier one
  (e.g. a total and its item mean: same reliability).

Missing values: per scale and timepoint, participants with no answered component are counted in
``n_no_data`` (not administered); of the others (``n_rows``), ``missing="listwise"`` uses those
with every component answered (``n``) and counts the rest in ``n_dropped``. A cell whose
reliability cannot be computed (a constant item, fewer than 3 complete rows) is kept as a row
with NaN estimates and the reason in ``note``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .results import Result, estimate_row, tidy_frame
from .stats.reliability import ReliabilityResult, reliability

__all__ = ["SCALE_RELIABILITY_COLUMNS", "SKIPPED_COLUMNS", "ScaleReliabilityResult",
           "scale_reliability"]

#: Columns of :attr:`ScaleReliabilityResult.table` (one row per instrument × scale × timepoint).
SCALE_RELIABILITY_COLUMNS = (
    "instrument", "scale", "timepoint", "k", "items", "reversed_items", "n", "n_rows",
    "n_dropped", "n_no_data", "alpha", "alpha_std", "alpha_ci_lower", "alpha_ci_upper",
    "confidence", "omega_total", "omega_model", "mean_r", "note")
#: Columns of :attr:`ScaleReliabilityResult.skipped`.
SKIPPED_COLUMNS = ("instrument", "scale", "reason")

_LINEAR = ("sum", "mean")


@dataclasses.dataclass(frozen=True, eq=False)
class ScaleReliabilityResult(Result):
    """Per-scale reliabilities: ``table`` (:data:`SCALE_RELIABILITY_COLUMNS`), ``skipped``
    (:data:`SKIPPED_COLUMNS`) and the full :class:`ReliabilityResult` of every computed row in
    ``results`` keyed ``(instrument, scale, timepoint)``."""

    table: pd.DataFrame
    skipped: pd.DataFrame
    results: Mapping[tuple[str, str, str], ReliabilityResult]
    missing: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"scales": int(len(self.table)), "skipped": int(len(self.skipped)),
                "missing": self.missing, "confidence": self.confidence}

    #: columns after :data:`~alliance_analysis.results.TIDY_COLUMNS` in :meth:`to_frame`
    _extra_columns = ("instrument", "scale", "timepoint", "k", "n", "n_rows", "n_dropped",
                      "n_no_data", "note")

    def to_frame(self) -> pd.DataFrame:
        """The tidy shape of :mod:`alliance_analysis.results`: per instrument × scale ×
        timepoint the rows ``alpha`` (method ``Feldt``, with its interval), ``alpha_std``,
        ``omega_total``, ``omega_model`` and ``mean_r`` (the scale-level rows of
        :meth:`ReliabilityResult.to_frame`), labelled ``instrument:scale:timepoint:term``, then the
        extra columns (instrument, scale, timepoint, k, n, n_rows, n_dropped, n_no_data, note).
        The wide per-scale table that the output files use is :attr:`table`."""
        rows, labels = [], []
        for r in self.table.itertuples(index=False):
            extra = {c: getattr(r, c) for c in self._extra_columns}
            rows.append(estimate_row("alpha", r.alpha, ci=(r.alpha_ci_lower, r.alpha_ci_upper),
                                     confidence=r.confidence, method="Feldt", **extra))
            for name in ("alpha_std", "omega_total", "omega_model", "mean_r"):
                rows.append(estimate_row(name, getattr(r, name), **extra))
            labels += [f"{r.instrument}:{r.scale}:{r.timepoint}:{t}"
                       for t in ("alpha", "alpha_std", "omega_total", "omega_model", "mean_r")]
        frame = tidy_frame(rows, self._extra_columns)
        frame.index = pd.Index(labels, dtype=object)
        return frame

    def apa(self, digits: int = 2) -> str:
        """One line per row: ``wai_sr total, prep: Cronbach's α = .88, 95% CI [.82, .93], ω_t =
        .89 (n = 40, 12 items)``."""
        lines = []
        for row in self.table.itertuples(index=False):
            key = (row.instrument, row.scale, row.timepoint)
            head = f"{row.instrument} {row.scale}, {row.timepoint}: "
            if key in self.results:
                lines.append(head + self.results[key].apa(digits))
            else:
                lines.append(head + f"not computed ({row.note})")
        return "\n".join(lines)

    def summary(self) -> str:
        """A text table of the estimates, then the skipped scales with their reasons."""
        lines = [f"Reliability per scale and timepoint ({self.missing} deletion; "
                 f"{100 * self.confidence:g}% Feldt CI)",
                 f"{'instrument':<14} {'scale':<18} {'timepoint':<10} {'k':>3} {'n':>5} "
                 f"{'dropped':>7} {'alpha':>7} {'CI':>17} {'std':>7} {'omega':>7}"]
        for r in self.table.itertuples(index=False):
            ci = (f"[{r.alpha_ci_lower:.3f}, {r.alpha_ci_upper:.3f}]"
                  if math.isfinite(r.alpha_ci_lower) else "")
            lines.append(f"{r.instrument:<14} {r.scale:<18} {r.timepoint:<10} {r.k:>3} {r.n:>5} "
                         f"{r.n_dropped:>7} {r.alpha:>7.3f} {ci:>17} {r.alpha_std:>7.3f} "
                         f"{r.omega_total:>7.3f}")
        notes = [f"{r.instrument} {r.scale}, {r.timepoint}: {r.note}"
                 for r in self.table.itertuples(index=False) if r.note]
        if notes:
            lines += ["", "Notes:"] + [f"  {n}" for n in notes]
        if len(self.skipped):
            lines += ["", "Not computed:"]
            lines += [f"  {s.instrument} {s.scale}: {s.reason}"
                      for s in self.skipped.itertuples(index=False)]
        return "\n".join(lines)



def _components(inst: Any, name: str) -> list[tuple[str, Any]] | str:
    """The components of scale ``name`` (("item", id) / ("scale", name)) or why it has none."""
    spec = inst.scale_spec(name)
    if spec.rule == "max":
        return ("the maximum of its items, not a sum: internal consistency does not apply "
                "(it enters the scales built on it as one component)")
    if spec.rule == "percent_of_max":
        return f"a linear transform of '{', '.join(spec.of)}': the same reliability"
    if spec.rule == "all_at_least_fraction_of_max":
        return "a yes/no classification, not a sum of items"
    if spec.rule not in _LINEAR:
        return "no item rule (precomputed scores only)"
    out: list[tuple[str, Any]] = [("item", int(i)) for i in spec.items]
    for sub in spec.scales:
        sub_spec = inst.scale_spec(sub)
        if sub_spec.rule in _LINEAR:
            expanded = _components(inst, sub)
            out += [c for c in expanded if c not in out] if isinstance(expanded, list) else []
        else:
            out.append(("scale", sub))
    return out


def _sort_key(component: tuple[str, Any]) -> tuple:
    kind, key = component
    return (0, key, "") if kind == "item" else (1, 0, str(key))


def _label(component: tuple[str, Any]) -> str:
    return str(component[1])


def _drop_constant(comps: Sequence[tuple[str, Any]], mat: np.ndarray
                   ) -> tuple[list[tuple[str, Any]], np.ndarray, str]:
    """Leave out components answered identically by everyone (or by at most one person): they
    carry no variance, so α of the scale with them is not a reliability (psych::alpha drops
    them too). Said in the row's note."""
    if not mat.size:
        return list(comps), mat, ""
    absent = np.isnan(mat)
    count = (~absent).sum(axis=0)
    spread = (np.where(absent, -np.inf, mat).max(axis=0)
              - np.where(absent, np.inf, mat).min(axis=0))
    flat = (count < 2) | ~(spread > 0)
    if not flat.any() or flat.all():
        return list(comps), mat, ""
    gone = [_label(c) for c, f in zip(comps, flat, strict=True) if f]
    kept = [c for c, f in zip(comps, flat, strict=True) if not f]
    return kept, mat[:, ~flat], (f"left out (no variance at this timepoint: everyone who "
                                 f"answered gave the same value): {', '.join(gone)}")


def _row(inst_id: str, scale: str, tp: str, comps: Sequence[tuple[str, Any]],
         reversed_items: Sequence[int], n_no_data: int, n_rows: int, n_complete: int,
         res: ReliabilityResult | None, note: str, confidence: float) -> dict[str, Any]:
    nan = math.nan
    return {
        "instrument": inst_id, "scale": scale, "timepoint": tp, "k": len(comps),
        "items": ",".join(_label(c) for c in comps),
        "reversed_items": ",".join(str(i) for i in reversed_items),
        "n": res.n if res else n_complete, "n_rows": n_rows,
        "n_dropped": res.n_dropped if res else n_rows - n_complete, "n_no_data": n_no_data,
        "alpha": res.alpha if res else nan, "alpha_std": res.alpha_std if res else nan,
        "alpha_ci_lower": res.alpha_ci[0] if res else nan,
        "alpha_ci_upper": res.alpha_ci[1] if res else nan, "confidence": confidence,
        "omega_total": res.omega_total if res else nan,
        "omega_model": res.omega_model if res else nan,
        "mean_r": res.mean_r if res else nan, "note": note}


def scale_reliability(loaded: Any, *, instruments: Sequence[str] | None = None,
                      missing: str = "listwise", confidence: float = 0.95,
                      omega: bool = True) -> ScaleReliabilityResult:
    """Reliability of every item-scored scale of ``loaded`` (a ``LoadResult``) per timepoint.

    ``instruments`` restricts to those instrument ids (default: every instrument with item
    responses). ``missing`` and ``confidence`` are passed to
    :func:`~alliance_analysis.stats.reliability.reliability`. Rows are in the order instrument
    (sorted), timepoint (the loader's order), scale (definition order). A table with no item
    responses gives an empty table (scales scored from precomputed totals have no items).
    """
    items = getattr(loaded, "items", None)
    participants = list(loaded.wide.index) if getattr(loaded, "wide", None) is not None else []
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    results: dict[tuple[str, str, str], ReliabilityResult] = {}
    if items is None or not len(items):
        return _finish(rows, skipped, results, missing, confidence)
    order = [str(t) for t in getattr(loaded.audit, "timepoint_order", ())]
    wanted = None if instruments is None else {str(i) for i in instruments}
    present = set(map(str, pd.unique(items["instrument"])))  # distinct values, not every row
    if wanted is not None:
        unknown = wanted - present
        if unknown:
            raise InputError(f"no item responses for instrument '{sorted(unknown)[0]}'",
                             hint="instruments with items: "
                             + ", ".join(sorted(present)))
    known = set(participants)
    participants += [p for p in pd.unique(items["participant_id"]) if p not in known]
    p_index = pd.Index(participants)
    # one pass over the (long) item table: integer codes for instrument and timepoint, the row
    # of each response's participant, its item column and value; every later selection is a
    # comparison of integer codes, not of text
    inst_codes, inst_names = pd.factorize(items["instrument"], use_na_sentinel=False)
    inst_code = {str(v): k for k, v in enumerate(inst_names)}
    tp_codes, tp_names = pd.factorize(items["timepoint"], use_na_sentinel=False)
    tp_str = np.asarray([str(v) for v in tp_names], dtype=object)
    row_of = p_index.get_indexer(items["participant_id"])
    col_of = items["item"].to_numpy(dtype=np.int64) - 1
    value_of = items["value"].to_numpy(dtype=float)
    for inst_id in sorted(present):
        if wanted is not None and inst_id not in wanted:
            continue
        inst = loaded.mapping.instrument(inst_id)
        plan: list[tuple[str, list[tuple[str, Any]]]] = []
        seen: dict[tuple, str] = {}
        for spec in inst.scale_specs:
            comps = _components(inst, spec.name)
            if isinstance(comps, str):
                skipped.append({"instrument": inst_id, "scale": spec.name, "reason": comps})
                continue
            comps = sorted(comps, key=_sort_key)
            key = tuple(comps)
            if key in seen:
                skipped.append({"instrument": inst_id, "scale": spec.name,
                                "reason": f"the same items as '{seen[key]}': the same reliability"})
                continue
            if len(comps) < 2:
                skipped.append({"instrument": inst_id, "scale": spec.name,
                                "reason": "fewer than 2 components"})
                continue
            seen[key] = spec.name
            plan.append((spec.name, comps))
        sub = np.flatnonzero(inst_codes == inst_code[inst_id])
        sub_tp = tp_codes[sub]
        sub_tps = set(tp_str[np.bincount(sub_tp, minlength=len(tp_str)) > 0])
        tps = [t for t in order if t in sub_tps]
        tps += sorted(sub_tps - set(tps))
        lo, hi = np.asarray(inst.item_min, dtype=float), np.asarray(inst.item_max, dtype=float)
        rev = np.asarray([i - 1 for i in inst.reverse_items], dtype=np.int64)
        for tp in tps:
            cells = sub[np.isin(sub_tp, np.flatnonzero(tp_str == tp))]
            raw = np.full((len(participants), inst.n_items), np.nan)
            raw[row_of[cells], col_of[cells]] = value_of[cells]
            keyed = raw.copy()
            if rev.size:                              # the instrument's own key and ranges
                keyed[:, rev] = lo[rev] + hi[rev] - raw[:, rev]
            need_scores = any(c[0] == "scale" for _, comps in plan for c in comps)
            scored = inst.score(raw) if need_scores else {}
            for name, comps in plan:
                cols = [keyed[:, c[1] - 1] if c[0] == "item" else scored[c[1]].score
                        for c in comps]
                mat = np.column_stack(cols)
                answered = ~np.isnan(mat).all(axis=1)
                n_no_data = int((~answered).sum())
                reversed_here = [c[1] for c in comps if c[0] == "item"
                                 and c[1] in inst.reverse_items]
                used, mat, dropped_note = _drop_constant(comps, mat[answered])
                frame = pd.DataFrame(mat, columns=[_label(c) for c in used])
                res: ReliabilityResult | None = None
                notes = [dropped_note] if dropped_note else []
                try:
                    res = reliability(frame, missing=missing, confidence=confidence, omega=omega)
                    notes += list(res.notes)
                except InputError as exc:
                    notes.append(f"not computed: {exc.message}")
                n_complete = int((~np.isnan(mat).any(axis=1)).sum()) if mat.size else 0
                rows.append(_row(inst_id, name, tp, used, reversed_here, n_no_data,
                                 int(answered.sum()), n_complete, res, "; ".join(notes),
                                 confidence))
                if res is not None:
                    results[(inst_id, name, tp)] = res
    return _finish(rows, skipped, results, missing, confidence)


def _finish(rows: list[dict[str, Any]], skipped: list[dict[str, Any]],
            results: dict[tuple[str, str, str], ReliabilityResult], missing: str,
            confidence: float) -> ScaleReliabilityResult:
    table = pd.DataFrame(rows, columns=list(SCALE_RELIABILITY_COLUMNS))
    for c in ("k", "n", "n_rows", "n_dropped", "n_no_data"):
        table[c] = table[c].astype(np.int64)
    skip = pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS)).drop_duplicates(
        ignore_index=True)
    return ScaleReliabilityResult(table=table, skipped=skip, results=dict(results),
                                  missing=missing, confidence=confidence)
