"""Secondary-source claims: does a sentence say what its cited primary source printed?

A secondary source (a review, a news piece, a clinic's article) cites trials. Each checked sentence
is a claim with: the sentence, what it asserts, the primary source(s), the values the primary
printed as strings with the public address where they were read and where in the paper they stand
(or ``NOT FOUND``), and one verdict from a small fixed vocabulary with a one-sentence reason.

The verdicts are judgements recorded as data, like the printed values of the claims registries:
nothing here is computed from the sentence. What code does is check that every entry is complete
(a verdict from :data:`VERDICTS`, a reason, a printed value or ``NOT FOUND`` for each primary it
names, an address for each printed value) and render the entries as a table, a page and an HTML
report section.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .._files import shipped_toml
from ..errors import InputError
from ..report.markdown import md_cell
from ..results import Result, estimate_row

SECONDARY_DIR = Path(__file__).with_name("secondary_registry")

#: The verdict vocabulary (fixed): what a sentence does with its primary source.
VERDICTS: dict[str, str] = {
    "supported": "the primary source prints what the sentence says",
    "numbers from different analyses compared": "the sentence sets side by side values that come "
                                                "from different analyses (e.g. a within-group and a "
                                                "between-group effect size)",
    "comparator misdescribed": "the values are printed, but the comparison group or condition is "
                               "not the one the sentence names",
    "not in the source": "the primary source does not contain what the sentence says it shows",
    "misattributed": "the finding exists, or may exist, but in another publication than the one "
                     "cited",
    "not found": "no public copy of the primary source could be read for this value",
}
NOT_FOUND = "NOT FOUND"
#: a full stop (not of "et al.") followed by a capital: a second sentence
_SENTENCE_BREAK = re.compile(r"(?<!\bal)[.!?]\s+[A-Z]")

_SOURCE_FIELDS = {"id", "title", "publisher", "date", "kind", "read"}
_PRIMARY_FIELDS = {"id", "citation", "doi", "design", "read", "addresses"}
_CLAIM_FIELDS = {"id", "sentence", "asserts", "primary", "verdict", "reason", "printed"}
_PRINTED_FIELDS = {"primary", "where", "value", "text", "address"}


@dataclass(frozen=True)
class PrintedValue:
    """A value as the primary source printed it (or ``NOT FOUND``), with where it was read."""

    primary: str
    where: str
    value: str
    text: str
    address: str


@dataclass(frozen=True)
class PrimarySource:
    id: str
    citation: str
    doi: str
    design: str
    read: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class SecondaryClaim:
    id: str
    sentence: str
    asserts: str
    primary: tuple[str, ...]
    verdict: str
    reason: str
    printed: tuple[PrintedValue, ...]


#: the extra columns of :meth:`SecondaryRegistry.to_frame` (and the columns of its report table)
SECONDARY_COLUMNS = ("source", "claim", "sentence", "verdict", "reason", "primary", "where",
                     "printed", "address")


@dataclass(frozen=True)
class SecondaryRegistry(Result):
    """One secondary source, the primary sources it cites and its checked sentences.

    ``to_frame()`` is the tidy shape of :mod:`alliance_analysis.results` with one row per printed
    value of each claim (see :meth:`_rows`); its extra columns are :data:`SECONDARY_COLUMNS`.
    """

    _extra_columns: ClassVar[tuple[str, ...]] = SECONDARY_COLUMNS

    id: str
    title: str
    publisher: str
    date: str
    kind: str
    read: str
    primaries: tuple[PrimarySource, ...]
    claims: tuple[SecondaryClaim, ...]

    def primary(self, pid: str) -> PrimarySource:
        return next(p for p in self.primaries if p.id == pid)

    def verdict_counts(self) -> dict[str, int]:
        """Claims per verdict, in the vocabulary's order (zero counts included)."""
        return {v: sum(c.verdict == v for c in self.claims) for v in VERDICTS}

    def _rows(self) -> list[dict[str, object]]:
        """One tidy row per printed value of each claim, labelled ``<claim>.<j>`` (``JC1.1``,
        ``JC1.2``: the j-th value recorded for the claim). Nothing here is a computed number:
        the numeric columns are NaN and the recorded text is in the extra columns
        :data:`SECONDARY_COLUMNS`."""
        return [estimate_row(f"{c.id}.{j}", math.nan, source=self.id, claim=c.id,
                             sentence=c.sentence, verdict=c.verdict, reason=c.reason,
                             primary=pv.primary, where=pv.where, printed=pv.value,
                             address=pv.address)
                for c in self.claims for j, pv in enumerate(c.printed, start=1)]

    def summary(self) -> str:
        counts = ", ".join(f"{v}: {n}" for v, n in self.verdict_counts().items() if n)
        lines = [f"{self.publisher}, \"{self.title}\" ({self.date}): {len(self.claims)} sentences "
                 f"checked against {len(self.primaries)} primary sources ({counts})."]
        lines += [f"  {c.id} [{c.verdict}] {c.reason}" for c in self.claims]
        return "\n".join(lines)

    def apa(self) -> str:
        counts = self.verdict_counts()
        return (f"{len(self.claims)} sentences checked; {counts['supported']} supported by the "
                f"cited source, {len(self.claims) - counts['supported']} not")


def _err(path: Path, what: str, hint: str = "See docs/papers/secondary_sources.md") -> InputError:
    return InputError(what, file=str(path), hint=hint)


def _table(path: Path, where: str, value: object, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise _err(path, f"{where} must be a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _err(path, f"{where}: unknown field(s) {', '.join(unknown)}")
    missing = sorted(k for k in required if not str(value.get(k, "")).strip())
    if missing:
        raise _err(path, f"{where}: missing or empty field(s) {', '.join(missing)}")
    return value


def load_secondary(name: str | Path) -> SecondaryRegistry:
    """Load and validate one secondary-source registry (a shipped name or a ``.toml`` path)."""
    path = shipped_toml(name, SECONDARY_DIR, "secondary-source registry")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _err(path, f"not valid TOML: {exc}") from None
    src = _table(path, "[source]", data.get("source"), _SOURCE_FIELDS, _SOURCE_FIELDS)
    primaries = []
    for i, p in enumerate(data.get("primary", []), start=1):
        p = _table(path, f"[[primary]] {i}", p, _PRIMARY_FIELDS, _PRIMARY_FIELDS)
        primaries.append(PrimarySource(p["id"], p["citation"], p["doi"], p["design"], p["read"],
                                       tuple(p["addresses"])))
    known = {p.id for p in primaries}
    if len(known) != len(primaries):
        raise _err(path, "two [[primary]] entries share an id")
    claims = []
    for i, c in enumerate(data.get("claim", []), start=1):
        c = _table(path, f"[[claim]] {i}", c, _CLAIM_FIELDS, _CLAIM_FIELDS - {"printed"})
        where = f"claim {c['id']}"
        if c["verdict"] not in VERDICTS:
            raise _err(path, f"{where}: verdict '{c['verdict']}' is not in the vocabulary",
                       hint="Use one of: " + "; ".join(VERDICTS))
        cited = tuple(c["primary"])
        if not cited or set(cited) - known:
            raise _err(path, f"{where}: primary must name declared [[primary]] ids")
        if not c["reason"].rstrip().endswith(".") or _SENTENCE_BREAK.search(c["reason"]):
            raise _err(path, f"{where}: the reason must be one sentence ending with a full stop")
        printed = []
        for j, pv in enumerate(c.get("printed", []), start=1):
            pv = _table(path, f"{where} printed {j}", pv, _PRINTED_FIELDS, _PRINTED_FIELDS)
            if pv["primary"] not in cited:
                raise _err(path, f"{where} printed {j}: primary '{pv['primary']}' is not cited")
            if pv["value"] != NOT_FOUND and pv["value"] not in pv["text"] \
                    and pv["value"] not in pv["text"].replace(" ", ""):
                raise _err(path, f"{where} printed {j}: the value must appear in the quoted text")
            printed.append(PrintedValue(pv["primary"], pv["where"], pv["value"], pv["text"],
                                        pv["address"]))
        if not printed:
            raise _err(path, f"{where}: record what the primary printed, or value = \"NOT FOUND\"")
        claims.append(SecondaryClaim(c["id"], c["sentence"], c["asserts"], cited, c["verdict"],
                                     c["reason"], tuple(printed)))
    return SecondaryRegistry(src["id"], src["title"], src["publisher"], src["date"], src["kind"],
                             src["read"], tuple(primaries), tuple(claims))


def load_secondaries() -> list[SecondaryRegistry]:
    """Every shipped secondary-source registry, by file name."""
    return [load_secondary(p) for p in sorted(SECONDARY_DIR.glob("*.toml"))]


def render_secondary_page(registries: list[SecondaryRegistry]) -> str:
    """The generated docs page (``docs/papers/secondary_sources.md``)."""
    lines = [
        "# Secondary sources: does a sentence say what its source says?",
        "",
        "<!-- generated by scripts/make_secondary_page.py from the secondary-source registries; "
        "do not edit -->",
        "",
        "A secondary source cites trials. Each sentence below is checked against what the cited",
        "primary source **printed**, looked up in public copies: the values are quoted as printed,",
        "with the address where they were read and where in the paper they stand, or NOT FOUND.",
        "The verdict is a judgement from a fixed vocabulary, with its reason in one sentence; no",
        "number here was computed or guessed.",
        "",
        "| verdict | meaning |",
        "|---|---|",
    ]
    lines += [f"| {v} | {m} |" for v, m in VERDICTS.items()]
    for reg in registries:
        lines += ["", f"## {md_cell(reg.publisher)}: \"{md_cell(reg.title)}\" ({reg.date})", "",
                  f"{md_cell(reg.kind).capitalize()}; read: {md_cell(reg.read)}.", "",
                  "| claim | sentence | verdict | reason |", "|---|---|---|---|"]
        lines += [f"| {c.id} | {md_cell(c.sentence)} | **{c.verdict}** | {md_cell(c.reason)} |"
                  for c in reg.claims]
        lines += ["", "### What the primary sources printed", "",
                  "| claim | primary | where | printed | quoted text | read at |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {c.id} | {pv.primary} | {md_cell(pv.where)} | {md_cell(pv.value)} | {md_cell(pv.text)} "
                  f"| <{pv.address}> |" for c in reg.claims for pv in c.printed]
        lines += ["", "### Primary sources", ""]
        for p in reg.primaries:
            lines.append(f"- **{p.id}**: {md_cell(p.citation)} doi:{p.doi}. Design: {md_cell(p.design)}. "
                         f"Read: {md_cell(p.read)}.")
        counts = ", ".join(f"{v} {n}" for v, n in reg.verdict_counts().items() if n)
        lines += ["", f"Verdicts: {counts}."]
    return "\n".join(lines) + "\n"


#: The data notice of every output built from these registries (first line of each file).
NOTICE = ("PUBLISHED TEXT, NOT DATA: sentences of a secondary source checked against what the "
          "cited primary sources printed (values quoted as printed, with the address where each "
          "was read); verdicts are recorded judgements, not computations.")


def secondary_table(reg: SecondaryRegistry):
    """The claims of one registry as an :class:`~alliance_analysis.report.tables.ApaTable`."""
    from ..report.tables import ApaTable

    frame = reg.to_frame()[list(SECONDARY_COLUMNS)].reset_index(drop=True)
    rows = tuple((c.id, c.sentence, c.verdict, c.reason,
                  "; ".join(f"{pv.primary} ({pv.where}): {pv.value}" for pv in c.printed))
                 for c in reg.claims)
    return ApaTable(title=f"{reg.publisher}: \"{reg.title}\" ({reg.date})",
                    note="Verdicts from a fixed vocabulary; printed values as the primary sources "
                         "printed them (NOT FOUND where no public copy showed them).",
                    columns=("Claim", "Sentence", "Verdict", "Reason", "Primary printed"),
                    rows=rows, data=frame, name=f"secondary_{reg.id}")


def write_secondary_report(out_dir: str | Path,
                           registries: list[SecondaryRegistry] | None = None) -> Path:
    """Write ``report.html`` (one section per source, one table each) and ``NOTICE.txt`` to
    ``out_dir`` through the report package's one writer; returns the report path."""
    from ..report.html import write_report

    registries = load_secondaries() if registries is None else registries
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "NOTICE.txt").write_text(NOTICE + "\n", encoding="utf-8", newline="\n")
    sections = [{"title": f"{r.publisher}: {r.title}", "text": r.summary().replace("\n  ", "\n\n")}
                for r in registries]
    context = {"notice": NOTICE, "title": "Secondary sources checked against their primaries",
               "subtitle": "Does a sentence say what its source says?", "reproduction": False,
               "sections": sections, "tables": [secondary_table(r) for r in registries],
               "synthetic": False, "software": {}}
    return write_report(out / "report.html", context)
