"""Two independent groups: Welch t-test (unequal variances) with Cohen's d_s on the pooled SD."""

from __future__ import annotations

import dataclasses
import math

from ..apa import apa_t
from ..errors import InputError
from ..results import Result
from ._validate import check_alternative, drop_missing, warn


@dataclasses.dataclass(frozen=True)
class TwoSampleResult(Result):
    n: int
    n_a: int
    n_b: int
    n_dropped: int
    mean_a: float
    mean_b: float
    sd_a: float
    sd_b: float
    mean_diff: float
    t: float
    df: float
    p: float
    alternative: str
    d_s: float

    def apa(self, digits: int = 2) -> str:
        """``t(17.43) = 1.20, p = .245`` (Welch df printed with two decimals)."""
        return apa_t(self.t, self.df, self.p, digits)


def welch_ttest(a: object, b: object, alternative: str = "two-sided") -> TwoSampleResult:
    """Welch's t-test of mean(a) − mean(b); missing values dropped from each group separately.

    df = Welch–Satterthwaite; ``d_s`` = (M_a − M_b)/SD_pooled with SD_pooled from the n − 1
    weighted variances (Cohen's d_s, no Hedges correction). Each group needs ≥ 2 values.
    """
    from scipy.stats import t as tdist

    alternative = check_alternative(alternative)
    x, da = drop_missing(a, "a")
    y, db = drop_missing(b, "b")
    na, nb = int(x.size), int(y.size)
    if na < 2 or nb < 2:
        raise InputError(f"each group needs at least 2 non-missing values (got {na} and {nb})")
    ma, mb = float(x.mean()), float(y.mean())
    va, vb = float(x.var(ddof=1)), float(y.var(ddof=1))
    diff = ma - mb
    se2 = va / na + vb / nb
    nan = float("nan")
    if se2 > 0:
        t = diff / math.sqrt(se2)
        df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
        if alternative == "two-sided":
            p = float(min(1.0, 2.0 * tdist.sf(abs(t), df)))
        elif alternative == "greater":
            p = float(tdist.sf(t, df))
        else:
            p = float(tdist.cdf(t, df))
    else:
        warn("both groups are constant: the Welch t-test is undefined (NaN)")
        t = df = p = nan
    pooled = math.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    d_s = diff / pooled if pooled > 0 else nan
    return TwoSampleResult(n=na + nb, n_a=na, n_b=nb, n_dropped=da + db, mean_a=ma, mean_b=mb,
                           sd_a=math.sqrt(va), sd_b=math.sqrt(vb), mean_diff=diff, t=t,
                           df=float(df), p=p, alternative=alternative, d_s=d_s)
