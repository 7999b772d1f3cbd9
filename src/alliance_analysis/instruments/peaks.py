"""Per-participant peak over sessions (e.g. "EBIMax"/"MEQMax" = maximum across the two dosing
sessions, Murphy et al. 2022 as summarised in the project note murphy2022.md; UNVERIFIED secondary).

Both functions ignore NaN, return NaN when every session is missing, and never emit a
RuntimeWarning ("All-NaN slice") the way ``np.nanmax`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def peak(values: Any, axis: int = -1) -> np.ndarray:
    """Maximum over ``axis`` ignoring NaN; NaN where every value along ``axis`` is NaN."""
    x = np.asarray(values, dtype=float)
    if x.ndim == 0:
        raise ValueError("peak() needs at least a 1-D array of sessions")
    if x.shape[axis] == 0:
        return np.full(np.delete(np.array(x.shape), axis % x.ndim), np.nan)
    # fmax ignores NaN unless both operands are NaN
    return np.fmax.reduce(x, axis=axis)


def peak_session(values: Any, axis: int = -1) -> np.ndarray:
    """Index (0-based, along ``axis``) of the session holding the peak, as float.

    Ties go to the first session; rows whose sessions are all NaN give NaN (hence a float array,
    so that it can sit in a table next to the peak itself).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim == 0:
        raise ValueError("peak_session() needs at least a 1-D array of sessions")
    if x.shape[axis] == 0:
        return np.full(np.delete(np.array(x.shape), axis % x.ndim), np.nan)
    missing = np.isnan(x)
    idx = np.argmax(np.where(missing, -np.inf, x), axis=axis).astype(float)
    return np.where(missing.all(axis=axis), np.nan, idx)
