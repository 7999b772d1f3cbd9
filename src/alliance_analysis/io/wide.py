"""The wide analysis view: :func:`to_wide` (tidy → wide).

Loading a wide view back (:func:`~alliance_analysis.io.core.from_wide`) is a load, so it lives in
:mod:`.core`; this module imports nothing of the loader (no import circle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import TIDY_COLUMNS


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
