"""APA 7 number and statistic formatting: a foundation module every layer may use (like rounding).

Rules (APA Publication Manual, 7th ed., §6.36 and §6.40, and common journal practice):

* statistics that cannot exceed 1 in absolute value (r, p, β, R², proportions) are printed
  without a leading zero: ``r = -.65``, ``β = -.22``;
* p is printed exactly to 3 decimals (``p = .027``), as ``p < .001`` below .001 and ``p > .999``
  above .999;
* other statistics keep the leading zero: ``t(19) = 2.31``, ``d_z = 0.52``;
* confidence intervals as ``95% CI [0.05, 0.98]``.

Rounding is half away from zero on the decimal value (:mod:`alliance_analysis.rounding`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .rounding import format_fixed

__all__ = [
    "fmt_number",
    "fmt_bounded",
    "fmt_p",
    "fmt_df",
    "fmt_ci",
    "apa_r",
    "apa_t",
    "apa_f",
    "apa_estimate",
]


def fmt_number(x: float, digits: int = 2) -> str:
    """A statistic that keeps its leading zero: ``0.52``, ``-2.31``."""
    return format_fixed(x, digits)


def fmt_bounded(x: float, digits: int = 2) -> str:
    """A statistic bounded by ±1, without leading zero: ``-.65``, ``.43``, ``1.00``."""
    text = format_fixed(x, digits)
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def fmt_p(p: float, digits: int = 3, with_sign: bool = True) -> str:
    """p as ``= .027``, ``< .001``, ``> .999`` (``with_sign=False`` drops a leading ``=``)."""
    if p is None or not math.isfinite(p):
        return "= NaN" if with_sign else "NaN"
    floor = 10.0 ** (-digits)
    if p < floor:
        return f"< {fmt_bounded(floor, digits)}"
    if p > 1 - floor:
        return f"> {fmt_bounded(1 - floor, digits)}"
    text = fmt_bounded(p, digits)
    return f"= {text}" if with_sign else text


def fmt_df(df: float) -> str:
    """Degrees of freedom: integer when whole (``18``), else two decimals (``17.43``)."""
    if df is None or not math.isfinite(df):
        return "NaN"
    return str(int(round(df))) if abs(df - round(df)) < 1e-9 else format_fixed(df, 2)


def fmt_ci(lower: float, upper: float, digits: int = 2, bounded: bool = False) -> str:
    """``[0.05, 0.98]`` (or ``[-.15, .90]`` when ``bounded``)."""
    f = fmt_bounded if bounded else fmt_number
    return f"[{f(lower, digits)}, {f(upper, digits)}]"


def _ci_part(ci: Sequence[float] | None, level: float, digits: int, bounded: bool) -> str:
    if ci is None:
        return ""
    pct = format_fixed(100 * level, 0) if abs(100 * level - round(100 * level)) < 1e-9 else f"{100 * level:g}"
    return f", {pct}% CI {fmt_ci(ci[0], ci[1], digits, bounded)}"


def apa_r(r: float, df: float, p: float, ci: Sequence[float] | None = None,
          level: float = 0.95, digits: int = 2, name: str = "r") -> str:
    """``r(18) = -.65, p = .002`` (optionally with ``, 95% CI [-.85, -.29]`` after r)."""
    return f"{name}({fmt_df(df)}) = {fmt_bounded(r, digits)}{_ci_part(ci, level, digits, True)}, p {fmt_p(p)}"


def apa_t(t: float, df: float, p: float, digits: int = 2) -> str:
    """``t(19) = 2.31, p = .031``."""
    return f"t({fmt_df(df)}) = {fmt_number(t, digits)}, p {fmt_p(p)}"


def apa_f(f: float, df1: float, df2: float, p: float, digits: int = 2) -> str:
    """``F(1, 20) = 5.12, p = .035``."""
    return f"F({fmt_df(df1)}, {fmt_df(df2)}) = {fmt_number(f, digits)}, p {fmt_p(p)}"


def apa_estimate(name: str, value: float, ci: Sequence[float] | None = None,
                 level: float = 0.95, digits: int = 2, bounded: bool = False) -> str:
    """``d_z = 0.52, 95% CI [0.05, 0.98]``; ``bounded=True`` for β, R² etc. (no leading zero)."""
    f = fmt_bounded if bounded else fmt_number
    return f"{name} = {f(value, digits)}{_ci_part(ci, level, digits, bounded)}"
