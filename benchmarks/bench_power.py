"""Power analysis: throughput of the Monte Carlo simulation, and the exact calculations side by
side with pingouin 0.7, timed the same way.

* Monte Carlo: 10,000 simulated trials of the Levin-type design (n = 24, alliance × k = 4
  follow-up outcomes, 10% MCAR attrition per variable, Holm correction), no peer (pingouin has no
  simulation); target well under a second.
* exact power over a grid of 200 (r, n) or (d_z, n) values: ``power_r(method="fisher_z")`` vs
  ``pingouin.power_corr`` (the same Fisher-z approximation, so the numbers must agree) and
  ``power_dz`` vs ``pingouin.power_ttest(contrast="paired")`` (both noncentral t); agreement on
  the timed outputs;
* time to first result: a fresh interpreter doing import + one power calculation, both sides.

Both sides warm, interleaved, the same repetitions, min and median (``bench_stats.interleaved``
and ``first_result``). Run as a script (``.venv/bin/python benchmarks/bench_power.py``) or with
pytest-benchmark (``make bench``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stats import first_result, interleaved  # noqa: E402

N_SIMS = 10_000
DESIGN = dict(n=24, rho=0.5, k=4, attrition=0.1, correction="holm", n_sims=N_SIMS, seed=1)
GRID_R = [(r, n) for r in np.linspace(0.1, 0.6, 10) for n in range(10, 110, 5)]
GRID_D = [(d, n) for d in np.linspace(0.2, 1.0, 10) for n in range(10, 110, 5)]


def run_simulation():
    from alliance_analysis.power import simulate_correlation_power

    return simulate_correlation_power(**DESIGN)


def ours_power_r():
    from alliance_analysis.power import power_r

    return np.array([power_r(r, n, method="fisher_z").power for r, n in GRID_R])


def pingouin_power_r():
    import pingouin as pg

    return np.array([pg.power_corr(r=r, n=n) for r, n in GRID_R])


def ours_power_dz():
    from alliance_analysis.power import power_dz

    return np.array([power_dz(d, n).power for d, n in GRID_D])


def pingouin_power_dz():
    import pingouin as pg

    return np.array([pg.power_ttest(d=d, n=n, contrast="paired") for d, n in GRID_D])


FIRST_RESULT = {
    "alliance_analysis": "from alliance_analysis.power import power_dz\npower_dz(0.5, 20)",
    "pingouin": "import pingouin as pg\npg.power_ttest(d=0.5, n=20, contrast='paired')",
}


def test_bench_power_simulation(benchmark):
    result = benchmark.pedantic(run_simulation, rounds=5, iterations=1, warmup_rounds=1)
    assert result.n_sims == N_SIMS and result.k == 4
    assert 0.0 < min(result.power) <= result.any_power < 1.0


def test_bench_power_dz_vs_pingouin(benchmark):
    ours = benchmark(ours_power_dz)
    assert np.max(np.abs(ours - pingouin_power_dz())) < 1e-10


def main() -> None:
    import pingouin  # noqa: F401  (both sides warm)

    run_simulation()
    res = interleaved({"simulation": run_simulation}, repeats=5)
    t = res["simulation"]
    print(f"{N_SIMS:,} simulated trials (n = 24, k = 4, attrition .10, Holm), 5 runs: min "
          f"{t['min'] * 1000:.1f} ms, median {t['median'] * 1000:.1f} ms -> "
          f"{N_SIMS / t['median']:,.0f} trials/s")
    print(" ", t["out"].apa())
    for label, ours, peer in (("power of r (Fisher z), 200 (r, n)", ours_power_r, pingouin_power_r),
                              ("power of paired d_z (noncentral t), 200 (d, n)", ours_power_dz,
                               pingouin_power_dz)):
        ours(), peer()
        res = interleaved({"alliance_analysis": ours, "pingouin": peer}, repeats=5)
        diff = np.max(np.abs(res["alliance_analysis"]["out"] - res["pingouin"]["out"]))
        print(f"{label}, 5 interleaved runs each:")
        for name, t in res.items():
            print(f"  {name:<18} min {t['min'] * 1000:8.2f} ms | median {t['median'] * 1000:8.2f} ms")
        print(f"  agreement on the timed outputs: max |d power| {diff:.1e}")
    first = first_result(FIRST_RESULT)
    print("time to first result (fresh interpreter: import + one power calculation), 5 runs:")
    for name, t in first.items():
        print(f"  {name:<18} min {t['min'] * 1000:8.1f} ms | median {t['median'] * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
