"""Response and remission from a baseline and a follow-up score (vectorised, NaN-propagating).

Psilocybin depression trials define response as a ≥ 50 % decrease from baseline and remission as
a ≥ 50 % decrease **and** a score ≤ 7 on GRID-HAMD-17 (Griffiths et al. 2016, Table 6; reference
S33, VERIFIED). Other trials use other definitions (QIDS-SR-16 remission ≤ 5 without a reduction
criterion, STAR*D via S28), so every threshold is a parameter; an instrument's defaults are in
``Instrument.outcome_rules``.

Results are float arrays: 1.0 = yes, 0.0 = no, NaN = not determinable (either score missing, or a
baseline at the scale minimum when a relative reduction is required). Comparisons allow a relative
tolerance of 1e-9 so that e.g. 10 → 7 counts as a 30 % reduction despite binary rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError

_TOL = 1e-9


def reduction(baseline: Any, followup: Any, scale_min: float = 0.0) -> np.ndarray:
    """Fractional reduction ``(baseline − followup) / (baseline − scale_min)``.

    NaN when either score is missing or the baseline is at (or below) ``scale_min``.
    """
    b, f = np.broadcast_arrays(np.asarray(baseline, float), np.asarray(followup, float))
    denom = b - scale_min
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (b - f) / denom, np.nan)


def _meets_reduction(b: np.ndarray, f: np.ndarray, fraction: float, scale_min: float) -> np.ndarray:
    denom = b - scale_min
    with np.errstate(invalid="ignore"):
        ok = (b - f) >= fraction * denom - _TOL * np.abs(denom)
        return np.where((denom > 0) & ~np.isnan(f), ok.astype(float), np.nan)


def _check_fraction(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and 0 < value <= 1):
        raise InputError(f"{name} must be a fraction in (0, 1], e.g. 0.5 for 50 %", value=value)


def response(
    baseline: Any, followup: Any, threshold: float = 0.5, *, scale_min: float = 0.0
) -> np.ndarray:
    """1.0 where the score fell by at least ``threshold`` (fraction of the baseline above
    ``scale_min``), 0.0 where not, NaN where undeterminable. Default ≥ 50 % (S33)."""
    _check_fraction("threshold", threshold)
    b, f = np.broadcast_arrays(np.asarray(baseline, float), np.asarray(followup, float))
    return _meets_reduction(b, f, threshold, scale_min)


def remission(
    baseline: Any,
    followup: Any,
    max_score: float = 7,
    min_reduction: float | None = 0.5,
    *,
    scale_min: float = 0.0,
) -> np.ndarray:
    """1.0 where ``followup ≤ max_score`` and (unless ``min_reduction`` is None) the score fell
    by at least ``min_reduction``; 0.0 where not; NaN where undeterminable.

    Default = GRID-HAMD-17 remission in psilocybin trials: ≥ 50 % decrease and ≤ 7 (S33). With
    ``min_reduction=None`` only the follow-up score matters (e.g. QIDS-SR-16 ≤ 5, S28), and a
    missing baseline does not make the result NaN.
    """
    f = np.asarray(followup, dtype=float)
    b = np.asarray(baseline, dtype=float)
    b, f = np.broadcast_arrays(b, f)
    low = np.where(np.isnan(f), np.nan, (f <= max_score + _TOL * max(1.0, abs(max_score))) * 1.0)
    if min_reduction is None:
        return low
    _check_fraction("min_reduction", min_reduction)
    red = _meets_reduction(b, f, min_reduction, scale_min)
    return low * red
