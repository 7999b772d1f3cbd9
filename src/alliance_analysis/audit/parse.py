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

#: numeric codes of test types, used for the vectorised computation (Q tests are χ²-distributed)
TYPE_CODES = {"t": 0, "F": 1, "r": 2, "z": 3, "chi2": 4, "d": 5, "Q": 4, "Qw": 4, "Qb": 4}

# Every quantifier that can meet a long run of the same character is possessive (``*+``, ``++``,
# ``?+``): nothing is given back, so a failed match costs time linear in what it read and the
# whole scan is linear in the text (a lone ``r`` followed by 64,000 spaces fails at once).
_INT = r"(?:\d++)"
_DEC = r"(?:\d++(?:\.\d++)?+|\.\d++)"
#: a number that may carry thousands separators (``6,721``, ``1,234.5``)
_NUM = r"(?:\d{1,3}(?:,\d{3})++(?:\.\d++)?+(?!\d)|" + _DEC + ")"
_MINUS = "-\u2212\u2013\u2012\u2014\ufe63\uff0d"
_COMP = r"(?:<=|>=|=|<|>|\u2264|\u2265)"
_SIGNED = r"(?:[" + _MINUS + r"][^\S\n]?+)?+" + _DEC
_P_NUM = (_DEC + r"(?:[eE][" + _MINUS + r"]?+\d++|[^\S\n]?+[\u00d7x][^\S\n]?+10[^\S\n]?+\^?"
          r"[" + _MINUS + r"]\d++)?+")
_CI = (r"(?:\s*+,\s*+(?P<cilev{k}>\d{{2}}(?:\.\d++)?+)\s*+%\s*+(?:CI|confidence\s++interval)"
       r"\s*+[\[(]\s*+(?P<cilo{k}>" + _SIGNED + r")\s*+[,;]\s*+(?P<cihi{k}>" + _SIGNED
       + r")\s*+[\])])?+")

_NAMES = (r"(?:t|r|F|[zZ]|Q(?:[^\S\n]?+-?+[^\S\n]?+(?:[wW]ithin|[bB]etween|[wWbB])(?!\w))?+"
          r"|\u03c7[^\S\n]?+2|\u03c7\u00b2|\u03a7[^\S\n]?+2|\u03a7\u00b2|chi[^\S\n]?+2|chi\u00b2"
          r"|chi-square|X[^\S\n]?+2|X\u00b2|d)")
#: where a result can start: a test name followed by "(" or a comparison sign
_CANDIDATE = re.compile(_NAMES + r"(?=\s*+[(<>=\u2264\u2265])")

_PATTERN = re.compile(
    r"(?:(?P<t>t)|(?P<r>r)|(?P<F>F)|(?P<z>[zZ])"
    r"|(?P<Q>Q(?:[^\S\n]?+-?+[^\S\n]?+(?:[wW]ithin|[bB]etween|[wWbB])(?!\w))?+)"
    r"|(?P<chi>\u03c7[^\S\n]?+2|\u03c7\u00b2|\u03a7[^\S\n]?+2|\u03a7\u00b2|chi[^\S\n]?+2|chi\u00b2"
    r"|chi-square|X[^\S\n]?+2|X\u00b2)"
    r"|(?P<d>d))"
    r"\s*+(?:\(\s*+(?P<df1>" + _DEC + r"|[lI](?=\s*+,))\s*+(?:,(?P<df2sp>\s*+)(?P<df2>" + _NUM
    + r")\s*+)?+(?:[,;]\s*+N\s*+=\s*+(?P<N>\d{1,3}(?:,\d{3})++(?!\d)|" + _INT + r")\s*+)?+\))?+"
    r"\s*+(?P<tcomp>" + _COMP + r")\s*+(?P<stat>(?:[" + _MINUS + r"]\s?+)?+" + _NUM + r")"
    + _CI.format(k=1) +
    r"\s*+[,;]\s*+"
    r"(?:p\s*+(?P<pcomp>" + _COMP + r")\s*+(?P<p>(?:[" + _MINUS + r"]\s?+)?+" + _P_NUM + r")"
    r"|(?P<ns>n\.?+\s?+s\.?+)(?!\w))"
    + _CI.format(k=2)
)

#: statcheck's ``OneTailedTxt`` cue words
ONE_TAILED_RE = re.compile(r"one[\s-]?(?:sided|tailed)|directional", re.IGNORECASE)
_ONE_TAILED_LOWER = re.compile(r"one[\s-]?(?:sided|tailed)|directional")


def mentions_one_tailed(text: str, chunk: int = 1 << 20) -> bool:
    """Whether ``text`` mentions one-sided/one-tailed/directional tests (statcheck's cue words).

    Searched on lower-cased 1 MB chunks (a case-insensitive regular expression is ~4x slower).
    """
    for i in range(0, len(text), chunk):
        if _ONE_TAILED_LOWER.search(text[i:i + chunk + 16].lower()):
            return True
    return False

_COMP_NORMAL = {"=": "=", "<": "<", ">": ">", "<=": "<", ">=": ">", "\u2264": "<", "\u2265": ">"}
_MINUS_TABLE = str.maketrans({c: "-" for c in _MINUS[1:]})
_SPACE_RE = re.compile(r"\s+")
_EXP_RE = re.compile(r"^(.*?)(?:[eE](-?\d+)|\s*[\u00d7x]\s*10\s*\^?\s*(-\d+))$")


def _number_text(text: str) -> str:
    """The printed number with minus signs unified and spaces (any kind) removed."""
    text = text.translate(_MINUS_TABLE)
    return "".join(text.split()) if not text.isalnum() and len(text.split()) > 1 else text


def _p_value(text: str) -> tuple[float, int]:
    """Value and number of decimals of a printed p (``.036`` → 3; ``1.2e-5`` → 6)."""
    m = _EXP_RE.match(text)
    if m is None:
        return float(text), _decimals(text)
    mant, exp = m.group(1), int(m.group(2) or m.group(3))
    return float(mant) * 10.0 ** exp, max(_decimals(mant) - exp, 0)


def _decimals(text: str) -> int:
    return len(text) - text.index(".") - 1 if "." in text else 0


@dataclass
class ParsedResults:
    """Column lists of the results found (one entry per result) plus the skipped ones.

    ``p_comparison`` is normalised to ``=``, ``<``, ``>`` or ``ns``; the sign as printed is in
    ``p_sign``. ``df1`` holds the single df of t, r, χ² and Q; ``df2`` only the F denominator df.
    ``ci_level``/``ci_low``/``ci_high`` hold a printed confidence interval (``""`` when none).
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
    ci_level: list[str] = field(default_factory=list)
    ci_low: list[str] = field(default_factory=list)
    ci_high: list[str] = field(default_factory=list)
    notes: list[tuple[str, ...]] = field(default_factory=list)
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
    if kind[0] == "Q" and (df1 is None or df2 is not None):
        return "Q needs one df, as in Q(12)"
    if kind == "r" and df2 is not None:
        return "r takes one df, as in r(18)"
    if kind in ("z", "d") and df1 is not None:
        return f"{kind} is read without df"
    return None


def _kind(g: dict) -> str:
    if g["t"]:
        return "t"
    if g["r"]:
        return "r"
    if g["F"]:
        return "F"
    if g["z"]:
        return "z"
    if g["chi"]:
        return "chi2"
    if g["Q"]:
        suffix = g["Q"][1:].replace("-", "").strip().lower()[:1]
        return {"": "Q", "w": "Qw", "b": "Qb"}[suffix]
    return "d"


def parse_text(text: str) -> ParsedResults:
    """All APA results in ``text``, in order of appearance (never raises on odd text).

    Time is linear in ``len(text)`` (one scan with possessive quantifiers). Forms repaired on the
    way, each noted on the result: the letter ``l``/``I`` for the digit 1 as F's first df (PDF
    text, as statcheck reads it), a thousands separator inside a single df (``t(1,234)``).
    """
    batches = list(parse_batches(text, batch=None))
    return batches[0]


def parse_batches(text: str, batch: int | None = 50_000):
    """:func:`parse_text` in pieces of at most ``batch`` results (``None``: one piece).

    Every piece carries the whole text's ``one_tailed_in_text``; concatenated, the pieces are
    exactly :func:`parse_text` (results do not depend on one another), so output can stream with
    memory bounded by the batch size. At least one piece is yielded.
    """
    one_tailed = mentions_one_tailed(text)
    yield from _parse_matches(_matches(text), batch, one_tailed, float("nan"))


def _read_stat(stat_text: str) -> tuple[str, float, int, bool]:
    """``(statistic, value, decimals, had a thousands separator)`` of a printed statistic."""
    printed = _number_text(stat_text)
    stat = printed.replace(",", "") if "," in printed else printed
    return stat, float(stat), _decimals(stat), stat != printed


def _read_p(p_printed: str) -> tuple[str, float, int]:
    """``(p text, value, decimals)`` of a printed p."""
    ptext = _number_text(p_printed)
    pval, pdec = _p_value(ptext)
    return ptext, pval, pdec


class Memo(dict):
    """``fn(key)`` for keys met before, computed on first use; at most :attr:`max_size` kept
    (cleared when full, so memory stays bounded on any input)."""

    max_size = 1 << 16

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        if len(self) >= self.max_size:
            self.clear()
        value = self[key] = self.fn(key)
        return value


#: printed numbers repeat (``.001``, ``2.20``): each distinct string is read once (bounded)
_STAT_CACHE = Memo(_read_stat)
_P_CACHE = Memo(_read_p)
def _appenders(out: ParsedResults) -> tuple:
    """The ``append`` methods of the result columns of ``out`` (in field order)."""
    return tuple(getattr(out, f).append for f in (
        "raw", "start", "end", "test_type", "df1", "df2", "sample_n", "test_comparison",
        "statistic", "value", "statistic_decimals", "p_comparison", "p_sign", "p_text",
        "reported_p", "p_decimals", "ci_level", "ci_low", "ci_high", "notes"))


def _parse_matches(matches, batch: int | None, one_tailed: bool, nan: float):
    """The loop of :func:`parse_batches` over given matches.

    The printed numbers are read through :data:`_STAT_CACHE` / :data:`_P_CACHE`; the notes of a
    result are a tuple (the shared empty one for most), so a batch allocates few containers.
    """
    out = ParsedResults(one_tailed_in_text=one_tailed)
    comp_normal = _COMP_NORMAL
    kind_of = _KIND_OF_FIRST
    stat_cache, p_cache = _STAT_CACHE, _P_CACHE
    q_kinds = ("t", "r", "chi2", "Q", "Qw", "Qb")
    skip = out.skipped.append
    (a_raw, a_start, a_end, a_type, a_df1, a_df2, a_n, a_tcomp, a_stat, a_value, a_sdec,
     a_pcomp, a_psign, a_ptext, a_pval, a_pdec, a_cilev, a_cilo, a_cihi, a_notes) = _appenders(out)
    for m in matches:
        if batch is not None and len(out.raw) + len(out.skipped) >= batch:
            yield out
            out = ParsedResults(one_tailed_in_text=one_tailed)
            skip = out.skipped.append
            (a_raw, a_start, a_end, a_type, a_df1, a_df2, a_n, a_tcomp, a_stat, a_value, a_sdec,
             a_pcomp, a_psign, a_ptext, a_pval, a_pdec, a_cilev, a_cilo, a_cihi,
             a_notes) = _appenders(out)
        (df1_text, df2sp, df2_text, n_text, tcomp, stat_text, cilev1, cilo1, cihi1, psign,
         p_printed, ns, cilev2, cilo2, cihi2) = m.groups()
        raw = m.group()
        start = m.start()
        kind = kind_of.get(raw[0]) or _q_kind(raw)
        note: tuple[str, ...] = ()
        if df1_text in ("l", "I"):
            if kind != "F":
                skip((raw, start, f"letter {df1_text!r} where a df is expected"))
                continue
            note += (f"first df printed as the letter {df1_text!r}, read as 1 (PDF glyph)",)
            df1_text = "1"
        if (df2_text is not None and kind in q_kinds
                and df2sp == "" and re_fullmatch_3digits(df2_text)
                and df1_text.isdigit() and len(df1_text) <= 3):
            note += (f"df {df1_text},{df2_text} read with a thousands separator",)
            df1_text, df2_text = df1_text + df2_text, None
        problem = _structure_problem(kind, df1_text, df2_text)
        if problem:
            skip((raw, start, problem))
            continue
        if n_text is not None and kind != "chi2":
            skip((raw, start, "N = … inside the parentheses is read only for χ2"))
            continue
        stat, value, sdec, separated = stat_cache[stat_text]
        if separated:
            note += ("statistic printed with a thousands separator",)
        df1 = float(df1_text) if df1_text is not None else nan
        df2 = float(df2_text.replace(",", "")) if df2_text is not None else nan
        if kind == "r" and abs(value) > 1:
            skip((raw, start, f"impossible correlation r = {stat} (|r| > 1)"))
            continue
        if value < 0 and kind in ("F", "chi2", "Q", "Qw", "Qb"):
            skip((raw, start, f"impossible negative {kind} = {stat}"))
            continue
        if (df1 == df1 and df1 <= 0) or (df2 == df2 and df2 <= 0):
            skip((raw, start, "degrees of freedom must be positive"))
            continue
        if kind == "r" and df1 == df1 and abs(value) == 1 and tcomp == "=":
            note += ("|r| = 1 printed: the check uses the rounding interval",)
        if ns is not None:
            pcomp, psign, ptext, pval, pdec = "ns", "ns", ns, nan, 0
        else:
            ptext, pval, pdec = p_cache[p_printed]
            if pval > 1:
                skip((raw, start, f"impossible p = {ptext} (p > 1)"))
                continue
            pcomp = comp_normal[psign]
            if pval < 0:
                note += (f"impossible negative p = {ptext}",)
        if cilev1 is not None:
            cilev, cilo, cihi = cilev1, _number_text(cilo1), _number_text(cihi1)
        elif cilev2 is not None:
            cilev, cilo, cihi = cilev2, _number_text(cilo2), _number_text(cihi2)
        else:
            cilev = cilo = cihi = ""
        a_raw(raw)
        a_start(start)
        a_end(m.end())
        a_type(kind)
        a_df1(df1)
        a_df2(df2)
        a_n(float(n_text.replace(",", "")) if n_text is not None else nan)
        a_tcomp(comp_normal[tcomp])
        a_stat(stat)
        a_value(value)
        a_sdec(sdec)
        a_pcomp(pcomp)
        a_psign(psign)
        a_ptext(ptext)
        a_pval(pval)
        a_pdec(pdec)
        a_cilev(cilev)
        a_cilo(cilo)
        a_cihi(cihi)
        a_notes(note)
    yield out


#: test type from the first character of a match (Q needs its suffix: :func:`_q_kind`)
_KIND_OF_FIRST = {"t": "t", "r": "r", "F": "F", "z": "z", "Z": "z", "d": "d", "\u03c7": "chi2",
                  "\u03a7": "chi2", "c": "chi2", "X": "chi2"}
_Q_NAME = re.compile(r"Q(?:[^\S\n]?+-?+[^\S\n]?+(?:[wW]ithin|[bB]etween|[wWbB])(?!\w))?+")


def _q_kind(raw: str) -> str:
    suffix = _Q_NAME.match(raw).group()[1:].replace("-", "").strip().lower()[:1]
    return {"": "Q", "w": "Qw", "b": "Qb"}[suffix]


#: every result ends in a p or ``ns``: the scan looks for these first (a fast literal search)
_ANCHOR = re.compile(r"p\s*+(?:<=|>=|[=<>\u2264\u2265])|(?<![^\W\d_])n\.?+\s?+s\.?+(?!\w)")
#: how far before its p a result may start, and after it end (a printed CI)
MAX_BEFORE_P = 600
MAX_AFTER_P = 300


#: the pattern without its name groups, so every alternative starts with a literal character and
#: the regular-expression engine skips in C to the next possible start (the name is read back
#: from the matched text)
_S = r"[^\S\n]?+"
_FAST_NAMES = (r"(?:t|r|F|z|Z|Q(?:" + _S + r"-?+" + _S + r"(?:[wW]ithin|[bB]etween|[wWbB])(?!\w))?+"
               r"|\u03c7" + _S + r"2|\u03c7\u00b2|\u03a7" + _S + r"2|\u03a7\u00b2|chi" + _S + r"2"
               r"|chi\u00b2|chi-square|X" + _S + r"2|X\u00b2|d)")
_FAST = re.compile(_FAST_NAMES + _PATTERN.pattern[_PATTERN.pattern.index(r"\s*+(?:\(\s*+(?P<df1>"):])
#: the p of a result: "p" and a comparison, or "ns" after the comma or semicolon the pattern needs
_P_ANCHOR = re.compile(r"p\s*+(?:<=|>=|[=<>\u2264\u2265])|[,;]\s*+n\.?+\s?+s\.?+(?!\w)")
#: most results start shortly before their p: that window is searched first
_SHORT = 100
_BAD_BEFORE = "_.'\u2019"


def _first_reaching(text: str, lo: int, a0: int, hi: int):
    """The first match starting in ``[lo, a0)`` after a non-word character that runs past a0."""
    search = _FAST.search
    pos = lo
    while True:
        m = search(text, pos, hi)
        if m is None:
            return None
        s = m.start()
        if s >= a0:
            return None
        if s:
            before = text[s - 1]
            if before.isalnum() or before in _BAD_BEFORE:
                pos = s + 1
                continue
        if m.end() > a0:
            return m
        pos = s + 1


def parse_range(text: str, pos: int, stop: int, one_tailed_in_text: bool) -> ParsedResults:
    """The results of :func:`parse_text` that start in ``[pos, stop)``, found by scanning from
    ``pos`` only (so a long text can be read in pieces by several processes).

    The pieces of a text cut anywhere give together exactly :func:`parse_text`: a test name can
    start only at a result's start, never inside a result, so a scan started inside a result
    finds nothing before the next one, and the next ones are the same as from the beginning
    (tested). ``one_tailed_in_text`` is the whole text's cue (:func:`mentions_one_tailed`).
    """
    return next(_parse_matches(_matches(text, pos, stop), None, one_tailed_in_text,
                               float("nan")))


#: a character a p's match can start with
_P_START = re.compile(r"[p,;]")


def _p_anchors(text: str, pos: int, e0: int):
    """``_P_ANCHOR.finditer(text, pos)``, as in the whole text, for the matches that start
    before ``e0``, without scanning the text beyond about e0 (a piece of a long text must not
    scan the rest of it for p's it will not use).

    A p's match is ``p`` or ``[,;]``, whitespace, then at most 6 characters (with a look-ahead).
    The scan cut at e0 reads every match ending before ``edge`` = e0 − 8 whole, and every attempt
    that stops before the whitespace run ending at edge. What may have been read cut: attempts
    from the character before that run, or after it, and the first match reaching edge; from
    there each ``p``, ``,`` or ``;`` before e0 is matched again on the whole text (a handful of
    characters: one before a whitespace run and at most 8 after it)."""
    n = len(text)
    if e0 >= n - 16:
        yield from _P_ANCHOR.finditer(text, pos)
        return
    edge = e0 - 8
    last, cut_at = pos, None
    for a in _P_ANCHOR.finditer(text, pos, e0):
        if a.end() >= edge:
            cut_at = a.start()
            break
        yield a
        last = a.end()
    c0 = last
    if edge > last:
        c0 = max(last, last + len(text[last:edge].rstrip()) - 1)
    if cut_at is not None:
        c0 = min(c0, cut_at)
    for c in _P_START.finditer(text, c0, e0):
        start = c.start()
        if start < last:
            continue
        m = _P_ANCHOR.match(text, start)
        if m is not None:
            yield m
            last = m.end()


def _matches(text: str, pos: int = 0, stop: int | None = None):
    """Matches of the pattern, each not preceded by a word character, ``.`` or an apostrophe.

    Every result ends in a p (``p =``, ``p <``, ``ns``), found first by a cheap scan. For each
    p, the first possible start of a result (a test name) in the :data:`MAX_BEFORE_P` characters
    before it whose match reaches the p is the result; the match may run at most
    :data:`MAX_AFTER_P` characters past the p (a printed CI). The :data:`_SHORT` characters before
    the p are searched first: no test name can start inside the part of a result before its p,
    so a result found there is the first one. Work is linear in the text (each character is
    looked at by a bounded number of scans); a statistic more than 600 characters before its p
    is not read. Same matches as :func:`_matches_by_candidates` (tested).
    """
    n = len(text)
    last_end = pos
    # starts before this were all tried for an earlier p that found no result: a match from such
    # a start ends before that p (else it would have been the result), so it cannot reach a later
    # p either. Skipping them keeps text dense with p's and no results (p = . p = . ...) at one
    # scan per character instead of one per character and p in its 600-character window.
    scanned = pos
    if stop is None:
        stop = n
    for a in _p_anchors(text, pos, stop + MAX_BEFORE_P):
        a0 = a.start()
        if text[a0] != "p":
            a0 += a.group().index("n")
        if a0 - MAX_BEFORE_P >= stop:
            return
        if a0 < last_end:
            continue
        hi = min(a.end() + MAX_AFTER_P, n)
        lo = max(a0 - MAX_BEFORE_P, last_end, scanned)
        near = max(a0 - _SHORT, lo)
        m = _first_reaching(text, near, a0, hi)
        if m is None and near > lo:
            m = _first_reaching(text, lo, a0, hi)
        if m is not None:
            if m.start() >= stop:
                return
            yield m
            last_end = m.end()
        else:
            scanned = a0


def _matches_by_candidates(text: str):
    """The reference scan :func:`_matches` replaces: for each p, the candidate starts (a test name
    followed by ``(`` or a comparison) in the 600 characters before it, tried left to right with
    the full pattern."""
    n = len(text)
    match = _PATTERN.match
    candidates = _CANDIDATE.finditer
    last_end = 0
    for a in _ANCHOR.finditer(text):
        a0 = a.start()
        if a0 < last_end:
            continue
        hi = min(a.end() + MAX_AFTER_P, n)
        for c in candidates(text, max(a0 - MAX_BEFORE_P, last_end), a0):
            pos = c.start()
            before = text[pos - 1] if pos else " "
            if before.isalnum() or before in "_.'\u2019":
                continue
            m = match(text, pos, hi)
            if m is not None and m.end() > a0:
                yield m
                last_end = m.end()
                break


def re_fullmatch_3digits(text: str) -> bool:
    return len(text) == 3 and text.isdigit()
