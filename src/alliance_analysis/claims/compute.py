"""Compute each claim's statistic from a wide analysis view and compare it with the printed value.

The wide view has one row per participant, an ``arm`` column and one column per
``instrument.scale.timepoint`` (the loader's canonical names). Every statistic comes from
:mod:`alliance_analysis.stats`; this module only selects variables and applies the claim's
declared analysis (the registry says which test, which d formula, which definition).

It lives in the claims layer so that both the synthetic generator (which checks its construction
targets with it) and the reproduction (which reports it) depend downward on it, never on each
other. :mod:`alliance_analysis.reproduce.compute` re-exports it under its old name.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import AllianceAnalysisError
from ..results import Result, estimate_row
from ..rounding import parse_printed
from .compare import check_claim_value
from .model import Claim, Registry

STATUS_OK = "reproduced"
STATUS_MISMATCH = "mismatch"
STATUS_NA = "not computable"
#: a directional claim whose estimate has the claimed sign but does not reach its significance
#: threshold: not counted as reproduced
STATUS_DIRECTION = "direction only"


@dataclass(frozen=True)
class ClaimResult(Result):
    """A claim, its printed value and what the data give (full precision).

    ``to_frame()`` is the tidy shape of :mod:`alliance_analysis.results`: one row, labelled by
    the claim id (so the frames of a run concatenate into one table indexed by claim), with
    ``estimate`` = the reproduced value, ``df`` and ``p`` (= ``reproduced_p``) of the test behind
    it and ``method`` = the registry's analysis; no interval or test statistic is kept (NaN).
    Extra columns, always these: ``paper``, ``quantity`` (the claim's statistic: ``r``, ``d_z``,
    ``p`` ...), ``published``, ``criterion``, ``status``, ``n``, ``n_registry``, ``detail``.

    ``apa_text`` is the APA line of the computed statistic (``apa()`` returns it); ``to_dict()``
    keeps its serialised key ``apa``, so the claims CSV and JSON columns are those of before.
    """

    _extra_columns: ClassVar[tuple[str, ...]] = ("paper", "quantity", "published", "criterion",
                                                 "status", "n", "n_registry", "detail")

    claim_id: str
    paper: str
    description: str
    analysis: str
    statistic: str
    published: str
    #: how a verbal claim is judged (threshold and its status); "" for a printed number
    criterion: str
    reproduced: float
    reproduced_p: float
    n: int | None
    df: float | None
    n_registry: int | None
    n_status: str | None
    status: str
    detail: str
    apa_text: str

    def apa(self) -> str:
        """The APA line of the computed statistic ("" when the claim was not computable)."""
        return self.apa_text or f"{self.claim_id}: {self.status}"

    def to_dict(self) -> dict[str, Any]:
        """The fields as a flat dict; ``apa_text`` under its serialised name ``apa``."""
        return {("apa" if k == "apa_text" else k): v for k, v in super().to_dict().items()}

    def _rows(self) -> list[dict[str, Any]]:
        return [estimate_row(
            self.claim_id, self.reproduced, df=math.nan if self.df is None else self.df,
            p=self.reproduced_p, method=self.analysis, paper=self.paper,
            quantity=self.statistic, published=self.published, criterion=self.criterion,
            status=self.status, n=self.n, n_registry=self.n_registry, detail=self.detail)]


def _column(wide, name: str):
    if name not in wide.columns:
        raise KeyError(name)
    return wide[name].to_numpy(dtype=float)


def _result(claim: Claim, value, p, n, df, apa: str, extra: str = "") -> ClaimResult:
    ok, why = check_claim_value(claim, value, p)
    detail = "; ".join(t for t in (why, extra) if t)
    if claim.n is not None and n is not None and n != claim.n:
        detail = "; ".join(t for t in (detail, f"n = {n}, registry n = {claim.n} ({claim.n_status})") if t)
    return ClaimResult(
        claim_id=claim.id, paper=claim.paper, description=claim.description,
        analysis=claim.analysis, statistic=claim.statistic, published=claim.published_text,
        criterion=claim.criterion_text,
        reproduced=float(value) if value is not None else math.nan,
        reproduced_p=float(p) if p is not None else math.nan,
        n=n, df=df, n_registry=claim.n, n_status=claim.n_status,
        status=STATUS_OK if ok else STATUS_MISMATCH, detail=detail, apa_text=apa,
    )


def _not_computable(claim: Claim, why: str) -> ClaimResult:
    return ClaimResult(
        claim_id=claim.id, paper=claim.paper, description=claim.description,
        analysis=claim.analysis, statistic=claim.statistic, published=claim.published_text,
        criterion=claim.criterion_text,
        reproduced=math.nan, reproduced_p=math.nan, n=None, df=None, n_registry=claim.n,
        n_status=claim.n_status, status=STATUS_NA, detail=why, apa_text="",
    )


def _count(claim: Claim, wide) -> ClaimResult:
    n = len(wide)
    return _result(claim, n, None, n, None, f"N = {n}")


def _descriptive(claim: Claim, wide) -> ClaimResult:
    from ..apa import fmt_number

    values = _column(wide, claim.variable)
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n < 2:
        return _not_computable(claim, f"only {n} non-missing value(s) of {claim.variable}")
    value = float(values.mean()) if claim.statistic == "M" else float(values.std(ddof=1))
    m, sd = values.mean(), values.std(ddof=1)
    return _result(claim, value, None, n, None, f"M = {fmt_number(m, 2)}, SD = {fmt_number(sd, 2)}, n = {n}")


def _correlation(claim: Claim, wide) -> ClaimResult:
    from ..stats import correlate

    res = correlate(_column(wide, claim.x), _column(wide, claim.y), method=claim.method,
                    alternative=claim.alternative)
    return _result(claim, res.r, res.p, res.n, res.df, res.apa())


def _paired(claim: Claim, wide) -> ClaimResult:
    from ..stats import paired_ttest

    res = paired_ttest(_column(wide, claim.pre), _column(wide, claim.post))
    sign = 1.0 if claim.direction == "increase" else -1.0
    went_right_way = sign * res.mean_diff > 0
    extra = "" if went_right_way else f"change is not a {claim.direction} (mean difference {res.mean_diff:.4g})"
    if claim.statistic == "p":
        ok_value = res.p
    else:
        ok_value = sign * getattr(res, claim.formula)
    result = _result(claim, ok_value, res.p, res.n, res.df, res.apa(), extra)
    if not went_right_way and result.status == STATUS_OK:
        result = ClaimResult(**{**result.__dict__, "status": STATUS_MISMATCH})
    return result


def _proportion(claim: Claim, wide) -> ClaimResult:
    base = _column(wide, claim.baseline)
    follow = _column(wide, claim.followup)
    keep = ~(np.isnan(base) | np.isnan(follow))
    base, follow = base[keep], follow[keep]
    n = int(keep.sum())
    if n == 0:
        return _not_computable(claim, "no participant has both baseline and follow-up")
    with np.errstate(divide="ignore", invalid="ignore"):
        reduction = (base - follow) / base
    hits = reduction >= 0.5
    if claim.definition == "remission":
        hits &= follow <= 7
    k = int(hits.sum())
    value = 100.0 * k / n
    return _result(claim, value, None, n, None, f"{k}/{n} = {value:.1f}%")


def _share(claim: Claim, wide) -> ClaimResult:
    values = _column(wide, claim.variable)
    values = values[~np.isnan(values)]
    if values.size == 0 or not np.isin(values, (0.0, 1.0)).all():
        return _not_computable(claim, f"{claim.variable} must be coded 0/1 (1 = counted)")
    k, n = int(values.sum()), int(values.size)
    value = 100.0 * k / n
    return _result(claim, value, None, n, None, f"{k}/{n} = {value:.1f}%")


def regression_model(claim: Claim, wide):
    """Hierarchical OLS of a regression claim: step 1 its covariates, step 2 its predictor."""
    from ..stats import hierarchical_regress

    steps = [list(claim.covariates), [claim.predictor]] if claim.covariates else [[claim.predictor]]
    return hierarchical_regress(wide, claim.outcome, steps=steps)


def regression_numbers(model, predictor: str) -> dict[str, float]:
    """Step-2 numbers of a hierarchical model: F-change ``p``, ``delta_r2``, ``r2``, ``beta``,
    ``n``, ``df`` (residual df of the full model)."""
    last = model.changes.iloc[-1]
    coefs = model.steps[-1].coefficients.set_index("term")
    return {
        "p": float(last["p_change"]),
        "delta_r2": float(last["delta_r2"]),
        "r2": float(model.steps[-1].r2),
        "beta": float(coefs.loc[predictor, "beta"]),
        "n": int(model.steps[-1].n),
        "df": float(model.steps[-1].df_resid),
        "f_change": float(last["f_change"]),
        "df1": float(last["df1"]),
    }


def _regression(claim: Claim, wide, adjusted_p: float | None = None) -> ClaimResult:
    from ..apa import fmt_bounded, fmt_p

    nums = regression_numbers(regression_model(claim, wide), claim.predictor)
    apa = (f"{claim.predictor}: β = {fmt_bounded(nums['beta'])}, ΔR² = {fmt_bounded(nums['delta_r2'])}, "
           f"p {fmt_p(nums['p'])}")
    if claim.statistic != "p":
        return _result(claim, nums[claim.statistic], None, nums["n"], nums["df"], apa)
    p_final = nums["p"] if adjusted_p is None else adjusted_p
    if adjusted_p is not None:
        apa += f", p({claim.correction}) {fmt_p(adjusted_p)}"
    alpha = parse_printed(claim.printed)  # the printed significance level (".05")
    reasons = []
    if claim.direction is not None and (nums["beta"] < 0) != (claim.direction == "negative"):
        reasons.append(f"β has the wrong sign ({nums['beta']:.3f})")
    if (p_final < alpha) != (claim.expected == "significant"):
        reasons.append(f"p = {p_final:.4g} is not {claim.expected}" + (" after correction" if adjusted_p is not None else ""))
    if claim.uncorrected_expected and (nums["p"] < alpha) != (claim.uncorrected_expected == "significant"):
        reasons.append(f"uncorrected p = {nums['p']:.4g} is not {claim.uncorrected_expected}")
    return ClaimResult(
        claim_id=claim.id, paper=claim.paper, description=claim.description, analysis=claim.analysis,
        statistic=claim.statistic, published=claim.published_text,
        criterion=claim.criterion_text, reproduced=p_final,
        reproduced_p=nums["p"], n=nums["n"], df=nums["df"], n_registry=claim.n,
        n_status=claim.n_status, status=STATUS_MISMATCH if reasons else STATUS_OK,
        detail="; ".join(reasons), apa_text=apa,
    )


def _variance_explained(claim: Claim, wide, registry_claims: dict[str, Claim]) -> ClaimResult:
    from ..stats import correlate

    values = []
    for model_id in claim.models:
        model_claim = registry_claims[model_id]
        if claim.reading == "delta_r2":
            values.append(regression_numbers(regression_model(model_claim, wide), model_claim.predictor)["delta_r2"])
        else:
            r = correlate(_column(wide, model_claim.predictor), _column(wide, model_claim.outcome)).r
            values.append(r * r)
    value = 100.0 * (min(values) if claim.bound == "min" else max(values))
    listing = ", ".join(f"{m}: {100 * v:.1f}%" for m, v in zip(claim.models, values, strict=True))
    return _result(claim, value, None, None, None, f"{claim.reading} ({listing})")


def _group_difference(claim: Claim, wide) -> ClaimResult:
    from ..stats import welch_ttest

    groups = _column(wide, claim.by)
    values = _column(wide, claim.variable)
    res = welch_ttest(values[groups == 1], values[groups == 0])
    return _result(claim, res.p, None, res.n, res.df, res.apa())


def path_numbers(claim: Claim, wide) -> dict[str, float]:
    """Standardized paths of a claim's model, estimated as OLS regressions (M ~ X [+ covariates],
    Y ~ X + M [+ covariates]): ``beta_a``, ``beta_b``, ``beta_direct``, ``r2_m``, ``r2_y``, ``n``."""
    from ..stats import regress

    covariates = list(claim.covariates) or None
    m_eq = regress(wide, claim.m, [claim.x], covariates=covariates)
    y_eq = regress(wide, claim.y, [claim.x, claim.m], covariates=covariates)
    coef_m = m_eq.coefficients.set_index("term")
    coef_y = y_eq.coefficients.set_index("term")
    beta_m, beta_y = coef_m["beta"], coef_y["beta"]
    return {
        "beta_a": float(beta_m[claim.x]),
        "beta_direct": float(beta_y[claim.x]),
        "beta_b": float(beta_y[claim.m]),
        "p_beta_a": float(coef_m.loc[claim.x, "p"]),
        "p_beta_direct": float(coef_y.loc[claim.x, "p"]),
        "p_beta_b": float(coef_y.loc[claim.m, "p"]),
        "r2_y": float(y_eq.r2),
        "r2_m": float(m_eq.r2),
        "n": int(y_eq.n),
        "df": float(y_eq.df_resid),
    }


def _path(claim: Claim, wide) -> ClaimResult:
    from ..apa import fmt_bounded

    nums = path_numbers(claim, wide)
    apa = (f"a = {fmt_bounded(nums['beta_a'])}, b = {fmt_bounded(nums['beta_b'])}, "
           f"c' = {fmt_bounded(nums['beta_direct'])}, R²(Y) = {fmt_bounded(nums['r2_y'])}, "
           f"R²(M) = {fmt_bounded(nums['r2_m'])} (standardized)")
    result = _result(claim, nums[claim.statistic], None, nums["n"], nums["df"], apa)
    p_key = f"p_{claim.statistic}"
    if claim.is_direction_claim and p_key in nums:
        return direction_status(result, nums[p_key], alpha=0.05)
    return result


def direction_status(result: ClaimResult, p: float, alpha: float) -> ClaimResult:
    """A direction claim (estimate > 0 or < 0) holds when the estimate has the claimed sign and
    p < ``alpha``; the right sign with p >= ``alpha`` is "direction only" (not reproduced)."""
    changes: dict = {"reproduced_p": p}
    if result.status == STATUS_OK and not p < alpha:
        changes["status"] = STATUS_DIRECTION
        changes["detail"] = "; ".join(t for t in (result.detail, f"claimed sign, but p = {p:.3g} >= {alpha:g}") if t)
    elif result.status == STATUS_MISMATCH:
        changes["detail"] = f"wrong sign ({result.reproduced:.3g}); p = {p:.3g}"
    return dataclasses.replace(result, **changes)


def _significance(claim: Claim, wide) -> ClaimResult:
    from ..stats import correlate

    ys = claim.y if isinstance(claim.y, tuple) else (claim.y,)
    results = [correlate(_column(wide, claim.x), _column(wide, y)) for y in ys]
    apa = "; ".join(f"{y}: {r.apa()}" for y, r in zip(ys, results, strict=True))
    if claim.expected == "significant":
        wanted = [r for r in results
                  if claim.direction is None or (r.r < 0) == (claim.direction == "negative")]
        if not wanted:  # the direction is part of the claim: a wrong-sign r never stands in
            best = min(results, key=lambda r: r.p)
            result = _result(claim, best.p, None, best.n, best.df, apa)
            return dataclasses.replace(result, status=STATUS_MISMATCH, detail=(
                f"no correlation has the claimed {claim.direction} sign (r = {best.r:+.3f}, p = {best.p:.3g})"))
        best = min(wanted, key=lambda r: r.p)
    else:
        best = min(results, key=lambda r: r.p)
    return _result(claim, best.p, None, best.n, best.df, apa)


_DISPATCH = {
    "count": _count,
    "descriptive": _descriptive,
    "correlation": _correlation,
    "paired_change": _paired,
    "proportion": _proportion,
    "significance": _significance,
    "share": _share,
    "regression": _regression,
    "group_difference": _group_difference,
    "path": _path,
}


def _guarded(claim: Claim, func, *args) -> ClaimResult:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return func(*args)
    except KeyError as exc:
        return _not_computable(claim, f"column {exc.args[0]!r} is not in the data")
    except AllianceAnalysisError as exc:
        return _not_computable(claim, str(exc))


def group_rows(wide, group: str | None):
    """Rows of arm ``group`` (every row when ``group`` is None); None when a group is asked for
    but the data have no ``arm`` column (the caller reports it instead of using every row)."""
    if group is None:
        return wide
    if "arm" not in wide.columns:
        return None
    return wide[wide["arm"].astype(str) == group]


def compute_claim(claim: Claim, wide, context: dict[str, Claim] | None = None,
                  adjusted_p: float | None = None) -> ClaimResult:
    """Compute one claim; missing variables or too few data give status ``not computable``.

    ``context`` maps claim ids to claims (needed by ``variance_explained``); ``adjusted_p`` is the
    family-wise corrected p of a ``regression`` claim (see :func:`family_adjusted_p`).
    """
    wide = group_rows(wide, claim.group)
    if wide is None:
        return _not_computable(claim, "column 'arm' is not in the data")
    if claim.analysis == "variance_explained":
        return _guarded(claim, _variance_explained, claim, wide, context or {})
    if claim.analysis == "regression":
        return _guarded(claim, _regression, claim, wide, adjusted_p)
    return _guarded(claim, _DISPATCH[claim.analysis], claim, wide)


def regression_families(claims: list[Claim]) -> dict[str, list[Claim]]:
    """Regression p claims that share a correction ``family``, by family (registry order)."""
    families: dict[str, list[Claim]] = {}
    for c in claims:
        if c.analysis == "regression" and c.statistic == "p" and c.family:
            families.setdefault(c.family, []).append(c)
    return families


def family_adjusted_p(claims: list[Claim], wide, method: str | None = None) -> dict[str, float]:
    """Family-wise adjusted p of every corrected regression claim, by claim id.

    Claims sharing ``family`` form one family; ``method`` overrides the registry's correction
    (used to report the pattern under several methods)."""
    from ..stats import adjust_pvalues

    out: dict[str, float] = {}
    for members in regression_families(claims).values():
        raw = []
        for c in members:
            try:
                raw.append(regression_numbers(regression_model(c, wide), c.predictor)["p"])
            except (KeyError, AllianceAnalysisError):
                raw.append(math.nan)
        adjusted = adjust_pvalues(np.asarray(raw), method or members[0].correction)
        out.update({c.id: float(a) for c, a in zip(members, adjusted, strict=True)})
    return out


def compute_claims(registries: tuple[Registry, ...], wide) -> list[ClaimResult]:
    """Every claim of every registry, in registry order."""
    claims = [c for reg in registries for c in reg.claims]
    context = {c.id: c for c in claims}
    adjusted = family_adjusted_p(claims, wide)
    return [compute_claim(c, wide, context, adjusted.get(c.id)) for c in claims]
