"""Seeded repair search: integer totals whose statistics all fall inside their target intervals.

The state is the (n × V) matrix of integer raw totals of the analysis variables (NaN = missing).
Every target is a function of these totals only, and any integer total inside
[Σ item minima, Σ item maxima] can be realised by items, so a move "±1 on one item of one
participant" is exactly a ±1 move on that participant's total; items are filled in afterwards
(:mod:`.items`). The move set, in the spirit of SPRITE (Heathers, Anaya, van der Zee & Brown
2018) but multivariate:

* single moves: ±1 on one participant's total (all of them, every iteration);
* paired moves: +1 on one participant and −1 on another, same variable (keeps the sum: needed
  when a mean is already exact);
* swaps: exchange two participants' totals on one variable (keeps mean and SD, moves only
  correlations).

All candidate states of an iteration are evaluated at once as a (B, n, V) batch
(:class:`.targets.Objective`); the best improving move is taken (steepest descent, ties broken
by seeded noise). At a local minimum a few random moves are applied (a "kick"). The loss is the
sum over targets of the distance of the statistic from its interval shrunk by a margin (10 % of
the width), so the search ends strictly inside every interval, not on an edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class SearchResult:
    totals: np.ndarray
    loss: float
    iterations: int
    kicks: int


def _candidates(state: np.ndarray, present: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                rng: np.random.Generator, k_pairs: int, k_swaps: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate moves as cell edits: (candidate index, row, column, new value)."""
    rows, cols = np.nonzero(present)
    cur = state[rows, cols]
    up = cur < hi[cols]
    dn = cur > lo[cols]
    b_parts = [np.arange(up.sum()), up.sum() + np.arange(dn.sum())]
    i_parts = [rows[up], rows[dn]]
    v_parts = [cols[up], cols[dn]]
    x_parts = [cur[up] + 1, cur[dn] - 1]
    nb = int(up.sum() + dn.sum())
    for v in range(state.shape[1]):
        pr = np.flatnonzero(present[:, v])
        if pr.size < 2:
            continue
        # paired moves
        i = rng.choice(pr, k_pairs)
        j = rng.choice(pr, k_pairs)
        ok = (i != j) & (state[i, v] < hi[v]) & (state[j, v] > lo[v])
        i, j = i[ok], j[ok]
        idx = nb + np.arange(i.size)
        nb += i.size
        b_parts += [idx, idx]
        i_parts += [i, j]
        v_parts += [np.full(i.size, v), np.full(i.size, v)]
        x_parts += [state[i, v] + 1, state[j, v] - 1]
        # swaps
        i = rng.choice(pr, k_swaps)
        j = rng.choice(pr, k_swaps)
        ok = state[i, v] != state[j, v]
        i, j = i[ok], j[ok]
        idx = nb + np.arange(i.size)
        nb += i.size
        b_parts += [idx, idx]
        i_parts += [i, j]
        v_parts += [np.full(i.size, v), np.full(i.size, v)]
        x_parts += [state[j, v], state[i, v]]
    return (np.concatenate(b_parts), np.concatenate(i_parts), np.concatenate(v_parts),
            np.concatenate(x_parts))


def repair(state: np.ndarray, present: np.ndarray, lo: np.ndarray, hi: np.ndarray,
           objective: Callable[[np.ndarray], np.ndarray], rng: np.random.Generator,
           max_iter: int = 3000, k_pairs: int = 60, k_swaps: int = 60, kick_size: int = 3
           ) -> SearchResult:
    """Steepest-descent repair with kicks; returns the best state found (loss 0 = all targets met)."""
    state = state.copy()
    loss = float(objective(state[None])[0])
    best, best_loss = state.copy(), loss
    kicks = 0
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        if best_loss == 0.0:
            break
        b, i, v, x = _candidates(state, present, lo, hi, rng, k_pairs, k_swaps)
        nb = int(b.max()) + 1
        batch = np.repeat(state[None], nb, axis=0)
        batch[b, i, v] = x
        losses = objective(batch)
        noisy = losses + rng.random(nb) * 1e-9
        k = int(np.argmin(noisy))
        if losses[k] < loss - 1e-12:
            state = batch[k]
            loss = float(losses[k])
        else:
            kicks += 1
            for kk in rng.choice(nb, kick_size, replace=False):
                sel = b == kk
                state[i[sel], v[sel]] = x[sel]
            loss = float(objective(state[None])[0])
        if loss < best_loss:
            best, best_loss = state.copy(), loss
    return SearchResult(best, best_loss, it, kicks)
