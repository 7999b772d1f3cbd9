"""Every result class of the package: tidy to_frame, summary, escaped _repr_html_, apa.

The tidy shape is written down once, in :mod:`alliance_analysis.results` (and docs/methods.md):
one row per estimate, the index = the ``term`` column (labels, not 0..n), the columns
``TIDY_COLUMNS`` first and in that order, the same columns whatever the options.
"""

from __future__ import annotations

import dataclasses
import functools
import html.parser
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_analysis
from alliance_analysis import audit, meta, power, stats
from alliance_analysis.claims.secondary import load_secondary
from alliance_analysis.results import TIDY_COLUMNS, Result
from alliance_analysis.stats.reliability import reliability

ROOT = Path(__file__).resolve().parents[2]

RNG = np.random.default_rng(3)
N = 30
FRAME = pd.DataFrame({"x": RNG.standard_normal(N), "m": RNG.standard_normal(N),
                      "pre": RNG.normal(10, 2, N)})
FRAME["y"] = 0.4 * FRAME["m"] + 0.3 * FRAME["x"] + RNG.standard_normal(N)
FRAME["post"] = FRAME["pre"] + RNG.normal(1, 1.5, N)
FRAME["<b>bad&name</b>"] = RNG.standard_normal(N)
GROUP = np.repeat(["a", "b"], N // 2)


def _mixed():
    long = pd.DataFrame({"id": np.repeat(np.arange(12), 3), "tp": np.tile(["t0", "t1", "t2"], 12)})
    long["score"] = (np.repeat(RNG.standard_normal(12), 3) + (long["tp"] != "t0") * 0.8
                     + RNG.standard_normal(36))
    return stats.mixed_model(long, "score ~ tp", groups="id")


@functools.cache
def _davis():
    from alliance_analysis.claims import load_registries
    from alliance_analysis.io import load_table
    from alliance_analysis.reproduce.spec import load_spec

    spec = load_spec("davis2024")
    claims = [c for reg in load_registries(spec.registries) for c in reg.claims]
    return claims, load_table(ROOT / spec.data, ROOT / spec.mapping).wide


def _claim(analysis: str, computable: bool = True):
    from alliance_analysis.claims.compute import compute_claim

    claims, wide = _davis()
    claim = next(c for c in claims if c.analysis == analysis)
    return compute_claim(claim, wide if computable else wide.iloc[:0])


def _secondary(hostile: bool = False):
    reg = load_secondary("journey_clinical_2023")
    if hostile:  # fewer claims, a title and a sentence that would open an element
        first = dataclasses.replace(reg.claims[0], sentence="<b>bold</b> & more")
        reg = dataclasses.replace(reg, title="<b>t</b>", claims=(first, reg.claims[1]))
    return reg


AUDIT_TEXT = ("t(28) = 2.20, p = .036, 95% CI [0.05, 0.77]; r(40) = .30, p = .05; "
              "r = -.47, p = .036; F(1, 20) = 5.1, p = .03; t(28) = 2.20, p = .036; "
              "d = .43, p = .03; r(30) = 1.20, p = .01")
META_R = dict(r=[0.30, 0.12, 0.45, 0.25, 0.51], n=[40, 25, 60, 18, 90])

# every result class, built twice with different options (columns must not change)
CASES = {
    "PairedTTestResult": [lambda: stats.paired_ttest(FRAME["pre"], FRAME["post"]),
                          lambda: stats.paired_ttest("pre", "post", data=FRAME,
                                                     alternative="greater", confidence=0.9)],
    "PairedTTestBatch": [lambda: stats.paired_ttest(FRAME[["pre", "x"]], FRAME[["post", "y"]]),
                         lambda: stats.paired_ttest(np.ones((5, 3)) + RNG.random((5, 3)),
                                                    RNG.random((5, 3)), confidence=0.8)],
    "TwoSampleResult": [lambda: stats.welch_ttest(FRAME["x"][:15], FRAME["x"][15:]),
                        lambda: stats.welch_ttest(data=FRAME.assign(g=GROUP), dv="y",
                                                  between="g", alternative="less")],
    "CorrelationResult": [lambda: stats.correlate(FRAME["x"], FRAME["y"]),
                          lambda: stats.correlate("x", "y", data=FRAME, method="spearman",
                                                  n_boot=200, seed=1)],
    "CorrelationResult(partial)": [lambda: stats.partial_correlate(FRAME, "x", "y", ["m"])],
    "CorrelationMatrixResult": [
        lambda: stats.correlation_matrix(FRAME, ["x", "y", "<b>bad&name</b>"]),
        lambda: stats.correlation_matrix(FRAME, ["x", "y", "m"], padjust="holm",
                                         method="spearman")],
    "RegressionResult": [lambda: stats.regress(FRAME, "y", ["x", "m"], n_boot=200),
                         lambda: stats.regress(FRAME, "y", "x", confidence=0.9, n_boot=0)],
    "HierarchicalRegressionResult": [
        lambda: stats.hierarchical_regress(FRAME, "y", [["x"], ["m"]], n_boot=100)],
    "MediationResult": [lambda: stats.mediate(FRAME, "x", "m", "y", n_boot=200),
                        lambda: stats.mediate(FRAME, "x", "m", "y", n_boot=200, ci="bca",
                                              confidence=0.9)],
    "MixedModelResult": [_mixed],
    "ReliabilityResult": [lambda: reliability(FRAME[["x", "m", "y", "<b>bad&name</b>"]]),
                          lambda: reliability(FRAME[["x", "m", "y", "pre"]], n_boot=100,
                                                    seed=1, confidence=0.9)],
    "CorrelationPower": [lambda: power.power_r(0.5, 20),
                         lambda: power.power_r(0.3, 40, method="fisher_z")],
    "PairedPower": [lambda: power.power_dz(0.5, 20)],
    "MinimumDetectableEffect": [lambda: power.mde_r(20), lambda: power.mde_dz(20)],
    "SampleSize": [lambda: power.sample_size_r(0.5), lambda: power.sample_size_dz(0.5)],
    "SimulatedPower": [lambda: power.simulate_correlation_power(20, 0.4, k=2, n_sims=300,
                                                                seed=0),
                       lambda: power.simulate_correlation_power(20, 0.4, k=3, n_sims=300,
                                                                correction="holm", seed=0)],
    "ClaimResult": [lambda: _claim("correlation"), lambda: _claim("paired_change"),
                    lambda: _claim("correlation", computable=False)],
    "SecondaryRegistry": [_secondary, lambda: _secondary(hostile=True)],
    "MetaResult": [lambda: meta.meta_analysis(**META_R),
                   lambda: meta.meta_analysis(yi=[0.1, 0.4, 0.3], vi=[0.01, 0.02, 0.03],
                                              method="FE", effect="<b>d</b>"),
                   lambda: meta.meta_analysis(**META_R, method="PM", knapp_hartung=True),
                   lambda: meta.meta_analysis(**META_R, study=["A", "A", "B", "C", "C"])],
    "EggerResult": [lambda: meta.meta_analysis(**META_R).egger(),
                    lambda: meta.meta_analysis(**META_R).egger(model="lm")],
    "RNSearch": [lambda: audit.consistent_n_for_r("-.47", ".036"),
                 lambda: audit.consistent_n_for_r("-.75", "< .001", n_max=500, alpha=0.01)],
    "DFormulaConsistency": [lambda: audit.d_formula_consistency(".43", ".03", n_max=24),
                            lambda: audit.d_formula_consistency(".43", "ns", n=20,
                                                                sd_ratio=1.5)],
    "CheckedResult": [lambda: audit.check_result("t(28) = 2.20, p = .036, 95% CI [0.05, 0.77]"),
                      lambda: audit.check_result("r = -.47, p = .036"),
                      lambda: audit.check_result("d = .43, p = .03", n=20, one_tailed=True)],
    "SkippedResult": [lambda: audit.check_text(AUDIT_TEXT).skipped[0],
                      lambda: audit.SkippedResult("<b>t(x)</b>", 3, "a <b> reason")],
    "AuditReport": [lambda: audit.check_text(AUDIT_TEXT),
                    lambda: audit.check_text(AUDIT_TEXT, one_tailed=True, n=30, alpha=0.01),
                    lambda: audit.check_text("<b>t(10) = 2.2, p = .05</b>")],
    "ScaleReliabilityResult": [
        lambda: _scale_reliability(),
        lambda: _scale_reliability(confidence=0.9, missing="pairwise", omega=False)],
}


def _scale_reliability(**options):
    from alliance_analysis.io import load_table
    from alliance_analysis.scale_reliability import scale_reliability

    ex = Path(__file__).resolve().parents[2] / "data" / "examples"
    return scale_reliability(load_table(ex / "synthetic_example_wide.csv",
                                        ex / "synthetic_example_wide_mapping.toml"), **options)


#: result classes that keep an earlier frame (none: every class has the tidy shape)
NOT_YET_TIDY: set[str] = set()


def _public_result_classes() -> set[str]:
    names = set()
    for mod in (stats, power, meta, audit):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, type) and issubclass(obj, Result):
                names.add(name)
    return names


def _every_result_class() -> set[str]:
    """Every Result subclass defined anywhere in the package (all modules imported)."""
    for mod in pkgutil.walk_packages(alliance_analysis.__path__, "alliance_analysis."):
        if not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {c.__name__ for c in subclasses(Result) if c.__module__.startswith("alliance_analysis.")}


def test_every_public_result_class_is_covered():
    covered = {k.split("(")[0] for k in CASES}
    assert _public_result_classes() <= covered, _public_result_classes() - covered
    assert _every_result_class() - covered == NOT_YET_TIDY


class _Checker(html.parser.HTMLParser):
    ALLOWED = {"div", "strong", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "p", "br"}

    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        assert not attrs, (tag, attrs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_conventions(name):
    results = [make() for make in CASES[name]]
    columns = None
    for res in results:
        assert isinstance(res, Result)
        assert dataclasses.is_dataclass(res)
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
        assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
        assert list(frame.index) == [str(t) for t in frame["term"]] or name in (
            "PairedTTestBatch", "ReliabilityResult", "ScaleReliabilityResult")
        assert frame.index.is_unique
        assert not isinstance(frame.index, pd.RangeIndex)
        for col in ("estimate", "se", "ci_low", "ci_high", "confidence", "statistic", "df", "p"):
            assert pd.api.types.is_float_dtype(frame[col]), (col, frame[col].dtype)
        ok = frame["ci_low"].notna() & frame["ci_high"].notna()
        assert (frame.loc[ok, "ci_low"] <= frame.loc[ok, "ci_high"]).all()
        if columns is None:
            columns = list(frame.columns)
        assert list(frame.columns) == columns  # stable across options
        text = res.summary()
        assert isinstance(text, str) and len(text.splitlines()) >= 2
        apa = res.apa()
        assert isinstance(apa, str) and apa
        page = res._repr_html_()
        checker = _Checker()
        checker.feed(page)
        assert checker.tags <= _Checker.ALLOWED
        assert "<b>" not in page  # a hostile column name is escaped
        assert not any(name == f.name for f in dataclasses.fields(res)
                       for name in ("apa", "summary", "to_frame", "to_dict"))  # no shadowing


def test_paired_result_exposes_every_ci():
    res = stats.paired_ttest(FRAME["pre"], FRAME["post"])
    frame = res.to_frame()
    for name in ("d_z", "d_rm", "d_av", "d_av_lakens", "d_b", "g_z", "g_rm", "g_av",
                 "g_av_lakens", "g_b"):
        lo, hi = getattr(res, f"{name}_ci")
        assert lo < getattr(res, name) < hi
        assert (frame.loc[name, "ci_low"], frame.loc[name, "ci_high"]) == (lo, hi)
    assert frame.loc["d_z", "method"] == "noncentral t"
    assert frame.loc["d_av", "method"] == "Algina-Keselman"
    two = stats.welch_ttest(FRAME["x"][:15], FRAME["x"][15:])
    assert two.d_s_ci[0] < two.d_s < two.d_s_ci[1]
    assert two.g_s_ci[0] < two.g_s < two.g_s_ci[1]


def test_html_view_of_a_large_batch_is_bounded():
    rng = np.random.default_rng(0)
    batch = stats.paired_ttest(rng.normal(size=(10, 500)), rng.normal(size=(10, 500)))
    page = batch._repr_html_()
    assert page.count("<tr>") == 1 + 200 + 1  # header, HTML_MAX_ROWS rows, the "more" line
    assert "5,300 more rows" in page


def test_audit_report_tidy_rows():
    report = audit.check_text(AUDIT_TEXT)
    frame = report.to_frame()
    first = frame.iloc[0]
    assert first["term"] == "t(28) = 2.20, p = .036, 95% CI [0.05, 0.77] @0"
    assert (first["estimate"], first["statistic"], first["df"]) == (2.20, 2.20, 28.0)
    assert (first["ci_low"], first["ci_high"], first["confidence"]) == (0.05, 0.77, 0.95)
    assert (first["ci_low_text"], first["statistic_text"]) == ("0.05", "2.20")
    # the same printed result twice: two rows, told apart by their offset in the text
    twice = audit.check_text("t(28) = 2.20, p = .036. Again t(28) = 2.20, p = .036.").to_frame()
    assert list(twice.index) == ["t(28) = 2.20, p = .036 @0", "t(28) = 2.20, p = .036 @30"]
    # r and d are effect sizes: no printed test statistic
    assert frame.loc[frame["test_type"].isin(["r", "d"]), "statistic"].isna().all()
    assert frame["p"].tolist()[0] == report.results[0].computed_p
    # one CheckedResult's frame is its row of the report's frame
    row = report.results[3].to_frame()
    assert list(row.columns) == list(frame.columns) and row.index[0] == frame.index[3]
    text = repr(report)
    assert "t(28) = 2.20, p = .036" in text and "n_results=6" in text and "impossible" in text
    from alliance_analysis.audit.check import check_many

    empty = check_many(["no result in this text"])[0].to_frame()
    assert len(empty) == 0 and list(empty.columns) == list(frame.columns)
    assert pd.api.types.is_float_dtype(empty["estimate"])


def test_claim_result_keeps_its_serialised_keys():
    res = _claim("correlation")
    d = res.to_dict()
    assert "apa" in d and "apa_text" not in d and d["apa"] == res.apa() == res.apa_text
    assert list(d)[-1] == "apa"  # same key order as before (CSV column order)
    frame = res.to_frame()
    assert frame.index[0] == res.claim_id and frame.loc[res.claim_id, "quantity"] == res.statistic
    assert frame.loc[res.claim_id, "estimate"] == res.reproduced
