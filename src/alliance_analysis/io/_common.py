"""Shared pieces of the loader: canonical names, error location, missing codes, numbers."""

from __future__ import annotations

import ctypes
import re
import sys
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .mapping import LoadMapping, norm

TIDY_COLUMNS = ("participant_id", "arm", "timepoint", "instrument", "scale", "score",
                "n_answered", "n_items")


ITEM_COLUMNS = ("participant_id", "timepoint", "instrument", "item", "value")


#: Default names of the columns (matched ignoring case); the first is the canonical name.
DEFAULT_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "participant_id": ("participant_id", "participant"),
    "arm": ("arm",),
    "timepoint": ("timepoint",),
    "instrument": ("instrument", "measure"),
    "item": ("item",),
    "scale": ("scale",),
    "value": ("value",),
}


TP_PLAIN = re.compile(r"^[a-z][a-z0-9\-]*$")       # wide, no [timepoints] table


TP_LONG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")    # long, no [timepoints] table


WIDE_KEY = re.compile(r"^([^.]+)\.([^.]+)\.([^.]+)$")


class Ctx:
    """Error reporting for one load: the first offending cell plus how many more."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, what: str, rows: Any, columns: Any, values: Any, hint: str | None = None,
             colpos: Any = None, kind: str = "such cells") -> InputError:
        rows = np.asarray(rows, dtype=np.int64)
        order = np.lexsort((np.asarray(colpos if colpos is not None else np.zeros(len(rows))),
                            rows))
        i = int(order[0])
        n_more = len(rows) - 1
        value = list(values)[i]
        if isinstance(value, str) and len(value) > 80:  # a 200,000-character cell is cut
            value = f"{value[:80]}... ({len(value)} characters)"
        text = hint or ""
        if n_more:
            text = (text + "; " if text else "") + f"and {n_more} more {kind}"
        return InputError(what, file=self.file, row=int(rows[i]), column=str(list(columns)[i]),
                          value=value, hint=text or None)


def natural_key(text: str) -> tuple:
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in parts if p != "")


def fast_text(values: Any) -> pd.Series:
    """Text as a Series whose ``.str`` methods run vectorised (pandas' pyarrow-backed string
    dtype when pyarrow is installed; else Python objects). Use only with patterns whose meaning
    is the same in both engines (ASCII classes such as ``[0-9]``, no ``\\s``/``\\d``)."""
    try:
        return pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    except ImportError:
        return pd.Series(values, dtype=object).astype(str)


def all_ascii(s: pd.Series) -> bool:
    """Every string of ``s`` is ASCII (vectorised; ``Series.str.isascii`` needs pandas >= 3)."""
    return not bool(s.str.contains(r"[^\x00-\x7f]", regex=True).any())


def natural_order(ids: np.ndarray) -> np.ndarray:
    """Positions that sort ``ids`` as ``sorted(ids, key=natural_key)`` does (stable).

    Vectorised when every id is ASCII: a prefix without digits followed by 1-18 digits
    (``P0001``, ``sub-17``, ``42``): by prefix (natural order; none first), then the number;
    otherwise the Python sort."""
    s = fast_text(ids)
    n = len(s)
    if n and all_ascii(s):
        prefix = s.str.rstrip("0123456789")
        n_digits = (s.str.len() - prefix.str.len()).to_numpy(dtype=np.int64)
        uniq = pd.unique(prefix.astype(object).to_numpy(dtype=object))
        if ((n_digits >= 1) & (n_digits <= 18)).all() and len(uniq) <= 1000 and not \
                prefix.str.contains("[0-9]", regex=True).any():
            number = np.zeros(n, dtype=np.int64)
            prefix_arr = prefix.astype(object).to_numpy(dtype=object)
            rank = np.zeros(n, dtype=np.int64)
            for r, p in enumerate(sorted(uniq, key=_prefix_key)):
                sel = prefix_arr == p
                number[sel] = s[sel].str.slice(len(p)).astype("int64").to_numpy()
                rank[sel] = r
            return np.lexsort((np.arange(n), number, rank))
    return np.array(sorted(range(n), key=lambda i: natural_key(str(ids[i]))), dtype=np.int64)


def _prefix_key(prefix: str) -> tuple:
    return natural_key(prefix) if prefix else ()


def numeric_codes(codes: tuple[Any, ...]) -> list[float]:
    """The missing-value codes that are numbers (numbers, and strings that parse as finite ones)."""
    out = [float(c) for c in codes if isinstance(c, int | float) and not isinstance(c, bool)]
    for c in codes:
        if isinstance(c, str):
            try:
                v = float(c)
            except ValueError:
                continue
            if np.isfinite(v):
                out.append(v)
    return out


#: :func:`per_unique` factorizes columns of at least this many cells with at most this share of
#: distinct values (else it calls the function on every cell; tests set both to force a path).
PER_UNIQUE_MIN_ROWS = 4096
PER_UNIQUE_MAX_SHARE = 0.25


def per_unique(values: Any, func: Any, max_share: float | None = None) -> np.ndarray:
    """``func`` (an element-wise function of an object array, returning an array of the same
    length) applied to the distinct values only and spread back: a long table repeats few values
    (timepoints, instruments, item numbers, answers 1-5) over millions of rows, so text work
    runs on a handful of strings. The result equals ``func(values)``. ``max_share``: the share
    of distinct values above which ``func`` runs on every cell (default
    :data:`PER_UNIQUE_MAX_SHARE`)."""
    arr = np.asarray(values, dtype=object)
    if len(arr) < PER_UNIQUE_MIN_ROWS:
        return np.asarray(func(arr))
    codes, uniq = pd.factorize(arr, use_na_sentinel=False)
    share = PER_UNIQUE_MAX_SHARE if max_share is None else max_share
    if len(uniq) > len(arr) * share:
        return np.asarray(func(arr))
    return np.asarray(func(np.asarray(uniq, dtype=object)))[codes]


def stripped_text(col: pd.Series) -> pd.Series:
    """A text column as ``str``, trimmed (object dtype; the work done once per distinct cell)."""
    out = per_unique(col.to_numpy(dtype=object), lambda u: pd.Series(
        u, dtype=object).astype(str).str.strip().to_numpy(dtype=object))
    return pd.Series(out, index=col.index, dtype=object)


def lower_text(col: pd.Series) -> pd.Series:
    """``col.str.lower()`` of a text column, once per distinct cell (object dtype)."""
    out = per_unique(col.to_numpy(dtype=object), lambda u: pd.Series(
        u, dtype=object).str.lower().to_numpy(dtype=object))
    return pd.Series(out, index=col.index, dtype=object)


def missing_reasons(text: np.ndarray, codes: tuple[Any, ...]) -> np.ndarray:
    """Per cell: ``None`` (a value), ``"empty cell"`` or ``"missing code '…'"`` (vectorised)."""
    return per_unique(text, lambda u: _missing_reasons(u, codes)).astype(object)


def _missing_reasons(text: np.ndarray, codes: tuple[Any, ...]) -> np.ndarray:
    s = pd.Series(text, dtype=object).astype(str).str.strip()
    str_codes = {norm(c) for c in codes if isinstance(c, str)} - {""}
    num_codes = numeric_codes(codes)
    empty = (s == "").to_numpy()
    coded = s.str.lower().isin(str_codes).to_numpy().copy()
    if num_codes:
        coded |= pd.to_numeric(s, errors="coerce").isin(num_codes).to_numpy()
    coded = coded & ~empty
    out = np.full(len(s), None, dtype=object)
    out[empty] = "empty cell"
    out[coded] = ("missing code '" + s[coded] + "'").to_numpy()
    return out


def to_float(text: np.ndarray) -> np.ndarray:
    """Numbers from stripped text (NaN where not a number); exact for Python-float syntax."""
    return per_unique(text, _to_float).astype(np.float64)


def _to_float(text: np.ndarray) -> np.ndarray:
    s = pd.Series(text, dtype=object)
    coerced = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(coerced)
    out = np.full(len(s), np.nan)
    if ok.any():
        try:
            out[ok] = np.asarray(s.to_numpy()[ok].astype(str), dtype=object).astype(float)
        except ValueError:
            out[ok] = coerced[ok]
    return out


class Columns:
    """Finds the user's columns for canonical names (mapping first, then default names)."""

    def __init__(self, text: pd.DataFrame, m: LoadMapping, ctx: Ctx) -> None:
        self.by_norm = {norm(c): c for c in text.columns}
        self.m = m
        self.ctx = ctx
        self.found = ", ".join(map(str, text.columns))

    def get(self, canonical: str, required: bool, why: str = "") -> str | None:
        if canonical in self.m.columns:
            user = self.m.columns[canonical]
            if norm(user) not in self.by_norm:
                raise InputError(
                    f"column '{user}' (mapped as {canonical} in the mapping) is missing"
                    + (f" {why}" if why else ""), file=self.ctx.file, row=1,
                    hint=f"Columns found: {self.found}. Fix [columns] {canonical} in "
                    f"{self.m.source}")
            return self.by_norm[norm(user)]
        # a default name is never a column the mapping gave another role (a file's own 'scale'
        # column mapped as the instrument is not also read as the scale)
        claimed = {norm(v) for k, v in self.m.columns.items() if k != canonical}
        claimed |= set(self.m.covariates.values())
        for name in DEFAULT_COLUMN_NAMES.get(canonical, (canonical,)):
            if name in self.by_norm and name not in claimed:
                return self.by_norm[name]
        if required:
            raise InputError(
                f"required column '{canonical}' is missing" + (f" {why}" if why else ""),
                file=self.ctx.file, row=1,
                hint=f"Columns found: {self.found}. Name your column '{canonical}' or map it: "
                f"[columns] {canonical} = \"<your column>\"")
        return None


def fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def release_memory() -> None:
    """Hand memory freed by one phase of a load back to the operating system before the next:
    pyarrow's pool keeps freed blocks for reuse and glibc keeps freed heap pages, so a load's
    peak would otherwise be the sum of its phases' temporaries (measured by
    benchmarks/bench_io.py). Changes no setting; a no-op where neither applies."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
