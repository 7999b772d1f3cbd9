"""Write the input data of the lme4/lmerTest oracle for ``alliance_analysis.stats.mixed_model``.

Deterministic: rerunning gives byte-identical files in ``tests/oracles/lme4/``:

* ``inputs_psilodep2.csv`` — REAL public data (psilodep2: Szigeti et al. 2024, Psychological
  Medicine; MIT licence), the 60 distinct models of that paper's tables: within arm
  ``score ~ tp * COV`` for every scale x arm x COV in (rtx, sss, modtas, avg), between arms
  ``score ~ tp * trt * COV`` for COV in (rtx, sss). Rows: ``tp`` in (wk0, wk6); the covariate
  standardised inside the model's subset of rows as (x - median) / SD (SD with n - 1 over the
  subset's rows, missing values skipped). Rows with a missing score or covariate are KEPT here so
  that both lme4 and ``mixed_model`` drop them (and count them).
* ``inputs_synthetic.csv`` — SYNTHETIC data (numpy seeds below): unbalanced groups of 1-6 rows,
  missing values, a singular fit, random slopes, ML fits, a non-default reference level.
* ``cases.csv`` — one row per case: its data, input file, formula, grouping column, random-effects
  formula, REML or ML, reference levels.

Run from the repository root: ``python scripts/oracles/make_mixed_cases.py``; then
``Rscript scripts/oracles/lme4_oracle.R``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "oracles" / "lme4"
SCALES = ("hamd", "bdi", "madrs", "qids", "stait", "wemwbs")
REAL = "REAL public data: psilodep2 (Szigeti et al. 2024; MIT)"
SYNTHETIC = "SYNTHETIC data (scripts/oracles/make_mixed_cases.py)"


def standardise(x: pd.Series) -> pd.Series:
    return (x - x.median()) / x.std(ddof=1)


def psilodep2_cases() -> tuple[pd.DataFrame, list[dict]]:
    scores = pd.read_csv(ROOT / "data" / "public" / "psilodep2" / "scores.csv")
    scores = scores[scores["tp"].isin(["wk0", "wk6"])]
    frames, cases = [], []
    covs = ("rtx", "sss", "modtas", "avg")
    for cov in covs:
        for scale in SCALES:
            for arm in ("E", "P"):
                sub = scores[(scores["scale"] == scale) & (scores["trt"] == arm)]
                case = f"psilodep2_within_{cov}_{scale}_{arm}"
                frames.append(_rows(case, sub, cov))
                cases.append(_case(case, REAL, "inputs_psilodep2.csv", f"score ~ tp * {cov}",
                                   "patient_id"))
    for cov in ("rtx", "sss"):
        for scale in SCALES:
            sub = scores[scores["scale"] == scale]
            case = f"psilodep2_between_{cov}_{scale}"
            frames.append(_rows(case, sub, cov))
            cases.append(_case(case, REAL, "inputs_psilodep2.csv", f"score ~ tp * trt * {cov}",
                               "patient_id"))
    return pd.concat(frames, ignore_index=True), cases


def _rows(case: str, sub: pd.DataFrame, cov: str) -> pd.DataFrame:
    out = pd.DataFrame({"case": case, "patient_id": sub["patient_id"].to_numpy(),
                        "trt": sub["trt"].to_numpy(), "tp": sub["tp"].to_numpy(),
                        "score": sub["score"].to_numpy(dtype=float)})
    for c in ("rtx", "sss", "modtas", "avg"):
        out[c] = standardise(sub[cov]).to_numpy() if c == cov else np.nan
    return out


def _case(case: str, data: str, file: str, formula: str, groups: str, re_formula: str = "",
          reml: bool = True, reference: str = "") -> dict:
    return {"case": case, "data": data, "input": file, "formula": formula, "groups": groups,
            "re_formula": re_formula, "reml": "TRUE" if reml else "FALSE",
            "reference": reference}


def unbalanced(seed: int, n_groups: int = 25) -> pd.DataFrame:
    """Groups of 1-6 rows, visits drawn from three timepoints (some repeated, some missing),
    a group-level covariate, ~6% missing outcomes and one group with a missing covariate."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, size=n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    tp = rng.choice(["wk0", "wk3", "wk6"], size=g.size)
    x_group = rng.normal(size=n_groups)
    x = x_group[g]
    b = rng.normal(scale=1.5, size=n_groups)[g]
    eff = {"wk0": 0.0, "wk3": -2.0, "wk6": -4.0}
    y = 20 + np.vectorize(eff.get)(tp) + 1.0 * x - 0.8 * x * (tp == "wk6") + b
    y = y + rng.normal(scale=2.0, size=g.size)
    y[rng.random(g.size) < 0.06] = np.nan
    x[g == 3] = np.nan
    return pd.DataFrame({"g": [f"s{i:02d}" for i in g], "y": y, "tp": tp, "x": x})


def singular(seed: int = 7, n_groups: int = 15) -> pd.DataFrame:
    """Residuals centred within each group: no between-group variance, the REML estimate of the
    random-intercept variance is 0 (a singular fit)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 5, size=n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    x = rng.normal(size=g.size)
    e = rng.normal(size=g.size)
    means = np.bincount(g, e) / np.bincount(g)
    e = e - means[g]
    y = 5 + 0.5 * x + e
    return pd.DataFrame({"g": [f"s{i:02d}" for i in g], "y": y, "x": x})


def slopes(seed: int = 11, n_groups: int = 30) -> pd.DataFrame:
    """Correlated random intercepts and slopes over a numeric time (weeks), two arms."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 7, size=n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    t = np.concatenate([np.sort(rng.choice(np.arange(7), size=s, replace=False)) for s in sizes])
    trt = np.where(np.arange(n_groups) % 2 == 0, "A", "B")[g]
    cov = np.array([[4.0, -0.6], [-0.6, 0.25]])
    b = rng.multivariate_normal([0.0, 0.0], cov, size=n_groups)
    y = 25 - 0.9 * t - 0.4 * t * (trt == "B") + 1.0 * (trt == "B") + b[g, 0] + b[g, 1] * t
    y = y + rng.normal(scale=1.5, size=g.size)
    y[rng.random(g.size) < 0.05] = np.nan
    return pd.DataFrame({"g": [f"s{i:02d}" for i in g], "y": y, "t": t.astype(float), "trt": trt})


def synthetic_cases() -> tuple[pd.DataFrame, list[dict]]:
    frames, cases = [], []
    file = "inputs_synthetic.csv"

    def add(case: str, frame: pd.DataFrame, formula: str, **kw) -> None:
        frames.append(frame.assign(case=case))
        cases.append(_case(case, SYNTHETIC, file, formula, "g", **kw))

    for seed in (1, 2, 3):
        add(f"syn_unbalanced_s{seed}", unbalanced(seed), "y ~ tp * x")
    add("syn_unbalanced_s1_ml", unbalanced(1), "y ~ tp * x", reml=False)
    add("syn_unbalanced_s2_ref", unbalanced(2), "y ~ tp * x", reference="tp=wk6")
    add("syn_unbalanced_s3_additive", unbalanced(3), "y ~ tp + x")
    add("syn_unbalanced_s1_nested", unbalanced(1), "y ~ x + x:tp")
    add("syn_unbalanced_s2_nomain", unbalanced(2), "y ~ tp:x")
    add("syn_singular", singular(), "y ~ x")
    add("syn_singular_ml", singular(), "y ~ x", reml=False)
    add("syn_slopes", slopes(), "y ~ t * trt", re_formula="~ t")
    add("syn_slopes_ml", slopes(), "y ~ t * trt", re_formula="~ t", reml=False)
    add("syn_slopes_intercept_only", slopes(), "y ~ t * trt")
    cols = ["case", "g", "y", "tp", "x", "t", "trt"]
    return pd.concat(frames, ignore_index=True).reindex(columns=cols), cases


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    real, real_cases = psilodep2_cases()
    syn, syn_cases = synthetic_cases()
    real.to_csv(OUT / "inputs_psilodep2.csv", index=False, float_format="%.17g")
    syn.to_csv(OUT / "inputs_synthetic.csv", index=False, float_format="%.17g")
    pd.DataFrame(real_cases + syn_cases).to_csv(OUT / "cases.csv", index=False)


if __name__ == "__main__":
    main()
