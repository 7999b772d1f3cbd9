"""Report tables for model-based claims: a significance pattern under several corrections, the
readings of "variance accounted for", and path models with bootstrap indirect effects.

When a paper says "significant, but not after correction" without naming the correction, or
"accounted for 24-29% of the variance" without saying of what, the registry records the reading
it assumes; these tables show every candidate reading side by side so a reader sees which ones
reproduce the printed result (on the data at hand: on synthetic data the answer reflects the
generator's construction choices, not the paper).
"""

from __future__ import annotations

from typing import Any

from ..claims import Claim
from ..errors import AllianceAnalysisError
from ..report.tables import bounded_cell, p_cell
from .pipeline import ReproductionRun

#: corrections compared for a family of regression tests (registry / statsmodels names)
PATTERN_METHODS = (("none", "uncorrected"), ("bonferroni", "Bonferroni"), ("holm", "Holm"),
                   ("fdr_bh", "Benjamini-Hochberg"))


def _claims(run: ReproductionRun) -> list[Claim]:
    return [c for reg in run.registries for c in reg.claims]


def _alpha(claim: Claim) -> float:
    from ..rounding import parse_printed

    return parse_printed(claim.printed)


def _rows(claim: Claim, wide):
    """The claim's rows (its arm); a missing ``arm`` column is a missing column (KeyError)."""
    from ..claims.compute import group_rows

    rows = group_rows(wide, claim.group)
    if rows is None:
        raise KeyError("arm")
    return rows


def _expected_significant(claim: Claim, method: str) -> bool | None:
    """What the paper's wording implies for this method (None: the paper says nothing)."""
    if method == "none":
        if claim.uncorrected_expected:
            return claim.uncorrected_expected == "significant"
        # significant after correction implies significant before; n.s. before is not implied
        return True if claim.expected == "significant" else None
    return claim.expected == "significant"


def regression_pattern_tables(run: ReproductionRun) -> list[Any]:
    """One table per correction family: raw and adjusted p of every model under each method,
    and whether each method reproduces the printed pattern."""
    import numpy as np
    import pandas as pd

    from ..claims.compute import regression_families, regression_model, regression_numbers
    from ..report.tables import ApaTable
    from ..stats import adjust_pvalues

    tables = []
    for family, members in regression_families(_claims(run)).items():
        nums = []
        for c in members:
            try:
                nums.append(regression_numbers(regression_model(c, _rows(c, run.wide)), c.predictor))
            except (KeyError, AllianceAnalysisError):
                nums.append(None)
        if any(n is None for n in nums):
            continue
        raw = np.array([n["p"] for n in nums])
        adjusted = {m: (raw if m == "none" else adjust_pvalues(raw, m)) for m, _ in PATTERN_METHODS}
        verdicts = {}
        for m, _ in PATTERN_METHODS:
            ok = []
            for c, p in zip(members, adjusted[m], strict=True):
                want = _expected_significant(c, m)
                ok.append(want is None or (p < _alpha(c)) == want)
            verdicts[m] = all(ok)
        columns = ["claim", "outcome", "predictor", "n", "β", "ΔR²", "F-change"]
        columns += [f"p ({label})" for _, label in PATTERN_METHODS] + ["printed"]
        rows, data = [], []
        for c, n, i in zip(members, nums, range(len(members)), strict=True):
            printed = c.published_text + (f", {c.direction}" if c.direction else "")
            rows.append((c.id, run.spec.label(c.outcome), run.spec.label(c.predictor), str(n["n"]),
                         bounded_cell(n["beta"], 2), bounded_cell(n["delta_r2"], 3),
                         f"F({n['df1']:.0f}, {n['df']:.0f}) = {n['f_change']:.2f}",
                         *(p_cell(adjusted[m][i]) for m, _ in PATTERN_METHODS), printed))
            data.append({"claim_id": c.id, "outcome": c.outcome, "predictor": c.predictor,
                         "n": n["n"], "beta": n["beta"], "delta_r2": n["delta_r2"],
                         "f_change": n["f_change"], "df1": n["df1"], "df2": n["df"],
                         **{f"p_{m}": float(adjusted[m][i]) for m, _ in PATTERN_METHODS}})
        declared = members[0].correction or "none"
        fits = [label for m, label in PATTERN_METHODS[1:] if verdicts[m]]
        note = (f"Family '{family}': {len(members)} tests; alpha = {_alpha(members[0]):g}. Correction declared in the "
                f"registry: {declared} ({members[0].correction_status or 'printed'}). Methods whose "
                f"adjusted p reproduce the printed pattern on these data: "
                f"{', '.join(fits) if fits else 'none'}. "
                "Which method reproduces depends on the unprinted raw p values"
                + ("; on synthetic data it reflects the generator's construction, not the paper."
                   if run.synthetic else "."))
        tables.append(ApaTable(
            title="Significance pattern of the baseline-adjusted models under each correction",
            note=note, columns=tuple(columns), rows=tuple(rows), data=pd.DataFrame(data),
            name=f"pattern_{family}"))
    return tables


def variance_readings_table(run: ReproductionRun) -> Any | None:
    """Every variance-explained claim under three readings: step-2 ΔR², squared bivariate r and
    squared partial correlation (ΔR² / (1 − R² of step 1)), with whether each rounds to the
    printed percentage."""
    import pandas as pd

    from ..claims.compute import regression_model
    from ..report.tables import ApaTable
    from ..rounding import rounds_to
    from ..stats import correlate

    claims = {c.id: c for c in _claims(run)}
    rows, data = [], []
    for c in claims.values():
        if c.analysis != "variance_explained":
            continue
        readings: dict[str, list[float]] = {"delta_r2": [], "r_squared": [], "partial_r2": []}
        try:
            for mid in c.models:
                mc = claims[mid]
                wide = _rows(mc, run.wide)
                model = regression_model(mc, wide)
                last = model.changes.iloc[-1]
                r2_step1 = float(model.changes.iloc[0]["r2"]) if len(model.changes) > 1 else 0.0
                readings["delta_r2"].append(float(last["delta_r2"]))
                readings["partial_r2"].append(float(last["delta_r2"]) / (1.0 - r2_step1))
                r = correlate(wide[mc.predictor].to_numpy(float), wide[mc.outcome].to_numpy(float)).r
                readings["r_squared"].append(r * r)
        except (KeyError, AllianceAnalysisError):
            continue
        pick = min if c.bound == "min" else max
        cells, record = [], {"claim_id": c.id, "printed": c.printed, "bound": c.bound,
                             "registry_reading": c.reading}
        for key, values in readings.items():
            value = 100.0 * pick(values)
            ok = rounds_to(value, c.printed)
            cells.append(f"{value:.1f}% {'(reproduces)' if ok else ''}".strip())
            record[f"{key}_percent"] = value
            record[f"{key}_reproduces"] = ok
        rows.append((c.id, f"{c.bound} {c.printed}%", ", ".join(c.models), c.reading or "", *cells))
        data.append(record)
    if not rows:
        return None
    return ApaTable(
        title="\"Variance accounted for\": the printed percentage under each reading",
        note=("ΔR² = R² gained when alliance enters after the baseline outcome; r² = squared "
              "bivariate correlation of alliance with the outcome; partial r² = ΔR² / (1 − R² of "
              "step 1). The registry's reading decides the claim status; the others are shown "
              "because the paper's reading was not printed."),
        columns=("claim", "printed", "models", "registry reading", "ΔR²", "r²", "partial r²"),
        rows=tuple(rows), data=pd.DataFrame(data), name="variance_readings")


def path_models_table(run: ReproductionRun) -> Any | None:
    """Each distinct path model of the path claims: standardized a, b, c', R² of both equations
    and the bootstrap indirect effect (:func:`alliance_analysis.stats.mediate`; resamples, seed
    and CI method from the reproduction spec's ``[mediation]``)."""
    import dataclasses

    import pandas as pd

    from ..claims.compute import path_numbers
    from ..report.tables import ApaTable
    from ..stats import mediate

    settings = {"n_boot": 5000, "seed": 0, "ci": "percentile", "specificity_groups": [],
                **run.spec.mediation}
    seen: dict[tuple, Claim] = {}
    for c in _claims(run):
        if c.analysis == "path":
            seen.setdefault((c.x, c.m, c.y, c.group, c.covariates), c)
    # the same models in other arms: a specificity check, not a claim (spec [mediation])
    models = [(c, False) for c in seen.values()]
    models += [(dataclasses.replace(c, group=g), True) for c in seen.values()
               for g in settings["specificity_groups"] if g != c.group]
    rows, data = [], []
    for c, specificity in models:
        try:
            wide = _rows(c, run.wide)
            nums = path_numbers(c, wide)
            med = mediate(wide, c.x, c.m, c.y, covariates=list(c.covariates) or None,
                          n_boot=int(settings["n_boot"]), seed=int(settings["seed"]),
                          ci=str(settings["ci"]))
        except (KeyError, AllianceAnalysisError):
            continue
        lo, hi = med.indirect_std_ci
        group = (c.group or "all") + (" (specificity check, no claim)" if specificity else "")
        rows.append((f"{run.spec.label(c.x)} → {run.spec.label(c.m)} → {run.spec.label(c.y)}",
                     group, str(nums["n"]), bounded_cell(nums["beta_a"], 2), bounded_cell(nums["beta_b"], 2),
                     bounded_cell(nums["beta_direct"], 2), bounded_cell(nums["r2_m"], 2), bounded_cell(nums["r2_y"], 2),
                     f"{bounded_cell(med.indirect_std, 2)} [{bounded_cell(lo, 2)}, {bounded_cell(hi, 2)}]"))
        data.append({"x": c.x, "m": c.m, "y": c.y, "group": c.group, "claim": not specificity, **nums,
                     "indirect": med.indirect, "indirect_ci_lower": med.indirect_ci[0],
                     "indirect_ci_upper": med.indirect_ci[1], "indirect_std": med.indirect_std,
                     "indirect_std_ci_lower": lo, "indirect_std_ci_upper": hi})
    if not rows:
        return None
    return ApaTable(
        title="Path models (OLS equations, standardized coefficients)",
        note=(f"a = X → M, b = M → Y controlling for X, c' = direct X → Y; R² of the mediator and "
              f"outcome equations. Indirect effect a·b completely standardized with a "
              f"{settings['ci']} bootstrap 95% CI ({settings['n_boot']} resamples, seed "
              f"{settings['seed']}); the paper printed no indirect effects."
              + (" Rows marked 'specificity check' fit the same models in another arm; nothing "
                 "was printed for them" + (", and on synthetic data they only reflect the "
                                           "generator's construction." if run.synthetic else ".")
                 if settings["specificity_groups"] else "")),
        columns=("model", "group", "n", "a", "b", "c'", "R² (M)", "R² (Y)", "indirect [95% CI]"),
        rows=tuple(rows), data=pd.DataFrame(data), name="path_models")


def model_tables(run: ReproductionRun) -> list[Any]:
    """Every model-based table of the run (empty for reproductions without such claims)."""
    tables = regression_pattern_tables(run)
    for extra in (variance_readings_table(run), path_models_table(run)):
        if extra is not None:
            tables.append(extra)
    return tables
