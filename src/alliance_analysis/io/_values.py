"""Per-participant values (arm, covariates) and the range checks of items and scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import Ctx, fmt_number, missing_reasons, per_unique, to_float
from .mapping import CovariateSpec, LoadMapping, norm
from .readers import column_text, declared_missing_reasons


def per_participant(values: pd.Series, missing: np.ndarray, rows: np.ndarray, pid: pd.Series,
                     col: str, ctx: Ctx, participants: list[str], what: str) -> pd.Series:
    """One value per participant (long: the rows must agree; missing cells are ignored)."""
    keep = ~np.asarray(missing, dtype=bool)
    p_arr = pid.to_numpy(dtype=object)[keep]
    v_arr = values.to_numpy(dtype=object)[keep]
    r_arr = np.asarray(rows)[keep]
    if not pid.duplicated().any():  # one row per participant (wide): nothing to agree
        return pd.Series(v_arr, index=p_arr, dtype=object).reindex(participants)
    p_codes, p_uniq = pd.factorize(p_arr)
    v_codes = pd.factorize(per_unique(v_arr, lambda u: np.array([str(x) for x in u],
                                                                dtype=object)))[0]
    first = np.full(len(p_uniq), -1, dtype=np.int64)  # position of each participant's first row
    first[p_codes[::-1]] = np.arange(len(p_codes))[::-1]
    differ = v_codes != v_codes[first[p_codes]]
    if differ.any():
        k = int(np.flatnonzero(differ)[0])
        f = int(first[p_codes[k]])
        raise ctx.fail(f"participant has two different {what} values (row {int(r_arr[f])} "
                       f"says {v_arr[f]!r})", r_arr[differ], [col] * int(differ.sum()),
                       v_arr[differ].tolist(), hint=f"Give each participant a single {what}")
    return pd.Series(v_arr[first], index=p_uniq, dtype=object).reindex(participants)


def missing_frame(reasons: np.ndarray, rows: np.ndarray, raw: pd.Series, col: str,
                   pos: int) -> tuple[np.ndarray, pd.DataFrame]:
    miss = pd.notna(reasons)
    return miss, pd.DataFrame({"row": rows[miss], "column": col,
                               "value": raw.to_numpy(dtype=object)[miss], "reason": reasons[miss],
                               "_pos": pos})


def arm_values(stripped: pd.DataFrame, rows: np.ndarray, pid: pd.Series, col: str,
                m: LoadMapping, ctx: Ctx, participants: list[str], pos: int
                ) -> tuple[np.ndarray, pd.DataFrame]:
    raw = stripped[col]
    reasons = missing_reasons(raw.to_numpy(dtype=object), m.missing_codes)
    miss, miss_frame = missing_frame(reasons, rows, raw, col, pos)
    values = raw.astype(object)
    if m.arms:
        table = {**{norm(k): v for k, v in m.arms.items()}, **dict(m.arms)}

        def arm_of(u: np.ndarray) -> np.ndarray:
            s = pd.Series(u, dtype=object)
            num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
            alt_text = pd.Series(column_text(num), dtype=object)  # "1.0" -> "1"
            mapped = s.str.lower().map(table)
            return mapped.where(mapped.notna(), alt_text.map(table).to_numpy()).to_numpy(
                dtype=object)

        mapped = pd.Series(per_unique(raw.to_numpy(dtype=object), arm_of), index=raw.index,
                           dtype=object)
        bad = ~miss & mapped.isna().to_numpy()
        if bad.any():
            raise ctx.fail("arm value not listed in the mapping's [arms] table", rows[bad],
                           [col] * int(bad.sum()), raw[bad].tolist(),
                           hint=f"Known values: {', '.join(m.arms)}; add it to [arms]")
        values = mapped.astype(object)
    per = per_participant(values, miss, rows, pid, col, ctx, participants, "arm")
    out = np.array(per.to_numpy(dtype=object), dtype=object)
    out[pd.isna(out)] = None
    miss_frame["column"] = col
    return out, miss_frame


def covariate_values(stripped: pd.DataFrame, rows: np.ndarray, pid: pd.Series, col: str,
                      m: LoadMapping, ctx: Ctx, participants: list[str], pos: int,
                      spec: CovariateSpec | None = None, declared: Any = None
                      ) -> tuple[np.ndarray, pd.DataFrame]:
    """One value per participant: numbers (range-checked when the mapping gives min/max) or
    text (``type = "text"``). In a long file the value repeats on every row of a participant
    and must be the same on all of them (missing cells aside), else refused with the row."""
    raw = stripped[col]
    reasons = missing_reasons(raw.to_numpy(dtype=object), m.missing_codes)
    if declared:  # the file's own missing values (SPSS user-missing)
        own = declared_missing_reasons(raw.to_numpy(dtype=object), declared)
        reasons = np.where(pd.notna(own), own, reasons)
    miss, miss_frame = missing_frame(reasons, rows, raw, col, pos)
    if spec is not None and spec.type == "text":
        per = per_participant(raw.astype(object), miss, rows, pid, col, ctx, participants, col)
        out = np.array(per.to_numpy(dtype=object), dtype=object)
        out[pd.isna(out)] = None
        return out, miss_frame
    num = to_float(np.where(miss, "", raw.to_numpy(dtype=object)))
    bad = ~miss & np.isnan(num)
    if bad.any():
        raise ctx.fail("covariate value is not a number", rows[bad], [col] * int(bad.sum()),
                       raw[bad].tolist(), hint="Use numbers, a missing code from [missing], or "
                       f"declare it as text: [covariates] {spec.name if spec else col} = "
                       f"{{ column = \"{col}\", type = \"text\" }}")
    if spec is not None and (spec.min is not None or spec.max is not None):
        lo = -np.inf if spec.min is None else spec.min
        hi = np.inf if spec.max is None else spec.max
        with np.errstate(invalid="ignore"):
            out_range = ~miss & ((num < lo) | (num > hi))
        if out_range.any():
            raise ctx.fail(f"covariate '{spec.name}' outside its declared range", rows[out_range],
                           [col] * int(out_range.sum()), raw[out_range].tolist(),
                           hint=f"[covariates] {spec.name} ranges {fmt_number(lo)}-"
                           f"{fmt_number(hi)}; check the value, or list a missing-value code in "
                           "[missing] codes")
    per = per_participant(pd.Series(num), miss, rows, pid, col, ctx, participants, col)
    return per.to_numpy(dtype=float), miss_frame


def block_matrix(sub: pd.DataFrame, n_items: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, cell index) matrices, one row per (participant, timepoint) in ``sub`` (and the
    integer code of each such pair)."""
    p_codes = pd.factorize(sub["pid"].to_numpy(dtype=object))[0]
    t_codes, t_uniq = pd.factorize(sub["timepoint"].to_numpy(dtype=object))
    codes, uniques = pd.factorize(p_codes * max(len(t_uniq), 1) + t_codes)
    cols = sub["key"].to_numpy(dtype=np.int64) - 1
    values = np.full((len(uniques), n_items), np.nan)
    where = np.full((len(uniques), n_items), -1, dtype=np.int64)
    values[codes, cols] = sub["value"].to_numpy(dtype=float)
    where[codes, cols] = sub.index.to_numpy()
    return values, where, uniques


def unknown_range_error(inst: Any, scale: str, m: LoadMapping, file: str, column: str,
                        row: int | None = None) -> InputError:
    """A precomputed score whose range is neither known to the package nor declared in the
    mapping's ``[ranges]``: refused (without a range, an undeclared code such as ``-99`` would
    pass as a score; issue 14 §1.3)."""
    where = f" in {m.source}" if m.source else ""
    return InputError(
        f"precomputed {inst.abbreviation} '{scale}' score has no range: the package does not "
        f"know the range of {inst.id} {scale} and the mapping does not declare it",
        file=file, row=row, column=column,
        hint=f"Declare the range of the version your trial used{where}: [ranges] "
        f"\"{inst.id}.{scale}\" = [min, max] (values outside it are then refused unless listed "
        "in [missing] codes)")


def score_range_message(inst: Any, scale: str, rng: tuple) -> tuple[str, str]:
    """What and what to do, for a precomputed score outside its range ``rng``."""
    return (f"precomputed {inst.abbreviation} '{scale}' score outside the scale's range",
            f"{inst.id} {scale} ranges {fmt_number(rng[0])}-{fmt_number(rng[1])}; check the "
            "value, or list a missing-value code in [missing] codes")


def declared_range_notes(keys: Any, m: LoadMapping) -> list[str]:
    """Audit notes for the precomputed scales checked against a range declared in ``[ranges]``."""
    out = []
    for inst_id, scale in sorted(set(keys)):
        if (inst_id, scale) in m.ranges:
            lo, hi = m.ranges[(inst_id, scale)]
            out.append(f"{inst_id} {scale}: values checked against the range declared in "
                       f"[ranges] ({fmt_number(lo)}-{fmt_number(hi)}; the package does not "
                       "know it)")
    return out


def check_ranges(cells: pd.DataFrame, ctx: Ctx, m: LoadMapping) -> list[str]:
    """Refuse item values and precomputed scores outside their range (every precomputed scale
    has one: known to the package or declared in ``[ranges]``, see :func:`unknown_range_error`).
    Returns the audit notes of declared ranges."""
    get_instrument = m.instrument
    bad_idx: list[np.ndarray] = []
    items = cells[cells["kind"] == "item"]
    for inst_id, sub in items.groupby("instrument", sort=True):
        inst = get_instrument(inst_id)
        values, where, _ = block_matrix(sub, inst.n_items)
        mask = inst.out_of_range(values) & (where >= 0)
        idx = where[mask]
        if len(idx):
            bad_idx.append(idx)
    if bad_idx:
        idx = np.concatenate(bad_idx)
        first = first_cell(cells, idx)
        raise located_error(ctx, cells, idx, "item value outside the instrument's range",
                       item_hint(cells, first, m))
    scales = cells[cells["kind"] == "scale"]
    bad_scale: list[np.ndarray] = []
    keys = []
    for (inst_id, scale), sub in scales.groupby(["instrument", "key"], sort=True):
        rng = m.scale_range(inst_id, scale)
        if rng is None:
            i = int(sub.index[np.lexsort((sub["colpos"].to_numpy(), sub["row"].to_numpy()))[0]])
            raise unknown_range_error(get_instrument(inst_id), scale, m, ctx.file,
                                      str(cells.at[i, "column"]), int(cells.at[i, "row"]))
        keys.append((inst_id, scale))
        v = sub["value"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(v) | (v < rng[0]) | (v > rng[1])
        if bad.any():
            bad_scale.append(sub.index.to_numpy()[bad])
    if bad_scale:
        idx = np.concatenate(bad_scale)
        first = first_cell(cells, idx)
        inst_id = cells.at[first, "instrument"]
        inst = get_instrument(inst_id)
        scale = cells.at[first, "key"]
        what, hint = score_range_message(inst, scale, m.scale_range(inst_id, scale))
        raise located_error(ctx, cells, idx, what, hint)
    return declared_range_notes(keys, m)


def item_hint(cells: pd.DataFrame, i: int, m: LoadMapping) -> str:
    inst = m.instrument(cells.at[i, "instrument"])
    c = int(cells.at[i, "key"]) - 1
    return (f"{inst.abbreviation} item {c + 1} takes "
            f"{'whole numbers ' if inst.integer_items else 'values '}"
            f"{fmt_number(inst.item_min[c])}-{fmt_number(inst.item_max[c])}; fix the value or, if it is a "
            "missing-value code, list it in the mapping: [missing] codes = [...]")


def first_cell(cells: pd.DataFrame, idx: np.ndarray) -> int:
    order = np.lexsort((cells["colpos"].to_numpy()[idx], cells["row"].to_numpy()[idx]))
    return int(idx[order[0]])


def located_error(ctx: Ctx, cells: pd.DataFrame, idx: np.ndarray, what: str, hint: str
             ) -> InputError:
    return ctx.fail(what, cells["row"].to_numpy()[idx], cells["column"].to_numpy()[idx],
                    cells["raw"].to_numpy()[idx], colpos=cells["colpos"].to_numpy()[idx],
                    hint=hint)
