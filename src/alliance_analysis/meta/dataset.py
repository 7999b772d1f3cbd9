"""The built-in dataset: alliance-outcome correlations of psychedelic-assisted therapy trials.

Two sources, never mixed up (the ``source`` column says which):

* ``printed``: every correlation claim of the package's claims registries whose x is an alliance
  score and whose y a symptom outcome; the value is the printed string of the registry, its n
  as the registry gives it with ``n_status`` (printed or inferred), and the claim id.
* ``computed from real data``: the public trial (psilocybin vs escitalopram; the package's
  ``data/public/psilodep2`` files, read by the package's loader): Pearson r of the alliance
  rated before the first dosing session (``ta``) with QIDS-SR-16 at week 6 (the trial's primary
  outcome), per arm, over the participants with both values (n counted, the rest reported).

Every outcome here is a symptom score (higher = worse), so the pooled correlation is oriented as
the psychotherapy literature reports it: ``r_oriented = -r`` (positive = a stronger alliance
goes with fewer symptoms), the sign convention of Flückiger et al. (2018). Nothing else changes.

Claims that are not alliance-outcome correlations (alliance with acute experiences, acute
experiences with outcome, path coefficients, p-value-only regressions) are listed by
:func:`not_used` with the reason, not silently left out.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: alliance questionnaires (instrument ids of the package's instrument definitions)
ALLIANCE = ("wai_sr", "wai_36", "wai_s", "star_p")
#: symptom outcomes, higher = worse
OUTCOMES = ("grid_hamd_17", "qids_sr16", "caps_iv", "caps_5", "ies_r")
REGISTRIES = ("levin2024", "murphy2022", "zeifman2024", "davis2021", "gukasyan2022")
PUBLIC_TRIAL = "psilodep2"
PUBLIC_SAMPLE = "Carhart-Harris et al. (2021)"
PUBLIC_OUTCOME = "qids"
PUBLIC_ALLIANCE = "ta"
PUBLIC_TIMEPOINT = "wk6"

#: the psychotherapy benchmark, as printed (data: claims/benchmarks/fluckiger2018.toml)
BENCHMARK_FILE = Path(__file__).resolve().parents[1] / "claims" / "benchmarks" / "fluckiger2018.toml"
BENCHMARK: dict[str, str] = tomllib.loads(BENCHMARK_FILE.read_text(encoding="utf-8"))

COLUMNS = ("sample", "study", "effect", "source", "claim_id", "paper", "alliance", "outcome",
           "printed", "r", "r_oriented", "n", "n_status", "note")


def _instrument(column: str | None) -> str:
    return str(column or "").split(".", 1)[0]


def registry_rows() -> list[dict]:
    """The printed alliance-outcome correlations of the registries (one dict per claim)."""
    from ..claims import load_registry
    from ..rounding import parse_printed

    rows = []
    for name in REGISTRIES:
        reg = load_registry(name)
        paper = reg.paper["short"]
        for c in reg.claims:
            y = c.y if isinstance(c.y, str) else None
            if c.analysis != "correlation" or _instrument(c.x) not in ALLIANCE \
                    or _instrument(y) not in OUTCOMES:
                continue
            r = float(parse_printed(c.printed))
            rows.append({"sample": f"{paper} trial sample", "study": paper,
                         "effect": f"{c.id} {c.description}",
                         "source": "printed", "claim_id": f"{reg.id}:{c.id}", "paper": paper,
                         "alliance": c.x, "outcome": y, "printed": c.printed, "r": r,
                         "r_oriented": -r, "n": int(c.n), "n_status": c.n_status,
                         "note": c.description})
    return rows


def not_used() -> list[dict[str, str]]:
    """Registry claims about the alliance that are not pooled, with the reason."""
    from ..claims import load_registry

    out = []
    for name in REGISTRIES:
        reg = load_registry(name)
        for c in reg.claims:
            names = [c.x, c.predictor, *(c.y if isinstance(c.y, tuple) else (c.y,))]
            if not any(_instrument(v) in ALLIANCE for v in names if v):
                continue
            y = c.y if isinstance(c.y, str) else None
            if c.analysis == "correlation" and _instrument(y) in OUTCOMES:
                continue
            if c.analysis == "correlation":
                why = "a correlation of the alliance with an acute experience, not an outcome"
            elif c.analysis == "path":
                why = "a path coefficient or R² of a path model, not a correlation"
            else:
                why = f"a {c.analysis} claim without a printed correlation"
            out.append({"claim_id": f"{reg.id}:{c.id}", "statistic": c.statistic,
                        "printed": c.printed, "reason": why})
    return out


def public_trial_rows(root: str | Path | None = None) -> tuple[list[dict], list[str]]:
    """r(alliance, QIDS-SR-16 at week 6) per arm of the public trial, computed from its files;
    returns the rows and notes (participants without both values, per arm)."""
    from ..io import load_table
    from ..stats import correlate

    base = Path(root) if root is not None else _data_root()
    folder = base / PUBLIC_TRIAL
    loaded = load_table(folder / "scores.csv", folder / "psilodep2_mapping.toml")
    wide = loaded.wide
    col = f"{PUBLIC_OUTCOME}.total.{PUBLIC_TIMEPOINT}"
    rows, notes = [], []
    for arm in sorted(wide["arm"].unique()):
        part = wide[wide["arm"] == arm]
        res = correlate(part[PUBLIC_ALLIANCE], part[col])
        rows.append({"sample": f"{PUBLIC_SAMPLE}, {arm} arm", "study": f"{PUBLIC_SAMPLE}, {arm} arm",
                     "effect": f"alliance × QIDS-SR-16 {PUBLIC_TIMEPOINT} (computed)", "source": "computed from real data", "claim_id": "",
                     "paper": PUBLIC_SAMPLE, "alliance": f"{PUBLIC_ALLIANCE} (pre-session 1)",
                     "outcome": f"QIDS-SR-16 {PUBLIC_TIMEPOINT}", "printed": "",
                     "r": float(res.r), "r_oriented": -float(res.r), "n": int(res.n),
                     "n_status": "counted", "note": res.apa()})
        notes.append(f"{PUBLIC_SAMPLE}, {arm} arm: {len(part)} participants, {res.n} with both "
                     f"the alliance and QIDS-SR-16 at {PUBLIC_TIMEPOINT}; {res.n_dropped} without "
                     "one of them not used.")
    return rows, notes


def _data_root() -> Path:
    """``data/public`` of the source tree (the public trial's files are not in the wheel)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "data" / "public"
        if (candidate / PUBLIC_TRIAL).is_dir():
            return candidate
    from ..errors import InputError

    raise InputError("the public trial's files (data/public/psilodep2) were not found",
                     hint="Run from a source checkout of alliance-analysis or pass root=")


def alliance_outcome_dataset(root: str | Path | None = None,
                             with_public_trial: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The dataset as a DataFrame (:data:`COLUMNS`) and its notes.

    ``study`` is the independent sample (a trial's sample, or one arm of the public trial): the
    grouping of the three-level model.
    """
    import pandas as pd

    rows = registry_rows()
    notes = [f"{len(rows)} printed alliance-outcome correlation(s) from the claims registries; "
             "n as the registry gives it (n_status: printed or inferred)."]
    if with_public_trial:
        extra, more = public_trial_rows(root)
        rows += extra
        notes += more
    return pd.DataFrame(rows, columns=list(COLUMNS)), notes
