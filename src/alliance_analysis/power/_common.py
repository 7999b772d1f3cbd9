"""Shared validation and wording for :mod:`alliance_analysis.power` (no heavy imports)."""

from __future__ import annotations

import math
from typing import Literal

from ..apa import fmt_bounded
from ..errors import InputError

Alternative = Literal["two-sided", "greater", "less"]

_ALTERNATIVES = {
    "two-sided": "two-sided", "two.sided": "two-sided", "two_sided": "two-sided",
    "two-tailed": "two-sided", "greater": "greater", "larger": "greater", "less": "less",
    "smaller": "less",
}


def check_alternative(alternative: str) -> Alternative:
    """Normalise ``alternative`` (R's ``two.sided`` and statsmodels' ``larger`` are accepted)."""
    key = str(alternative).strip().lower()
    if key not in _ALTERNATIVES:
        raise InputError("unknown alternative", value=alternative,
                         hint="Use 'two-sided', 'greater' or 'less'")
    return _ALTERNATIVES[key]  # type: ignore[return-value]


def check_alpha(alpha: float, name: str = "alpha") -> float:
    alpha = float(alpha)
    if not (math.isfinite(alpha) and 0.0 < alpha < 1.0):
        raise InputError(f"{name} must be strictly between 0 and 1", value=alpha)
    return alpha


def check_power(power: float, alpha: float) -> float:
    power = float(power)
    if not (math.isfinite(power) and 0.0 < power < 1.0):
        raise InputError("target power must be strictly between 0 and 1", value=power)
    if power <= alpha:
        raise InputError("target power must exceed alpha (power at a null effect equals alpha)",
                         value=power)
    return power


def check_n(n: float, minimum: int, what: str, allow_real: bool = False) -> float:
    try:
        value = float(n)
    except (TypeError, ValueError):
        raise InputError(f"n must be a number ({what})", value=n) from None
    if not math.isfinite(value) or value < minimum:
        raise InputError(f"n must be at least {minimum} for {what}", value=n)
    if not allow_real and value != int(value):
        raise InputError("n must be a whole number of participants", value=n)
    return value if allow_real else int(value)


def check_rho(rho: float) -> float:
    rho = float(rho)
    if not (math.isfinite(rho) and -1.0 < rho < 1.0):
        raise InputError("the correlation rho must be strictly between -1 and 1", value=rho)
    return rho


def check_dz(d_z: float) -> float:
    d_z = float(d_z)
    if not math.isfinite(d_z):
        raise InputError("d_z must be a finite number", value=d_z)
    return d_z


def fmt_alpha(alpha: float) -> str:
    """``.05``, ``.01``, ``.005``: at least two decimals, more when needed (at most four)."""
    for digits in (2, 3, 4):
        if abs(round(alpha, digits) - alpha) < 1e-12:
            break
    return fmt_bounded(alpha, digits)


def fmt_power(power: float) -> str:
    """Power as a bounded statistic (``.64``); ``> .99`` when it would print as 1.00."""
    text = fmt_bounded(power, 2)
    if text == "1.00" and power < 1.0:
        return "> .99"
    if text == ".00" and power > 0.0:
        return "< .01"
    return text


def sided_phrase(alternative: str) -> str:
    return {"two-sided": "two-sided", "greater": "one-sided (greater)",
            "less": "one-sided (less)"}[alternative]
