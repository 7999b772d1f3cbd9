"""The one escaping path for text the package writes into HTML and spreadsheets.

* :func:`escape_html` is the function jinja2's autoescape applies in the report template
  (``markupsafe.escape``: ``& < > " '`` become entities), so report pages and table fragments
  escape text the same way. Text can then never open an element or an attribute.
* :func:`html_comment` makes text safe inside ``<!-- ... -->`` (escaped, and no ``--``, so the
  comment cannot be closed early; HTML 5, "Comments").
* :func:`csv_safe` neutralises a text cell that a spreadsheet would run as a formula (starting
  with ``=``, ``+``, ``-``, ``@``, tab or carriage return, and not a number) with a leading
  apostrophe (OWASP, "CSV Injection").

markupsafe ships with jinja2 (already a dependency); it is imported inside the functions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["escape_html", "html_comment", "csv_safe", "safe_frame", "csv_quoting", "FORMULA_START"]

#: first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def escape_html(text: Any) -> str:
    """``text`` (any object, via ``str``) escaped for HTML text and quoted attribute values."""
    from markupsafe import escape

    return str(escape(str(text)))


def html_comment(text: Any) -> str:
    """``text`` escaped for the inside of an HTML comment: no ``>`` and no ``--``."""
    safe = escape_html(" ".join(str(text).split()))
    while "--" in safe:
        safe = safe.replace("--", "- -")
    return safe


def csv_safe(text: Any) -> Any:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula.

    Numbers written as text (``-4.84``, ``+1``) are left alone: a spreadsheet reads them as numbers.
    Non-strings are returned unchanged.
    """
    if not isinstance(text, str) or not text.startswith(FORMULA_START):
        return text
    if _NUMBER.match(text.strip()):
        return text
    return "'" + text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a spreadsheet formula."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith(("string", "str", "category")):
            safe[col] = safe[col].astype(object).map(csv_safe)
    safe.columns = [csv_safe(str(c)) for c in safe.columns]
    return safe


def csv_quoting(frame: pd.DataFrame) -> int:
    """The ``csv`` quoting for ``frame``: minimal, unless a text cell or header holds a carriage
    return, which the minimal rule leaves unquoted under ``\n`` line ends (a reader would split
    the row there); then every text cell is quoted."""
    import csv

    cols = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype).startswith(
        ("string", "str", "category"))]
    texts = [str(c) for c in frame.columns]
    for c in cols:
        texts += [v for v in frame[c].astype(object) if isinstance(v, str)]
    return csv.QUOTE_NONNUMERIC if any("\r" in t for t in texts) else csv.QUOTE_MINIMAL
