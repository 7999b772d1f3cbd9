"""`alliance-analysis analyze`: every number against an independent oracle (scipy, statsmodels,
pingouin, a hand-written bootstrap), the CLI end to end, determinism and the data notice.

Expected values are never taken from the package's own output: each is recomputed here from
the loaded wide table with another library.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
WIDE = EX / "synthetic_example_wide.csv"
WIDE_MAP = EX / "synthetic_example_wide_mapping.toml"
MESSY = EX / "synthetic_example_messy.xlsx"
MESSY_MAP = EX / "synthetic_example_messy_mapping.toml"
PLAN = EX / "analysis_plan.toml"

ALLIANCE = ["wai_sr.total.prep", "wai_sr.total.post"]
EXPERIENCE = ["piq.total.peak"]
BASE, WK4 = "grid_hamd_17.total.base", "grid_hamd_17.total.wk4"
N_BOOT = 500


def _plan(tmp: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# The oracle tests below check the four alliance analyses on all 8 participants together: the
# plan asks for pooling (stated in the methods); the per-arm default is tested in
# tests/test_analyze_arms.py.
FAST_PLAN = f"""
[analyses]
run = ["alliance_change", "correlations", "regressions", "mediation"]
arms = "pooled"

[bootstrap]
resamples = {N_BOOT}
seed = 7
"""


def _results(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "results.csv", comment="#", keep_default_na=True)


def _wide(data: Path = WIDE, mapping: Path = WIDE_MAP) -> pd.DataFrame:
    from alliance_analysis.io import load_table

    return load_table(data, mapping).wide


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("analyze")
    plan = _plan(tmp, FAST_PLAN)
    out = tmp / "out"
    code = main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan", str(plan),
                 "--out", str(out)])
    assert code == 0
    return out, _results(out), _wide()


def _row(frame: pd.DataFrame, analysis: str, variables: str) -> pd.Series:
    sel = frame[(frame["analysis"] == analysis) & (frame["variables"] == variables)]
    assert len(sel) == 1, (analysis, variables, frame[["analysis", "variables"]])
    return sel.iloc[0]


# ---------------------------------------------------------------------------------------------
# the default plan
# ---------------------------------------------------------------------------------------------
def test_default_plan_roles_from_the_data(wide_run):
    out, res, _ = wide_run
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    variables = doc["plan"]["variables"]
    assert variables["alliance"] == ALLIANCE
    assert variables["experience"] == EXPERIENCE
    assert variables["outcomes"] == [WK4]
    assert doc["plan"]["mediation"]["alliance"] == ["wai_sr.total.prep"]
    assert doc["plan"]["analyses"]["correction"] == "holm"
    # 1 change + (2 alliance + 1 peak) x (base + wk4) correlations + 2 regressions + 1 mediation
    assert res["analysis"].value_counts().to_dict() == {
        "correlations": 6, "regressions": 2, "alliance_change": 1, "mediation": 1}


# ---------------------------------------------------------------------------------------------
# (a) alliance change against scipy / pingouin
# ---------------------------------------------------------------------------------------------
def test_alliance_change_matches_scipy_and_pingouin(wide_run):
    import pingouin as pg
    from scipy import stats

    out, res, wide = wide_run
    pre, post = wide[ALLIANCE[0]].to_numpy(float), wide[ALLIANCE[1]].to_numpy(float)
    keep = np.isfinite(pre) & np.isfinite(post)
    ref = stats.ttest_rel(post[keep], pre[keep])
    row = _row(res, "alliance_change", f"{ALLIANCE[0]} -> {ALLIANCE[1]}")
    assert row["statistic"] == "t"
    assert row["value"] == pytest.approx(ref.statistic, rel=1e-9)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert row["df"] == keep.sum() - 1
    assert row["n"] == keep.sum()
    diff = post[keep] - pre[keep]
    assert row["estimate"] == pytest.approx(diff.mean() / diff.std(ddof=1), rel=1e-9)
    # the noncentral-t CI: the observed t sits at the 97.5th / 2.5th percentile of the
    # noncentral t with ncp = bound·√n (Steiger & Fouladi 1997)
    n = int(keep.sum())
    assert stats.nct.cdf(ref.statistic, n - 1, row["ci_lower"] * math.sqrt(n)) == \
        pytest.approx(0.975, abs=1e-6)
    assert stats.nct.cdf(ref.statistic, n - 1, row["ci_upper"] * math.sqrt(n)) == \
        pytest.approx(0.025, abs=1e-6)
    # d_av (Cumming's rms denominator) in the detailed JSON equals pingouin's paired cohen d
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    detail = doc["details"]["alliance_change"][0]["result"]
    assert detail["d_av"] == pytest.approx(
        pg.compute_effsize(post[keep], pre[keep], paired=True, eftype="cohen"), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# (b) correlations against scipy.stats.pearsonr + statsmodels multipletests
# ---------------------------------------------------------------------------------------------
def test_correlations_match_scipy_with_holm(wide_run):
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    _, res, wide = wide_run
    pairs = [(x, y) for x in ALLIANCE + EXPERIENCE for y in (BASE, WK4)]
    p_ref, rows = [], []
    for x, y in pairs:
        sub = wide[[x, y]].dropna()
        ref = stats.pearsonr(sub[x], sub[y])
        lo, hi = ref.confidence_interval(0.95)
        row = _row(res, "correlations", f"{x} ~ {y}")
        assert row["value"] == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
        assert row["p"] == pytest.approx(ref.pvalue, rel=1e-9)
        assert row["n"] == len(sub)
        assert row["df"] == len(sub) - 2
        assert row["ci_lower"] == pytest.approx(lo, rel=1e-9, abs=1e-12)
        assert row["ci_upper"] == pytest.approx(hi, rel=1e-9, abs=1e-12)
        p_ref.append(ref.pvalue)
        rows.append(row)
    adjusted = multipletests(p_ref, method="holm")[1]
    for row, q in zip(rows, adjusted, strict=True):
        assert row["p_adjusted"] == pytest.approx(q, rel=1e-9)
        assert row["family_size"] == len(pairs)


# ---------------------------------------------------------------------------------------------
# (c) hierarchical regressions against statsmodels OLS
# ---------------------------------------------------------------------------------------------
def test_regressions_match_statsmodels(wide_run):
    import statsmodels.api as sm
    from statsmodels.stats.multitest import multipletests

    out, res, wide = wide_run
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    details = {d["predictor"]: d for d in doc["details"]["regressions"]}
    p_ref, rows = [], []
    for a in ALLIANCE:
        sub = wide[[WK4, BASE, a]].dropna()
        small = sm.OLS(sub[WK4], sm.add_constant(sub[[BASE]])).fit()
        full = sm.OLS(sub[WK4], sm.add_constant(sub[[BASE, a]])).fit()
        f, p, df1 = full.compare_f_test(small)
        row = _row(res, "regressions", f"{WK4} ~ {BASE} + {a}")
        assert row["statistic"] == "F_change"
        assert row["value"] == pytest.approx(f, rel=1e-8)
        assert row["p"] == pytest.approx(p, rel=1e-8)
        assert (row["df"], row["df2"]) == (df1, full.df_resid)
        assert row["n"] == len(sub)
        z = (sub - sub.mean()) / sub.std(ddof=1)
        beta = sm.OLS(z[WK4], sm.add_constant(z[[BASE, a]])).fit().params[a]
        assert row["effect"] == "beta"
        assert row["estimate"] == pytest.approx(beta, rel=1e-8)
        d = details[a]
        assert d["change"]["delta_r2"] == pytest.approx(full.rsquared - small.rsquared, rel=1e-8)
        assert d["coefficient"]["b"] == pytest.approx(full.params[a], rel=1e-8)
        assert d["coefficient"]["ci_lower"] == pytest.approx(full.conf_int().loc[a, 0], rel=1e-8)
        p_ref.append(p)
        rows.append(row)
    for row, q in zip(rows, multipletests(p_ref, method="holm")[1], strict=True):
        assert row["p_adjusted"] == pytest.approx(q, rel=1e-8)


# ---------------------------------------------------------------------------------------------
# (d) mediation against statsmodels paths and a hand-written bootstrap with the same seed
# ---------------------------------------------------------------------------------------------
def _boot_ab(data: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """a·b per resample by np.linalg.lstsq, resamples drawn as documented in stats.mediate
    (``default_rng(seed).integers(0, n, (n_boot, n))``); singular designs give NaN."""
    n = data.shape[0]
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    out = np.full(n_boot, np.nan)
    for i, rows in enumerate(idx):
        x, m, y, c = (data[rows, j] for j in range(4))
        dm = np.column_stack([np.ones(n), x, c])
        dy = np.column_stack([np.ones(n), x, m, c])
        if np.linalg.matrix_rank(dm) < 3 or np.linalg.matrix_rank(dy) < 4:
            continue
        a = np.linalg.lstsq(dm, m, rcond=None)[0][1]
        b = np.linalg.lstsq(dy, y, rcond=None)[0][2]
        out[i] = a * b
    return out


def test_mediation_matches_statsmodels_and_an_independent_bootstrap(wide_run):
    import statsmodels.api as sm

    out, res, wide = wide_run
    x, m, y, c = ALLIANCE[0], EXPERIENCE[0], WK4, BASE
    sub = wide[[x, m, y, c]].dropna()
    a = sm.OLS(sub[m], sm.add_constant(sub[[x, c]])).fit().params[x]
    fit_y = sm.OLS(sub[y], sm.add_constant(sub[[x, m, c]])).fit()
    b, c_prime = fit_y.params[m], fit_y.params[x]
    total = sm.OLS(sub[y], sm.add_constant(sub[[x, c]])).fit().params[x]
    row = _row(res, "mediation", f"{x} -> {m} -> {y} | {c}")
    assert row["value"] == pytest.approx(a * b, rel=1e-8)
    assert row["n"] == len(sub)
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    detail = doc["details"]["mediation"][0]["result"]
    assert detail["c_prime"] == pytest.approx(c_prime, rel=1e-8)
    assert detail["c"] == pytest.approx(total, rel=1e-8)
    assert detail["n_boot"] == N_BOOT and detail["seed"] == 7
    draws = _boot_ab(sub[[x, m, y, c]].to_numpy(float), N_BOOT, 7)
    finite = draws[np.isfinite(draws)]
    assert detail["n_boot_failed"] == N_BOOT - finite.size
    lo, hi = np.quantile(finite, [0.025, 0.975])
    assert row["ci_lower"] == pytest.approx(lo, rel=1e-6)
    assert row["ci_upper"] == pytest.approx(hi, rel=1e-6)
    assert detail["indirect_se"] == pytest.approx(finite.std(ddof=1), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# outputs: notice first, determinism, files
# ---------------------------------------------------------------------------------------------
def _text_outputs(out: Path) -> list[Path]:
    files = [p for p in sorted(out.rglob("*")) if p.is_file() and p.suffix != ".png"]
    assert files
    return files


def test_notice_is_the_first_line_of_every_output(wide_run):
    out, _, _ = wide_run
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "results.json", "methods.md", "report.html", "tables",
            "figures"} <= names
    for path in _text_outputs(out):
        if path.suffix == ".csv":  # header first; the notice is in NOTICE.txt beside it
            assert (path.parent / "NOTICE.txt").is_file(), path
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert "SYNTHETIC DATA: synthetic_example_wide.csv" in first, path
    assert list((out / "figures").glob("*.png")), "figures were written"
    # every CSV is plain: pandas reads its header without options
    assert list(pd.read_csv(out / "results.csv").columns[:3]) == ["analysis", "arm", "variables"]
    # the JSON stays valid JSON with the notice as its first key
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert next(iter(doc)) == "notice" and doc["provenance"] == "synthetic"


def test_report_uses_the_shared_template(wide_run):
    out, _, _ = wide_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="data-notice"' in html and "apa-table" in html
    assert html.count("<figure") >= 2
    assert "Hierarchical regressions" in html and "Mediation" in html
    # the reproduction-only sections of the shared template are left out, nothing else
    assert 'id="claims"' not in html and 'id="audit"' not in html
    for section in ("summary", "tables", "figures", "assumptions", "software"):
        assert f'<section id="{section}">' in html


def test_report_switch_leaves_out_only_the_reproduction_sections():
    from alliance_analysis.report.html import render_report

    base = {"notice": "SYNTHETIC DATA: test", "software": {}}
    full = render_report(base)
    assert 'id="claims"' in full and 'id="audit"' in full
    page = render_report({**base, "reproduction": False,
                          "sections": [{"title": "Methods", "text": "First <b>.\n\nSecond."}]})
    assert 'id="claims"' not in page and 'id="audit"' not in page
    assert 'id="summary"' in page and 'id="software"' in page
    assert '<section id="methods">' in page
    assert "<p>First &lt;b&gt;.</p>" in page and "<p>Second.</p>" in page


def test_second_run_is_byte_identical(wide_run, tmp_path):
    out, _, _ = wide_run
    plan = _plan(tmp_path, FAST_PLAN)
    again = tmp_path / "again"
    assert main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan", str(plan),
                 "--out", str(again)]) == 0
    for name in ("results.csv", "results.json", "methods.md", "report.html"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    for table in (out / "tables").iterdir():
        assert table.read_bytes() == (again / "tables" / table.name).read_bytes(), table.name


def test_user_data_notice(tmp_path):
    data = tmp_path / "trial_export.csv"
    data.write_bytes(WIDE.read_bytes())
    plan = _plan(tmp_path, '[analyses]\nrun = ["correlations"]\n')
    out = tmp_path / "out"
    assert main(["analyze", str(data), "--mapping", str(WIDE_MAP), "--plan", str(plan),
                 "--out", str(out)]) == 0
    for path in _text_outputs(out):
        if path.suffix == ".csv":
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert "YOUR DATA (supplied by the user): trial_export.csv" in first, path
        assert "SYNTHETIC" not in first
    res = _results(out)
    assert set(res["analysis"]) == {"correlations"}


def test_methods_paragraph_reports_what_ran(wide_run):
    out, _, _ = wide_run
    text = (out / "methods.md").read_text(encoding="utf-8")
    assert "paired-samples t test" in text
    assert "d_z = M_diff / SD_diff" in text and "d_av" in text
    assert "Holm (1979) over the family of 6 correlations" in text
    assert "family of 2 models" in text
    assert f"{N_BOOT} resamples (random seed 7)" in text and "percentile bootstrap" in text
    assert "The loader set 2 value(s) to missing (empty cell: 2)" in text
    import scipy
    import statsmodels

    assert f"scipy {scipy.__version__}" in text
    assert f"statsmodels {statsmodels.__version__}" in text


# ---------------------------------------------------------------------------------------------
# the messy export: missing codes, excluded row, pairwise n
# ---------------------------------------------------------------------------------------------
def test_messy_xlsx_pairwise_deletion_and_audit(tmp_path):
    from scipy import stats

    plan = _plan(tmp_path, '[analyses]\nrun = ["alliance_change", "correlations"]\n'
                 'correction = "bonferroni"\narms = "pooled"\n')
    out = tmp_path / "out"
    assert main(["analyze", str(MESSY), "--mapping", str(MESSY_MAP), "--plan", str(plan),
                 "--out", str(out)]) == 0
    wide = _wide(MESSY, MESSY_MAP)
    res = _results(out)
    corr = res[res["analysis"] == "correlations"]
    assert len(corr) == 6
    for row in corr.itertuples(index=False):
        x, y = row.variables.split(" ~ ")
        sub = wide[[x, y]].dropna()
        ref = stats.pearsonr(sub[x], sub[y])
        assert row.n == len(sub)
        assert row.n_dropped == len(wide) - len(sub)
        assert row.value == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
        assert row.p_adjusted == pytest.approx(min(1.0, ref.pvalue * 6), rel=1e-9)
    # the missing PIQ session 1 value (-99) leaves the peak defined by session 2: every pair n
    # equals the count of rows where both are present, which the loader decides
    assert corr["n"].min() >= 7
    text = (out / "methods.md").read_text(encoding="utf-8")
    assert "1 row(s) were excluded as 'empty row (no value in any column)'" in text
    assert "missing code '-99': 2" in text and "missing code '.': 1" in text
    assert "Bonferroni" in text


def test_example_plan_runs_on_the_wide_example(tmp_path):
    out = tmp_path / "out"
    assert main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan", str(PLAN),
                 "--out", str(out)]) == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["plan"]["source"] == "analysis_plan.toml"
    assert doc["plan"]["bootstrap"] == {"resamples": 5000, "seed": 20240601, "ci": "percentile"}


def test_long_layout_gives_the_same_results(wide_run, tmp_path):
    out, res, _ = wide_run
    plan = _plan(tmp_path, FAST_PLAN)
    long_out = tmp_path / "long"
    assert main(["analyze", str(EX / "synthetic_example_long.csv"), "--mapping",
                 str(EX / "synthetic_example_long_mapping.toml"), "--plan", str(plan),
                 "--out", str(long_out)]) == 0
    pd.testing.assert_frame_equal(_results(long_out), res)


def test_no_predictors_for_correlations_is_refused(tmp_path, capsys):
    plan = _plan(tmp_path, '[analyses]\nrun = ["correlations"]\n'
                 '[variables]\nalliance = []\nexperience = []\n')
    code = main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan", str(plan),
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "'correlations' needs alliance or experience variables" in err[0]


def test_experience_only_correlations(tmp_path):
    plan = _plan(tmp_path, '[analyses]\nrun = ["correlations"]\narms = "pooled"\n'
                 '[variables]\nalliance = []\n')
    out = tmp_path / "out"
    assert main(["analyze", str(WIDE), "--mapping", str(WIDE_MAP), "--plan", str(plan),
                 "--out", str(out)]) == 0
    res = _results(out)
    assert list(res["variables"]) == [f"piq.total.peak ~ {BASE}", f"piq.total.peak ~ {WK4}"]
