"""results.csv lines built column-wise in the workers equal the row-by-row path they replace."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from alliance_analysis.audit import check_text
from alliance_analysis.audit.corpus import (
    RESULT_FIELDS,
    _csv_cell,
    _csv_rows,
    _float_column,
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


def _clean(v):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _rows(doc, report) -> list[dict]:
    """The row-by-row path the column-wise lines replaced (one dict per result): the reference."""
    rows = []
    for d in report.iter_dicts():
        start, end = d["start"], d["end"]
        notes = list(d["notes"])
        if doc.repairs:
            notes += [f"repaired: {r}" for r in doc.repairs_in(start, end)]
        ci = f"{d['ci_level']}% CI [{d['ci_low']}, {d['ci_high']}]" if d["ci_level"] else ""
        undetermined = d["status"] == "undetermined"
        err = d["error"]
        rows.append({
            "location": doc.location(start), "offset": start, "source_text": d["raw"],
            "test": d["test_type"], "df1": d["df1"], "df2": d["df2"],
            "test_comparison": d["test_comparison"], "value": _clean(d["value"]),
            "statistic": d["statistic"], "p_comparison": d["p_comparison"],
            "reported_p_text": d["reported_p_text"], "reported_p": d["reported_p"],
            "computed_p": d["computed_p"], "p_low": d["p_low"], "p_high": d["p_high"],
            "tails": d["tails"],
            "error": None if undetermined and not err else (None if err is None else bool(err)),
            "decision_error": None if undetermined else bool(d["decision_error"]),
            "status": d["status"], "consistent_n": d["consistent_n"] or "", "ci": ci,
            "ci_check": d["ci_check"], "ci_note": d["ci_note"], "notes": "; ".join(notes),
        })
    return rows


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


def _writer_lines(columns) -> list[str]:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(zip(*columns, strict=True))
    return buf.getvalue().splitlines(keepends=True) if buf.getvalue() else []


def test_csv_rows_equal_csv_writer_on_awkward_cells():
    import random

    rng = random.Random(7)
    alphabet = ["a", "1", ",", '"', "\n", "\r", " ", "\x00", "\u00e9", "\u2028", "-", "=", ";"]
    for _ in range(2000):
        k, m = rng.randint(1, 4), rng.randint(1, 4)
        cols = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
                 for _ in range(k)] for _ in range(m)]
        if rng.random() < 0.3:
            cols[0] = [rng.randint(-5, 5) for _ in range(k)]
        if rng.random() < 0.1:
            cols[-1][0] = None  # not text: written by csv itself
        expected = _writer_lines(cols)
        got = _csv_rows(cols)
        # splitlines also splits inside quoted cells: compare the whole text
        assert "".join(got) == "".join(expected)
        assert len(got) == k


def test_float_column_formats_like_csv_cell():
    values = [0.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 1 / 3, 1e-300, 2.0,
              -0.0, 0.0, 5.0]
    for finite_only in (False, True):
        for repeating in (False, True):
            got = _float_column(values * 2, finite_only=finite_only, repeating=repeating)
            want = ["" if (v != v or (finite_only and v in (float("inf"), -float("inf"))))
                    else f"{v:.12g}" for v in values * 2]
            assert got == want
