"""Reproduce a paper: compute every registered claim from a dataset and compare.

``compute_claims(registries, wide)`` is the engine (pure: data in, results out);
:mod:`.pipeline` adds loading, the audit of the printed numbers, tables, figures and the report.
Adding a paper means adding a claims registry and a reproduction spec (``specs/NAME.toml``).
"""

from ..claims.compute import ClaimResult, compute_claim, compute_claims

__all__ = ["ClaimResult", "compute_claim", "compute_claims"]
