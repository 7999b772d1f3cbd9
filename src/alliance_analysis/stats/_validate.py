"""Input checks shared by the statistics functions (every refusal is an :class:`InputError`)."""

from __future__ import annotations

import math
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


def as_vector(x: object, name: str) -> np.ndarray:
    """A 1-D float array (NaN kept); non-numeric input is refused."""
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise InputError(f"{name} must be one variable, got a table with {x.shape[1]} columns")
        x = x.iloc[:, 0]
    if isinstance(x, pd.Series):
        try:
            arr = x.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be numeric", column=str(x.name)) from None
    else:
        try:
            arr = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be numeric") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise InputError(f"{name} contains an infinite value", hint="recode it as missing or fix it")
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


def frame_complete(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, int]:
    """Listwise-complete float matrix of ``columns`` (in that order) and the number of rows dropped."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", value=type(frame).__name__)
    seen: set[str] = set()
    for c in columns:
        if c not in frame.columns:
            raise InputError("no such column", column=str(c),
                             hint=f"available: {', '.join(map(str, frame.columns))}")
        if c in seen:
            raise InputError("column used twice in the same model", column=str(c))
        seen.add(c)
    mats = []
    for c in columns:
        col = frame[c]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            try:
                col = pd.to_numeric(col)
            except (TypeError, ValueError):
                raise InputError("column must be numeric", column=str(c)) from None
        arr = col.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(arr).any():
            raise InputError("column contains an infinite value", column=str(c))
        mats.append(arr)
    data = np.column_stack(mats) if mats else np.empty((len(frame), 0))
    keep = ~np.isnan(data).any(axis=1)
    return data[keep], int(len(frame) - keep.sum())


def warn(message: str) -> None:
    warnings.warn(message, ComputationWarning, stacklevel=3)


def is_constant(x: np.ndarray) -> bool:
    return x.size == 0 or bool(np.all(x == x[0]))


def finite_or_nan(x: float) -> float:
    return float(x) if x is not None and math.isfinite(x) else float("nan")
