"""Generate the item sets the psych oracle (psych_reliability.R) is run on.

Run from the repository root: ``python tests/oracles/psych/make_data.py`` (then the R script).
Each set is a participants x items CSV (empty cell = missing). Items are drawn from a one-factor
model with unequal loadings and cut into ordered categories (Likert sets) or kept continuous;
``reverse`` items are stored reverse-keyed (lo + hi - x), as a questionnaire records them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# name, n, k, lo, hi (None = continuous), reverse-keyed items (1-based), share missing, seed
SETS = [
    ("k3_n25", 25, 3, 1, 5, [], 0.0, 1),
    ("k5_n60_rev_miss", 60, 5, 1, 5, [2, 4], 0.05, 2),
    ("k12_n200_miss", 200, 12, 1, 5, [], 0.03, 3),
    ("k8_n40_cont", 40, 8, None, None, [], 0.0, 4),
    ("k20_n500_rev_miss", 500, 20, 0, 4, [3, 9, 17], 0.02, 5),
    ("k6_n15", 15, 6, 1, 7, [1], 0.0, 6),
    ("k36_n300_wai36", 300, 36, 1, 7,
     [1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34], 0.01, 7),
    ("k16_n120_qids", 120, 16, 0, 3, [], 0.02, 8),
]


def make(n: int, k: int, lo, hi, reverse, miss: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.35, 0.85, k)
    f = rng.standard_normal(n)
    x = f[:, None] * lam + rng.standard_normal((n, k)) * np.sqrt(1 - lam**2)
    if lo is not None:
        cuts = np.linspace(-1.6, 1.6, hi - lo)
        x = lo + (x[:, :, None] > cuts).sum(axis=2).astype(float)
        for j in reverse:
            x[:, j - 1] = lo + hi - x[:, j - 1]
    else:
        x = np.round(10 + 2 * x, 6)
    if miss:
        x[rng.random((n, k)) < miss] = np.nan
    return x


def main() -> None:
    meta = {}
    for name, n, k, lo, hi, reverse, miss, seed in SETS:
        x = make(n, k, lo, hi, reverse, miss, seed)
        header = ",".join(f"i{j + 1}" for j in range(k))
        rows = [",".join("" if np.isnan(v) else f"{v:.10g}" for v in row) for row in x]
        (HERE / f"{name}.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
        meta[name] = {"n": n, "k": k, "lo": lo, "hi": hi, "reverse": reverse,
                      "missing_share": miss, "seed": seed}
    (HERE / "sets.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
