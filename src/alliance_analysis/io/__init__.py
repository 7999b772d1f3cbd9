"""Load trial tables (CSV/TSV/XLSX/SAV, wide or long) into canonical, scored tables.

Example::

    from alliance_analysis.io import load_table
    result = load_table("trial.csv", "mapping.toml")
    result.tidy                        # participant × timepoint × instrument × scale
    result.wide["wai_sr.total.prep"]   # analysis view, one row per participant
    print(result.audit.summary())      # every value set missing, every row excluded

Not imported by ``alliance_analysis`` itself (it needs pandas). See docs/loader.md.
"""

from __future__ import annotations

from ._common import DEFAULT_COLUMN_NAMES, ITEM_COLUMNS, TIDY_COLUMNS
from .audit import AuditRecord
from .core import LoadResult, from_wide, load_frame, load_table
from .mapping import (
    DEFAULT_ALIASES,
    DEFAULT_MISSING_CODES,
    LoadMapping,
    Peak,
    norm,
    parse_mapping,
)
from .readers import SUPPORTED, TextTable, read_table
from .wide import to_wide
from .write import FLOAT_FORMAT, write_tidy, write_wide

__all__ = [
    "DEFAULT_ALIASES",
    "DEFAULT_COLUMN_NAMES",
    "DEFAULT_MISSING_CODES",
    "FLOAT_FORMAT",
    "ITEM_COLUMNS",
    "SUPPORTED",
    "TIDY_COLUMNS",
    "AuditRecord",
    "LoadMapping",
    "LoadResult",
    "Peak",
    "TextTable",
    "from_wide",
    "load_frame",
    "load_table",
    "norm",
    "parse_mapping",
    "read_table",
    "to_wide",
    "write_tidy",
    "write_wide",
]
