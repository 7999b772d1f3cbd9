"""alliance_analysis.io: scoring, audit, layouts, round-trips and file formats.

Expected scores are hand-computed (the arithmetic is in the comments); keys from
the project's instrument notes (WAI-SR task 1,2,10,12; bond 3,5,7,9; goal 4,6,8,11).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.io import (
    TIDY_COLUMNS,
    from_wide,
    load_frame,
    load_table,
    to_wide,
    write_tidy,
    write_wide,
)

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"

WAI_P1 = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]


def wai_frame() -> pd.DataFrame:
    """Two participants, WAI-SR at prep (items) and a precomputed GRID-HAMD total at wk4."""
    data = {"participant_id": ["P1", "P2"], "arm": ["a", "b"]}
    for i in range(1, 13):
        data[f"wai_prep_{i}"] = [str(WAI_P1[i - 1]), "-99" if i == 12 else "4"]
    data["hamd_wk4"] = ["10", ""]
    return pd.DataFrame(data)


MAPPING = {"missing": {"codes": [-99, ""]}}


def score(result, pid, inst, scale, tp) -> float:
    t = result.tidy
    sel = ((t.participant_id == pid) & (t.instrument == inst) & (t.scale == scale)
           & (t.timepoint == tp))
    assert sel.sum() == 1
    return float(t.loc[sel, "score"].iloc[0])


# ---------------------------------------------------------------------------- scoring
def test_wai_sr_scores_hand_computed():
    r = load_frame(wai_frame(), MAPPING)
    # P1 items 1,2,3,4,5,1,2,3,4,5,1,2: total = 2*(1+2+3+4+5) + 1 + 2 = 33
    assert score(r, "P1", "wai_sr", "total", "prep") == 33
    # task = items 1,2,10,12 = 1 + 2 + 5 + 2 = 10
    assert score(r, "P1", "wai_sr", "task", "prep") == 10
    # bond = items 3,5,7,9 = 3 + 5 + 2 + 4 = 14
    assert score(r, "P1", "wai_sr", "bond", "prep") == 14
    # goal = items 4,6,8,11 = 4 + 1 + 3 + 1 = 9
    assert score(r, "P1", "wai_sr", "goal", "prep") == 9
    # P2: eleven 4s, item 12 = -99 (missing): total prorated = 44 * 12 / 11 = 48
    assert score(r, "P2", "wai_sr", "total", "prep") == pytest.approx(48)
    # task contains item 12 and allows no missing item -> NaN
    assert np.isnan(score(r, "P2", "wai_sr", "task", "prep"))
    # total_mean = 44 / 11 = 4
    assert score(r, "P2", "wai_sr", "total_mean", "prep") == pytest.approx(4)
    # precomputed GRID-HAMD total passed through; empty cell -> NaN
    assert score(r, "P1", "grid_hamd_17", "total", "wk4") == 10
    assert np.isnan(score(r, "P2", "grid_hamd_17", "total", "wk4"))


def test_tidy_and_wide_shape():
    r = load_frame(wai_frame(), MAPPING)
    assert tuple(r.tidy.columns) == TIDY_COLUMNS
    # 2 participants x (5 WAI-SR scales + 1 HAMD total) = 12 rows
    assert len(r.tidy) == 12
    assert r.wide.index.name == "participant_id"
    assert list(r.wide.index) == ["P1", "P2"]
    assert r.wide.columns[0] == "arm"
    assert r.wide.loc["P1", "wai_sr.total.prep"] == 33
    assert r.wide.loc["P1", "grid_hamd_17.total.wk4"] == 10
    p1 = r.tidy[(r.tidy.participant_id == "P2") & (r.tidy.scale == "total")
                & (r.tidy.instrument == "wai_sr")]
    assert int(p1.n_answered.iloc[0]) == 11 and int(p1.n_items.iloc[0]) == 12
    hamd = r.tidy[r.tidy.instrument == "grid_hamd_17"]
    assert hamd.n_answered.isna().all()
    assert r.items is not None and len(r.items) == 24


def test_missing_codes_and_empty_cells_are_audited():
    r = load_frame(wai_frame(), MAPPING, source_name="trial.csv")
    vm = r.audit.values_set_missing
    assert list(vm.columns) == ["row", "column", "value", "reason"]
    coded = vm[vm.reason == "missing code '-99'"]
    assert coded[["row", "column", "value"]].values.tolist() == [[3, "wai_prep_12", "-99"]]
    empty = vm[vm.reason == "empty cell"]
    assert empty[["row", "column"]].values.tolist() == [[3, "hamd_wk4"]]
    text = r.audit.summary()
    assert "missing code '-99': 1" in text and "empty cell: 1" in text
    assert "rows read: 2; rows kept: 2" in text


def test_blank_rows_excluded_and_audited():
    df = wai_frame()
    blank = pd.DataFrame([[""] * df.shape[1]], columns=df.columns)
    df = pd.concat([df.iloc[:1], blank, df.iloc[1:]], ignore_index=True)
    r = load_frame(df, MAPPING)
    assert r.audit.rows_read == 3 and r.audit.rows_kept == 2
    assert r.audit.rows_excluded.values.tolist() == [[3, "empty row (no value in any column)"]]
    # the row after the blank one keeps its spreadsheet number (row 4)
    assert r.audit.values_set_missing.row.max() == 4


def test_peaks_and_arms():
    df = pd.DataFrame({"Subject": ["x2", "x10", "x1"], "Group": ["1", "2", "1.0"],
                       "piq_s1_total": ["50", "", "70"], "piq_s2_total": ["60", "", "65"]})
    m = {"columns": {"participant_id": "Subject", "arm": "Group"},
         "arms": {"1": "immediate", "2": "delayed"},
         "ranges": {"piq.total": [0, 100]},  # PIQ range unknown to the package: declared
         "peaks": {"piq": {"from": ["s1", "s2"], "name": "peak"}}}
    r = load_frame(df, m)
    # natural participant order: x1, x2, x10
    assert list(r.wide.index) == ["x1", "x2", "x10"]
    assert r.wide["arm"].tolist() == ["immediate", "immediate", "delayed"]
    # peak = max(s1, s2): x1 max(70, 65) = 70; x2 max(50, 60) = 60; x10 both missing -> NaN
    peak = r.wide["piq.total.peak"]
    assert peak["x1"] == 70 and peak["x2"] == 60 and np.isnan(peak["x10"])


def test_covariates_in_wide():
    df = wai_frame().assign(Age=["31", "-99"])
    r = load_frame(df, {**MAPPING, "covariates": {"age": "Age"}})
    assert r.wide.loc["P1", "age"] == 31 and np.isnan(r.wide.loc["P2", "age"])
    assert ((r.audit.values_set_missing.column == "Age").sum()) == 1


def test_ignore_columns_audited():
    df = wai_frame().assign(Notes=["hello", ""])
    r = load_frame(df, {**MAPPING, "layout": {"ignore_columns": ["notes"]}})
    assert r.audit.columns_ignored.values.tolist() == [["Notes",
                                                        "listed in [layout] ignore_columns"]]


# ---------------------------------------------------------------------------- layouts, round-trips
def test_long_and_wide_examples_give_the_same_tidy_table():
    wide = load_table(EX / "synthetic_example_wide.csv", EX / "synthetic_example_wide_mapping.toml")
    long = load_table(EX / "synthetic_example_long.csv", EX / "synthetic_example_long_mapping.toml")
    pd.testing.assert_frame_equal(wide.tidy, long.tidy)
    pd.testing.assert_frame_equal(wide.wide, long.wide)
    assert long.audit.layout == "long" and wide.audit.layout == "wide"


def test_example_hand_computed_scores():
    r = load_table(EX / "synthetic_example_wide.csv", EX / "synthetic_example_wide_mapping.toml")
    # S01 WAI-SR prep items 2,5,2,4,3,3,2,5,2,2,5,3 -> total 38; task 1,2,10,12 = 2+5+2+3 = 12
    assert r.wide.loc["S01", "wai_sr.total.prep"] == 38
    assert r.wide.loc["S01", "wai_sr.task.prep"] == 12
    # S01 PIQ totals s1 = 29, s2 = 54 -> peak 54; S05 has only s1 (blank s2)
    assert r.wide.loc["S01", "piq.total.peak"] == 54
    assert r.wide.loc["S05", "piq.total.peak"] == r.wide.loc["S05", "piq.total.s1"]


def test_messy_xlsx_matches_clean_csv_except_coded_cells():
    clean = load_table(EX / "synthetic_example_wide.csv",
                       EX / "synthetic_example_wide_mapping.toml").wide
    messy_r = load_table(EX / "synthetic_example_messy.xlsx",
                         EX / "synthetic_example_messy_mapping.toml")
    messy = messy_r.wide
    assert list(messy.columns) == list(clean.columns)
    assert messy["arm"].tolist() == clean["arm"].tolist()
    diff = ~np.isclose(messy.iloc[:, 1:].to_numpy(float), clean.iloc[:, 1:].to_numpy(float),
                       equal_nan=True)
    changed = {(messy.index[i], messy.columns[1 + j]) for i, j in zip(*np.nonzero(diff),
                                                                       strict=True)}
    # only participants with a coded missing value differ (S01 WAI post, S03 HAMD wk4, S07 PIQ s1)
    assert {p for p, _ in changed} == {"S01", "S03", "S07"}
    assert messy_r.audit.rows_excluded.row.tolist() == [6]
    assert sorted(messy_r.audit.values_set_missing.reason.unique()) == [
        "empty cell", "missing code '-99'", "missing code '.'"]


def test_roundtrip_wide_canonical_wide():
    r = load_table(EX / "synthetic_example_wide.csv", EX / "synthetic_example_wide_mapping.toml")
    back = from_wide(r.wide, {"ranges": {"piq.total": [0, 100]}})  # PIQ range: declared
    pd.testing.assert_frame_equal(to_wide(back.tidy), r.wide)
    pd.testing.assert_frame_equal(back.wide, r.wide)


def test_roundtrip_through_written_files(tmp_path):
    r = load_table(EX / "synthetic_example_wide.csv", EX / "synthetic_example_wide_mapping.toml")
    path = write_wide(r.wide, tmp_path / "wide.csv")
    again = load_table(path, {"ranges": {"piq.total": [0, 100]}})  # PIQ range: declared
    pd.testing.assert_frame_equal(again.wide, r.wide, check_exact=False, rtol=1e-11)
    tidy_path = write_tidy(r.tidy, tmp_path / "tidy.csv")
    first = tidy_path.read_bytes()
    write_tidy(load_table(EX / "synthetic_example_wide.csv",
                          EX / "synthetic_example_wide_mapping.toml").tidy, tidy_path)
    assert tidy_path.read_bytes() == first  # byte-identical


def test_xlsx_roundtrip(tmp_path):
    df = wai_frame()
    path = tmp_path / "trial.xlsx"
    numeric = df.copy()
    for c in numeric.columns[2:]:
        numeric[c] = pd.to_numeric(numeric[c])
    numeric.to_excel(path, index=False)
    from_file = load_table(path, MAPPING)
    pd.testing.assert_frame_equal(from_file.tidy, load_frame(df, MAPPING).tidy)


def test_sav_roundtrip(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = wai_frame()
    numeric = df.copy()
    for c in numeric.columns[2:]:
        numeric[c] = pd.to_numeric(numeric[c]).astype(float)
    numeric["participant_id"] = numeric["participant_id"].astype(object)
    numeric["arm"] = numeric["arm"].astype(object)
    path = tmp_path / "trial.sav"
    pyreadstat.write_sav(numeric, str(path))
    from_file = load_table(path, MAPPING)
    pd.testing.assert_frame_equal(from_file.tidy, load_frame(df, MAPPING).tidy)
    # SPSS system-missing cell is audited as an empty cell
    vm = from_file.audit.values_set_missing
    assert (vm.column == "hamd_wk4").sum() == 1


def test_tsv_and_semicolon_csv(tmp_path):
    df = wai_frame()
    expected = load_frame(df, MAPPING).tidy
    tsv = tmp_path / "t.tsv"
    df.to_csv(tsv, sep="\t", index=False)
    pd.testing.assert_frame_equal(load_table(tsv, MAPPING).tidy, expected)
    semi = tmp_path / "t.csv"
    df.to_csv(semi, sep=";", index=False)
    pd.testing.assert_frame_equal(load_table(semi, MAPPING).tidy, expected)


def test_case_and_space_insensitive_names():
    df = wai_frame()
    df.columns = [f" {c.upper()} " for c in df.columns]
    r = load_frame(df, MAPPING)
    assert r.wide.loc["P1", "wai_sr.total.prep"] == 33


def test_default_prefixes_and_timepoint_table():
    df = pd.DataFrame({"participant_id": ["1"], "hamd_Week 4": ["12"]})
    r = load_frame(df, {"timepoints": {"Week 4": "wk4"}})
    assert r.wide.loc["1", "grid_hamd_17.total.wk4"] == 12


def test_no_instrument_columns_gives_empty_tidy():
    r = load_frame(pd.DataFrame({"participant_id": ["a", "b"], "arm": ["x", "y"]}))
    assert len(r.tidy) == 0 and list(r.wide.index) == ["a", "b"]


def test_from_wide_with_the_original_mapping():
    mapping = EX / "synthetic_example_wide_mapping.toml"
    r = load_table(EX / "synthetic_example_wide.csv", mapping)
    pd.testing.assert_frame_equal(from_wide(r.wide, mapping).wide, r.wide)
