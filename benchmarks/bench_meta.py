"""alliance_analysis.meta side by side with statsmodels ``combine_effects`` in the same run.

1. One random-effects fit of 10,000 studies: ``meta_analysis(yi=, vi=, method="DL" / "PM")`` vs
   ``statsmodels.stats.meta_analysis.combine_effects(method_re="dl" / "iterated")`` (ours also
   computes the Q-profile CI of τ², I², H² and the prediction interval); REML (which statsmodels
   does not offer) timed alone.
2. Leave-one-out: ours (all k fits iterated together, O(k) per iteration) vs a loop of k
   ``combine_effects`` calls, at k = 1,000 (the loop at 10,000 would take minutes), and ours alone
   at k = 10,000.

Both sides are timed the same way, interleaved (ours, theirs, ours, ...), reporting min and
median; agreement (estimate, τ², SE) is asserted on the timed data. Run as a script
(``python benchmarks/bench_meta.py``) or collect with pytest-benchmark.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

K_POOL, K_LOO_PEER, ROUNDS = 10_000, 1_000, 7
SM_METHOD = {"DL": "dl", "PM": "iterated"}


def studies(k: int, seed: int = 20261204) -> tuple[np.ndarray, np.ndarray]:
    """Fisher-z effects of ``k`` studies (n from 10 to 300, true τ = 0.15 around z = 0.3)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 300, k)
    v = 1.0 / (n - 3.0)
    y = rng.normal(0.3, 0.15, k) + rng.normal(0, 1, k) * np.sqrt(v)
    return y, v


def ours_pool(y, v, method):
    from alliance_analysis.meta import meta_analysis

    return meta_analysis(yi=y, vi=v, method=method)


def theirs_pool(y, v, method):
    from statsmodels.stats.meta_analysis import combine_effects

    return combine_effects(y, v, method_re=SM_METHOD[method])


def ours_loo(y, v, method):
    from alliance_analysis.meta import leave_one_out_batch

    return leave_one_out_batch(y, v, method)


def theirs_loo(y, v, method):
    from statsmodels.stats.meta_analysis import combine_effects

    k = y.size
    est, tau2 = np.empty(k), np.empty(k)
    for i in range(k):
        keep = np.arange(k) != i
        res = combine_effects(y[keep], v[keep], method_re=SM_METHOD[method])
        est[i] = res.summary_frame().loc["random effect", "eff"]
        tau2[i] = res.tau2
    return {"estimate": est, "tau2": tau2}


def interleaved(fns, rounds: int = ROUNDS):
    """Call each function in turn ``rounds`` times; returns {name: (min, median, last result)}."""
    times = {name: [] for name in fns}
    last = {}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            last[name] = fn()
            times[name].append(time.perf_counter() - t0)
    return {name: (min(t), statistics.median(t), last[name]) for name, t in times.items()}


def check_pool(ours, theirs) -> None:
    frame = theirs.summary_frame()
    assert abs(ours.estimate - frame.loc["random effect", "eff"]) < 1e-10
    assert abs(ours.tau2 - theirs.tau2) <= 1e-9 * max(1.0, theirs.tau2)
    assert abs(ours.se - frame.loc["random effect", "sd_eff"]) < 1e-9


def check_loo(ours, theirs) -> None:
    np.testing.assert_allclose(ours["estimate"], theirs["estimate"], atol=1e-10)
    np.testing.assert_allclose(ours["tau2"], theirs["tau2"], atol=1e-9, rtol=1e-8)


# -- pytest-benchmark -------------------------------------------------------------------------
def test_bench_pool_reml_10000(benchmark):
    y, v = studies(K_POOL)
    res = benchmark.pedantic(ours_pool, args=(y, v, "REML"), rounds=5, iterations=1,
                             warmup_rounds=1)
    assert res.k == K_POOL and res.converged


def test_bench_loo_reml_10000(benchmark):
    y, v = studies(K_POOL)
    res = benchmark.pedantic(ours_loo, args=(y, v, "REML"), rounds=5, iterations=1,
                             warmup_rounds=1)
    assert res["estimate"].size == K_POOL


def test_bench_pool_dl_vs_statsmodels(benchmark):
    y, v = studies(K_POOL)
    res = benchmark.pedantic(ours_pool, args=(y, v, "DL"), rounds=5, iterations=1,
                             warmup_rounds=1)
    check_pool(res, theirs_pool(y, v, "DL"))


# -- script -----------------------------------------------------------------------------------
def _line(what, stats):
    lo, med, _ = stats
    return f"  {what:<44} min {lo * 1e3:9.2f} ms   median {med * 1e3:9.2f} ms"


def main() -> None:
    y, v = studies(K_POOL)
    ours_pool(y, v, "DL")
    theirs_pool(y, v, "DL")  # warm-up: imports
    print(f"1. one fit, k = {K_POOL:,} studies (interleaved, {ROUNDS} rounds)")
    for method in ("DL", "PM"):
        out = interleaved({"ours": lambda m=method: ours_pool(y, v, m),
                           "statsmodels": lambda m=method: theirs_pool(y, v, m)})
        check_pool(out["ours"][2], out["statsmodels"][2])
        print(_line(f"meta_analysis {method}", out["ours"]))
        print(_line(f"combine_effects {SM_METHOD[method]}", out["statsmodels"]))
    out = interleaved({"ours": lambda: ours_pool(y, v, "REML")})
    print(_line("meta_analysis REML (no statsmodels peer)", out["ours"]))
    ys, vs = studies(K_LOO_PEER, seed=7)
    print(f"2. leave-one-out, k = {K_LOO_PEER:,} (interleaved, 3 rounds; agreement asserted)")
    for method in ("DL", "PM"):
        out = interleaved({"ours": lambda m=method: ours_loo(ys, vs, m),
                           "statsmodels": lambda m=method: theirs_loo(ys, vs, m)}, rounds=3)
        check_loo(out["ours"][2], out["statsmodels"][2])
        print(_line(f"leave_one_out_batch {method}", out["ours"]))
        print(_line(f"loop of {K_LOO_PEER} combine_effects {SM_METHOD[method]}",
                    out["statsmodels"]))
    print(f"   leave-one-out, k = {K_POOL:,}, ours alone")
    for method in ("DL", "PM", "REML", "ML"):
        out = interleaved({"ours": lambda m=method: ours_loo(y, v, m)})
        print(_line(f"leave_one_out_batch {method}", out["ours"]))


if __name__ == "__main__":
    main()
