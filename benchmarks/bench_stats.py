"""alliance_analysis.stats side by side with pingouin 0.7 in the same run.

1. correlation matrix, 100 variables × 1000 rows, 5% MCAR missing, pairwise deletion:
   ``correlation_matrix`` vs ``pingouin.pairwise_corr`` (ratio; r and p must agree to 1e-12);
2. mediation, n = 30, 5000 bootstrap resamples: ``mediate`` vs ``pingouin.mediation_analysis``;
3. ``import alliance_analysis`` vs ``import pingouin`` in fresh interpreters.

Run as a script (``.venv/bin/python benchmarks/bench_stats.py``; pingouin's pairwise_corr on 100
variables takes tens of seconds) or collect with pytest-benchmark (``pytest benchmarks/bench_stats.py``).
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pandas as pd

N_ROWS, N_VARS, MISSING = 1000, 100, 0.05
N_MED, N_BOOT = 30, 5000


def corr_frame(n_rows: int = N_ROWS, n_vars: int = N_VARS, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n_rows, 1))
    data = 0.4 * latent + rng.normal(size=(n_rows, n_vars))
    data[rng.random(data.shape) < MISSING] = np.nan
    return pd.DataFrame(data, columns=[f"v{i:03d}" for i in range(n_vars)])


def med_frame(n: int = N_MED, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 0.4 * m + 0.1 * x + rng.normal(size=n)
    return pd.DataFrame({"X": x, "M": m, "Y": y})


def ours_matrix(frame: pd.DataFrame):
    from alliance_analysis.stats import correlation_matrix

    return correlation_matrix(frame)


def pingouin_matrix(frame: pd.DataFrame):
    import pingouin as pg

    return pg.pairwise_corr(frame, method="pearson")


def ours_mediation(frame: pd.DataFrame):
    from alliance_analysis.stats import mediate

    return mediate(frame, "X", "M", "Y", n_boot=N_BOOT, seed=0)


def pingouin_mediation(frame: pd.DataFrame):
    import pingouin as pg

    return pg.mediation_analysis(data=frame, x="X", m="M", y="Y", n_boot=N_BOOT, seed=0)


def import_time(module: str, repeats: int = 5) -> float:
    """Best wall time of ``import module`` in a fresh interpreter (interpreter start excluded)."""
    code = f"import time; t0 = time.perf_counter(); import {module}; print(time.perf_counter() - t0)"
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        best = min(best, float(out.stdout.strip().splitlines()[-1]))
    return best


def max_matrix_differences(ours, ref) -> tuple[float, float]:
    ref = ref.set_index(["X", "Y"])
    long = ours.long.set_index(["x", "y"])
    ref = ref.loc[long.index]
    return (float(np.max(np.abs(long["r"].to_numpy() - ref["r"].to_numpy()))),
            float(np.max(np.abs(long["p"].to_numpy() - ref["p_unc"].to_numpy()))))


# ---- pytest-benchmark (smaller pingouin side so the suite stays fast) ----------------------

def test_bench_correlation_matrix(benchmark):
    frame = corr_frame()
    res = benchmark(ours_matrix, frame)
    assert len(res.long) == N_VARS * (N_VARS - 1) // 2


def test_bench_correlation_matrix_pingouin_agreement(benchmark):
    frame = corr_frame(n_vars=15)
    ref = benchmark.pedantic(pingouin_matrix, args=(frame,), rounds=1, iterations=1)
    dr, dp = max_matrix_differences(ours_matrix(frame), ref)
    assert dr <= 1e-12 and dp <= 1e-12


def test_bench_mediation(benchmark):
    frame = med_frame()
    res = benchmark(ours_mediation, frame)
    assert res.n_boot == N_BOOT


def test_bench_mediation_pingouin(benchmark):
    frame = med_frame()
    ref = benchmark.pedantic(pingouin_mediation, args=(frame,), rounds=3, iterations=1)
    ours = ours_mediation(frame)
    indirect = float(ref.loc[ref["path"] == "Indirect", "coef"].iloc[0])
    assert abs(indirect - ours.indirect) <= 1e-10


def test_import_time_vs_pingouin():
    assert import_time("alliance_analysis", repeats=3) < 0.25 * import_time("pingouin", repeats=3)


def _best(fn, *args, repeats: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    frame = corr_frame()
    ours_matrix(frame)  # warm-up: imports scipy
    t_ours, ours = _best(ours_matrix, frame, repeats=7)
    t_pg, ref = _best(pingouin_matrix, frame, repeats=1)
    dr, dp = max_matrix_differences(ours, ref)
    ratio_corr = t_pg / t_ours
    print(f"correlation matrix {N_VARS} vars x {N_ROWS} rows, {MISSING:.0%} missing, "
          f"{len(ours.long)} pairs (pairwise deletion):")
    print(f"  alliance_analysis {t_ours * 1000:9.1f} ms | pingouin {t_pg * 1000:9.1f} ms | "
          f"ratio {ratio_corr:,.0f}x (target >= 500x) | max |dr| {dr:.1e}, max |dp| {dp:.1e}"
          f" (target <= 1e-12)")

    med = med_frame()
    ours_mediation(med)
    pingouin_mediation(med)
    t_ours, om = _best(ours_mediation, med, repeats=7)
    t_pg, pm = _best(pingouin_mediation, med)
    indirect = float(pm.loc[pm["path"] == "Indirect", "coef"].iloc[0])
    ratio_med = t_pg / t_ours
    print(f"mediation n = {N_MED}, {N_BOOT} resamples:")
    print(f"  alliance_analysis {t_ours * 1000:9.1f} ms | pingouin {t_pg * 1000:9.1f} ms | "
          f"ratio {ratio_med:,.1f}x (target >= 50x) | indirect {om.indirect:.10f} vs "
          f"{indirect:.10f}")

    t_a, t_p = import_time("alliance_analysis"), import_time("pingouin")
    t_s = import_time("alliance_analysis.stats")
    print("import in a fresh interpreter (best of 5):")
    print(f"  alliance_analysis {t_a * 1000:7.1f} ms ({t_a / t_p:.3f} of pingouin) | "
          f"alliance_analysis.stats {t_s * 1000:7.1f} ms ({t_s / t_p:.3f}) | "
          f"pingouin {t_p * 1000:7.1f} ms (target < 0.25)")
    ok = (ratio_corr >= 500 and dr <= 1e-12 and dp <= 1e-12 and ratio_med >= 50
          and t_a < 0.25 * t_p)
    print("targets:", "all met" if ok else "NOT all met")


if __name__ == "__main__":
    main()
