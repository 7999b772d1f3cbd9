"""Load, validate and score a trial table into canonical tidy and wide tables.

Pipeline (vectorised over rows; loops only over columns, instruments, timepoints and scales):

1. text table (:mod:`.readers`) → rows with no value at all are excluded (audited); participant
   ids checked (:mod:`._ids`): the same id typed two ways (case, inner spaces) is refused as a
   likely duplicate, and ids must match ``[columns] participant_id_pattern`` when given;
2. layout (wide or long) → a canonical *cell* table: one line per supplied value with participant,
   timepoint, instrument, kind (``item``/``scale``), key (item number or scale name), the text as
   typed, its spreadsheet row and file column;
3. missing codes and empty cells → missing (every one audited); refusals, each reporting the first
   offending cell plus "and N more such cells": non-numeric values, item values the instrument
   rejects (:meth:`Instrument.out_of_range`), precomputed scores outside the scale's range;
4. scoring with :meth:`Instrument.score`; precomputed scores passed through; peaks derived;
5. ``tidy`` (one row per participant × timepoint × instrument × scale) and ``wide`` views.

A wide table takes steps 2-4 column by column instead (:mod:`._widecols`: no cell table, so
memory stays near the size of the numbers; ``tidy`` and ``items`` are built on first use); the
cell table remains the long layout's path and the reference the column-wise path is tested
against (``_load(..., columnwise=False)``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import (
    DEFAULT_COLUMN_NAMES,
    TIDY_COLUMNS,
    WIDE_KEY,
    Columns,
    Ctx,
    missing_reasons,
    natural_key,
    natural_order,
    numeric_codes,
    release_memory,
    stripped_text,
    to_float,
)
from ._ids import check_participant_ids, normalise_ids
from ._layouts import long_cells, wide_cells, wide_columns
from ._scoring import check_peak_sources, derive_peaks, score_cells, sort_tidy, timepoint_order
from ._values import arm_values, check_ranges, covariate_values
from ._widecols import item_blocks, score_blocks, score_keys, validate_columns
from .audit import EXCLUDED_COLUMNS, IGNORED_COLUMNS, MISSING_COLUMNS, AuditRecord
from .mapping import LoadMapping, norm, parse_mapping
from .readers import (
    MEMORY_PER_LONG_FILE_BYTE,
    TEXT_EXTENSIONS,
    TextTable,
    blank_rows,
    check_memory,
    column_text,
    declared_missing_reasons,
    grid_to_table,
    read_table,
)
from .wide import to_wide


@dataclasses.dataclass(frozen=True, eq=False)
class LoadResult:
    """What :func:`load_table` / :func:`load_frame` return.

    - ``tidy``: columns :data:`TIDY_COLUMNS`, one row per participant × timepoint × instrument ×
      scale; ``n_answered``/``n_items`` (Int64) are <NA> for precomputed and peak scores.
    - ``wide``: one row per participant (index ``participant_id``), column ``arm``, covariates,
      then one float column per ``"{instrument}.{scale}.{timepoint}"`` (peaks included).
    - ``items``: validated item responses, long (:data:`ITEM_COLUMNS`; NaN = missing), or None.
    - ``audit``: :class:`~alliance_analysis.io.audit.AuditRecord`.
    """

    tidy_source: Any
    wide: pd.DataFrame
    audit: AuditRecord
    items_source: Any = None
    mapping: LoadMapping = dataclasses.field(default_factory=LoadMapping)

    @property
    def tidy(self) -> pd.DataFrame:
        """The tidy table (built from the validated scores on first use, then kept)."""
        return self._built("tidy_source")

    @property
    def items(self) -> pd.DataFrame | None:
        """The validated item responses, long (built on first use, then kept), or None."""
        return self._built("items_source")

    def _built(self, name: str) -> Any:
        value = getattr(self, name)
        if callable(value):
            value = value()
            object.__setattr__(self, name, value)
        return value

    def scores_long(self, covariates: bool = True) -> pd.DataFrame:
        """A long tidy table of the scores: one row per participant × timepoint × measure.

        Columns ``participant_id, arm, timepoint, scale, score`` then the per-participant
        covariates (one column each, the value repeated on every row of the participant).
        ``scale`` is the file's name of the measure: the label of a total declared in
        ``[scores]`` (e.g. ``hamd``), else ``<instrument>.<scale>`` (e.g. ``wai_sr.total``).
        ``timepoint`` is an ordered categorical (the audit's timepoint order). ``score`` is NaN
        where the value is missing (an empty or coded cell, or no row in the file).
        """
        t = self.tidy
        declared = t["instrument"].isin(list(self.mapping.scores)) & (t["scale"] == "total")
        scale = t["instrument"].where(declared, t["instrument"] + "." + t["scale"])
        order = list(self.audit.timepoint_order) or list(pd.unique(t["timepoint"]))
        out = pd.DataFrame({
            "participant_id": t["participant_id"].to_numpy(dtype=object),
            "arm": t["arm"].to_numpy(dtype=object),
            "timepoint": pd.Categorical(t["timepoint"], categories=order, ordered=True),
            "scale": scale.to_numpy(dtype=object),
            "score": t["score"].to_numpy(dtype=float)})
        if covariates:
            names = list(self.mapping.covariates)
            cov = self.wide[names].reindex(out["participant_id"].to_numpy())
            for c in names:
                out[c] = cov[c].to_numpy()
        return out


def load_table(path: str | Path, mapping: Any = None) -> LoadResult:
    """Read ``path`` (CSV/TSV/XLSX/SAV) with ``mapping`` (TOML path, dict, LoadMapping or None),
    validate and score it. Raises :class:`InputError` (file, row, column, value, what to do)."""
    m = parse_mapping(mapping)
    table = read_table(path, sheet=m.sheet, delimiter=m.delimiter, numeric=_numeric_columns(m))
    return _load(table, m)


def _numeric_columns(m: LoadMapping) -> Any:
    """Which header names the reader may parse as numbers: in a wide table, every column that is
    not the id, the arm, a covariate or ignored (a long table is read as text)."""
    if m.kind == "long":
        return None
    text_roles = {norm(m.columns.get(c, c)) for c in DEFAULT_COLUMN_NAMES}
    text_roles |= {norm(n) for names in DEFAULT_COLUMN_NAMES.values() for n in names}
    text_roles |= set(m.covariates.values()) | set(m.ignore_columns)

    def numeric(name: str) -> bool:
        return norm(name) not in text_roles

    return numeric


def load_frame(df: pd.DataFrame, mapping: Any = None, source_name: str = "<frame>") -> LoadResult:
    """Like :func:`load_table` for an in-memory frame; its column names are the header row and
    its rows are reported as spreadsheet rows (first data row = row 2)."""
    m = parse_mapping(mapping)
    if not isinstance(df, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", file=source_name,
                         value=type(df).__name__)
    if df.shape[1] == 0:
        raise InputError("the table has no columns", file=source_name,
                         hint="Supply a header row and one row per record")
    body = df.reset_index(drop=True)
    body.columns = range(body.shape[1])
    return _load(grid_to_table(list(df.columns), body, source_name), m)


def _scores_missing(tidy: pd.DataFrame) -> dict[str, int]:
    """Missing score values (not rows): per participant × timepoint × instrument × scale."""
    miss = tidy["score"].isna().to_numpy()
    return {"values": int(len(tidy)), "missing": int(miss.sum()),
            "participants": int(tidy.loc[miss, "participant_id"].nunique())}


def _ignore_instrument_rows(excluded: pd.DataFrame, text: pd.DataFrame, stripped: pd.DataFrame,
                            rows: np.ndarray, pid: pd.Series, cols: Columns, m: LoadMapping,
                            kind: str, ctx: Ctx) -> tuple:
    """Long layout: leave out rows of instruments the mapping ignores (each row counted in
    ``rows_excluded`` with the reason); never a reason to edit the file."""
    if kind != "long" or not (m.ignore_instruments or m.ignore_other_instruments):
        return excluded, text, stripped, rows, pid
    inst_col = cols.get("instrument", True, "(long layout)")
    label = stripped[inst_col].str.lower()
    listed = label.isin(m.ignore_instruments).to_numpy()
    other = (~label.isin(list(m.instruments)).to_numpy() & ~listed
             if m.ignore_other_instruments else np.zeros(len(label), dtype=bool))
    drop = listed | other
    if not drop.any():
        return excluded, text, stripped, rows, pid
    if drop.all():
        raise InputError("every row belongs to an ignored instrument", file=ctx.file,
                         hint="Check [layout] ignore_instruments / ignore_other_instruments")
    reason = np.where(listed, "instrument '" + stripped[inst_col].to_numpy(dtype=str)
                      + "' listed in [layout] ignore_instruments",
                      "instrument '" + stripped[inst_col].to_numpy(dtype=str)
                      + "' not declared in the mapping ([layout] ignore_other_instruments)")
    more = pd.DataFrame({"row": rows[drop].astype(np.int64), "reason": reason[drop]},
                        columns=list(EXCLUDED_COLUMNS))
    excluded = pd.concat([excluded, more], ignore_index=True).sort_values(
        "row", kind="mergesort").reset_index(drop=True)
    keep = ~drop
    return (excluded, text.loc[keep].reset_index(drop=True),
            stripped.loc[keep].reset_index(drop=True), rows[keep],
            pid.loc[keep].reset_index(drop=True))


class _Stripped:
    """The text table's columns trimmed, each computed on first use (a wide table never needs
    all of them as trimmed text)."""

    def __init__(self, text: pd.DataFrame) -> None:
        self.text = text
        self.cache: dict[str, pd.Series] = {}

    def __getitem__(self, col: str) -> pd.Series:
        if col not in self.cache:
            self.cache[col] = _stripped_shared(_as_text(self.text[col]))
        return self.cache[col]


def _stripped_shared(col: pd.Series) -> pd.Series:
    """``col.astype(str).str.strip()`` as an object Series whose cells that need no trimming are
    the column's own ``str`` objects (a million ids are not copied; only trimmed cells are new)."""
    arr = col.to_numpy(dtype=object)
    if col.dtype != object or not all(type(x) is str for x in arr[:64]):
        return pd.Series(col.astype(str).str.strip().to_numpy(dtype=object), index=col.index,
                         dtype=object)
    s = col.astype(str)
    trimmed = s.str.strip()
    changed = (s.str.len() != trimmed.str.len()).to_numpy(dtype=bool)
    if not all(type(x) is str for x in arr):
        return pd.Series(trimmed.to_numpy(dtype=object), index=col.index, dtype=object)
    out = arr.copy()
    if changed.any():
        out[changed] = trimmed[changed].to_numpy(dtype=object)
    return pd.Series(out, index=col.index, dtype=object)


def _as_text(col: pd.Series) -> pd.Series:
    """A column the reader parsed as numbers, as text (NaN → ``""``); text columns as they are."""
    if col.dtype.kind in "fiub":
        v = col.to_numpy(dtype=np.float64)
        return pd.Series(np.where(np.isnan(v), "", column_text(v)).astype(object),
                         index=col.index, dtype=object)
    return col


def _load(table: TextTable, m: LoadMapping, columnwise: bool = True) -> LoadResult:
    """Validate and score a text table. ``columnwise``: the wide layout is checked column by
    column (:mod:`._widecols`); False uses the cell table of :mod:`._layouts` (the reference the
    column-wise path is tested against)."""
    ctx = Ctx(table.source)
    text = table.frame
    rows_all = table.rows
    n_read = len(text)
    blank = blank_rows(text)
    excluded = pd.DataFrame({"row": rows_all[blank].astype(np.int64),
                             "reason": ["empty row (no value in any column)"] * int(blank.sum())},
                            columns=list(EXCLUDED_COLUMNS))
    keep_pos = np.flatnonzero(~blank)
    release_memory()  # the reader's temporaries
    if blank.any():
        text = text.loc[~blank].reset_index(drop=True)
    rows = rows_all[~blank] if blank.any() else rows_all  # (no copy when none is blank)
    if len(text) == 0:
        raise InputError("every data row is empty", file=ctx.file,
                         hint="Add one row per participant (wide) or per answer (long)")
    cols = Columns(text, m, ctx)
    colpos = {c: j for j, c in enumerate(text.columns)}
    kind = m.kind or ("long" if all(cols.get(c, False) for c in ("timepoint", "instrument",
                                                                 "value")) else "wide")
    if kind == "long" and Path(ctx.file).suffix.lower() in TEXT_EXTENSIONS and \
            Path(ctx.file).is_file():  # a long table takes more memory per byte than a wide one
        check_memory(Path(ctx.file), MEMORY_PER_LONG_FILE_BYTE)
    if kind == "long" or not columnwise:
        text = pd.DataFrame({c: _as_text(text[c]) for c in text.columns}, index=text.index)
        stripped: Any = pd.DataFrame({c: stripped_text(text[c]) for c in text.columns},
                                     index=text.index)
    else:
        stripped = _Stripped(text)
    pid_col = cols.get("participant_id", True)
    pid, norm_note = normalise_ids(stripped[pid_col], rows)
    no_id = (pid == "").to_numpy()
    if no_id.any():
        raise ctx.fail("participant id is empty in a row that has data", rows[no_id],
                       [pid_col] * int(no_id.sum()), [""] * int(no_id.sum()),
                       hint="Fill in the participant id (or delete the row)", kind="such rows")
    id_note = check_participant_ids(_as_text(text[pid_col]), pid, rows, pid_col, m, ctx)
    arm_col = cols.get("arm", False)
    excluded, text, stripped, rows, pid = _ignore_instrument_rows(
        excluded, text, stripped, rows, pid, cols, m, kind, ctx)
    cov_cols: dict[str, str] = {}
    for canon, user in m.covariates.items():
        if user not in cols.by_norm:
            raise InputError(f"covariate column '{user}' ([covariates] {canon}) is missing",
                             file=ctx.file, row=1, hint=f"Columns found: {cols.found}")
        cov_cols[canon] = cols.by_norm[user]
    used = {pid_col, *cov_cols.values()} | ({arm_col} if arm_col else set())
    ignored = [c for c in text.columns if c not in used and norm(c) in m.ignore_columns]
    ignored_frame = pd.DataFrame({"column": ignored,
                                  "reason": ["listed in [layout] ignore_columns"] * len(ignored)},
                                 columns=list(IGNORED_COLUMNS))
    used |= set(ignored)

    if kind == "wide":
        dup = pid.duplicated(keep="first").to_numpy()
        if dup.any():
            first_row = dict(zip(pid[~dup], rows[~dup], strict=True))
            raise ctx.fail(
                f"duplicate participant id (first seen in row {first_row[pid[dup].iloc[0]]}); a "
                "wide table has one row per participant", rows[dup], [pid_col] * int(dup.sum()),
                pid[dup].tolist(), kind="duplicate rows",
                hint="Give each participant one row (repeated measures go in columns "
                "<prefix>_<timepoint>_<item>), or use the long layout")
        if columnwise:
            release_memory()  # the id checks' temporaries
            return _load_wide(table, text, stripped, keep_pos, rows, pid, m, ctx, used, colpos,
                              arm_col, cov_cols, excluded, ignored_frame, n_read,
                              [n for n in (norm_note, id_note) if n is not None])
        cells = wide_cells(text, stripped, rows, pid, m, ctx, used, colpos)
    else:
        cells = long_cells(text, stripped, rows, pid, m, ctx, cols, used, colpos)

    participants = sorted(pd.unique(pid).tolist(), key=natural_key)
    arm, covs, missing_parts = _per_participant(stripped, rows, pid, m, ctx, participants, arm_col,
                                                cov_cols, colpos, table.declared_missing)

    # ---- values: missing codes, numbers, ranges
    reasons = missing_reasons(cells["text"].to_numpy(), m.missing_codes)
    for col, pairs in table.declared_missing.items():  # the file's own (SPSS user-missing)
        sel = np.flatnonzero((cells["column"] == col).to_numpy())
        if len(sel):
            own = declared_missing_reasons(cells["text"].to_numpy()[sel], pairs)
            hit = pd.notna(own)
            reasons[sel[hit]] = own[hit]
    is_missing = pd.notna(reasons)
    cell_miss = pd.DataFrame({"row": cells["row"].to_numpy()[is_missing],
                              "column": cells["column"].to_numpy()[is_missing],
                              "value": cells["raw"].to_numpy()[is_missing],
                              "reason": reasons[is_missing], "_pos": cells["colpos"].to_numpy()[
                                  is_missing]})
    missing_parts.append(cell_miss)
    values = to_float(np.where(is_missing, "", cells["text"].to_numpy(dtype=object)))
    bad = ~is_missing & np.isnan(values)
    if bad.any():
        codes = ", ".join(repr(c) for c in m.missing_codes if c != "")
        raise ctx.fail(
            "value is not a number", cells["row"].to_numpy()[bad],
            cells["column"].to_numpy()[bad], cells["raw"].to_numpy()[bad],
            colpos=cells["colpos"].to_numpy()[bad],
            hint=f"Use numbers ('.' as decimal point), leave the cell empty, or declare the "
            f"code as missing in the mapping: [missing] codes = [...] (now: {codes or 'none'})")
    cells = cells.assign(value=values)
    range_notes = check_ranges(cells, ctx, m)

    # ---- scoring
    tp_order, tp_source = timepoint_order(cells, m)
    tidy, items = score_cells(cells, participants, tp_order, m)
    tidy, notes = derive_peaks(tidy, m, participants, ctx)
    notes = [*table.notes, *(n for n in (norm_note, id_note) if n is not None), *notes,
             *range_notes]
    arm_series = (pd.Series(arm, index=participants) if arm is not None
                  else pd.Series([None] * len(participants), index=participants, dtype=object))
    tidy.insert(1, "arm", pd.Series(arm_series.reindex(tidy["participant_id"]).to_numpy(
        dtype=object), index=tidy.index, dtype=object))
    tidy = sort_tidy(tidy, participants, tp_order, m)
    wide = to_wide(tidy, covs if len(covs.columns) else None)
    wide = wide.reindex(pd.Index(participants, name="participant_id"))
    wide["arm"] = pd.Series(arm_series.reindex(participants).to_numpy(dtype=object),
                            index=wide.index, dtype=object)

    values_missing = pd.concat([p for p in missing_parts if len(p)], ignore_index=True) \
        if any(len(p) for p in missing_parts) else pd.DataFrame(columns=[*MISSING_COLUMNS,
                                                                          "_pos"])
    values_missing = values_missing.sort_values(["row", "_pos"], kind="mergesort")
    values_missing = values_missing[list(MISSING_COLUMNS)].reset_index(drop=True)
    values_missing["row"] = values_missing["row"].astype("int64")
    instruments = {}
    for inst_id in sorted(pd.unique(tidy["instrument"])):
        tps = pd.unique(tidy.loc[tidy["instrument"] == inst_id, "timepoint"])
        instruments[inst_id] = tuple(str(t) for t in tps)
    audit = AuditRecord(
        file=ctx.file, layout=kind, rows_read=n_read, rows_kept=n_read - len(excluded),
        n_participants=len(participants), values_set_missing=values_missing,
        rows_excluded=excluded, columns_ignored=ignored_frame, instruments=instruments,
        mapping=m.source, notes=tuple(notes),
        timepoint_order=tuple(t for t in tp_order if t in set(tidy["timepoint"])),
        timepoint_order_source=tp_source, items_scored=bool(len(cells) and (
            cells["kind"] == "item").any()), peaks_derived=tuple(p.name for p in m.peaks),
        covariates_missing={c: int(covs[c].isna().sum()) for c in covs.columns},
        scores_missing=_scores_missing(tidy))
    return LoadResult(tidy_source=tidy, wide=wide, audit=audit, items_source=items, mapping=m)


def from_wide(wide: pd.DataFrame, mapping: Any = None, source_name: str = "<wide>"
              ) -> LoadResult:
    """Load an analysis view (``to_wide`` output, or a file with the same columns) back.

    Columns ``"{instrument}.{scale}.{timepoint}"`` are read as precomputed scores (validated
    against the scale ranges), ``arm`` as the arm, any other column as a numeric covariate. The
    participant id is the ``participant_id`` column, or the index when there is no such column.
    ``mapping`` (optional) may rename instruments/timepoints/arms; its ``[peaks]`` are ignored
    (peak columns are read as they are); a scale whose range the package does not know needs its
    ``[ranges]`` entry here as in any load. ``from_wide(r.wide, mapping).tidy`` has the scores of
    ``r.tidy``, and ``to_wide`` of it gives back ``r.wide``.
    """
    if not isinstance(wide, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", file=source_name,
                         value=type(wide).__name__)
    frame = wide if "participant_id" in map(str, wide.columns) else wide.reset_index(
        names="participant_id")
    data: dict[str, Any] = {"layout": {"kind": "wide"}}
    if mapping is not None:
        data = dict(_mapping_dict(mapping))
        peaks = data.pop("peaks", None) or {}  # peaks are already columns of the wide view
        if data.get("timepoints"):
            data["timepoints"] = dict(data["timepoints"])
            for spec in peaks.values():
                name = spec.get("name", "peak") if isinstance(spec, dict) else "peak"
                data["timepoints"].setdefault(name, name)
        data.setdefault("layout", {})["kind"] = "wide"
    covs: dict[str, Any] = {}
    for c in frame.columns:
        if str(c) in ("participant_id", "arm") or WIDE_KEY.match(norm(c)):
            continue
        col = frame[c]
        text = not (pd.api.types.is_numeric_dtype(col) or pd.to_numeric(
            col.dropna().astype(str), errors="coerce").notna().all())
        covs[str(c)] = {"column": str(c), "type": "text"} if text else str(c)
    if covs:
        data.setdefault("covariates", {}).update(covs)
    return load_frame(frame, data, source_name)


def _mapping_dict(mapping: Any) -> dict[str, Any]:
    """The raw dict of a TOML mapping path or dict (for building derived mappings)."""
    import tomllib

    if isinstance(mapping, dict):
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in mapping.items()}
    if isinstance(mapping, str | Path):
        parse_mapping(mapping)  # validates, with good messages
        with Path(mapping).open("rb") as fh:
            return tomllib.load(fh)
    raise InputError("from_wide() takes a mapping as a TOML path or a dict",
                     value=type(mapping).__name__)


def _per_participant(stripped: Any, rows: np.ndarray, pid: pd.Series, m: LoadMapping, ctx: Ctx,
                     participants: list[str], arm_col: str | None, cov_cols: dict[str, str],
                     colpos: dict, declared: Any = None
                     ) -> tuple[Any, pd.DataFrame, list[pd.DataFrame]]:
    declared = declared or {}
    missing_parts = []
    arm = None
    if arm_col is not None:
        arm, miss = arm_values(stripped, rows, pid, arm_col, m, ctx, participants,
                                colpos[arm_col])
        missing_parts.append(miss)
    covs = pd.DataFrame(index=pd.Index(participants, name="participant_id"))
    for canon, col in cov_cols.items():
        covs[canon], miss = covariate_values(stripped, rows, pid, col, m, ctx, participants,
                                              colpos[col], m.covariate_specs.get(canon),
                                              declared.get(col))
        missing_parts.append(miss)
    return arm, covs, missing_parts


def _peak_keys(base_keys: list[tuple[str, str, str]], m: LoadMapping
               ) -> list[tuple[str, str, str]]:
    """The keys the derived peaks add to ``base_keys`` (in :func:`_wide_peaks`' order), each
    peak's sources checked against the timepoints known before it."""
    have = list(base_keys)
    added: list[tuple[str, str, str]] = []
    for pk in m.peaks:
        check_peak_sources(pk, {tp for (i, tp, _s) in have if i == pk.instrument}, m)
        scales = list(dict.fromkeys(s for (i, tp, s) in have
                                    if i == pk.instrument and tp in pk.sources))
        for scale in scales:
            key = (pk.instrument, pk.name, scale)
            if key not in have:
                have.append(key)
                added.append(key)
    return added


def _wide_peaks(scores: dict, m: LoadMapping, base_keys: list[tuple[str, str, str]]
                ) -> list[str]:
    """Derived peaks (as :func:`._scoring.derive_peaks`, on the score columns), written into
    their columns of ``scores`` (allocated by :func:`_peak_keys`)."""
    from ..instruments import peak

    notes: list[str] = []
    have = list(base_keys)
    n = len(next(iter(scores.values())))
    for pk in m.peaks:
        scales = list(dict.fromkeys(s for (i, tp, s) in have
                                    if i == pk.instrument and tp in pk.sources))
        for scale in scales:
            mat = np.column_stack([scores[(pk.instrument, t, scale)]
                                   if (pk.instrument, t, scale) in have else np.full(n, np.nan)
                                   for t in pk.sources])
            scores[(pk.instrument, pk.name, scale)][:] = peak(mat, axis=1)
            if (pk.instrument, pk.name, scale) not in have:
                have.append((pk.instrument, pk.name, scale))
        notes.append(f"{pk.instrument} '{pk.name}' = per-participant maximum over "
                     f"{', '.join(pk.sources)} (each scale; missing sessions ignored)")
    return notes


def _load_wide(table: TextTable, text: pd.DataFrame, stripped: Any, pos: np.ndarray,
               rows: np.ndarray, pid: pd.Series, m: LoadMapping, ctx: Ctx, used: set,
               colpos: dict, arm_col: str | None, cov_cols: dict[str, str],
               excluded: pd.DataFrame, ignored_frame: pd.DataFrame, n_read: int,
               id_notes: list[str]) -> LoadResult:
    """The wide layout, column by column (see :mod:`._widecols`)."""
    parsed = wide_columns(text.columns, m, ctx, used)
    pid_arr = pid.to_numpy(dtype=object)
    order = natural_order(pid_arr)
    participants = pid_arr[order].tolist()
    arm, covs, missing_parts = _per_participant(stripped, rows, pid, m, ctx, participants,
                                                arm_col, cov_cols, colpos,
                                                table.declared_missing)
    if isinstance(stripped, _Stripped):  # the trimmed arm and covariate columns are done with
        stripped.cache = {k: v for k, v in stripped.cache.items() if v is pid}
    release_memory()
    wc = validate_columns(table, text, pos, rows, parsed, m, ctx, colpos)
    missing_parts.append(wc.missing)
    wc.missing = None
    # sorted now, before the scores exist (its temporaries do not add to theirs)
    values_missing = _missing_frame(missing_parts)
    del missing_parts
    release_memory()
    tp_order, tp_source = timepoint_order(
        pd.DataFrame({"timepoint": [v[1] for v in parsed.values()]}, dtype=object), m)
    base_keys = score_keys(parsed, m)
    peak_keys = _peak_keys(base_keys, m) if base_keys else []
    t_rank = {t: i for i, t in enumerate(tp_order)}
    s_rank: dict[tuple[str, str], int] = {}
    for inst_id in {k[0] for k in base_keys}:
        for i, sc in enumerate(m.instrument(inst_id).scales):
            s_rank[(inst_id, sc)] = i
    keys = sorted([*base_keys, *peak_keys],
                  key=lambda k: (k[0], t_rank[k[1]], s_rank.get((k[0], k[2]), 1 << 30)))
    # the scores are built in place in one float64 matrix (column-major: pandas keeps it as the
    # wide view's block without a copy), block by block of rows
    score_mat = np.empty((len(participants), len(keys)), dtype=np.float64, order="F")
    scores = {k: score_mat[:, j] for j, k in enumerate(keys)}
    counts = score_blocks(wc.values, parsed, order, m, scores)
    del wc.values
    release_memory()
    peak_notes = _wide_peaks(scores, m, base_keys) if base_keys else []
    index = pd.Index(participants, name="participant_id")
    arm_values_ = (np.asarray(arm, dtype=object) if arm is not None
                   else np.array([None] * len(participants), dtype=object))
    data: dict[str, Any] = {"arm": pd.Series(arm_values_, index=index, dtype=object)}
    for c in covs.columns:
        col = covs[c]
        if pd.api.types.is_numeric_dtype(col) or col.isna().all():
            data[c] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        else:
            data[c] = pd.Series(col.to_numpy(dtype=object), index=index, dtype=object)
    # the scores are moved into one float64 matrix (column-major: pandas keeps it as the wide
    # view's block without a copy), one column at a time, so they never exist twice
    n_missing = 0
    with_missing = np.zeros(len(participants), dtype=bool)
    for j in range(len(keys)):
        na = np.isnan(score_mat[:, j])
        n_missing += int(na.sum())
        with_missing |= na
    del scores
    wide = pd.DataFrame(score_mat, index=index, columns=[f"{k[0]}.{k[2]}.{k[1]}" for k in keys],
                        copy=False)
    for i, (name, col) in enumerate(data.items()):
        wide.insert(i, name, col)
    wide.columns.name = None

    instruments: dict[str, tuple[str, ...]] = {}
    for k in keys:
        tps = instruments.setdefault(k[0], ())
        if k[1] not in tps:
            instruments[k[0]] = (*tps, k[1])
    blocks = item_blocks(parsed)
    audit = AuditRecord(
        file=ctx.file, layout="wide", rows_read=n_read, rows_kept=n_read - len(excluded),
        n_participants=len(participants), values_set_missing=values_missing,
        rows_excluded=excluded, columns_ignored=ignored_frame, instruments=instruments,
        mapping=m.source, notes=tuple([*table.notes, *id_notes, *peak_notes, *wc.notes]),
        timepoint_order=tuple(t for t in tp_order if t in {k[1] for k in keys}),
        timepoint_order_source=tp_source, items_scored=bool(blocks),
        peaks_derived=tuple(p.name for p in m.peaks),
        covariates_missing={c: int(covs[c].isna().sum()) for c in covs.columns},
        scores_missing={"values": len(keys) * len(participants), "missing": n_missing,
                        "participants": int(with_missing.sum())})

    def tidy() -> pd.DataFrame:
        n, kk = len(participants), len(keys)
        score = score_mat.ravel(order="C") if kk else np.zeros(0)
        answered = np.zeros((n, kk), dtype=np.int64)
        mask = np.ones((n, kk), dtype=bool)
        n_items = np.zeros(kk, dtype=np.int64)
        for j, k in enumerate(keys):
            if k in counts:
                answered[:, j] = counts[k][0]
                mask[:, j] = False
                n_items[j] = counts[k][1]
        out = pd.DataFrame({
            "participant_id": _obj(np.repeat(np.asarray(participants, dtype=object), kk)),
            "arm": _obj(np.repeat(arm_values_, kk)),
            "timepoint": _obj(np.tile(np.array([k[1] for k in keys], dtype=object), n)),
            "instrument": _obj(np.tile(np.array([k[0] for k in keys], dtype=object), n)),
            "scale": _obj(np.tile(np.array([k[2] for k in keys], dtype=object), n)),
            "score": score,
            "n_answered": pd.arrays.IntegerArray(answered.ravel(), mask.ravel()),
            "n_items": pd.arrays.IntegerArray(np.tile(n_items, n), np.tile(mask[0], n)
                                              if n else np.zeros(0, dtype=bool))})
        return out[list(TIDY_COLUMNS)]

    items = None
    if blocks:
        item_cols = {c: text[c] for cs in blocks.values() for c in cs}
        ordered = sorted(blocks, key=lambda b: (b[0], t_rank[b[1]]))

        def items() -> pd.DataFrame:
            n = len(participants)
            cols = [c for b in ordered for c in blocks[b]]
            meta = [(b[1], b[0], i + 1) for b in ordered for i in range(len(blocks[b]))]
            values = np.empty((n, len(cols)), dtype=np.float64)
            for j, c in enumerate(cols):
                values[:, j] = _values_of(item_cols[c], m)[order]
            return pd.DataFrame({
                # (pandas infers the text dtype here, as for the cell-table path's items)
                "participant_id": np.repeat(np.asarray(participants, dtype=object), len(cols)),
                "timepoint": np.tile(np.array([x[0] for x in meta], dtype=object), n),
                "instrument": np.tile(np.array([x[1] for x in meta], dtype=object), n),
                "item": np.tile(np.array([x[2] for x in meta], dtype=np.int64), n),
                "value": values.ravel()})

    return LoadResult(tidy_source=tidy, wide=wide, audit=audit, items_source=items, mapping=m)


def _obj(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=object)


def _values_of(col: pd.Series, m: LoadMapping) -> np.ndarray:
    """Validated values of an item column again (missing → NaN), for the lazily built items."""
    if col.dtype.kind in "fiub":  # read as numbers: only numeric codes can be missing codes
        v = col.to_numpy(dtype=np.float64).copy()
        codes = numeric_codes(m.missing_codes)
        if codes:
            v[np.isin(v, codes)] = np.nan
        return v
    else:
        v = to_float(col.astype(str).str.strip().to_numpy(dtype=object))
    reasons = missing_reasons(_as_text(col).astype(str).str.strip().to_numpy(dtype=object),
                              m.missing_codes)
    v[pd.notna(reasons)] = np.nan
    return v


def _missing_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The cells set missing in (row, column position) order: one concatenation and one take
    per column (a million cells are not copied once per pandas step)."""
    filled = [p for p in parts if len(p)]
    if filled:
        both = pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0]
        del filled
        parts.clear()  # the caller's list: the parts live on only inside ``both``
        order = np.lexsort((both["_pos"].to_numpy(), both["row"].to_numpy()))
        taken = {}
        for c in MISSING_COLUMNS:  # column by column, each freed once taken
            taken[c] = both.pop(c).array.take(order)
        del both
        out = pd.DataFrame(taken)
        out["row"] = out["row"].astype("int64")
        return out
    values_missing = pd.DataFrame(columns=[*MISSING_COLUMNS, "_pos"])
    values_missing = values_missing.sort_values(["row", "_pos"], kind="mergesort")
    values_missing = values_missing[list(MISSING_COLUMNS)].reset_index(drop=True)
    values_missing["row"] = values_missing["row"].astype("int64")
    return values_missing
