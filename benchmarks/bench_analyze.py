"""``alliance-analysis analyze`` at scale: the whole command on wide trials of 1e3 to 1e5
participants, wall time, peak memory and a per-stage profile.

Run as a script (``python benchmarks/bench_analyze.py [--sizes 1e3,1e4,1e5] [--repeat 2]
[--profile]``) or collected by pytest-benchmark (``make bench``: the 1e3 file only). The trial
files are SYNTHETIC (seeded, generated here; not observations of any person): participant id,
two arms, WAI-SR items at prep and post (24 columns, 1-5), PIQ totals at two dosing sessions
(peak = their maximum), GRID-HAMD-17 items at base, wk1, wk4 and m3 (68 columns), 2% of the
item cells empty. The outcome has four visits, so the default plan runs every analysis: alliance
and outcome change, correlations, hierarchical regressions, between-arm tests, the mixed models
(``score ~ tp * arm``, ``score ~ tp * alliance`` per arm and ``score ~ tp * arm * alliance``,
random intercept per participant) and the bootstrap mediation (5000 resamples per model), plus
the reliability table, the figures and the report.

* ``time``: the command ``python -m alliance_analysis analyze DATA --mapping MAP --out DIR`` in
  a fresh subprocess, wall clock; ``peak RSS``: the child's high-water mark (``ru_maxrss`` of
  its own rusage from ``os.wait4``; interpreter and imports included), with
  ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` (the maximum over every child so far)
  printed beside it as a cross-check.
* the profile (``--profile``, one more subprocess per size): the same command with the stages
  wrapped by timers (loader, each statistic, the outputs), cumulative seconds per stage and how
  many MB each stage raised the process's peak RSS by (nested stages count in their parents).

The repetitions of each size are interleaved with the other sizes; min and median are reported
(the machine is shared). Agreement on the timed data: every run of one size writes the same
``results.csv`` (the outputs are deterministic). Target (issue 14, section 6): 1e5 participants
in under 60 s and under 2 GB peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 20241206
MISSING = 0.02
MAPPING = """[dataset]
provenance = "synthetic"
name = "bench_analyze synthetic trial"

[layout]
kind = "wide"

[columns]
participant_id = "participant_id"
arm = "arm"

[arms]
1 = "immediate"
2 = "delayed"

[instruments]
wai = "wai_sr"
piq = "piq"
hamd = "grid_hamd_17"

[timepoints]
prep = "prep"
post = "post"
s1 = "s1"
s2 = "s2"
base = "base"
wk1 = "wk1"
wk4 = "wk4"
m3 = "m3"

[peaks]
piq = { from = ["s1", "s2"], name = "peak" }

# the range this SYNTHETIC benchmark draws its PIQ totals in (clipped to 0-100 below); the
# instrument notes print no PIQ range, so the loader needs it declared
[ranges]
"piq.total" = [0, 100]
"""
HAMD_VISITS = ("base", "wk1", "wk4", "m3")


def _items(inst_id: str) -> tuple[np.ndarray, np.ndarray]:
    from alliance_analysis.instruments import get_instrument

    inst = get_instrument(inst_id)
    return np.asarray(inst.item_min, dtype=int), np.asarray(inst.item_max, dtype=int)


def make_trial(path: Path, n: int, seed: int = SEED) -> Path:
    """Write the synthetic wide trial of ``n`` participants (deterministic for a seed).

    A participant effect links the visits (so the mixed models have a random intercept to
    estimate), the alliance lowers the follow-up scores a little, the PIQ peak depends on the
    alliance; each item is the latent level plus noise, rounded and clipped to its range."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    arm = rng.integers(1, 3, n)
    alliance = rng.normal(0.0, 1.0, n)
    person = rng.normal(0.0, 1.0, n)
    cols: dict[str, np.ndarray] = {
        "participant_id": np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
        "arm": arm}
    lo, hi = _items("wai_sr")
    for tp, shift in (("prep", 0.0), ("post", 0.3)):
        latent = 3.0 + 0.6 * alliance + shift
        vals = latent[:, None] + rng.normal(0.0, 0.8, (n, lo.size))
        for i in range(lo.size):
            cols[f"wai_{tp}_{i + 1}"] = np.clip(np.rint(vals[:, i]), lo[i], hi[i])
    for tp in ("s1", "s2"):
        cols[f"piq_{tp}_total"] = np.clip(np.rint(50 + 10 * alliance + rng.normal(0, 15, n)),
                                          0, 100)
    lo, hi = _items("grid_hamd_17")
    for k, tp in enumerate(HAMD_VISITS):
        drop = 0.0 if k == 0 else (0.25 + 0.1 * (arm == 1)) * min(k, 2)
        latent = 1.4 + 0.35 * person - drop * (1.0 + 0.2 * alliance)
        vals = latent[:, None] + rng.normal(0.0, 0.7, (n, lo.size))
        for i in range(lo.size):
            cols[f"hamd_{tp}_{i + 1}"] = np.clip(np.rint(vals[:, i]), lo[i], hi[i])
    frame = pd.DataFrame(cols)
    items = [c for c in frame.columns if c not in ("participant_id", "arm")]
    empty = rng.random((n, len(items))) < MISSING
    block = frame[items].to_numpy(dtype=float, copy=True)
    block[empty] = np.nan
    frame[items] = block
    frame.to_csv(path, index=False, float_format="%.0f")
    return path


_PROFILE_CHILD = r"""
import json, resource, sys, time
from collections import defaultdict
import alliance_analysis.analyze.outputs as outputs
import alliance_analysis.analyze.run as run
import alliance_analysis.io as io
import alliance_analysis.report.figures as figures
import alliance_analysis.scale_reliability as rel
import alliance_analysis.stats as stats
from alliance_analysis.cli import main

spent = defaultdict(float)
calls = defaultdict(int)
grew = defaultdict(float)  # MB the stage raised the process's peak RSS by

def wrap(module, name, label):
    fn = getattr(module, name)
    def timed(*a, **k):
        t0 = time.perf_counter()
        peak0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            return fn(*a, **k)
        finally:
            spent[label] += time.perf_counter() - t0
            calls[label] += 1
            grew[label] += (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak0) / 1024
    setattr(module, name, timed)

wrap(io, "load_table", "load_table")
wrap(run, "resolve_plan", "resolve_plan")
for name in ("paired_ttest", "correlate", "hierarchical_regress", "regress", "mixed_model",
             "mediate"):
    wrap(stats, name, name)
wrap(rel, "scale_reliability", "scale_reliability")
wrap(run, "run_plan", "run_plan (all statistics)")
wrap(outputs, "build_tables", "outputs: tables")
wrap(outputs, "build_figures", "outputs: figures")
wrap(outputs, "write_outputs", "write_outputs (all outputs)")
for name in ("paired_change_plot", "scatter_fit"):
    wrap(figures, name, "figures." + name)
t0 = time.perf_counter()
code = main(["analyze", *sys.argv[1:]])
total = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "total": total, "peak_mb": peak,
                  "stages": {k: [round(v, 3), calls[k], round(grew[k])]
                             for k, v in spent.items()}}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_once(data: Path, mapping: Path, out: Path) -> dict:
    """The whole command in a fresh process: wall seconds and the child's peak RSS (MB).

    The child's own peak comes from ``os.wait4`` (its rusage alone); the running maximum
    ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` over all children so far is kept as a
    cross-check (the two agree whenever this child is the largest so far)."""
    log = out.parent / f"{out.name}.stderr"
    t0 = time.perf_counter()
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "alliance_analysis", "analyze", str(data),
                                 "--mapping", str(mapping), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=err, env=_env())
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"analyze of {data.name} exited with {proc.returncode} (a negative "
                           f"code is the signal that ended it) after {seconds:.0f} s:\n"
                           + log.read_text(errors="replace")[-3000:])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    digest = hashlib.sha256((out / "results.csv").read_bytes()).hexdigest()[:12]
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
            "children_max_mb": children / 1024, "results": digest}


def profile_once(data: Path, mapping: Path, out: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", _PROFILE_CHILD, str(data), "--mapping",
                          str(mapping), "--out", str(out)], capture_output=True, text=True,
                         env=_env(), check=False)
    if res.returncode:
        raise RuntimeError(res.stderr[-3000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(sizes: list[int], repeat: int, folder: Path, profile: bool) -> list[dict]:
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    files = {}
    for n in sizes:
        files[n] = make_trial(folder / f"bench_analyze_synthetic_{n}.csv", n)
    times: dict[int, list[dict]] = {n: [] for n in sizes}
    for i in range(repeat):
        for n in sizes:  # interleaved: one run of every size per round
            times[n].append(run_once(files[n], mapping, folder / f"out_{n}_{i}"))
            print(f"  n={n:>7} run {i + 1}: {times[n][-1]['seconds']:.1f} s, "
                  f"{times[n][-1]['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
    rows = []
    for n in sizes:
        secs = [t["seconds"] for t in times[n]]
        row = {"n": n, "csv_mb": files[n].stat().st_size / 1e6, "min_s": min(secs),
               "median_s": statistics.median(secs),
               "peak_rss_mb": max(t["peak_mb"] for t in times[n]),
               "children_max_mb": max(t["children_max_mb"] for t in times[n]),
               "deterministic": len({t["results"] for t in times[n]}) == 1}
        if profile:
            row["profile"] = profile_once(files[n], mapping, folder / f"prof_{n}")
        rows.append(row)
    return rows


def test_bench_analyze(benchmark, tmp_path):
    """pytest-benchmark: the whole command on 1,000 participants (in process)."""
    from alliance_analysis.cli import main

    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    data = make_trial(tmp_path / "bench_analyze_synthetic_1000.csv", 1000)
    code = benchmark.pedantic(main, args=(["analyze", str(data), "--mapping", str(mapping),
                                           "--out", str(tmp_path / "out")],),
                              rounds=1, iterations=1)
    assert code == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e3,1e4,1e5")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--profile", action="store_true", help="also time the stages (one run)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sizes = sorted(int(float(s)) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(sizes, args.repeat, Path(tmp), args.profile)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"| participants | CSV | analyze min / median of {args.repeat} | peak RSS | "
          "RUSAGE_CHILDREN max so far | results identical |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['csv_mb']:.1f} MB | {r['min_s']:.1f} / {r['median_s']:.1f} s "
              f"| {r['peak_rss_mb']:.0f} MB | {r['children_max_mb']:.0f} MB | "
              f"{r['deterministic']} |")
    for r in rows:
        if "profile" in r:
            p = r["profile"]
            print(f"\nprofile, n = {r['n']:,} (total {p['total']:.1f} s, peak RSS "
                  f"{p['peak_mb']:.0f} MB; seconds, calls, MB the stage raised the peak by):")
            for k, (s, c, mb) in sorted(p["stages"].items(), key=lambda kv: -kv[1][0]):
                print(f"  {k:<32} {s:>8.2f} s  {c:>4}  {mb:>6} MB")


if __name__ == "__main__":
    main()
