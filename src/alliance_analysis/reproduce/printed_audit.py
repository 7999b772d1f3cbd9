"""Audit of the published numbers themselves (no data needed).

For every printed correlation with a p value: the set of n for which (r, p) is consistent given
both roundings (two- and one-tailed). For every printed paired d with its p: which d formulas
fit at which n, and the pre-post correlation each r-dependent formula would need at the
registry's n. Verdicts are flagged when the registry's n or assumed formula does not fit.
"""

from __future__ import annotations

from typing import Any

from ..claims.model import Registry


def _p_text(comparator: str | None, printed: str) -> str:
    return printed if comparator in (None, "=") else f"{comparator} {printed}"


def audit_printed_claims(registries: tuple[Registry, ...], n_max: int = 1000) -> list[dict[str, Any]]:
    """One row per audited claim: claim_id, kind, verdict (text), flag (bool)."""
    from ..audit import consistent_n_for_r, d_formula_consistency
    from ..audit.nsearch import format_ranges

    rows: list[dict[str, Any]] = []
    for reg in registries:
        for c in reg.claims:
            if c.analysis == "correlation" and c.p_printed:
                res = consistent_n_for_r(c.printed, _p_text(c.p_comparator, c.p_printed), n_max=n_max)
                fits = c.n is None or res.includes(c.n)
                verdict = (f"r = {c.printed}, p {c.p_comparator} {c.p_printed}: consistent for "
                           f"n = {format_ranges(res.two_tailed)} two-tailed, "
                           f"n = {format_ranges(res.one_tailed)} one-tailed")
                if c.n is not None:
                    verdict += f"; registry n = {c.n} ({c.n_status}) {'fits' if fits else 'does NOT fit'}"
                rows.append({"claim_id": c.id, "kind": "r-p-n", "verdict": verdict, "flag": not fits})
        # paired d printed together with a p for the same change
        paired = [c for c in reg.claims if c.analysis == "paired_change"]
        for d_claim in (c for c in paired if c.statistic == "d"):
            p_claims = [c for c in paired if c.statistic == "p" and (c.pre, c.post) == (d_claim.pre, d_claim.post)]
            if not p_claims:
                continue
            p_claim = p_claims[0]
            top = max(d_claim.n or 0, 24)
            res = d_formula_consistency(d_claim.printed, _p_text(p_claim.comparator, p_claim.printed),
                                        n_min=3, n_max=top)
            parts = [f"d = {d_claim.printed}, p {p_claim.comparator} {p_claim.printed} (n 3-{top}):"]
            for key, ranges in res.n_ranges:
                parts.append(f"{key} n = {format_ranges(ranges)}")
            flag = False
            if d_claim.n is not None:
                n = d_claim.n
                fits = res.consistent(d_claim.formula, n)
                flag = not fits
                parts.append(f"registry: {d_claim.formula} ({d_claim.formula_status}) at n = {n} "
                             f"{'fits' if fits else 'does NOT fit'}")
                if d_claim.formula != "d_z" and fits:
                    lo, hi = res.r_interval(d_claim.formula, n)
                    parts.append(f"needs a pre-post r in [{lo:.3f}, {hi:.3f}] (equal SDs)")
            rows.append({"claim_id": d_claim.id, "kind": "d-formula", "verdict": "; ".join(parts), "flag": flag})
    return rows
