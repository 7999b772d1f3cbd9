"""results.csv lines built column-wise in the workers equal the row-by-row path they replace."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from alliance_analysis.audit import check_text
from alliance_analysis.audit.corpus import (
    RESULT_FIELDS,
    _csv_cell,
    _rows,
    _safe_column,
    render_rows,
)
from alliance_analysis.audit.documents import read_bytes, read_document
from alliance_analysis.report.escape import csv_safe

FIX = Path(__file__).parent / "fixtures" / "audit"
EXTRA = ("r = -.47, p = .036. d = .43, p = .03. t(28) = -2.20, p = .036. F(2, 28) < 1, p = .35. "
         "r(18) = -.65, 95% CI [-.85, -.29], p = .002. z = 3.1, p = 1.2 × 10^-5. "
         "t(12) = 1.1, ns. t(30) = 0.00, p > .999. r(112) = 1.00, p < .001. "
         "t(20) = 2.1, p = -.03. chi2(1, N = 1,234) = 3.8, p = .05. Q(12) = 30.1, p = .003. "
         "t(1,234) = 2.0, p = .046. t(9) = 2.3, p = .000")


def _old_lines(doc, report) -> list[str]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in _rows(doc, report):
        w.writerow([_csv_cell(row.get(f)) for f in RESULT_FIELDS[1:]])
    return buf.getvalue().splitlines(keepends=True) if buf.getvalue() else []


@pytest.mark.parametrize("name", ["article.txt", "article.md", "article.html", "article.xml",
                                  "article.pdf", "article.docx"])
def test_fixture_rows_equal(name):
    doc = read_document(FIX / name)
    report = check_text(doc.text)
    assert "".join(render_rows(doc, report)) == "".join(_old_lines(doc, report))


@pytest.mark.parametrize("n", [None, 40])
def test_every_kind_of_row_equal(n):
    doc = read_bytes("x.txt", EXTRA.encode("utf-8"), "text")
    report = check_text(doc.text, n=n)
    assert len(report) >= 12
    assert "".join(render_rows(doc, report)) == "".join(_old_lines(doc, report))


@pytest.mark.parametrize("cell", ["-2.20", "-.5", "+3", "-5.", "-", "-.", "-1.2\u00d710^-5",
                                  "=1+1", "@x", "-\u00b2", "-\u0663", "=", "+1e5", "ok"])
def test_safe_column_is_csv_safe(cell):
    expected = cell if cell == "=" else csv_safe(cell)
    assert _safe_column([cell]) == [expected]
