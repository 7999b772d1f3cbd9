"""Does a computed value reproduce a printed one? Decided at the printed precision.

A value reproduces ``printed`` when rounding it half away from zero to the printed number of
decimals gives the printed value (:func:`alliance_analysis.rounding.rounds_to`). A p value with a
comparator is checked as printed: ``p = .036`` needs p to round to .036; ``p < .001`` needs
p < .001; ``p >= .05`` (used for "not significant" claims) needs p >= .05.
"""

from __future__ import annotations

import math

from ..rounding import parse_printed, rounds_to
from .model import Claim


def p_holds(p: float, comparator: str, printed: str) -> bool:
    """Whether a computed p satisfies a printed p with its comparator."""
    if p is None or not math.isfinite(p):
        return False
    bound = parse_printed(printed)
    if comparator == "=":
        return rounds_to(p, printed)
    return {
        "<": p < bound,
        "<=": p <= bound,
        ">": p > bound,
        ">=": p >= bound,
    }[comparator]


def check_claim_value(claim: Claim, value: float | None, p: float | None = None) -> tuple[bool, str]:
    """Compare a computed statistic (and p) with the claim; returns (reproduced, reason)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return False, "statistic not computable"
    if claim.statistic == "N":
        ok = int(value) == int(parse_printed(claim.printed))
        return ok, "" if ok else f"N = {int(value)} vs printed {claim.printed}"
    if claim.analysis in ("significance", "group_difference"):
        ok = p_holds(value, claim.p_comparator or "=", claim.printed)
        return ok, "" if ok else f"p = {value:.6g} does not give p {claim.p_comparator} {claim.printed} ({claim.expected})"
    if claim.statistic == "p" and claim.analysis == "paired_change":
        ok = p_holds(value, claim.comparator, claim.printed)
        return ok, "" if ok else f"p = {value:.6g} does not give p {claim.comparator} {claim.printed}"
    if claim.comparator == "=":
        ok_value = rounds_to(value, claim.printed)
    else:
        ok_value = p_holds(value, claim.comparator, claim.printed)
    reasons = []
    if not ok_value:
        reasons.append(f"{claim.statistic} = {value:.6g} does not round to {claim.printed}")
    if claim.p_printed is not None:
        if not p_holds(p, claim.p_comparator or "=", claim.p_printed):
            reasons.append(f"p = {p if p is None else f'{p:.6g}'} does not give p {claim.p_comparator} {claim.p_printed}")
    return not reasons, "; ".join(reasons)
