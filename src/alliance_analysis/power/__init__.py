"""Power analysis for small alliance trials: exact, approximate (pwr) and Monte Carlo.

* :mod:`.exact` — Pearson r (exact distribution of r, or pwr's Fisher-z approximation) and the
  paired t-test (noncentral t): power, minimum detectable effect, sample size.
* :mod:`.montecarlo` — vectorised simulation of the real design (k alliance–outcome
  correlations, MCAR attrition, multiplicity correction).
* :mod:`.sensitivity` — the design sensitivity table (Levin 2024 n's by default).

Not imported by ``alliance_analysis/__init__``; scipy/pandas are imported inside functions.
"""

from __future__ import annotations

from .exact import (
    CorrelationPower,
    MinimumDetectableEffect,
    PairedPower,
    SampleSize,
    mde_dz,
    mde_r,
    pearson_r_pdf,
    pearson_r_sf,
    power_dz,
    power_r,
    r_critical,
    sample_size_dz,
    sample_size_r,
)
from .montecarlo import CORRECTIONS, SimulatedPower, adjust_pvalues, simulate_correlation_power
from .sensitivity import LEVIN2024_NS, sensitivity_table

__all__ = [
    "CORRECTIONS",
    "LEVIN2024_NS",
    "CorrelationPower",
    "MinimumDetectableEffect",
    "PairedPower",
    "SampleSize",
    "SimulatedPower",
    "adjust_pvalues",
    "mde_dz",
    "mde_r",
    "pearson_r_pdf",
    "pearson_r_sf",
    "power_dz",
    "power_r",
    "r_critical",
    "sample_size_dz",
    "sample_size_r",
    "sensitivity_table",
    "simulate_correlation_power",
]
