"""Input checks shared by the statistics functions (every refusal is an :class:`InputError`).

* lists, tuples, numpy arrays and pandas Series/one-column DataFrames become 1-D float arrays;
  missing values (``None``, ``NaN``, ``pd.NA``) become ``NaN``;
* text is never coerced (not even ``"3"``): a text value raises an :class:`InputError` that names
  the variable and shows the first offending value;
* ±inf is refused (recode it as missing); an all-missing variable is refused by name.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ComputationWarning, InputError

ALTERNATIVES = ("two-sided", "greater", "less")


def check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise InputError(f"alternative must be one of {', '.join(ALTERNATIVES)}", value=alternative)
    return alternative


def check_confidence(confidence: float) -> float:
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise InputError("confidence must be a number strictly between 0 and 1",
                         value=confidence) from None
    if not (0.0 < level < 1.0):
        raise InputError("confidence must be strictly between 0 and 1 (e.g. 0.95)", value=confidence)
    return level


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _first_text(values: np.ndarray) -> object:
    for v in values.ravel():
        if not _is_missing(v) and not isinstance(v, numbers.Real):
            return v
    return None


def _text_error(name: str, value: object, column: str | None = None) -> InputError:
    what = "must be numeric" if column is not None else f"{name} must be numeric"
    return InputError(f"{what}, found text", column=column, value=value,
                      hint="convert it (e.g. pandas.to_numeric) or recode text as missing")


def _object_to_float(values: np.ndarray, name: str, column: str | None = None) -> np.ndarray:
    """Object array of numbers/missing markers → float; any text raises naming the variable."""
    bad = _first_text(values)
    if bad is not None:
        raise _text_error(name, bad, column)
    return np.array([np.nan if _is_missing(v) else float(v) for v in values.ravel()],
                    dtype=float).reshape(values.shape)


def series_to_float(col: pd.Series, name: str, column: str | None = None) -> np.ndarray:
    """A pandas column as float (nullable dtypes → NaN); text and non-numeric dtypes refused."""
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_object_dtype(dtype):
        return _object_to_float(col.to_numpy(), name, column)
    first = col.dropna()
    raise _text_error(name, first.iloc[0] if len(first) else str(dtype), column)


def as_vector(x: object, name: str) -> np.ndarray:
    """A 1-D float array (NaN kept); non-numeric input is refused naming ``name``."""
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise InputError(f"{name} must be one variable, got a table with {x.shape[1]} columns")
        x = x.iloc[:, 0]
    if isinstance(x, pd.Series):
        arr = series_to_float(x, name, None if x.name is None else str(x.name))
    else:
        raw = np.asarray(x)
        if raw.dtype.kind in "biuf":
            arr = raw.astype(float)
        elif raw.dtype.kind == "O":
            arr = _object_to_float(raw, name)
        elif raw.dtype.kind in "USTa":
            raise _text_error(name, raw.ravel()[0] if raw.size else "")
        else:
            raise InputError(f"{name} must be numeric", value=str(raw.dtype))
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise InputError(f"{name} contains an infinite value", hint="recode it as missing or fix it")
    if arr.size and np.isnan(arr).all():
        raise InputError(f"{name} has no non-missing values")
    return arr


def paired_complete(a: object, b: object, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs with both values present; unequal lengths are refused (never silently unpaired)."""
    x, y = as_vector(a, names[0]), as_vector(b, names[1])
    if x.size != y.size:
        raise InputError(
            f"{names[0]} and {names[1]} must have the same length for paired data "
            f"({x.size} vs {y.size})", hint="pass one value per participant in both, NaN if missing")
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep], int(x.size - keep.sum())


def drop_missing(a: object, name: str) -> tuple[np.ndarray, int]:
    x = as_vector(a, name)
    keep = ~np.isnan(x)
    return x[keep], int(x.size - keep.sum())


def frame_matrix(frame: pd.DataFrame, columns: Sequence[str], *,
                 unique: bool = True) -> np.ndarray:
    """Float matrix of ``columns`` (in that order, all rows, NaN kept), checked column by column.

    Missing or duplicated column names, text, ±inf and all-missing columns raise
    :class:`InputError` naming the column. Numeric frames are converted in one call.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", value=type(frame).__name__)
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError("no such column", column=str(missing[0]),
                         hint=f"available: {', '.join(map(str, frame.columns))}")
    if unique and len(set(columns)) != len(columns):
        dup = next(c for i, c in enumerate(columns) if c in columns[:i])
        raise InputError("column used twice in the same model", column=str(dup))
    sub = frame[columns] if columns else frame.iloc[:, :0]
    dtypes = list(sub.dtypes)
    fast = all(pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d) for d in dtypes)
    if fast:
        data = sub.to_numpy(dtype=float, na_value=np.nan)
    else:
        data = np.empty((len(sub), len(columns)))
        for j, c in enumerate(columns):
            data[:, j] = series_to_float(sub.iloc[:, j], str(c), column=str(c))
    if data.size:
        if np.isinf(data).any():
            j = int(np.flatnonzero(np.isinf(data).any(axis=0))[0])
            raise InputError("column contains an infinite value", column=str(columns[j]),
                             hint="recode it as missing or fix it")
        empty = np.isnan(data).all(axis=0)
        if empty.any():
            j = int(np.flatnonzero(empty)[0])
            raise InputError("column has no non-missing values", column=str(columns[j]))
    return data


def frame_complete(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, int]:
    """Listwise-complete float matrix of ``columns`` (in that order) and the number of rows dropped."""
    data = frame_matrix(frame, columns)
    keep = ~np.isnan(data).any(axis=1)
    return data[keep], int(len(frame) - keep.sum())


def warn(message: str) -> None:
    warnings.warn(message, ComputationWarning, stacklevel=3)


def is_constant(x: np.ndarray) -> bool:
    return x.size == 0 or bool(np.all(x == x[0]))


def finite_or_nan(x: float) -> float:
    return float(x) if x is not None and math.isfinite(x) else float("nan")
