"""The wide layout validated and scored column by column (no table of one line per cell).

For each instrument column: numbers (a column the reader parsed as numbers is used as it is;
a text column is parsed once), the cells set missing (empty, a missing code, a value the file
declares missing) and the cells that are not numbers; then per instrument × timepoint the item
matrix is range-checked (:meth:`Instrument.out_of_range`) and scored (:meth:`Instrument.score`)
in blocks of rows. Every refusal reports the first offending cell in (row, column) order "and N
more", with the cell as typed in the file — exactly what the cell-table path of
:mod:`._layouts` reports; ``tests/test_io_columnwise.py`` checks that both agree.

Memory: the values of a column are kept in the smallest exact float dtype (2 bytes per item
response); the item matrix of one instrument × timepoint exists for one block of rows at a time.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ._common import Ctx, fmt_number, missing_reasons, numeric_codes, release_memory, to_float
from ._values import declared_range_notes, score_range_message, unknown_range_error
from .mapping import LoadMapping
from .readers import TextTable, compact, declared_missing_reasons

_CODED = "\x00coded"  # placeholder reason until the cells as typed are read back
#: Rows scored at once (bounds the float64 item matrix of one block).
BLOCK_ROWS = 1 << 15


@dataclasses.dataclass
class WideColumns:
    """What the column-wise pass hands back to :func:`alliance_analysis.io.core._load`."""

    values: dict[str, np.ndarray]          # file column -> values (file row order, NaN = missing)
    missing: pd.DataFrame                  # row, column, value, reason, _pos
    notes: list[str]


def column_values(table: TextTable, col: str, series: pd.Series, pos: np.ndarray,
                  rows: np.ndarray, colpos: int, m: LoadMapping
                  ) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """(values, missing cells, positions of cells that are not numbers) of one column.

    ``pos``: the rows' positions in the table as read (to fetch cells as typed)."""
    declared = table.declared_missing.get(col)
    if series.dtype.kind in "fiub" and not declared:
        v = series.to_numpy()
        if v.dtype.kind != "f":
            v = v.astype(np.float64)
        empty = np.isnan(v)
        codes = numeric_codes(m.missing_codes)
        coded = np.isin(v, codes) if codes else np.zeros(len(v), dtype=bool)
        if coded.any():
            v = v.astype(np.float64)  # a copy: coded cells become NaN below
        if coded.any():  # the cell as typed is filled in by validate_columns (one re-read)
            v[coded] = np.nan
        miss = np.flatnonzero(empty | coded)  # only the missing cells get a reason (memory)
        reasons = np.where(coded[miss], _CODED, "empty cell").astype(object)
        typed = np.full(len(miss), "", dtype=object)
        frame = pd.DataFrame({"row": rows[miss], "column": col, "value": typed,
                              "reason": reasons, "_pos": colpos})
        return v, frame, np.zeros(0, dtype=np.int64)
    raw = series.to_numpy(dtype=object)
    text = pd.Series(raw, dtype=object).astype(str).str.strip().to_numpy(dtype=object)
    reasons = missing_reasons(text, m.missing_codes)
    if declared:
        own = declared_missing_reasons(text, declared)
        hit = pd.notna(own)
        reasons[hit] = own[hit]
    miss = pd.notna(reasons)
    v = to_float(np.where(miss, "", text))
    bad = np.flatnonzero(~miss & np.isnan(v))
    v[miss] = np.nan
    frame = pd.DataFrame({"row": rows[miss], "column": col, "value": raw[miss],
                          "reason": reasons[miss], "_pos": colpos})
    return v, frame, bad


def validate_columns(table: TextTable, text: pd.DataFrame, pos: np.ndarray, rows: np.ndarray,
                     parsed: dict[str, tuple], m: LoadMapping, ctx: Ctx, colpos: dict
                     ) -> WideColumns:
    """Numbers, missing cells and range checks of every instrument column (refusals as the
    cell-table path makes them)."""
    values: dict[str, np.ndarray] = {}
    parts: list[pd.DataFrame] = []
    bad_rows, bad_cols, bad_vals, bad_pos = [], [], [], []
    for col in parsed:
        v, miss, bad = column_values(table, col, text[col], pos, rows, colpos[col], m)
        if len(miss):
            parts.append(miss)
        if len(bad):
            bad_rows.append(rows[bad])
            bad_cols += [col] * len(bad)
            bad_vals += list(table.typed(col, pos[bad]))
            bad_pos.append(np.full(len(bad), colpos[col]))
        values[col] = v if v.dtype in (np.float16, np.float32) else compact(v)
    if bad_rows:
        codes = ", ".join(repr(c) for c in m.missing_codes if c != "")
        raise ctx.fail(
            "value is not a number", np.concatenate(bad_rows), bad_cols, bad_vals,
            colpos=np.concatenate(bad_pos),
            hint=f"Use numbers ('.' as decimal point), leave the cell empty, or declare the "
            f"code as missing in the mapping: [missing] codes = [...] (now: {codes or 'none'})")
    _check_items(table, values, pos, rows, parsed, m, ctx, colpos)
    notes = _check_scales(table, values, pos, rows, parsed, m, ctx, colpos)
    missing = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["row", "column", "value", "reason", "_pos"])
    coded = np.flatnonzero((missing["reason"] == _CODED).to_numpy()) if len(missing) else []
    if len(coded):  # numeric missing codes of columns read as numbers: the cells as typed
        sub = missing.iloc[coded]
        row_pos = {r: i for i, r in enumerate(rows)}
        wanted = {c: pos[[row_pos[r] for r in g["row"]]] for c, g in sub.groupby("column")}
        got = table.typed_many(wanted)
        value = missing["value"].to_numpy(dtype=object).copy()
        reason = missing["reason"].to_numpy(dtype=object).copy()
        for c in wanted:
            idx = coded[np.flatnonzero((sub["column"] == c).to_numpy())]
            value[idx] = got[c]
            reason[idx] = [f"missing code '{str(x).strip()}'" for x in got[c]]
        missing = missing.assign(value=value, reason=reason)
    return WideColumns(values=values, missing=missing, notes=notes)


def item_blocks(parsed: dict[str, tuple]) -> dict[tuple[str, str], list[str]]:
    """(instrument, timepoint) → its item columns in item order."""
    blocks: dict[tuple[str, str], dict[int, str]] = {}
    for col, (inst, tp, kind, key) in parsed.items():
        if kind == "item":
            blocks.setdefault((inst, tp), {})[int(key)] = col
    return {k: [v[i] for i in sorted(v)] for k, v in blocks.items()}


def block_matrix(values: dict[str, np.ndarray], columns: list[str], sel: Any = slice(None)
                 ) -> np.ndarray:
    return np.column_stack([values[c][sel].astype(np.float64) for c in columns])


def _check_items(table: TextTable, values: dict, pos: np.ndarray, rows: np.ndarray,
                 parsed: dict, m: LoadMapping, ctx: Ctx, colpos: dict) -> None:
    hits_r, hits_c = [], []
    n = len(rows)
    for (inst_id, _tp), columns in item_blocks(parsed).items():
        inst = m.instrument(inst_id)
        for start in range(0, n, BLOCK_ROWS):
            sel = slice(start, min(n, start + BLOCK_ROWS))
            mask = inst.out_of_range(block_matrix(values, columns, sel))
            r, c = np.nonzero(mask)
            if len(r):
                hits_r.append(r + start)
                hits_c += [columns[j] for j in c]
    if not hits_r:
        return
    r = np.concatenate(hits_r)
    cp = np.array([colpos[c] for c in hits_c])
    order = np.lexsort((cp, rows[r]))
    first_col = hits_c[int(order[0])]
    inst_id, _, _, item = parsed[first_col]
    inst = m.instrument(inst_id)
    c = int(item) - 1
    hint = (f"{inst.abbreviation} item {c + 1} takes "
            f"{'whole numbers ' if inst.integer_items else 'values '}"
            f"{fmt_number(inst.item_min[c])}-{fmt_number(inst.item_max[c])}; fix the value or, "
            "if it is a missing-value code, list it in the mapping: [missing] codes = [...]")
    shown = [table.typed(hits_c[i], pos[[r[i]]])[0] if i == int(order[0]) else ""
             for i in range(len(r))]
    raise ctx.fail("item value outside the instrument's range", rows[r], hits_c, shown,
                   colpos=cp, hint=hint)


def _check_scales(table: TextTable, values: dict, pos: np.ndarray, rows: np.ndarray,
                  parsed: dict, m: LoadMapping, ctx: Ctx, colpos: dict) -> list[str]:
    keys = []
    hits_r, hits_c = [], []
    for col, (inst_id, _tp, kind, scale) in parsed.items():
        if kind != "scale":
            continue
        rng = m.scale_range(inst_id, scale)
        if rng is None:  # refused with the header already (wide_columns); kept for safety
            raise unknown_range_error(m.instrument(inst_id), scale, m, ctx.file, col, 1)
        keys.append((inst_id, scale))
        v = values[col].astype(np.float64)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(v) | (v < rng[0]) | (v > rng[1])
        idx = np.flatnonzero(bad)
        if len(idx):
            hits_r.append(idx)
            hits_c += [col] * len(idx)
    if hits_r:
        r = np.concatenate(hits_r)
        cp = np.array([colpos[c] for c in hits_c])
        k = int(np.lexsort((cp, rows[r]))[0])
        inst_id, _, _, scale = parsed[hits_c[k]]
        inst = m.instrument(inst_id)
        what, hint = score_range_message(inst, scale, m.scale_range(inst_id, scale))
        shown = [table.typed(hits_c[i], pos[[r[i]]])[0] if i == k else ""
                 for i in range(len(r))]
        raise ctx.fail(what, rows[r], hits_c, shown, colpos=cp, hint=hint)
    return declared_range_notes(keys, m)


def score_keys(parsed: dict[str, tuple], m: LoadMapping) -> list[tuple[str, str, str]]:
    """The (instrument, timepoint, scale) keys :func:`score_blocks` fills, in its order (the
    scales of an item block as :meth:`Instrument.score` returns them, from a one-row dry run)."""
    keys: list[tuple[str, str, str]] = []
    for (inst_id, tp), columns in item_blocks(parsed).items():
        inst = m.instrument(inst_id)
        keys += [(inst_id, tp, scale) for scale in inst.score(np.full((1, len(columns)), np.nan))]
    keys += [(inst_id, tp, scale) for (inst_id, tp, kind, scale) in parsed.values()
             if kind == "scale"]
    return keys


def score_blocks(values: dict[str, np.ndarray], parsed: dict[str, tuple], order: np.ndarray,
                 m: LoadMapping, out: dict[tuple[str, str, str], np.ndarray]
                 ) -> dict[tuple[str, str, str], tuple[np.ndarray, int]]:
    """Scores per (instrument, timepoint, scale) in participant order (``order``: file row of
    each participant), written into ``out`` (a float64 array per key of :func:`score_keys`,
    e.g. the columns of the wide view's matrix: the scores are built in place, block by block);
    returns (n_answered, n_items) of item-scored scales."""
    counts: dict[tuple[str, str, str], tuple[np.ndarray, int]] = {}
    n = len(order)
    for (inst_id, tp), columns in item_blocks(parsed).items():
        release_memory()  # the last block's temporaries
        inst = m.instrument(inst_id)
        answered: dict[str, np.ndarray] = {}
        for start in range(0, n, BLOCK_ROWS):
            sel = order[start:start + BLOCK_ROWS]
            for scale, res in inst.score(block_matrix(values, columns, sel)).items():
                out[(inst_id, tp, scale)][start:start + len(sel)] = res.score
                if scale not in answered:  # counts of answered items fit a small integer
                    answered[scale] = np.zeros(n, dtype=np.uint8 if res.n_items < 256
                                               else np.int64)
                answered[scale][start:start + len(sel)] = res.n_answered
                counts[(inst_id, tp, scale)] = (answered[scale], int(res.n_items))
    for col, (inst_id, tp, kind, scale) in parsed.items():
        if kind == "scale":
            out[(inst_id, tp, scale)][:] = values[col][order]
    return counts
