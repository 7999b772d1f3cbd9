"""Line ends of delimited files: LF, CR LF and bare CR (old Mac exports) read the same; the row
numbers of messages count lines whatever ends them; an ambiguous mix is refused, not misread."""

from __future__ import annotations

import codecs

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.io import load_table

ROWS = ["participant_id;arm;hamd_wk4;Notes", "P1;a;10;", 'P2;b;12;"two\nlines"', "P3;a;;x"]
MAPPING = {"layout": {"ignore_columns": ["Notes"]}}


def write(tmp_path, name: str, text: str, end: str, bom: bool = False) -> object:
    p = tmp_path / name
    data = text.replace("\n", end).encode("utf-8")
    p.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return p


@pytest.mark.parametrize("bom", [False, True])
def test_bare_cr_file_reads_like_the_lf_file(tmp_path, bom):
    text = "\n".join(ROWS) + "\n"
    lf = load_table(write(tmp_path, "lf.csv", text, "\n"), MAPPING)
    for end in ("\r\n", "\r"):
        other = load_table(write(tmp_path, "x.csv", text, end, bom=bom), MAPPING)
        pd.testing.assert_frame_equal(other.wide, lf.wide)
        pd.testing.assert_frame_equal(other.audit.values_set_missing,
                                      lf.audit.values_set_missing)
        assert other.audit.rows_read == 3
    # P2's quoted note held a line break; P3's score is missing (row 4 of the spreadsheet)
    assert lf.wide["grid_hamd_17.total.wk4"].tolist()[:2] == [10.0, 12.0]
    assert np.isnan(lf.wide.loc["P3", "grid_hamd_17.total.wk4"])
    cr = load_table(write(tmp_path, "cr.csv", text, "\r"), MAPPING)
    assert any("bare CR" in n for n in cr.audit.notes)


def test_bare_cr_file_without_a_final_line_end(tmp_path):
    p = tmp_path / "cr.csv"
    p.write_bytes(b"participant_id,hamd_wk4\rP1,10\rP2,12")
    r = load_table(p)
    assert r.wide["grid_hamd_17.total.wk4"].tolist() == [10.0, 12.0]


def test_rows_in_messages_of_a_bare_cr_file_are_exact(tmp_path):
    p = tmp_path / "cr.csv"
    # header row 1, blank line row 2 (excluded), P1 row 3, P2 row 4 holds a bad value
    p.write_bytes(b"participant_id,hamd_wk4\r\rP1,10\rP2,abc\r")
    exc = pytest.raises(InputError, load_table, p).value
    assert (exc.row, exc.column, exc.value) == (4, "hamd_wk4", "abc")


def test_bare_cr_among_lf_line_ends_without_quotes(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes(b"participant_id,hamd_wk4\r\nP1,10\rP2,12\n")
    r = load_table(p)
    assert r.wide["grid_hamd_17.total.wk4"].tolist() == [10.0, 12.0]
    assert any("1 bare CR" in n for n in r.audit.notes)


def test_bare_cr_among_lf_line_ends_with_quotes(tmp_path):
    # outside quotes a bare CR ends the row, inside a quoted cell it is part of the cell
    p = tmp_path / "mixed.csv"
    p.write_bytes(b'participant_id,hamd_wk4,note\nP1,10,"a\rb"\rP2,12,c\nP3,abc,d\n')
    r = load_table(_without_last_row(p),
                   {"layout": {"ignore_columns": ["note"]}})
    assert r.wide["grid_hamd_17.total.wk4"].tolist() == [10.0, 12.0]
    exc = pytest.raises(InputError, load_table, p, {"layout": {"ignore_columns": ["note"]}}).value
    assert (exc.row, exc.column, exc.value) == (4, "hamd_wk4", "abc")


def _without_last_row(p):
    q = p.with_name("ok.csv")
    q.write_bytes(p.read_bytes().rsplit(b"P3", 1)[0])
    return q
