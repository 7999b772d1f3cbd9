"""Multiplicity corrections: Bonferroni, Holm, Benjamini–Hochberg, Benjamini–Yekutieli.

NaN p-values are kept out of the family (the family size is the number of finite p-values) and come
back as NaN; results equal ``statsmodels.stats.multitest.multipletests`` on the finite values.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

METHODS = ("bonferroni", "holm", "fdr_bh", "fdr_by", "none")
_ALIASES = {
    "bonferroni": "bonferroni", "bonf": "bonferroni",
    "holm": "holm",
    "fdr_bh": "fdr_bh", "bh": "fdr_bh", "fdr": "fdr_bh",
    "fdr_by": "fdr_by", "by": "fdr_by",
    "none": "none",
}


def canonical_method(method: str | None) -> str:
    """Canonical name of a correction method (``None`` → ``"none"``)."""
    if method is None:
        return "none"
    key = str(method).strip().lower()
    if key not in _ALIASES:
        raise InputError("unknown p-value correction", value=method,
                         hint="use bonferroni, holm, fdr_bh (bh), fdr_by (by) or none")
    return _ALIASES[key]


def adjust_pvalues(p: object, method: str | None) -> np.ndarray:
    """Adjusted p-values in the input order (float array, same shape as ``p``)."""
    method = canonical_method(method)
    arr = np.asarray(p, dtype=float)
    shape = arr.shape
    flat = arr.reshape(-1)
    out = np.full(flat.shape, np.nan)
    ok = np.isfinite(flat)
    vals = flat[ok]
    if vals.size and ((vals < 0) | (vals > 1)).any():
        raise InputError("p-values must lie in [0, 1]", value=float(vals[(vals < 0) | (vals > 1)][0]))
    m = vals.size
    if m == 0:
        return out.reshape(shape)
    if method == "none":
        adj = vals.copy()
    elif method == "bonferroni":
        adj = np.minimum(vals * m, 1.0)
    elif method == "holm":
        order = np.argsort(vals, kind="mergesort")
        stepped = np.maximum.accumulate(vals[order] * (m - np.arange(m)))
        adj = np.empty(m)
        adj[order] = np.minimum(stepped, 1.0)
    else:
        order = np.argsort(vals, kind="mergesort")
        ranks = np.arange(1, m + 1)
        scale = m / ranks
        if method == "fdr_by":
            scale = scale * np.sum(1.0 / ranks)
        raw = vals[order] * scale
        stepped = np.minimum.accumulate(raw[::-1])[::-1]
        adj = np.empty(m)
        adj[order] = np.minimum(stepped, 1.0)
    out[ok] = adj
    return out.reshape(shape)
