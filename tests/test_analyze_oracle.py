"""`analyze` on a larger generated trial (n = 60, seeded, written to a temporary CSV): default
roles for more instruments (STAR-P, MEQ30 peak, QIDS-SR16 with two follow-ups), corrections that
actually differ (holm vs fdr_bh vs bonferroni against statsmodels, within each arm), Spearman
against scipy, and mediation without covariates against pingouin. The trial has two arms (a, b),
so every analysis runs within each arm and the oracle recomputes it on the same subset.
Expected values come from the other libraries."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.cli import main

N = 60


def _trial(tmp: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(11)
    a = rng.standard_normal(N)
    e = 0.5 * a + rng.standard_normal(N) * 0.8
    prep = np.clip(np.round(40 + 6 * a), 12, 60)
    post = np.clip(np.round(prep + 4 + 3 * rng.standard_normal(N)), 12, 60)
    star = np.clip(np.round(30 + 5 * a + 3 * rng.standard_normal(N)), 0, 48)
    s1 = np.clip(np.round(2.5 + 0.8 * e + 0.4 * rng.standard_normal(N), 2), 0, 5)
    s2 = np.clip(np.round(2.7 + 0.8 * e + 0.4 * rng.standard_normal(N), 2), 0, 5)
    base = np.clip(np.round(18 + 3 * rng.standard_normal(N)), 0, 27)
    wk2 = np.clip(np.round(base - 3 - 2 * a - 1.5 * e + 2 * rng.standard_normal(N)), 0, 27)
    wk6 = np.clip(np.round(base - 6 - 2.5 * a - 2 * e + 2 * rng.standard_normal(N)), 0, 27)
    df = pd.DataFrame({
        "participant_id": [f"P{i:02d}" for i in range(1, N + 1)],
        "arm": np.where(np.arange(N) % 2, "a", "b"),
        "wai_sr.total.prep": prep, "wai_sr.total.post": post, "star_p.total.post": star,
        "meq30.total.s1": s1, "meq30.total.s2": s2, "qids_sr16.total.base": base,
        "qids_sr16.total.wk2": wk2, "qids_sr16.total.wk6": wk6})
    df.loc[[3, 17], "wai_sr.total.post"] = np.nan
    df.loc[[5], "qids_sr16.total.wk6"] = np.nan
    df.loc[[8, 9], "meq30.total.s2"] = np.nan
    data = tmp / "trial.csv"
    df.to_csv(data, index=False)
    mapping = tmp / "trial_mapping.toml"
    mapping.write_text('[peaks]\nmeq30 = { from = ["s1", "s2"], name = "peak" }\n',
                       encoding="utf-8")
    return data, mapping


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    from alliance_analysis.io import load_table

    tmp = tmp_path_factory.mktemp("trial")
    data, mapping = _trial(tmp)
    return tmp, data, mapping, load_table(data, mapping).wide


def _analyze(trial, plan_text: str, name: str) -> tuple[pd.DataFrame, dict]:
    tmp, data, mapping, _ = trial
    plan = tmp / f"{name}.toml"
    plan.write_text(plan_text, encoding="utf-8")
    out = tmp / name
    assert main(["analyze", str(data), "--mapping", str(mapping), "--plan", str(plan),
                 "--out", str(out)]) == 0
    frame = pd.read_csv(out / "results.csv", comment="#")
    return frame, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_default_roles_for_more_instruments(trial):
    from alliance_analysis.analyze import default_roles
    from alliance_analysis.io import load_table

    _, data, mapping, _ = trial
    roles = default_roles(load_table(data, mapping))
    assert roles.alliance == ("star_p.total.post", "wai_sr.total.prep", "wai_sr.total.post")
    assert roles.experience == ("meq30.total.peak",)
    assert roles.outcomes == ("qids_sr16.total.wk2", "qids_sr16.total.wk6")


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
def test_corrections_match_statsmodels(trial, method):
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    wide = trial[3]
    res, doc = _analyze(trial, f'[analyses]\nrun = ["correlations", "regressions"]\n'
                        f'correction = "{method}"\n', f"corr_{method}")
    assert set(res["arm"]) == {"a", "b"}  # never pooled silently
    for arm in ("a", "b"):
        rows = wide[wide["arm"] == arm]
        corr = res[(res["analysis"] == "correlations") & (res["arm"] == arm)]
        p_ref = []
        for v in corr["variables"]:
            x, y = v.split(" ~ ")
            sub = rows[[x, y]].dropna()
            p_ref.append(stats.pearsonr(sub[x], sub[y]).pvalue)
        np.testing.assert_allclose(corr["p"], p_ref, rtol=1e-9)
        expected = multipletests(p_ref, method=method)[1]
        np.testing.assert_allclose(corr["p_adjusted"], expected, rtol=1e-9)
        # the corrections differ on these p-values, so the test can tell them apart
        others = {m: multipletests(p_ref, method=m)[1] for m in ("holm", "fdr_bh", "bonferroni")}
        assert all(not np.allclose(others[m], expected) for m in others if m != method)
        assert set(corr["family_size"]) == {12}  # 4 predictors x (base, wk2, wk6)
        reg = res[(res["analysis"] == "regressions") & (res["arm"] == arm)]
        assert len(reg) == 6  # 2 follow-ups x 3 alliance variables
        np.testing.assert_allclose(reg["p_adjusted"], multipletests(reg["p"], method=method)[1],
                                   rtol=1e-9)


def test_spearman_matches_scipy(trial):
    from scipy import stats

    wide = trial[3]
    res, _ = _analyze(trial, '[analyses]\nrun = ["correlations"]\ncorrection = "none"\n'
                      '[correlations]\nmethod = "spearman"\ninclude_baseline = false\n',
                      "spearman")
    assert len(res) == 16  # baseline left out; 8 per arm
    assert set(res["statistic"]) == {"r_s"}
    for row in res.itertuples(index=False):
        x, y = row.variables.split(" ~ ")
        sub = wide[wide["arm"] == row.arm][[x, y]].dropna()
        ref = stats.spearmanr(sub[x], sub[y])
        assert row.value == pytest.approx(ref.statistic, rel=1e-9)
        assert row.p == pytest.approx(ref.pvalue, rel=1e-9)
        assert row.p_adjusted == pytest.approx(row.p, rel=1e-12)


def test_mediation_without_covariates_matches_pingouin(trial):
    import pingouin as pg

    wide = trial[3]
    x, m, y = "wai_sr.total.prep", "meq30.total.peak", "qids_sr16.total.wk6"
    res, doc = _analyze(trial, f'[analyses]\nrun = ["mediation"]\n'
                        f'[mediation]\nalliance = ["{x}"]\nadjust_baseline = false\n'
                        '[bootstrap]\nresamples = 1000\nseed = 3\nci = "bca"\n', "mediation")
    assert len(res) == 2 and list(res["arm"]) == ["a", "b"]
    row = res.iloc[1]
    assert row["variables"] == f"{x} -> {m} -> {y}"
    sub = wide[wide["arm"] == "b"][[x, m, y]].dropna().rename(columns={x: "X", m: "M", y: "Y"})
    ref = pg.mediation_analysis(data=sub, x="X", m="M", y="Y", n_boot=200, seed=1)
    coef = dict(zip(ref["path"], ref["coef"], strict=True))
    assert row["value"] == pytest.approx(coef["Indirect"], rel=1e-8)
    detail = doc["details"]["mediation"][1]["result"]
    assert detail["a"] == pytest.approx(coef["M ~ X"], rel=1e-8)
    assert detail["c"] == pytest.approx(coef["Total"], rel=1e-8)
    assert detail["c_prime"] == pytest.approx(coef["Direct"], rel=1e-8)
    assert detail["ci"] == "bca" and detail["n_boot"] == 1000
    assert row["ci_lower"] < row["value"] < row["ci_upper"]
    assert "bca bootstrap, 1000 resamples, seed 3" == row["ci_method"]
