"""Effect sizes and their sampling variances, the inputs of a meta-analysis.

* Correlations: Fisher's z, ``yi = atanh(r)``, ``vi = 1 / (n - 3)`` (Fisher 1921; Borenstein et
  al. 2009, ch. 6); pooled values are shown back on the r scale with ``tanh``.
* Independent groups: Hedges' g, ``g = J(m) d`` with ``m = n1 + n2 - 2`` and the exact
  correction ``J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2))`` (Hedges 1981), ``vi = 1/n1 + 1/n2 +
  g² / (2 (n1 + n2))`` (Hedges & Olkin 1985; metafor's ``escalc("SMD")``).
* Paired designs (change-score standardised, d_z): ``g = J(n - 1) d_z``, ``vi = 1/n + g² / (2n)``
  (Gibbons et al. 1993; Becker 1988; metafor's ``escalc("SMCC")``).

All functions take and return numpy arrays (vectorised over studies).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def hedges_j(m: ArrayLike) -> np.ndarray:
    """Exact small-sample correction ``J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2))`` (Hedges 1981)."""
    from scipy.special import gammaln

    m = np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.exp(gammaln(m / 2) - 0.5 * np.log(m / 2) - gammaln((m - 1) / 2))


def fisher_z(r: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(yi, vi)`` = ``(atanh(r), 1 / (n - 3))`` for correlations ``r`` from ``n`` pairs."""
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    return np.arctanh(r), 1.0 / (n - 3.0)


def smd_independent(d: ArrayLike, n1: ArrayLike, n2: ArrayLike,
                    hedges: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(yi, vi)`` for a standardized mean difference of two independent groups.

    ``d`` is Cohen's d with the pooled SD; with ``hedges`` (default) it is corrected to Hedges'
    g by :func:`hedges_j`. ``vi = 1/n1 + 1/n2 + yi² / (2 (n1 + n2))``.
    """
    d = np.asarray(d, dtype=float)
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    yi = hedges_j(n1 + n2 - 2) * d if hedges else d
    return yi, 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))


def smd_paired(d_z: ArrayLike, n: ArrayLike, hedges: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(yi, vi)`` for a standardized mean change with the change-score SD (d_z).

    With ``hedges`` (default) ``yi = J(n - 1) d_z``; ``vi = 1/n + yi² / (2n)``.
    """
    d_z = np.asarray(d_z, dtype=float)
    n = np.asarray(n, dtype=float)
    yi = hedges_j(n - 1) * d_z if hedges else d_z
    return yi, 1 / n + yi**2 / (2 * n)
