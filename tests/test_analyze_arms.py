"""`analyze` on a real two-arm trial (the shipped psilodep2 data, REAL public patient-level data):
the default plan runs every analysis within each arm (never pooled silently) and adds the
between-arm tests, the outcome change per arm and mixed models over all visits; timepoint order,
the methods paragraph's claims, the data notice, DataFrame input, and hostile names in the
outputs (parsed HTML, neutralised CSV cells).

Expected values are recomputed here from the loaded data with scipy, statsmodels, R's
lme4/lmerTest (committed oracle vectors) or by hand, on the same subsets; never copied from the
package's output.
"""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]
PUB = ROOT / "data" / "public" / "psilodep2"
SCORES = PUB / "scores.csv"
MAPPING = PUB / "psilodep2_mapping.toml"
EX = ROOT / "data" / "examples"
WIDE = EX / "synthetic_example_wide.csv"
WIDE_MAP = EX / "synthetic_example_wide_mapping.toml"
ORACLE = ROOT / "tests" / "oracles" / "analyze"
ARMS = ("escitalopram", "psilocybin")
ORDER = ["wk0", "wk2", "wk3", "wk4", "wk6"]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from alliance_analysis.io import load_table

    out = tmp_path_factory.mktemp("psilodep2") / "out"
    assert main(["analyze", str(SCORES), "--mapping", str(MAPPING), "--out", str(out)]) == 0
    res = pd.read_csv(out / "results.csv")
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return out, res, doc, load_table(SCORES, MAPPING).wide


def _sel(res: pd.DataFrame, analysis: str, arm: str | None = None) -> pd.DataFrame:
    rows = res[res["analysis"] == analysis]
    return rows if arm is None else rows[rows["arm"] == arm]


# ---------------------------------------------------------------------------------------------
# the default plan on the real trial
# ---------------------------------------------------------------------------------------------
def test_no_silent_pooling(real):
    out, res, doc, _ = real
    within = res[res["analysis"].isin(["outcome_change", "correlations", "regressions"])]
    assert set(within["arm"]) == set(ARMS)
    for analysis in ("outcome_change", "correlations", "regressions"):
        a, b = (_sel(res, analysis, arm) for arm in ARMS)
        assert len(a) == len(b) > 0 and list(a["variables"]) == list(b["variables"])
    assert set(_sel(res, "between_arms")["arm"]) == {"between arms"}
    assert doc["plan"]["analyses"]["arms"] == "separate"
    assert doc["data"]["arms"] == {"escitalopram": 29, "psilocybin": 30}
    methods = (out / "methods.md").read_text(encoding="utf-8")
    assert "Every analysis was run separately within each arm (the arms were not pooled)" in methods
    assert "escitalopram (n = 29) and psilocybin (n = 30)" in methods


def test_ta_is_the_alliance_variable_from_the_mapping(real):
    _, res, doc, _ = real
    assert doc["plan"]["variables"]["alliance"] == ["ta"]
    assert doc["plan"]["variables"]["experience"] == []
    corr = _sel(res, "correlations", "psilocybin")
    assert set(v.split(" ~ ")[0] for v in corr["variables"]) == {"ta"}
    # 12 follow-ups (BDI 3, HAM-D 1, MADRS 1, QIDS 3, STAI-T 1, WEMWBS 3) + 6 baselines
    assert len(corr) == 18


def test_outcome_change_per_arm_matches_scipy_and_hand_d(real):
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    _, res, doc, wide = real
    for arm in ARMS:
        rows = wide[wide["arm"] == arm]
        change = _sel(res, "outcome_change", arm)
        assert len(change) == 12  # every follow-up of every outcome with a baseline
        p_ref = []
        for row in change.itertuples(index=False):
            pre, post = row.variables.split(" -> ")
            sub = rows[[pre, post]].dropna()
            ref = stats.ttest_rel(sub[post], sub[pre])
            diff = sub[post] - sub[pre]
            d_z = diff.mean() / diff.std(ddof=1)
            assert row.n == len(sub) and row.n_dropped == len(rows) - len(sub)
            assert row.value == pytest.approx(ref.statistic, rel=1e-10)
            assert row.p == pytest.approx(ref.pvalue, rel=1e-9)
            assert row.estimate == pytest.approx(d_z, rel=1e-10)
            d_av = diff.mean() / math.sqrt((sub[pre].var() + sub[post].var()) / 2)
            assert f"d_av = {d_av:.4g}" in row.note
            p_ref.append(ref.pvalue)
        np.testing.assert_allclose(change["p_adjusted"], multipletests(p_ref, method="holm")[1],
                                   rtol=1e-9)


def test_correlations_and_regressions_per_arm_match_scipy_and_statsmodels(real):
    import statsmodels.api as sm
    from scipy import stats

    _, res, _, wide = real
    for arm in ARMS:
        rows = wide[wide["arm"] == arm]
        for row in _sel(res, "correlations", arm).itertuples(index=False):
            x, y = row.variables.split(" ~ ")
            sub = rows[[x, y]].dropna()
            ref = stats.pearsonr(sub[x], sub[y])
            assert row.n == len(sub)
            assert row.value == pytest.approx(ref.statistic, rel=1e-9)
            assert row.p == pytest.approx(ref.pvalue, rel=1e-8)
        for row in _sel(res, "regressions", arm).itertuples(index=False):
            y, rhs = row.variables.split(" ~ ")
            base, a = rhs.split(" + ")
            sub = rows[[y, base, a]].dropna()
            m1 = sm.OLS(sub[y], sm.add_constant(sub[[base]])).fit()
            m2 = sm.OLS(sub[y], sm.add_constant(sub[[base, a]])).fit()
            f, p, _ = m2.compare_f_test(m1)
            assert row.n == len(sub)
            assert row.value == pytest.approx(f, rel=1e-9)
            assert row.p == pytest.approx(p, rel=1e-8)


def test_between_arm_ancova_and_interaction_match_statsmodels(real):
    import statsmodels.formula.api as smf

    _, res, _, wide = real
    between = _sel(res, "between_arms")
    assert len(between) == 24  # 12 ANCOVA + 12 ta x arm, one per follow-up
    frame = wide.rename(columns=lambda c: c.replace(".", "_"))
    for row in between.itertuples(index=False):
        y, rhs = row.variables.split(" ~ ")
        base = rhs.split(" + ")[0]
        yy, bb = y.replace(".", "_"), base.replace(".", "_")
        if "ta x arm" in row.variables:
            fit = smf.ols(f"{yy} ~ {bb} + ta * C(arm)", frame).fit()
            term = "ta:C(arm)[T.psilocybin]"
        else:
            fit = smf.ols(f"{yy} ~ {bb} + C(arm)", frame).fit()
            term = "C(arm)[T.psilocybin]"
        assert row.n == int(fit.nobs)
        assert row.estimate == pytest.approx(fit.params[term], rel=1e-9)
        assert row.value == pytest.approx(fit.tvalues[term], rel=1e-9)
        assert row.p == pytest.approx(fit.pvalues[term], rel=1e-8)
        assert row.df == fit.df_resid
        lo, hi = fit.conf_int().loc[term]
        assert (row.ci_lower, row.ci_upper) == (pytest.approx(lo, rel=1e-9),
                                                 pytest.approx(hi, rel=1e-9))


def _long(wide: pd.DataFrame, measure: str, visits: list[str]) -> pd.DataFrame:
    cols = [f"{measure}.{v}" for v in visits]
    frame = wide[["arm", "ta", *cols]].reset_index(names="participant")
    long = frame.melt(id_vars=["participant", "arm", "ta"], value_vars=cols, var_name="tp",
                      value_name="score")
    long["tp"] = long["tp"].str.rsplit(".", n=1).str[-1]
    return long


def test_mixed_models_match_statsmodels_mixedlm(real):
    """Fixed effects of score ~ tp * arm and score ~ tp * ta (per arm, ta centred) against
    statsmodels MixedLM (REML, random intercept); its optimum is less tight than lme4's, so the
    SE tolerance is 2e-3 relative (the lme4 oracle below is to 1e-6)."""
    import statsmodels.formula.api as smf

    _, res, doc, wide = real
    mixed = _sel(res, "mixed_models")
    visits = ["wk0", "wk2", "wk4", "wk6"]  # sorted order = visit order: C(tp)'s reference is wk0
    long = _long(wide, "bdi.total", visits)
    fit = smf.mixedlm("score ~ C(tp) * C(arm)", long.dropna(subset=["score"]),
                      groups="participant").fit(reml=True)
    rows = mixed[(mixed["arm"] == "between arms") &
                 mixed["variables"].str.startswith("bdi.total ~ tp * arm: ")]
    names = {"tp[wk2]": "C(tp)[T.wk2]", "arm[psilocybin]": "C(arm)[T.psilocybin]",
             "tp[wk6]:arm[psilocybin]": "C(tp)[T.wk6]:C(arm)[T.psilocybin]"}
    for ours, theirs in names.items():
        row = rows[rows["variables"] == f"bdi.total ~ tp * arm: {ours}"].iloc[0]
        assert row.estimate == pytest.approx(fit.params[theirs], rel=1e-4)
        se = row.estimate / row.value
        assert abs(se) == pytest.approx(fit.bse[theirs], rel=2e-3)
    # per arm, alliance centred at its mean over the arm's participants with a value
    arm = "psilocybin"
    sub = long[long["arm"] == arm].dropna(subset=["score", "ta"]).copy()
    centre = wide.loc[wide["arm"] == arm, "ta"].mean()
    sub["ta_c"] = sub["ta"] - centre
    fit = smf.mixedlm("score ~ C(tp) * ta_c", sub,
                      groups="participant").fit(reml=True)
    row = mixed[(mixed["arm"] == arm) &
                (mixed["variables"] == "bdi.total ~ tp * ta: tp[wk6]:ta")].iloc[0]
    assert row.estimate == pytest.approx(fit.params["C(tp)[T.wk6]:ta_c"], rel=1e-4)
    assert row.n == sub["participant"].nunique()
    detail = [m for m in doc["details"]["mixed_models"]
              if m["arm"] == arm and m["measure"] == "bdi.total"][0]
    assert detail["moderator_centre"] == pytest.approx(centre, rel=1e-12)


def test_mixed_models_match_lme4_lmertest(real):
    """Estimates, SE and Satterthwaite df against R lme4 + lmerTest (oracle vectors committed
    with the R script that wrote them, tests/oracles/analyze/)."""
    oracle = pd.read_csv(ORACLE / "psilodep2_mixed_lme4.csv")
    _, res, _, _ = real
    mixed = _sel(res, "mixed_models").set_index(["arm", "variables"])
    for row in oracle.itertuples(index=False):
        ours = mixed.loc[(row.arm, row.variables)]
        assert ours["estimate"] == pytest.approx(row.estimate, rel=1e-6, abs=1e-9)
        assert abs(ours["estimate"] / ours["value"]) == pytest.approx(row.se, rel=1e-5)
        assert ours["df"] == pytest.approx(row.df, rel=1e-3)
        assert ours["p"] == pytest.approx(row.p, rel=1e-3, abs=1e-12)


def test_two_visit_outcomes_are_said_to_get_no_mixed_model(real):
    out, res, _, _ = real
    fitted = {v.split(" ~ ")[0] for v in _sel(res, "mixed_models")["variables"].dropna()}
    assert fitted == {"bdi.total", "qids.total", "wemwbs.total"}
    empty = res[res["statistic"].isna()]
    notes = dict(zip(empty["analysis"], empty["note"], strict=True))
    assert "hamd.total has 2 visits (wk0, wk6)" in notes["mixed_models"]
    assert "no acute-experience variable" in notes["mediation"]
    assert "ta: one assessment" in notes["alliance_change"]


# ---------------------------------------------------------------------------------------------
# timepoint order, methods, notice
# ---------------------------------------------------------------------------------------------
def test_timepoint_order_printed_and_used(real):
    out, res, doc, _ = real
    assert doc["data"]["timepoint_order"] == ORDER
    assert doc["data"]["baseline_timepoint"] == "wk0"
    methods = (out / "methods.md").read_text(encoding="utf-8")
    assert "Timepoints were ordered wk0 < wk2 < wk3 < wk4 < wk6" in methods
    qids = _sel(res, "mixed_models", "between arms")
    terms = [v.split(": ", 1)[1] for v in qids["variables"]
             if v.startswith("qids.total ~ tp * arm: tp[") and ":" not in v.split(": ", 1)[1]]
    assert terms == ["tp[wk2]", "tp[wk3]", "tp[wk6]"]  # wk0 is the reference


def test_timepoint_order_from_labels_not_rows(tmp_path):
    """Rows reversed and no order in the mapping: the recognised labels still give wk0 first
    (wk3 is not the last follow-up), in the plan and in the methods."""
    from alliance_analysis.analyze import run_analysis
    from alliance_analysis.analyze.methods_text import methods_paragraph

    data = tmp_path / "scores_reversed.csv"
    frame = pd.read_csv(SCORES)
    frame.iloc[::-1].to_csv(data, index=False)
    text = MAPPING.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines()
                     if not line.startswith("timepoint_order"))
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(text, encoding="utf-8")
    run = run_analysis(data, mapping, plan={"analyses": {"run": ["outcome_change"]}})
    assert run.plan.global_order == tuple(ORDER)
    assert run.plan.baseline_timepoint == "wk0"
    assert "wk0 < wk2 < wk3 < wk4 < wk6" in methods_paragraph(run, versions={})
    pairs = [(a.pre, a.post) for a in run.outcome_changes if a.arm == "psilocybin"]
    assert ("qids.total.wk0", "qids.total.wk6") in pairs


def test_methods_paragraph_states_only_what_happened(real):
    out, _, _, _ = real
    text = (out / "methods.md").read_text(encoding="utf-8")
    assert "no item was scored" in text and "scored from their items" not in text
    assert "Peaks" not in text and "peak" not in text.split("## References")[0].lower()
    # missing counts in values and participants (not rows), from the loader audit
    assert "Of the 1062 scores" in text and "21 were missing, in 12 participant(s)" in text
    assert "ta was missing for 4 participant(s)" in text
    # references only for methods used: no mediation, so no Hayes / Preacher & Kelley
    refs = text.split("## References")[1]
    assert "Hayes" not in refs and "Preacher" not in refs
    assert "Kuznetsova" in refs and "Bates" in refs and "Holm" in refs
    assert "The analysis mediation yielded no result" in text
    assert "The analysis alliance change yielded no result" in text
    assert "Satterthwaite" in text and "REML" in text


def test_real_data_notice_first_and_never_synthetic(real):
    out, _, doc, _ = real
    assert doc["provenance"] == "real_public" and doc["data"]["real"] is True
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.suffix in (".png", ".csv"):
            continue
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert "REAL PUBLIC DATA" in first, path
        assert "Carhart-Harris" in first and "MIT" in first, path
        if path.suffix != ".svg":
            assert "synthetic" not in text.lower(), path


def test_pooling_only_when_asked_and_stated(tmp_path):
    from alliance_analysis.analyze import run_analysis
    from alliance_analysis.analyze.methods_text import methods_paragraph

    run = run_analysis(SCORES, MAPPING, plan={"analyses": {"run": ["outcome_change"],
                                                          "arms": "pooled"}})
    assert {a.arm for a in run.outcome_changes} == {"all (pooled)"}
    text = methods_paragraph(run, versions={})
    assert "as the plan asks, the arms were pooled" in text
    assert "not pooled" not in text


# ---------------------------------------------------------------------------------------------
# DataFrame input
# ---------------------------------------------------------------------------------------------
def test_dataframe_input_gives_the_file_results():
    from alliance_analysis.analyze import run_analysis

    plan = {"analyses": {"run": ["alliance_change", "correlations"]}}
    from_file = run_analysis(WIDE, WIDE_MAP, plan=plan)
    from_frame = run_analysis(pd.read_csv(WIDE, dtype=str, keep_default_na=False), WIDE_MAP,
                              plan=plan)
    a = pd.DataFrame([r.to_dict() for r in from_file.rows()])
    b = pd.DataFrame([r.to_dict() for r in from_frame.rows()])
    pd.testing.assert_frame_equal(a, b)
    assert from_frame.notice.startswith("YOUR DATA (supplied by the user): DataFrame")


def test_other_data_types_are_an_input_error():
    from alliance_analysis.analyze import run_analysis
    from alliance_analysis.errors import InputError

    with pytest.raises(InputError, match="file path or a pandas DataFrame"):
        run_analysis([[1, 2], [3, 4]], WIDE_MAP)


# ---------------------------------------------------------------------------------------------
# hostile names
# ---------------------------------------------------------------------------------------------
HOSTILE_FILE = "t--><img src=x onerror=alert(1)><!--.csv"
HOSTILE_COL = "<img src=y onerror=alert(2)>"  # the alliance covariate's name in the mapping


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update((tag, name) for name, _ in attrs)


def _parse(paths) -> _Tags:
    parser = _Tags()
    for path in paths:
        parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _hostile_inputs(tmp: Path, hostile: bool) -> tuple[Path, Path]:
    frame = pd.read_csv(WIDE, dtype=str, keep_default_na=False)
    if hostile:
        frame["arm"] = frame["arm"].map({"immediate": "=HYPERLINK(\"x\")<b onclick=z>",
                                         "delayed": "@SUM(1)<script>alert(3)</script>"})
    frame["extra"] = [str(40 + i) for i in range(len(frame))]
    name = HOSTILE_FILE if hostile else "trial.csv"
    data = tmp / name
    frame.to_csv(data, index=False)
    col = HOSTILE_COL if hostile else "plain alliance"
    mapping = tmp / "mapping.toml"
    mapping.write_text(WIDE_MAP.read_text(encoding="utf-8") + (
        f'\n[covariates]\nextra_alliance = {{ column = "extra", role = "alliance", '
        f'name = "{col}" }}\n'), encoding="utf-8")
    return data, mapping


def test_hostile_names_cannot_add_html_or_formulas(tmp_path):
    outs = {}
    for hostile in (False, True):
        tmp = tmp_path / ("hostile" if hostile else "plain")
        tmp.mkdir()
        data, mapping = _hostile_inputs(tmp, hostile)
        plan = tmp / "plan.toml"
        plan.write_text('[analyses]\nrun = ["alliance_change", "correlations", "regressions", '
                        '"between_arms"]\n', encoding="utf-8")
        out = tmp / "out"
        assert main(["analyze", str(data), "--mapping", str(mapping), "--plan", str(plan),
                     "--out", str(out)]) == 0
        outs[hostile] = out
    out = outs[True]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert HOSTILE_COL not in report and "<script>alert" not in report
    plain = _parse([outs[False] / "report.html", *(outs[False] / "tables").glob("*.html")])
    hostile = _parse([out / "report.html", *(out / "tables").glob("*.html")])
    # no element or attribute the package did not write
    assert hostile.tags <= plain.tags, hostile.tags - plain.tags
    assert hostile.attrs <= plain.attrs, hostile.attrs - plain.attrs
    assert not any(name.startswith("on") for _, name in hostile.attrs)
    for svg in (out / "figures").glob("*.svg"):
        first = svg.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("<!-- ") and first.endswith(" -->") and first.count("-->") == 1
    # the hostile text is there, escaped, so the reader still sees what the data said
    assert "&lt;img src=y onerror=alert(2)&gt;" in report
    # CSV text cells never start a formula
    csvs = [out / "results.csv", *(out / "tables").glob("*.csv")]
    seen = 0
    for path in csvs:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        cells = [*frame.columns, *frame.to_numpy().ravel().tolist()]
        for cell in cells:
            if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _number(cell)):
                raise AssertionError(f"{path.name}: formula cell {cell!r}")
            seen += "HYPERLINK" in cell or "@SUM" in cell
    assert seen, "the hostile arm labels reached the CSVs (neutralised)"


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# one arm, figures
# ---------------------------------------------------------------------------------------------
def _one_arm(tmp: Path) -> tuple[Path, Path]:
    frame = pd.read_csv(WIDE, dtype=str, keep_default_na=False).drop(columns=["arm"])
    data = tmp / "single_arm_trial.csv"
    frame.to_csv(data, index=False)
    mapping = tmp / "mapping.toml"
    mapping.write_text(WIDE_MAP.read_text(encoding="utf-8").replace('arm = "arm"\n', ""),
                       encoding="utf-8")
    return data, mapping


def test_one_arm_runs_on_all_and_between_arms_is_explained(tmp_path):
    from alliance_analysis.analyze import run_analysis
    from alliance_analysis.analyze.methods_text import methods_paragraph
    from alliance_analysis.errors import InputError

    data, mapping = _one_arm(tmp_path)
    run = run_analysis(data, mapping, plan={"bootstrap": {"resamples": 200}})
    assert run.plan.arm_levels == () and not run.plan.by_arm
    assert {a.arm for a in run.correlations} == {"all"}
    reasons = dict(run.empty)
    assert "fewer than two arms" in reasons["between_arms"]
    text = methods_paragraph(run, versions={})
    assert "pooled" not in text and "The analysis between arms yielded no result" in text
    with pytest.raises(InputError, match="needs two or more arms"):
        run_analysis(data, mapping, plan={"analyses": {"run": ["between_arms"]}})


def test_figures_carry_the_whole_notice(real):
    from alliance_analysis.analyze import run_analysis
    from alliance_analysis.analyze.outputs import build_figures

    run = run_analysis(SCORES, MAPPING, plan={"analyses": {"run": ["correlations"]}})
    figs = build_figures(run)
    assert len(figs) == 12  # ta with the last follow-up of 6 outcomes, in each of 2 arms
    for _, fig, _caption in figs:
        texts = [" ".join(t.get_text().split()) for t in fig.texts]
        assert run.notice in texts
    import matplotlib.pyplot as plt

    plt.close("all")
