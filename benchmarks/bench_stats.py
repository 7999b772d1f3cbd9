"""alliance_analysis.stats side by side with pingouin 0.7 in the same run, timed the same way.

Fairness rules (every comparison below follows them):

* both sides are warm (their imports done before timing) and are timed by the same function,
  :func:`interleaved`: the calls alternate (ours, peer, peer, ours, ...), the same number of
  repetitions for each side, and both the minimum and the median are reported;
* agreement is checked on the outputs of the timed calls themselves (the same data), not on a
  smaller problem;
* time to first result = a fresh interpreter doing ``import`` + one test, for both sides
  (:func:`first_result`), also interleaved, min and median; a bare ``import`` is not reported
  as a result.

Comparisons: (1) correlation matrix, 40 variables × 1000 rows, 5% MCAR missing, pairwise
deletion (``correlation_matrix`` vs ``pingouin.pairwise_corr``); (2) mediation, n = 30, 5000
resamples (``mediate`` vs ``pingouin.mediation_analysis``); (3) paired tests over many variables
(the 2-D batch ``paired_ttest`` vs one ``pingouin.ttest(paired=True)`` per variable, and vs the
package's own per-variable loop); (4) BLAS threads on a small correlation matrix (60 × 1000): the
package's one-thread limit for small problems vs the library default threads; (5) time to first
result. Run as a script (``.venv/bin/python benchmarks/bench_stats.py``; about two minutes) or
collect the small pytest-benchmark versions (``pytest benchmarks/bench_stats.py``).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

N_ROWS, N_VARS, MISSING = 1000, 40, 0.05
N_MED, N_BOOT = 30, 5000
N_PAIRED, K_PEER, K_BATCH = 30, 1000, 10_000
REPEATS = 3


# ---- fair timing -----------------------------------------------------------------------------

def interleaved(calls: dict[str, Callable[[], object]], repeats: int = REPEATS
                ) -> dict[str, dict[str, object]]:
    """Time every callable ``repeats`` times, alternating their order each round (ABBA...).

    Returns name → {"min", "median" (seconds), "out" (the last output, for agreement checks)}.
    """
    names = list(calls)
    times: dict[str, list[float]] = {n: [] for n in names}
    outs: dict[str, object] = {}
    for i in range(repeats):
        for name in (names if i % 2 == 0 else names[::-1]):
            t0 = time.perf_counter()
            outs[name] = calls[name]()
            times[name].append(time.perf_counter() - t0)
    return {n: {"min": min(times[n]), "median": statistics.median(times[n]), "out": outs[n]}
            for n in names}


def first_result(snippets: dict[str, str], repeats: int = 5) -> dict[str, dict[str, float]]:
    """Wall time of ``import`` + one test in a fresh interpreter per run (interpreter start-up
    excluded: the clock starts inside the process), interleaved, min and median."""
    calls = {}
    for name, code in snippets.items():
        prog = f"import time\nt0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - t0)"

        def run(prog: str = prog) -> float:
            out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True,
                                 check=True)
            return float(out.stdout.strip().splitlines()[-1])
        calls[name] = run
    names = list(calls)
    values: dict[str, list[float]] = {n: [] for n in names}
    for i in range(repeats):
        for name in (names if i % 2 == 0 else names[::-1]):
            values[name].append(calls[name]())
    return {n: {"min": min(v), "median": statistics.median(v)} for n, v in values.items()}


FIRST_RESULT = {
    "alliance_analysis": ("import numpy as np\nfrom alliance_analysis.stats import paired_ttest\n"
                          "r = np.random.default_rng(0).normal(size=(20, 2))\n"
                          "paired_ttest(r[:, 0], r[:, 1])"),
    "pingouin": ("import numpy as np\nimport pingouin as pg\n"
                 "r = np.random.default_rng(0).normal(size=(20, 2))\n"
                 "pg.ttest(r[:, 1], r[:, 0], paired=True)"),
}


# ---- data --------------------------------------------------------------------------------------

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


def paired_data(k: int, n: int = N_PAIRED, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pre = rng.normal(size=(n, k))
    post = 0.6 * pre + rng.normal(0.3, 1.0, size=(n, k))
    return pre, post


# ---- the two sides -------------------------------------------------------------------------------

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


def ours_paired_batch(pre: np.ndarray, post: np.ndarray):
    from alliance_analysis.stats import paired_ttest

    return paired_ttest(pre, post)


def ours_paired_loop(pre: np.ndarray, post: np.ndarray):
    from alliance_analysis.stats import paired_ttest

    return [paired_ttest(pre[:, j], post[:, j]) for j in range(pre.shape[1])]


def pingouin_paired_loop(pre: np.ndarray, post: np.ndarray):
    import pingouin as pg

    return [pg.ttest(post[:, j], pre[:, j], paired=True) for j in range(pre.shape[1])]


def max_matrix_differences(ours, ref) -> tuple[float, float]:
    ref = ref.set_index(["X", "Y"])
    long = ours.long.set_index(["x", "y"])
    ref = ref.loc[long.index]
    return (float(np.max(np.abs(long["r"].to_numpy() - ref["r"].to_numpy()))),
            float(np.max(np.abs(long["p"].to_numpy() - ref["p_unc"].to_numpy()))))


def paired_differences(batch, ref: list) -> tuple[float, float]:
    """Max |Δt| and |Δp| between the batch and pingouin's per-variable tables (pingouin's
    paired d is |d_av|, compared too)."""
    t = np.array([float(r["T"].iloc[0]) for r in ref])
    p = np.array([float(r["p_val"].iloc[0]) if "p_val" in r else float(r["p-val"].iloc[0])
                  for r in ref])
    d = np.array([float(r["cohen_d"].iloc[0]) if "cohen_d" in r else float(r["cohen-d"].iloc[0])
                  for r in ref])
    return (float(np.max(np.abs(batch.t - t))),
            float(np.max(np.abs(batch.p - p))),
            float(np.max(np.abs(np.abs(batch.d_av) - d))))


# ---- pytest-benchmark (small sizes; the same agreement checks) -----------------------------------

def test_bench_correlation_matrix(benchmark):
    frame = corr_frame(n_vars=15)
    res = benchmark(ours_matrix, frame)
    dr, dp = max_matrix_differences(res, pingouin_matrix(frame))
    assert dr <= 1e-12 and dp <= 1e-12


def test_bench_mediation(benchmark):
    frame = med_frame()
    res = benchmark(ours_mediation, frame)
    ref = pingouin_mediation(frame)
    assert abs(float(ref.loc[ref["path"] == "Indirect", "coef"].iloc[0]) - res.indirect) <= 1e-10


def test_bench_paired_batch(benchmark):
    pre, post = paired_data(K_BATCH)
    res = benchmark.pedantic(ours_paired_batch, args=(pre, post), rounds=3, iterations=1)
    from scipy import stats as st

    np.testing.assert_allclose(res.t, st.ttest_rel(post, pre).statistic, rtol=1e-10)


def test_interleaved_runs_both_sides_equally():
    calls: list[str] = []
    out = interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 4)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert set(out) == {"a", "b"} and out["a"]["min"] <= out["a"]["median"]


# ---- script ----------------------------------------------------------------------------------------

def _line(name: str, timing: dict, unit: float = 1000.0, label: str = "ms") -> str:
    return f"  {name:<34} min {timing['min'] * unit:9.2f} {label} | median {timing['median'] * unit:9.2f} {label}"


def main() -> None:
    import pingouin  # noqa: F401  (warm: both sides imported before timing)

    import alliance_analysis.stats  # noqa: F401

    frame = corr_frame()
    ours_matrix(frame)
    pingouin_matrix(corr_frame(n_vars=3))
    res = interleaved({"alliance_analysis": lambda: ours_matrix(frame),
                       "pingouin": lambda: pingouin_matrix(frame)})
    dr, dp = max_matrix_differences(res["alliance_analysis"]["out"], res["pingouin"]["out"])
    print(f"correlation matrix {N_VARS} vars x {N_ROWS} rows, {MISSING:.0%} missing, "
          f"{N_VARS * (N_VARS - 1) // 2} pairs, {REPEATS} interleaved runs each:")
    for name in res:
        print(_line(name, res[name]))
    print(f"  ratio of medians {res['pingouin']['median'] / res['alliance_analysis']['median']:,.0f}x"
          f" | agreement on the timed outputs: max |dr| {dr:.1e}, max |dp| {dp:.1e}")

    med = med_frame()
    res = interleaved({"alliance_analysis": lambda: ours_mediation(med),
                       "pingouin": lambda: pingouin_mediation(med)})
    pm = res["pingouin"]["out"]
    indirect = float(pm.loc[pm["path"] == "Indirect", "coef"].iloc[0])
    print(f"mediation n = {N_MED}, {N_BOOT} resamples, {REPEATS} interleaved runs each:")
    for name in res:
        print(_line(name, res[name]))
    print(f"  ratio of medians {res['pingouin']['median'] / res['alliance_analysis']['median']:,.1f}x"
          f" | indirect {res['alliance_analysis']['out'].indirect:.12f} vs {indirect:.12f}")

    pre, post = paired_data(K_PEER)
    res = interleaved({"alliance_analysis (2-D batch)": lambda: ours_paired_batch(pre, post),
                       "alliance_analysis (loop)": lambda: ours_paired_loop(pre, post),
                       "pingouin (loop)": lambda: pingouin_paired_loop(pre, post)})
    dt, dp, dd = paired_differences(res["alliance_analysis (2-D batch)"]["out"],
                                    res["pingouin (loop)"]["out"])
    print(f"paired t-tests, {K_PEER:,} variables x n = {N_PAIRED}, {REPEATS} interleaved runs each:")
    for name in res:
        print(_line(name, res[name]))
    print(f"  agreement with pingouin on the timed outputs: max |dt| {dt:.1e}, max |dp| {dp:.1e}, "
          f"max |d_av - pingouin d| {dd:.1e}")
    pre, post = paired_data(K_BATCH)
    res = interleaved({"alliance_analysis (2-D batch)": lambda: ours_paired_batch(pre, post)})
    from scipy import stats as st

    ref = st.ttest_rel(post, pre)
    got = res["alliance_analysis (2-D batch)"]["out"]
    print(f"paired t-tests, {K_BATCH:,} variables, batch only (scipy ttest_rel agreement "
          f"max |dt| {np.max(np.abs(got.t - ref.statistic)):.1e}):")
    print(_line("alliance_analysis (2-D batch)", res["alliance_analysis (2-D batch)"]))

    from alliance_analysis.stats import _threads

    small = corr_frame(n_rows=60, n_vars=1000)
    ours_matrix(small)
    default_limit = _threads.SMALL_WORK

    def with_default_threads():
        _threads.SMALL_WORK = 0.0  # never limit: the BLAS library's own thread count
        try:
            return ours_matrix(small)
        finally:
            _threads.SMALL_WORK = default_limit

    res = interleaved({"one BLAS thread (package default)": lambda: ours_matrix(small),
                       "library default threads": with_default_threads}, repeats=7)
    a = res["one BLAS thread (package default)"]["out"].long["r"].to_numpy()
    b = res["library default threads"]["out"].long["r"].to_numpy()
    print("correlation matrix 60 rows x 1000 vars (small problem), 7 interleaved runs each:")
    for name in res:
        print(_line(name, res[name]))
    print(f"  same r either way: max |dr| {np.nanmax(np.abs(a - b)):.1e}")

    first = first_result(FIRST_RESULT)
    print("time to first result (fresh interpreter: import + one paired t-test), 5 interleaved runs:")
    for name in first:
        print(_line(name, first[name]))


if __name__ == "__main__":
    main()
