"""Wall time of the whole Davis/Levin 2024 reproduction (cold process) beside `import pingouin`.

Run: ``.venv/bin/python benchmarks/bench_reproduce.py`` (or under pytest-benchmark via ``make bench``).
Both are measured as fresh interpreter processes, so import costs are included.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(cmd: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(repeat: int = 3) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        script = _time([sys.executable, str(ROOT / "scripts" / "reproduce_davis2024.py"), "--out", out], repeat)
    pingouin = _time([sys.executable, "-c", "import pingouin"], repeat)
    return {"reproduce_davis2024_s": script, "import_pingouin_s": pingouin, "ratio": script / pingouin}


def test_bench_reproduce(benchmark):
    result = benchmark.pedantic(measure, kwargs={"repeat": 1}, rounds=1, iterations=1)
    print(f"\nreproduce_davis2024.py: {result['reproduce_davis2024_s']:.2f} s; "
          f"python -c 'import pingouin': {result['import_pingouin_s']:.2f} s")


if __name__ == "__main__":
    r = measure()
    print(f"reproduce_davis2024.py (cold, median of 3): {r['reproduce_davis2024_s']:.2f} s")
    print(f"python -c 'import pingouin' (median of 3):  {r['import_pingouin_s']:.2f} s")
    print(f"ratio: {r['ratio']:.1f}")
