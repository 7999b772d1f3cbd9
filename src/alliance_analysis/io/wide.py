"""The wide analysis view: :func:`to_wide` (tidy → wide) and :func:`from_wide` (back)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import TIDY_COLUMNS, WIDE_KEY
from .mapping import norm, parse_mapping

if TYPE_CHECKING:
    from .core import LoadResult


def to_wide(tidy: pd.DataFrame, covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """The analysis view of a tidy table: one row per participant (index ``participant_id``),
    ``arm``, then ``covariates`` (a frame indexed by participant id) and one float column per
    ``"{instrument}.{scale}.{timepoint}"`` in the tidy table's order."""
    missing = [c for c in ("participant_id", "timepoint", "instrument", "scale", "score")
               if c not in tidy.columns]
    if missing:
        raise InputError(f"not a tidy table: column(s) {', '.join(missing)} missing",
                         hint=f"A tidy table has columns {', '.join(TIDY_COLUMNS)}")
    pid = tidy["participant_id"].astype(str)
    key = (tidy["instrument"].astype(str) + "." + tidy["scale"].astype(str) + "."
           + tidy["timepoint"].astype(str))
    dup = (pd.DataFrame({"p": pid, "k": key})).duplicated().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise InputError("the tidy table has two scores for the same participant and column",
                         value=f"{pid.iloc[i]} / {key.iloc[i]}")
    participants = pd.Index(pd.unique(pid), name="participant_id")
    keys = pd.unique(key)
    frame = pd.DataFrame({"p": pid.to_numpy(), "k": key.to_numpy(),
                          "s": pd.to_numeric(tidy["score"], errors="coerce").astype(float)})
    scores = frame.pivot(index="p", columns="k", values="s").reindex(index=participants,
                                                                     columns=keys)
    out = pd.DataFrame(index=participants)
    if "arm" in tidy.columns:
        arm = tidy.assign(p=pid)[["p", "arm"]].dropna().drop_duplicates("p").set_index("p")["arm"]
        arm_values = np.array(arm.reindex(participants).to_numpy(dtype=object), dtype=object)
        arm_values[pd.isna(arm_values)] = None
        out["arm"] = pd.Series(arm_values, index=participants, dtype=object)
    else:
        out["arm"] = pd.Series([None] * len(participants), index=participants, dtype=object)
    if covariates is not None:
        for c in covariates.columns:
            col = covariates[c]
            if pd.api.types.is_numeric_dtype(col) or col.isna().all():
                out[c] = pd.to_numeric(col, errors="coerce").reindex(participants).to_numpy(
                    dtype=float)
            else:  # a text covariate (``type = "text"`` in the mapping)
                out[c] = pd.Series(col.reindex(participants).to_numpy(dtype=object),
                                   index=participants, dtype=object)
    values = scores.to_numpy(dtype=float)
    out = pd.concat([out, pd.DataFrame(values, index=participants, columns=list(keys))], axis=1)
    out.columns.name = None
    return out


def from_wide(wide: pd.DataFrame, mapping: Any = None, source_name: str = "<wide>"
              ) -> LoadResult:
    """Load an analysis view (``to_wide`` output, or a file with the same columns) back.

    Columns ``"{instrument}.{scale}.{timepoint}"`` are read as precomputed scores (validated
    against the scale ranges), ``arm`` as the arm, any other column as a numeric covariate. The
    participant id is the ``participant_id`` column, or the index when there is no such column.
    ``mapping`` (optional) may rename instruments/timepoints/arms; its ``[peaks]`` are ignored
    (peak columns are read as they are). ``from_wide(r.wide).tidy`` has the scores of ``r.tidy``, and ``to_wide`` of it gives back
    ``r.wide``.
    """
    if not isinstance(wide, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", file=source_name,
                         value=type(wide).__name__)
    frame = wide if "participant_id" in map(str, wide.columns) else wide.reset_index(
        names="participant_id")
    data: dict[str, Any] = {"layout": {"kind": "wide"}}
    if mapping is not None:
        data = dict(_mapping_dict(mapping))
        peaks = data.pop("peaks", None) or {}  # peaks are already columns of the wide view
        if data.get("timepoints"):
            data["timepoints"] = dict(data["timepoints"])
            for spec in peaks.values():
                name = spec.get("name", "peak") if isinstance(spec, dict) else "peak"
                data["timepoints"].setdefault(name, name)
        data.setdefault("layout", {})["kind"] = "wide"
    covs: dict[str, Any] = {}
    for c in frame.columns:
        if str(c) in ("participant_id", "arm") or WIDE_KEY.match(norm(c)):
            continue
        col = frame[c]
        text = not (pd.api.types.is_numeric_dtype(col) or pd.to_numeric(
            col.dropna().astype(str), errors="coerce").notna().all())
        covs[str(c)] = {"column": str(c), "type": "text"} if text else str(c)
    if covs:
        data.setdefault("covariates", {}).update(covs)
    from .core import load_frame

    return load_frame(frame, data, source_name)


def _mapping_dict(mapping: Any) -> dict[str, Any]:
    """The raw dict of a TOML mapping path or dict (for building derived mappings)."""
    import tomllib

    if isinstance(mapping, dict):
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in mapping.items()}
    if isinstance(mapping, str | Path):
        parse_mapping(mapping)  # validates, with good messages
        with Path(mapping).open("rb") as fh:
            return tomllib.load(fh)
    raise InputError("from_wide() takes a mapping as a TOML path or a dict",
                     value=type(mapping).__name__)
