"""Integer totals → integer item responses within each item's range (seeded random composition).

For a participant's total ``T`` and items with ranges ``[min_k, max_k]``, every item is set near
the participant's level on the scale plus item and participant noise, rounded and clipped, then
repaired unit by unit to sum exactly to ``T`` (in the spirit of SPRITE, Heathers et al. 2018).
Any ``T`` in ``[Σ min_k, Σ max_k]`` is reached exactly. Peak variables get their session totals from the peak (one session = the peak, the other
= peak − |N(0, gap_sd)| rounded, floored at the minimum).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def compose_items(totals: np.ndarray, item_min: tuple[int, ...], item_max: tuple[int, ...],
                  rng: np.random.Generator, item_offset_sd: float = 0.35,
                  noise_sd: float = 0.5) -> np.ndarray:
    """(n, k) integer items (float array; NaN rows where the total is NaN) summing to ``totals``.

    Each item starts near the participant's overall level on the scale,
    ``min_k + p × (max_k − min_k)`` with ``p = (T − Σ min) / Σ (max − min)``, plus an item offset
    (fixed per call, so items differ in their means) and participant-level noise; it is rounded
    and clipped to its range, then single units are added or removed (where the rounding residual
    is largest, among items with room) until the items sum exactly to ``T``.
    """
    lo = np.asarray(item_min, dtype=int)
    hi = np.asarray(item_max, dtype=int)
    k = lo.size
    cap = hi - lo
    offset = rng.normal(0.0, item_offset_sd, k)
    out = np.full((totals.size, k), np.nan)
    for row, total in enumerate(totals):
        noise = rng.normal(0.0, noise_sd, k) + rng.random(k) * 1e-6
        if np.isnan(total):
            continue
        t = int(total)
        if not lo.sum() <= t <= hi.sum():
            raise InputError(f"total {t} outside the reachable range [{lo.sum()}, {hi.sum()}]")
        p = (t - lo.sum()) / cap.sum()
        wish = lo + p * cap + (offset + noise) * cap / 4.0
        items = np.clip(np.rint(wish), lo, hi).astype(int)
        diff = t - int(items.sum())
        while diff != 0:
            step = 1 if diff > 0 else -1
            room = items < hi if step > 0 else items > lo
            score = np.where(room, step * (wish - items), -np.inf)
            j = int(np.argmax(score))
            items[j] += step
            diff -= step
        out[row] = items
    return out


def split_peak(peaks: np.ndarray, lo: int, gap_sd: float, second_probability: float,
               rng: np.random.Generator) -> np.ndarray:
    """(n, 2) session totals whose row maximum is ``peaks`` (NaN rows stay NaN)."""
    n = peaks.size
    second = rng.random(n) < second_probability
    gap = np.rint(np.abs(rng.normal(0.0, gap_sd, n)))
    other = np.maximum(peaks - gap, lo)
    out = np.empty((n, 2))
    out[:, 0] = np.where(second, other, peaks)
    out[:, 1] = np.where(second, peaks, other)
    return out


def compose_unit_items(totals: np.ndarray, item_min: tuple[int, ...], item_max: tuple[int, ...],
                       units: tuple[tuple[int, ...], ...], rng: np.random.Generator) -> np.ndarray:
    """(n, k) items whose instrument score (sum over units of the unit's item maximum) is ``totals``.

    Unit scores are composed like items (:func:`compose_items`, unit range = [max of the items'
    minima, max of their maxima]); a multi-item unit (a QIDS-SR-16 domain such as "highest of
    items 1-4") then puts its score on one randomly chosen item and draws the others uniformly
    between their minimum and the unit score, so the maximum is exactly the unit score.
    """
    umin = tuple(max(item_min[i - 1] for i in u) for u in units)
    umax = tuple(max(item_max[i - 1] for i in u) for u in units)
    unit_scores = compose_items(totals, umin, umax, rng)
    out = np.full((totals.size, len(item_min)), np.nan)
    for j, unit in enumerate(units):
        score = unit_scores[:, j]
        cols = np.array(unit) - 1
        if cols.size == 1:
            out[:, cols[0]] = score
            continue
        lo = np.array([item_min[c] for c in cols], dtype=float)
        hi = np.minimum(np.array([item_max[c] for c in cols], dtype=float)[None, :], score[:, None])
        draws = lo + np.floor(rng.random((totals.size, cols.size)) * (hi - lo + 1.0))
        holder = rng.integers(0, cols.size, totals.size)
        draws[np.arange(totals.size), holder] = score
        out[:, cols] = np.where(np.isnan(score)[:, None], np.nan, draws)
    return out


def unit_scores_total(items: np.ndarray, units: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """Instrument total from items by units (sum of unit maxima); NaN when any item is NaN."""
    parts = [items[:, np.array(u) - 1].max(axis=1) for u in units]
    return np.sum(np.column_stack(parts), axis=1)
