"""What the loader did to the data: every value set missing, every row and column left out."""

from __future__ import annotations

import dataclasses

import pandas as pd

MISSING_COLUMNS = ("row", "column", "value", "reason")
EXCLUDED_COLUMNS = ("row", "reason")
IGNORED_COLUMNS = ("column", "reason")


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty frame with the given columns (``row`` as int64, the others as object)."""
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == "row" else object)
                         for c in columns})


@dataclasses.dataclass(frozen=True, eq=False)
class AuditRecord:
    """The loader's audit trail for one file or frame.

    Row numbers are 1-based spreadsheet rows (header = row 1).

    - ``rows_read``: data rows in the file (header excluded); ``rows_kept``: rows that reached the
      result (``rows_read`` minus ``rows_excluded``).
    - ``values_set_missing``: DataFrame (row, column, value, reason), one line per cell of an
      instrument or arm column that the loader treats as missing: an empty cell (``"empty
      cell"``) or a missing code (``"missing code '-99'"``).
    - ``rows_excluded``: DataFrame (row, reason); only rows with no value in any column are left
      out.
    - ``columns_ignored``: DataFrame (column, reason): columns not used (listed in
      ``[layout] ignore_columns``).
    - ``instruments``: instrument id → timepoints found; ``notes``: other facts (peaks derived).
    - ``timepoint_order`` and ``timepoint_order_source``: the order used everywhere (first, last,
      baseline) and where it came from (the mapping, recognised labels, or the file).
    - ``items_scored``: whether any item responses were scored (False for pre-scored totals);
      ``peaks_derived``: names of the derived peak timepoints.
    - ``covariates_missing``: covariate → number of participants without a value;
      ``scores_missing``: ``values`` (participant × timepoint × instrument × scale), ``missing``
      (of those, no score: a missing cell or no row) and ``participants`` (with any missing).
    """

    file: str
    layout: str
    rows_read: int
    rows_kept: int
    n_participants: int
    values_set_missing: pd.DataFrame = dataclasses.field(
        default_factory=lambda: empty_frame(MISSING_COLUMNS))
    rows_excluded: pd.DataFrame = dataclasses.field(
        default_factory=lambda: empty_frame(EXCLUDED_COLUMNS))
    columns_ignored: pd.DataFrame = dataclasses.field(
        default_factory=lambda: empty_frame(IGNORED_COLUMNS))
    instruments: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    mapping: str = "<default mapping>"
    notes: tuple[str, ...] = ()
    timepoint_order: tuple[str, ...] = ()
    timepoint_order_source: str = ""
    items_scored: bool = False
    peaks_derived: tuple[str, ...] = ()
    covariates_missing: dict[str, int] = dataclasses.field(default_factory=dict)
    scores_missing: dict[str, int] = dataclasses.field(default_factory=dict)

    def missing_counts(self) -> pd.Series:
        """Number of values set missing per reason (sorted by reason)."""
        if len(self.values_set_missing) == 0:
            return pd.Series([], dtype="int64", name="count")
        return self.values_set_missing.groupby("reason", sort=True).size().rename("count")

    def summary(self, max_listed: int = 10) -> str:
        """Human-readable multi-line summary (what ``alliance-analysis load`` prints)."""
        excluded = len(self.rows_excluded)
        lines = [
            f"Loaded {self.file} ({self.layout} layout; mapping: {self.mapping})",
            f"  rows read: {self.rows_read}; rows kept: {self.rows_kept}; "
            f"rows excluded: {excluded}; participants: {self.n_participants}",
        ]
        for inst, tps in self.instruments.items():
            lines.append(f"  {inst}: {', '.join(tps)}")
        if self.timepoint_order:
            lines.append(f"  timepoint order: {' < '.join(self.timepoint_order)} (from "
                         f"{self.timepoint_order_source})")
        n_missing = len(self.values_set_missing)
        lines.append(f"  values set missing: {n_missing}")
        for reason, count in self.missing_counts().items():
            lines.append(f"    {reason}: {count}")
        coded = self.values_set_missing[self.values_set_missing["reason"] != "empty cell"]
        for rec in coded.head(max_listed).itertuples(index=False):
            lines.append(f"    row {rec.row}, column '{rec.column}': {rec.value!r} ({rec.reason})")
        if len(coded) > max_listed:
            lines.append(f"    ... and {len(coded) - max_listed} more coded missing values "
                         "(see audit.values_set_missing)")
        reasons = self.rows_excluded.groupby("reason", sort=True).size()
        if excluded > max_listed:
            for reason, count in reasons.items():
                lines.append(f"  rows excluded, {reason}: {int(count)}")
        for rec in self.rows_excluded.head(max_listed).itertuples(index=False):
            lines.append(f"  row {rec.row} excluded: {rec.reason}")
        if excluded > max_listed:
            lines.append(f"  ... and {excluded - max_listed} more excluded rows")
        if self.scores_missing.get("missing"):
            sm = self.scores_missing
            lines.append(f"  scores missing: {sm['missing']} of {sm['values']} values "
                         f"(participant x timepoint x scale) in {sm['participants']} "
                         "participant(s)")
        for cov, k in self.covariates_missing.items():
            if k:
                lines.append(f"  covariate '{cov}': missing for {k} participant(s)")
        for rec in self.columns_ignored.itertuples(index=False):
            lines.append(f"  column '{rec.column}' ignored: {rec.reason}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)
