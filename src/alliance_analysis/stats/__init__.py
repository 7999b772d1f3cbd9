"""Statistics used to reproduce and analyse alliance results.

Every function returns a frozen :class:`~alliance_analysis.results.Result` carrying unrounded
numbers, ``n`` and ``n_dropped``; ``.apa()`` renders through :mod:`alliance_analysis.apa`.
numpy and pandas are imported here; scipy and statsmodels only inside the functions.
"""

from __future__ import annotations

from .correlation import (
    CorrelationMatrixResult,
    CorrelationResult,
    correlate,
    correlation_matrix,
    partial_correlate,
)
from .effect_sizes import (
    d_av_from_summary,
    d_av_from_t,
    d_b_from_t,
    d_rm_from_dz,
    d_rm_from_t,
    d_z_from_t,
    hedges_j,
    ncp_ci,
    ncp_ci_many,
    pingouin_paired_hedges_factor,
    sd_diff_from_sds,
)
from .groups import TwoSampleResult, welch_ttest
from .mediation import MediationResult, mediate
from .mixed import MixedModelResult, mixed_model
from .multiplicity import adjust_pvalues
from .paired import PairedTTestBatch, PairedTTestResult, paired_ttest
from .regression import (
    HierarchicalRegressionResult,
    RegressionResult,
    hierarchical_regress,
    regress,
)

# (the function reliability() is not re-exported here: it would hide the submodule of the same
# name; use alliance_analysis.reliability or alliance_analysis.stats.reliability.reliability)
from .reliability import ReliabilityResult, feldt_ci

__all__ = [
    "ReliabilityResult",
    "feldt_ci",
    "CorrelationMatrixResult",
    "CorrelationResult",
    "HierarchicalRegressionResult",
    "MediationResult",
    "MixedModelResult",
    "PairedTTestBatch",
    "PairedTTestResult",
    "RegressionResult",
    "TwoSampleResult",
    "adjust_pvalues",
    "correlate",
    "correlation_matrix",
    "d_av_from_summary",
    "d_av_from_t",
    "d_b_from_t",
    "d_rm_from_dz",
    "d_rm_from_t",
    "d_z_from_t",
    "hedges_j",
    "hierarchical_regress",
    "mediate",
    "mixed_model",
    "ncp_ci",
    "ncp_ci_many",
    "paired_ttest",
    "partial_correlate",
    "pingouin_paired_hedges_factor",
    "regress",
    "sd_diff_from_sds",
    "welch_ttest",
]
