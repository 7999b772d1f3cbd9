"""The analysis plan: its TOML schema, validation and the default plan derived from the data.

Two stages, both before any statistic is computed:

1. :func:`read_plan` checks the plan file on its own: every section and key must be known (an
   unknown one is refused with the file, the key and the valid keys, as the loader's mapping
   file does), and every value must have the right type and range. It returns a
   :class:`PlanSpec` (what the file said; ``None`` = use the default).
2. :func:`resolve_plan` fills in the defaults from the loaded data (:func:`default_roles`) and
   checks every column named in the plan against the data (an unknown column is refused with
   the list of available columns). It returns the :class:`AnalysisPlan` that is run.

Default roles (:data:`ALLIANCE_PREFIXES`, :data:`EXPERIENCE_INSTRUMENTS`): alliance = the
instruments whose id starts with ``wai`` or ``star_p``; acute experience = the peaks of
``meq30``, ``ebi``, ``piq`` and ``peq``; outcomes = every other instrument that has the baseline
timepoint (default ``base``), at each of its follow-ups. One scale per instrument: ``total``
when the data have it, else the instrument's first scale. See docs/analyze.md.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import read_user_toml
from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from ..io import LoadResult

#: Instrument ids starting with one of these are alliance measures in the default plan.
ALLIANCE_PREFIXES: tuple[str, ...] = ("wai", "star_p")
#: Instruments whose peaks are the acute-experience variables in the default plan.
EXPERIENCE_INSTRUMENTS: tuple[str, ...] = ("meq30", "ebi", "piq", "peq")
#: The analyses, in the order they run and are reported.
ANALYSES: tuple[str, ...] = ("alliance_change", "outcome_change", "correlations", "regressions",
                             "between_arms", "mixed_models", "mediation")
#: ``[analyses] arms``: ``separate`` (default) runs every analysis within each arm (and the
#: between-arm tests); ``pooled`` runs them on all participants together, as the plan asks.
ARM_MODES: tuple[str, ...] = ("separate", "pooled")
CORRECTIONS: tuple[str, ...] = ("holm", "bonferroni", "fdr_bh", "fdr_by", "none")
CORRELATION_METHODS: tuple[str, ...] = ("pearson", "spearman")
CI_METHODS: tuple[str, ...] = ("percentile", "bc", "bca")

DEFAULT_BASELINE = "base"
DEFAULT_CORRECTION = "holm"
DEFAULT_ALPHA = 0.05
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 5000
DEFAULT_SEED = 20240601
DEFAULT_CI = "percentile"
DEFAULT_PLAN_SOURCE = "<default plan>"

#: section → valid keys (the whole schema; anything else is refused).
SCHEMA: Mapping[str, tuple[str, ...]] = {
    "variables": ("alliance", "experience", "outcomes", "baseline_timepoint"),
    "analyses": ("run", "correction", "alpha", "confidence", "arms"),
    "correlations": ("method", "include_baseline"),
    "mediation": ("alliance", "experience", "outcomes", "adjust_baseline"),
    "bootstrap": ("resamples", "seed", "ci"),
}


@dataclasses.dataclass(frozen=True)
class PlanSpec:
    """What a plan file says, checked for keys and types; ``None`` = not given (use default)."""

    source: str = DEFAULT_PLAN_SOURCE
    alliance: tuple[str, ...] | None = None
    experience: tuple[str, ...] | None = None
    outcomes: tuple[str, ...] | None = None
    baseline_timepoint: str | None = None
    analyses: tuple[str, ...] | None = None
    arms: str = "separate"
    correction: str = DEFAULT_CORRECTION
    alpha: float = DEFAULT_ALPHA
    confidence: float = DEFAULT_CONFIDENCE
    correlation_method: str = "pearson"
    include_baseline: bool = True
    mediation_x: tuple[str, ...] | None = None
    mediation_m: tuple[str, ...] | None = None
    mediation_y: tuple[str, ...] | None = None
    adjust_baseline: bool = True
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    ci: str = DEFAULT_CI


@dataclasses.dataclass(frozen=True)
class AnalysisPlan:
    """The plan that is run: every variable is a column of the loaded wide table.

    ``outcomes`` are follow-up columns; ``baselines`` maps each of them to its baseline column
    (same instrument and scale at ``baseline_timepoint``). ``timepoint_order`` gives, per
    instrument, its timepoints in the loader's order (used for first/last alliance timepoint).
    ``notes`` say how the default plan was derived (shown in the report and methods).
    ``arm_levels``: the arms in the data (sorted; empty without an arm column); ``arms``: the
    plan's arm mode (:data:`ARM_MODES`; ``pooled`` when there is at most one arm). ``skipped``:
    ``(analysis, reason)`` for each default analysis left out because the data lack its
    variables. ``alliance_person``: the per-participant alliance variables (a covariate with
    role alliance, or the first assessment of each alliance measure) used as moderators in the
    mixed models.
    """

    source: str
    alliance: tuple[str, ...]
    experience: tuple[str, ...]
    outcomes: tuple[str, ...]
    baselines: Mapping[str, str]
    baseline_timepoint: str
    analyses: tuple[str, ...]
    correction: str
    alpha: float
    confidence: float
    correlation_method: str
    include_baseline: bool
    mediation_x: tuple[str, ...]
    mediation_m: tuple[str, ...]
    mediation_y: tuple[str, ...]
    adjust_baseline: bool
    resamples: int
    seed: int
    ci: str
    timepoint_order: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    notes: tuple[str, ...] = ()
    arms: str = "pooled"
    arm_levels: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    alliance_person: tuple[str, ...] = ()
    global_order: tuple[str, ...] = ()
    order_source: str = ""

    @property
    def by_arm(self) -> bool:
        """Whether each analysis runs within each arm (two or more arms, not pooled)."""
        return self.arms == "separate" and len(self.arm_levels) >= 2

    def runs(self, analysis: str) -> bool:
        """Whether ``analysis`` (one of :data:`ANALYSES`) is part of the plan."""
        return analysis in self.analyses

    def to_dict(self) -> dict[str, Any]:
        """The resolved plan in the plan-file layout (what ``results.json`` records)."""
        return {
            "source": self.source,
            "variables": {"alliance": list(self.alliance), "experience": list(self.experience),
                          "outcomes": list(self.outcomes),
                          "baseline_timepoint": self.baseline_timepoint},
            "analyses": {"run": list(self.analyses), "correction": self.correction,
                         "alpha": self.alpha, "confidence": self.confidence,
                         "arms": self.arms, "arm_levels": list(self.arm_levels),
                         "skipped": [list(x) for x in self.skipped]},
            "correlations": {"method": self.correlation_method,
                             "include_baseline": self.include_baseline},
            "mediation": {"alliance": list(self.mediation_x),
                          "experience": list(self.mediation_m),
                          "outcomes": list(self.mediation_y),
                          "adjust_baseline": self.adjust_baseline},
            "bootstrap": {"resamples": self.resamples, "seed": self.seed, "ci": self.ci},
        }


# ---------------------------------------------------------------------------------------------
# stage 1: the file on its own
# ---------------------------------------------------------------------------------------------
def _err(source: str, what: str, hint: str | None = None, value: object = None) -> InputError:
    return InputError(what, file=source, value=value, hint=hint)


def _names(source: str, where: str, value: object, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or (not value and not allow_empty) or not all(
            isinstance(v, str) and v.strip() for v in value):
        what = "a list" if allow_empty else "a non-empty list"
        raise _err(source, f"{where} must be {what} of column names", value=value,
                   hint='e.g. ["wai_sr.total.prep", "wai_sr.total.post"]')
    out = tuple(v.strip() for v in value)
    dup = [v for i, v in enumerate(out) if v in out[:i]]
    if dup:
        raise _err(source, f"{where} lists column '{dup[0]}' twice")
    return out


def _bool(source: str, where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _err(source, f"{where} must be true or false", value=value)
    return value


def _choice(source: str, where: str, value: object, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise _err(source, f"{where} must be one of {', '.join(choices)}", value=value)
    return value.strip().lower()


def _unit(source: str, where: str, value: object, upper: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and 0.0 < float(value) < upper):
        raise _err(source, f"{where} must be a number strictly between 0 and {upper:g}",
                   value=value)
    return float(value)


def _int(source: str, where: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _err(source, f"{where} must be a whole number ≥ {minimum}", value=value)
    return int(value)


def _read_toml(path: Path) -> dict:
    return read_user_toml(path, "plan", "--plan", "docs/analyze.md")


_CORRECTION_ALIASES = {"bonf": "bonferroni", "bh": "fdr_bh", "fdr": "fdr_bh", "by": "fdr_by"}


def read_plan(plan: str | Path | Mapping[str, Any] | None = None,
              source: str | None = None) -> PlanSpec:
    """Check a plan (TOML path, parsed dict or None) for unknown sections/keys and bad values.

    Raises :class:`InputError` naming the file and the key; unknown sections and keys list the
    valid ones. Column names are checked later, against the data (:func:`resolve_plan`).
    """
    if plan is None:
        return PlanSpec()
    if isinstance(plan, str | Path):
        data: Any = _read_toml(Path(plan))
        source = source or str(plan)
    else:
        data = plan
        source = source or "<plan>"
    if not isinstance(data, Mapping):
        raise _err(source, "a plan must be a TOML table of sections", value=type(data).__name__)
    unknown = [k for k in data if k not in SCHEMA]
    if unknown:
        raise _err(source, f"unknown section [{unknown[0]}]",
                   hint=f"Valid sections: {', '.join(f'[{s}]' for s in SCHEMA)} "
                   "(see docs/analyze.md)")
    sections: dict[str, dict[str, Any]] = {}
    for name, valid in SCHEMA.items():
        table = data.get(name, {})
        if not isinstance(table, Mapping):
            raise _err(source, f"[{name}] must be a table (a [{name}] section)")
        bad = [k for k in table if k not in valid]
        if bad:
            raise _err(source, f"unknown key '{bad[0]}' in [{name}]",
                       hint=f"Valid keys in [{name}]: {', '.join(valid)} (check the spelling)")
        sections[name] = dict(table)

    kw: dict[str, Any] = {"source": source}
    var, ana = sections["variables"], sections["analyses"]
    cor, med, boot = sections["correlations"], sections["mediation"], sections["bootstrap"]
    for key in ("alliance", "experience", "outcomes"):
        if key in var:
            kw[key] = _names(source, f"[variables] {key}", var[key], allow_empty=True)
    if "baseline_timepoint" in var:
        tp = var["baseline_timepoint"]
        if not isinstance(tp, str) or not tp.strip():
            raise _err(source, "[variables] baseline_timepoint must be a timepoint name",
                       value=tp, hint='e.g. "base"')
        kw["baseline_timepoint"] = tp.strip()
    if "run" in ana:
        run = ana["run"]
        if not isinstance(run, list) or not all(isinstance(a, str) for a in run):
            raise _err(source, "[analyses] run must be a list of analysis names", value=run,
                       hint=f"Valid analyses: {', '.join(ANALYSES)}")
        wrong = [a for a in run if a not in ANALYSES]
        if wrong:
            raise _err(source, f"unknown analysis '{wrong[0]}' in [analyses] run",
                       hint=f"Valid analyses: {', '.join(ANALYSES)}")
        if not run:
            raise _err(source, "[analyses] run is empty: nothing to do",
                       hint=f"List some of: {', '.join(ANALYSES)}")
        kw["analyses"] = tuple(a for a in ANALYSES if a in run)
    if "arms" in ana:
        kw["arms"] = _choice(source, "[analyses] arms", ana["arms"], ARM_MODES)
    if "correction" in ana:
        value = ana["correction"]
        if isinstance(value, str):
            value = _CORRECTION_ALIASES.get(value.strip().lower(), value)
        kw["correction"] = _choice(source, "[analyses] correction", value, CORRECTIONS)
    if "alpha" in ana:
        kw["alpha"] = _unit(source, "[analyses] alpha", ana["alpha"], 1.0)
    if "confidence" in ana:
        kw["confidence"] = _unit(source, "[analyses] confidence", ana["confidence"], 1.0)
    if "method" in cor:
        kw["correlation_method"] = _choice(source, "[correlations] method", cor["method"],
                                           CORRELATION_METHODS)
    if "include_baseline" in cor:
        kw["include_baseline"] = _bool(source, "[correlations] include_baseline",
                                       cor["include_baseline"])
    for key, field in (("alliance", "mediation_x"), ("experience", "mediation_m"),
                       ("outcomes", "mediation_y")):
        if key in med:
            kw[field] = _names(source, f"[mediation] {key}", med[key])
    if "adjust_baseline" in med:
        kw["adjust_baseline"] = _bool(source, "[mediation] adjust_baseline",
                                      med["adjust_baseline"])
    if "resamples" in boot:
        kw["resamples"] = _int(source, "[bootstrap] resamples", boot["resamples"], 100)
    if "seed" in boot:
        kw["seed"] = _int(source, "[bootstrap] seed", boot["seed"], 0)
    if "ci" in boot:
        kw["ci"] = _choice(source, "[bootstrap] ci", boot["ci"], CI_METHODS)
    return PlanSpec(**kw)


# ---------------------------------------------------------------------------------------------
# stage 2: against the data
# ---------------------------------------------------------------------------------------------
def split_column(column: str) -> tuple[str, str, str] | None:
    """``"wai_sr.total.prep"`` → ``("wai_sr", "total", "prep")``; None if not of that form."""
    parts = column.split(".", 2)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def _primary_scale(inst_id: str, timepoints: Sequence[str], columns: set[str]) -> str | None:
    """``total`` when the data have it, else the first scale of the instrument that they have."""
    from ..instruments import get_instrument

    try:
        scales = tuple(get_instrument(inst_id).scales)
    except Exception:  # an instrument unknown to the registry: use the columns as they are
        scales = ()
    have = [s for s in dict.fromkeys(("total", *scales))
            if any(f"{inst_id}.{s}.{tp}" in columns for tp in timepoints)]
    if not have:
        found = sorted({c.split(".")[1] for c in columns if c.startswith(inst_id + ".")})
        return found[0] if found else None
    return have[0]


def is_alliance(inst_id: str) -> bool:
    """Default role: alliance when the id starts with one of :data:`ALLIANCE_PREFIXES`."""
    return inst_id.startswith(ALLIANCE_PREFIXES)


def instrument_role(loaded: LoadResult, inst_id: str) -> tuple[str, str]:
    """(role, why) of an instrument: the role a pre-scored total declares in the mapping's
    ``[scores]``, else the default rules (alliance prefix, acute-experience instrument, outcome)."""
    declared = getattr(loaded.mapping, "scores", {}).get(inst_id)
    if declared is not None:
        return declared.role, f"role '{declared.role}' declared in the mapping's [scores]"
    if is_alliance(inst_id):
        return "alliance", f"id starts with {' or '.join(ALLIANCE_PREFIXES)}"
    if inst_id in EXPERIENCE_INSTRUMENTS:
        return "experience", "acute-experience instrument"
    return "outcome", "not an alliance or acute-experience instrument"


@dataclasses.dataclass(frozen=True)
class DefaultRoles:
    """Variables the default plan takes from the data, with the reasons for what it left out."""

    alliance: tuple[str, ...]
    experience: tuple[str, ...]
    outcomes: tuple[str, ...]
    notes: tuple[str, ...]
    baseline_timepoint: str = DEFAULT_BASELINE


def _baseline(loaded: LoadResult, given: str | None) -> tuple[str, str | None]:
    """The baseline timepoint: as given, else ``base`` when the data have it, else the first
    timepoint of the loader's order that an outcome instrument has."""
    if given is not None:
        return given, None
    insts = loaded.audit.instruments
    if any(DEFAULT_BASELINE in tps for tps in insts.values()):
        return DEFAULT_BASELINE, None
    order = tuple(getattr(loaded.audit, "timepoint_order", ()) or ())
    outcome_tps = {tp for inst, tps in insts.items()
                   if instrument_role(loaded, inst)[0] == "outcome" for tp in tps}
    for tp in order:
        if tp in outcome_tps:
            return tp, (f"baseline timepoint '{tp}': the first in the timepoint order "
                        f"{' < '.join(order)} (no timepoint is named '{DEFAULT_BASELINE}')")
    return DEFAULT_BASELINE, None


def default_roles(loaded: LoadResult, baseline_timepoint: str | None = None) -> DefaultRoles:
    """Alliance, acute-experience and follow-up outcome columns found in ``loaded`` (see the
    module docstring for the rules). A per-participant covariate with ``role = "alliance"`` (or
    ``"experience"``) in the mapping is an alliance (experience) variable."""
    baseline_timepoint, base_note = _baseline(loaded, baseline_timepoint)
    columns = set(map(str, loaded.wide.columns))
    peaks: dict[str, list[str]] = {}
    for pk in loaded.mapping.peaks:
        peaks.setdefault(pk.instrument, []).append(pk.name)
    alliance: list[str] = []
    experience: list[str] = []
    outcomes: list[str] = []
    notes: list[str] = [base_note] if base_note else []
    for inst_id, tps in sorted(loaded.audit.instruments.items()):
        scale = _primary_scale(inst_id, tps, columns)
        if scale is None:
            continue
        role, why = instrument_role(loaded, inst_id)
        inst_peaks = peaks.get(inst_id, [])
        plain = [tp for tp in tps if tp not in inst_peaks]
        cols = [f"{inst_id}.{scale}.{tp}" for tp in tps if f"{inst_id}.{scale}.{tp}" in columns]
        if role == "alliance":
            alliance += [c for c in cols if split_column(c)[2] in plain]
            notes.append(f"{inst_id}: alliance ({why}), scale '{scale}'")
        elif role == "experience":
            chosen = [c for c in cols if split_column(c)[2] in inst_peaks]
            if chosen:
                notes.append(f"{inst_id}: acute experience, peak '{', '.join(inst_peaks)}', "
                             f"scale '{scale}'")
            else:
                chosen = cols
                notes.append(f"{inst_id}: acute experience; no peak in the mapping, so every "
                             f"session ({', '.join(plain)}) is used, scale '{scale}'")
            experience += chosen
        elif role == "other":
            notes.append(f"{inst_id}: not used ({why})")
        elif baseline_timepoint in plain:
            follow = [c for c in cols if split_column(c)[2] not in (baseline_timepoint,
                                                                     *inst_peaks)]
            if follow:
                outcomes += follow
                notes.append(f"{inst_id}: outcome, baseline '{baseline_timepoint}', follow-up "
                             f"{', '.join(split_column(c)[2] for c in follow)}, scale '{scale}'")
            else:
                notes.append(f"{inst_id}: not used (no follow-up after baseline "
                             f"'{baseline_timepoint}')")
        else:
            notes.append(f"{inst_id}: not used as an outcome (no baseline timepoint "
                         f"'{baseline_timepoint}'; timepoints: {', '.join(tps)})")
    for name, spec in getattr(loaded.mapping, "covariate_specs", {}).items():
        if spec.role in ("alliance", "experience") and name in columns:
            (alliance if spec.role == "alliance" else experience).append(name)
            label = f" ({spec.label})" if spec.label else ""
            notes.append(f"{name}: {spec.role if spec.role == 'alliance' else 'acute experience'}"
                         f", one value per participant{label} (role '{spec.role}' declared in "
                         "the mapping's [covariates])")
    return DefaultRoles(tuple(alliance), tuple(experience), tuple(outcomes), tuple(notes),
                        baseline_timepoint)


def _check_columns(source: str, where: str, names: Sequence[str], available: Sequence[str]) -> None:
    for name in names:
        if name not in available:
            raise _err(source, f"unknown column '{name}' in {where}",
                       hint=f"Available columns: {', '.join(available)}")


def arm_levels(wide) -> tuple[str, ...]:
    """The arms in the data (sorted labels; empty when there is no ``arm`` column)."""
    if "arm" not in wide.columns:
        return ()
    return tuple(sorted({str(v) for v in wide["arm"].dropna()}))


#: What each analysis needs, and the reason given when the default plan leaves it out.
NEEDS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "alliance_change": (("alliance",), "no alliance variable in the data"),
    "outcome_change": (("outcomes",), "no outcome with a baseline and a follow-up"),
    "correlations": (("predictors", "outcomes"), "no alliance or acute-experience variable, or "
                     "no outcome"),
    "regressions": (("alliance", "outcomes"), "no alliance variable, or no outcome with a "
                    "baseline"),
    "between_arms": (("arms", "outcomes"), "fewer than two arms in the data (no arm column or "
                     "one arm)"),
    "mixed_models": (("outcomes",), "no outcome with a baseline and a follow-up"),
    "mediation": (("alliance", "experience", "outcomes"), "no acute-experience variable in "
                  "the data (no MEQ-30, EBI, PIQ or PEQ peak and no score or covariate with "
                  "role 'experience'), or no alliance variable or outcome"),
}


#: The reason given for each kind of variable the data lack.
LACKS: Mapping[str, str] = {
    "alliance": "no alliance variable in the data (no WAI or STAR-P instrument, and no score "
                "or covariate with role 'alliance' in the mapping)",
    "experience": "no acute-experience variable in the data (no MEQ-30, EBI, PIQ or PEQ, and "
                  "no score or covariate with role 'experience' in the mapping)",
    "outcomes": "no outcome with a baseline and a follow-up",
    "predictors": "no alliance or acute-experience variable in the data",
    "arms": "fewer than two arms in the data (no arm column, or one arm)",
}


def resolve_plan(spec: PlanSpec, loaded: LoadResult) -> AnalysisPlan:
    """The plan to run: ``spec`` with defaults from the data, every column checked.

    Raises :class:`InputError` (naming the plan file) for a column not in the data, an outcome
    without a baseline column, a baseline listed as an outcome, or a plan that names an
    analysis it runs but leaves it without variables. The default plan (no ``[analyses] run``)
    leaves such an analysis out and records why (``skipped``).
    """
    import pandas as pd

    src = spec.source
    wide = loaded.wide
    available = [str(c) for c in wide.columns
                 if pd.api.types.is_numeric_dtype(wide[c]) and not
                 pd.api.types.is_bool_dtype(wide[c])]
    roles = default_roles(loaded, spec.baseline_timepoint)
    baseline_tp = roles.baseline_timepoint
    notes: list[str] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for key in ("alliance", "experience", "outcomes"):
        given = getattr(spec, key)
        if given is None:
            chosen[key] = getattr(roles, key)
        else:
            _check_columns(src, f"[variables] {key}", given, available)
            chosen[key] = given
    if any(getattr(spec, k) is None for k in ("alliance", "experience", "outcomes")):
        notes.extend(roles.notes)

    baselines: dict[str, str] = {}
    for col in chosen["outcomes"]:
        parts = split_column(col)
        if parts is None:
            raise _err(src, f"outcome column '{col}' is not named instrument.scale.timepoint, so "
                       "its baseline cannot be found", hint="List scored outcome columns such as "
                       "grid_hamd_17.total.wk4")
        inst, scale, tp = parts
        if tp == baseline_tp:
            raise _err(src, f"outcome column '{col}' is the baseline itself; list follow-up "
                       "columns under [variables] outcomes",
                       hint=f"Its baseline ({baseline_tp}) is added automatically")
        base = f"{inst}.{scale}.{baseline_tp}"
        if base not in available:
            raise _err(src, f"outcome column '{col}' has no baseline column '{base}' in the data",
                       hint="Set [variables] baseline_timepoint to the baseline timepoint name; "
                       f"available columns: {', '.join(available)}")
        baselines[col] = base

    timepoint_order = {k: tuple(v) for k, v in loaded.audit.instruments.items()}
    # per-participant alliance: a covariate, or the first timepoint of each alliance measure
    firsts: dict[str, str] = {}
    for col in chosen["alliance"]:
        parts = split_column(col)
        key = f"{parts[0]}.{parts[1]}" if parts else col
        if key not in firsts or (parts and _rank(timepoint_order, col) <
                                 _rank(timepoint_order, firsts[key])):
            firsts[key] = col
    person = tuple(firsts.values())
    # mediation: X = first timepoint of each alliance measure, M = every experience variable,
    # Y = the last follow-up of each outcome measure (all overridable)
    if spec.mediation_x is None:
        mx = person
    else:
        _check_columns(src, "[mediation] alliance", spec.mediation_x, available)
        mx = spec.mediation_x
    if spec.mediation_m is None:
        mm = chosen["experience"]
    else:
        _check_columns(src, "[mediation] experience", spec.mediation_m, available)
        mm = spec.mediation_m
    if spec.mediation_y is None:
        lasts: dict[str, str] = {}
        for col in chosen["outcomes"]:
            parts = split_column(col)
            key = f"{parts[0]}.{parts[1]}"
            if key not in lasts or _rank(timepoint_order, col) > _rank(timepoint_order,
                                                                        lasts[key]):
                lasts[key] = col
        my = tuple(lasts.values())
    else:
        _check_columns(src, "[mediation] outcomes", spec.mediation_y, available)
        for col in spec.mediation_y:
            if col not in baselines and spec.adjust_baseline:
                raise _err(src, f"[mediation] outcomes: '{col}' is not one of the outcomes in "
                           "[variables] outcomes, so its baseline is unknown",
                           hint="Add it to [variables] outcomes or set "
                           "[mediation] adjust_baseline = false")
        my = spec.mediation_y

    levels = arm_levels(wide)
    arms = "single" if len(levels) < 2 else spec.arms
    have = {"alliance": bool(chosen["alliance"]), "experience": bool(chosen["experience"]),
            "outcomes": bool(chosen["outcomes"]),
            "predictors": bool(chosen["alliance"] or chosen["experience"]),
            "arms": len(levels) >= 2}
    skipped: list[tuple[str, str]] = []
    if spec.analyses is None:
        analyses = []
        for analysis in ANALYSES:
            lacking = [k for k in NEEDS[analysis][0] if not have[k]]
            if not lacking:
                analyses.append(analysis)
            else:
                skipped.append((analysis, "; ".join(LACKS[k] for k in lacking)))
        if not analyses:
            raise _err(src, "none of the analyses can run on these data",
                       hint="; ".join(f"{a}: {r}" for a, r in skipped))
    else:
        analyses = list(spec.analyses)
        if "correlations" in analyses and not have["predictors"]:
            raise _err(src, "the analysis 'correlations' needs alliance or experience variables, "
                       "but none were found", hint="Name them in [variables] alliance / "
                       f"experience. Available columns: {', '.join(available)}")
        for analysis in analyses:
            for key in NEEDS[analysis][0]:
                if key == "arms" and not have["arms"]:
                    raise _err(src, f"the analysis '{analysis}' needs two or more arms, but "
                               f"the data have {len(levels)}", hint="Leave it out of "
                               "[analyses] run, or map the arm column in [columns] arm")
                if key in chosen and not chosen[key]:
                    raise _err(src, f"the analysis '{analysis}' needs {key} variables, but none "
                               "were found" + (" in the data" if getattr(spec, key) is None
                                               else ""),
                               hint=f"Name them in [variables] {key}, or leave '{analysis}' out "
                               f"of [analyses] run. Available columns: {', '.join(available)}")
    order = tuple(dict.fromkeys(getattr(loaded.audit, "timepoint_order", ()) or ()))
    return AnalysisPlan(
        source=src, alliance=chosen["alliance"], experience=chosen["experience"],
        outcomes=chosen["outcomes"], baselines=baselines,
        baseline_timepoint=baseline_tp, analyses=tuple(analyses),
        correction=spec.correction, alpha=spec.alpha, confidence=spec.confidence,
        correlation_method=spec.correlation_method, include_baseline=spec.include_baseline,
        mediation_x=mx, mediation_m=mm, mediation_y=my, adjust_baseline=spec.adjust_baseline,
        resamples=spec.resamples, seed=spec.seed, ci=spec.ci, timepoint_order=timepoint_order,
        notes=tuple(notes), arms=arms, arm_levels=levels, skipped=tuple(skipped),
        alliance_person=person, global_order=order,
        order_source=str(getattr(loaded.audit, "timepoint_order_source", "") or ""))


def _rank(order: Mapping[str, tuple[str, ...]], column: str) -> int:
    parts = split_column(column)
    if parts is None:
        return -1
    tps = order.get(parts[0], ())
    return tps.index(parts[2]) if parts[2] in tps else len(tps)
