"""Benchmark: score 10,000 participants × 6 timepoints × 4 instruments from items.

Instruments: WAI-SR (12 items), MEQ30 (30), GRID-HAMD-17 (17, per-item ranges), IES-R (22).
Random valid integer responses with ~5 % missing values (seeded), one 60,000-row matrix per
instrument. Run: ``.venv/bin/python -m pytest benchmarks/bench_scoring.py --benchmark-only -q -s``.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from alliance_analysis.instruments import get_instrument

N_PARTICIPANTS = 10_000
N_TIMEPOINTS = 6
INSTRUMENTS = ("wai_sr", "meq30", "grid_hamd_17", "ies_r")


@pytest.fixture(scope="module")
def matrices():
    rng = np.random.default_rng(20240501)
    n = N_PARTICIPANTS * N_TIMEPOINTS
    out = {}
    for iid in INSTRUMENTS:
        inst = get_instrument(iid)
        lo = np.asarray(inst.item_min)
        hi = np.asarray(inst.item_max)
        x = np.floor(lo + rng.random((n, inst.n_items)) * (hi - lo + 1))
        x[rng.random(x.shape) < 0.05] = np.nan
        out[iid] = (inst, x)
    return out


def score_all(matrices):
    return {iid: inst.score(x) for iid, (inst, x) in matrices.items()}


def test_bench_score_four_instruments(benchmark, matrices):
    t0 = time.perf_counter()
    result = score_all(matrices)
    once = time.perf_counter() - t0
    assert result["wai_sr"]["total"].score.shape == (N_PARTICIPANTS * N_TIMEPOINTS,)
    benchmark(score_all, matrices)
    mean = benchmark.stats.stats.mean
    print(
        f"\nscoring {N_PARTICIPANTS} participants x {N_TIMEPOINTS} timepoints x "
        f"{len(INSTRUMENTS)} instruments: first call {once * 1e3:.1f} ms, "
        f"mean {mean * 1e3:.1f} ms"
    )
