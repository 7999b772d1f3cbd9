"""Former home of claim computation, kept so ``alliance_analysis.reproduce.compute`` imports keep
working. The code is :mod:`alliance_analysis.claims.compute` (the claims layer, which both the
synthetic generator and the reproduction depend on)."""

from ..claims.compute import (
    STATUS_DIRECTION,
    STATUS_MISMATCH,
    STATUS_NA,
    STATUS_OK,
    ClaimResult,
    compute_claim,
    compute_claims,
    direction_status,
    family_adjusted_p,
    group_rows,
    path_numbers,
    regression_families,
    regression_model,
    regression_numbers,
)

__all__ = [
    "STATUS_DIRECTION",
    "STATUS_MISMATCH",
    "STATUS_NA",
    "STATUS_OK",
    "ClaimResult",
    "compute_claim",
    "compute_claims",
    "direction_status",
    "family_adjusted_p",
    "group_rows",
    "path_numbers",
    "regression_families",
    "regression_model",
    "regression_numbers",
]
