"""Paired (pre/post) t-test with every named repeated-measures d (Lakens 2013; Cumming 2012).

difference = post − pre; all d variants share that numerator (the mean difference M_diff) and
differ only in the standardiser:

* ``d_z``  = M_diff / SD_diff (= t/√n; Cohen 1988). CI: noncentral-t interval for the
  noncentrality parameter divided by √n (Steiger & Fouladi 1997), as R
  ``effectsize::cohens_d(paired = TRUE)`` and JASP;
* ``d_rm`` = d_z · √(2(1 − r)) = M_diff / (SD_diff/√(2(1 − r))) (Lakens 2013 eq. 9; Cohen 1988
  p. 48); R effectsize ``rm_d()`` default;
* ``d_av`` = M_diff / √((SD_pre² + SD_post²)/2) (Cumming 2012, root mean square of the SDs; R
  effectsize ``rm_d(method = "av")``; pingouin's paired ``cohen_d`` is its absolute value);
* ``d_av_lakens`` = M_diff / ((SD_pre + SD_post)/2) (Lakens 2013 eq. 10, mean of the two SDs;
  researchpy's "Cohen's d_av");
* ``d_b``  = M_diff / SD_pre (Becker 1988: standardised by the pre-test SD; R effectsize
  ``rm_d(x, y, method = "b")`` standardises by ``y``, its second argument);
* ``g_*``  = d_* · J(df), df = n − 1, with the **exact** Hedges factor
  J(df) = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)) (Hedges 1981; Hedges & Olkin 1985), as R effectsize
  (``hedges_g(paired = TRUE)``, ``rm_d(adjust = TRUE)``). pingouin and researchpy instead use
  1 − 3/(4·2n − 9), the between-subjects approximation with n₁ = n₂ = n, which is not a paired
  correction (movie data: g_av 1.081 vs 1.029 here). ``g_z_ci`` = d_z_ci · J (as effectsize).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..apa import apa_estimate, apa_t
from ..errors import InputError
from ..results import Result
from ._validate import check_alternative, check_confidence, paired_complete, warn
from .effect_sizes import hedges_j, ncp_ci


@dataclasses.dataclass(frozen=True)
class PairedTTestResult(Result):
    n: int
    n_dropped: int
    mean_pre: float
    mean_post: float
    sd_pre: float
    sd_post: float
    r_prepost: float
    mean_diff: float
    sd_diff: float
    mean_diff_ci: tuple[float, float]
    t: float
    df: float
    p: float
    alternative: str
    confidence: float
    d_z: float
    d_z_ci: tuple[float, float]
    d_rm: float
    d_av: float
    d_av_lakens: float
    d_b: float
    g_z: float
    g_rm: float
    g_av: float
    g_av_lakens: float
    g_b: float
    g_z_ci: tuple[float, float]

    def apa(self, digits: int = 2) -> str:
        """``t(19) = 2.31, p = .031, d_z = 0.52, 95% CI [0.05, 0.98]``."""
        ci = self.d_z_ci if all(math.isfinite(v) for v in self.d_z_ci) else None
        return (f"{apa_t(self.t, self.df, self.p, digits)}, "
                f"{apa_estimate('d_z', self.d_z, ci, self.confidence, digits)}")


def _t_p(t: float, df: float, alternative: str) -> float:
    from scipy.stats import t as tdist

    if math.isnan(t):
        return float("nan")
    if alternative == "two-sided":
        return float(min(1.0, 2.0 * tdist.sf(abs(t), df)))
    if alternative == "greater":
        return float(tdist.sf(t, df))
    return float(tdist.cdf(t, df))


def _t_interval(est: float, se: float, df: float, confidence: float,
                alternative: str) -> tuple[float, float]:
    from scipy.stats import t as tdist

    if alternative == "two-sided":
        half = float(tdist.ppf(0.5 + confidence / 2.0, df)) * se
        return (est - half, est + half)
    crit = float(tdist.ppf(confidence, df)) * se
    if alternative == "greater":
        return (est - crit, math.inf)
    return (-math.inf, est + crit)


def paired_ttest(pre: object, post: object, alternative: str = "two-sided",
                 confidence: float = 0.95) -> PairedTTestResult:
    """Paired t-test of ``post − pre`` with d_z, d_rm, d_av (two denominators), d_b and Hedges g.

    Pairs with a missing value are dropped (counted in ``n_dropped``); fewer than 2 complete
    pairs raise :class:`InputError`. Unequal lengths raise :class:`InputError` (pingouin silently
    switches to an unpaired test; this never does). ``alternative="greater"`` tests
    mean(post − pre) > 0; one-sided CIs (mean difference and d_z) are half-open.

    t = M_diff/(SD_diff/√n), df = n − 1, p from Student t (= ``scipy.stats.ttest_rel(post, pre)``);
    mean_diff_ci = M_diff ± t_crit(df)·SD_diff/√n. Effect sizes: see the module docstring —
    d_z (+ noncentral-t ``d_z_ci``), d_rm, d_av (Cumming), d_av_lakens, d_b and g_* = d_*·J(n − 1)
    with the exact J (pingouin's 1 − 3/(4·2n − 9) is not used). All differences equal
    (SD_diff = 0): t, p, d_z, d_rm are NaN with a :class:`ComputationWarning`.
    """
    alternative = check_alternative(alternative)
    confidence = check_confidence(confidence)
    x, y, n_dropped = paired_complete(pre, post, ("pre", "post"))
    n = int(x.size)
    if n < 2:
        raise InputError(f"a paired t-test needs at least 2 complete pairs, got {n}")
    diff = y - x
    df = float(n - 1)
    mean_pre, mean_post = float(x.mean()), float(y.mean())
    sd_pre, sd_post = float(x.std(ddof=1)), float(y.std(ddof=1))
    mean_diff = float(diff.mean())
    sd_diff = float(diff.std(ddof=1))
    if sd_pre > 0 and sd_post > 0:
        xc, yc = x - mean_pre, y - mean_post
        r = float(np.clip(np.sum(xc * yc) / math.sqrt(np.sum(xc**2) * np.sum(yc**2)), -1.0, 1.0))
    else:
        r = float("nan")
    nan = float("nan")
    if sd_diff > 0:
        se = sd_diff / math.sqrt(n)
        t = mean_diff / se
        p = _t_p(t, df, alternative)
        mean_diff_ci = _t_interval(mean_diff, se, df, confidence, alternative)
        d_z = mean_diff / sd_diff
        lo, hi = ncp_ci(t, df, confidence, alternative)
        d_z_ci = (lo / math.sqrt(n), hi / math.sqrt(n))
    else:
        warn("the pre-post differences are all equal (SD of differences = 0): t, p and d_z are NaN")
        t = p = d_z = nan
        mean_diff_ci = d_z_ci = (nan, nan)
    d_rm = d_z * math.sqrt(2.0 * (1.0 - r)) if math.isfinite(r) else nan
    rms = math.sqrt((sd_pre**2 + sd_post**2) / 2.0)
    avg = (sd_pre + sd_post) / 2.0
    d_av = mean_diff / rms if rms > 0 else nan
    d_av_lakens = mean_diff / avg if avg > 0 else nan
    d_b = mean_diff / sd_pre if sd_pre > 0 else nan
    j = float(hedges_j(df))
    return PairedTTestResult(
        n=n, n_dropped=n_dropped, mean_pre=mean_pre, mean_post=mean_post, sd_pre=sd_pre,
        sd_post=sd_post, r_prepost=r, mean_diff=mean_diff, sd_diff=sd_diff,
        mean_diff_ci=mean_diff_ci, t=t, df=df, p=p, alternative=alternative,
        confidence=confidence, d_z=d_z, d_z_ci=d_z_ci, d_rm=d_rm, d_av=d_av,
        d_av_lakens=d_av_lakens, d_b=d_b, g_z=d_z * j, g_rm=d_rm * j, g_av=d_av * j,
        g_av_lakens=d_av_lakens * j, g_b=d_b * j, g_z_ci=(d_z_ci[0] * j, d_z_ci[1] * j),
    )
