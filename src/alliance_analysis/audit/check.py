"""Check printed results for internal consistency — a vectorised, corrected statcheck.

:func:`check_text` parses a whole text in one regular-expression pass and recomputes every p at
once with numpy/scipy arrays; :func:`check_result` checks one result string. The rules restate
statcheck (Nuijten et al., 2016; R package v1.6.0) — see :mod:`alliance_analysis.audit.core` —
with these additions: negative statistics are handled by magnitude (the PyPI port's bug), the
p interval ``[p_low, p_high]`` implied by the rounding of the statistic is reported next to the
face-value p, correlations printed without df get the set of consistent n
(:func:`~alliance_analysis.audit.nsearch.consistent_n_for_r`), a paired ``d = …, p = …`` gets the
d formulas that fit (:func:`~alliance_analysis.audit.nsearch.d_formula_consistency`, Lakens 2013),
and impossible values are returned as *skipped* with a reason instead of vanishing.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..apa import fmt_bounded, fmt_df, fmt_p
from ..errors import InputError
from ..results import Result, estimate_row
from .core import decision_error_rule, error_rule, p_from_magnitude, round_units, stat_bounds
from .nsearch import consistent_n_for_r, d_formula_consistency, format_ranges
from .parse import TYPE_CODES, ParsedResults, parse_batches, parse_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CheckedResult", "SkippedResult", "AuditReport", "check_text", "check_text_batches",
           "check_result"]

STATUSES = ("consistent", "inconsistent", "decision_error", "undetermined")

COLUMNS = (
    "raw", "start", "end", "test_type", "df1", "df2", "test_comparison", "statistic", "value",
    "statistic_decimals", "p_comparison", "reported_p_text", "reported_p", "p_decimals",
    "computed_p", "p_low", "p_high", "tails", "error", "decision_error", "status",
    "consistent_n", "ci_level", "ci_low", "ci_high", "ci_check", "ci_note", "notes",
)


def fmt_p_number(p: float) -> str:
    """A computed p for tables: 5 decimals (``.03623``), scientific below 1e-4."""
    if p is None or not np.isfinite(p):
        return ""
    if p < 1e-4:
        return f"{p:.1e}"
    return fmt_bounded(p, 5)


def _fmt_p_fast(p: float) -> str:
    """:func:`fmt_p_number` without the decimal arithmetic in the usual case.

    ``format(p, ".5f")`` rounds the binary value correctly; :func:`fmt_p_number` rounds its
    shortest repr half up. The two differ only when that repr is itself a tie (exactly six
    decimals ending in 5: any other boundary between the value and its repr would be a shorter
    or closer repr), which goes the exact way (tested on random values and ties).
    """
    p = float(p)
    if not 1e-4 <= p <= 1.0:
        return fmt_p_number(p)
    r = repr(p)
    dot = r.find(".")
    if "e" in r or (len(r) - dot - 1 == 6 and r[-1] == "5"):
        return fmt_p_number(p)
    text = f"{p:.5f}"
    return text[1:] if text.startswith("0.") else text


@dataclasses.dataclass(frozen=True)
class CheckedResult(Result):
    """One printed result and its verdict.

    ``computed_p`` is at the face value of the statistic; ``[p_low, p_high]`` is the range the
    statistic's rounding allows, which is what the verdict uses. ``status`` is one of
    ``consistent``, ``inconsistent``, ``decision_error`` (an inconsistency that flips significance
    at alpha) or ``undetermined`` (r without df, paired d: see ``consistent_n`` and ``notes``).

    ``to_frame()`` is one row of :meth:`AuditReport.to_frame` (the same columns).
    """

    raw: str
    test_type: str
    df1: float | None
    df2: float | None
    test_comparison: str
    statistic: str
    value: float
    statistic_decimals: int
    p_comparison: str
    reported_p_text: str
    reported_p: float | None
    p_decimals: int
    computed_p: float | None
    p_low: float | None
    p_high: float | None
    tails: str
    error: bool | None
    decision_error: bool | None
    status: str
    consistent_n: str | None = None
    ci_level: str = ""
    ci_low: str = ""
    ci_high: str = ""
    ci_check: str = ""
    ci_note: str = ""
    notes: tuple[str, ...] = ()
    start: int = 0
    end: int = 0

    @property
    def p_interval(self) -> tuple[float | None, float | None]:
        return self.p_low, self.p_high

    def apa(self) -> str:
        if self.computed_p is None:
            extra = f"; consistent n: {self.consistent_n}" if self.consistent_n else ""
            return f"{self.raw} → {self.status}{extra}"
        return (f"{self.raw} → computed p {fmt_p(self.computed_p)} "
                f"[{fmt_p_number(self.p_low)}, {fmt_p_number(self.p_high)}]: {self.status}")

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["notes"] = "; ".join(self.notes)
        return d

    def to_frame(self) -> pd.DataFrame:
        """This result as the one row of :meth:`AuditReport.to_frame`."""
        columns = {name: [getattr(self, name)] for name in COLUMNS}
        return AuditReport._tidy(columns)


@dataclasses.dataclass(frozen=True)
class SkippedResult(Result):
    """A matched string that was not checked (impossible value or incomplete form)."""

    raw: str
    start: int
    reason: str

    _extra_columns: ClassVar[tuple[str, ...]] = ("raw", "start", "reason")

    def apa(self) -> str:
        return f"{self.raw} (skipped: {self.reason})"

    def _rows(self) -> list[dict[str, Any]]:
        """One tidy row with no numbers (nothing was checked), labelled like the checked ones."""
        return [estimate_row(f"{self.raw} @{self.start}", math.nan, raw=self.raw,
                             start=self.start, reason=self.reason)]


@dataclasses.dataclass(frozen=True)
class AuditReport(Result):
    """All checked results of a text (columnar inside; :attr:`results` builds the objects).

    ``to_frame()`` is the tidy shape of :mod:`alliance_analysis.results`, one row per checked
    result, labelled ``"<printed result> @<offset>"`` (the offset in the text makes a result
    printed twice two rows): ``estimate`` = the printed value (t, F, χ², z, Q, r or d),
    ``statistic`` = the same value for the test statistics and NaN for r and d (no statistic is
    printed for them), ``df`` = ``df1``, ``p`` = the p recomputed at face value
    (``computed_p``), ``ci_low``/``ci_high``/``confidence`` = the confidence interval printed
    with the result (NaN when none), ``method`` = ``"statcheck rule"``, ``se`` NaN. Then every
    field of :class:`CheckedResult` as an extra column, under its own name except three
    whose names the tidy columns hold: ``statistic_text``, ``ci_low_text`` and
    ``ci_high_text`` are the printed strings.
    """

    #: extra columns of :meth:`to_frame` (CheckedResult's fields; printed strings renamed)
    _extra_columns: ClassVar[tuple[str, ...]] = tuple(
        {"statistic": "statistic_text", "ci_low": "ci_low_text",
         "ci_high": "ci_high_text"}.get(name, name) for name in COLUMNS)

    alpha: float
    one_tailed: bool
    one_tailed_in_text: bool
    skipped: tuple[SkippedResult, ...]
    columns: dict = dataclasses.field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.columns["raw"])

    @cached_property
    def results(self) -> tuple[CheckedResult, ...]:
        return tuple(self.iter_results())

    def iter_dicts(self):
        """Plain ``dict`` per result (fields of :class:`CheckedResult`, NaN as ``None``), one at
        a time: the fast path for streaming output (columns are converted once, not per value)."""
        c = self.columns
        cols = {name: (c[name].tolist() if isinstance(c[name], np.ndarray) else c[name])
                for name in COLUMNS}
        nanable = ("df1", "df2", "reported_p", "computed_p", "p_low", "p_high")
        for i in range(len(self)):
            kw = {name: cols[name][i] for name in COLUMNS}
            for name in nanable:
                v = kw[name]
                if v is not None and v != v:
                    kw[name] = None
            if kw["status"] == "undetermined" and kw["test_type"] in ("r", "d") and (
                    kw["computed_p"] is None):
                kw["error"] = kw["decision_error"] = None
            yield kw

    def iter_results(self):
        """The :class:`CheckedResult` objects one at a time (nothing cached: for streaming)."""
        for kw in self.iter_dicts():
            kw["notes"] = tuple(kw["notes"])
            yield CheckedResult(**kw)

    def __iter__(self):
        return iter(self.results)

    def __getitem__(self, i: int) -> CheckedResult:
        return self.results[i]

    @property
    def n_errors(self) -> int:
        return int(np.sum(self.columns["error"] & (self.columns["status"] != "undetermined")))

    @property
    def n_decision_errors(self) -> int:
        return int(np.sum(self.columns["decision_error"]))

    @property
    def n_ci_errors(self) -> int:
        return int(np.sum(self.columns["ci_check"] == "inconsistent"))

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per checked result (the shape is in the class docstring)."""
        return self._tidy(self.columns)

    @staticmethod
    def _tidy(c: dict[str, Any]) -> pd.DataFrame:
        """The tidy frame of columns ``c`` (:data:`COLUMNS`, arrays or lists), built column-wise."""
        import pandas as pd

        k = len(c["raw"])

        def num(x: Any) -> np.ndarray:
            if isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
                return x.astype(float)
            arr = np.asarray(x, dtype=object)
            out = np.full(k, np.nan)
            filled = (arr != "") & (arr != None)  # noqa: E711 - elementwise on an object array
            if filled.any():
                out[filled] = pd.to_numeric(pd.Series(arr[filled]), errors="coerce")
            return out

        value = num(c["value"])
        kinds = np.asarray(c["test_type"], dtype=object)
        starts = c["start"].tolist() if isinstance(c["start"], np.ndarray) else c["start"]
        terms = [f"{raw} @{start}" for raw, start in zip(c["raw"], starts, strict=True)]
        tidy = {
            "term": terms, "estimate": value, "se": np.full(k, np.nan),
            "ci_low": num(c["ci_low"]), "ci_high": num(c["ci_high"]),
            "confidence": num(c["ci_level"]) / 100.0,
            "statistic": np.where(np.isin(kinds, ("r", "d")), np.nan, value),
            "df": num(c["df1"]), "p": num(c["computed_p"]),
            "method": ["statcheck rule"] * k,
        }
        extra = {new: (["; ".join(n) for n in c[old]] if old == "notes" else c[old])
                 for old, new in zip(COLUMNS, AuditReport._extra_columns, strict=True)}
        frame = pd.DataFrame({**tidy, **extra})
        if not k:  # no rows: text columns stay text (pandas would make them float)
            frame = frame.astype({"term": object, "method": object})
        frame.index = pd.Index(frame["term"])  # the column's array: no second conversion
        frame.index.name = None
        return frame

    def __repr__(self) -> str:
        """The options, the counts and the results (the first 10, then how many more)."""
        shown = [f"CheckedResult(raw={r.raw!r}, status={r.status!r}, computed_p={r.computed_p!r})"
                 for r in itertools.islice(self.iter_results(), 10)]
        if len(self) > 10:
            shown.append(f"... {len(self) - 10} more")
        return (f"AuditReport(alpha={self.alpha!r}, one_tailed={self.one_tailed!r}, "
                f"one_tailed_in_text={self.one_tailed_in_text!r}, n_results={len(self)}, "
                f"results=[{', '.join(shown)}], skipped={self.skipped!r})")

    def summary(self) -> str:
        """Plain text: the options and counts, then one line per result (the first 50) and per
        skipped string."""
        lines = [type(self).__name__] + [f"  {k}: {v}" for k, v in self._header()]
        status = np.asarray(self.columns["status"], dtype=object)
        lines.append("  by status: " + ", ".join(
            f"{s} {int(np.sum(status == s))}" for s in STATUSES))
        lines.append("")
        lines += [r.apa() for r in itertools.islice(self.iter_results(), 50)]
        if len(self) > 50:
            lines.append(f"... {len(self) - 50} more results: use .to_frame()")
        lines += [s.apa() for s in self.skipped]
        return "\n".join([*lines, "", self.apa()])

    def to_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "one_tailed": self.one_tailed, "n_results": len(self),
                "n_errors": self.n_errors, "n_decision_errors": self.n_decision_errors,
                "n_skipped": len(self.skipped)}

    def _header(self) -> list[tuple[str, str]]:
        return [(k, str(v)) for k, v in self.to_dict().items()]

    def apa(self) -> str:
        return (f"{len(self)} results checked: {self.n_errors} inconsistent, "
                f"{self.n_decision_errors} decision errors, {len(self.skipped)} skipped")


class _Notes(list):
    """The notes column (one tuple per result): a note added makes a new tuple (most results
    have none, and the shared empty tuple costs nothing)."""

    def add(self, i: int, note: str) -> None:
        self[i] = (*self[i], note)


def _check_parsed(parsed: ParsedResults, *, alpha: float, one_tailed: bool,
                  one_tailed_txt: bool, p_equal_alpha_sig: bool, p_zero_error: bool,
                  n: int | None, n_min: int, n_max: int) -> dict[str, Any]:
    k = len(parsed)
    kind = np.array(parsed.test_type, dtype=object)
    code = np.array([TYPE_CODES[t] for t in parsed.test_type], dtype=np.int8)
    value = np.array(parsed.value, dtype=float)
    sdec = np.array(parsed.statistic_decimals, dtype=np.int16)
    df1 = np.array(parsed.df1, dtype=float)
    df2 = np.array(parsed.df2, dtype=float)
    rep = np.array(parsed.reported_p, dtype=float)
    pdec = np.array(parsed.p_decimals, dtype=np.int16)
    pcomp = np.array(parsed.p_comparison, dtype=object)
    tcomp_printed = np.array(parsed.test_comparison, dtype=object)
    notes = _Notes(parsed.notes)

    # magnitude comparison: "t < -2" means |t| > 2 for the symmetric tests
    signed = np.isin(code, (0, 2, 3, 5)) & (value < 0)
    tcomp = tcomp_printed.copy()
    tcomp[signed & (tcomp_printed == "<")] = ">"
    tcomp[signed & (tcomp_printed == ">")] = "<"

    # r and d without df: use n when given, otherwise search n
    no_df_r = (code == 2) & np.isnan(df1)
    if n is not None:
        df1 = np.where(no_df_r, float(n) - 2.0, df1)
    is_d = code == 5
    # a paired d with known n becomes d_z's t(n - 1) = d·√n for the face-value p
    eff_code = np.where(is_d, 0, code)
    eff_value = value.copy()
    eff_df1 = df1.copy()
    if n is not None:
        eff_value = np.where(is_d, value * np.sqrt(float(n)), value)
        eff_df1 = np.where(is_d, float(n) - 1.0, df1)
    computable = ~np.isnan(eff_df1) | np.isin(code, (3,))
    computable &= ~(is_d & (n is None))

    lo, hi = stat_bounds(eff_value, sdec)
    if n is not None:
        half = 0.5 * 10.0 ** (-sdec.astype(float))
        d_lo = np.maximum(np.abs(value) - half, 0) * np.sqrt(float(n))
        d_hi = (np.abs(value) + half) * np.sqrt(float(n))
        lo, hi = np.where(is_d, d_lo, lo), np.where(is_d, d_hi, hi)
    mag = np.abs(eff_value)
    # a statistic printed with < or > is a bound on the value itself, not a rounded value:
    # "F(2, 28) < 1" means F < 1 exactly, so p > p(F = 1) = .381
    bound = tcomp_printed != "="
    lo, hi = np.where(bound, mag, lo), np.where(bound, mag, hi)

    # one p computation for all three magnitudes (face value and the two rounding bounds); the
    # one-sided p of t, r and z is exactly half the two-sided one (the two-sided p is
    # min(2 * upper tail, 1) and the upper tail of a magnitude never exceeds .5)
    k = len(mag)
    p_all = p_from_magnitude(np.tile(eff_code, 3), np.concatenate([mag, lo, hi]),
                             np.tile(eff_df1, 3), np.tile(df2, 3), True)
    symmetric = np.isin(eff_code, (0, 2, 3))
    halve = np.where(symmetric, 0.5, 1.0)

    def run(two_sided: bool):
        factor = 1.0 if two_sided else halve
        face, p_high, p_low = (p_all[:k] * factor, p_all[k:2 * k] * factor,
                               p_all[2 * k:] * factor)
        err = error_rule(tcomp, pcomp, rep, pdec, p_low, p_high, alpha, p_zero_error)
        de = err & decision_error_rule(tcomp, pcomp, rep, face, alpha, p_equal_alpha_sig)
        return face, p_low, p_high, err, de

    face2, low2, high2, err2, de2 = run(True)
    face1, low1, high1, err1, de1 = run(False)
    if one_tailed:
        face, p_low, p_high, err, de = face1, low1, high1, err1, de1
        tails = np.where(symmetric, "one", "upper")
    else:
        face, p_low, p_high, err, de = face2, low2, high2, err2, de2
        tails = np.where(symmetric, "two", "upper")
        # per result: texts checked together (check_many) each keep their own cue words
        cue = np.broadcast_to(np.asarray(parsed.one_tailed_in_text, dtype=bool), (k,))
        if one_tailed_txt and cue.any():
            use1 = symmetric & err2 & ~err1 & cue
            face = np.where(use1, face1, face)
            p_low = np.where(use1, low1, p_low)
            p_high = np.where(use1, high1, p_high)
            err = np.where(use1, err1, err)
            de = np.where(use1, de1, de)
            tails = np.where(use1, "one (text)", tails)
    err = err & computable
    de = de & computable

    # r printed with N instead of df?
    r_err = np.flatnonzero((code == 2) & err & ~no_df_r & (df1 > 2))
    if len(r_err):
        rl, rh = stat_bounds(value[r_err], sdec[r_err])
        dfn = df1[r_err] - 2
        rc = np.full(len(r_err), 2)
        two = not one_tailed
        ok_n = ~error_rule(tcomp[r_err], pcomp[r_err], rep[r_err], pdec[r_err],
                           p_from_magnitude(rc, rh, dfn, np.nan, two),
                           p_from_magnitude(rc, rl, dfn, np.nan, two), alpha, p_zero_error)
        for i, ok in zip(r_err, ok_n, strict=True):
            if ok:
                notes.add(i, f"consistent if {fmt_df(df1[i])} is N (df = {fmt_df(df1[i] - 2)})")
    if not one_tailed:
        for i in np.flatnonzero(err & symmetric & ~err1 & computable):
            if tails[i] == "two":
                notes.add(i, "consistent if one-tailed")
    # consistent only thanks to the rounding of the statistic (statcheck issue #36)
    exact = computable & ~err & (pcomp == "=") & (rep > 0)
    for i in np.flatnonzero(exact & (round_units(face, pdec) != np.rint(rep * 10.0 ** pdec))):
        notes.add(i, f"consistent only through the rounding of the statistic "
                        f"(face-value p = {_fmt_p_fast(face[i])})")
    pzero = computable & (pcomp != "ns") & (rep <= 0) & (pcomp != ">")
    for i in np.flatnonzero(pzero & p_zero_error):
        notes.add(i, "p printed as zero: report p < .001")

    status = np.where(de, "decision_error", np.where(err, "inconsistent", "consistent")).astype(object)
    consistent_n: list[str | None] = [None] * k
    for i in np.flatnonzero(~computable):
        status[i] = "undetermined"
        face[i] = p_low[i] = p_high[i] = np.nan
        err[i] = de[i] = False
        p_arg = "ns" if pcomp[i] == "ns" else f"{parsed.p_sign[i]} {parsed.p_text[i]}"
        if code[i] == 2:
            try:
                res = consistent_n_for_r(parsed.statistic[i], p_arg, n_min=n_min, n_max=n_max,
                                         alpha=alpha, p_zero_error=p_zero_error)
            except InputError as exc:
                notes.add(i, f"n search not possible: {exc.message}")
                continue
            consistent_n[i] = format_ranges(res.two_tailed)
            notes.add(i, f"no df printed; consistent for n = {format_ranges(res.two_tailed)} "
                            f"two-tailed, n = {format_ranges(res.one_tailed)} one-tailed "
                            f"(searched {n_min}\u2013{n_max})")
            if not res.two_tailed and not res.one_tailed:
                status[i] = "inconsistent"
                err[i] = True
        elif code[i] == 5:
            try:
                res = d_formula_consistency(parsed.statistic[i], p_arg, n_min=max(n_min, 2),
                                            n_max=n_max, alpha=alpha)
            except InputError as exc:
                notes.add(i, f"d formula search not possible: {exc.message}")
                continue
            consistent_n[i] = format_ranges(res.ranges("d_z"))
            notes.add(i, "paired d: " + "; ".join(
                f"{key} n = {format_ranges(rng)}" for key, rng in res.n_ranges))
    if n is not None:
        for i in np.flatnonzero(is_d):
            notes.add(i, f"checked as d_z = t/√n with n = {n}; other d formulas need r "
                            "(see d_formula_consistency)")
    for i in np.flatnonzero(no_df_r & computable):
        notes.add(i, f"no df printed; checked with the given n = {n}")
    df1_out = np.where(no_df_r & (n is None), np.nan, df1)
    if n is not None:
        df1_out = np.where(is_d, float(n) - 1.0, df1_out)
    from .ci import check_intervals

    ci_check, ci_note = check_intervals(kind, value, sdec, df1, parsed.ci_level, parsed.ci_low,
                                        parsed.ci_high, n=n)
    return {
        "ci_level": np.array(parsed.ci_level, dtype=object),
        "ci_low": np.array(parsed.ci_low, dtype=object),
        "ci_high": np.array(parsed.ci_high, dtype=object),
        "ci_check": np.array(ci_check, dtype=object), "ci_note": np.array(ci_note, dtype=object),
        "raw": parsed.raw, "start": np.array(parsed.start, dtype=np.int64),
        "end": np.array(parsed.end, dtype=np.int64), "test_type": kind,
        "df1": df1_out, "df2": df2, "test_comparison": tcomp_printed,
        "statistic": np.array(parsed.statistic, dtype=object), "value": value,
        "statistic_decimals": sdec.astype(np.int64), "p_comparison": pcomp,
        "reported_p_text": np.array(parsed.p_text, dtype=object), "reported_p": rep,
        "p_decimals": pdec.astype(np.int64), "computed_p": face, "p_low": p_low,
        "p_high": p_high, "tails": tails.astype(object), "error": err.astype(bool),
        "decision_error": de.astype(bool), "status": status,
        "consistent_n": np.array(consistent_n, dtype=object), "notes": notes,
    }


def check_text(text: str, *, alpha: float = 0.05, one_tailed: bool = False,
               one_tailed_txt: bool = False, p_equal_alpha_sig: bool = True,
               p_zero_error: bool = True, n: int | None = None, n_min: int = 4,
               n_max: int = 10_000) -> AuditReport:
    """Find and check every APA result in ``text`` (statcheck rules, Nuijten et al. 2016).

    ``one_tailed`` recomputes all t/r/z p one-sided; ``one_tailed_txt`` does so per result only
    when the text mentions one-sided/one-tailed/directional tests and the result is an error
    two-sided but not one-sided (statcheck's ``OneTailedTxt``). ``n`` is the sample size used for
    correlations printed without df and for paired ``d = …, p = …`` (checked as d_z); without it
    the consistent n in ``n_min``…``n_max`` are listed. Raises :class:`InputError` when nothing
    that looks like an APA result is found.
    """
    if not isinstance(text, str):
        raise InputError("text to check must be a string", value=type(text).__name__)
    _validate(alpha, n, n_min, n_max)
    parsed = parse_text(text)
    return _report(parsed, alpha=alpha, one_tailed=one_tailed, one_tailed_txt=one_tailed_txt,
                   p_equal_alpha_sig=p_equal_alpha_sig, p_zero_error=p_zero_error, n=n,
                   n_min=n_min, n_max=n_max, require=True)


def check_text_batches(text: str, *, batch: int = 50_000, **kwargs: Any):
    """:func:`check_text` as a stream of :class:`AuditReport` pieces of at most ``batch``
    results each (same rows, in the same order; memory bounded by the batch, not the text).

    Raises :class:`InputError` before yielding anything when the text holds no result.
    """
    if not isinstance(text, str):
        raise InputError("text to check must be a string", value=type(text).__name__)
    opts = {"alpha": 0.05, "one_tailed": False, "one_tailed_txt": False,
            "p_equal_alpha_sig": True, "p_zero_error": True, "n": None, "n_min": 4,
            "n_max": 10_000} | kwargs
    _validate(opts["alpha"], opts["n"], opts["n_min"], opts["n_max"])
    pieces = parse_batches(text, batch)
    first = next(pieces)
    second = next(pieces, None)
    if second is None:
        yield _report(first, require=True, **opts)
        return
    yield _report(first, require=False, **opts)
    yield _report(second, require=False, **opts)
    for piece in pieces:
        yield _report(piece, require=False, **opts)


def _validate(alpha, n, n_min, n_max) -> None:
    if not 0 < alpha < 1:
        raise InputError("alpha must lie strictly between 0 and 1", value=alpha)
    if n is not None and (int(n) != n or n < 3):
        raise InputError("n must be an integer ≥ 3", value=n)
    if int(n_min) != n_min or int(n_max) != n_max or not 3 <= n_min <= n_max:
        raise InputError("need integers 3 ≤ n_min ≤ n_max", value=(n_min, n_max))


def _report(parsed: ParsedResults, *, alpha, one_tailed, one_tailed_txt, p_equal_alpha_sig,
            p_zero_error, n, n_min, n_max, require: bool) -> AuditReport:
    skipped = tuple(SkippedResult(raw, start, reason) for raw, start, reason in parsed.skipped)
    if len(parsed) == 0 and require:
        why = ("Skipped: " + "; ".join(f"'{s.raw}': {s.reason}" for s in skipped[:3]) if skipped else
               "Expected forms like 't(28) = 2.20, p = .036', 'r(18) = -.65, p = .002', "
               "'F(2, 28) = 2.20, p = .13', 'χ2(1, N = 40) = 3.2, p = .07', 'Z = 2.42, p = .016'")
        raise InputError("no checkable APA result found in the text", hint=why)
    columns = _check_parsed(parsed, alpha=alpha, one_tailed=one_tailed,
                            one_tailed_txt=one_tailed_txt, p_equal_alpha_sig=p_equal_alpha_sig,
                            p_zero_error=p_zero_error, n=n, n_min=n_min, n_max=n_max)
    return AuditReport(alpha=alpha, one_tailed=one_tailed,
                       one_tailed_in_text=parsed.one_tailed_in_text, skipped=skipped,
                       columns=columns)


_LIST_FIELDS = ("raw", "start", "end", "test_type", "df1", "df2", "sample_n", "test_comparison",
                "statistic", "value", "statistic_decimals", "p_comparison", "p_sign", "p_text",
                "reported_p", "p_decimals", "ci_level", "ci_low", "ci_high", "notes")


def check_many(texts: list[str], **kwargs: Any) -> list[AuditReport]:
    """:func:`check_text` for many short texts at once: one report per text (possibly empty).

    The texts are parsed one by one and their results checked in one vectorised pass (numpy's
    per-call overhead is paid once, not per document); each text keeps its own one-tailed cue
    words and offsets. Same rows as ``check_text`` on each text alone.
    """
    return check_many_merged(texts, **kwargs)[0]


def check_many_merged(texts: list[str], **kwargs: Any
                      ) -> tuple[list[AuditReport], dict[str, Any]]:
    """:func:`check_many` and the merged columns its reports are slices of (all texts' results
    in order: what a corpus worker renders in one pass)."""
    opts = {"alpha": 0.05, "one_tailed": False, "one_tailed_txt": False,
            "p_equal_alpha_sig": True, "p_zero_error": True, "n": None, "n_min": 4,
            "n_max": 10_000} | kwargs
    _validate(opts["alpha"], opts["n"], opts["n_min"], opts["n_max"])
    parsed = [parse_text(t) for t in texts]
    merged = ParsedResults()
    cue: list[bool] = []
    for p in parsed:
        for name in _LIST_FIELDS:
            getattr(merged, name).extend(getattr(p, name))
        cue += [p.one_tailed_in_text] * len(p)
    merged.one_tailed_in_text = np.array(cue, dtype=bool)  # type: ignore[assignment]
    columns = _check_parsed(merged, **{k: opts[k] for k in (
        "alpha", "one_tailed", "one_tailed_txt", "p_equal_alpha_sig", "p_zero_error", "n",
        "n_min", "n_max")})
    return _split_reports(parsed, columns, opts), columns


def _split_reports(parsed: list[ParsedResults], columns: dict[str, Any], opts: dict
                   ) -> list[AuditReport]:
    """The reports of :func:`check_many` from the merged columns (one slice per text)."""
    out = []
    pos = 0
    for p in parsed:
        sl = slice(pos, pos + len(p))
        pos += len(p)
        cols = {key: v[sl] for key, v in columns.items()}
        out.append(AuditReport(
            alpha=opts["alpha"], one_tailed=opts["one_tailed"],
            one_tailed_in_text=p.one_tailed_in_text,
            skipped=tuple(SkippedResult(raw, start, reason) for raw, start, reason in p.skipped),
            columns=cols))
    return out


def check_result(result: str, **kwargs: Any) -> CheckedResult:
    """Check one printed result (``"t(28) = 2.20, p = .03"``); options as :func:`check_text`."""
    report = check_text(result, **kwargs)
    if len(report) != 1:
        raise InputError(f"expected one result, found {len(report)}", value=result,
                         hint="Use check_text for a passage with several results")
    return report.results[0]
