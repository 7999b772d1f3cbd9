"""APA tables: printed strings, Markdown / HTML / CSV renderings, NaN handling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.report.tables import (
    D_VARIANTS,
    MISSING,
    ApaTable,
    claims_table,
    correlation_table,
    descriptives_table,
    paired_change_table,
)
from alliance_analysis.rounding import format_fixed

XSS = "<script>alert(1)</script>"


@pytest.fixture()
def corr_long() -> pd.DataFrame:
    return pd.DataFrame({
        "x": ["wai_prep", "wai_prep", "meq_peak"],
        "y": ["bdi_4w", "bdi_12m", "bdi_4w"],
        "n": [20, 20, 23],
        "r": [-0.6523, -0.54, 0.0449],
        "p": [0.00184, 0.0140, 0.00049],
        "ci_lower": [-0.848, -0.795, -0.37],
        "ci_upper": [-0.297, -0.129, 0.445],
        "p_adj": [0.0037, 0.028, 0.9996],
    })


def test_correlation_rows_are_apa(corr_long):
    t = correlation_table(corr_long, {"wai_prep": "Alliance (prep)", "bdi_4w": "BDI-II, 4 weeks"})
    assert t.columns == ("Variable 1", "Variable 2", "n", "r", "95% CI", "p", "p (adjusted)")
    first = t.rows[0]
    assert first == ("Alliance (prep)", "BDI-II, 4 weeks", "20", "-.65", "[-.85, -.30]", ".002", ".004")
    # unknown names are printed as they are; no leading zero on r; "< .001"; "> .999"
    third = t.rows[2]
    assert third[0] == "meq_peak"
    assert third[3] == ".04"
    assert third[4] == "[-.37, .45]"
    assert third[5] == "< .001"
    assert third[6] == "> .999"
    for row in t.rows:
        assert not row[3].startswith(("0.", "-0."))
        assert "0." not in row[5]


def test_correlation_without_p_adj_and_nan(corr_long):
    df = corr_long.drop(columns="p_adj")
    df.loc[1, ["r", "p", "ci_lower", "ci_upper"]] = np.nan
    t = correlation_table(df)
    assert "p (adjusted)" not in t.columns
    assert t.rows[1][3:6] == (MISSING, MISSING, MISSING)


def test_correlation_requires_columns(corr_long):
    with pytest.raises(KeyError):
        correlation_table(corr_long.drop(columns="ci_lower"))


def test_descriptives_values_match_numpy():
    rng = np.random.default_rng(3)
    a = rng.normal(5, 1, 30)
    a[[2, 7]] = np.nan
    arm = np.array(["immediate"] * 15 + ["delayed"] * 15)
    wide = pd.DataFrame({"wai": a, "arm": arm})
    t = descriptives_table(wide, {"wai": "Alliance"})
    finite = a[np.isfinite(a)]
    assert t.rows[0][1] == "28"
    assert t.data.loc[0, "mean"] == pytest.approx(finite.mean())
    assert t.data.loc[0, "sd"] == pytest.approx(finite.std(ddof=1))
    g = descriptives_table(wide, {"wai": "Alliance"}, by="arm")
    assert [r[1] for r in g.rows] == ["delayed", "immediate"]  # sorted groups
    assert g.columns == ("Variable", "arm", "n", "M", "SD", "Min", "Max")
    delayed = a[15:][np.isfinite(a[15:])]
    assert g.rows[0][2] == str(delayed.size)
    assert g.rows[0][3] == format_fixed(delayed.mean(), 2)
    assert g.rows[0][4] == format_fixed(delayed.std(ddof=1), 2)


def test_descriptives_single_value_has_missing_sd():
    t = descriptives_table(pd.DataFrame({"x": [2.0, np.nan]}), {"x": "X"})
    assert t.rows[0] == ("X", "1", "2.00", MISSING, "2.00", "2.00")
    assert math.isnan(t.data.loc[0, "sd"])


def test_paired_change_rows_name_each_variant():
    values = dict(n=20, mean_pre=5.1, sd_pre=0.8, mean_post=5.5, sd_post=0.7, r_prepost=0.62,
                  t=2.31, df=19, p=0.0318, d_z=0.5165, d_z_ci=(0.049, 0.972))
    values.update({k: 0.4 + i / 100 for i, k in enumerate(D_VARIANTS) if k != "d_z"})
    t = paired_change_table(values)
    assert [r[0] for r in t.rows] == list(D_VARIANTS)
    assert t.rows[0][1:3] == ("0.52", "[0.05, 0.97]")
    assert all(r[2] == MISSING for r in t.rows[1:])
    by_name = {r[0]: r for r in t.rows}
    assert "Cumming" in by_name["d_av"][4]
    assert "Becker" in by_name["d_b"][4]
    assert "Lakens" in by_name["d_rm"][4] and "√(2(1 − r))" in by_name["d_rm"][3]
    assert "t(19) = 2.31, p = .032" in t.note
    assert "r = .62" in t.note
    assert "n = 20" in t.note


def test_paired_change_needs_an_effect_size():
    with pytest.raises(ValueError):
        paired_change_table({"n": 10})


def _claims() -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": ["L3", "L1", "L0a", "L9"],
        "description": [XSS, "alliance change", "N", "insight x BDI"],
        "statistic": ["r", "p", "N", "r"],
        "published": ["r = -.65, p = .002", "p = .03", "N = 24", "r = -.75, p < .001"],
        "reproduced": [-0.65231, 0.0004, 24.0, np.nan],
        "n": [20, 20, 24, None],
        "df": [18.0, 19.0, None, None],
        "status": ["reproduced", "mismatch", "reproduced", "not computable"],
    })


def test_claims_table_formats_and_classes():
    t = claims_table(_claims())
    assert t.rows[0][4] == "-.652"
    assert t.rows[1][4] == "< .001"
    assert t.rows[2][4] == "24"
    assert t.rows[3][4:7] == (MISSING, MISSING, MISSING)
    assert t.rows[0][6] == "18"
    assert t.row_classes == ("status-ok", "status-mismatch", "status-ok", "status-na")


def test_markdown_rendering_and_pipe_escape():
    t = ApaTable(title="T", note="a note", columns=("A", "B"), rows=(("x|y", ".50"),),
                 data=pd.DataFrame({"a": [1.0]}))
    md = t.to_markdown()
    assert md.splitlines()[0] == "**T**"
    assert "| A | B |" in md
    assert "|---|---|" in md
    assert "| x\\|y | .50 |" in md
    assert md.rstrip().endswith("*Note.* a note")


def test_html_escapes_everything():
    t = claims_table(_claims())
    html = t.to_html()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<tr class="status-mismatch">' in html
    t2 = ApaTable(title=XSS, note=XSS, columns=(XSS,), rows=((XSS,),), data=pd.DataFrame())
    assert "<script>" not in t2.to_html()


def test_row_width_is_checked():
    with pytest.raises(ValueError):
        ApaTable(title="T", note="", columns=("A", "B"), rows=(("only one",),), data=pd.DataFrame())


def test_csv_is_numeric_and_deterministic(tmp_path, corr_long):
    t = correlation_table(corr_long)
    p1 = t.to_csv(tmp_path / "a.csv", comment="SYNTHETIC DATA: test")
    p2 = correlation_table(corr_long.copy()).to_csv(tmp_path / "b.csv", comment="SYNTHETIC DATA: test")
    assert p1.read_bytes() == p2.read_bytes()
    text = p1.read_text(encoding="utf-8")
    assert text.startswith("# SYNTHETIC DATA: test\nx,y,n,r,p,ci_lower,ci_upper,p_adj\n")
    assert "\r" not in text
    back = pd.read_csv(p1, comment="#")
    assert back["r"].tolist() == pytest.approx(corr_long["r"].tolist(), abs=1e-12)
    assert "-0.6523" in text  # full precision, not the printed "-.65"


def test_paired_change_accepts_stats_result():
    from alliance_analysis.stats.paired import paired_ttest

    rng = np.random.default_rng(8)
    pre = rng.normal(5, 1, 20)
    post = pre + rng.normal(0.4, 0.8, 20)
    res = paired_ttest(pre, post)
    t = paired_change_table(res.to_dict())
    assert [r[0] for r in t.rows] == list(D_VARIANTS)
    assert t.rows[0][2] == f"[{format_fixed(res.d_z_ci[0], 2)}, {format_fixed(res.d_z_ci[1], 2)}]"
    assert t.data.loc[t.data.effect_size == "d_av", "value"].item() == pytest.approx(res.d_av)


def test_correlation_table_shows_adjusted_p_only_when_adjusted():
    """An uncorrected matrix gets no "p (adjusted)" column repeating the raw p (issue: the
    column was the raw p in every row under a note saying p values were corrected)."""
    from alliance_analysis.stats import correlation_matrix

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(size=(30, 4)), columns=list("abcd"))
    plain = correlation_table(correlation_matrix(frame, columns=list("abcd")).long)
    assert "p (adjusted)" not in plain.columns and "not corrected" in plain.note
    holm = correlation_table(correlation_matrix(frame, columns=list("abcd"), padjust="holm").long)
    assert holm.columns[-1] == "p (adjusted)" and "Holm over the 6 correlations" in holm.note
    raw = np.sort(holm.data["p"].to_numpy())
    expected = np.maximum.accumulate(np.minimum(1, raw * np.arange(6, 0, -1)))  # Holm by hand
    np.testing.assert_allclose(np.sort(holm.data["p_adj"].to_numpy()), expected, rtol=1e-12)
