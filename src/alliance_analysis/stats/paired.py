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

Confidence intervals of every d and g (``d_z_ci``, ``d_rm_ci``, ``d_av_ci``, ``d_av_lakens_ci``,
``d_b_ci`` and ``g_*_ci`` = the d interval · J, as R effectsize does for g):

* ``d_z_ci`` is **exact** under normality: the noncentral-t interval [λ_L, λ_U] of the paired t's
  noncentrality parameter λ = √n·δ_z, divided by √n (Steiger & Fouladi 1997; Cumming &
  Finch 2001; R ``effectsize::cohens_d(paired = TRUE)``, checked against it in the tests);
* the other d's share the numerator M_diff and differ from d_z only by the ratio of standardisers
  SD_diff/S (S = SD_diff/√(2(1 − r)), the rms or mean of the two SDs, or SD_pre). Their intervals
  are the **Algina & Keselman (2003)** approximation: the same noncentral-t interval of λ, scaled
  by the *sample* ratio, d_CI = [λ_L, λ_U]·SD_diff/(√n·S) (Algina & Keselman 2003, Educ Psychol
  Meas 63(4), "dependent samples"). It treats the ratio as known, so it is approximate: the
  coverage tests (bivariate normal, n = 15 and 60, δ = 0.5, ρ = 0.5, SD_post/SD_pre = 1.25)
  find 93-97% for every d and g.

Several variables at once: 2-D ``pre``/``post`` (n × k, one column per variable) give a
:class:`PairedTTestBatch` computed column-wise with numpy and one vectorised noncentral-t solve
(:func:`~alliance_analysis.stats.effect_sizes.ncp_ci_many`) for all k, no loop per variable.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..apa import apa_estimate, apa_t
from ..errors import InputError
from ..results import Result, estimate_row
from ._dist import t_ppf, t_pvalue
from ._validate import (
    as_vector,
    check_alternative,
    check_confidence,
    frame_matrix,
    paired_complete,
    series_to_float,
    warn,
)
from .effect_sizes import hedges_j, ncp_ci_many

#: the effect sizes of a paired result (d and g share the suffix), in table order
D_NAMES: tuple[str, ...] = ("d_z", "d_rm", "d_av", "d_av_lakens", "d_b")
G_NAMES: tuple[str, ...] = ("g_z", "g_rm", "g_av", "g_av_lakens", "g_b")
CI_METHOD_EXACT = "noncentral t"
CI_METHOD_AK = "Algina-Keselman"
_NAN2 = (math.nan, math.nan)


@dataclasses.dataclass(frozen=True)
class PairedTTestResult(Result):
    """Paired t-test of post − pre with every repeated-measures d and g and a CI for each.

    ``to_frame()``: the tidy shape of :mod:`alliance_analysis.results`, rows ``mean_diff`` (t
    test, t interval), ``d_z`` (noncentral t), ``d_rm``, ``d_av``, ``d_av_lakens``, ``d_b``
    (Algina-Keselman), then ``g_z`` … ``g_b`` (the d interval · J).
    """

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
    d_rm_ci: tuple[float, float] = _NAN2
    d_av_ci: tuple[float, float] = _NAN2
    d_av_lakens_ci: tuple[float, float] = _NAN2
    d_b_ci: tuple[float, float] = _NAN2
    g_rm_ci: tuple[float, float] = _NAN2
    g_av_ci: tuple[float, float] = _NAN2
    g_av_lakens_ci: tuple[float, float] = _NAN2
    g_b_ci: tuple[float, float] = _NAN2

    def apa(self, digits: int = 2) -> str:
        """``t(19) = 2.31, p = .031, d_z = 0.52, 95% CI [0.05, 0.98]``."""
        ci = self.d_z_ci if all(math.isfinite(v) for v in self.d_z_ci) else None
        return (f"{apa_t(self.t, self.df, self.p, digits)}, "
                f"{apa_estimate('d_z', self.d_z, ci, self.confidence, digits)}")

    def _rows(self) -> list[dict[str, Any]]:
        se = self.sd_diff / math.sqrt(self.n) if self.n > 0 else math.nan
        rows = [estimate_row("mean_diff", self.mean_diff, se, self.mean_diff_ci, self.confidence,
                             self.t, self.df, self.p, "t")]
        for name in (*D_NAMES, *G_NAMES):
            method = CI_METHOD_EXACT if name in ("d_z", "g_z") else CI_METHOD_AK
            rows.append(estimate_row(name, getattr(self, name), ci=getattr(self, f"{name}_ci"),
                                     confidence=self.confidence, method=method))
        return rows


@dataclasses.dataclass(frozen=True)
class PairedTTestBatch(Result):
    """Paired t-tests of k variables at once (2-D input): every field is an array of length k.

    ``variables`` names the columns (DataFrame column names, else ``"0"``, ``"1"``, …).
    ``to_frame()``: the tidy shape with one extra column ``variable``; per variable the rows of
    :class:`PairedTTestResult` (``mean_diff``, ``d_z`` … ``g_b``), the index ``variable:term``.
    ``result(j)`` (an index or a name) is the :class:`PairedTTestResult` of one variable.
    """

    _extra_columns: ClassVar[tuple[str, ...]] = ("variable",)

    variables: tuple[str, ...]
    n: np.ndarray
    n_dropped: np.ndarray
    mean_pre: np.ndarray
    mean_post: np.ndarray
    sd_pre: np.ndarray
    sd_post: np.ndarray
    r_prepost: np.ndarray
    mean_diff: np.ndarray
    sd_diff: np.ndarray
    mean_diff_ci: tuple[np.ndarray, np.ndarray]
    t: np.ndarray
    df: np.ndarray
    p: np.ndarray
    alternative: str
    confidence: float
    estimates: dict[str, np.ndarray]
    cis: dict[str, tuple[np.ndarray, np.ndarray]]

    def __len__(self) -> int:
        return len(self.variables)

    def __getattr__(self, name: str) -> Any:
        # d_z, g_av, d_av_ci, ... read from the estimate dicts (arrays of length k)
        est = self.__dict__.get("estimates", {})
        if name in est:
            return est[name]
        cis = self.__dict__.get("cis", {})
        if name.endswith("_ci") and name[:-3] in cis:
            return cis[name[:-3]]
        raise AttributeError(name)

    def result(self, j: int | str) -> PairedTTestResult:
        """The :class:`PairedTTestResult` of variable ``j`` (position or name)."""
        if isinstance(j, str):
            if j not in self.variables:
                raise InputError("no such variable in the batch", value=j)
            j = self.variables.index(j)
        kw: dict[str, Any] = {}
        for f in dataclasses.fields(PairedTTestResult):
            name = f.name
            if name in ("alternative", "confidence"):
                kw[name] = getattr(self, name)
            elif name == "mean_diff_ci":
                kw[name] = (float(self.mean_diff_ci[0][j]), float(self.mean_diff_ci[1][j]))
            elif name.endswith("_ci"):
                lo, hi = self.cis[name[:-3]]
                kw[name] = (float(lo[j]), float(hi[j]))
            elif name in self.estimates:
                kw[name] = float(self.estimates[name][j])
            elif name in ("n", "n_dropped"):
                kw[name] = int(getattr(self, name)[j])
            else:
                kw[name] = float(getattr(self, name)[j])
        return PairedTTestResult(**kw)

    def to_dict(self) -> dict[str, Any]:
        return {"variables": len(self.variables), "alternative": self.alternative,
                "confidence": self.confidence}

    def to_frame(self) -> pd.DataFrame:
        k = len(self.variables)
        names = ["mean_diff", *D_NAMES, *G_NAMES]
        m = len(names)
        nan = np.full(k, np.nan)
        se = np.where(self.n > 0, self.sd_diff / np.sqrt(np.maximum(self.n, 1)), np.nan)
        est = [self.mean_diff, *(self.estimates[nm] for nm in names[1:])]
        lo = [self.mean_diff_ci[0], *(self.cis[nm][0] for nm in names[1:])]
        hi = [self.mean_diff_ci[1], *(self.cis[nm][1] for nm in names[1:])]
        method = ["t", *(CI_METHOD_EXACT if nm in ("d_z", "g_z") else CI_METHOD_AK
                         for nm in names[1:])]
        variable = np.repeat(np.asarray(self.variables, dtype=object), m)
        term = np.tile(np.asarray(names, dtype=object), k)
        frame = pd.DataFrame({
            "term": term,
            "estimate": np.column_stack(est).ravel(),
            "se": np.column_stack([se] + [nan] * (m - 1)).ravel(),
            "ci_low": np.column_stack(lo).ravel(), "ci_high": np.column_stack(hi).ravel(),
            "confidence": np.full(k * m, self.confidence),
            "statistic": np.column_stack([self.t] + [nan] * (m - 1)).ravel(),
            "df": np.column_stack([self.df] + [nan] * (m - 1)).ravel(),
            "p": np.column_stack([self.p] + [nan] * (m - 1)).ravel(),
            "method": np.tile(np.asarray(method, dtype=object), k),
            "variable": variable,
        })
        frame.index = pd.Index([f"{v}:{t}" for v, t in zip(variable, term, strict=True)])
        return frame

    def apa(self, digits: int = 2) -> str:
        """One line per variable: ``name: t(19) = 2.31, p = .031, d_z = 0.52, 95% CI [...]``."""
        return "\n".join(f"{v}: {self.result(j).apa(digits)}" for j, v in enumerate(self.variables))

    def summary(self) -> str:
        head = (f"PairedTTestBatch: {len(self.variables)} variables, alternative "
                f"{self.alternative}, confidence {self.confidence}")
        table = self.to_frame().drop(columns=["term"])
        return head + "\n\n" + table.to_string(max_rows=60, float_format=lambda v: f"{v:.4g}")


def paired_arrays(x: np.ndarray, y: np.ndarray, alternative: str = "two-sided",
                  confidence: float = 0.95) -> dict[str, Any]:
    """Column-wise paired statistics of ``x`` (pre) and ``y`` (post), both (n, k) with NaN.

    Each column uses its own complete pairs. Returns a dict of length-k arrays: n, n_dropped,
    means, SDs, r, mean_diff, sd_diff, t, df, p, ``mean_diff_ci``, ``estimates`` (d_z … g_b) and
    ``cis`` (name → (lower, upper)). Columns with n < 2 or SD_diff = 0 give NaN. Vectorised: one
    pass of masked sums and one :func:`ncp_ci_many` call for all columns.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    n = ok.sum(axis=0)
    n_dropped = x.shape[0] - n
    w = ok.astype(float)
    nf = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(nf > 0, nf, np.nan)
        x0, y0 = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
        mx, my = x0.sum(axis=0) / safe, y0.sum(axis=0) / safe
        xc, yc = (x0 - mx) * w, (y0 - my) * w
        sxx, syy, sxy = (xc * xc).sum(axis=0), (yc * yc).sum(axis=0), (xc * yc).sum(axis=0)
        dfs = np.where(nf > 1, nf - 1.0, np.nan)
        sd_pre, sd_post = np.sqrt(sxx / dfs), np.sqrt(syy / dfs)
        r = np.where((sxx > 0) & (syy > 0), np.clip(sxy / np.sqrt(sxx * syy), -1.0, 1.0), np.nan)
        d = (y0 - x0) * w
        mean_diff = d.sum(axis=0) / safe
        dc = (d - mean_diff) * w
        sd_diff = np.sqrt((dc * dc).sum(axis=0) / dfs)
        # an SD of differences that is zero up to rounding: all differences equal
        tiny = 1e-14 * np.maximum(np.abs(mean_diff), np.sqrt((sxx + syy) / np.maximum(dfs, 1)))
        good = (nf >= 2) & (sd_diff > tiny)
        se = sd_diff / np.sqrt(safe)
        t = np.where(good, mean_diff / se, np.nan)
        df = np.where(nf >= 2, nf - 1.0, np.nan)
        p = t_pvalue(t, df, alternative)
        if alternative == "two-sided":
            half = t_ppf(0.5 + confidence / 2.0, df) * se
            md_lo, md_hi = mean_diff - half, mean_diff + half
        else:
            crit = t_ppf(confidence, df) * se
            md_lo = mean_diff - crit if alternative == "greater" else np.full(n.shape, -np.inf)
            md_hi = mean_diff + crit if alternative == "less" else np.full(n.shape, np.inf)
        md_lo, md_hi = np.where(good, md_lo, np.nan), np.where(good, md_hi, np.nan)
        lam_lo, lam_hi = ncp_ci_many(t, df, confidence, alternative)
        lam_lo, lam_hi = lam_lo.reshape(n.shape), lam_hi.reshape(n.shape)
        root_n = np.sqrt(safe)
        d_z = np.where(good, mean_diff / sd_diff, np.nan)
        rms = np.sqrt((sd_pre**2 + sd_post**2) / 2.0)
        avg = (sd_pre + sd_post) / 2.0
        s_rm = sd_diff / np.sqrt(2.0 * (1.0 - r))
        # standardiser of each d; ratio SD_diff/S turns d_z (and its interval) into that d
        standardisers = {"d_z": sd_diff, "d_rm": s_rm, "d_av": rms, "d_av_lakens": avg,
                         "d_b": sd_pre}
        j = np.asarray(hedges_j(df), dtype=float).reshape(n.shape)
        estimates: dict[str, np.ndarray] = {}
        cis: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, s in standardisers.items():
            valid = (nf >= 2) & (s > 0) & np.isfinite(s)
            est = np.where(valid, mean_diff / np.where(valid, s, 1.0), np.nan)
            if name in ("d_z", "d_rm"):
                est = np.where(good, est, np.nan)  # need SD_diff > 0
            ratio = np.where(valid & good, sd_diff / np.where(valid, s, 1.0), np.nan)
            lo, hi = lam_lo / root_n * ratio, lam_hi / root_n * ratio
            estimates[name] = est
            cis[name] = (lo, hi)
            g = "g" + name[1:]
            estimates[g] = est * j
            cis[g] = (lo * j, hi * j)
        # d_rm also when SD_diff = 0 is undefined (0/0); d_z = M_diff/SD_diff as before
        estimates["d_z"] = d_z
        estimates["g_z"] = d_z * j
    return {"n": n.astype(int), "n_dropped": n_dropped.astype(int), "mean_pre": mx,
            "mean_post": my, "sd_pre": sd_pre, "sd_post": sd_post, "r_prepost": r,
            "mean_diff": mean_diff, "sd_diff": sd_diff, "mean_diff_ci": (md_lo, md_hi), "t": t,
            "df": df, "p": p, "estimates": estimates, "cis": cis, "good": good}


def _long_to_wide(data: pd.DataFrame, dv: str, within: str, subject: str,
                  order: Sequence[object] | None) -> tuple[np.ndarray, np.ndarray, tuple]:
    for col in (dv, within, subject):
        if col not in data.columns:
            raise InputError("no such column", column=str(col),
                             hint=f"available: {', '.join(map(str, data.columns))}")
    values = series_to_float(data[dv], dv, column=dv)
    levels_col = data[within]
    if levels_col.isna().any():
        raise InputError("the within column has missing values", column=within,
                         hint="every row needs its measurement occasion (e.g. pre/post)")
    if order is None:
        if isinstance(levels_col.dtype, pd.CategoricalDtype):
            levels = [c for c in levels_col.cat.categories if (levels_col == c).any()]
        else:
            levels = sorted(levels_col.unique().tolist(), key=str)
    else:
        levels = list(order)
    found = set(levels_col.unique().tolist())
    if len(levels) != 2 or not set(levels) <= found or len(found) != 2:
        raise InputError(f"a paired t-test needs exactly 2 levels of {within}, found "
                         f"{len(found)}", column=within,
                         hint="pass order=(pre_level, post_level) naming two existing levels, "
                              "or filter the rows first")
    if data[subject].isna().any():
        raise InputError("the subject column has missing values", column=subject)
    frame = pd.DataFrame({"s": data[subject].to_numpy(), "w": levels_col.to_numpy(), "v": values})
    dup = frame.duplicated(["s", "w"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"subject {frame['s'].iloc[row]!r} has two rows for {within} = "
                         f"{frame['w'].iloc[row]!r}", column=subject,
                         hint="one row per subject and occasion (aggregate repeated rows first)")
    wide = frame.pivot(index="s", columns="w", values="v")
    wide = wide.reindex(columns=levels)
    return wide[levels[0]].to_numpy(float), wide[levels[1]].to_numpy(float), tuple(levels)


def paired_ttest(pre: object = None, post: object = None, alternative: str = "two-sided",
                 confidence: float = 0.95, *, data: pd.DataFrame | None = None,
                 dv: str | None = None, within: str | None = None, subject: str | None = None,
                 order: Sequence[object] | None = None) -> PairedTTestResult | PairedTTestBatch:
    """Paired t-test of ``post − pre`` with d_z, d_rm, d_av (two denominators), d_b, Hedges g and
    a confidence interval for each.

    Three ways to pass the data (pandas-first, as pingouin and statsmodels):

    * arrays: ``paired_ttest(pre, post)`` (lists, numpy, Series); 2-D arrays or DataFrames
      (n × k, one column per variable) test every column at once → :class:`PairedTTestBatch`;
    * wide table: ``paired_ttest("bdi_pre", "bdi_post", data=df)``;
    * long table: ``paired_ttest(data=df, dv="score", within="time", subject="id")`` with
      exactly two levels of ``within`` (pre = the first in sorted/categorical order, or
      ``order=("pre", "post")``); a subject missing at one occasion is a dropped pair.

    Pairs with a missing value are dropped (counted in ``n_dropped``); fewer than 2 complete
    pairs raise :class:`InputError` (1-D input; a batch gives NaN for that column). Unequal
    lengths raise :class:`InputError` (pingouin silently switches to an unpaired test; this never
    does). ``alternative="greater"`` tests mean(post − pre) > 0; one-sided CIs are half-open.

    t = M_diff/(SD_diff/√n), df = n − 1, p from Student t (= ``scipy.stats.ttest_rel(post, pre)``);
    mean_diff_ci = M_diff ± t_crit(df)·SD_diff/√n. Effect sizes and their intervals: see the
    module docstring (d_z: exact noncentral t; the others: Algina & Keselman 2003; g = d·J(n − 1)
    with the exact J). All differences equal (SD_diff = 0): t, p, d_z, d_rm are NaN with a
    :class:`ComputationWarning`.
    """
    alternative = check_alternative(alternative)
    confidence = check_confidence(confidence)
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            raise InputError("data must be a pandas DataFrame", value=type(data).__name__)
        if dv is not None or within is not None or subject is not None:
            if None in (dv, within, subject) or pre is not None or post is not None:
                raise InputError("long format needs dv=, within= and subject= (and no pre/post)")
            x, y, _ = _long_to_wide(data, dv, within, subject, order)
            return _single(x, y, alternative, confidence, ("pre", "post"))
        if not (isinstance(pre, str) and isinstance(post, str)):
            raise InputError("with data=, pass pre and post as column names (wide format) or "
                             "dv=, within=, subject= (long format)")
        m = frame_matrix(data, [pre, post])
        return _single(m[:, 0], m[:, 1], alternative, confidence, (pre, post))
    if pre is None or post is None:
        raise InputError("paired_ttest needs pre and post (or data= with column names)")
    one_column = all(isinstance(a, pd.DataFrame) and a.shape[1] == 1 for a in (pre, post))
    if (np.ndim(pre) == 2 or np.ndim(post) == 2) and not one_column:
        # one-column DataFrames stay one variable, as before the batch existed
        return _batch(pre, post, alternative, confidence)
    return _single(pre, post, alternative, confidence, ("pre", "post"))


def _single(pre: object, post: object, alternative: str, confidence: float,
            names: tuple[str, str]) -> PairedTTestResult:
    x, y, n_dropped = paired_complete(pre, post, names)
    n = int(x.size)
    if n < 2:
        raise InputError(f"a paired t-test needs at least 2 complete pairs, got {n}")
    res = paired_arrays(x[:, None], y[:, None], alternative, confidence)
    if not res["good"][0]:
        warn("the pre-post differences are all equal (SD of differences = 0): t, p and d_z are NaN")
    est, cis = res["estimates"], res["cis"]

    def one(a: np.ndarray) -> float:
        return float(a[0])

    def pair(c: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
        return (float(c[0][0]), float(c[1][0]))

    return PairedTTestResult(
        n=n, n_dropped=n_dropped, mean_pre=one(res["mean_pre"]), mean_post=one(res["mean_post"]),
        sd_pre=one(res["sd_pre"]), sd_post=one(res["sd_post"]), r_prepost=one(res["r_prepost"]),
        mean_diff=one(res["mean_diff"]), sd_diff=one(res["sd_diff"]),
        mean_diff_ci=pair(res["mean_diff_ci"]), t=one(res["t"]), df=float(n - 1),
        p=one(res["p"]), alternative=alternative, confidence=confidence,
        **{name: one(est[name]) for name in (*D_NAMES, *G_NAMES)},
        **{f"{name}_ci": pair(cis[name]) for name in (*D_NAMES, *G_NAMES)},
    )


def _matrix(a: object, name: str) -> tuple[np.ndarray, tuple[str, ...] | None]:
    if isinstance(a, pd.DataFrame):
        cols = [str(c) for c in a.columns]
        return frame_matrix(a, list(a.columns), unique=False), tuple(cols)
    arr = np.asarray(a)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InputError(f"{name} must be 1-D or 2-D (n × variables)", value=str(arr.shape))
    if arr.dtype.kind not in "biuf":
        arr = np.column_stack([as_vector(arr[:, j], f"{name} column {j}")
                               for j in range(arr.shape[1])])
    arr = arr.astype(float)
    if np.isinf(arr).any():
        raise InputError(f"{name} contains an infinite value", hint="recode it as missing or fix it")
    return arr, None


def _batch(pre: object, post: object, alternative: str, confidence: float) -> PairedTTestBatch:
    x, names_x = _matrix(pre, "pre")
    y, names_y = _matrix(post, "post")
    if x.shape != y.shape:
        raise InputError(f"pre and post must have the same shape for paired data ({x.shape} vs "
                         f"{y.shape})", hint="one row per participant, one column per variable")
    names = names_x or names_y or tuple(str(j) for j in range(x.shape[1]))
    res = paired_arrays(x, y, alternative, confidence)
    bad = int((~res["good"]).sum())
    if bad:
        warn(f"{bad} of {x.shape[1]} variables have fewer than 2 complete pairs or all "
             "differences equal: their t, p and d_z are NaN")
    for arr in (res["n"], res["t"], res["p"]):
        arr.setflags(write=False)
    return PairedTTestBatch(
        variables=names, n=res["n"], n_dropped=res["n_dropped"], mean_pre=res["mean_pre"],
        mean_post=res["mean_post"], sd_pre=res["sd_pre"], sd_post=res["sd_post"],
        r_prepost=res["r_prepost"], mean_diff=res["mean_diff"], sd_diff=res["sd_diff"],
        mean_diff_ci=res["mean_diff_ci"], t=res["t"], df=res["df"], p=res["p"],
        alternative=alternative, confidence=confidence, estimates=res["estimates"],
        cis=res["cis"])
