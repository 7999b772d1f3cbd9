"""Deterministic CSV output of the loader's tables (byte-identical for the same input)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Float format of every written score: 12 significant digits, no trailing zeros (``3``, ``2.25``).
FLOAT_FORMAT = "%.12g"


def _write(frame: pd.DataFrame, path: str | Path, index: bool) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=index, float_format=FLOAT_FORMAT, lineterminator="\n", na_rep="")
    return p


def write_tidy(tidy: pd.DataFrame, path: str | Path) -> Path:
    """Write the tidy table (rows already sorted by the loader); empty cell = missing."""
    return _write(tidy, path, index=False)


def write_wide(wide: pd.DataFrame, path: str | Path) -> Path:
    """Write the wide analysis view with ``participant_id`` as the first column."""
    return _write(wide, path, index=True)
