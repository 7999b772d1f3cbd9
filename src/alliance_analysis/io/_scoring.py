"""Scoring of the validated cell table into the tidy table; derived peaks; sorting."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import TIDY_COLUMNS, Ctx
from .mapping import LoadMapping, Peak

#: Labels recognised as the baseline (ordered first).
BASELINE_LABELS = ("screening", "screen", "baseline", "base", "bl", "bsl", "pre", "t0")
#: ``<unit><number>`` labels recognised as a time since baseline, with the unit in days.
_UNITS = (("day", 1.0), ("d", 1.0), ("week", 7.0), ("wk", 7.0), ("w", 7.0),
          ("month", 30.4375), ("mo", 30.4375), ("m", 30.4375), ("year", 365.25),
          ("yr", 365.25), ("y", 365.25))
_TIME = re.compile(r"^(" + "|".join(u for u, _ in _UNITS) + r")[ _\-]?(\d+(?:\.\d+)?)$")


def label_time(label: str) -> float | None:
    """Days since baseline a timepoint label stands for, or None when it is not recognisable.

    ``screening``/``baseline``/``base``/``bl``/``pre`` → -1 (before everything); ``wk6``,
    ``week 6``, ``w6`` → 42; ``d14``/``day14`` → 14; ``m3``/``month3`` → 91.3; ``y1`` → 365.25.
    """
    key = str(label).strip().lower()
    if key in BASELINE_LABELS:
        return -1.0 - (len(BASELINE_LABELS) - BASELINE_LABELS.index(key)) * 1e-3
    hit = _TIME.match(key)
    if hit is None:
        return None
    return float(hit.group(2)) * dict(_UNITS)[hit.group(1)]


def timepoint_order(cells: pd.DataFrame, m: LoadMapping) -> tuple[list[str], str]:
    """The order of the timepoints and where it came from (printed in the audit).

    1. the mapping: ``[layout] timepoint_order`` (every timepoint of the data must be listed),
       else the order of the ``[timepoints]`` table;
    2. otherwise, when every label is recognisable (:func:`label_time`), chronological;
    3. otherwise the order of first appearance in the file, said so (declare the order in the
       mapping to fix it).
    Derived peaks come last.
    """
    found = [str(t) for t in pd.unique(cells["timepoint"])]
    peaks = [p.name for p in m.peaks]
    if m.timepoint_order_declared:
        extra = [t for t in found if t not in m.timepoint_order]
        if extra:
            raise InputError(f"timepoint '{extra[0]}' is in the data but not in [layout] "
                             "timepoint_order", file=m.source,
                             hint=f"Add it: timepoint_order = {list(m.timepoint_order) + extra}")
        order = [t for t in m.timepoint_order if t in found]
        source = "[layout] timepoint_order of the mapping"
    elif m.timepoint_order:
        order = [t for t in m.timepoint_order]
        order += [t for t in found if t not in order]
        source = "the order of the mapping's [timepoints] table"
    elif found and all(label_time(t) is not None for t in found):
        order = sorted(found, key=lambda t: (label_time(t), t))
        source = "recognised labels (baseline first, then time since baseline)"
    else:
        order = list(found)
        source = ("order of first appearance in the file (labels not recognised as times; "
                  "declare [layout] timepoint_order to set it)")
    order += [p for p in peaks if p not in order]
    return order, source


def score_cells(cells: pd.DataFrame, participants: list[str], tp_order: list[str],
                m: LoadMapping) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    get_instrument = m.instrument
    parts: list[pd.DataFrame] = []
    n_p = len(participants)
    p_index = pd.Index(participants)
    rank = {t: i for i, t in enumerate(tp_order)}
    item_cells = cells[cells["kind"] == "item"]
    for inst_id, sub in item_cells.groupby("instrument", sort=True):
        inst = get_instrument(inst_id)
        tps = sorted(pd.unique(sub["timepoint"]), key=rank.__getitem__)
        p_codes = p_index.get_indexer(sub["pid"])
        t_codes = pd.Index(tps).get_indexer(sub["timepoint"])
        matrix = np.full((n_p * len(tps), inst.n_items), np.nan)
        matrix[p_codes * len(tps) + t_codes, sub["key"].to_numpy(dtype=np.int64) - 1] = \
            sub["value"].to_numpy(dtype=float)
        scored = inst.score(matrix)
        pids = np.repeat(np.asarray(participants, dtype=object), len(tps))
        tp_col = np.tile(np.asarray(tps, dtype=object), n_p)
        for scale, res in scored.items():
            parts.append(pd.DataFrame({
                "participant_id": pids, "timepoint": tp_col, "instrument": inst_id,
                "scale": scale, "score": res.score.astype(float),
                "n_answered": pd.array(res.n_answered, dtype="Int64"),
                "n_items": pd.array(np.full(len(pids), res.n_items), dtype="Int64")}))
    scale_cells = cells[cells["kind"] == "scale"]
    for (inst_id, scale), sub in scale_cells.groupby(["instrument", "key"], sort=True):
        tps = sorted(pd.unique(sub["timepoint"]), key=rank.__getitem__)
        grid = pd.MultiIndex.from_product([participants, tps])
        got = pd.Series(sub["value"].to_numpy(dtype=float),
                        index=pd.MultiIndex.from_arrays([sub["pid"], sub["timepoint"]]))
        parts.append(pd.DataFrame({
            "participant_id": grid.get_level_values(0).to_numpy(dtype=object),
            "timepoint": grid.get_level_values(1).to_numpy(dtype=object),
            "instrument": inst_id, "scale": scale,
            "score": got.reindex(grid).to_numpy(dtype=float),
            "n_answered": pd.array([pd.NA] * len(grid), dtype="Int64"),
            "n_items": pd.array([pd.NA] * len(grid), dtype="Int64")}))
    tidy = tidy_frame(parts)
    items = None
    if len(item_cells):
        inst = item_cells["instrument"].to_numpy(dtype=object)
        tp = item_cells["timepoint"].to_numpy(dtype=object)
        item = item_cells["key"].to_numpy(dtype=np.int64)
        i_codes, i_uniq = pd.factorize(inst, sort=True)
        t_codes, t_uniq = pd.factorize(tp)
        t_rank = np.array([rank[t] for t in t_uniq], dtype=np.int64)[t_codes]
        p_rank = p_index.get_indexer(item_cells["pid"].to_numpy(dtype=object))
        order = np.lexsort((item, t_rank, i_codes, p_rank))  # stable: participant, instrument,
        items = pd.DataFrame({                                 # timepoint, item
            "participant_id": item_cells["pid"].to_numpy(dtype=object)[order],
            "timepoint": tp[order], "instrument": inst[order], "item": item[order],
            "value": item_cells["value"].to_numpy(dtype=float)[order]})
    return tidy, items


def tidy_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    cols = [c for c in TIDY_COLUMNS if c != "arm"]
    if not parts:
        return pd.DataFrame({
            "participant_id": pd.Series([], dtype=object), "timepoint": pd.Series([], dtype=object),
            "instrument": pd.Series([], dtype=object), "scale": pd.Series([], dtype=object),
            "score": pd.Series([], dtype=float), "n_answered": pd.array([], dtype="Int64"),
            "n_items": pd.array([], dtype="Int64")})[cols]
    tidy = pd.concat(parts, ignore_index=True)[cols]
    for c in ("participant_id", "timepoint", "instrument", "scale"):
        tidy[c] = tidy[c].astype(object)
    return tidy


def check_peak_sources(pk: Peak, have: set, m: LoadMapping) -> None:
    """A [peaks] entry must not reuse a timepoint name and needs scores at every source timepoint
    (``have``: the instrument's timepoints in the data)."""
    if pk.name in have:
        raise InputError(
            f"[peaks] {pk.instrument}: name '{pk.name}' is already a timepoint in the data",
            file=m.source, hint="Choose another name for the derived peak")
    absent = [t for t in pk.sources if t not in have]
    if absent:
        raise InputError(
            f"[peaks] {pk.instrument}: no {pk.instrument} scores at timepoint(s) "
            f"{', '.join(absent)} (data has: {', '.join(sorted(have)) or 'none'})",
            file=m.source, hint="Use canonical timepoints (after [timepoints]) in 'from'")


def derive_peaks(tidy: pd.DataFrame, m: LoadMapping, participants: list[str], ctx: Ctx
           ) -> tuple[pd.DataFrame, list[str]]:
    from ..instruments import peak

    notes: list[str] = []
    parts = [tidy]
    for pk in m.peaks:
        sub = tidy[tidy["instrument"] == pk.instrument]
        check_peak_sources(pk, set(sub["timepoint"]), m)
        sub = sub[sub["timepoint"].isin(pk.sources)]
        for scale in pd.unique(sub["scale"]):
            grp = sub[sub["scale"] == scale]
            mat = grp.pivot(index="participant_id", columns="timepoint", values="score")
            mat = mat.reindex(index=participants, columns=list(pk.sources)).astype(float)
            parts.append(pd.DataFrame({
                "participant_id": np.asarray(participants, dtype=object),
                "timepoint": pk.name, "instrument": pk.instrument, "scale": scale,
                "score": peak(mat.to_numpy(), axis=1),
                "n_answered": pd.array([pd.NA] * len(participants), dtype="Int64"),
                "n_items": pd.array([pd.NA] * len(participants), dtype="Int64")}))
        notes.append(f"{pk.instrument} '{pk.name}' = per-participant maximum over "
                     f"{', '.join(pk.sources)} (each scale; missing sessions ignored)")
    return tidy_frame(parts) if len(parts) > 1 else tidy, notes


def sort_tidy(tidy: pd.DataFrame, participants: list[str], tp_order: list[str],
              m: LoadMapping) -> pd.DataFrame:
    get_instrument = m.instrument
    p_rank = {p: i for i, p in enumerate(participants)}
    t_rank = {t: i for i, t in enumerate(tp_order)}
    s_rank = {}
    for inst_id in pd.unique(tidy["instrument"]):
        for i, s in enumerate(get_instrument(inst_id).scales):
            s_rank[f"{inst_id}.{s}"] = i
    keys = pd.DataFrame({
        "p": tidy["participant_id"].map(p_rank), "i": tidy["instrument"],
        "t": tidy["timepoint"].map(t_rank),
        "s": (tidy["instrument"].astype(str) + "." + tidy["scale"].astype(str)).map(s_rank)})
    order = keys.sort_values(["p", "i", "t", "s"], kind="mergesort").index
    out = tidy.loc[order].reset_index(drop=True)
    return out[list(TIDY_COLUMNS)]
