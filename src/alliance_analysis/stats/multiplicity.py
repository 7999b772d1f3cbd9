"""Multiplicity corrections: Bonferroni, Holm, Benjamini–Hochberg, Benjamini–Yekutieli.

This is the package's one ``adjust_pvalues`` (``alliance_analysis.power.adjust_pvalues`` is the
same function) with one method list, :data:`METHODS` (aliases: ``bonf``, ``bh``/``fdr``, ``by``).
The NaN policy is explicit (``nan_policy``):

* ``"omit"`` (default): a NaN p-value is not a test; it is kept out of the family (the family
  size is the number of finite p-values) and comes back as NaN. Holm on [.01, .04, nan, .03]
  gives [.03, .06, nan, .06]. Results equal ``statsmodels.stats.multitest.multipletests`` on the
  finite values.
* ``"as_one"``: a NaN is a planned test that could not be run; it stays in the family as p = 1
  (never rejected, and it enlarges the family). Holm on the same input gives
  [.04, .09, 1, .09]. The Monte Carlo power simulation uses this (a trial that lost a test to
  attrition still pays for it in the correction).
* ``"raise"``: a NaN raises :class:`InputError`.

``axis=None`` treats the whole array as one family; ``axis=-1`` makes each row a family
(vectorised, used for simulated trials).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

METHODS = ("bonferroni", "holm", "fdr_bh", "fdr_by", "none")
NAN_POLICIES = ("omit", "as_one", "raise")
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


def adjust_pvalues(p: object, method: str | None, *, nan_policy: str = "omit",
                   axis: int | None = None) -> np.ndarray:
    """Adjusted p-values in the input order (float array, same shape as ``p``).

    ``axis=None``: the whole array is one family; ``axis=-1``: each row is a family. NaN
    handling by ``nan_policy`` (module docstring): ``"omit"`` (NaN stays NaN, not counted),
    ``"as_one"`` (NaN counts as p = 1) or ``"raise"``.
    """
    method = canonical_method(method)
    if nan_policy not in NAN_POLICIES:
        raise InputError("nan_policy must be 'omit', 'as_one' or 'raise'", value=nan_policy)
    arr = np.asarray(p, dtype=float)
    finite = arr[np.isfinite(arr)]
    if finite.size and ((finite < 0) | (finite > 1)).any():
        raise InputError("p-values must lie in [0, 1]", value=float(finite[(finite < 0) | (finite > 1)][0]))
    nan = np.isnan(arr)
    if nan.any() and nan_policy == "raise":
        raise InputError("a p-value is missing (NaN)",
                         hint="use nan_policy='omit' (not a test) or 'as_one' (a planned test "
                              "that could not be run)")
    if nan_policy == "as_one":
        arr = np.where(nan, 1.0, arr)
        nan = np.zeros(arr.shape, dtype=bool)
    if axis is not None:
        if arr.ndim == 0:
            raise InputError("axis needs an array of p-values")
        moved = np.moveaxis(arr, axis, -1)
        shape = moved.shape
        rows = moved.reshape(-1, shape[-1])
        if not np.isnan(rows).any():
            out = adjust_pvalues_rows(rows, method)
        else:
            out = np.vstack([adjust_pvalues(r, method) for r in rows]) if rows.size else rows
        return np.moveaxis(out.reshape(shape), -1, axis)
    shape = arr.shape
    flat = arr.reshape(-1)
    out = np.full(flat.shape, np.nan)
    ok = ~np.isnan(flat)
    if ok.any():
        out[ok] = adjust_pvalues_rows(flat[ok], method)
    return out.reshape(shape)
