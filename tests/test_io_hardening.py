"""Issue 14, section 1 (and the long-cell traceback of section 2): nothing lost or changed silently.

Each test reproduces a defect found by outside testing: it failed before the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.cli import main
from alliance_analysis.errors import InputError
from alliance_analysis.io import load_frame, load_table

NOTES = {"layout": {"ignore_columns": ["Notes"]}}


def csv_rows(n: int = 8) -> list[str]:
    """A wide CSV: header + n participants (spreadsheet rows 2 .. n + 1)."""
    return ["participant_id,hamd_wk4,Notes"] + [f"P{i},{10 + i},ok" for i in range(1, n + 1)]


def write(tmp_path, lines: list[str], name: str = "trial.csv"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def refused(*args, **kw) -> str:
    with pytest.raises(InputError) as info:
        load_table(*args, **kw)
    return str(info.value)


# ---------------------------------------------------------------------------- 1.1 quotes
def test_unclosed_quote_is_refused_with_its_row(tmp_path):
    lines = csv_rows()
    lines[3] = 'P3,13,"started a note'          # spreadsheet row 4; the quote never closes
    msg = refused(write(tmp_path, lines), NOTES)
    assert "trial.csv" in msg and "row 4" in msg and "quote" in msg
    assert "column 'Notes'" in msg


def test_unclosed_quote_closed_by_a_later_quote_is_refused(tmp_path):
    lines = csv_rows()
    lines[3] = 'P3,13,"started a note'
    lines[6] = 'P6,16,"a quoted note"'          # would close row 4's quote and swallow rows 5-6
    msg = refused(write(tmp_path, lines), NOTES)
    assert "row 4" in msg and "quote" in msg


def test_quoted_cells_with_delimiters_and_line_breaks_still_load(tmp_path):
    lines = csv_rows(3)
    lines[2] = 'P2,12,"two lines, one cell\nsecond line"'
    p = write(tmp_path, lines)
    r = load_table(p, NOTES)
    assert r.audit.rows_read == 3 and list(r.wide.index) == ["P1", "P2", "P3"]
    assert any("line break" in n for n in r.audit.notes)


# ---------------------------------------------------------------------------- 1.2 truncated
def test_truncated_last_row_is_refused(tmp_path):
    lines = csv_rows()
    lines[-1] = "P8,18"                          # cut off: 2 of 3 fields
    msg = refused(write(tmp_path, lines), NOTES)
    assert "row 9" in msg and "2 cells" in msg and "header has 3" in msg


def test_short_row_in_the_middle_is_refused(tmp_path):
    lines = csv_rows()
    lines[2] = "P2;12"                           # a lost delimiter would shift values
    msg = refused(write(tmp_path, lines), NOTES)
    assert "row 3" in msg and "1 cells" in msg


def test_trailing_empty_cells_and_blank_rows_still_load(tmp_path):
    lines = csv_rows(3)
    lines[1] += ",,"
    lines.insert(3, "")
    r = load_table(write(tmp_path, lines), NOTES)
    assert r.audit.rows_read == 4 and r.audit.rows_kept == 3


# ---------------------------------------------------------------------------- section 2
def test_cell_longer_than_the_csv_module_limit(tmp_path, capsys):
    lines = csv_rows(3)
    lines[2] = "P2,12," + "x" * 200_000
    r = load_table(write(tmp_path, lines), NOTES)
    assert r.audit.rows_read == 3
    lines[2] = "P2," + "9" * 140_000 + "x,ok"
    p = write(tmp_path, lines, "long.csv")
    msg = refused(p, NOTES)
    assert "row 3" in msg and "not a number" in msg and len(msg) < 2_000
    assert main(["load", str(p), "--mapping", str(_toml(tmp_path, 'ignore_columns = ["Notes"]'))
                 ]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err and err.count("\n") == 1


def _toml(tmp_path, layout_line: str):
    p = tmp_path / "map.toml"
    p.write_text(f"[layout]\n{layout_line}\n", encoding="utf-8")
    return p


# ---------------------------------------------------------------------------- 1.3 ranges
def piq_frame(value: str) -> pd.DataFrame:
    return pd.DataFrame({"participant_id": ["P1", "P2", "P3"],
                         "piq_s1_total": ["40", value, "55"]})


@pytest.mark.parametrize("value", ["-99", "999", "60"])
def test_prescored_total_without_a_range_is_refused(value):
    # PIQ's range is not known to the package: -99 used to become a score and a peak (r .259 ->
    # .066); later only negative values were refused, so 999 still became a score. Now a
    # pre-scored scale with neither a known nor a declared range is refused, whatever its values.
    with pytest.raises(InputError) as info:
        load_frame(piq_frame(value), source_name="t.csv")
    exc = info.value
    assert exc.file == "t.csv" and exc.column == "piq_s1_total"
    assert '[ranges] "piq.total" = [min, max]' in str(exc)
    assert str(exc).count("\n") == 0


def test_prescored_total_without_a_range_is_refused_in_the_long_layout():
    df = pd.DataFrame({"participant_id": ["P1", "P1", "P2"], "timepoint": ["s1", "s1", "s1"],
                       "instrument": ["hamd", "piq", "piq"], "item": ["", "", ""],
                       "scale": ["total", "total", "total"], "value": ["10", "40", "-99"]})
    with pytest.raises(InputError) as info:
        load_frame(df, source_name="long.csv")
    exc = info.value
    assert (exc.file, exc.row, exc.column) == ("long.csv", 3, "scale")
    assert '[ranges] "piq.total"' in str(exc)
    r = load_frame(df, {"ranges": {"piq.total": [0, 100]}, "missing": {"codes": [-99]}})
    assert r.wide["piq.total.s1"].tolist()[0] == 40 and np.isnan(r.wide["piq.total.s1"].iloc[1])


def test_prescored_total_declared_range_and_missing_code():
    mapping = {"ranges": {"piq.total": [0, 100]}}
    for bad in ("120", "-99", "-0.5", "inf"):
        exc = pytest.raises(InputError, load_frame, piq_frame(bad), mapping,
                            source_name="t.csv").value
        assert (exc.file, exc.row, exc.column, exc.value) == ("t.csv", 3, "piq_s1_total", bad)
        assert "outside" in str(exc) and "0-100" in str(exc)
    r = load_frame(piq_frame("-99"), {**mapping, "missing": {"codes": [-99]}})
    assert r.wide["piq.total.s1"].isna().sum() == 1
    assert "missing code '-99'" in set(r.audit.values_set_missing["reason"])
    assert any("declared in [ranges] (0-100" in n for n in r.audit.notes)


def test_declared_range_for_a_scale_with_a_known_range_is_refused():
    df = pd.DataFrame({"participant_id": ["P1"], "hamd_wk4": ["10"]})
    msg = str(pytest.raises(InputError, load_frame, df,
                            {"ranges": {"grid_hamd_17.total": [0, 60]}}).value)
    assert "[ranges]" in msg and "0-52" in msg


# ---------------------------------------------------------------------------- 1.4 SPSS
def test_spss_user_missing_values_are_named_as_such(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame({"participant_id": ["P1", "P2", "P3", "P4"],
                       "hamd_wk4": [10.0, 99.0, 98.0, None]})
    p = tmp_path / "t.sav"
    pyreadstat.write_sav(df, str(p), missing_ranges={"hamd_wk4": [99, 98]})
    r = load_table(p)
    miss = r.audit.values_set_missing.set_index("row")
    assert set(miss.index) == {3, 4, 5}
    assert "user-missing" in miss.at[3, "reason"] and "99" in miss.at[3, "reason"]
    assert "user-missing" in miss.at[4, "reason"] and "98" in miss.at[4, "reason"]
    assert miss.at[5, "reason"] == "empty cell"
    assert r.wide["grid_hamd_17.total.wk4"].notna().sum() == 1


# ---------------------------------------------------------------------------- 1.5/1.6 Excel
def test_xlsx_formula_without_stored_result_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["participant_id", "hamd_wk4"])
    ws.append(["P1", 10])
    ws.append(["P2", "=B2+1"])                 # openpyxl stores no computed result
    p = tmp_path / "f.xlsx"
    wb.save(p)
    msg = refused(p)
    assert "f.xlsx" in msg and "formula" in msg and "B3" in msg
    assert "export CSV" in msg


def test_xlsx_with_several_non_empty_sheets_needs_layout_sheet(tmp_path):
    p = tmp_path / "two.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"About": ["This workbook holds the trial export"]}).to_excel(
            xw, sheet_name="README", index=False)
        pd.DataFrame({"participant_id": ["P1"], "hamd_wk4": [3]}).to_excel(
            xw, sheet_name="Data", index=False)
    msg = refused(p)
    assert "README" in msg and "Data" in msg and "[layout] sheet" in msg
    r = load_table(p, {"layout": {"sheet": "Data"}})
    assert any("sheet 'Data'" in n for n in r.audit.notes)


def test_xlsx_single_sheet_names_the_sheet_read(tmp_path):
    p = tmp_path / "one.xlsx"
    pd.DataFrame({"participant_id": ["P1"], "hamd_wk4": [3]}).to_excel(p, sheet_name="Export",
                                                                       index=False)
    r = load_table(p)
    assert any("sheet 'Export'" in n for n in r.audit.notes)


# ---------------------------------------------------------------------------- 1.7 ids
def test_ids_are_normalised_before_the_duplicate_check():
    df = pd.DataFrame({"participant_id": ["S01", "S02", "S01\u200b"],
                       "hamd_wk4": ["10", "11", "12"]})
    msg = str(pytest.raises(InputError, load_frame, df, source_name="t.csv").value)
    assert "duplicate participant id" in msg and "row 4" in msg
    df = pd.DataFrame({"participant_id": ["\uff33\uff10\uff11", "S02"], "hamd_wk4": ["1", "2"]})
    r = load_frame(df)
    assert list(r.wide.index) == ["S01", "S02"]
    assert any("normalised" in n and "row 2" in n for n in r.audit.notes)


def test_long_layout_merges_normalised_ids():
    df = pd.DataFrame({"participant_id": ["S01", "S01\u200b", "S02\x07"],
                       "timepoint": ["base", "wk4", "base"], "instrument": ["hamd"] * 3,
                       "scale": ["total"] * 3, "value": ["10", "8", "12"]})
    r = load_frame(df)
    assert r.audit.n_participants == 2
    assert list(r.wide.index) == ["S01", "S02"]


# ---------------------------------------------------------------------------- 1.8 memory
def test_file_that_cannot_fit_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    from alliance_analysis.io import readers

    p = write(tmp_path, csv_rows(50))
    monkeypatch.setattr(readers, "available_memory", lambda: 1000)
    msg = refused(p, NOTES)
    assert "memory" in msg and "trial.csv" in msg


def test_long_file_is_checked_against_the_long_layouts_memory_need(tmp_path, monkeypatch):
    from alliance_analysis.io import readers

    rows = ["participant_id,timepoint,instrument,scale,value"]
    rows += [f"P{i},wk4,hamd,total,{i % 50}" for i in range(1, 200)]
    p = tmp_path / "long.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    size = p.stat().st_size  # enough for a wide load (10 x), not for a long one (50 x)
    monkeypatch.setattr(readers, "available_memory", lambda: 20 * size)
    msg = refused(p, None)
    assert "memory" in msg and "long.csv" in msg
    monkeypatch.setattr(readers, "available_memory", lambda: 60 * size)
    assert load_table(p).audit.n_participants == 199


def test_spss_user_missing_covariate(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame({"participant_id": ["P1", "P2"], "hamd_wk4": [10.0, 12.0],
                       "age": [34.0, 999.0]})
    p = tmp_path / "c.sav"
    pyreadstat.write_sav(df, str(p), missing_ranges={"age": [999]})
    r = load_table(p, {"covariates": {"age": "age"}})
    assert r.wide["age"].isna().tolist() == [False, True]
    miss = r.audit.values_set_missing
    assert miss.loc[miss["column"] == "age", "reason"].tolist() == [
        "user-missing value '999' (declared in the file)"]
