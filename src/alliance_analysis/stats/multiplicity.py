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


def adjust_pvalues_rows(p: np.ndarray, method: str | None) -> np.ndarray:
    """Adjusted p-values along the last axis (each row one family of k tests), vectorised.

    No NaN allowed (callers decide what a missing test means). Bonferroni: min(1, k·p). Holm
    (1979): step-down, sorted p₍ᵢ₎·(k − i + 1), cumulative maximum. Benjamini & Hochberg (1995):
    step-up, p₍ᵢ₎·k/i, cumulative minimum from the top; Benjamini & Yekutieli (2001) multiply by
    Σ 1/i. Equal to ``statsmodels.stats.multitest.multipletests`` row by row.
    """
    method = canonical_method(method)
    p = np.asarray(p, dtype=float)
    k = p.shape[-1]
    if method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, k * p)
    order = np.argsort(p, axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, axis=-1)
    rank = np.arange(1, k + 1, dtype=float)
    if method == "holm":
        adj_sorted = np.maximum.accumulate(np.minimum(1.0, (k - rank + 1.0) * ps), axis=-1)
    else:
        scale = k / rank
        if method == "fdr_by":
            scale = scale * np.sum(1.0 / rank)
        adj_sorted = np.minimum.accumulate((ps * scale)[..., ::-1], axis=-1)[..., ::-1]
        adj_sorted = np.minimum(adj_sorted, 1.0)
    out = np.empty_like(p)
    np.put_along_axis(out, order, adj_sorted, axis=-1)
    return out


def adjust_pvalues(p: object, method: str | None) -> np.ndarray:
    """Adjusted p-values in the input order (float array, same shape as ``p``): the whole array is
    one family; NaN values stay NaN and are not counted (see :func:`adjust_pvalues_rows`)."""
    method = canonical_method(method)
    arr = np.asarray(p, dtype=float)
    shape = arr.shape
    flat = arr.reshape(-1)
    out = np.full(flat.shape, np.nan)
    ok = np.isfinite(flat)
    vals = flat[ok]
    if vals.size and ((vals < 0) | (vals > 1)).any():
        raise InputError("p-values must lie in [0, 1]", value=float(vals[(vals < 0) | (vals > 1)][0]))
    if vals.size:
        out[ok] = adjust_pvalues_rows(vals, method)
    return out.reshape(shape)
