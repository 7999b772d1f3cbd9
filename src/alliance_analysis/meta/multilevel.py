"""Three-level random-effects model: effects nested in studies (Konstantopoulos 2011).

``y_ij = μ + u_j + w_ij + e_ij`` with ``u_j ~ N(0, σ²₁)`` (between studies), ``w_ij ~ N(0, σ²₂)``
(between effects within a study) and ``e_ij ~ N(0, v_ij)`` (known sampling variance); metafor's
``rma.mv(yi, vi, random = ~ 1 | study/effect)``. Then ``V = diag(v + σ²₂) + σ²₁ ZZ'`` is block
diagonal, one block ``D_j + σ²₁ 11'`` per study, inverted in closed form (Sherman-Morrison):
``V_j⁻¹ = D_j⁻¹ - D_j⁻¹11'D_j⁻¹ σ²₁ / (1 + σ²₁ s_j)`` with ``s_j = Σ_i 1/d_ij``, and
``log|V_j| = Σ_i log d_ij + log(1 + σ²₁ s_j)``, so one evaluation is O(k).

The variance components maximise the restricted log-likelihood (REML; Harville 1977)
``ℓ_R = -½[(k-1) log 2π + log|V| + log(1'V⁻¹1) + r'V⁻¹r] + ½ log k`` (``r = y - μ̂``, the
constant as metafor prints it), with the analytic gradient
``∂ℓ_R/∂θ = -½ tr(P V_θ) + ½ y'P V_θ P y`` (``V_θ = ZZ'`` for σ²₁, ``I`` for σ²₂), by L-BFGS-B
on ``σ² ≥ 0``. ``μ̂ = 1'V⁻¹y / 1'V⁻¹1`` with ``SE = (1'V⁻¹1)^(-1/2)``.
"""

from __future__ import annotations

import numpy as np


def _parts(y, v, g, n_groups, s1, s2):
    d = v + s2
    inv_d = 1.0 / d
    s = np.bincount(g, inv_d, n_groups)
    c = 1.0 + s1 * s
    u = inv_d / c[g]  # V⁻¹ 1
    a = u.sum()
    mu = (u * y).sum() / a
    r = y - mu
    rd = r * inv_d
    vr = rd - (s1 / c[g]) * inv_d * np.bincount(g, rd, n_groups)[g]  # V⁻¹ r = P y
    return d, inv_d, s, c, u, a, mu, r, vr


def reml_loglik(y, v, g, n_groups, s1, s2) -> tuple[float, np.ndarray]:
    """Restricted log-likelihood and its gradient in ``(σ²₁, σ²₂)``."""
    d, inv_d, s, c, u, a, mu, r, vr = _parts(y, v, g, n_groups, s1, s2)
    k = y.size
    logdet = np.log(d).sum() + np.log(c).sum()
    ll = -0.5 * ((k - 1) * np.log(2 * np.pi) + logdet + np.log(a) + (r * vr).sum()) \
        + 0.5 * np.log(k)
    tr_vinv = (inv_d - (s1 / c[g]) * inv_d**2).sum()
    tr_p = tr_vinv - (u * u).sum() / a
    sc = s / c
    tr_pz = (sc - sc**2 / a).sum()
    py_grp = np.bincount(g, vr, n_groups)
    grad = np.array([-0.5 * tr_pz + 0.5 * (py_grp**2).sum(),
                     -0.5 * tr_p + 0.5 * (vr**2).sum()])
    return float(ll), grad


def fit_three_level(yi, vi, study_codes, n_studies: int) -> dict[str, float]:
    """REML fit; returns ``mu``, ``se``, ``sigma2_study``, ``sigma2_effect``, ``loglik``,
    ``converged``."""
    from scipy.optimize import minimize

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    g = np.asarray(study_codes, dtype=np.intp)
    scale = max(float(np.var(y)), float(np.mean(v)), 1e-8)

    def f(theta):
        ll, grad = reml_loglik(y, v, g, n_studies, theta[0] * scale, theta[1] * scale)
        return -ll, -grad * scale

    best = None
    for start in ((0.5, 0.5), (0.9, 0.1), (0.1, 0.9)):
        res = minimize(f, np.array(start), jac=True, method="L-BFGS-B",
                       bounds=[(0.0, None), (0.0, None)],
                       options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
        if best is None or res.fun < best.fun:
            best = res
    s1, s2 = best.x * scale
    # at the boundary (a component at 0) L-BFGS-B may stop on its line search: accept the point
    # when the projected gradient vanishes (no feasible ascent direction)
    grad = -f(best.x)[1]
    projected = np.where(best.x <= 0, np.maximum(grad, 0.0), grad)
    converged = bool(best.success) or bool(np.max(np.abs(projected)) < 1e-6)
    _, _, _, _, _, a, mu, _, _ = _parts(y, v, g, n_studies, s1, s2)
    return {"mu": float(mu), "se": float(np.sqrt(1.0 / a)), "sigma2_study": float(s1),
            "sigma2_effect": float(s2), "loglik": -float(best.fun), "converged": converged}
