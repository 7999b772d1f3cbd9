"""Meta-analysis of alliance-outcome correlations (and any effect size with its variance).

``meta_analysis(r=..., n=...)`` pools correlations on Fisher's z scale with fixed or random
effects (τ² by REML, ML, DerSimonian-Laird or Paule-Mandel; Knapp-Hartung optional), or a
three-level model when ``study`` repeats; results carry Q, I², H², the Q-profile CI of τ², the
prediction interval, leave-one-out and Egger's test. Formulas and references: docs/meta.md.
"""

from .analysis import EggerResult, MetaResult, egger_test, leave_one_out_batch, meta_analysis
from .effects import fisher_z, hedges_j, smd_independent, smd_paired

__all__ = [
    "EggerResult",
    "MetaResult",
    "egger_test",
    "fisher_z",
    "hedges_j",
    "leave_one_out_batch",
    "meta_analysis",
    "smd_independent",
    "smd_paired",
]
