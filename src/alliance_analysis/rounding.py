"""Rounding as printed in papers, and the intervals that printed values stand for.

Papers round half away from zero on the decimal value a person reads (SPSS, R's ``sprintf`` on
most values, APA manuals). Python's ``round``/``format`` round half to even on the *binary* value,
so ``round(0.125, 2) == 0.12``; here ``round_half_away(0.125, 2) == 0.13``. Every place that
prints a statistic or compares a computed value with a printed one uses these functions.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def round_half_away(x: float, digits: int) -> float:
    """Round ``x`` to ``digits`` decimals, ties away from zero, on its shortest decimal repr."""
    if x is None or not math.isfinite(x):
        return x
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def format_fixed(x: float, digits: int) -> str:
    """``x`` with exactly ``digits`` decimals (ties away from zero); never prints ``-0.00``."""
    if x is None or not math.isfinite(x):
        return "NaN" if x is None or math.isnan(x) else ("inf" if x > 0 else "-inf")
    q = Decimal(1).scaleb(-digits)
    d = Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)
    return f"{d:.{digits}f}"


def decimals_of(printed: str) -> int:
    """Number of decimals in a printed number: ``"-.65"`` → 2, ``"0.001"`` → 3, ``"24"`` → 0."""
    text = printed.strip().lstrip("<>=≤≥ ").replace("−", "-")
    if "e" in text.lower():
        raise ValueError(f"scientific notation is not a printed precision: {printed!r}")
    return len(text.split(".", 1)[1]) if "." in text else 0


def parse_printed(printed: str) -> float:
    """Value of a printed number; accepts a missing leading zero and the unicode minus."""
    text = printed.strip().replace("−", "-").replace("–", "-")
    try:
        return float(Decimal(text))
    except InvalidOperation as exc:
        raise ValueError(f"not a printed number: {printed!r}") from exc


def rounding_interval(printed: str) -> tuple[float, float]:
    """Closed interval of true values that round (half away from zero) to ``printed``.

    ``"-.65"`` → (-0.655, -0.645). The end that is the tie belongs to the value farther from
    zero; for comparisons the half-open detail is handled by :func:`rounds_to`.
    """
    value = parse_printed(printed)
    half = 0.5 * 10.0 ** (-decimals_of(printed))
    return value - half, value + half


def rounds_to(x: float, printed: str) -> bool:
    """True when ``x`` rounded at the printed precision equals the printed value."""
    if x is None or not math.isfinite(x):
        return False
    digits = decimals_of(printed)
    return round_half_away(x, digits) == round_half_away(parse_printed(printed), digits)
