"""Find APA-style test results in running text (one regular-expression pass).

Recognised forms (spacing is free, numbers may lack the leading zero, the minus may be ``-``, the
unicode minus ``−`` or an en dash ``–``; comparison signs ``=``, ``<``, ``>``, ``≤``, ``≥``)::

    t(28) = 2.20, p = .036          F(2, 28) = 2.20, p = .13        r(18) = -.65, p = .002
    χ2(1, N = 40) = 3.20, p = .07   chi2(1) = ..., X2(1) = ...       Z = -2.42, p = .016
    r = -.47, p = .036   (no df: the n that fit are searched)     d = .43, p = .03 (paired d)
    ..., ns / n.s.  (non-significant)         r(18) = -.65, 95% CI [-.85, -.29], p = .002

The extraction rules restate those of statcheck (Nuijten et al., 2016, *Behav. Res. Methods*
48:1205-1226; R package v1.6.0): case-sensitive ``t``/``r``/``F``, impossible values (|r| > 1,
negative F or χ², p > 1) are not checked. Unlike statcheck they are not silently dropped: they
are returned as *skipped* with a note. Statistic and p are kept as the printed strings because
their number of decimals is the information the check needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ParsedResults", "parse_text", "ONE_TAILED_RE", "TYPE_CODES"]

#: numeric codes of test types, used for the vectorised computation
TYPE_CODES = {"t": 0, "F": 1, "r": 2, "z": 3, "chi2": 4, "d": 5}

_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)"
_MINUS = "-\u2212\u2013\u2012\u2014"
_COMP = r"(?:<=|>=|=|<|>|\u2264|\u2265)"

_PATTERN = re.compile(
    r"(?<![\w.'\u2019])"
    r"(?:(?P<t>t)|(?P<r>r)|(?P<F>F)|(?P<z>[zZ])"
    r"|(?P<chi>\u03c7\s?2|\u03c7\u00b2|\u03a72|\u03a7\u00b2|chi\s?2|chi\u00b2|chi-square|X\s?2|X\u00b2)"
    r"|(?P<d>d))"
    r"\s*(?:\(\s*(?P<df1>" + _NUM + r")\s*(?:,\s*(?P<df2>" + _NUM + r")\s*)?"
    r"(?:,\s*N\s*=\s*(?P<N>\d+)\s*)?\))?"
    r"\s*(?P<tcomp>" + _COMP + r")\s*(?P<stat>[" + _MINUS + r"]?\s?" + _NUM + r")"
    r"(?:\s*,\s*\d+(?:\.\d+)?\s*%\s*CI\s*\[[^\]\n]{0,40}\])?"
    r"\s*[,;]\s*"
    r"(?:p\s*(?P<pcomp>" + _COMP + r")\s*(?P<p>[" + _MINUS + r"]?\s?" + _NUM + r")"
    r"|(?P<ns>n\.?\s?s\.?)(?![\w]))"
)

#: statcheck's ``OneTailedTxt`` cue words
ONE_TAILED_RE = re.compile(r"one[\s-]?(?:sided|tailed)|directional", re.IGNORECASE)

_COMP_NORMAL = {"=": "=", "<": "<", ">": ">", "<=": "<", ">=": ">", "\u2264": "<", "\u2265": ">"}
_MINUS_TABLE = str.maketrans({c: "-" for c in _MINUS[1:]} | {" ": "", "\t": "", "\n": ""})


def _decimals(text: str) -> int:
    return len(text) - text.index(".") - 1 if "." in text else 0


@dataclass
class ParsedResults:
    """Column lists of the results found (one entry per result) plus the skipped ones.

    ``p_comparison`` is normalised to ``=``, ``<``, ``>`` or ``ns``; the sign as printed is in
    ``p_sign``. ``df1`` holds the single df of t, r and χ²; ``df2`` only the F denominator df.
    """

    raw: list[str] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    test_type: list[str] = field(default_factory=list)
    df1: list[float] = field(default_factory=list)
    df2: list[float] = field(default_factory=list)
    sample_n: list[float] = field(default_factory=list)
    test_comparison: list[str] = field(default_factory=list)
    statistic: list[str] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    statistic_decimals: list[int] = field(default_factory=list)
    p_comparison: list[str] = field(default_factory=list)
    p_sign: list[str] = field(default_factory=list)
    p_text: list[str] = field(default_factory=list)
    reported_p: list[float] = field(default_factory=list)
    p_decimals: list[int] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)
    one_tailed_in_text: bool = False

    def __len__(self) -> int:
        return len(self.raw)


def _structure_problem(kind: str, df1: str | None, df2: str | None) -> str | None:
    if kind == "t" and (df1 is None or df2 is not None):
        return "t needs exactly one df, as in t(28)"
    if kind == "F" and (df1 is None or df2 is None):
        return "F needs two df, as in F(2, 28)"
    if kind == "chi2" and (df1 is None or df2 is not None):
        return "chi-square needs one df, as in χ2(1) or χ2(1, N = 40)"
    if kind == "r" and df2 is not None:
        return "r takes one df, as in r(18)"
    if kind in ("z", "d") and df1 is not None:
        return f"{kind} is read without df"
    return None


def parse_text(text: str) -> ParsedResults:
    """All APA results in ``text``, in order of appearance (never raises on odd text)."""
    out = ParsedResults(one_tailed_in_text=bool(ONE_TAILED_RE.search(text)))
    nan = float("nan")
    for m in _PATTERN.finditer(text):
        g = m.groupdict()
        raw = m.group(0)
        if g["t"]:
            kind = "t"
        elif g["r"]:
            kind = "r"
        elif g["F"]:
            kind = "F"
        elif g["z"]:
            kind = "z"
        elif g["chi"]:
            kind = "chi2"
        else:
            kind = "d"
        problem = _structure_problem(kind, g["df1"], g["df2"])
        if problem:
            out.skipped.append((raw, m.start(), problem))
            continue
        if g["N"] is not None and kind != "chi2":
            out.skipped.append((raw, m.start(), "N = … inside the parentheses is read only for χ2"))
            continue
        stat = g["stat"].translate(_MINUS_TABLE)
        value = float(stat)
        df1 = float(g["df1"]) if g["df1"] is not None else nan
        df2 = float(g["df2"]) if g["df2"] is not None else nan
        if kind == "r" and abs(value) > 1:
            out.skipped.append((raw, m.start(), f"impossible correlation r = {stat} (|r| > 1)"))
            continue
        if kind in ("F", "chi2") and value < 0:
            out.skipped.append((raw, m.start(), f"impossible negative {kind} = {stat}"))
            continue
        if (df1 == df1 and df1 <= 0) or (df2 == df2 and df2 <= 0):
            out.skipped.append((raw, m.start(), "degrees of freedom must be positive"))
            continue
        if kind == "r" and df1 == df1 and abs(value) == 1 and g["tcomp"] == "=":
            note = ["|r| = 1 printed: the check uses the rounding interval"]
        else:
            note = []
        if g["ns"] is not None:
            pcomp, psign, ptext, pval, pdec = "ns", "ns", g["ns"], nan, 0
        else:
            ptext = g["p"].translate(_MINUS_TABLE)
            pval = float(ptext)
            if pval > 1:
                out.skipped.append((raw, m.start(), f"impossible p = {ptext} (p > 1)"))
                continue
            psign = g["pcomp"]
            pcomp = _COMP_NORMAL[psign]
            pdec = _decimals(ptext)
            if pval < 0:
                note.append(f"impossible negative p = {ptext}")
        out.raw.append(raw)
        out.start.append(m.start())
        out.end.append(m.end())
        out.test_type.append(kind)
        out.df1.append(df1)
        out.df2.append(df2)
        out.sample_n.append(float(g["N"]) if g["N"] is not None else nan)
        out.test_comparison.append(_COMP_NORMAL[g["tcomp"]])
        out.statistic.append(stat)
        out.value.append(value)
        out.statistic_decimals.append(_decimals(stat))
        out.p_comparison.append(pcomp)
        out.p_sign.append(psign)
        out.p_text.append(ptext)
        out.reported_p.append(pval)
        out.p_decimals.append(pdec)
        out.notes.append(note)
    return out
