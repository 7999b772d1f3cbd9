"""Base for the package's result objects: small, frozen, named fields, rendered later.

Like scipy.stats and statsmodels results, a result carries everything needed to render it
(``.apa()``, ``.to_frame()``, ``.summary()``, ``_repr_html_``) and nothing is rounded or turned
into text inside a computation.

The tidy shape of ``.to_frame()`` (one shape for every result class)
--------------------------------------------------------------------
One row per estimate. The index holds the estimate's label (``result.to_frame().loc["d_z"]``)
and so does the first column, ``term`` (so that frames concatenate and export without losing
it). The columns, always present and always in this order (:data:`TIDY_COLUMNS`), are:

============  =======================================================================
``term``      what the row estimates: ``d_z``, ``mean_diff``, ``r``, a model term, ``a``
``estimate``  the point estimate (unrounded)
``se``        its standard error (NaN where none is defined)
``ci_low``    lower end of the confidence interval (−inf for a one-sided "less" bound)
``ci_high``   upper end (+inf for a one-sided "greater" bound)
``confidence`` the interval's level (e.g. 0.95)
``statistic`` the test statistic of that row (t for every test here; NaN when no test)
``df``        its degrees of freedom (NaN when none)
``p``         the p-value of that row's test (NaN when the row has no test)
``method``    how the interval was computed (``t``, ``noncentral t``, ``Algina-Keselman``,
              ``Fisher z``, ``percentile bootstrap``, ...)
============  =======================================================================

A class may add columns *after* these, always the same ones whatever the options (they are
listed in its docstring), e.g. ``n`` for correlation matrices or ``variable`` for a batch of
paired tests. Column names never change with options: an interval that was not asked for is NaN,
it does not rename a column. ``to_dict()`` stays the flat dict of the fields (``x_ci`` tuples
become ``x_ci_lower``/``x_ci_upper``) that existing readers use.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The columns of every ``.to_frame()``, in this order (class-specific extras come after).
TIDY_COLUMNS: tuple[str, ...] = ("term", "estimate", "se", "ci_low", "ci_high", "confidence",
                                 "statistic", "df", "p", "method")

_NAN = float("nan")

#: rows shown by ``_repr_html_`` (a batch of 10,000 variables has 110,000 rows)
HTML_MAX_ROWS = 200


def estimate_row(term: str, estimate: float, se: float = _NAN,
                 ci: tuple[float, float] | None = None, confidence: float = _NAN,
                 statistic: float = _NAN, df: float = _NAN, p: float = _NAN,
                 method: str = "", **extra: Any) -> dict[str, Any]:
    """One tidy row (see the module docstring); missing parts are NaN, never absent."""
    lo, hi = ci if ci is not None else (_NAN, _NAN)
    row = {"term": term, "estimate": _f(estimate), "se": _f(se), "ci_low": _f(lo),
           "ci_high": _f(hi), "confidence": _f(confidence), "statistic": _f(statistic),
           "df": _f(df), "p": _f(p), "method": method}
    row.update(extra)
    return row


def _f(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return _NAN


def tidy_frame(rows: Iterable[Mapping[str, Any]], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """A DataFrame of tidy rows: :data:`TIDY_COLUMNS` then ``extra``, indexed by ``term``."""
    import pandas as pd

    rows = list(rows)
    columns = [*TIDY_COLUMNS, *extra]
    frame = pd.DataFrame(rows, columns=columns)
    if not rows:
        frame = frame.astype({c: float for c in TIDY_COLUMNS if c not in ("term", "method")})
    frame.index = pd.Index(frame["term"].astype(str).tolist())
    return frame


def _text_value(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.6g}"
    return str(value)


@dataclasses.dataclass(frozen=True)
class Result:
    """Mixin for frozen dataclass results.

    Subclasses implement :meth:`apa` and :meth:`_rows` (the tidy rows of :meth:`to_frame`);
    :meth:`summary` and :meth:`_repr_html_` are built from those two and the scalar fields.
    """

    #: class-specific columns appended after :data:`TIDY_COLUMNS` (fixed per class)
    _extra_columns: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # a subclass field named like one of these methods (e.g. a ``summary`` field) must not
        # take the inherited method as its dataclass default: the field then shadows the method
        super().__init_subclass__(**kwargs)
        for name in cls.__dict__.get("__annotations__", {}):
            if name not in cls.__dict__ and callable(getattr(Result, name, None)):
                setattr(cls, name, dataclasses.MISSING)

    def to_dict(self) -> dict[str, Any]:
        """Scalar fields as a flat dict (nested results are flattened as ``field.sub``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Result):
                out.update({f"{f.name}.{k}": v for k, v in value.to_dict().items()})
            elif isinstance(value, tuple) and len(value) == 2 and all(
                isinstance(v, (int, float)) for v in value
            ):
                out[f"{f.name}_lower"], out[f"{f.name}_upper"] = value
            else:
                out[f.name] = value
        return out

    def _rows(self) -> list[dict[str, Any]] | None:
        """Tidy rows (see :func:`estimate_row`). Every result class of the package defines them
        (or, for a columnar result such as ``audit.AuditReport``, builds the same frame in its
        own :meth:`to_frame`); ``None`` (the default) keeps the earlier one-row frame of
        :meth:`to_dict` for a class that has not adopted the tidy shape yet."""
        return None

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per estimate (shape in the module docstring)."""
        rows = self._rows()
        if rows is None:
            import pandas as pd

            return pd.DataFrame([self.to_dict()])
        return tidy_frame(rows, self._extra_columns)

    def apa(self) -> str:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def _header(self) -> list[tuple[str, str]]:
        """(name, value) pairs shown above the table in :meth:`summary`: the scalar fields that
        are not estimates (n, method, options)."""
        frame = self.to_frame()
        shown = set(frame["term"]) if "term" in frame.columns else set()
        out = []
        for key, value in self.to_dict().items():
            if key in shown or key.endswith(("_lower", "_upper")):
                continue
            if isinstance(value, (str, int, float, bool)) or value is None:
                out.append((key, _text_value(value)))
        return out

    def summary(self) -> str:
        """Plain-text summary: the class name, the design fields, the tidy table and the APA line."""
        frame = self.to_frame()
        lines = [type(self).__name__]
        lines += [f"  {k}: {v}" for k, v in self._header()]
        if len(frame):
            shown = frame.drop(columns=["term"], errors="ignore")
            with _pd_options():
                lines += ["", shown.to_string(float_format=lambda v: f"{v:.4g}")]
        try:
            lines += ["", self.apa()]
        except NotImplementedError:
            pass
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook view: the tidy table as HTML with every text cell escaped."""
        frame = self.to_frame()
        esc = html.escape
        head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
        body = []
        for row in frame.head(HTML_MAX_ROWS).itertuples(index=False):
            cells = "".join(f"<td>{esc(_text_value(v))}</td>" for v in row)
            body.append(f"<tr>{cells}</tr>")
        if len(frame) > HTML_MAX_ROWS:
            body.append(f"<tr><td>… {len(frame) - HTML_MAX_ROWS:,} more rows: use "
                        ".to_frame()</td></tr>")
        meta = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in self._header())
        try:
            apa = f"<p>{esc(self.apa())}</p>".replace("\n", "<br>")
        except NotImplementedError:
            apa = ""
        return (f"<div><strong>{esc(type(self).__name__)}</strong><ul>{meta}</ul>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"{apa}</div>")

    def __str__(self) -> str:
        try:
            return self.apa()
        except NotImplementedError:
            return repr(self)


class _pd_options:
    """Wide, untruncated text tables inside :meth:`Result.summary`."""

    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 50,
                                      "display.max_rows", 200)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
