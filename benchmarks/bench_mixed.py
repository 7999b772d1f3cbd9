"""mixed_model on the real psilodep2 models: all fits of the Szigeti 2024 reproduction, and the
time ratio to statsmodels MixedLM alone on the same models.

The models are the ones ``alliance-analysis reproduce szigeti2024`` fits (every table × scale ×
arm of the model-table registry, on the shipped REAL public psilodep2 data): their subsets come
from the reproduction's own code, so the benchmark times exactly those fits.

* ``mixed_model`` is timed as a user calls it: formula parsing, design, REML fit, Satterthwaite
  df for every term;
* statsmodels is timed on the fit alone, ``MixedLM(y, X, groups).fit(reml=True)`` with the
  design matrix built beforehand (patsy, the same treatment coding and reference levels), and no
  Satterthwaite df (statsmodels has none): a lower bound on what the same analysis costs there.

Both are warm, interleaved (:func:`bench_stats.interleaved`), the same repetitions, min and
median; agreement (fixed effects) is checked on the outputs of the timed fits. Run as a script
(``.venv/bin/python benchmarks/bench_mixed.py``) or with pytest-benchmark.

``--scale 1e4,1e5``: the random-intercept model of ``alliance-analysis analyze``
(``score ~ tp * arm * alliance``, 4 visits, 30% of the visits missing) on SYNTHETIC data of that
many participants, the closed form (``_RandomIntercept``) against the general per-group algebra
(``_LMM``), interleaved; agreement (estimate, SE, df) is checked on the timed fits.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stats import interleaved  # noqa: E402

REPEATS = 3


def real_models() -> list[tuple[pd.DataFrame, str, dict[str, str]]]:
    """(data, formula, reference levels) of every model of the szigeti2024 reproduction."""
    from alliance_analysis.claims.tables import load_table_registry
    from alliance_analysis.io import load_table
    from alliance_analysis.reproduce.pipeline import resolve_data
    from alliance_analysis.reproduce.published_tables import coded_arms, model_subsets
    from alliance_analysis.reproduce.spec import load_spec

    spec = load_spec("szigeti2024")
    root = Path(__file__).resolve().parents[1]
    data_path, mapping_path = resolve_data(spec, None, None, root)
    loaded = load_table(data_path, mapping_path)
    reg = load_table_registry(spec.registries[0])
    long = coded_arms(reg, loaded.scores_long(), data_path.name)
    models = []
    for table in reg.tables:
        terms = set(table.formula.replace("~", " ").replace("*", " ").split())
        reference = {k: v for k, v in dict(reg.model.get("reference", {})).items() if k in terms}
        for _label, _arm, rows in model_subsets(reg, table, long):
            data = rows.rename(columns={"timepoint": "tp", "arm": "trt"})
            data["tp"] = data["tp"].astype(str)
            models.append((data, table.formula, reference))
    return models


def fit_ours(models):
    from alliance_analysis.stats import mixed_model

    return [mixed_model(d, f, groups="participant_id", reference=ref) for d, f, ref in models]


def statsmodels_inputs(models):
    """(y, X, groups, column names) per model: patsy design with the same reference levels,
    complete rows only (as mixed_model drops them)."""
    import patsy

    out = []
    for data, formula, reference in models:
        lhs, rhs = (s.strip() for s in formula.split("~"))
        variables = [v for v in set(rhs.replace("*", " ").replace(":", " ").split())]
        d = data.dropna(subset=[lhs, "participant_id", *variables]).copy()
        for col, ref in reference.items():
            levels = sorted(d[col].astype(str).unique())
            d[col] = pd.Categorical(d[col].astype(str), [ref, *[v for v in levels if v != ref]])
        y, x = patsy.dmatrices(formula, d, return_type="dataframe")
        names = [c.replace("[T.", "").replace("]", "") for c in x.columns]
        names = ["(Intercept)" if c == "Intercept" else c for c in names]
        out.append((y.to_numpy().ravel(), x.to_numpy(), d["participant_id"].to_numpy(), names))
    return out


def fit_statsmodels(inputs):
    from statsmodels.regression.mixed_linear_model import MixedLM

    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary / convergence warnings of singular fits
        for y, x, g, _names in inputs:
            fits.append(MixedLM(y, x, groups=g).fit(reml=True))
    return fits


def agreement(ours, theirs, inputs) -> tuple[int, float]:
    """Number of fixed effects compared and the largest |difference| / max(1, |estimate|)."""
    worst, count = 0.0, 0
    for res, fit, (_y, _x, _g, names) in zip(ours, theirs, inputs, strict=True):
        est = dict(zip(names, np.asarray(fit.fe_params), strict=True))
        for term, value in zip(res.terms, res.estimate, strict=True):
            if term in est:
                worst = max(worst, abs(value - est[term]) / max(1.0, abs(value)))
                count += 1
    return count, worst


def test_bench_all_real_fits(benchmark):
    models = real_models()
    fits = benchmark.pedantic(fit_ours, args=(models,), rounds=1, iterations=1)
    assert len(fits) == len(models) == 84
    assert all(f.converged for f in fits)


def synthetic_long(n: int, seed: int = 20241206) -> pd.DataFrame:
    """SYNTHETIC long data of ``n`` participants x 4 visits (30% missing), two arms, a
    participant-level moderator and a random intercept (sd 1)."""
    rng = np.random.default_rng(seed)
    visits = ["base", "wk1", "wk4", "m3"]
    frame = pd.DataFrame({
        "participant": np.repeat(np.arange(n), 4),
        "tp": pd.Categorical.from_codes(np.tile(np.arange(4), n), categories=visits),
        "arm": pd.Categorical.from_codes(np.repeat(rng.integers(0, 2, n), 4), ["a", "b"]),
        "alliance": np.repeat(rng.normal(size=n), 4)})
    frame["score"] = (np.tile(np.arange(4.0), n) + np.repeat(rng.normal(size=n), 4)
                      + rng.normal(size=4 * n))
    frame.loc[rng.random(4 * n) < 0.3, "score"] = np.nan
    return frame


def scale(sizes: list[int], repeats: int = 2) -> None:
    from alliance_analysis.stats import mixed, mixed_model

    def fit(frame, closed):
        mixed._CLOSED_FORM = closed
        try:
            return mixed_model(frame, "score ~ tp * arm * alliance", groups="participant")
        finally:
            mixed._CLOSED_FORM = True

    print("| participants | rows | closed form (min / median) | general path (min / median) | "
          "max rel. diff (estimate, SE, df) |")
    print("|---|---|---|---|---|")
    for n in sizes:
        frame = synthetic_long(n)
        res = interleaved({"closed": lambda frame=frame: fit(frame, True),
                           "general": lambda frame=frame: fit(frame, False)}, repeats=repeats)
        a, b = res["closed"]["out"], res["general"]["out"]
        diff = max(float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-12)))
                   for x, y in ((a.estimate, b.estimate), (a.se, b.se), (a.df, b.df)))
        print(f"| {n:,} | {a.n_obs:,} | {res['closed']['min']:.2f} / "
              f"{res['closed']['median']:.2f} s | {res['general']['min']:.2f} / "
              f"{res['general']['median']:.2f} s | {diff:.1e} |")


def main() -> None:
    if "--scale" in sys.argv:
        scale([int(float(v)) for v in sys.argv[sys.argv.index("--scale") + 1].split(",")])
        return
    models = real_models()
    inputs = statsmodels_inputs(models)
    fit_ours(models[:2])
    fit_statsmodels(inputs[:2])
    res = interleaved({"alliance_analysis mixed_model": lambda: fit_ours(models),
                       "statsmodels MixedLM (fit only)": lambda: fit_statsmodels(inputs)},
                      repeats=REPEATS)
    ours, theirs = res["alliance_analysis mixed_model"], res["statsmodels MixedLM (fit only)"]
    count, worst = agreement(ours["out"], theirs["out"], inputs)
    n_rows = sum(len(r.terms) for r in ours["out"])
    print(f"{len(models)} REML fits of the szigeti2024 reproduction (real psilodep2 data, "
          f"{n_rows} fixed effects), {REPEATS} interleaved runs each:")
    for name, t in res.items():
        print(f"  {name:<32} min {t['min']:7.3f} s | median {t['median']:7.3f} s")
    print(f"  time ratio statsmodels / mixed_model (medians): "
          f"{theirs['median'] / ours['median']:.2f} (mixed_model also computes Satterthwaite df)")
    print(f"  agreement on the timed fits: {count} fixed effects, max relative |diff| {worst:.1e}"
          " (statsmodels' default optimiser stops earlier than lme4's; mixed_model matches lme4 "
          "to 1e-6 in tests/test_mixed_model.py)")


if __name__ == "__main__":
    main()
