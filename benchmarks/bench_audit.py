"""Throughput of the audit checker: parse + check of 20,000 synthetic APA results.

Run as a script (``.venv/bin/python benchmarks/bench_audit.py``) or collected by
pytest-benchmark (``make bench``). The strings mix t, r, F, χ² and z results; about one in five
has a deliberately wrong p. Target: ≥ 10,000 results per second end to end.
"""

from __future__ import annotations

import time

import numpy as np

N_RESULTS = 20_000


def synthetic_text(n: int = N_RESULTS, seed: int = 20240314) -> str:
    """``n`` APA result strings (seeded) joined as one running text."""
    from scipy import special

    from alliance_analysis.apa import apa_f, apa_r, apa_t, fmt_bounded, fmt_number, fmt_p

    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, 5, n)
    parts = []
    for i in range(n):
        kind = kinds[i]
        df = int(rng.integers(5, 200))
        wrong = rng.random() < 0.2
        if kind == 0:
            t = float(rng.normal(0, 2.5))
            p = 2 * special.stdtr(df, -abs(t))
            s = apa_t(t, df, p * (1.7 if wrong else 1.0))
        elif kind == 1:
            r = float(np.tanh(rng.normal(0, 0.4)))
            t = r * np.sqrt(df / (1 - r * r))
            p = 2 * special.stdtr(df, -abs(t))
            s = apa_r(r, df, min(p * (0.4 if wrong else 1.0), 1.0))
        elif kind == 2:
            df1 = int(rng.integers(1, 5))
            f = float(rng.gamma(2.0, 1.5))
            p = special.fdtrc(df1, df, f)
            s = apa_f(f, df1, df, min(p * (1.5 if wrong else 1.0), 1.0))
        elif kind == 3:
            x = float(rng.gamma(2.0, 2.0))
            k = int(rng.integers(1, 6))
            p = special.chdtrc(k, x)
            s = f"χ2({k}, N = {df + 10}) = {fmt_number(x)}, p {fmt_p(min(p * (2.0 if wrong else 1.0), 1.0))}"
        else:
            z = float(rng.normal(0, 2.5))
            p = 2 * special.ndtr(-abs(z))
            s = f"Z = {fmt_number(z)}, p = {fmt_bounded(min(p * (0.5 if wrong else 1.0), 1.0), 3)}"
        parts.append(f"Result {i}: {s}.")
    return " ".join(parts)


def run_check(text: str):
    from alliance_analysis.audit import check_text

    report = check_text(text)
    return report, report.to_frame()


def test_bench_audit(benchmark):
    text = synthetic_text()
    report, frame = benchmark.pedantic(run_check, args=(text,), rounds=5, iterations=1,
                                       warmup_rounds=1)
    assert len(frame) == N_RESULTS
    assert 0 < report.n_errors < N_RESULTS


def main() -> None:
    text = synthetic_text()
    run_check(text)  # warm-up (imports scipy/pandas)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        report, frame = run_check(text)
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    objs = check_text_objects(text)
    obj_time = time.perf_counter() - t0
    print(f"{len(frame)} results (parse + check + to_frame) in {best * 1000:.1f} ms "
          f"-> {len(frame) / best:,.0f} results/s; {report.n_errors} inconsistent, "
          f"{report.n_decision_errors} decision errors, {len(report.skipped)} skipped")
    print(f"with CheckedResult objects: {objs} results in {obj_time * 1000:.1f} ms "
          f"-> {objs / obj_time:,.0f} results/s")


def check_text_objects(text: str) -> int:
    from alliance_analysis.audit import check_text

    return len(check_text(text).results)


if __name__ == "__main__":
    main()
