"""reliability() side by side with pingouin.cronbach_alpha (0.7) in the same run.

Data: 5,000 participants × 36 items (a WAI-36-sized scale), one-factor model cut into 1–7
categories, 2 % of the values missing (seeded); listwise deletion in both.

1. α with its 95% Feldt interval: ``reliability(items, omega=False)`` (also computes standardized
   α, corrected item-total r and α-if-item-deleted) vs ``pingouin.cronbach_alpha(items,
   nan_policy="listwise")``; α must agree to 1e-12 on the timed data;
2. α-if-item-deleted for all 36 items: one ``reliability`` call vs 36 pingouin calls (pingouin has
   no item statistics); every value must agree to 1e-12;
3. bootstrap percentile interval, 1,000 resamples: ``reliability(n_boot=1000)`` (all resamples at
   once) vs pingouin called on each resample built from the same resample counts (pingouin has no
   bootstrap); the intervals must agree to 1e-12.

Timing: the two sides alternate round by round (interleaved), best and median wall time of each.
The script limits BLAS to one thread for both sides (threadpoolctl, when installed): on a shared
machine a multi-threaded BLAS product of a 2,000 × 36 matrix is dominated by thread contention
(measured here: 16 ms instead of 2 ms), which pandas' covariance (pingouin) does not use.
Run as a script (``.venv/bin/python benchmarks/bench_reliability.py``) or with pytest-benchmark
(``pytest benchmarks/bench_reliability.py --benchmark-only``).

Note: on data with missing values pingouin's Feldt interval uses the number of rows *before*
listwise deletion as n (here 5,000 instead of the complete rows); this one uses the rows it
computed α from. The check below shows pingouin's bounds equal the Feldt formula with that n.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

N_ROWS, N_ITEMS, MISSING = 5000, 36, 0.02
N_BOOT, N_BOOT_ROWS = 1000, 300
ROUNDS = 7


def items_frame(n: int = N_ROWS, k: int = N_ITEMS, missing: float = MISSING,
                seed: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.4, 0.8, k)
    x = rng.standard_normal((n, 1)) * lam + rng.standard_normal((n, k)) * np.sqrt(1 - lam**2)
    x = 1.0 + (x[:, :, None] > np.linspace(-1.5, 1.5, 6)).sum(axis=2)
    x[rng.random(x.shape) < missing] = np.nan
    return pd.DataFrame(x, columns=[f"i{j + 1}" for j in range(k)])


def ours_alpha(frame):
    from alliance_analysis.stats.reliability import reliability

    return reliability(frame, omega=False)


def pingouin_alpha(frame):
    import pingouin as pg

    return pg.cronbach_alpha(data=frame, nan_policy="listwise")


def pingouin_alpha_if_deleted(frame):
    import pingouin as pg

    complete = frame.dropna()                     # the rows alpha itself is computed from
    return [pg.cronbach_alpha(data=complete.drop(columns=c))[0] for c in complete.columns]


def ours_boot(frame):
    from alliance_analysis.stats.reliability import reliability

    return reliability(frame, n_boot=N_BOOT, seed=3, omega=False)


def pingouin_boot(frame):
    """What a pingouin user writes: one call per resample (the same resamples as ours)."""
    import pingouin as pg

    data = frame.to_numpy()
    n = len(data)
    counts = np.random.default_rng(3).multinomial(n, np.full(n, 1.0 / n), size=N_BOOT)
    values = [pg.cronbach_alpha(data=pd.DataFrame(np.repeat(data, c, axis=0)))[0]
              for c in counts]
    return tuple(np.quantile(values, [0.025, 0.975]))


def interleaved(ours, theirs, arg, rounds: int = ROUNDS) -> dict[str, float]:
    """Alternate the two sides ``rounds`` times; best and median seconds of each."""
    ours(arg)
    theirs(arg)                                   # warm-up: imports, caches
    t_ours, t_theirs = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        ours(arg)
        t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs(arg)
        t_theirs.append(time.perf_counter() - t0)
    return {"ours_min": min(t_ours), "ours_median": statistics.median(t_ours),
            "theirs_min": min(t_theirs), "theirs_median": statistics.median(t_theirs)}


def agreement(frame: pd.DataFrame, boot_frame: pd.DataFrame) -> dict[str, float]:
    from alliance_analysis.stats.reliability import feldt_ci

    ours = ours_alpha(frame)
    alpha_pg, ci_pg = pingouin_alpha(frame)
    lo, hi = feldt_ci(ours.alpha, len(frame), N_ITEMS)        # pingouin's n: rows before deletion
    deleted = np.abs(np.asarray(ours.alpha_if_deleted)
                     - np.asarray(pingouin_alpha_if_deleted(frame)))
    boot = np.abs(np.asarray(ours_boot(boot_frame).alpha_ci_boot)
                  - np.asarray(pingouin_boot(boot_frame)))
    return {"alpha": abs(ours.alpha - alpha_pg),
            "pingouin_ci_vs_feldt_with_all_rows": float(np.max(np.abs(
                np.round([lo, hi], 3) - ci_pg))),
            "alpha_if_deleted": float(deleted.max()), "bootstrap_ci": float(boot.max()),
            "n_used": ours.n, "n_rows": len(frame)}


# ---- pytest-benchmark ----------------------------------------------------------------------

def test_bench_reliability(benchmark):
    frame = items_frame()
    res = benchmark(ours_alpha, frame)
    assert res.k == N_ITEMS


def test_bench_reliability_pingouin_agreement(benchmark):
    frame = items_frame()
    alpha_pg, _ = benchmark(pingouin_alpha, frame)
    assert abs(ours_alpha(frame).alpha - alpha_pg) <= 1e-12


def test_bench_bootstrap(benchmark):
    frame = items_frame(N_BOOT_ROWS, missing=0.0)
    res = benchmark(ours_boot, frame)
    assert res.n_boot == N_BOOT


def main() -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                           # benchmark tool only, not a dependency
        print("threadpoolctl not installed: BLAS threads not limited")
        run()
        return
    with threadpool_limits(limits=1, user_api="blas"):
        print("BLAS limited to 1 thread for both sides")
        run()


def run() -> None:
    frame = items_frame()
    boot_frame = items_frame(N_BOOT_ROWS, missing=0.0)
    agree = agreement(frame, boot_frame)
    rows = [("alpha + Feldt CI", interleaved(ours_alpha, pingouin_alpha, frame)),
            ("alpha if each item deleted", interleaved(ours_alpha, pingouin_alpha_if_deleted,
                                                       frame, rounds=3)),
            (f"bootstrap CI, {N_BOOT} resamples (n = {N_BOOT_ROWS})",
             interleaved(ours_boot, pingouin_boot, boot_frame, rounds=3))]
    print(f"{N_ROWS} rows x {N_ITEMS} items, {MISSING:.0%} missing (listwise: "
          f"{agree['n_used']} rows used); times in ms, interleaved rounds (min / median)")
    for label, t in rows:
        print(f"  {label:<42} alliance_analysis {t['ours_min'] * 1e3:8.1f} / "
              f"{t['ours_median'] * 1e3:8.1f} | pingouin {t['theirs_min'] * 1e3:9.1f} / "
              f"{t['theirs_median'] * 1e3:9.1f} | ratio (min) "
              f"{t['theirs_min'] / t['ours_min']:6.1f}x")
    print("agreement on the timed data: "
          f"|d alpha| {agree['alpha']:.1e}, |d alpha-if-deleted| {agree['alpha_if_deleted']:.1e}, "
          f"|d bootstrap CI| {agree['bootstrap_ci']:.1e} (targets <= 1e-12); pingouin's CI = "
          f"Feldt with n = {agree['n_rows']} rows (before deletion), rounded: max diff "
          f"{agree['pingouin_ci_vs_feldt_with_all_rows']:.1e}")
    ok = (agree["alpha"] <= 1e-12 and agree["alpha_if_deleted"] <= 1e-12
          and agree["bootstrap_ci"] <= 1e-12)
    print("agreement:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
