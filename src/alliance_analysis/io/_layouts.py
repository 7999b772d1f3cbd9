"""Wide and long layouts → the canonical *cell* table (one line per supplied value).

Cell table columns: ``pid, timepoint, instrument, kind`` (``item``/``scale``), ``key`` (item
number or scale name), ``raw`` (as typed), ``text`` (trimmed), ``row`` (spreadsheet row),
``column`` (file column name), ``colpos`` (its position, for "first problem" ordering).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import TP_LONG, TP_PLAIN, WIDE_KEY, Columns, Ctx, lower_text, per_unique
from ._values import unknown_range_error
from .mapping import LONG_COLUMNS, LoadMapping, norm


def canon_timepoint(label: str, m: LoadMapping) -> str | None:
    """Canonical timepoint of a label when a [timepoints] table is given (None if unknown)."""
    key = norm(label)
    if key in m.timepoints:
        return m.timepoints[key]
    for canon in m.timepoints.values():
        if norm(canon) == key:
            return canon
    return None


def parse_wide_column(name: str, m: LoadMapping, ctx: Ctx) -> tuple[str, str, str, Any]:
    """(instrument id, timepoint, kind, key) of an instrument column; InputError otherwise."""
    get_instrument = m.instrument
    n = norm(name)
    dotted = WIDE_KEY.match(n)
    if dotted:
        label, suffix, tp_label = dotted.groups()
        if label not in m.instruments:
            raise InputError(
                f"unknown instrument '{label}' in a column <instrument>.<scale>.<timepoint>",
                file=ctx.file, row=1, column=name,
                hint=f"Known: {', '.join(sorted(m.instruments))}; map it in [instruments]")
        inst = get_instrument(m.instruments[label])
        if m.timepoints:
            tp = canon_timepoint(tp_label, m)
            if tp is None:
                raise InputError(f"unknown timepoint '{tp_label}'", file=ctx.file, row=1,
                                 column=name, hint=f"Timepoints in the mapping: "
                                 f"{', '.join(m.timepoints)}; add it to [timepoints]")
        else:
            tp = tp_label
            if not TP_LONG.match(tp):
                raise InputError(
                    f"timepoint '{tp}' is not a simple name (letters, digits, '_', '-')",
                    file=ctx.file, row=1, column=name,
                    hint="Rename it, or map the label in [timepoints]")
        if suffix not in inst.precomputed_scales:
            raise InputError(
                f"{inst.abbreviation} has no scale '{suffix}'", file=ctx.file, row=1,
                column=name, hint=f"Scales of {inst.id}: {', '.join(inst.precomputed_scales)}")
        return inst.id, tp, "scale", suffix
    prefix = next((p for p in sorted(m.instruments, key=len, reverse=True)
                   if n.startswith(p + "_")), None)
    if prefix is None:
        raise InputError(
            "column is not the participant id, arm, a covariate or an instrument column "
            "<prefix>_<timepoint>_<item number or scale> with a known prefix",
            file=ctx.file, row=1, column=name,
            hint=f"Known prefixes: {', '.join(sorted(m.instruments))}. Map yours in "
            "[instruments], list numeric extra columns under [covariates], or drop a column "
            "with [layout] ignore_columns")
    inst = get_instrument(m.instruments[prefix])
    rest = n[len(prefix) + 1:]
    if m.timepoints:
        labels = sorted({*m.timepoints, *(norm(v) for v in m.timepoints.values())},
                        key=len, reverse=True)
        label = next((lab for lab in labels if rest == lab or rest.startswith(lab + "_")), None)
        if label is None:
            raise InputError(
                f"unknown timepoint '{rest.rpartition('_')[0] or rest}' in an instrument "
                "column", file=ctx.file, row=1, column=name,
                hint=f"Timepoints in the mapping: {', '.join(m.timepoints)}; add it to "
                "[timepoints]")
        tp = canon_timepoint(label, m)
        suffix = rest[len(label) + 1:]
    else:
        tp, _, suffix = rest.partition("_")
        if not TP_PLAIN.match(tp):
            raise InputError(
                f"cannot read a timepoint from the column name ('{tp}' must start with a letter)",
                file=ctx.file, row=1, column=name,
                hint="Name instrument columns <prefix>_<timepoint>_<item> (e.g. wai_prep_1), or "
                "list the labels in the mapping's [timepoints] table")
    if suffix == "":
        suffix = "total"
    if suffix.isdecimal():
        item = int(suffix)
        if not inst.accepts_items:
            raise InputError(
                f"{inst.abbreviation} ({inst.id}) accepts precomputed scale scores only "
                f"({', '.join(inst.precomputed_scales)}), not items: {inst.reason}",
                file=ctx.file, row=1, column=name,
                hint=f"Supply the trial's scale scores instead, e.g. a column "
                f"{prefix}_{tp}_{inst.precomputed_scales[0]}")
        if not 1 <= item <= inst.n_items:
            raise InputError(
                f"{inst.abbreviation} has items 1-{inst.n_items}, not {item}", file=ctx.file,
                row=1, column=name, hint="Check the item number in the column name")
        return inst.id, tp, "item", item
    if suffix not in inst.precomputed_scales:
        raise InputError(
            f"{inst.abbreviation} has no scale '{suffix}' (and it is not an item number)",
            file=ctx.file, row=1, column=name,
            hint=f"Scales of {inst.id}: {', '.join(inst.precomputed_scales)}"
            + ("" if m.timepoints else "; timepoint labels cannot contain '_' unless listed in "
               "[timepoints]"))
    return inst.id, tp, "scale", suffix


def wide_columns(columns: Any, m: LoadMapping, ctx: Ctx, used: set) -> dict[str, tuple]:
    """File column → (instrument, timepoint, kind, key) of every instrument column of a wide
    table (header errors refused: unknown prefix or timepoint, duplicates, incomplete items)."""
    parsed: dict[str, tuple] = {}
    seen: dict[tuple, str] = {}
    for col in columns:
        if col in used:
            continue
        key = parse_wide_column(col, m, ctx)
        if key in seen:
            raise InputError(
                f"columns '{seen[key]}' and '{col}' both hold {key[2]} {key[3]} of {key[0]} at "
                f"timepoint {key[1]}", file=ctx.file, row=1, column=col,
                hint="Keep one of them (or list one under [layout] ignore_columns)")
        seen[key] = col
        parsed[col] = key
        if key[2] == "scale" and m.scale_range(key[0], key[3]) is None:
            raise unknown_range_error(m.instrument(key[0]), key[3], m, ctx.file, col, 1)
    check_blocks(parsed, ctx, m)
    return parsed


def wide_cells(text: pd.DataFrame, stripped: Any, rows: np.ndarray, pid: pd.Series,
                m: LoadMapping, ctx: Ctx, used: set, colpos: dict) -> pd.DataFrame:
    parsed = wide_columns(text.columns, m, ctx, used)
    n = len(text)
    parts = []
    for col, (inst, tp, kind, key) in parsed.items():
        parts.append(pd.DataFrame({
            "pid": pid.to_numpy(), "timepoint": tp, "instrument": inst, "kind": kind,
            "key": [key] * n, "raw": text[col].to_numpy(dtype=object),
            "text": stripped[col].to_numpy(dtype=object), "row": rows, "column": col,
            "colpos": colpos[col]}))
    return concat_cells(parts)


def concat_cells(parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = ["pid", "timepoint", "instrument", "kind", "key", "raw", "text", "row", "column",
               "colpos"]
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype="int64" if c in ("row", "colpos")
                                          else object) for c in columns})
    cells = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    for c in ("pid", "timepoint", "instrument", "kind", "key", "raw", "text", "column"):
        if cells[c].dtype != object:
            cells[c] = cells[c].astype(object)
    return cells


def _obj(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=object)


def _mapped(col: pd.Series, table: dict) -> pd.Series:
    """``col.str.lower().map(table)`` (NaN where not in the table), once per distinct cell."""
    out = per_unique(col.to_numpy(dtype=object), lambda u: pd.Series(
        u, dtype=object).str.lower().map(table).to_numpy(dtype=object))
    return pd.Series(out, index=col.index, dtype=object)


def check_blocks(parsed: dict[str, tuple], ctx: Ctx, m: LoadMapping) -> None:
    """Refuse items mixed with precomputed scores, and incomplete item sets (wide)."""
    get_instrument = m.instrument
    blocks: dict[tuple[str, str], dict[str, list]] = {}
    for col, (inst, tp, kind, key) in parsed.items():
        blocks.setdefault((inst, tp), {"item": [], "scale": []})[kind].append((key, col))
    for (inst_id, tp), kinds in blocks.items():
        inst = get_instrument(inst_id)
        if kinds["item"] and kinds["scale"]:
            col = kinds["scale"][0][1]
            raise InputError(
                f"{inst_id} at timepoint {tp} has both item columns and a precomputed "
                f"'{kinds['scale'][0][0]}' column", file=ctx.file, row=1, column=col,
                hint="The loader scores the items itself; list the precomputed column under "
                "[layout] ignore_columns (or drop the item columns to use your scores)")
        if kinds["item"]:
            have = {k for k, _ in kinds["item"]}
            absent = [i for i in inst.item_ids if i not in have]
            if absent:
                raise InputError(
                    f"{inst_id} at timepoint {tp}: item column(s) "
                    f"{', '.join(map(str, absent))} missing (the form has {inst.n_items} items)",
                    file=ctx.file, row=1, column=kinds["item"][0][1],
                    hint="Add the missing item columns (empty cells if not answered)")


def long_cells(text: pd.DataFrame, stripped: pd.DataFrame, rows: np.ndarray, pid: pd.Series,
                m: LoadMapping, ctx: Ctx, cols: Columns, used: set, colpos: dict
                ) -> pd.DataFrame:
    get_instrument = m.instrument
    why = "(long layout)"
    tp_col = cols.get("timepoint", True, why)
    inst_col = cols.get("instrument", True, why)
    val_col = cols.get("value", True, why)
    item_col = cols.get("item", False)
    scale_col = cols.get("scale", False)
    if item_col is None and scale_col is None and not m.scores:
        raise InputError("the long layout needs an 'item' and/or a 'scale' column",
                         file=ctx.file, row=1, hint="Map them in [columns] item = \"...\" / "
                         "scale = \"...\"")
    known = used | {tp_col, inst_col, val_col, item_col, scale_col} - {None}
    for col in text.columns:
        if col not in known:
            raise InputError(
                "column is not part of the long layout", file=ctx.file, row=1, column=col,
                hint=f"Long-layout columns: {', '.join(LONG_COLUMNS)}; list numeric extras under "
                "[covariates], or drop it with [layout] ignore_columns")
    n = len(text)
    inst_raw = stripped[inst_col]
    inst_id = _mapped(inst_raw, dict(m.instruments))
    bad = inst_id.isna().to_numpy()
    if bad.any():
        raise ctx.fail("unknown instrument", rows[bad], [inst_col] * int(bad.sum()),
                       text[inst_col][bad].tolist(),
                       hint=f"Known: {', '.join(sorted(m.instruments))}; map it in [instruments]")
    tp_raw = stripped[tp_col]
    if m.timepoints:
        table = {**{norm(v): v for v in m.timepoints.values()}, **m.timepoints}
        tp = _mapped(tp_raw, table)
        bad = tp.isna().to_numpy()
        hint = f"Timepoints in the mapping: {', '.join(m.timepoints)}; add it to [timepoints]"
    else:
        tp = lower_text(tp_raw)
        bad = ~per_unique(tp.to_numpy(dtype=object), lambda u: pd.Series(
            u, dtype=object).str.match(TP_LONG.pattern).to_numpy(dtype=bool)).astype(bool)
        hint = ("Use simple labels (letters, digits, '_', '-'), or map them in [timepoints] "
                "(e.g. \"Week 4\" = \"wk4\")")
    if bad.any():
        raise ctx.fail("unknown or empty timepoint", rows[bad], [tp_col] * int(bad.sum()),
                       text[tp_col][bad].tolist(), hint=hint)
    item_txt = stripped[item_col] if item_col is not None else pd.Series([""] * n, dtype=object)
    # without item and scale columns (pre-scored totals declared in [scores]) each row is a total
    scale_txt = (lower_text(stripped[scale_col]) if scale_col is not None
                 else pd.Series(["" if item_col is not None else "total"] * n, dtype=object))
    item_txt = item_txt.reset_index(drop=True)
    scale_txt = scale_txt.reset_index(drop=True)
    both = ((item_txt != "") & (scale_txt != "")).to_numpy()
    if both.any():
        raise ctx.fail("row gives both an item and a scale", rows[both],
                       [scale_col] * int(both.sum()), scale_txt[both].tolist(),
                       hint="Each row holds one value: an item response or a scale score")
    neither = ((item_txt == "") & (scale_txt == "")).to_numpy()
    if neither.any():
        col = item_col if item_col is not None else scale_col
        raise ctx.fail("row names neither an item nor a scale", rows[neither],
                       [col] * int(neither.sum()), [""] * int(neither.sum()),
                       hint="Fill in the item number (or the scale name, e.g. total)")
    kind = np.where(item_txt.to_numpy() != "", "item", "scale").astype(object)
    key = np.empty(n, dtype=object)
    inst_arr = inst_id.to_numpy(dtype=object)
    item_num = per_unique(item_txt.to_numpy(dtype=object), lambda u: pd.to_numeric(
        pd.Series(u, dtype=object), errors="coerce").to_numpy(dtype=float)).astype(float)
    item_lower = lower_text(item_txt)
    for iid in pd.unique(inst_arr):
        inst = get_instrument(iid)
        sel = inst_arr == iid
        # an 'item' cell holding a scale name is a scale score
        as_scale = sel & (kind == "item") & np.isnan(item_num) & item_lower.isin(
            inst.precomputed_scales).to_numpy()
        kind[as_scale] = "scale"
        scale_name = np.where(as_scale, item_lower.to_numpy(dtype=object),
                              scale_txt.to_numpy(dtype=object))
        is_item = sel & (kind == "item")
        if is_item.any() and not inst.accepts_items:
            raise ctx.fail(
                f"{inst.abbreviation} ({inst.id}) accepts precomputed scale scores only "
                f"({', '.join(inst.precomputed_scales)}), not items: {inst.reason}",
                rows[is_item], [item_col] * int(is_item.sum()), item_txt[is_item].tolist(),
                hint="Supply the trial's scale scores (a scale column, e.g. total) instead")
        num = item_num[is_item]
        okay = np.isfinite(num) & (num == np.round(np.nan_to_num(num))) & (num >= 1) & (
            num <= inst.n_items)
        if not okay.all():
            idx = np.flatnonzero(is_item)[~okay]
            raise ctx.fail(
                f"not an item number of {inst.abbreviation} (items 1-{inst.n_items}) nor one of "
                f"its scales", rows[idx], [item_col] * len(idx), item_txt.iloc[idx].tolist(),
                hint=f"Scales of {inst.id}: {', '.join(inst.precomputed_scales)}")
        key[is_item] = num.astype(np.int64)
        is_scale = sel & (kind == "scale")
        names = scale_name[is_scale]
        okay = pd.Series(names, dtype=object).isin(inst.precomputed_scales).to_numpy()
        if not okay.all():
            idx = np.flatnonzero(is_scale)[~okay]
            src = [item_col if as_scale[i] else scale_col for i in idx]
            raise ctx.fail(f"{inst.abbreviation} has no scale of this name", rows[idx], src,
                           scale_name[idx].tolist(),
                           hint=f"Scales of {inst.id}: {', '.join(inst.precomputed_scales)}")
        key[is_scale] = names
        for name in pd.unique(names):
            if m.scale_range(iid, name) is None:
                i = int(np.flatnonzero(is_scale)[np.flatnonzero(names == name)[0]])
                col = (item_col if as_scale[i] else scale_col) or val_col
                raise unknown_range_error(inst, name, m, ctx.file, col, int(rows[i]))
    cells = pd.DataFrame({
        "pid": _obj(pid.to_numpy(dtype=object)), "timepoint": _obj(tp.to_numpy(dtype=object)),
        "instrument": _obj(inst_arr), "kind": _obj(kind), "key": _obj(key),
        "raw": _obj(text[val_col].to_numpy(dtype=object)),
        "text": _obj(stripped[val_col].to_numpy(dtype=object)), "row": rows,
        "column": _obj(np.full(n, val_col, dtype=object)), "colpos": colpos[val_col]})
    # one integer code per participant x timepoint x instrument x kind x key (key as text)
    ident = pd.DataFrame({c: pd.factorize(cells[c].to_numpy(dtype=object))[0]
                          for c in ("pid", "timepoint", "instrument", "kind")})
    ident["k"] = pd.factorize(per_unique(key, lambda u: np.array([str(x) for x in u],
                                                                dtype=object)))[0]
    dup = ident.duplicated(keep="first").to_numpy()
    if dup.any():
        j = int(np.flatnonzero(dup)[0])
        same = (ident.to_numpy() == ident.to_numpy()[j]).all(axis=1)
        match = int(rows[np.flatnonzero(same)[0]])
        raise ctx.fail(
            f"duplicate row: participant × timepoint × instrument × {cells['kind'].iloc[j]} "
            f"already given in row {match}", rows[dup], [pid.name] * int(dup.sum()),
            pid[dup].tolist(), kind="duplicate rows",
            hint="Each participant, timepoint, instrument and item (or scale) appears once; "
            "remove the duplicate or fix its timepoint")
    blocks = ident.groupby(["instrument", "timepoint"], sort=False)["kind"].nunique()
    mixed = blocks[blocks > 1]
    if len(mixed):
        j0 = int(np.flatnonzero((ident["instrument"] == mixed.index[0][0]).to_numpy()
                                & (ident["timepoint"] == mixed.index[0][1]).to_numpy())[0])
        inst_id0, tp0 = cells["instrument"].iat[j0], cells["timepoint"].iat[j0]
        sel = ((cells["instrument"] == inst_id0) & (cells["timepoint"] == tp0)
               & (cells["kind"] == "scale")).to_numpy()
        raise ctx.fail(
            f"{inst_id0} at timepoint {tp0} has both item responses and precomputed scores",
            rows[sel], [val_col] * int(sel.sum()), cells["raw"][sel].tolist(),
            hint="The loader scores the items itself; remove the precomputed rows (or the items)")
    return concat_cells([cells])
