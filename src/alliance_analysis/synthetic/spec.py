"""Target specifications for synthetic datasets: a design file + claims registries → :class:`SyntheticSpec`.

A *design* (``designs/NAME.toml``) holds everything that was NOT printed: sample size, arms,
instruments and item ranges, which participants miss which variable, and the chosen construction
moments and unprinted correlations. The *claims registries* hold what was printed.
:func:`spec_from_registry` turns each registered claim into a :class:`~.targets.Target`
(an interval constraint at the design's pairwise n) and merges printed and chosen correlations
into the construction correlation matrix. Adding a paper = adding a design file.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._files import shipped_toml
from ..errors import InputError
from ..rounding import parse_printed, rounding_interval, rounds_to
from .targets import Alternative, Target, abs_t_interval_from_p, p_interval, r_interval, t_for_p

DESIGN_DIR = Path(__file__).with_name("designs")
ARM = "arm"


@dataclass(frozen=True)
class Variable:
    """One analysis variable (a scored total, possibly a peak over sessions).

    ``name`` is the loader's canonical wide name ``instrument.total.timepoint`` (or ``.peak``).
    Items: ``item_min``/``item_max`` per item; precomputed: ``total_min``/``total_max`` only.
    ``factor`` converts the raw integer total into the score (1/items for mean scoring).
    """

    name: str
    instrument: str
    prefix: str
    timepoint: str
    sessions: tuple[str, ...] = ()
    item_min: tuple[int, ...] = ()
    item_max: tuple[int, ...] = ()
    total_min: int = 0
    total_max: int = 0
    precomputed: bool = False
    factor: float = 1.0
    mean: float | None = None
    sd: float | None = None
    skew: float = 0.0
    gap_sd: float = 0.0
    missing: tuple[int, ...] = ()
    note: str = ""
    #: a participant-level covariate (one CSV column named like the variable, e.g. ``age``)
    covariate: bool = False
    #: scoring units of the total (1-based item numbers): a unit's score is the maximum of its
    #: items (one item = the item); empty = plain sum of every item
    units: tuple[tuple[int, ...], ...] = ()
    #: reverse-keyed items (1-based) of the instrument: stored as min + max − scored value
    reverse: tuple[int, ...] = ()

    @property
    def is_peak(self) -> bool:
        return bool(self.sessions)

    @property
    def n_items(self) -> int:
        return len(self.item_min)

    def stored_columns(self) -> list[str]:
        """CSV columns holding this variable (items per session, or precomputed totals)."""
        tps = self.sessions or (self.timepoint,)
        if self.covariate:
            return [self.name]
        if self.precomputed:
            return [f"{self.prefix}_{tp}_total" for tp in tps]
        return [f"{self.prefix}_{tp}_{k}" for tp in tps for k in range(1, self.n_items + 1)]


@dataclass(frozen=True)
class DerivedPeak:
    """A peak computed from session variables of the design (``max_of``), as the loader's
    ``[peaks]`` mapping computes it: used when the sessions are analysed individually too."""

    name: str
    instrument: str
    timepoint: str
    sessions: tuple[str, ...]
    sources: tuple[str, ...]
    factor: float = 1.0


@dataclass(frozen=True)
class SyntheticSpec:
    """Everything the generator needs: layout, construction values and targets."""

    id: str
    title: str
    n: int
    arms: tuple[tuple[str, int], ...]
    variables: tuple[Variable, ...]
    #: construction correlation matrix over ("arm", *variable names)
    latent_names: tuple[str, ...]
    correlation: np.ndarray
    correlation_sources: dict[str, str]
    targets: tuple[Target, ...]
    seed: int = 0
    participant_id: str = "P{:02d}"
    arm_column: str = ARM
    out_name: str = "synthetic_wide.csv"
    second_session_probability: float = 0.5
    assumptions: dict[str, str] = field(default_factory=dict)
    checks: tuple[dict[str, Any], ...] = ()
    registries: tuple[str, ...] = ()
    derived: tuple[DerivedPeak, ...] = ()
    #: registry claims by id (the objects the reproduction computes), for verification
    claim_objects: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def analysis_names(self) -> list[str]:
        """Names of the searched variables followed by the derived peaks (the target layout)."""
        return [v.name for v in self.variables] + [d.name for d in self.derived]

    @property
    def groups(self) -> np.ndarray:
        return np.array([name for name, size in self.arms for _ in range(size)], dtype=object)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    def present(self) -> np.ndarray:
        """(n, V) boolean: participant has the (searched) variable."""
        return presence(self.n, self.variables)

    def analysis_present(self) -> np.ndarray:
        """(n, V + D) boolean over :attr:`analysis_names` (derived peaks included)."""
        return presence(self.n, self.variables, self.derived)


def presence(n: int, variables: tuple[Variable, ...], derived: tuple[DerivedPeak, ...] = ()
             ) -> np.ndarray:
    """Who has each variable: the design's ``missing`` lists; a derived peak is present when any
    of its sessions is (the loader's NaN-ignoring maximum)."""
    out = np.ones((n, len(variables) + len(derived)), dtype=bool)
    for j, v in enumerate(variables):
        for pid in v.missing:
            out[pid - 1, j] = False
    names = [v.name for v in variables]
    for j, dp in enumerate(derived, start=len(variables)):
        out[:, j] = out[:, [names.index(src) for src in dp.sources]].any(axis=1)
    return out


# --------------------------------------------------------------------------------------------
# design files


def design_path(name: str | Path) -> Path:
    """Path of a design given a shipped name (``"davis2024"``) or a file path."""
    return shipped_toml(name, DESIGN_DIR, "synthetic design")


def load_design(name: str | Path) -> dict[str, Any]:
    """The raw design dictionary (``designs/NAME.toml`` or a path)."""
    path = design_path(name)
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    data["_path"] = str(path)
    return data


def _int_tuple(value: Any, k: int, what: str) -> tuple[int, ...]:
    if isinstance(value, list):
        if len(value) != k:
            raise InputError(f"{what} lists {len(value)} values for {k} items")
        return tuple(int(v) for v in value)
    return (int(value),) * k


def _known_instrument(instrument: str):
    """The package's definition of ``instrument``, or None for an instrument it does not know
    (the design's own ranges are then taken as given)."""
    from ..instruments import get_instrument

    try:
        return get_instrument(instrument)
    except Exception:
        return None


def _check_instrument_ranges(instrument: str, name: str, imin: tuple[int, ...],
                             imax: tuple[int, ...]) -> None:
    """Item ranges of the design must equal the instrument definition's (when one exists)."""
    inst = _known_instrument(instrument)
    if inst is None:
        return
    if not inst.accepts_items:
        raise InputError(f"{name}: instrument '{instrument}' accepts precomputed scores only",
                         hint="declare the variable with precomputed = true and total_min/total_max")
    if (len(imin) != inst.n_items or tuple(map(float, imin)) != tuple(inst.item_min)
            or tuple(map(float, imax)) != tuple(inst.item_max)):
        raise InputError(f"{name}: design item ranges differ from the '{instrument}' definition",
                         hint=f"definition: min {list(inst.item_min)}, max {list(inst.item_max)}")


def score_units(instrument: str) -> tuple[tuple[int, ...], ...]:
    """Scoring units of an instrument's total when it is a sum of items and of domain maxima
    (QIDS-SR-16: items 5, 10-14 plus max(1-4), max(6-9), max(15-16)); empty for a plain sum."""
    inst = _known_instrument(instrument)
    if inst is None or "total" not in inst.scales:
        return ()
    total = inst.scale_spec("total")
    if total.rule != "sum" or not total.scales:
        return ()
    subs = [inst.scale_spec(name) for name in total.scales]
    if any(sp.rule != "max" or sp.scales for sp in subs):
        raise InputError(f"instrument '{instrument}': the synthetic generator composes totals from "
                         "items and domain maxima only")
    return tuple((int(i),) for i in total.items) + tuple(tuple(int(i) for i in sp.items) for sp in subs)


def reverse_items(instrument: str) -> tuple[int, ...]:
    """Reverse-keyed items (1-based positions) of a known instrument; empty if none or unknown."""
    inst = _known_instrument(instrument)
    if inst is None:
        return ()
    return tuple(inst.item_ids.index(i) + 1 for i in inst.reverse_items)


def _covariate(raw: dict[str, Any], n: int) -> Variable:
    name = str(raw["covariate"])
    missing = tuple(int(p) for p in raw.get("missing", ()))
    return Variable(name=name, instrument="", prefix=name, timepoint="", covariate=True,
                    precomputed=True, total_min=int(raw["min"]), total_max=int(raw["max"]),
                    mean=raw.get("mean"), sd=raw.get("sd"), skew=float(raw.get("skew", 0.0)),
                    missing=missing, note=raw.get("note", ""))


def _variable(raw: dict[str, Any], n: int) -> Variable:
    if "covariate" in raw:
        return _covariate(raw, n)
    instrument = raw["instrument"]
    sessions = tuple(raw.get("sessions", ()))
    timepoint = raw.get("peak", "peak") if sessions else raw["timepoint"]
    name = f"{instrument}.total.{timepoint}"
    precomputed = bool(raw.get("precomputed", False))
    if precomputed:
        lo, hi = int(raw["total_min"]), int(raw["total_max"])
        imin: tuple[int, ...] = ()
        imax: tuple[int, ...] = ()
        factor = 1.0
    else:
        k = int(raw["items"])
        imin = _int_tuple(raw["item_min"], k, f"{name} item_min")
        imax = _int_tuple(raw["item_max"], k, f"{name} item_max")
        lo, hi = sum(imin), sum(imax)
        factor = 1.0 / k if raw.get("score", "sum") == "mean" else 1.0
    units: tuple[tuple[int, ...], ...] = ()
    reverse: tuple[int, ...] = ()
    if not precomputed:
        _check_instrument_ranges(instrument, name, imin, imax)
        units = score_units(instrument)
        reverse = reverse_items(instrument)
        if units:
            lo = sum(max(imin[i - 1] for i in u) for u in units)
            hi = sum(max(imax[i - 1] for i in u) for u in units)
    missing = tuple(int(p) for p in raw.get("missing", ()))
    bad = [p for p in missing if not 1 <= p <= n]
    if bad:
        raise InputError(f"{name}: missing participants {bad} outside 1..{n}")
    return Variable(
        name=name, instrument=instrument, prefix=raw["prefix"], timepoint=timepoint,
        sessions=sessions, item_min=imin, item_max=imax, total_min=lo, total_max=hi,
        precomputed=precomputed, factor=factor, mean=raw.get("mean"), sd=raw.get("sd"),
        skew=float(raw.get("skew", 0.0)), gap_sd=float(raw.get("gap_sd", 0.0)),
        missing=missing, note=raw.get("note", ""), units=units, reverse=reverse,
    )


# --------------------------------------------------------------------------------------------
# claims -> targets


def _claim_dict(claim: Any) -> dict[str, Any]:
    if isinstance(claim, dict):
        return dict(claim)
    import dataclasses

    return {k: v for k, v in dataclasses.asdict(claim).items() if v not in (None, (), "")}


def _pair_n(present: np.ndarray, names: list[str], variables: tuple[str, ...],
            groups: np.ndarray | None = None, group: str | None = None) -> int:
    cols = [names.index(v) for v in variables]
    keep = present[:, cols].all(axis=1)
    if group is not None and groups is not None:
        keep &= groups == group
    return int(keep.sum())


def _targets_from_claim(c: dict[str, Any], names: list[str], present: np.ndarray,
                        groups: np.ndarray, arm_sizes: dict[str, int], n_total: int,
                        context: dict[str, Any] | None = None
                        ) -> tuple[list[Target], list[dict[str, Any]]]:
    """Targets (searched) and checks (satisfied by construction, e.g. counts) for one claim."""
    cid, analysis, stat = c["id"], c["analysis"], c["statistic"]
    base = {"id": cid, "description": c.get("description", ""), "source": c.get("paper", ""),
            "claim": c}

    def need_n(n: int) -> None:
        if c.get("n") is not None and int(c["n"]) != n:
            raise InputError(f"claim {cid}: the design gives n = {n} but the registry says n = {c['n']} "
                             f"({c.get('n_status', '?')})", hint="fix the design's missing lists")

    for v in c_variables(c):
        if v not in names:
            raise InputError(f"claim {cid} uses '{v}', which the design does not define")

    if analysis == "count":
        size = arm_sizes.get(c["group"], 0) if c.get("group") else n_total
        return [], [{"id": cid, "kind": "N", "printed": c["printed"], "achieved": size,
                     "satisfied": int(parse_printed(c["printed"])) == size}]

    context = context or {}
    if analysis in ("correlation", "significance"):
        ys = c["y"] if isinstance(c["y"], (list, tuple)) else (c["y"],)
        alts = []
        for y in ys:
            n = _pair_n(present, names, (c["x"], y), groups, c.get("group"))
            if analysis == "correlation":
                need_n(n)
                lo, hi = r_interval(c["printed"], c["p_printed"], c.get("p_comparator", "="), n)
                basis = (f"r rounds to {c['printed']} (2 dp) and two-sided p {c.get('p_comparator', '=')} "
                         f"{c['p_printed']} at n = {n}")
            else:
                sign = {"negative": -1, "positive": 1}.get(c.get("direction") or "", 0)
                lo, hi = r_interval(None, c["printed"], c["p_comparator"], n, sign=sign)
                basis = f"two-sided p {c['p_comparator']} {c['printed']} at n = {n} ({c['expected']})"
            alts.append(Alternative("r", (c["x"], y), lo, hi, n=n, group=c.get("group")))
        text = c["printed"] if analysis == "correlation" else f"p {c['p_comparator']} {c['printed']}"
        if c.get("p_printed"):
            text = f"r = {c['printed']}, p {c.get('p_comparator', '=')} {c['p_printed']}"
        if len(ys) > 1:
            basis += " for at least one of " + ", ".join(ys)
        return [Target(printed=text, alternatives=tuple(alts), basis=basis, **base)], []

    if analysis == "paired_change":
        pre, post = c["pre"], c["post"]
        n = _pair_n(present, names, (pre, post))
        need_n(n)
        sign = 1 if c["direction"] == "increase" else -1
        if stat == "p":
            tlo, thi = abs_t_interval_from_p(c["printed"], c.get("comparator", "="), n - 1)
            alt = Alternative("paired_t", (pre, post), tlo, thi, n=n, sign=sign)
            basis = (f"paired t (df = {n - 1}) in the direction '{c['direction']}' with two-sided "
                     f"p {c.get('comparator', '=')} {c['printed']}")
            text = f"p {c.get('comparator', '=')} {c['printed']}"
        else:
            if c.get("formula") != "d_av":
                raise InputError(f"claim {cid}: only d formula d_av is implemented (got {c.get('formula')})")
            lo, hi = rounding_interval(c["printed"])
            alt = Alternative("d_av", (pre, post), lo, hi, n=n, sign=sign)
            basis = f"d_av (Cumming) in the direction '{c['direction']}' rounds to {c['printed']}"
            text = f"d = {c['printed']}"
        return [Target(printed=text, alternatives=(alt,), basis=basis, **base)], []

    if analysis == "descriptive":
        var, group = c["variable"], c.get("group")
        n = _pair_n(present, names, (var,), groups, group)
        need_n(n)
        lo, hi = rounding_interval(c["printed"])
        kind = "mean" if stat == "M" else "sd"
        alt = Alternative(kind, (var,), lo, hi, group=group, n=n)
        where = f" in arm '{group}'" if group else ""
        return [Target(printed=f"{stat} = {c['printed']}", alternatives=(alt,),
                       basis=f"{stat}{where} rounds to {c['printed']} (n = {n})", **base)], []

    if analysis == "proportion":
        b, f = c["baseline"], c["followup"]
        n = _pair_n(present, names, (b, f))
        need_n(n)
        ks = [k for k in range(n + 1) if rounds_to(100.0 * k / n, c["printed"])]
        if not ks:
            raise InputError(f"claim {cid}: no count out of {n} rounds to {c['printed']}%")
        kind = "count_remission" if c["definition"] == "remission" else "count_response"
        alt = Alternative(kind, (b, f), float(min(ks)), float(max(ks)), n=n)
        return [Target(printed=f"{c['printed']}%", alternatives=(alt,),
                       basis=f"{c['definition']} count k with 100k/{n} rounding to {c['printed']}: k in {ks}",
                       **base)], []

    group = c.get("group")

    if analysis == "share":
        var = c["variable"]
        n = _pair_n(present, names, (var,), groups, group)
        need_n(n)
        ks = [k for k in range(n + 1) if rounds_to(100.0 * k / n, c["printed"])]
        if not ks:
            raise InputError(f"claim {cid}: no count out of {n} rounds to {c['printed']}%")
        alt = Alternative("count_ones", (var,), float(min(ks)), float(max(ks)), group=group, n=n)
        return [Target(printed=f"{c['printed']}%", alternatives=(alt,),
                       basis=f"count of 1s in {var}, k with 100k/{n} rounding to {c['printed']}: k in {ks}",
                       **base)], []

    if analysis == "regression":
        y, x = c["outcome"], c["predictor"]
        variables = (y, x, *c.get("covariates", ()))
        n = _pair_n(present, names, variables, groups, group)
        need_n(n)
        df = n - len(variables)
        if stat == "p":
            plo, phi, why = context["p_bounds"][cid]
            alo, ahi = t_for_p(phi, df), t_for_p(plo, df)
            sign = {"negative": -1, "positive": 1}.get(c.get("direction") or "", 0)
            if sign == 0 and alo > 0:
                raise InputError(f"claim {cid}: a significant regression target needs a direction")
            lo, hi = (alo, ahi) if sign > 0 else (-ahi, -alo) if sign < 0 else (-ahi, ahi)
            alt = Alternative("partial_t", variables, lo, hi, group=group, n=n)
            return [Target(printed=f"{c.get('expected')} ({c.get('correction') or 'uncorrected'})",
                           alternatives=(alt,), basis=f"t of {x} (df = {df}) with raw p in "
                           f"[{plo:.4g}, {phi:.4g}): {why}", **base)], []
        lo, hi = _interval(c)
        alt = Alternative(stat, variables, lo, hi, group=group, n=n)
        return [Target(printed=f"{stat} {c.get('comparator', '=')} {c['printed']}", alternatives=(alt,),
                       basis=f"{stat} of {x} in the model of {y}", **base)], []

    if analysis == "variance_explained":
        lo, hi = rounding_interval(c["printed"])
        lo, hi = lo / 100.0, hi / 100.0
        kind = "delta_r2" if c["reading"] == "delta_r2" else "r2"
        alts, bounds = [], []
        for model_id in c["models"]:
            mc = context["claims"][model_id]
            variables = ((mc["outcome"], mc["predictor"], *mc.get("covariates", ()))
                         if kind == "delta_r2" else (mc["outcome"], mc["predictor"]))
            n = _pair_n(present, names, variables, groups, mc.get("group"))
            alts.append(Alternative(kind, variables, lo, hi, group=mc.get("group"), n=n))
            one_sided = (lo, math.inf) if c["bound"] == "min" else (-math.inf, hi)
            bounds.append(Target(id=f"{cid}/{model_id}", description=f"{c['bound']} bound of {cid}",
                                 printed=f"{kind} {'>=' if c['bound'] == 'min' else '<'} {c['printed']}%",
                                 alternatives=(Alternative(kind, variables, *one_sided,
                                                           group=mc.get("group"), n=n),),
                                 basis=f"{model_id} must not undercut the printed {c['bound']}"
                                 if c["bound"] == "min" else f"{model_id} must not exceed the printed max",
                                 source=base["source"], claim=c))
        basis = (f"{c['bound']} over models {list(c['models'])} of {kind} rounds to {c['printed']}%: "
                 "one model in the rounding interval")
        return [Target(printed=f"{c['bound']} {c['printed']}%", alternatives=tuple(alts), basis=basis,
                       **base), *bounds], []

    if analysis == "group_difference":
        y, by = c["variable"], c["by"]
        n = _pair_n(present, names, (y, by), groups, group)
        if c.get("expected") != "not significant":
            raise InputError(f"claim {cid}: only non-significant group differences can be targeted")
        plo, _ = p_interval(c["printed"], c.get("p_comparator", ">="))
        t = t_for_p(plo, n - 2)
        alt = Alternative("welch_t", (y, by), -t, t, group=group, n=n)
        return [Target(printed=f"p {c.get('p_comparator')} {c['printed']}", alternatives=(alt,),
                       basis=f"|Welch t| <= {t:.4f}, the critical t at the pooled df = {n - 2} (the largest "
                             "Welch df, so p stays above the bound whatever the group variances)",
                       **base)], []

    if analysis == "path":
        x, m, y = c["x"], c["m"], c["y"]
        covs = tuple(c.get("covariates", ()))
        layout = {"beta_direct": ("beta", (y, x, m, *covs)), "beta_b": ("beta", (y, m, x, *covs)),
                  "beta_a": ("beta", (m, x, *covs)), "r2_y": ("r2", (y, x, m, *covs)),
                  "r2_m": ("r2", (m, x, *covs))}
        kind, variables = layout[stat]
        n = _pair_n(present, names, variables, groups, group)
        need_n(n)
        lo, hi = _interval(c)
        alt = Alternative(kind, variables, lo, hi, group=group, n=n)
        return [Target(printed=f"{stat} {c.get('comparator', '=')} {c['printed']}", alternatives=(alt,),
                       basis=f"standardized OLS {kind} ({stat}) of the path model, n = {n}", **base)], []

    raise InputError(f"claim {cid}: analysis '{analysis}' is not supported by the synthetic generator")


def _interval(c: dict[str, Any]) -> tuple[float, float]:
    """Interval of a printed coefficient: its rounding interval, or a unit-wide one-sided band
    for ``>``/``<`` (e.g. β > 0 → (0, 1); the search keeps a margin inside it)."""
    comparator = c.get("comparator", "=")
    bound = parse_printed(c["printed"])
    if comparator == "=":
        return rounding_interval(c["printed"])
    if comparator in (">", ">="):
        return bound, bound + 1.0
    return bound - 1.0, bound


def family_p_bounds(claims: list[dict[str, Any]]) -> dict[str, tuple[float, float, str]]:
    """Raw-p intervals for regression claims that make the printed pattern hold under the family's
    declared correction, whatever the other p values of the family are inside their intervals.

    With m tests, s expected significant after correction and q expected significant only before
    it: significant → p < α/m (significant under Bonferroni, hence under Holm and BH);
    significant only before correction → α·L ≤ p < α with L = 1/m (Bonferroni), 1/(m − s) (Holm:
    such a p ranks after the s significant ones) or (s + q)/m (Benjamini–Hochberg: the BH
    adjusted p of rank j ≥ s + 1 is min over k ≥ j of p₍ₖ₎m/k); not significant → p ≥ α.
    These are construction choices (docs/synthetic.md), not printed values.
    """
    families: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        if c.get("analysis") == "regression" and c.get("statistic") == "p":
            families.setdefault(c.get("family") or c["id"], []).append(c)
    out: dict[str, tuple[float, float, str]] = {}
    for members in families.values():
        m = len(members)
        method = members[0].get("correction") or "none"
        s = sum(c.get("expected") == "significant" for c in members)
        q = sum(c.get("expected") != "significant" and c.get("uncorrected_expected") == "significant"
                for c in members)
        if method not in ("none", "bonferroni", "holm", "fdr_bh"):
            raise InputError(f"family of {members[0]['id']}: the generator derives raw-p intervals for "
                             f"bonferroni, holm and fdr_bh only (got {method})")
        for c in members:
            alpha = parse_printed(c["printed"])
            if c.get("expected") == "significant":
                k = m if method != "none" else 1
                out[c["id"]] = (0.0, alpha / k, f"below alpha/{k}: significant under Bonferroni, "
                                "Holm and BH whatever the other p values")
            elif c.get("uncorrected_expected") == "significant":
                factor = {"bonferroni": 1.0 / m, "holm": 1.0 / (m - s), "fdr_bh": (s + q) / m}.get(method)
                if factor is None:
                    raise InputError(f"claim {c['id']}: 'significant only before correction' needs a "
                                     "bonferroni, holm or fdr_bh correction")
                if alpha * factor >= alpha * (1 - 1e-12):
                    raise InputError(f"claim {c['id']}: 'significant before but not after {method} "
                                     f"correction' is impossible in this family ({m} tests, {s} "
                                     "significant after correction)")
                out[c["id"]] = (alpha * factor, alpha,
                                f"significant uncorrected, not after {method} over {m} tests")
            else:
                out[c["id"]] = (alpha, 1.0, "not significant even uncorrected (chosen)")
    return out


def c_variables(c: dict[str, Any]) -> list[str]:
    out = []
    for key in ("x", "m", "pre", "post", "variable", "baseline", "followup", "outcome",
                "predictor", "by"):
        if c.get(key):
            out.append(c[key])
    out.extend(c.get("covariates", ()))
    y = c.get("y")
    if isinstance(y, (list, tuple)):
        out.extend(y)
    elif y:
        out.append(y)
    return out


def spec_from_registry(registries: Any, design: str | Path | dict[str, Any]) -> SyntheticSpec:
    """Build a :class:`SyntheticSpec` from claims registries and a design.

    ``registries``: a :class:`~alliance_analysis.claims.Registry`, a sequence of them, or a list of
    claim dicts (``id``, ``analysis``, ``statistic``, ``printed``, ... as in the TOML files).
    ``design``: a design name (``"davis2024"``), a path, or an already-loaded dict.
    """
    d = load_design(design) if not isinstance(design, dict) else design
    n = int(d["n"])
    arms = tuple((str(k), int(v)) for k, v in d["arms"].items())
    if sum(s for _, s in arms) != n:
        raise InputError(f"arm sizes {dict(arms)} do not add up to n = {n}")
    variables = tuple(_variable(raw, n) for raw in d["variable"])
    state_names = [v.name for v in variables]
    derived = tuple(_derived(raw, variables) for raw in d.get("peak", []))
    names = state_names + [dp.name for dp in derived]
    if len(set(names)) != len(names):
        raise InputError("two design variables have the same name")
    groups = np.array([a for a, s in arms for _ in range(s)], dtype=object)
    present = presence(n, variables, derived)

    # claims
    claims: list[dict[str, Any]] = []
    claim_objects: dict[str, Any] = {}
    reg_ids: list[str] = []
    regs = registries if isinstance(registries, (list, tuple)) else [registries]
    for reg in regs:
        if hasattr(reg, "claims"):
            reg_ids.append(reg.id)
            claims.extend(_claim_dict(c) for c in reg.claims)
            claim_objects.update({c.id: c for c in reg.claims})
        else:
            claims.append(_claim_dict(reg))
    # design constraints: chosen (unprinted) interval constraints in the claims format
    for raw in d.get("constraint", []):
        claims.append({"paper": "design (chosen, not printed)", **raw})
    targets: list[Target] = []
    checks: list[dict[str, Any]] = []
    context = {"claims": {c["id"]: c for c in claims}, "p_bounds": family_p_bounds(claims)}
    for c in claims:
        t, ch = _targets_from_claim(c, names, present, groups, dict(arms), n, context)
        targets.extend(t)
        checks.extend(ch)

    # construction moments: design value, else the ungrouped printed descriptive
    printed_moments: dict[tuple[str, str], float] = {}
    for t in targets:
        for a in t.alternatives:
            if a.kind in ("mean", "sd") and a.group is None:
                printed_moments[(a.variables[0], a.kind)] = (a.lo + a.hi) / 2.0
    filled = []
    for v in variables:
        mean = v.mean if v.mean is not None else printed_moments.get((v.name, "mean"))
        sd = v.sd if v.sd is not None else printed_moments.get((v.name, "sd"))
        if mean is None or sd is None:
            raise InputError(f"{v.name}: the design gives no construction mean/sd and no printed one exists")
        filled.append(_replace(v, mean=float(mean) / v.factor if v.mean is None else float(mean),
                               sd=float(sd) / v.factor if v.sd is None else float(sd)))
    variables = tuple(filled)

    # correlation matrix over (arm, searched variables); derived peaks follow from their sessions
    names = state_names
    latent = [ARM, *names]
    p = len(latent)
    corr = np.eye(p)
    sources: dict[str, str] = {}

    def put(x: str, y: str, r: float, src: str) -> None:
        i, j = latent.index(x), latent.index(y)
        key = "|".join(sorted((x, y)))
        if key in sources:
            raise InputError(f"correlation {x} x {y} given twice ({sources[key]} and {src})")
        corr[i, j] = corr[j, i] = r
        sources[key] = src

    for t in targets:
        a = t.alternatives[0]
        if (len(t.alternatives) == 1 and a.kind == "r" and t.claim.get("analysis") == "correlation"
                and a.group is None and all(v in names for v in a.variables)):
            put(a.variables[0], a.variables[1], (a.lo + a.hi) / 2.0, f"printed ({t.id}): interval midpoint")
    for raw in d.get("correlation", []):
        put(raw["x"], raw["y"], float(raw["r"]), "chosen (design)" + (f": {raw['note']}" if raw.get("note") else ""))
    # arm correlations from printed group means (point-biserial), else 0
    sizes = dict(arms)
    first = arms[0][0]
    n1 = sizes[first]
    sa = math.sqrt(n1 * (n - n1) / (n * (n - 1.0)))
    for t in targets:
        a = t.alternatives[0]
        if a.kind == "mean" and a.group == first and a.variables[0] in names:
            v = variables[names.index(a.variables[0])]
            gm = (a.lo + a.hi) / 2.0 / v.factor
            r = n1 * (gm - v.mean) / (n - 1.0) / (sa * v.sd)
            put(ARM, v.name, r, f"derived: point-biserial giving arm '{first}' mean {gm:g} ({t.id}) "
                                f"around the chosen overall mean {v.mean:g}, SD {v.sd:g}")
    for name in names:
        key = "|".join(sorted((ARM, name)))
        if key not in sources:
            sources[key] = "chosen: 0 (no arm difference)"
    if "default_correlation" in d:  # an explicit design choice for every pair not listed
        r0 = float(d["default_correlation"])
        for i in range(1, p):
            for j in range(i + 1, p):
                key = "|".join(sorted((latent[i], latent[j])))
                if key not in sources:
                    corr[i, j] = corr[j, i] = r0
                    sources[key] = f"chosen: design default_correlation = {r0:g}"
    missing_pairs = [f"{latent[i]} x {latent[j]}" for i in range(1, p) for j in range(i + 1, p)
                     if "|".join(sorted((latent[i], latent[j]))) not in sources]
    if missing_pairs:
        raise InputError("the design leaves correlations unspecified (every pair must be printed or chosen)",
                         hint="; ".join(missing_pairs))

    ps = d.get("peak_sessions", {})
    return SyntheticSpec(
        id=d["id"], title=d.get("title", d["id"]), n=n, arms=arms, variables=variables,
        latent_names=tuple(latent), correlation=corr, correlation_sources=sources,
        targets=tuple(targets), seed=int(d.get("seed", 0)),
        participant_id=d.get("participant_id", "P{:02d}"), arm_column=d.get("arm_column", ARM),
        out_name=d.get("out_name", f"{d['id']}_synthetic_wide.csv"),
        second_session_probability=float(ps.get("second_session_probability", 0.5)),
        assumptions={a["id"]: a["text"] for a in d.get("assumption", [])},
        checks=tuple(checks), registries=tuple(reg_ids) or tuple(d.get("registries", ())),
        derived=derived, claim_objects=claim_objects,
    )


def _derived(raw: dict[str, Any], variables: tuple[Variable, ...]) -> DerivedPeak:
    """A ``[[peak]]`` table: ``instrument``, ``sessions`` (timepoints of design variables),
    optional ``name`` (default ``peak``)."""
    instrument = raw["instrument"]
    sessions = tuple(raw["sessions"])
    name = raw.get("name", "peak")
    by_name = {v.name: v for v in variables}
    sources = tuple(f"{instrument}.total.{s}" for s in sessions)
    missing = [s for s in sources if s not in by_name]
    if missing:
        raise InputError(f"peak {instrument}.total.{name}: the design defines no {missing}")
    factors = {by_name[s].factor for s in sources}
    if len(factors) != 1:
        raise InputError(f"peak {instrument}.total.{name}: sessions are scored differently")
    return DerivedPeak(name=f"{instrument}.total.{name}", instrument=instrument, timepoint=name,
                       sessions=sessions, sources=sources, factor=factors.pop())


def _replace(v: Variable, **changes: Any) -> Variable:
    import dataclasses

    return dataclasses.replace(v, **changes)


def spec_for(name: str) -> SyntheticSpec:
    """Spec of a shipped design, with the registries the design names."""
    from ..claims import load_registries

    design = load_design(name)
    return spec_from_registry(list(load_registries(design["registries"])), design)
