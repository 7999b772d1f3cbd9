"""mixed_model against R lme4 1.1 + lmerTest 3.1 (committed oracle vectors; CI needs no R).

Oracle: ``scripts/oracles/lme4_oracle.R`` fitted every case of ``tests/oracles/lme4/cases.csv``
(REAL public psilodep2 data and SYNTHETIC data, written by
``scripts/oracles/make_mixed_cases.py``) with a tight optimiser (bobyqa, rhoend 1e-12) and
wrote full-precision vectors. Tolerances (issue 12): estimate, SE, t, variance components:
relative 1e-6 with an absolute floor of 1e-9 for values near 0; Satterthwaite df: ABSOLUTE
1e-3; p: relative 1e-3 (it moves with the df); REML criterion / ML deviance: absolute 1e-6.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.stats import MixedModelResult, mixed_model

ROOT = Path(__file__).resolve().parents[1]
ORACLE = ROOT / "tests" / "oracles" / "lme4"
REL, FLOOR = 1e-6, 1e-9


def _cases() -> pd.DataFrame:
    return pd.read_csv(ORACLE / "cases.csv", dtype=str, keep_default_na=False)


CASES = _cases()
RESULTS = pd.read_csv(ORACLE / "results.csv")
VARCORR = pd.read_csv(ORACLE / "varcorr.csv")
FITS = pd.read_csv(ORACLE / "fits.csv", dtype={"theta": str}).set_index("case")
_INPUTS: dict[str, pd.DataFrame] = {}


def _case(name: str) -> pd.Series:
    return CASES[CASES["case"] == name].iloc[0]


def _input(case: pd.Series) -> pd.DataFrame:
    if case["input"] not in _INPUTS:
        _INPUTS[case["input"]] = pd.read_csv(ORACLE / case["input"])
    frame = _INPUTS[case["input"]]
    return frame[frame["case"] == case["case"]].reset_index(drop=True)


def _fit(case: pd.Series) -> MixedModelResult:
    ref = dict([case["reference"].split("=")]) if case["reference"] else None
    return mixed_model(_input(case), case["formula"], case["groups"],
                       re_formula=case["re_formula"] or None, reml=case["reml"] == "TRUE",
                       reference=ref)


def _close(ours, theirs, rel=REL, floor=FLOOR) -> bool:
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    return bool(np.all(np.abs(ours - theirs) <= np.maximum(rel * np.abs(theirs), floor)))


@pytest.fixture(scope="module")
def fits() -> dict[str, MixedModelResult]:
    return {row["case"]: _fit(row) for _, row in CASES.iterrows()}


def test_oracle_covers_the_brief():
    assert len(CASES) >= 70
    real = CASES[CASES["case"].str.startswith("psilodep2_")]
    assert len(real) == 60 and real["data"].str.startswith("REAL public").all()
    syn = CASES[~CASES["case"].str.startswith("psilodep2_")]
    assert syn["data"].str.startswith("SYNTHETIC").all()
    assert (syn["reml"] == "FALSE").any() and (syn["re_formula"] != "").any()
    assert FITS.loc[syn["case"], "singular"].any()
    # the oracle optimum is tight: lme4's finite-difference gradient at rounding level
    assert FITS["max_abs_gradient"].max() < 1e-4


@pytest.mark.parametrize("case", list(CASES["case"]))
def test_fixed_effects_match_lme4_lmertest(case, fits):
    res = fits[case]
    ref = RESULTS[RESULTS["case"] == case]
    assert res.terms == tuple(ref["term"])  # R's names(fixef(fit)), in R's order
    assert _close(res.estimate, ref["estimate"]), "estimate"
    assert _close(res.se, ref["se"]), "SE"
    assert _close(res.t, ref["t"]), "t"
    assert np.all(np.abs(res.df - ref["df"].to_numpy()) <= 1e-3), "Satterthwaite df"
    assert _close(res.p, ref["p"], rel=1e-3, floor=1e-300), "p"
    assert np.allclose(res.t, res.estimate / res.se, rtol=1e-14)


@pytest.mark.parametrize("case", list(CASES["case"]))
def test_fit_summaries_match_lme4(case, fits):
    res, ref = fits[case], FITS.loc[case]
    row = _case(case)
    assert res.method == ref["method"]
    assert abs(res.criterion - ref["criterion"]) <= 1e-6
    assert abs(res.loglik - ref["loglik"]) <= 1e-6
    assert res.singular == bool(ref["singular"])
    assert (res.n_obs, res.n_groups) == (ref["n_obs"], ref["n_groups"])
    assert res.n_dropped == len(_input(row)) - res.n_obs
    assert _close(res.sigma, ref["sigma"])
    theta = np.array([float(t) for t in ref["theta"].split(";")])
    assert _close(res.theta, theta, rel=1e-5, floor=1e-6)
    vc = VARCORR[VARCORR["case"] == case]
    ours = res.variance_components
    assert list(ours["grp"]) == list(vc["grp"])
    assert [v if isinstance(v, str) else "" for v in ours["var1"]] == list(vc["var1"].fillna(""))
    # variances depend on θ to first order, where lme4's bobyqa stops ~1e-7 short of the
    # optimum (mixed_model's gradient is at rounding level): relative 1e-5 (1e-6 of σ² floor)
    floor = 1e-6 * float(ref["sigma"]) ** 2
    assert _close(ours["vcov"], vc["vcov"], rel=1e-5, floor=floor)
    assert _close(ours["sdcor"], vc["sdcor"], rel=1e-5, floor=1e-6)
    assert res.converged


def test_singular_fit_is_flagged_with_a_note_and_whole_df(fits):
    res = fits["syn_singular"]
    assert res.singular and res.theta[0] == 0.0
    assert any("singular fit" in n for n in res.notes)
    # lmerTest: ∂Var(β̂)/∂θ = 0 at θ = 0, so the Satterthwaite df are n − p
    assert np.allclose(res.df, res.n_obs - len(res.terms), atol=1e-6)


def test_residual_df_and_ci(fits):
    from scipy import stats

    frame = _input(_case("syn_unbalanced_s1"))
    res = mixed_model(frame, "y ~ tp * x", "g", df_method="residual", confidence=0.9)
    assert np.all(res.df == res.n_obs - len(res.terms))
    q = stats.t.ppf(0.95, res.n_obs - len(res.terms))
    assert np.allclose(res.ci_high - res.estimate, q * res.se, rtol=1e-12)
    assert np.allclose(res.estimate, fits["syn_unbalanced_s1"].estimate, rtol=1e-12)


def test_frame_apa_summary(fits):
    res = fits["psilodep2_within_rtx_hamd_E"]
    frame = res.to_frame()
    assert list(frame.columns) == ["term", "estimate", "se", "ci_low", "ci_high", "confidence",
                                   "statistic", "df", "p", "method", "t"]
    assert list(frame.index) == list(res.terms)
    assert list(frame["term"]) == ["(Intercept)", "tpwk6", "rtx", "tpwk6:rtx"]
    text = res.apa("tpwk6")
    assert re.fullmatch(r"b = -4\.84, SE = 0\.89, t\(26(\.00)?\) = -5\.42, p < \.001", text), text
    assert res.apa().count("\n") == 3
    summary = res.summary()
    assert "Satterthwaite" in summary and "tpwk6:rtx" in summary and "Residual" in summary
    with pytest.raises(InputError, match="no fixed effect named"):
        res.apa("tp")
    with pytest.raises(dataclasses_error()):
        res.sigma = 1.0  # frozen
    with pytest.raises(ValueError):
        res.estimate[0] = 0.0  # read-only arrays


def dataclasses_error():
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_statsmodels_mixedlm_cross_check(fits):
    """statsmodels MixedLM (not the oracle: its default optimum is looser) on one real case."""
    import statsmodels.formula.api as smf

    frame = _input(_case("psilodep2_within_rtx_wemwbs_E")).dropna(subset=["score", "rtx"])
    sm = smf.mixedlm("score ~ tp * rtx", frame, groups=frame["patient_id"]).fit(reml=True)
    res = fits["psilodep2_within_rtx_wemwbs_E"]
    assert np.allclose(res.estimate, sm.fe_params.to_numpy(), rtol=1e-4, atol=1e-6)
    assert np.allclose(res.se, sm.bse_fe.to_numpy(), rtol=5e-3)


def _toy(n_groups: int = 8, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), 3)
    return pd.DataFrame({"id": g, "tp": np.tile(["a", "b", "c"], n_groups),
                         "x": rng.normal(size=g.size), "flag": rng.random(g.size) > 0.5,
                         "y": rng.normal(size=g.size) + rng.normal(size=n_groups)[g]})


def test_factor_coding_reference_and_bool():
    df = _toy()
    res = mixed_model(df, "y ~ tp + flag", "id", reference={"tp": "c"})
    assert res.terms == ("(Intercept)", "tpa", "tpb", "flagTRUE")
    df["tp"] = pd.Categorical(df["tp"], categories=["c", "b", "a"])
    assert mixed_model(df, "y ~ tp", "id").terms == ("(Intercept)", "tpb", "tpa")


def test_missing_rows_are_counted_with_their_columns():
    df = _toy()
    df.loc[[0, 5], "y"] = np.nan
    df.loc[7, "x"] = np.nan
    df.loc[9, "id"] = np.nan
    res = mixed_model(df, "y ~ x", "id")
    assert res.n_dropped == 4 and res.n_obs == len(df) - 4
    assert any("y: 2" in n and "x: 1" in n and "id: 1" in n for n in res.notes)


@pytest.mark.parametrize("kwargs, match", [
    ({"formula": "y ~ nope"}, "no such column"),
    ({"formula": "y ~ log(x)"}, "cannot read the formula"),
    ({"formula": "y x"}, "needs one '~'"),
    ({"formula": "tp ~ x"}, "outcome must be numeric"),
    ({"formula": "y ~ x", "groups": "missing_col"}, "no such column"),
    ({"formula": "y ~ x", "df_method": "kr"}, "df_method"),
    ({"formula": "y ~ x", "confidence": 95}, "confidence"),
    ({"formula": "y ~ tp", "reference": {"tp": "zz"}}, "reference level 'zz'"),
    ({"formula": "y ~ x", "reference": {"x": "1"}}, "not a factor"),
    ({"formula": "y ~ x", "re_formula": "x"}, "re_formula"),
    ({"formula": "y ~ x + id"}, "grouping column"),
])
def test_input_errors(kwargs, match):
    args = {"data": _toy(), "groups": "id", **kwargs}
    with pytest.raises(InputError, match=match):
        mixed_model(**args)


def test_too_few_groups_and_one_row_per_group():
    df = _toy()
    with pytest.raises(InputError, match="at least 2 groups"):
        mixed_model(df[df["id"] == 0], "y ~ x", "id")
    with pytest.raises(InputError, match="cannot be separated"):
        mixed_model(df.drop_duplicates("id"), "y ~ x", "id")
    with pytest.raises(InputError, match="collinear"):
        mixed_model(df.assign(x2=2 * df["x"]), "y ~ x + x2", "id")
    with pytest.raises(InputError, match="at least 2 levels"):
        mixed_model(df.assign(tp="a"), "y ~ tp", "id")
