"""The whole Davis/Levin 2024 reproduction, and the time to a first result, beside pingouin.

Sides, each a fresh interpreter process (import costs included), timed the same way:

* ``script``: ``scripts/reproduce_davis2024.py`` (every claim, table, figure and the report);
* ``cli``: ``python -m alliance_analysis reproduce davis2024`` (the same run through the CLI);
* ``import pingouin``: ``python -c "import pingouin"`` (the yardstick of issue 14: the whole
  reproduction should take no longer);
* ``first result, pingouin``: import pingouin, read the Davis pre/post alliance scores, one
  ``pingouin.ttest(post, pre, paired=True)``;
* ``first result, ours``: import alliance_analysis, read the same scores, one
  ``alliance_analysis.paired_ttest(pre, post)``.

The sides are interleaved (one run of each per repetition, the order reversed every other
repetition), with the same number of repetitions; the minimum and the median are reported, as wall
time and as CPU time (user + system of the child and of its own children, from
``resource.getrusage``: less sensitive to other load on a shared machine).

Checks on the timed runs (a failed check raises; nothing about the timings is asserted):

* every run of the script and of the CLI exits 0 and its ``claims.json`` has every claim of the
  registry, each ``reproduced``; ``report.html`` starts with the synthetic-data notice;
* the two first-result runs agree on the timed data: t, df and p to rtol 1e-12, the 95% CI of
  the mean difference within pingouin's printed rounding (it rounds to 2 decimals).

Run: ``python benchmarks/bench_reproduce.py [REPEAT]`` or under pytest-benchmark (``make bench``).
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "reproduce_davis2024.py"

PINGOUIN_FIRST = """
import sys, json
import numpy as np
import pingouin
pre, post = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, unpack=True)
row = pingouin.ttest(post, pre, paired=True).iloc[0]
p = row["p_val"] if "p_val" in row else row["p-val"]
print(json.dumps({"t": float(row["T"]), "df": float(row["dof"]), "p": float(p),
                  "ci": [float(v) for v in row["CI95" if "CI95" in row else "CI95%"]]}))
"""

OURS_FIRST = """
import sys, json
import numpy as np
import alliance_analysis as aa
pre, post = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, unpack=True)
res = aa.paired_ttest(pre, post)
print(json.dumps({"t": res.t, "df": res.df, "p": res.p, "ci": list(res.mean_diff_ci)}))
"""

SIDES = ("script", "cli", "import pingouin", "first result, pingouin", "first result, ours")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _run(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, CPU s of the child and its waited-for children, completed process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def _expected_claims() -> int:
    from alliance_analysis.claims import load_registries
    from alliance_analysis.reproduce.spec import load_spec

    return sum(len(reg.claims) for reg in load_registries(load_spec("davis2024").registries))


def _check_reproduction(proc: subprocess.CompletedProcess, out: Path, expected: int) -> None:
    if proc.returncode != 0:
        raise AssertionError(f"reproduction exited {proc.returncode}: {proc.stderr[-2000:]}")
    payload = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    statuses = [c["status"] for c in payload["claims"]]
    if len(statuses) != expected or set(statuses) != {"reproduced"}:
        raise AssertionError(f"{statuses.count('reproduced')} of {expected} claims reproduced")
    report = (out / "report.html").read_text(encoding="utf-8")
    if 'id="data-notice">SYNTHETIC DATA' not in report:
        raise AssertionError("report.html lacks the synthetic-data notice")


def _paired_scores(path: Path) -> int:
    """Write the Davis pre/post scores (complete pairs) as a two-column CSV; the pair count."""
    import numpy as np

    from alliance_analysis.io import load_table
    from alliance_analysis.reproduce.spec import load_spec

    spec = load_spec("davis2024")
    wide = load_table(ROOT / spec.data, ROOT / spec.mapping).wide
    pairs = wide[[spec.paired["pre"], spec.paired["post"]]].to_numpy(float)
    pairs = pairs[np.isfinite(pairs).all(axis=1)]
    np.savetxt(path, pairs, delimiter=",", header="pre,post", comments="", fmt="%.17g")
    return len(pairs)


def _check_agreement(ours: dict, theirs: dict) -> None:
    for key in ("t", "df", "p"):
        if not math.isclose(ours[key], theirs[key], rel_tol=1e-12, abs_tol=0.0):
            raise AssertionError(f"paired t-test {key}: ours {ours[key]!r}, pingouin {theirs[key]!r}")
    for a, b in zip(ours["ci"], theirs["ci"], strict=True):
        if abs(a - b) > 0.005 + 1e-12:  # pingouin rounds the CI to 2 decimals
            raise AssertionError(f"95% CI: ours {ours['ci']}, pingouin {theirs['ci']}")


def _summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values)}


def measure(repeat: int = 5) -> dict:
    """Interleaved runs: ``{side: {"wall": {min, median}, "cpu": {min, median}}}``, the ratios,
    and what was checked."""
    times = {s: {"wall": [], "cpu": []} for s in SIDES}
    expected = _expected_claims()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scores = Path(tmp) / "davis_pre_post.csv"
        n_pairs = _paired_scores(scores)
        commands = {
            "script": lambda out: [sys.executable, str(SCRIPT), "--out", str(out)],
            "cli": lambda out: [sys.executable, "-m", "alliance_analysis", "reproduce", "davis2024",
                                "--out", str(out)],
            "import pingouin": lambda out: [sys.executable, "-c", "import pingouin"],
            "first result, pingouin": lambda out: [sys.executable, "-c", PINGOUIN_FIRST, str(scores)],
            "first result, ours": lambda out: [sys.executable, "-c", OURS_FIRST, str(scores)],
        }
        for i in range(repeat):
            order = SIDES if i % 2 == 0 else SIDES[::-1]
            for side in order:
                out = Path(tmp) / f"run{i}_{side.replace(' ', '_').replace(',', '')}"
                wall, cpu, proc = _run(commands[side](out))
                if side in ("script", "cli"):
                    _check_reproduction(proc, out, expected)
                    shutil.rmtree(out)
                elif proc.returncode != 0:
                    raise AssertionError(f"{side}: {proc.stderr[-2000:]}")
                elif side.startswith("first result"):
                    results[side] = json.loads(proc.stdout.strip().splitlines()[-1])
                times[side]["wall"].append(wall)
                times[side]["cpu"].append(cpu)
            _check_agreement(results["first result, ours"], results["first result, pingouin"])
    summary: dict = {side: {kind: _summary(v) for kind, v in kinds.items()} for side, kinds in times.items()}

    def ratio(a: str, b: str) -> dict:
        return {kind: {stat: summary[a][kind][stat] / summary[b][kind][stat] for stat in ("min", "median")}
                for kind in ("wall", "cpu")}

    summary["ratios"] = {"script / import pingouin": ratio("script", "import pingouin"),
                         "cli / import pingouin": ratio("cli", "import pingouin"),
                         "first result: ours / pingouin": ratio("first result, ours",
                                                                "first result, pingouin")}
    summary["checked"] = (f"{repeat} repetitions; every script and CLI run: {expected} of {expected} "
                          f"claims reproduced; first results agree on the same {n_pairs} pairs "
                          f"(t = {results['first result, ours']['t']:.6f}, "
                          f"p = {results['first result, ours']['p']:.6g})")
    summary["machine"] = f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    return summary


def report(result: dict) -> str:
    lines = ["| side | wall min (s) | wall median (s) | CPU min (s) | CPU median (s) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for side in SIDES:
        w, c = result[side]["wall"], result[side]["cpu"]
        lines.append(f"| {side} | {w['min']:.2f} | {w['median']:.2f} | {c['min']:.2f} | {c['median']:.2f} |")
    for name, r in result["ratios"].items():
        lines.append(f"| ratio {name} | {r['wall']['min']:.2f} | {r['wall']['median']:.2f} | "
                     f"{r['cpu']['min']:.2f} | {r['cpu']['median']:.2f} |")
    lines += ["", f"Checked: {result['checked']}.", f"Machine: {result['machine']}."]
    return "\n".join(lines)


def test_bench_reproduce(benchmark):
    result = benchmark.pedantic(measure, kwargs={"repeat": 3}, rounds=1, iterations=1)
    print("\n" + report(result))


if __name__ == "__main__":
    print(report(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
