"""Claim and registry model, and a strict loader for the TOML registry files.

Each claim says what was printed (``printed``/``p_printed`` as strings, so the number of decimals
is known), how it was compared (``comparator``/``p_comparator``), which variables and timepoints
it concerns (canonical wide-view column names such as ``wai_sr.total.prep``), and, for every
quantity the paper did not print (n, df, test, d formula), whether it is ``printed``,
``inferred`` or ``assumed``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import shipped_toml
from ..errors import InputError
from ..rounding import parse_printed

REGISTRY_DIR = Path(__file__).with_name("registry")

#: analysis kind -> (required fields, allowed statistics)
ANALYSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "count": ((), ("N",)),
    "descriptive": (("variable",), ("M", "SD")),
    "correlation": (("x", "y", "p_printed", "p_comparator"), ("r",)),
    "paired_change": (("pre", "post", "direction"), ("p", "d")),
    "proportion": (("definition", "baseline", "followup"), ("%",)),
    "share": (("variable",), ("%",)),
    "significance": (("x", "y", "expected", "p_comparator"), ("p",)),
    "regression": (("outcome", "predictor"), ("p", "delta_r2", "beta", "r2")),
    "variance_explained": (("models", "reading", "bound"), ("%",)),
    "group_difference": (("variable", "by", "expected", "p_comparator"), ("p",)),
    "path": (("x", "m", "y"), ("beta_direct", "beta_a", "beta_b", "r2_y", "r2_m")),
}
STAT_SYMBOLS = {"beta_direct": "β (direct)", "beta_a": "β (a path)", "beta_b": "β (b path)",
                "beta": "β", "r2_y": "R²", "r2_m": "R² (mediator)", "r2": "R²", "delta_r2": "ΔR²"}
CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh", "fdr_by")
READINGS = ("delta_r2", "r_squared")
STATUSES = ("printed", "inferred", "assumed")
COMPARATORS = ("=", "<", ">", "<=", ">=")
D_FORMULAS = ("d_z", "d_rm", "d_av", "d_av_lakens", "d_b")

_FIELDS = {
    "id", "description", "quote", "quote_kind", "source", "analysis", "statistic", "printed",
    "comparator", "p_printed", "p_comparator", "x", "y", "pre", "post", "variable", "group",
    "direction", "test", "test_status", "formula", "formula_status", "n", "n_status", "n_basis",
    "df", "df_status", "definition", "baseline", "followup", "expected", "assumptions", "method",
    "alternative", "method_status", "alternative_status", "outcome", "predictor", "covariates",
    "correction", "correction_status", "family", "uncorrected_expected", "models", "reading",
    "reading_status", "bound", "by", "m", "criterion_status",
}
#: fields of an ``[[omitted]]`` entry: a printed claim the registry does not check, and why
OMITTED_FIELDS = {"id", "quote", "quote_kind", "source", "reason"}


@dataclass(frozen=True)
class Claim:
    """One printed result of one paper."""

    id: str
    paper: str
    description: str
    quote: str
    source: str
    analysis: str
    statistic: str
    printed: str
    comparator: str = "="
    quote_kind: str = "verbatim"
    p_printed: str | None = None
    p_comparator: str | None = None
    x: str | None = None
    y: str | tuple[str, ...] | None = None
    pre: str | None = None
    post: str | None = None
    variable: str | None = None
    group: str | None = None
    direction: str | None = None
    test: str | None = None
    test_status: str | None = None
    formula: str | None = None
    formula_status: str | None = None
    n: int | None = None
    n_status: str | None = None
    n_basis: str | None = None
    df: int | None = None
    df_status: str | None = None
    definition: str | None = None
    baseline: str | None = None
    followup: str | None = None
    expected: str | None = None
    assumptions: tuple[str, ...] = ()
    method: str = "pearson"
    alternative: str = "two-sided"
    method_status: str | None = None
    alternative_status: str | None = None
    outcome: str | None = None
    predictor: str | None = None
    covariates: tuple[str, ...] = ()
    correction: str | None = None
    correction_status: str | None = None
    family: str | None = None
    uncorrected_expected: str | None = None
    models: tuple[str, ...] = ()
    reading: str | None = None
    reading_status: str | None = None
    bound: str | None = None
    by: str | None = None
    m: str | None = None
    #: whether the threshold a verbal claim is judged by (α, or 0 for a direction) was printed;
    #: "assumed" unless the registry says "printed"
    criterion_status: str = "assumed"

    @property
    def is_direction_claim(self) -> bool:
        """A verbal "X goes with more/less Y" claim encoded as a bound of 0 on a coefficient."""
        return self.comparator in ("<", ">") and self.printed.strip() in ("0", "0.0", ".0")

    @property
    def criterion_text(self) -> str:
        """How a verbal claim is judged, when the paper printed a word rather than a number
        (``p < .05 (α assumed)``); ``""`` for a printed number."""
        if self.analysis in ("significance", "group_difference"):
            return f"p {self.p_comparator} {self.printed} (α {self.criterion_status})"
        if self.analysis == "regression" and self.statistic == "p":
            return f"p < {self.printed} (α {self.criterion_status})"
        if self.is_direction_claim:
            name = STAT_SYMBOLS.get(self.statistic, self.statistic)
            return (f"{name} {self.comparator} 0 with p < .05 (threshold {self.criterion_status}); "
                    "right sign with p >= .05: direction only")
        return ""

    @property
    def published_text(self) -> str:
        """What the paper printed, as one short string (``r = -.65, p = .002``; ``significant,
        positive`` for a verbal claim, whose threshold is :attr:`criterion_text`)."""
        stat = {"%": "", "N": "N = ", "M": "M = ", "SD": "SD = "}.get(self.statistic)
        if self.analysis in ("significance", "group_difference"):
            return ", ".join(t for t in (self.expected, self.direction) if t)
        if self.is_direction_claim:
            name = STAT_SYMBOLS.get(self.statistic, self.statistic)
            return f"{name} {'positive' if self.comparator == '>' else 'negative'}"
        if self.analysis == "regression" and self.statistic == "p":
            text = self.expected or ""
            if self.uncorrected_expected and self.uncorrected_expected != self.expected:
                text = f"{self.uncorrected_expected} uncorrected, {text} after correction"
            return text
        if self.analysis == "variance_explained":
            return f"{self.bound} {self.reading} = {self.printed}%"
        if self.statistic == "%":
            text = f"{self.printed}%"
        elif stat is not None:
            text = f"{stat}{self.printed}"
        else:
            name = STAT_SYMBOLS.get(self.statistic, self.statistic)
            text = f"{name} {self.comparator} {self.printed}"
        if self.p_printed is not None:
            text += f", p {self.p_comparator} {self.p_printed}"
        return text

    @property
    def variables(self) -> tuple[str, ...]:
        """Every wide-view column the claim needs."""
        out: list[str] = []
        for name in ("x", "m", "pre", "post", "variable", "baseline", "followup", "outcome",
                     "predictor", "by"):
            value = getattr(self, name)
            if value:
                out.append(value)
        if isinstance(self.y, tuple):
            out.extend(self.y)
        elif self.y:
            out.append(self.y)
        out.extend(self.covariates)
        return tuple(out)


@dataclass(frozen=True)
class Registry:
    """All claims of one paper, its bibliographic record and its stated assumptions."""

    paper: dict[str, Any]
    claims: tuple[Claim, ...]
    assumptions: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    #: printed claims that are not checked, each with the reason (``[[omitted]]``)
    omitted: tuple[dict[str, str], ...] = ()

    @property
    def id(self) -> str:
        return str(self.paper["id"])

    def get(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)


def registry_path(name: str | Path) -> Path:
    """Path of a registry given a shipped name (``"levin2024"``) or a file path."""
    return shipped_toml(name, REGISTRY_DIR, "claims registry")


def _fail(path: Path, what: str, claim_id: str | None = None, hint: str | None = None):
    prefix = f"claim '{claim_id}': " if claim_id else ""
    return InputError(prefix + what, file=str(path), hint=hint)


def _validate_claim(path: Path, raw: dict[str, Any], paper: str, assumptions: dict[str, str]) -> Claim:
    cid = raw.get("id")
    if not isinstance(cid, str) or not cid:
        raise _fail(path, "a [[claim]] has no 'id'")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise _fail(path, f"unknown field(s) {unknown}", cid, f"Valid fields: {', '.join(sorted(_FIELDS))}")
    for required in ("description", "quote", "source", "analysis", "statistic", "printed"):
        if required not in raw:
            raise _fail(path, f"missing field '{required}'", cid)
    analysis = raw["analysis"]
    if analysis not in ANALYSES:
        raise _fail(path, f"unknown analysis '{analysis}'", cid, f"Use one of: {', '.join(ANALYSES)}")
    required, statistics = ANALYSES[analysis]
    for name in required:
        if name not in raw:
            raise _fail(path, f"analysis '{analysis}' needs field '{name}'", cid)
    if raw["statistic"] not in statistics:
        raise _fail(path, f"statistic '{raw['statistic']}' is not valid for '{analysis}'", cid,
                    f"Use one of: {', '.join(statistics)}")
    for name in ("printed", "p_printed"):
        if name in raw:
            if not isinstance(raw[name], str):
                raise _fail(path, f"'{name}' must be a string exactly as printed (e.g. \"-.65\")", cid)
            try:
                parse_printed(raw[name])
            except ValueError as exc:
                raise _fail(path, str(exc), cid) from None
    for name in ("comparator", "p_comparator"):
        if name in raw and raw[name] not in COMPARATORS:
            raise _fail(path, f"'{name}' must be one of {COMPARATORS}", cid)
    for name in ("n_status", "df_status", "test_status", "formula_status", "method_status",
                 "alternative_status", "correction_status", "reading_status", "criterion_status"):
        if name in raw and raw[name] not in STATUSES:
            raise _fail(path, f"'{name}' must be one of {STATUSES}", cid)
    for name in ("n", "df"):
        if name in raw and f"{name}_status" not in raw:
            raise _fail(path, f"'{name}' given without '{name}_status' (printed/inferred/assumed)", cid)
    if raw["statistic"] == "d":
        if raw.get("formula") not in D_FORMULAS:
            raise _fail(path, "a d claim needs 'formula' (which paired d)", cid, f"Use one of: {', '.join(D_FORMULAS)}")
        if "formula_status" not in raw:
            raise _fail(path, "a d claim needs 'formula_status' (printed/inferred/assumed)", cid)
    if raw.get("direction") not in (None, "increase", "decrease", "negative", "positive"):
        raise _fail(path, "'direction' must be increase/decrease/negative/positive", cid)
    for name in ("expected", "uncorrected_expected"):
        if name in raw and raw[name] not in ("significant", "not significant"):
            raise _fail(path, f"'{name}' must be 'significant' or 'not significant'", cid)
    if "correction" in raw:
        if raw["correction"] not in CORRECTIONS:
            raise _fail(path, f"'correction' must be one of {CORRECTIONS}", cid)
        if "family" not in raw or "correction_status" not in raw:
            raise _fail(path, "a corrected claim needs 'family' and 'correction_status'", cid)
    if analysis == "regression" and raw["statistic"] == "p" and "expected" not in raw:
        raise _fail(path, "a regression p claim needs 'expected'", cid)
    if analysis == "variance_explained":
        if raw["reading"] not in READINGS or "reading_status" not in raw:
            raise _fail(path, f"'reading' must be one of {READINGS}, with 'reading_status'", cid)
        if raw["bound"] not in ("min", "max"):
            raise _fail(path, "'bound' must be 'min' or 'max'", cid)
    if analysis == "proportion" and raw["definition"] not in ("response", "remission"):
        raise _fail(path, "'definition' must be 'response' or 'remission'", cid)
    missing = [a for a in raw.get("assumptions", []) if a not in assumptions]
    if missing:
        raise _fail(path, f"refers to undefined assumption(s) {missing}", cid, "Add them as [[assumption]] entries")
    values = dict(raw)
    if isinstance(values.get("y"), list):
        values["y"] = tuple(values["y"])
    for name in ("covariates", "models"):
        values[name] = tuple(values.get(name, ()))
    values["assumptions"] = tuple(values.get("assumptions", ()))
    return Claim(paper=paper, **values)


def load_registry(name: str | Path) -> Registry:
    """Load and validate one registry (shipped name or path); errors name the file and claim."""
    path = registry_path(name)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError("claims registry file not found", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path)) from None
    unknown = sorted(set(data) - {"schema", "paper", "assumption", "claim", "omitted"})
    if unknown:
        raise _fail(path, f"unknown top-level key(s) {unknown}",
                    hint="Valid: schema, paper, assumption, claim, omitted")
    omitted = []
    for entry in data.get("omitted", []):
        if set(entry) - OMITTED_FIELDS or not {"id", "quote", "reason"} <= set(entry):
            raise _fail(path, f"[[omitted]] entries take {sorted(OMITTED_FIELDS)} (id, quote and reason "
                              f"required), got {sorted(entry)}")
        omitted.append({k: str(v) for k, v in entry.items()})
    if data.get("schema") != 1:
        raise _fail(path, "unsupported or missing 'schema' (expected 1)")
    paper = data.get("paper")
    if not isinstance(paper, dict) or "id" not in paper or "citation" not in paper:
        raise _fail(path, "[paper] needs at least 'id' and 'citation'")
    assumptions: dict[str, str] = {}
    for entry in data.get("assumption", []):
        if set(entry) != {"id", "text"}:
            raise _fail(path, f"[[assumption]] entries need exactly 'id' and 'text', got {sorted(entry)}")
        assumptions[entry["id"]] = entry["text"]
    claims = [_validate_claim(path, raw, paper["id"], assumptions) for raw in data.get("claim", [])]
    if not claims:
        raise _fail(path, "no [[claim]] entries")
    ids = [c.id for c in claims]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _fail(path, f"duplicate claim id(s) {dupes}")
    for claim in claims:
        unknown_models = [m for m in claim.models if m not in ids]
        if unknown_models:
            raise _fail(path, f"'models' names unknown claim(s) {unknown_models}", claim.id)
    return Registry(paper=paper, claims=tuple(claims), assumptions=assumptions, path=path,
                    omitted=tuple(omitted))


def load_registries(names: list[str] | tuple[str, ...]) -> tuple[Registry, ...]:
    """Several registries; claim ids must be unique across them."""
    registries = tuple(load_registry(n) for n in names)
    seen: dict[str, str] = {}
    for reg in registries:
        for claim in reg.claims:
            if claim.id in seen:
                raise InputError(f"claim id '{claim.id}' appears in both {seen[claim.id]} and {reg.id}")
            seen[claim.id] = reg.id
    return registries
