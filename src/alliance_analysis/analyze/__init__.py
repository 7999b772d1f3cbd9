"""Analyse a trial's own alliance data with one plan: ``alliance-analysis analyze``.

Example::

    from alliance_analysis.analyze import run_analysis, write_outputs
    run = run_analysis("trial.csv", "mapping.toml", plan="plan.toml")   # or plan=None (default)
    write_outputs(run, "out/analysis")

Modules: :mod:`.plan` (plan schema, validation, defaults), :mod:`.run` (executing the plan into
frozen results), :mod:`.tables` (APA tables), :mod:`.methods_text` (the methods paragraph),
:mod:`.outputs` (files and report), :mod:`.progress` (terminal progress bar). Not imported by
``alliance_analysis`` itself (it needs pandas). See docs/analyze.md.
"""

from __future__ import annotations

from .plan import (
    ALLIANCE_PREFIXES,
    ANALYSES,
    EXPERIENCE_INSTRUMENTS,
    SCHEMA,
    AnalysisPlan,
    PlanSpec,
    default_roles,
    read_plan,
    resolve_plan,
)
from .run import (
    AnalysisRun,
    ChangeAnalysis,
    CorrelationAnalysis,
    MediationAnalysis,
    RegressionAnalysis,
    ResultRow,
    data_notice,
    run_analysis,
    run_plan,
)

__all__ = [
    "ALLIANCE_PREFIXES",
    "ANALYSES",
    "EXPERIENCE_INSTRUMENTS",
    "SCHEMA",
    "AnalysisPlan",
    "AnalysisRun",
    "ChangeAnalysis",
    "CorrelationAnalysis",
    "MediationAnalysis",
    "PlanSpec",
    "RegressionAnalysis",
    "ResultRow",
    "data_notice",
    "default_roles",
    "read_plan",
    "resolve_plan",
    "run_analysis",
    "run_plan",
    "write_outputs",
]


def write_outputs(run, out, versions=None):
    """Write every output of ``run`` under ``out`` (see :func:`.outputs.write_outputs`)."""
    from .outputs import write_outputs as _write

    return _write(run, out, versions)
