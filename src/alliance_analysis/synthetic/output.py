"""Write a :class:`~.generate.SyntheticDataset`: CSV, loader mapping, README and manifest.

The CSV carries no comment line (loaders would choke), so the synthetic notice is in the file
name, the README's first lines and the manifest. Output is byte-deterministic: fixed column
order, integers without decimals, empty cells for missing values, ``\\n`` line endings, JSON with
a fixed key order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .generate import NOTICE, SyntheticDataset
from .spec import SyntheticSpec


def mapping_toml(spec: SyntheticSpec, csv_name: str) -> str:
    """Loader mapping (format of docs/loader.md: layout, columns, instruments, timepoints, peaks)."""
    instruments: dict[str, str] = {}
    timepoints: list[str] = []
    peaks: dict[str, tuple[tuple[str, ...], str]] = {}
    covariates = [v.name for v in spec.variables if v.covariate]
    for v in spec.variables:
        if v.covariate:
            continue
        instruments.setdefault(v.prefix, v.instrument)
        for tp in v.sessions or (v.timepoint,):
            if tp not in timepoints:
                timepoints.append(tp)
        if v.is_peak:
            peaks[v.instrument] = (v.sessions, v.timepoint)
    for dp in spec.derived:
        peaks[dp.instrument] = (dp.sessions, dp.timepoint)
    lines = [f"# Loader mapping for {csv_name}: SYNTHETIC data (see README.md in this folder).",
             "[layout]", 'kind = "wide"', "", "[columns]", 'participant_id = "participant_id"',
             f'arm = "{spec.arm_column}"', ""]
    if covariates:
        lines += ["[covariates]"] + [f'{c} = "{c}"' for c in covariates] + [""]
    lines += ["[instruments]"]
    lines += [f'{p} = "{i}"' for p, i in instruments.items()]
    lines += ["", "[timepoints]"] + [f'{t} = "{t}"' for t in timepoints]
    ranges = _declared_ranges(spec)
    if ranges:
        lines += ["", "[ranges]  # precomputed totals whose range the package does not know: the "
                  "design's construction range (synthetic units), not the instrument's"]
        lines += [f'"{key}" = [{lo}, {hi}]' for key, (lo, hi) in ranges.items()]
    if peaks:
        lines += ["", "[peaks]"]
        for inst, (sessions, name) in peaks.items():
            src = ", ".join(f'"{s}"' for s in sessions)
            lines.append(f'{inst} = {{ from = [{src}], name = "{name}" }}')
    return "\n".join(lines) + "\n"


def _declared_ranges(spec: SyntheticSpec) -> dict[str, tuple[int, int]]:
    """``[ranges]`` of the mapping: each precomputed total of the design whose instrument range
    the package does not know (the loader refuses such a score without a declared range)."""
    from ..instruments import get_instrument

    out: dict[str, tuple[int, int]] = {}
    for v in spec.variables:
        if v.covariate or not v.precomputed:
            continue
        if get_instrument(v.instrument).scale_range("total") is None:
            out.setdefault(f"{v.instrument}.total", (v.total_min, v.total_max))
    return out


def _fmt(x: Any, digits: int = 4) -> str:
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def readme_text(ds: SyntheticDataset, csv_name: str, mapping_name: str) -> str:
    m = ds.manifest
    lines = [
        "# SYNTHETIC DATA — not the trial's participants",
        "",
        f"**{NOTICE}** The values were calibrated to published summaries (registries: "
        f"{', '.join(m['registries'])}); many different datasets match those summaries, and "
        "nothing here is evidence about the real participants.",
        "",
        f"- data: `{csv_name}` (one row per participant, item-level, empty cell = missing)",
        f"- loader mapping: `{mapping_name}`",
        "- `manifest.json`: seed, generator version, every target with its interval and achieved "
        "value, every chosen (unprinted) value and assumption",
        f"- regenerate: `python scripts/generate_synthetic.py {m['design']} --seed {m['seed']}` "
        f"(generator {m['generator_version']}, numpy {m['numpy_version']}; byte-identical for the same seed)",
        "- method and limitations: `docs/synthetic.md`",
        "",
        f"## Targets ({sum(t['satisfied'] for t in m['targets'])}/{len(m['targets'])} reproduced at the printed precision)",
        "",
        "| id | source | printed | achieved | n |",
        "|---|---|---|---|---|",
    ]
    for t in m["targets"]:
        for a in t["alternatives"]:
            extra = f", p = {a['p']:.4f}" if "p" in a else ""
            lines.append(f"| {t['id']} | {t['registry']} | {t['printed']} | {a['statistic']} = {_fmt(a['achieved'])}{extra} "
                         f"| {a['n']} |")
    lines += ["", "## Assumptions (design)", ""]
    lines += [f"- **{k}**: {v}" for k, v in m["assumptions"].items()]
    return "\n".join(lines) + "\n"


def _portable(value: Any) -> Any:
    """Floats to 10 significant digits, recursively: the manifest's diagnostics (achieved p, an
    eigenvalue) differ in the last bits between BLAS builds, and the file must be byte-identical
    on any machine."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_portable(v) for v in value]
    return value


def write_dataset(ds: SyntheticDataset, out_dir: str | Path, mapping_name: str | None = None) -> list[Path]:
    """Write ``<out_name>.csv``, the mapping, ``README.md`` and ``manifest.json`` into ``out_dir``.

    The CSV's text cells pass the report writer's formula guard (:func:`report.escape.safe_frame`)
    and the manifest goes through :func:`report.files.write_json` (notice first); the data keep
    their own number format (integers as written, empty cells for missing)."""
    from ..report.escape import safe_frame
    from ..report.files import write_json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_name = ds.spec.out_name
    mapping_name = mapping_name or f"{ds.spec.id}_mapping.toml"
    csv_path = out / csv_name
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        safe_frame(ds.frame).to_csv(fh, index=False, lineterminator="\n", na_rep="")
    map_path = out / mapping_name
    map_path.write_text(mapping_toml(ds.spec, csv_name), encoding="utf-8")
    readme = out / "README.md"
    readme.write_text(readme_text(ds, csv_name, mapping_name), encoding="utf-8")
    manifest = write_json(_portable(ds.manifest), out / "manifest.json")
    return [csv_path, map_path, readme, manifest]
