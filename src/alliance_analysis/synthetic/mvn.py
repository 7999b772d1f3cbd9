"""Exact-moment multivariate normal draws and nearest-correlation-matrix repair.

``exact_mvn`` follows the idea of ``MASS::mvrnorm(..., empirical = TRUE)`` (Venables & Ripley):
draw standard normals, centre the columns, make them exactly orthogonal, rescale to unit sample
variance and transform with a square root of the target matrix, so that the *sample* correlation
matrix (n − 1 divisor) equals the target to floating-point precision. MASS rotates with the SVD;
here a thin QR factorisation (Householder) plays the same role, which additionally lets the first
``k`` columns be fixed data (e.g. a 0/1 arm indicator) that appear unchanged (standardised) in the
output. The code is a restatement of the published algorithm, not a copy.

``nearest_correlation`` is the alternating-projections method with Dykstra's correction of
Higham (2002), "Computing the nearest correlation matrix — a problem from finance", IMA J Numer
Anal 22:329–343 (unweighted Frobenius norm).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def is_positive_definite(matrix: np.ndarray, tol: float = 1e-10) -> bool:
    """True when the symmetric ``matrix`` has smallest eigenvalue > ``tol``."""
    return bool(np.linalg.eigvalsh(np.asarray(matrix, dtype=float)).min() > tol)


def nearest_correlation(matrix: np.ndarray, tol: float = 1e-12, max_iter: int = 10_000,
                        min_eigenvalue: float = 1e-6) -> np.ndarray:
    """Nearest correlation matrix to ``matrix`` in the Frobenius norm (Higham 2002).

    Alternates the projection onto the positive semidefinite cone (eigenvalues clipped at
    ``min_eigenvalue`` so the result is strictly positive definite) with the projection onto
    unit-diagonal matrices, using Dykstra's correction on the first projection.
    """
    a = np.asarray(matrix, dtype=float)
    a = (a + a.T) / 2.0
    y = a.copy()
    correction = np.zeros_like(a)
    for _ in range(max_iter):
        r = y - correction
        w, v = np.linalg.eigh(r)
        x = (v * np.maximum(w, min_eigenvalue)) @ v.T
        correction = x - r
        y_new = x.copy()
        np.fill_diagonal(y_new, 1.0)
        if np.linalg.norm(y_new - y, "fro") <= tol * max(1.0, np.linalg.norm(y, "fro")):
            y = y_new
            break
        y = y_new
    return (y + y.T) / 2.0


def exact_mvn(n: int, corr: np.ndarray, rng: np.random.Generator,
              fixed: np.ndarray | None = None) -> np.ndarray:
    """``n`` rows whose sample correlation matrix is exactly ``corr`` (columns standardised).

    Columns have sample mean 0 and sample SD 1 (n − 1 divisor). If ``fixed`` (n × k) is given,
    the first ``k`` output columns are the standardised ``fixed`` columns and ``corr[:k, :k]`` must
    equal their sample correlation matrix (it is taken from the data when ``k == 1``).
    Raises :class:`InputError` when ``corr`` is not positive definite or ``n <= p``.
    """
    corr = np.asarray(corr, dtype=float)
    p = corr.shape[0]
    if corr.shape != (p, p) or not np.allclose(corr, corr.T) or not np.allclose(np.diag(corr), 1.0):
        raise InputError("target correlation matrix must be square, symmetric, unit diagonal")
    if n <= p:
        raise InputError(f"an exact-moment draw needs more rows than variables (n = {n}, p = {p})")
    if not is_positive_definite(corr):
        raise InputError("target correlation matrix is not positive definite",
                         hint="repair it with nearest_correlation() (Higham 2002) and document the change")
    x = rng.standard_normal((n, p))
    k = 0
    if fixed is not None:
        f = np.asarray(fixed, dtype=float).reshape(n, -1)
        k = f.shape[1]
        x[:, :k] = f
        sample = np.corrcoef(f, rowvar=False).reshape(k, k)
        if not np.allclose(sample, corr[:k, :k], atol=1e-10):
            raise InputError("corr[:k, :k] must equal the sample correlation of the fixed columns")
    x = x - x.mean(axis=0)
    q, r = np.linalg.qr(x)
    q = q * np.sign(np.diag(r))  # positive diagonal: fixed columns keep their sign
    upper = np.linalg.cholesky(corr).T  # corr = upper.T @ upper
    return np.sqrt(n - 1.0) * q @ upper
