"""Security of the files report/ writes (issue 14, section 3).

* HTML: hostile file names, column names, participant IDs and codes are written as text, never
  as markup. Checked by parsing the output (html.parser): the hostile page has no element,
  attribute or comment that the package's own page for benign input lacks, no ``on*`` attribute,
  no script, and images only as embedded PNG.
* CSV: a text cell (or header) starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
  is neutralised with a leading apostrophe in every CSV report/ writes; numbers stay numbers.
"""

from __future__ import annotations

import csv
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.report import files
from alliance_analysis.report.escape import csv_safe, escape_html, html_comment
from alliance_analysis.report.html import render_report
from alliance_analysis.report.tables import ApaTable, claims_table

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "t--><img src=x onerror=alert(1)><!--",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "</table><iframe src=javascript:alert(1)>",
    "=HYPERLINK(\"http://x\",\"y\")",
    "--!><b>x</b>",
]
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


class Structure(HTMLParser):
    """Every (element, sorted attribute names) pair, every attribute value and every comment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: set[tuple[str, tuple[str, ...]]] = set()
        self.attrs: list[tuple[str, str, str]] = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.add((tag, tuple(sorted(a for a, _ in attrs))))
        self.attrs += [(tag, a, v or "") for a, v in attrs]

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> Structure:
    s = Structure()
    s.feed(text)
    s.close()
    return s


def assert_no_foreign_markup(hostile: str, benign: str) -> Structure:
    got, ref = parse(hostile), parse(benign)
    extra = got.elements - ref.elements
    assert not extra, f"elements or attributes the package did not write: {sorted(extra)}"
    assert len(got.comments) == len(ref.comments)
    for tag, name, value in got.attrs:
        assert not name.startswith("on"), (tag, name)
        assert tag != "script"
        if name == "src":
            assert value.startswith("data:image/png;base64,"), value[:40]
    return got


def _context(text: str, ids: list[str]) -> dict:
    claims = pd.DataFrame({"claim_id": ids, "description": [text] * len(ids), "statistic": ["r"] * len(ids),
                           "published": [text] * len(ids), "reproduced": [0.5] * len(ids),
                           "n": [20] * len(ids), "df": [18.0] * len(ids),
                           "status": ["reproduced", "mismatch", text][: len(ids)]})
    table = ApaTable(title=text, note=text, columns=(text, "b"), rows=((text, text),) * 2,
                     data=pd.DataFrame({text: [text]}), name=text, row_classes=(text, "status-ok"))
    return {
        "notice": f"USER DATA: {text}.csv",
        "title": text, "subtitle": text,
        "claims": claims_table(claims),
        "summary": {text: text},
        "audit": [{"claim_id": text, "kind": text, "verdict": text, "flag": text}],
        "tables": [table],
        "figures": [{"png_base64": "iVBORw0KGgo=", "caption": text, "title": text, "alt": text}],
        "assumptions": [text, {"text": text, "source": text}],
        "software": {text: text},
        "sections": [{"title": text, "text": f"{text}\n\n{text}"}],
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_report_page_writes_hostile_text_as_text(text):
    ids = ["C1", text, "<b>C3</b>"]
    got = assert_no_foreign_markup(render_report(_context(text, ids)), render_report(_context("x", ["C1", "C2", "C3"])))
    assert any(text in t for t in got.text), "the hostile text must survive as text"


@pytest.mark.parametrize("text", HOSTILE)
def test_table_fragments_and_their_notice_comment(tmp_path, text):
    table = _context(text, ["C1"])["tables"][0]
    benign = _context("x", ["C1"])["tables"][0]
    files.write_table_html(table, tmp_path / "a.html", f"USER DATA: {text}")
    files.write_table_html(benign, tmp_path / "b.html", "USER DATA: x")
    got = assert_no_foreign_markup((tmp_path / "a.html").read_text(), (tmp_path / "b.html").read_text())
    assert got.comments[0].strip().startswith("USER DATA")


def test_one_escaping_path():
    """The table fragments escape with the same function as the report template (autoescape)."""
    from markupsafe import escape

    for text in HOSTILE:
        assert escape_html(text) == str(escape(text))
        assert "--" not in html_comment(text) and ">" not in html_comment(text)


def test_csv_safe_cells():
    for text in FORMULAS:
        assert csv_safe(text) == "'" + text
    for number in ("-4.84", "+1", "-1e-3", ".5"):
        assert csv_safe(number) == number
    assert csv_safe(-3) == -3 and csv_safe("P01") == "P01"


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_every_csv_writer_neutralises_formulas(tmp_path):
    frame = pd.DataFrame({"participant_id": FORMULAS, "arm": ["@arm"] * len(FORMULAS),
                          "=col": np.arange(len(FORMULAS)) - 3.5,
                          "code": pd.Categorical(["-x"] * len(FORMULAS))})
    table = ApaTable(title="t", note="", columns=("a",), rows=(("a",),), data=frame, name="t")
    paths = [files.write_csv(frame, tmp_path / "a.csv"), table.to_csv(tmp_path / "b.csv")]
    paths += [p for p in files.write_tables([table], tmp_path / "tables", "USER DATA: x") if p.suffix == ".csv"]
    for path in paths:
        rows = _cells(path)
        assert rows[0] == ["participant_id", "arm", "'=col", "code"], path
        for row in rows[1:]:
            assert row[0].startswith("'") and row[0][1:] in FORMULAS, row
            assert row[1] == "'@arm" and row[3] == "'-x"
            float(row[2])  # numbers are left as numbers (a negative number is not a formula)


def test_json_needs_the_notice_first(tmp_path):
    with pytest.raises(ValueError, match="notice"):
        files.write_json({"data": 1, "notice": "x"}, tmp_path / "a.json")
    path = files.write_json({"notice": "USER DATA: x", "rows": []}, tmp_path / "b.json")
    assert path.read_text(encoding="utf-8").startswith('{\n  "notice": "USER DATA: x"')


def test_reproduction_with_a_hostile_file_and_column_name(tmp_path):
    """End to end: a user's export named like a script injection, with an extra column whose
    name is markup and a formula; every HTML file parsed, every CSV read back."""
    from alliance_analysis.commands.reproduce import main_for

    src = ROOT / "data" / "synthetic" / "davis2024"
    name = HOSTILE[0] + ".csv"
    data = pd.read_csv(src / "davis2024_synthetic_wide.csv", dtype=str, keep_default_na=False)
    data[HOSTILE[1] + "=1+1"] = "=1+1"
    data.to_csv(tmp_path / name, index=False)
    mapping = tmp_path / "map<b>.toml"
    text = (src / "davis2024_mapping.toml").read_text(encoding="utf-8")
    column = (HOSTILE[1] + "=1+1").replace('"', '\\"')
    mapping.write_text(text.replace('kind = "wide"', f'kind = "wide"\nignore_columns = ["{column}"]'),
                       encoding="utf-8")
    out = tmp_path / "out"
    main_for("davis2024", ["--data", str(tmp_path / name), "--mapping", str(mapping), "--out", str(out)],
             root=ROOT)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 3
    benign = _context("x", ["C1", "C2", "C3"])
    allowed = parse(render_report(benign)).elements | parse(benign["tables"][0].to_html()).elements
    allowed |= parse(claims_table(pd.DataFrame({"claim_id": ["a"], "description": ["b"], "statistic": ["r"],
                                                "published": ["1"], "reproduced": [1.0], "n": [1], "df": [1.0],
                                                "status": ["reproduced"]})).to_html()).elements
    for page in pages:
        got = parse(page.read_text(encoding="utf-8"))
        assert got.elements <= allowed, (page.name, sorted(got.elements - allowed))
        assert len(got.comments) <= 1
        for tag, attr, value in got.attrs:
            assert not attr.startswith("on") and tag not in ("script", "iframe", "svg")
            if attr == "src":
                assert value.startswith("data:image/png;base64,")
    report = parse((out / "report.html").read_text(encoding="utf-8"))
    assert any(HOSTILE[0] in t for t in report.text), "the file name is shown, as text"
    csvs = sorted(out.rglob("*.csv"))
    assert csvs
    for path in csvs:
        for row in _cells(path):
            for cell in row:
                assert csv_safe(cell) == cell, (path.name, cell)


def _hostile_export(tmp_path: Path) -> tuple[Path, Path]:
    src = ROOT / "data" / "synthetic" / "davis2024"
    data = tmp_path / (HOSTILE[0] + ".csv")
    shutil.copy(src / "davis2024_synthetic_wide.csv", data)
    mapping = tmp_path / "map.toml"
    shutil.copy(src / "davis2024_mapping.toml", mapping)
    return data, mapping


def test_analyze_with_a_hostile_file_name(tmp_path):
    from alliance_analysis.analyze import run_analysis, write_outputs

    data, mapping = _hostile_export(tmp_path)
    out = tmp_path / "analysis"
    write_outputs(run_analysis(data, mapping, plan=None), out)
    benign = _context("x", ["C1", "C2", "C3"])
    allowed = parse(render_report(benign)).elements | parse(benign["tables"][0].to_html()).elements
    for page in sorted(out.rglob("*.html")):
        got = parse(page.read_text(encoding="utf-8"))
        assert got.elements <= allowed, (page.name, sorted(got.elements - allowed))
        assert len(got.comments) <= 1
    for path in sorted(out.rglob("*.csv")):
        rows = _cells(path)
        assert not rows[0][0].startswith("#"), f"{path.name}: header first"
        for row in rows:
            for cell in row:
                assert csv_safe(cell) == cell, (path.name, cell)
