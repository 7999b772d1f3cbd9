"""Participant ids: ``[columns] participant_id_pattern`` and ids typed two ways (case, spaces).

Rows are spreadsheet rows (header = row 1, first data row = row 2), as in every loader error.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from alliance_analysis.cli import main
from alliance_analysis.errors import InputError
from alliance_analysis.io import load_frame, load_table, parse_mapping
from alliance_analysis.io._ids import suggest_fix

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
MESSY = EX / "synthetic_example_messy.xlsx"
TYPO = EX / "synthetic_example_messy_typo.xlsx"
MESSY_MAP = EX / "synthetic_example_messy_mapping.toml"
PATTERN = {"columns": {"participant_id_pattern": r"^P\d{2}$"}}


def wide(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"participant_id": ids, "hamd_wk4": [str(i) for i in range(len(ids))]})


def long(ids: list[str], timepoints: list[str]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({"participant_id": ids, "timepoint": timepoints,
                         "instrument": ["hamd"] * n, "scale": ["total"] * n,
                         "value": [str(i) for i in range(n)]})


def refusal(df: pd.DataFrame, mapping=None, source: str = "trial.csv") -> InputError:
    with pytest.raises(InputError) as info:
        load_frame(df, mapping, source_name=source)
    return info.value


# ---------------------------------------------------------------------------- the pattern
def test_matching_ids_load_and_the_audit_says_so():
    r = load_frame(wide(["P01", "P02", "P10"]), PATTERN)
    assert r.wide.index.tolist() == ["P01", "P02", "P10"]
    assert r.mapping.participant_id_pattern == r"^P\d{2}$"
    assert "participant ids: all 3 match participant_id_pattern '^P\\d{2}$'" in r.audit.notes
    r = load_frame(long(["P01", "P01", "P02"], ["base", "wk4", "base"]), PATTERN)
    assert r.audit.n_participants == 2


def test_no_pattern_no_check_and_no_note():
    r = load_frame(wide(["P01", "anything goes", "x"]))
    assert r.audit.n_participants == 3
    assert not any("participant_id_pattern" in n for n in r.audit.notes)
    assert parse_mapping(None).participant_id_pattern is None


def test_typo_is_refused_with_file_row_column_value_and_suggestion():
    err = refusal(wide(["P01", "P02", "P1O", "P11"]), PATTERN)
    assert (err.file, err.row, err.column, err.value) == ("trial.csv", 4, "participant_id", "P1O")
    msg = str(err)
    assert msg.startswith("trial.csv, row 4, column 'participant_id': participant id does not "
                          "match participant_id_pattern '^P\\d{2}$' (value: 'P1O')")
    assert "IDs in this file look like 'P01'; did you mean 'P10'?" in msg
    assert "Fix the ID in the file or relax participant_id_pattern" in msg
    assert "and 1 more" not in msg


def test_pattern_must_match_the_whole_id():
    err = refusal(wide(["P01", "P011"]), {"columns": {"participant_id_pattern": r"P\d{2}"}})
    assert err.row == 3 and err.value == "P011"


def test_row_numbers_count_the_header_and_blank_rows(tmp_path):
    f = tmp_path / "trial.csv"
    f.write_text("participant_id,hamd_wk4\nP01,3\n,\nP02,4\nP1O,5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_table(f, PATTERN)
    assert info.value.row == 5 and info.value.file == str(f)


def test_several_bad_ids_report_the_first_and_count_the_rest():
    err = refusal(wide(["P01", "Q9", "P02", "X", "Y"]), PATTERN)
    assert err.row == 3 and err.value == "Q9"
    assert str(err).endswith("; and 2 more such rows")


def test_long_layout_reports_the_first_row_of_a_bad_id():
    err = refusal(long(["P01", "P01", "P0l", "P0l"], ["base", "wk4", "base", "wk4"]), PATTERN)
    assert (err.row, err.column, err.value) == (4, "participant_id", "P0l")
    assert "did you mean 'P01' (also in row 2)?" in str(err)
    assert "and 1 more such rows" in str(err)


@pytest.mark.parametrize(("typed", "expected"), [
    ("P1O", "P10"), ("PO7", "P07"), ("P0l", "P01"), ("PI2", "P12"), ("p07", "P07"),
    ("P 07", "P07"), ("p 1o", "P10"),
])
def test_cheap_repairs(typed, expected):
    assert suggest_fix(typed, re.compile(r"^P\d{2}$"), set()) == expected


def test_repair_prefers_an_unused_id_and_gives_up_when_nothing_fits():
    rx = re.compile(r"^[A-Z]\d$")
    assert suggest_fix("O0", rx, set()) is None  # 'O0' -> ... no [A-Z]digit spelling reached
    assert suggest_fix("Q99", re.compile(r"^P\d{2}$"), {"P01"}) is None
    assert suggest_fix("PO1", re.compile(r"^P\d{2}$"), {"P01"}) == "P01"


def test_no_cheap_repair_falls_back_to_similar_ids():
    msg = str(refusal(wide(["P01", "P13", "P13x"]), PATTERN))
    assert "did you mean" not in msg
    assert "IDs in this file look like 'P01'; the most similar: 'P13'. Fix the ID" in msg


def test_no_id_matches_points_at_the_pattern():
    err = refusal(wide(["S01", "S02"]), PATTERN, source="x.csv")
    assert err.row == 2 and "no id in the file matches it" in str(err)
    assert "Check participant_id_pattern in <mapping>" in str(err)


# ---------------------------------------------------------------------------- same id typed twice
def test_case_and_trailing_space_variant_is_a_likely_duplicate_wide():
    err = refusal(wide(["P07", "P08", "p07 "]))  # no pattern needed
    assert (err.row, err.column, err.value) == (4, "participant_id", "p07 ")
    assert "differs from 'P07' (row 2) only in case: likely the same participant" in str(err)


def test_case_variant_is_a_likely_duplicate_long():
    err = refusal(long(["P07", "P07", "p07"], ["base", "wk4", "s1"]))
    assert err.row == 4 and err.value == "p07" and "likely the same participant" in str(err)


def test_inner_space_variant_is_a_likely_duplicate():
    err = refusal(wide(["P07", "P 07"]))
    assert err.row == 3 and "only in spaces" in str(err)
    err = refusal(wide(["P07", "p 07"]))
    assert "only in case and spaces" in str(err)


def test_with_a_pattern_the_matching_spelling_is_the_reference():
    err = refusal(wide(["p07", "P08", "P07"]), PATTERN)
    assert err.row == 2 and err.value == "p07"
    assert "differs from 'P07' (row 4)" in str(err)


def test_surrounding_spaces_alone_keep_their_meaning():
    # long: trimmed ids are the same participant (names are compared trimmed everywhere)
    r = load_frame(long(["P07", "P07 "], ["base", "wk4"]), PATTERN)
    assert r.wide.index.tolist() == ["P07"]
    # wide: the existing exact-duplicate refusal still applies
    msg = str(refusal(wide(["P07", " P07 "])))
    assert "duplicate participant id (first seen in row 2)" in msg and "row 3" in msg


def test_distinct_ids_are_not_flagged():
    r = load_frame(wide(["P1", "P11", "P1a", "Q1"]))
    assert r.audit.n_participants == 4


# ---------------------------------------------------------------------------- the mapping key
def test_invalid_regex_names_the_mapping_file(tmp_path):
    p = tmp_path / "map.toml"
    p.write_text("[columns]\nparticipant_id_pattern = '^P(\\d{2}$'\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_table(EX / "synthetic_example_wide.csv", p)
    err = info.value
    assert err.file == str(p) and err.row is None
    assert "participant_id_pattern is not a valid regular expression" in str(err)
    assert err.value == "^P(\\d{2}$"


@pytest.mark.parametrize("value", ["", "   ", 3, ["^P$"]])
def test_pattern_must_be_non_empty_text(value):
    with pytest.raises(InputError, match="participant_id_pattern must be a non-empty"):
        parse_mapping({"columns": {"participant_id_pattern": value}})


def test_unknown_keys_still_refused_and_the_new_key_is_listed():
    with pytest.raises(InputError) as info:
        parse_mapping({"columns": {"participant_id_patern": "x"}})
    assert "unknown key 'participant_id_patern' in [columns]" in str(info.value)
    assert "participant_id_pattern" in info.value.hint
    for kind in ("wide", "long"):
        m = parse_mapping({"layout": {"kind": kind},
                           "columns": {"participant_id_pattern": "^P"}})
        assert m.participant_id_pattern == "^P" and "participant_id_pattern" not in m.columns


# ---------------------------------------------------------------------------- the examples
def test_messy_example_with_pattern_loads():
    r = load_table(MESSY, MESSY_MAP)
    assert r.mapping.participant_id_pattern == r"^S\d{2}$"
    assert r.wide.index.tolist() == [f"S{i:02d}" for i in range(1, 9)]


def test_typo_example_is_refused_at_row_7():
    with pytest.raises(InputError) as info:
        load_table(TYPO, MESSY_MAP)
    err = info.value
    assert (err.file, err.row, err.column, err.value) == (str(TYPO), 7, "Subject ID", "SO5")
    assert "did you mean 'S05'?" in str(err)


def test_typo_example_differs_from_the_clean_one_only_in_that_id():
    relaxed = dataclasses.replace(parse_mapping(MESSY_MAP), participant_id_pattern=None)
    clean = load_table(MESSY, relaxed).wide
    typo = load_table(TYPO, relaxed).wide
    assert sorted(set(typo.index) ^ set(clean.index)) == ["S05", "SO5"]
    pd.testing.assert_frame_equal(typo.rename(index={"SO5": "S05"}).sort_index(),
                                  clean.sort_index())


def test_cli_typo_exits_2_with_one_error_line(tmp_path, capsys):
    rc = main(["load", str(TYPO), "--mapping", str(MESSY_MAP), "--out",
               str(tmp_path / "tidy.csv")])
    captured = capsys.readouterr()
    assert rc == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "row 7, column 'Subject ID'" in lines[0] and "'SO5'" in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert not (tmp_path / "tidy.csv").exists()


def test_generator_reproduces_the_example_files_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location("make_examples", EX / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    messy = mod.messy_rows(mod.wide_rows(mod.make_data()))
    mod.write_xlsx(tmp_path / "messy.xlsx", messy)
    mod.write_xlsx(tmp_path / "typo.xlsx", mod.messy_typo_rows(messy))
    assert (tmp_path / "messy.xlsx").read_bytes() == MESSY.read_bytes()
    assert (tmp_path / "typo.xlsx").read_bytes() == TYPO.read_bytes()
