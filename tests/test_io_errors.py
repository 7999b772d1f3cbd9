"""Every refusal of the loader: one InputError naming file, row, column, value and what to do."""

from __future__ import annotations

import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.io import load_frame, load_table, parse_mapping


def wai(n: int = 2, **override) -> pd.DataFrame:
    data = {"participant_id": [f"P{i}" for i in range(1, n + 1)]}
    for i in range(1, 13):
        data[f"wai_prep_{i}"] = ["3"] * n
    data.update(override)
    return pd.DataFrame(data)


def refused(df, mapping=None, source="trial.csv") -> str:
    with pytest.raises(InputError) as info:
        load_frame(df, mapping, source_name=source)
    return str(info.value)


def write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------------------- files
def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found") as info:
        load_table(tmp_path / "nope.csv")
    assert "nope.csv" in str(info.value)


def test_unknown_extension(tmp_path):
    p = write(tmp_path, "trial.json", "{}")
    with pytest.raises(InputError, match="unknown file type '.json'") as info:
        load_table(p)
    assert "trial.json" in str(info.value) and ".csv" in str(info.value)


def test_empty_file(tmp_path):
    p = write(tmp_path, "empty.csv", "")
    with pytest.raises(InputError, match="the file is empty") as info:
        load_table(p)
    assert "empty.csv" in str(info.value)


def test_header_only(tmp_path):
    p = write(tmp_path, "head.csv", "participant_id,wai_prep_1\n")
    with pytest.raises(InputError, match="header row but no data rows") as info:
        load_table(p)
    assert "head.csv" in str(info.value)


def test_unreadable_xlsx(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"this is not a zip file at all")
    with pytest.raises(InputError, match="could not read the file") as info:
        load_table(p)
    assert "broken.xlsx" in str(info.value)


def test_not_utf8(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("participant_id,arm\nP1,K\xf6ln\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as info:
        load_table(p)
    assert "latin.csv" in str(info.value)


def test_ragged_row(tmp_path):
    p = write(tmp_path, "ragged.csv", "participant_id,hamd_wk4\nP1,3\nP2,4,99\n")
    msg = str(pytest.raises(InputError, load_table, p).value)
    assert "ragged.csv" in msg and "row 3" in msg and "'99'" in msg


def test_duplicate_header(tmp_path):
    p = write(tmp_path, "dup.csv", "participant_id,hamd_wk4,HAMD_WK4\nP1,3,4\n")
    msg = str(pytest.raises(InputError, load_table, p).value)
    assert "same name" in msg and "row 1" in msg and "HAMD_WK4" in msg


# ---------------------------------------------------------------------------- columns
def test_missing_participant_column():
    msg = refused(pd.DataFrame({"id": ["1"], "hamd_wk4": ["3"]}))
    assert "trial.csv" in msg and "row 1" in msg and "participant_id" in msg
    assert "[columns]" in msg


def test_mapped_column_missing():
    msg = refused(wai(), {"columns": {"participant_id": "Subject ID"}})
    assert "'Subject ID'" in msg and "mapped as participant_id" in msg


def test_long_layout_required_columns():
    df = pd.DataFrame({"participant_id": ["P1"], "timepoint": ["prep"], "item": ["1"],
                       "value": ["3"]})
    msg = refused(df, {"layout": {"kind": "long"}})
    assert "required column 'instrument'" in msg and "long layout" in msg


def test_unknown_prefix():
    msg = refused(wai(wia_prep_1=["3", "3"]))
    assert "trial.csv" in msg and "row 1" in msg and "column 'wia_prep_1'" in msg
    assert "[instruments]" in msg


def test_unknown_timepoint():
    msg = refused(wai(), {"timepoints": {"post": "post"}})
    assert "unknown timepoint 'prep'" in msg and "column 'wai_prep_1'" in msg
    assert "[timepoints]" in msg


def test_items_for_precomputed_only_instrument():
    msg = refused(pd.DataFrame({"participant_id": ["P1"], "piq_s1_1": ["3"]}))
    assert "column 'piq_s1_1'" in msg and "precomputed scale scores only" in msg
    assert "piq_s1_total" in msg  # says what to supply instead


def test_incomplete_item_set():
    df = wai().drop(columns=["wai_prep_12"])
    msg = refused(df)
    assert "item column(s) 12 missing" in msg


def test_items_and_precomputed_together():
    msg = refused(wai(wai_prep_total=["36", "36"]))
    assert "both item columns and a precomputed 'total'" in msg
    assert "ignore_columns" in msg


def test_item_number_beyond_form():
    msg = refused(wai(wai_prep_13=["3", "3"]))
    assert "items 1-12, not 13" in msg and "wai_prep_13" in msg


# ---------------------------------------------------------------------------- values
def test_non_numeric_item_value():
    msg = refused(wai(wai_prep_5=["3", "often"]))
    assert "trial.csv" in msg and "row 3" in msg and "column 'wai_prep_5'" in msg
    assert "'often'" in msg and "[missing] codes" in msg


def test_item_out_of_range_with_count():
    # 7 at P1 item 2 (row 2) comes first; P2 item 1 = 0 and item 2 = 9 are two more
    msg = refused(wai(wai_prep_1=["3", "0"], wai_prep_2=["7", "9"]))
    assert "row 2" in msg and "column 'wai_prep_2'" in msg and "'7'" in msg
    assert "whole numbers 1-5" in msg and "and 2 more such cells" in msg


def test_non_integer_item():
    msg = refused(wai(wai_prep_3=["2.5", "3"]))
    assert "row 2" in msg and "wai_prep_3" in msg and "'2.5'" in msg


def test_precomputed_score_out_of_range():
    df = pd.DataFrame({"participant_id": ["P1", "P2"], "hamd_wk4_total": ["12", "60"]})
    msg = refused(df)
    assert "row 3" in msg and "hamd_wk4_total" in msg and "'60'" in msg and "0-52" in msg


def test_unmapped_missing_code_is_refused_not_dropped():
    msg = refused(wai(wai_prep_4=["-99", "3"]))
    assert "row 2" in msg and "'-99'" in msg and "[missing] codes" in msg


def test_duplicate_participant_wide():
    df = wai(3)
    df.loc[2, "participant_id"] = "P1"
    msg = refused(df)
    assert "duplicate participant id" in msg and "row 4" in msg and "'P1'" in msg
    assert "first seen in row 2" in msg


def test_duplicate_row_long():
    df = pd.DataFrame({"participant_id": ["P1", "P1"], "timepoint": ["wk4", "WK4"],
                       "instrument": ["hamd", "hamd"], "scale": ["total", "total"],
                       "value": ["3", "4"]})
    msg = refused(df)
    assert "duplicate row" in msg and "row 3" in msg and "already given in row 2" in msg


def test_long_unknown_instrument_and_timepoint():
    df = pd.DataFrame({"participant_id": ["P1"], "timepoint": ["wk4"], "instrument": ["bdi"],
                       "scale": ["total"], "value": ["3"]})
    msg = refused(df)
    assert "unknown instrument" in msg and "'bdi'" in msg and "row 2" in msg
    df["instrument"] = "hamd"
    msg = refused(df, {"timepoints": {"base": "base"}})
    assert "unknown or empty timepoint" in msg and "'wk4'" in msg


def test_long_items_for_precomputed_only():
    df = pd.DataFrame({"participant_id": ["P1"], "timepoint": ["s1"], "instrument": ["piq"],
                       "item": ["1"], "value": ["3"]})
    msg = refused(df)
    assert "precomputed scale scores only" in msg and "row 2" in msg


def test_unknown_arm():
    df = wai(arm=["1", "3"])
    msg = refused(df, {"arms": {"1": "immediate", "2": "delayed"}})
    assert "arm value not listed" in msg and "row 3" in msg and "'3'" in msg


def test_empty_participant_id():
    df = wai()
    df.loc[1, "participant_id"] = " "
    msg = refused(df)
    assert "participant id is empty" in msg and "row 3" in msg


# ---------------------------------------------------------------------------- mapping
def test_unknown_mapping_section_and_key(tmp_path):
    p = write(tmp_path, "map.toml", "[instrument]\nwai = 'wai_sr'\n")
    msg = str(pytest.raises(InputError, parse_mapping, p).value)
    assert "map.toml" in msg and "unknown section [instrument]" in msg and "[instruments]" in msg
    p = write(tmp_path, "map2.toml", "[layout]\nkidn = 'wide'\n")
    msg = str(pytest.raises(InputError, parse_mapping, p).value)
    assert "unknown key 'kidn' in [layout]" in msg and "kind" in msg


def test_mapping_unknown_instrument_and_bad_toml(tmp_path):
    p = write(tmp_path, "m.toml", "[instruments]\nwai = 'wai_xx'\n")
    assert "unknown instrument 'wai_xx'" in str(pytest.raises(InputError, parse_mapping, p).value)
    p = write(tmp_path, "bad.toml", "[layout\n")
    assert "not valid TOML" in str(pytest.raises(InputError, parse_mapping, p).value)


def test_peak_from_unknown_timepoint():
    df = pd.DataFrame({"participant_id": ["P1"], "piq_s1_total": ["3"]})
    msg = refused(df, {"peaks": {"piq": {"from": ["s1", "s3"]}}, "ranges": {"piq.total": [0, 100]}})
    assert "s3" in msg and "[peaks]" in msg


def test_load_frame_rejects_non_frames():
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        load_frame([[1, 2]])


def test_unknown_sheet(tmp_path):
    p = tmp_path / "s.xlsx"
    pd.DataFrame({"participant_id": ["P1"], "hamd_wk4": [3]}).to_excel(p, index=False)
    for sheet in (5, "nope"):
        msg = str(pytest.raises(InputError, load_table, p, {"layout": {"sheet": sheet}}).value)
        assert "s.xlsx" in msg and "not found in the workbook" in msg and "[layout] sheet" in msg


def test_non_numeric_text_in_sav(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame({"participant_id": ["P1", "P2"], "hamd_wk4": ["3", "three"]})
    p = tmp_path / "t.sav"
    pyreadstat.write_sav(df, str(p))
    msg = str(pytest.raises(InputError, load_table, p).value)
    assert "t.sav" in msg and "row 3" in msg and "'three'" in msg and "not a number" in msg
