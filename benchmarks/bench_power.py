"""Throughput of the vectorised Monte Carlo power simulation.

10,000 simulated trials of the Levin-type design: n = 24, alliance × k = 4 follow-up outcomes,
10% MCAR attrition per variable, Holm correction. Run as a script
(``.venv/bin/python benchmarks/bench_power.py``) or collected by pytest-benchmark
(``make bench``). Target: well under a second on a laptop.
"""

from __future__ import annotations

import time

N_SIMS = 10_000
DESIGN = dict(n=24, rho=0.5, k=4, attrition=0.1, correction="holm", n_sims=N_SIMS, seed=1)


def run_simulation():
    from alliance_analysis.power import simulate_correlation_power

    return simulate_correlation_power(**DESIGN)


def test_bench_power_simulation(benchmark):
    result = benchmark.pedantic(run_simulation, rounds=5, iterations=1, warmup_rounds=1)
    assert result.n_sims == N_SIMS and result.k == 4
    assert 0.0 < min(result.power) <= result.any_power < 1.0


def main() -> None:
    run_simulation()  # warm-up (imports scipy)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        result = run_simulation()
        best = min(best, time.perf_counter() - t0)
    print(f"{N_SIMS:,} simulated trials (n = 24, k = 4, attrition .10, Holm) in "
          f"{best * 1000:.1f} ms -> {N_SIMS / best:,.0f} trials/s")
    print(result.apa())


if __name__ == "__main__":
    main()
