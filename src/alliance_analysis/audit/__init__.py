"""Audit printed statistics for internal consistency (a corrected, vectorised statcheck).

Public API::

    from alliance_analysis.audit import (check_text, check_result, consistent_n_for_r,
                                         d_formula_consistency)

Rules restate statcheck (Nuijten et al., 2016, Behav. Res. Methods 48:1205-1226; R v1.6.0);
paired-d formulas follow Lakens (2013), Front. Psychol. 4:863. See docs/audit.md.
scipy is imported only inside the functions that compute p.
"""

from __future__ import annotations

from .check import AuditReport, CheckedResult, SkippedResult, check_result, check_text
from .nsearch import DFormulaConsistency, RNSearch, consistent_n_for_r, d_formula_consistency
from .parse import parse_text

__all__ = [
    "check_text",
    "check_result",
    "consistent_n_for_r",
    "d_formula_consistency",
    "parse_text",
    "AuditReport",
    "CheckedResult",
    "SkippedResult",
    "RNSearch",
    "DFormulaConsistency",
]
