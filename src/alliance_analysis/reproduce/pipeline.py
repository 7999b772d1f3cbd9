"""End-to-end reproduction: load → compute claims → audit printed numbers → write outputs.

``run_reproduction`` returns a :class:`ReproductionRun` (no files written);
``write_outputs`` writes ``claims.csv``/``claims.json``, APA tables, figures and ``report.html``.
Every output starts with the data notice: synthetic (calibrated to published summaries) by
default, or the path of the user's own data when ``--data`` is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..claims import load_registries
from ..claims.compute import STATUS_OK, ClaimResult, compute_claims
from ..claims.model import Registry
from ..errors import InputError
from .spec import ReproductionSpec, load_spec

USER_DATA_NOTICE = "DATA SUPPLIED BY THE USER: {path}. Claims are compared with the published values."


@dataclass(frozen=True)
class ReproductionRun:
    spec: ReproductionSpec
    registries: tuple[Registry, ...]
    synthetic: bool
    notice: str
    data_path: Path
    mapping_path: Path | None
    loaded: Any
    claims: tuple[ClaimResult, ...]
    printed_audit: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def wide(self):
        return self.loaded.wide

    @property
    def n_reproduced(self) -> int:
        return sum(c.status == STATUS_OK for c in self.claims)

    def claims_frame(self):
        import pandas as pd

        frame = pd.DataFrame([c.to_dict() for c in self.claims])
        audit = {row["claim_id"]: row["verdict"] for row in self.printed_audit}
        frame["printed_audit"] = [audit.get(cid, "") for cid in frame["claim_id"]]
        return frame


def _resolve(path: str | Path | None, root: Path) -> Path | None:
    if path is None:
        return None
    p = Path(path)
    return p if p.is_absolute() else (root / p)


def resolve_data(spec: ReproductionSpec, data: str | Path | None, mapping: str | Path | None,
                 root: Path) -> tuple[Path, Path | None]:
    """The data and mapping paths of a run: the spec's shipped files by default (found in a source
    checkout or an installed wheel), else the user's paths (relative to ``root``)."""
    from .._files import shipped_data

    if data is None:
        return shipped_data(spec.data), (shipped_data(spec.mapping) if mapping is None
                                         else _resolve(mapping, root))
    data_path = _resolve(data, root)
    if not data_path.exists():
        raise InputError("data file not found", file=str(data), hint="Check the --data path")
    return data_path, _resolve(mapping, root)


def prepare_run(name: str, data: str | Path | None = None, mapping: str | Path | None = None,
                root: str | Path | None = None) -> ReproductionRun:
    """The run ``name`` with its data loaded and its registries read, no claim computed yet
    (``claims`` is empty; :func:`compute_run` fills it). Enough for the figure plan
    (:func:`.outputs.figure_plan` reads the data and the claims' definitions, not their results)."""
    from ..io import load_table
    from .printed_audit import audit_printed_claims

    spec = load_spec(name)
    if spec.kind != "claims":
        raise InputError(f"'{name}' reproduces published model tables, not claims",
                         hint=f"Run it with: alliance-analysis reproduce {name}")
    root = Path(root) if root is not None else Path.cwd()
    synthetic = data is None
    data_path, mapping_path = resolve_data(spec, data, mapping, root)
    loaded = load_table(data_path, mapping_path)
    registries = load_registries(spec.registries)
    notice = spec.synthetic_notice if synthetic else USER_DATA_NOTICE.format(path=data_path.name)
    return ReproductionRun(
        spec=spec, registries=registries, synthetic=synthetic, notice=notice,
        data_path=data_path, mapping_path=mapping_path, loaded=loaded, claims=(),
        printed_audit=tuple(audit_printed_claims(registries)),
    )


def compute_run(run: ReproductionRun) -> ReproductionRun:
    """``run`` with every claim of its registries computed on its data."""
    import dataclasses

    return dataclasses.replace(run, claims=tuple(compute_claims(run.registries, run.loaded.wide)))


def run_reproduction(name: str, data: str | Path | None = None, mapping: str | Path | None = None,
                     root: str | Path | None = None) -> ReproductionRun:
    """Run the reproduction ``name`` on the spec's synthetic data or on ``data``."""
    return compute_run(prepare_run(name, data, mapping, root))


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


def write_claims(run: ReproductionRun, out: Path) -> tuple[Path, Path]:
    """``claims.csv`` (header first; a short ``data`` column, the full notice in ``NOTICE.txt``)
    and ``claims.json`` (notice first); byte-deterministic."""
    from ..report.files import write_csv, write_json

    out.mkdir(parents=True, exist_ok=True)
    frame = run.claims_frame()
    frame.insert(0, "data", "synthetic" if run.synthetic else f"user data: {run.data_path.name}")
    csv_path = write_csv(frame, out / "claims.csv")
    payload = {
        "notice": run.notice,
        "reproduction": run.spec.id,
        "data": run.data_path.name,
        "synthetic": run.synthetic,
        "claims": [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")],
        "printed_audit": [{k: _jsonable(v) for k, v in row.items()} for row in run.printed_audit],
        "omitted": [dict(o, paper=reg.id) for reg in run.registries for o in reg.omitted],
    }
    # key order is fixed by construction (notice first), so no sort_keys: deterministic anyway
    return csv_path, write_json(payload, out / "claims.json")


#: claims that describe the sample (sizes, means, SDs, shares): on synthetic data they are built
#: in by the generator and cannot fail, so headlines report them apart from the claims that test
#: the analysis pipeline
DESCRIPTIVE_ANALYSES = ("count", "descriptive", "share")


def headline_counts(run: ReproductionRun) -> dict[str, tuple[int, int]]:
    """``{"inferential": (reproduced, total), "descriptive": (reproduced, total)}``."""
    out = {}
    for kind, keep in (("inferential", lambda c: c.analysis not in DESCRIPTIVE_ANALYSES),
                       ("descriptive", lambda c: c.analysis in DESCRIPTIVE_ANALYSES)):
        claims = [c for c in run.claims if keep(c)]
        out[kind] = (sum(c.status == STATUS_OK for c in claims), len(claims))
    return out


def summary_lines(run: ReproductionRun, out: Path | None = None) -> list[str]:
    """The short terminal summary: tests and models apart from sample descriptions."""
    lines = [run.notice, ""]
    total = len(run.claims)
    counts = headline_counts(run)
    lines.append(f"{run.n_reproduced} of {total} claims reproduced ({run.spec.title}):")
    lines.append("  tests, effect sizes and models: {} of {}".format(*counts["inferential"]))
    lines.append("  sample descriptions (n, M, SD, %): {} of {}".format(*counts["descriptive"]))
    if run.synthetic:
        lines.append("  On synthetic data every claim was a construction target of the dataset: "
                     "this shows that the pipeline recovers its construction, not that the paper "
                     "was reproduced.")
    for c in run.claims:
        if c.status != STATUS_OK:
            lines.append(f"  {c.claim_id}: {c.status} - published {c.published}; {c.detail}")
    flagged = [a for a in run.printed_audit if a.get("flag")]
    if flagged:
        lines.append("Audit of the printed numbers:")
        lines.extend(f"  {a['claim_id']}: {a['verdict']}" for a in flagged)
    if out is not None:
        lines.append(f"Report: {out / 'report.html'}")
    return lines
