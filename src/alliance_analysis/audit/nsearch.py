"""What sample sizes and which d formulas fit a printed (r, p) or (d, p) pair.

* :func:`consistent_n_for_r` — for a correlation printed without df (``r = -.47, p = .036``), the
  n (df = n − 2) for which the rounding interval of r gives a p range that is consistent with the
  printed p under the statcheck rule (Nuijten et al., 2016), vectorised over n; two- and one-tailed
  separately.
* :func:`d_formula_consistency` — for a paired Cohen's d printed with its p (``d = .43, p = .03``),
  which definitions of d can have produced it for which n (Lakens, 2013, *Front. Psychol.* 4:863):

  - d_z = t/√n (mean difference / SD of differences) needs nothing but n;
  - d_rm = d_z·√(2(1 − r)) needs the pre–post correlation r;
  - d_av = mean difference / √((SD₁² + SD₂²)/2), the root mean square of the two SDs (Cumming,
    2012), and d_av_lakens = mean difference / ((SD₁ + SD₂)/2), their mean (Lakens, 2013), need r
    and the ratio of the two SDs (equal SDs assumed unless ``sd_ratio`` is given; then both equal
    d_rm). One name per formula, as in :mod:`alliance_analysis.stats.paired`;
  - d_b (Becker) = mean difference / SD of the first (pre) measurement needs r and the SD ratio.

  For the r-dependent formulas the result is the interval of r (clipped to [−1, 1]) that makes the
  pair consistent at each n.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..errors import InputError
from ..results import Result, estimate_row
from .core import R, error_rule, p_from_magnitude, stat_bounds

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "NRanges",
    "RNSearch",
    "DFormulaConsistency",
    "consistent_n_for_r",
    "d_formula_consistency",
    "ranges_of",
    "format_ranges",
]

NRanges = tuple[tuple[int, int], ...]

_P_RE = re.compile(r"^\s*(?:p\s*)?(<=|>=|=|<|>|\u2264|\u2265)?\s*([-\u2212]?\s*(?:\d+(?:\.\d+)?|\.\d+))\s*$")
_NS_RE = re.compile(r"^\s*n\.?\s?s\.?\s*$", re.IGNORECASE)
_COMP = {"=": "=", "<": "<", ">": ">", "<=": "<", ">=": ">", "\u2264": "<", "\u2265": ">"}


def _printed(value: str | float, what: str) -> str:
    text = value if isinstance(value, str) else repr(float(value))
    text = text.strip().replace("\u2212", "-").replace("\u2013", "-").replace(" ", "")
    if not re.fullmatch(r"-?(?:\d+(?:\.\d+)?|\.\d+)", text):
        raise InputError(f"{what} is not a printed number", value=value,
                         hint="Give it as printed, e.g. '-.47' (a string keeps the decimals)")
    return text


def _parse_p(p: str | float) -> tuple[str, float, int]:
    """``'< .001'`` → ('<', 0.001, 3); ``'ns'`` → ('ns', nan, 0); ``0.036`` → ('=', .036, 3)."""
    if isinstance(p, str) and _NS_RE.match(p):
        return "ns", float("nan"), 0
    text = p if isinstance(p, str) else repr(float(p))
    m = _P_RE.match(text.replace("\u2212", "-"))
    if not m:
        raise InputError("p is not a printed p-value", value=p,
                         hint="Give it as printed: '.036', '= .036', '< .001' or 'ns'")
    num = m.group(2).replace(" ", "")
    val = float(num)
    if not 0 <= val <= 1:
        raise InputError("p must lie in [0, 1]", value=p)
    dec = len(num) - num.index(".") - 1 if "." in num else 0
    return _COMP[m.group(1) or "="], val, dec


def ranges_of(ns: np.ndarray, ok: np.ndarray) -> NRanges:
    """Contiguous runs of ``ns[ok]`` as inclusive ``(first, last)`` pairs."""
    ok = np.asarray(ok, dtype=bool)
    if not ok.any():
        return ()
    padded = np.concatenate(([False], ok, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, stops = edges[::2], edges[1::2] - 1
    return tuple((int(ns[a]), int(ns[b])) for a, b in zip(starts, stops, strict=True))


def format_ranges(ranges: NRanges) -> str:
    """``((20, 20), (25, 30))`` → ``'20, 25–30'``; empty → ``'none'``."""
    if not ranges:
        return "none"
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in ranges)


def _check_n_bounds(n_min: int, n_max: int, smallest: int) -> np.ndarray:
    if int(n_min) != n_min or int(n_max) != n_max or n_min < smallest or n_max < n_min:
        raise InputError(f"need integers {smallest} ≤ n_min ≤ n_max",
                         value=(n_min, n_max))
    if n_max - n_min > 10_000_000:
        raise InputError("n range too wide (at most 10 million values)", value=(n_min, n_max))
    return np.arange(int(n_min), int(n_max) + 1)


#: the extra columns of :meth:`RNSearch.to_frame` and :meth:`DFormulaConsistency.to_frame`
SEARCH_COLUMNS = ("formula", "tails", "p_printed", "n_ranges", "n_count", "needs")


def _p_printed(comparison: str, p: str) -> str:
    return "ns" if comparison == "ns" else f"{comparison} {p}"


def _search_row(term: str, printed: str, formula: str, tails: str, p_printed: str,
                ranges: NRanges, needs: str) -> dict[str, object]:
    """One tidy row of an n search: the printed value as ``estimate`` (no interval, no test of
    its own: NaN), the consistent n as ranges and their count."""
    return estimate_row(term, float(printed), method="statcheck rule", formula=formula,
                        tails=tails, p_printed=p_printed, n_ranges=format_ranges(ranges),
                        n_count=sum(b - a + 1 for a, b in ranges), needs=needs)


@dataclasses.dataclass(frozen=True)
class RNSearch(Result):
    """Sample sizes n for which a printed r and p are consistent (df = n − 2).

    ``to_frame()``: the tidy shape of :mod:`alliance_analysis.results`, one row per tails
    (terms ``r two-tailed``, ``r one-tailed``): ``estimate`` is the printed r, ``method`` the
    statcheck rule; extra columns :data:`SEARCH_COLUMNS` (``n_ranges`` as printed by
    :func:`format_ranges`, ``n_count`` the number of consistent n).
    """

    _extra_columns: ClassVar[tuple[str, ...]] = SEARCH_COLUMNS

    r: str
    p_comparison: str
    p: str
    n_min: int
    n_max: int
    two_tailed: NRanges
    one_tailed: NRanges
    alpha: float = 0.05

    def includes(self, n: int, one_tailed: bool = False) -> bool:
        """True when ``n`` is in the consistent set."""
        return any(a <= n <= b for a, b in (self.one_tailed if one_tailed else self.two_tailed))

    def apa(self) -> str:
        p = "ns" if self.p_comparison == "ns" else f"p {self.p_comparison} {self.p}"
        return (f"r = {self.r}, {p}: consistent for n = {format_ranges(self.two_tailed)} "
                f"(two-tailed), n = {format_ranges(self.one_tailed)} (one-tailed); "
                f"searched {self.n_min}\u2013{self.n_max}")

    def _rows(self) -> list[dict[str, object]]:
        p = _p_printed(self.p_comparison, self.p)
        return [_search_row(f"r {tails}-tailed", self.r, "r", tails, p, ranges,
                            "n (df = n − 2)")
                for tails, ranges in (("two", self.two_tailed), ("one", self.one_tailed))]

    def to_dict(self) -> dict[str, object]:
        d = super().to_dict()
        d["two_tailed"] = format_ranges(self.two_tailed)
        d["one_tailed"] = format_ranges(self.one_tailed)
        return d


def consistent_n_for_r(r: str | float, p: str | float, *, n_min: int = 4, n_max: int = 10_000,
                       alpha: float = 0.05, p_zero_error: bool = True) -> RNSearch:
    """Set of n (as ranges) that make a printed ``r`` and ``p`` consistent, given both roundings.

    ``r`` and ``p`` should be the printed strings (``'-.47'``, ``'.036'``, ``'< .001'``, ``'ns'``);
    floats are read through their shortest repr. For each n the rounding interval of r is turned
    into a p interval with df = n − 2 and tested with the statcheck rule (Nuijten et al., 2016).

    >>> consistent_n_for_r("-.47", ".036").two_tailed
    ((20, 20),)
    """
    r_text = _printed(r, "r")
    r_val = float(r_text)
    if abs(r_val) > 1:
        raise InputError("a correlation must lie in [-1, 1]", value=r)
    pcomp, pval, pdec = _parse_p(p)
    ns = _check_n_bounds(n_min, n_max, 3)
    df = (ns - 2).astype(float)
    dec = r_text.split(".", 1)[1].__len__() if "." in r_text else 0
    lo, hi = stat_bounds(np.array([r_val]), np.array([dec]))
    code = np.full(ns.shape, R)
    out = {}
    for label, two in (("two", True), ("one", False)):
        p_high = p_from_magnitude(code, lo, df, np.nan, two)
        p_low = p_from_magnitude(code, hi, df, np.nan, two)
        err = error_rule(np.full(ns.shape, "="), np.full(ns.shape, pcomp), pval, pdec,
                         p_low, p_high, alpha=alpha, p_zero_error=p_zero_error)
        out[label] = ranges_of(ns, ~err)
    p_text = "" if pcomp == "ns" else (p.strip().lstrip("p=<>≤≥ ").strip() if isinstance(p, str)
                                       else repr(float(p)))
    return RNSearch(r=r_text, p_comparison=pcomp, p=p_text, n_min=int(ns[0]),
                    n_max=int(ns[-1]), two_tailed=out["two"], one_tailed=out["one"], alpha=alpha)


# ----------------------------------------------------------------------------- paired d

FORMULAS = {
    "d_z": "n only (d_z = t/√n, df = n − 1)",
    "d_rm": "n and the pre–post correlation r (d_rm = d_z·√(2(1 − r)))",
    "d_av": "n, the pre–post correlation r and the SD ratio (root-mean-square SD, Cumming; "
            "equal SDs: d_av = d_rm)",
    "d_av_lakens": "n, the pre–post correlation r and the SD ratio (mean of the two SDs, Lakens; "
                   "equal SDs: d_av_lakens = d_rm)",
    "d_b": "n, the pre–post correlation r and the SD ratio (Becker: SD of the pre scores)",
}


def _p_interval(pcomp: str, pval: float, pdec: int, alpha: float) -> tuple[float, float]:
    """Interval of true p compatible with the printed p."""
    if pcomp == "ns":
        return alpha, 1.0
    if pcomp == "<":
        return 0.0, pval
    if pcomp == ">":
        return pval, 1.0
    half = 0.5 * 10.0 ** (-pdec)
    return max(pval - half, 0.0), min(pval + half, 1.0)


def _t_interval_from_p(p_lo: float, p_hi: float, df: np.ndarray, two_sided: bool
                       ) -> tuple[np.ndarray, np.ndarray]:
    """|t| interval (df element-wise) whose p lies in [p_lo, p_hi]."""
    from scipy import special

    k = 2.0 if two_sided else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        t_lo = special.stdtrit(df, 1.0 - min(p_hi / k, 0.5)) if p_hi / k < 0.5 else np.zeros_like(df)
        t_hi = special.stdtrit(df, 1.0 - p_lo / k) if p_lo > 0 else np.full_like(df, np.inf)
    return np.maximum(np.asarray(t_lo, dtype=float), 0.0), np.asarray(t_hi, dtype=float)


def _r_from_q(q: np.ndarray, formula: str, k: float) -> np.ndarray:
    """Pre–post r that gives d_z / d_formula = q (increasing in q)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if formula == "d_rm":
            return 1.0 - 1.0 / (2.0 * q * q)
        if formula == "d_av":
            c = np.sqrt((1.0 + k * k) / 2.0)
        elif formula == "d_av_lakens":
            c = (1.0 + k) / 2.0
        else:  # d_b
            c = 1.0
        return (1.0 + k * k - (c / q) ** 2) / (2.0 * k)


@dataclasses.dataclass(frozen=True)
class DFormulaConsistency(Result):
    """Which paired-d formulas fit a printed d and p, for which n (Lakens, 2013).

    ``n_ranges`` maps ``"d_z two-tailed"`` etc. to the consistent n ranges (see :meth:`ranges`).
    ``to_frame()``: the tidy shape of :mod:`alliance_analysis.results`, one row per formula and
    tails (terms ``d_z two-tailed`` ... ``d_b one-tailed``): ``estimate`` is the printed d,
    ``method`` the statcheck rule; extra columns :data:`SEARCH_COLUMNS`. :meth:`by_n` is the
    long table of every n searched (formula, tails, n, consistent, r_low, r_high, needs).
    """

    _extra_columns: ClassVar[tuple[str, ...]] = SEARCH_COLUMNS

    d: str
    p_comparison: str
    p: str
    n_min: int
    n_max: int
    sd_ratio: float
    n_ranges: tuple[tuple[str, NRanges], ...]
    needs: tuple[tuple[str, str], ...]
    _arrays: dict = dataclasses.field(repr=False, compare=False, default_factory=dict)

    def ranges(self, formula: str, one_tailed: bool = False) -> NRanges:
        """Consistent n ranges of ``formula`` (``'d_z'``, ``'d_rm'``, ``'d_av'``, ``'d_av_lakens'``,
        ``'d_b'``)."""
        key = f"{formula} {'one' if one_tailed else 'two'}-tailed"
        return dict(self.n_ranges)[key]

    def consistent(self, formula: str, n: int, one_tailed: bool = False) -> bool:
        return any(a <= n <= b for a, b in self.ranges(formula, one_tailed))

    def r_interval(self, formula: str, n: int, one_tailed: bool = False) -> tuple[float, float]:
        """Interval of the pre–post r making ``formula`` consistent at ``n`` ((nan, nan) if none)."""
        a = self._arrays[(formula, "one" if one_tailed else "two")]
        i = int(n) - self.n_min
        if not 0 <= i < len(a["ok"]) or not a["ok"][i]:
            return float("nan"), float("nan")
        return float(a["r_low"][i]), float(a["r_high"][i])

    def _rows(self) -> list[dict[str, object]]:
        p = _p_printed(self.p_comparison, self.p)
        return [_search_row(key, self.d, key.split(" ")[0], key.split(" ")[1].split("-")[0], p,
                            ranges, FORMULAS[key.split(" ")[0]])
                for key, ranges in self.n_ranges]

    def by_n(self) -> pd.DataFrame:
        """One row per formula, tails and n searched: ``consistent`` and the interval
        ``[r_low, r_high]`` of the pre–post r that makes the formula fit (NaN for d_z)."""
        import pandas as pd

        ns = np.arange(self.n_min, self.n_max + 1)
        parts = []
        for (formula, tails), a in self._arrays.items():
            parts.append(pd.DataFrame({
                "formula": formula, "tails": tails, "n": ns, "consistent": a["ok"],
                "r_low": a["r_low"], "r_high": a["r_high"], "needs": FORMULAS[formula],
            }))
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, object]:
        return {"d": self.d, "p_comparison": self.p_comparison, "p": self.p,
                "n_min": self.n_min, "n_max": self.n_max, "sd_ratio": self.sd_ratio,
                **{k: format_ranges(v) for k, v in self.n_ranges}}

    def apa(self) -> str:
        p = "ns" if self.p_comparison == "ns" else f"p {self.p_comparison} {self.p}"
        lines = [f"d = {self.d}, {p} (n {self.n_min}\u2013{self.n_max}):"]
        for key, rng in self.n_ranges:
            lines.append(f"  {key}: n = {format_ranges(rng)}")
        return "\n".join(lines)


def d_formula_consistency(d: str | float, p: str | float, *, n: int | None = None,
                          n_min: int = 3, n_max: int = 10_000, sd_ratio: float = 1.0,
                          alpha: float = 0.05, av_denominator: str | None = None
                          ) -> DFormulaConsistency:
    """Which paired-d definitions are consistent with a printed ``d`` and ``p``, per n.

    ``n`` fixes the sample size (pairs); otherwise ``n_min``…``n_max`` is searched. For d_z the
    rounding interval of d gives t = d·√n (df = n − 1), tested with the statcheck rule on p. For
    d_rm, d_av, d_av_lakens and d_b, the p interval gives a |t| interval, hence a d_z interval, and the printed
    d then fixes the interval of the pre–post correlation r (Lakens, 2013, eqs. for d_rm/d_av);
    the formula is consistent at n when that r interval meets [−1, 1]. Both two- and one-tailed p
    are evaluated. ``sd_ratio`` = SD_post/SD_pre (1 = equal SDs).

    ``av_denominator`` is no longer used: both averages are always reported, as ``d_av`` (root
    mean square, Cumming) and ``d_av_lakens`` (mean of the SDs); passing it warns.
    """
    if av_denominator is not None:
        import warnings

        warnings.warn("av_denominator is ignored: d_av (root-mean-square SD, Cumming) and "
                      "d_av_lakens (mean of the SDs, Lakens) are both reported",
                      DeprecationWarning, stacklevel=2)
    d_text = _printed(d, "d")
    d_val = abs(float(d_text))
    pcomp, pval, pdec = _parse_p(p)
    if n is not None:
        n_min = n_max = int(n)
    ns = _check_n_bounds(n_min, n_max, 2)
    if not (sd_ratio > 0 and np.isfinite(sd_ratio)):
        raise InputError("sd_ratio must be a positive number", value=sd_ratio)
    dec = len(d_text) - d_text.index(".") - 1 if "." in d_text else 0
    d_lo, d_hi = stat_bounds(np.array([d_val]), np.array([dec]))
    d_lo, d_hi = float(d_lo[0]), float(d_hi[0])
    df = (ns - 1).astype(float)
    sqrt_n = np.sqrt(ns)
    p_lo, p_hi = _p_interval(pcomp, pval, pdec, alpha)
    arrays: dict = {}
    summary = []
    nan = np.full(ns.shape, np.nan)
    for tails, two in (("two", True), ("one", False)):
        # d_z: statcheck rule on the p range of t = d·√n
        code = np.zeros(ns.shape, dtype=int)
        p_high = p_from_magnitude(code, d_lo * sqrt_n, df, np.nan, two)
        p_low = p_from_magnitude(code, d_hi * sqrt_n, df, np.nan, two)
        err = error_rule(np.full(ns.shape, "="), np.full(ns.shape, pcomp), pval, pdec,
                         p_low, p_high, alpha=alpha)
        arrays[("d_z", tails)] = {"ok": ~err, "r_low": nan, "r_high": nan}
        # r-dependent formulas: q = d_z / d_formula ranges over [t_lo/(√n d_hi), t_hi/(√n d_lo)]
        t_lo, t_hi = _t_interval_from_p(p_lo, p_hi, df, two)
        with np.errstate(divide="ignore", invalid="ignore"):
            q_lo = t_lo / (sqrt_n * d_hi)
            q_hi = np.where(d_lo > 0, t_hi / (sqrt_n * d_lo), np.inf)
        for formula in ("d_rm", "d_av", "d_av_lakens", "d_b"):
            r_lo = _r_from_q(q_lo, formula, sd_ratio)
            r_hi = _r_from_q(q_hi, formula, sd_ratio)
            r_lo = np.where(q_lo <= 0, -np.inf, r_lo)
            lo_c, hi_c = np.maximum(r_lo, -1.0), np.minimum(r_hi, 1.0)
            ok = lo_c <= hi_c
            arrays[(formula, tails)] = {"ok": ok, "r_low": np.where(ok, lo_c, np.nan),
                                        "r_high": np.where(ok, hi_c, np.nan)}
    for formula in FORMULAS:
        for tails in ("two", "one"):
            summary.append((f"{formula} {tails}-tailed", ranges_of(ns, arrays[(formula, tails)]["ok"])))
    ordered = {k: arrays[k] for k in ((f, t) for f in FORMULAS for t in ("two", "one"))}
    p_text = "" if pcomp == "ns" else (p.strip().lstrip("p=<>≤≥ ").strip() if isinstance(p, str)
                                       else repr(float(p)))
    return DFormulaConsistency(
        d=d_text, p_comparison=pcomp, p=p_text, n_min=int(ns[0]), n_max=int(ns[-1]),
        sd_ratio=float(sd_ratio), n_ranges=tuple(summary),
        needs=tuple(FORMULAS.items()), _arrays=ordered,
    )
