"""Wall and CPU time of the whole Davis/Levin 2024 reproduction beside ``python -c "import pingouin"``.

Both sides are fresh interpreter processes (import costs included), timed the same way and
interleaved (script, pingouin, script, pingouin, ...), with the same number of repetitions; the
minimum and the median of each are reported, as wall time and as CPU time (user + system of the
child, from ``resource.getrusage``: less sensitive to other load on a shared machine). The target
of issue 14 is a ratio of at most 1.

Every timed run of the script is checked: exit code 0, every claim reproduced in the
``claims.json`` it wrote (the count against the claims registry), ``report.html`` starting with
the synthetic-data notice. The pingouin side is checked to have imported (exit code 0).

Run: ``python benchmarks/bench_reproduce.py [REPEAT]`` or under pytest-benchmark (``make bench``).
"""

from __future__ import annotations

import json
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
PEER = [sys.executable, "-c", "import pingouin"]


def _run(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, child CPU s, completed process) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def _check_reproduction(proc: subprocess.CompletedProcess, out: Path) -> None:
    from alliance_analysis.claims import load_registries
    from alliance_analysis.reproduce.spec import load_spec

    assert proc.returncode == 0, proc.stderr[-2000:]
    payload = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    expected = sum(len(reg.claims) for reg in load_registries(load_spec("davis2024").registries))
    assert len(payload["claims"]) == expected
    assert all(c["status"] == "reproduced" for c in payload["claims"]), "a claim did not reproduce"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="data-notice">SYNTHETIC DATA' in report


def _summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values)}


def measure(repeat: int = 5) -> dict[str, dict[str, dict[str, float]]]:
    """Interleaved runs; ``{side: {"wall": {min, median}, "cpu": {min, median}}}`` and the ratios."""
    times: dict[str, dict[str, list[float]]] = {s: {"wall": [], "cpu": []} for s in ("script", "pingouin")}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            out = Path(tmp) / f"run{i}"
            wall, cpu, proc = _run([sys.executable, str(SCRIPT), "--out", str(out)])
            _check_reproduction(proc, out)
            shutil.rmtree(out)
            times["script"]["wall"].append(wall)
            times["script"]["cpu"].append(cpu)
            wall, cpu, proc = _run(PEER)
            assert proc.returncode == 0, proc.stderr[-2000:]
            times["pingouin"]["wall"].append(wall)
            times["pingouin"]["cpu"].append(cpu)
    result = {side: {kind: _summary(v) for kind, v in kinds.items()} for side, kinds in times.items()}
    result["ratio"] = {kind: {stat: result["script"][kind][stat] / result["pingouin"][kind][stat]
                              for stat in ("min", "median")} for kind in ("wall", "cpu")}
    return result


def report(result) -> str:
    lines = []
    for side, label in (("script", "reproduce_davis2024.py"), ("pingouin", "python -c 'import pingouin'")):
        w, c = result[side]["wall"], result[side]["cpu"]
        lines.append(f"{label:32s} wall min {w['min']:.2f} s, median {w['median']:.2f} s; "
                     f"CPU min {c['min']:.2f} s, median {c['median']:.2f} s")
    r = result["ratio"]
    lines.append(f"{'ratio (script / pingouin)':32s} wall min {r['wall']['min']:.2f}, median "
                 f"{r['wall']['median']:.2f}; CPU min {r['cpu']['min']:.2f}, median {r['cpu']['median']:.2f}")
    return "\n".join(lines)


def test_bench_reproduce(benchmark):
    result = benchmark.pedantic(measure, kwargs={"repeat": 3}, rounds=1, iterations=1)
    print("\n" + report(result))


if __name__ == "__main__":
    print(report(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
