"""Compute each claim's statistic from a wide analysis view and compare it with the printed value.

The wide view has one row per participant, an ``arm`` column and one column per
``instrument.scale.timepoint`` (the loader's canonical names). Every statistic comes from
:mod:`alliance_analysis.stats`; this module only selects variables and applies the claim's
declared analysis (the registry says which test, which d formula, which definition).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..claims import Claim, Registry, check_claim_value
from ..errors import AllianceAnalysisError
from ..results import Result

STATUS_OK = "reproduced"
STATUS_MISMATCH = "mismatch"
STATUS_NA = "not computable"


@dataclass(frozen=True)
class ClaimResult(Result):
    """A claim, its printed value and what the data give (full precision)."""

    claim_id: str
    paper: str
    description: str
    analysis: str
    statistic: str
    published: str
    reproduced: float
    reproduced_p: float
    n: int | None
    df: float | None
    n_registry: int | None
    n_status: str | None
    status: str
    detail: str
    apa: str

    def apa_text(self) -> str:
        return self.apa


def _column(wide, name: str):
    if name not in wide.columns:
        raise KeyError(name)
    return wide[name].to_numpy(dtype=float)


def _rows(wide, claim: Claim):
    if claim.group is None:
        return wide
    if "arm" not in wide.columns:
        raise KeyError("arm")
    return wide[wide["arm"].astype(str) == claim.group]


def _result(claim: Claim, value, p, n, df, apa: str, extra: str = "") -> ClaimResult:
    ok, why = check_claim_value(claim, value, p)
    detail = "; ".join(t for t in (why, extra) if t)
    if claim.n is not None and n is not None and n != claim.n:
        detail = "; ".join(t for t in (detail, f"n = {n}, registry n = {claim.n} ({claim.n_status})") if t)
    return ClaimResult(
        claim_id=claim.id, paper=claim.paper, description=claim.description,
        analysis=claim.analysis, statistic=claim.statistic, published=claim.published_text,
        reproduced=float(value) if value is not None else math.nan,
        reproduced_p=float(p) if p is not None else math.nan,
        n=n, df=df, n_registry=claim.n, n_status=claim.n_status,
        status=STATUS_OK if ok else STATUS_MISMATCH, detail=detail, apa=apa,
    )


def _not_computable(claim: Claim, why: str) -> ClaimResult:
    return ClaimResult(
        claim_id=claim.id, paper=claim.paper, description=claim.description,
        analysis=claim.analysis, statistic=claim.statistic, published=claim.published_text,
        reproduced=math.nan, reproduced_p=math.nan, n=None, df=None, n_registry=claim.n,
        n_status=claim.n_status, status=STATUS_NA, detail=why, apa="",
    )


def _count(claim: Claim, wide) -> ClaimResult:
    n = len(_rows(wide, claim))
    return _result(claim, n, None, n, None, f"N = {n}")


def _descriptive(claim: Claim, wide) -> ClaimResult:
    from ..report.apa import fmt_number

    values = _column(_rows(wide, claim), claim.variable)
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


def _significance(claim: Claim, wide) -> ClaimResult:
    from ..stats import correlate

    ys = claim.y if isinstance(claim.y, tuple) else (claim.y,)
    results = [correlate(_column(wide, claim.x), _column(wide, y)) for y in ys]
    if claim.expected == "significant":
        wanted = [r for r in results
                  if claim.direction is None or (r.r < 0) == (claim.direction == "negative")]
        best = min(wanted or results, key=lambda r: r.p)
    else:
        best = min(results, key=lambda r: r.p)
    apa = "; ".join(f"{y}: {r.apa()}" for y, r in zip(ys, results, strict=True))
    return _result(claim, best.p, None, best.n, best.df, apa)


_DISPATCH = {
    "count": _count,
    "descriptive": _descriptive,
    "correlation": _correlation,
    "paired_change": _paired,
    "proportion": _proportion,
    "significance": _significance,
}


def compute_claim(claim: Claim, wide) -> ClaimResult:
    """Compute one claim; missing variables or too few data give status ``not computable``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _DISPATCH[claim.analysis](claim, wide)
    except KeyError as exc:
        return _not_computable(claim, f"column {exc.args[0]!r} is not in the data")
    except AllianceAnalysisError as exc:
        return _not_computable(claim, str(exc))


def compute_claims(registries: tuple[Registry, ...], wide) -> list[ClaimResult]:
    """Every claim of every registry, in registry order."""
    return [compute_claim(c, wide) for reg in registries for c in reg.claims]
