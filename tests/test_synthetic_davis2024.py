"""The committed synthetic Davis/Levin 2024 dataset (data/synthetic/davis2024/).

Every statistic is recomputed HERE from the item columns (hand-summed totals, scipy.stats), not
through the generator's search code; expected values are the printed strings of the claims
registries (levin2024, davis2021, gukasyan2022) that the manifest names.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.claims import load_registries, p_holds
from alliance_analysis.instruments import get_instrument
from alliance_analysis.rounding import rounds_to

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "synthetic" / "davis2024"
CSV = DATA / "davis2024_synthetic_wide.csv"
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
CLAIMS = [c for reg in load_registries(MANIFEST["registries"]) for c in reg.claims]

# this test's own column layout (prefix, instrument, items) — independent of the generator
ITEM_BLOCKS = {"wai": ("wai_sr", 12), "meq": ("meq30", 30), "hamd": ("grid_hamd_17", 17)}
TIMEPOINTS = {"wai": ["prep", "post"], "meq": ["s1", "s2"], "hamd": ["base", "wk1", "wk4", "m3", "m6", "m12"]}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(CSV)


def _block(frame, prefix, tp):
    k = ITEM_BLOCKS[prefix][1]
    return frame[[f"{prefix}_{tp}_{i}" for i in range(1, k + 1)]].to_numpy(dtype=float)


@pytest.fixture(scope="module")
def scores(frame) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for tp in TIMEPOINTS["wai"]:
        out[f"wai_sr.total.{tp}"] = _block(frame, "wai", tp).sum(axis=1)  # NaN if any item missing
    for tp in TIMEPOINTS["hamd"]:
        out[f"grid_hamd_17.total.{tp}"] = _block(frame, "hamd", tp).sum(axis=1)
    meq = [_block(frame, "meq", tp).mean(axis=1) for tp in TIMEPOINTS["meq"]]  # MEQ30 total = item mean
    out["meq30.total.peak"] = np.fmax(*meq)
    out["piq.total.peak"] = np.fmax(frame["piq_s1_total"].to_numpy(float), frame["piq_s2_total"].to_numpy(float))
    return out


def test_csv_layout_and_notice():
    header = CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    expected = ["participant_id", "arm"]
    expected += [f"wai_{tp}_{i}" for tp in ("prep", "post") for i in range(1, 13)]
    expected += [f"meq_{tp}_{i}" for tp in ("s1", "s2") for i in range(1, 31)]
    expected += ["piq_s1_total", "piq_s2_total"]
    expected += [f"hamd_{tp}_{i}" for tp in TIMEPOINTS["hamd"] for i in range(1, 18)]
    assert header == expected
    assert "synthetic" in CSV.name
    readme = (DATA / "README.md").read_text(encoding="utf-8").splitlines()
    assert "SYNTHETIC DATA" in readme[0] and "not the trial's participants" in readme[0]
    assert "NOT the trial's participants" in MANIFEST["notice"]
    assert "." not in "".join(CSV.read_text(encoding="utf-8").splitlines()[1:])  # integers only


def test_items_are_integers_within_each_items_range(frame):
    for prefix, (instrument, k) in ITEM_BLOCKS.items():
        inst = get_instrument(instrument)
        lo, hi = np.array(inst.item_min), np.array(inst.item_max)
        assert inst.n_items == k
        for tp in TIMEPOINTS[prefix]:
            x = _block(frame, prefix, tp)
            rows = ~np.isnan(x).all(axis=1)
            assert not np.isnan(x[rows]).any(), f"{prefix}_{tp}: partially missing items"
            assert np.array_equal(x[rows], np.rint(x[rows]))
            assert (x[rows] >= lo).all() and (x[rows] <= hi).all(), f"{prefix}_{tp} out of range"
    for col in ("piq_s1_total", "piq_s2_total"):
        x = frame[col].dropna().to_numpy(float)
        assert np.array_equal(x, np.rint(x)) and x.min() >= 0 and x.max() <= 100


def test_missingness_gives_the_inferred_n(frame, scores):
    has = {k: ~np.isnan(v) for k, v in scores.items()}
    prep, post = has["wai_sr.total.prep"], has["wai_sr.total.post"]
    meq, piq = has["meq30.total.peak"], has["piq.total.peak"]
    assert len(frame) == 24
    assert (frame["arm"] == "immediate").sum() == 13 and (frame["arm"] == "delayed").sum() == 11
    assert prep.sum() == 20 and post.sum() == 24
    assert piq.sum() == 16 and (piq <= prep).all()          # PIQ within the prep-alliance 20
    assert meq.sum() == 23 and not (~meq & prep).any()      # the MEQ-missing one lacks prep too
    assert (meq & has["grid_hamd_17.total.wk4"]).sum() == 23
    assert (meq & prep).sum() == 20 and (piq & prep).sum() == 16 and (prep & post).sum() == 20
    for tp in TIMEPOINTS["hamd"]:
        assert has[f"grid_hamd_17.total.{tp}"].all()
    # both MEQ sessions missing together, both PIQ sessions missing together
    s1, s2 = _block(frame, "meq", "s1"), _block(frame, "meq", "s2")
    assert np.array_equal(np.isnan(s1).all(axis=1), np.isnan(s2).all(axis=1))
    assert frame["piq_s1_total"].isna().equals(frame["piq_s2_total"].isna())


def _pair(x, y):
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_every_printed_value_is_reproduced_from_the_items(claim, frame, scores):
    from scipy.stats import pearsonr, ttest_rel

    if claim.analysis == "count":
        rows = frame if claim.group is None else frame[frame["arm"] == claim.group]
        assert len(rows) == int(claim.printed)
    elif claim.analysis == "correlation":
        x, y = _pair(scores[claim.x], scores[claim.y])
        r, p = pearsonr(x, y)
        assert len(x) == claim.n
        assert rounds_to(r, claim.printed), (r, claim.printed)
        assert p_holds(p, claim.p_comparator, claim.p_printed), (p, claim.p_printed)
    elif claim.analysis == "significance":
        results = [pearsonr(*_pair(scores[claim.x], scores[y])) for y in claim.y]
        if claim.expected == "significant":
            want_neg = claim.direction == "negative"
            assert any(p_holds(p, claim.p_comparator, claim.printed) and (r < 0) == want_neg
                       for r, p in results)
        else:
            assert all(p_holds(p, claim.p_comparator, claim.printed) for _, p in results)
    elif claim.analysis == "paired_change":
        pre, post = _pair(scores[claim.pre], scores[claim.post])
        assert len(pre) == claim.n
        diff = (post - pre).mean()
        assert diff > 0 if claim.direction == "increase" else diff < 0
        if claim.statistic == "p":
            assert p_holds(ttest_rel(post, pre).pvalue, claim.comparator, claim.printed)
        else:
            assert claim.formula == "d_av"
            d_av = abs(diff) / math.sqrt((pre.var(ddof=1) + post.var(ddof=1)) / 2)
            assert rounds_to(d_av, claim.printed), d_av
    elif claim.analysis == "descriptive":
        x = scores[claim.variable]
        if claim.group is not None:
            x = x[(frame["arm"] == claim.group).to_numpy()]
        value = x.mean() if claim.statistic == "M" else x.std(ddof=1)
        assert rounds_to(value, claim.printed), value
    elif claim.analysis == "proportion":
        base, follow = _pair(scores[claim.baseline], scores[claim.followup])
        hit = follow <= base / 2
        if claim.definition == "remission":
            hit &= follow <= 7
        assert rounds_to(100 * hit.sum() / len(base), claim.printed)
    else:  # pragma: no cover - new analysis kinds need a check here
        pytest.fail(f"no independent check for analysis '{claim.analysis}'")


def test_manifest_lists_every_claim_with_interval_and_achieved_value():
    printed = [t for t in MANIFEST["targets"] if not t["registry"].startswith("design")]
    ids = {t["id"] for t in printed} | {c["id"] for c in MANIFEST["checks"]}
    assert ids == {c.id for c in CLAIMS}
    assert MANIFEST["all_satisfied"]
    for t in MANIFEST["targets"]:  # a target holds when any of its alternatives does
        inside = [a["interval"][0] <= a["achieved"] <= a["interval"][1] for a in t["alternatives"]]
        assert any(inside), t["id"]
        assert inside == [a["in_interval"] for a in t["alternatives"]]
        assert t["satisfied"]
    assert MANIFEST["seed"] == 20240314
    assert MANIFEST["assumptions"] and MANIFEST["construction_correlations"]
    assert all(c["source"] for c in MANIFEST["construction_correlations"])


def test_regeneration_is_byte_identical(tmp_path):
    from alliance_analysis.synthetic import generate, load_design, spec_for, write_dataset

    spec = spec_for("davis2024")
    ds = generate(spec, seed=MANIFEST["seed"])
    write_dataset(ds, tmp_path, mapping_name=load_design("davis2024").get("mapping_name"))
    for name in ("davis2024_synthetic_wide.csv", "davis2024_mapping.toml", "manifest.json", "README.md"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_mapping_is_accepted_by_the_loader():
    mapping = pytest.importorskip("alliance_analysis.io.mapping")
    m = mapping.parse_mapping(DATA / "davis2024_mapping.toml")
    assert m.kind == "wide"
    ours = {"wai": "wai_sr", "meq": "meq30", "piq": "piq", "hamd": "grid_hamd_17"}
    assert {k: m.instruments.get(k) for k in ours} == ours
    assert {(p.instrument, p.sources, p.name) for p in m.peaks} == {
        ("meq30", ("s1", "s2"), "peak"), ("piq", ("s1", "s2"), "peak")}


def test_loader_gives_the_canonical_columns(scores):
    io = pytest.importorskip("alliance_analysis.io")
    load_table = getattr(io, "load_table", None)
    if load_table is None:
        load_table = getattr(pytest.importorskip("alliance_analysis.io.core"), "load_table", None)
    if load_table is None:
        pytest.skip("alliance_analysis.io.load_table not available yet")
    wide = load_table(CSV, DATA / "davis2024_mapping.toml").wide
    for name, values in scores.items():  # MEQ30 total = item mean (registry A-meq)
        assert np.allclose(wide[name].to_numpy(float), values, equal_nan=True), name
