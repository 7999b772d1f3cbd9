"""Reliability of one scale: Cronbach's α (raw and standardized) with Feldt and bootstrap
intervals, McDonald's ω total from a one-factor ML model, item-total statistics.

Input: a participants × items table of *one* scale, every item keyed in the same direction
(reverse-keyed items already reversed; :mod:`alliance_analysis.scale_reliability` does that from
the instrument definitions). With C the k × k item covariance matrix, R its correlation matrix,
1ᵀC1 the sum of all its entries (the variance of the total score):

* ``alpha`` = k/(k − 1) · (1 − tr C / 1ᵀC1) (Cronbach 1951; R ``psych::alpha`` ``raw_alpha``);
* ``alpha_std`` = k/(k − 1) · (1 − k / 1ᵀR1) = k r̄ / (1 + (k − 1) r̄), r̄ = ``mean_r`` the mean
  inter-item correlation (``std.alpha``);
* ``alpha_ci`` (Feldt 1965; Feldt, Woodruff & Salih 1987): (1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1)),
  so [1 − (1 − α̂) F₍₁₊c₎/₂, 1 − (1 − α̂) F₍₁₋c₎/₂] for confidence c (``psych::alpha.ci``, the
  "Feldt" line of ``psych::alpha``'s confidence boundaries);
* ``alpha_ci_boot``: percentile interval of α over ``n_boot`` nonparametric bootstrap resamples of
  the rows (Efron & Tibshirani 1993), computed for all resamples at once from resample counts
  (no loop per resample; memory linear in n and k);
* ``item_total_r`` (corrected item-total correlation, ``r.drop``): r(x_j, T − x_j) =
  (C1)_j − C_jj over √(C_jj · (1ᵀC1 − 2(C1)_j + C_jj));
* ``alpha_if_deleted`` / ``alpha_std_if_deleted``: α and standardized α of the other k − 1 items
  (``alpha.drop``), from the same sums, for every item at once;
* ``omega_total``: McDonald's ω total (McDonald 1999) of the standardized items from a one-factor
  maximum-likelihood factor analysis of R: ω_t = 1 − Σ(1 − λ̂_j²) / 1ᵀR1, exactly the
  ``omega.tot`` that ``psych::omega(x, nfactors = 1, fm = "ml")`` reports (its denominator is the
  *observed* variance of the standardized total); ``omega_model`` = (Σλ̂)² / ((Σλ̂)² + Σ(1 − λ̂²))
  is the same coefficient with the model-implied total variance. Both coincide when the one-factor
  model fits R exactly. The ML fit is the one of R ``factanal`` and ``psych::fa(fm = "ml")``:
  uniquenesses ψ in [0.005, 1] minimise the ML discrepancy, loadings from the leading eigenpair
  of Ψ^(−1/2) R Ψ^(−1/2) (Jöreskog 1967; Lawley & Maxwell 1971), signed so that Σλ̂ > 0. A
  uniqueness at the 0.005 bound (a Heywood case) and negative loadings are reported in ``notes``.

Missing values: ``missing="listwise"`` (default) uses the rows with every item answered and counts
the others in ``n_dropped``; ``missing="pairwise"`` uses every available pair (R
``cov(use = "pairwise")``, psych's default), with n for the Feldt interval the smallest number of
rows that answered a pair of items (psych uses the number of rows).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..apa import fmt_bounded
from ..errors import InputError
from ..results import Result, estimate_row, tidy_frame
from ._validate import _object_to_float, _text_error, check_confidence, frame_matrix

__all__ = ["ReliabilityResult", "reliability", "feldt_ci", "one_factor_ml"]

MISSING_MODES = ("listwise", "pairwise")
#: Lower bound of a uniqueness in the ML fit (R ``factanal``'s and ``psych::fa``'s 0.005).
PSI_LOWER = 0.005
#: Resample counts held at once by the bootstrap (resamples × rows): about 16 MB of float64.
BOOT_BLOCK_CELLS = 2_000_000


@dataclasses.dataclass(frozen=True)
class ReliabilityResult(Result):
    """Reliability of one scale; tuples run over ``items`` in order. See the module docstring."""

    n: int
    n_rows: int
    n_dropped: int
    n_incomplete: int
    n_missing_values: int
    k: int
    items: tuple[str, ...]
    missing: str
    confidence: float
    alpha: float
    alpha_std: float
    alpha_ci: tuple[float, float]
    alpha_ci_boot: tuple[float, float] | None
    n_boot: int
    seed: int | None
    mean_r: float
    omega_total: float
    omega_model: float
    loadings: tuple[float, ...]
    item_total_r: tuple[float, ...]
    alpha_if_deleted: tuple[float, ...]
    alpha_std_if_deleted: tuple[float, ...]
    item_mean: tuple[float, ...]
    item_sd: tuple[float, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Scale-level fields (the item tables are in :meth:`to_frame`)."""
        out = {k: getattr(self, k) for k in (
            "n", "n_rows", "n_dropped", "n_incomplete", "n_missing_values", "k", "missing",
            "confidence", "alpha", "alpha_std")}
        out["alpha_ci_lower"], out["alpha_ci_upper"] = self.alpha_ci
        boot = self.alpha_ci_boot or (math.nan, math.nan)
        out["alpha_ci_boot_lower"], out["alpha_ci_boot_upper"] = boot
        out.update(n_boot=self.n_boot, mean_r=self.mean_r, omega_total=self.omega_total,
                   omega_model=self.omega_model, items=",".join(self.items),
                   notes="; ".join(self.notes))
        return out

    _extra_columns = ("variable", "n", "k")

    def _rows(self) -> list[dict]:
        """Tidy rows (the package's one ``.to_frame()`` shape: ``term, estimate, se, ci_low,
        ci_high, confidence, statistic, df, p, method`` then ``variable, n, k``).

        Scale-level estimates (``variable`` empty) come first: ``alpha`` (method ``Feldt``),
        ``alpha`` again with method ``percentile bootstrap`` when ``n_boot`` > 0, ``alpha_std``,
        ``omega_total``, ``omega_model``, ``mean_r``; then per item (``variable`` = the item), in
        item order: ``item_total_r``, ``alpha_if_deleted``, ``alpha_std_if_deleted``,
        ``loading``, ``item_mean``, ``item_sd``. Interval columns are NaN where none is computed.
        """
        nan = math.nan
        extra = {"n": self.n, "k": self.k}
        rows = [estimate_row("alpha", self.alpha, ci=self.alpha_ci, confidence=self.confidence,
                             method="Feldt", variable="", **extra)]
        if self.alpha_ci_boot is not None:
            rows.append(estimate_row("alpha", self.alpha, ci=self.alpha_ci_boot,
                                     confidence=self.confidence, method="percentile bootstrap",
                                     variable="", **extra))
        for name in ("alpha_std", "omega_total", "omega_model", "mean_r"):
            rows.append(estimate_row(name, getattr(self, name), variable="", **extra))
        per_item = (("item_total_r", self.item_total_r), ("alpha_if_deleted", self.alpha_if_deleted),
                    ("alpha_std_if_deleted", self.alpha_std_if_deleted),
                    ("loading", self.loadings), ("item_mean", self.item_mean),
                    ("item_sd", self.item_sd))
        for j, item in enumerate(self.items):
            for name, values in per_item:
                rows.append(estimate_row(name, values[j] if values else nan, variable=item,
                                         **extra))
        return rows

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of :meth:`_rows`, indexed ``term`` for scale rows (``alpha:bootstrap``
        for the bootstrap interval) and ``item:term`` for item rows, as a batch of paired tests."""
        frame = tidy_frame(self._rows(), self._extra_columns)
        labels = []
        for term, var, method in zip(frame["term"], frame["variable"], frame["method"],
                                     strict=True):
            if var:
                labels.append(f"{var}:{term}")
            else:
                labels.append(f"{term}:bootstrap" if method == "percentile bootstrap" else term)
        frame.index = pd.Index(labels)
        return frame

    def apa(self, digits: int = 2) -> str:
        """``Cronbach's α = .81, 95% CI [.77, .85], ω_t = .82 (n = 200, 12 items)``."""
        pct = f"{100 * self.confidence:g}"
        lo, hi = self.alpha_ci
        text = (f"Cronbach's α = {fmt_bounded(self.alpha, digits)}, {pct}% CI "
                f"[{fmt_bounded(lo, digits)}, {fmt_bounded(hi, digits)}]")
        if math.isfinite(self.omega_total):
            text += f", ω_t = {fmt_bounded(self.omega_total, digits)}"
        return text + f" (n = {self.n}, {self.k} items)"

    def summary(self) -> str:
        """A text table like the print of R ``psych::alpha`` plus ω."""
        pct = f"{100 * self.confidence:g}%"
        lines = [f"Reliability of {self.k} items ({', '.join(self.items)})",
                 f"n = {self.n} ({self.missing}; {self.n_rows} rows, {self.n_dropped} excluded, "
                 f"{self.n_missing_values} missing values)",
                 f"alpha = {self.alpha:.4f}, {pct} CI [{self.alpha_ci[0]:.4f}, "
                 f"{self.alpha_ci[1]:.4f}] (Feldt)"]
        if self.alpha_ci_boot is not None:
            lines.append(f"alpha {pct} CI [{self.alpha_ci_boot[0]:.4f}, "
                         f"{self.alpha_ci_boot[1]:.4f}] (bootstrap percentile, "
                         f"{self.n_boot} resamples, seed {self.seed})")
        lines += [f"standardized alpha = {self.alpha_std:.4f}, mean inter-item r = {self.mean_r:.4f}",
                  f"omega total = {self.omega_total:.4f} (one-factor ML; model-implied "
                  f"denominator: {self.omega_model:.4f})", ""]
        width = max(4, *(len(i) for i in self.items))
        lines.append(f"{'item':<{width}} {'mean':>8} {'sd':>8} {'r.drop':>8} {'alpha-j':>8} "
                     f"{'std-j':>8} {'loading':>8}")
        for j, item in enumerate(self.items):
            load = self.loadings[j] if self.loadings else math.nan
            lines.append(f"{item:<{width}} {self.item_mean[j]:>8.3f} {self.item_sd[j]:>8.3f} "
                         f"{self.item_total_r[j]:>8.3f} {self.alpha_if_deleted[j]:>8.3f} "
                         f"{self.alpha_std_if_deleted[j]:>8.3f} {load:>8.3f}")
        if self.notes:
            lines += [""] + [f"note: {n}" for n in self.notes]
        return "\n".join(lines)



# ---- input ----------------------------------------------------------------------------------


def _as_item_matrix(items: object) -> tuple[np.ndarray, tuple[str, ...]]:
    if isinstance(items, pd.DataFrame):
        names = [str(c) for c in items.columns]
        if len(set(names)) != len(names):
            dup = next(c for i, c in enumerate(names) if c in names[:i])
            raise InputError("item column appears twice", column=dup)
        return frame_matrix(items, list(items.columns)), tuple(names)
    raw = np.asarray(items)
    if raw.ndim != 2:
        raise InputError("items must be a participants x items table (a DataFrame or 2-D array), "
                         f"got shape {raw.shape}")
    if raw.dtype.kind in "biuf":
        x = raw.astype(float)
    elif raw.dtype.kind == "O":
        x = _object_to_float(raw, "items")
    elif raw.dtype.kind in "USTa":
        raise _text_error("items", raw.ravel()[0] if raw.size else "")
    else:
        raise InputError("items must be numeric", value=str(raw.dtype))
    names = tuple(f"item{j + 1}" for j in range(x.shape[1]))
    if np.isinf(x).any():
        j = int(np.flatnonzero(np.isinf(x).any(axis=0))[0])
        raise InputError("item contains an infinite value", column=names[j],
                         hint="recode it as missing or fix it")
    if x.size and np.isnan(x).all(axis=0).any():
        j = int(np.flatnonzero(np.isnan(x).all(axis=0))[0])
        raise InputError("item has no non-missing values", column=names[j])
    return x, names


# ---- formulas -------------------------------------------------------------------------------


def feldt_ci(alpha: object, n: object, k: object, confidence: float = 0.95
             ) -> tuple[np.ndarray, np.ndarray]:
    """Feldt (1965) interval for Cronbach's α, vectorised over ``alpha``, ``n`` and ``k``.

    (1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1)) (Feldt, Woodruff & Salih 1987, eq. 3), giving
    lower = 1 − (1 − α̂)·F⁻¹((1 + c)/2) and upper = 1 − (1 − α̂)·F⁻¹((1 − c)/2), as R
    ``psych::alpha.ci`` and ``pingouin.cronbach_alpha``.
    """
    from ._dist import f_ppf  # scipy.stats.f.ppf's ufunc, without importing scipy.stats

    c = check_confidence(confidence)
    a = np.asarray(alpha, dtype=float)
    df1 = np.asarray(n, dtype=float) - 1.0
    df2 = df1 * (np.asarray(k, dtype=float) - 1.0)
    lower = 1.0 - (1.0 - a) * f_ppf(0.5 + c / 2.0, df1, df2)
    upper = 1.0 - (1.0 - a) * f_ppf(0.5 - c / 2.0, df1, df2)
    return lower, upper


def _alpha_parts(cov: np.ndarray, corr: np.ndarray) -> dict[str, object]:
    """α, standardized α, r̄, corrected item-total r and α-if-deleted from C and R (all items)."""
    k = cov.shape[0]
    d = np.diag(cov)
    rs = cov.sum(axis=0)
    tot = float(rs.sum())
    tr = float(d.sum())
    sum_r = float(corr.sum())
    out: dict[str, object] = {
        "alpha": k / (k - 1) * (1.0 - tr / tot),
        "alpha_std": k / (k - 1) * (1.0 - k / sum_r),
        "mean_r": (sum_r - k) / (k * (k - 1)),
    }
    rest = tot - 2.0 * rs + d                     # variance of the total without item j
    with np.errstate(invalid="ignore", divide="ignore"):
        out["item_total_r"] = (rs - d) / np.sqrt(d * rest)
        if k > 2:
            out["alpha_if_deleted"] = (k - 1) / (k - 2) * (1.0 - (tr - d) / rest)
            rest_r = sum_r - 2.0 * corr.sum(axis=0) + 1.0
            out["alpha_std_if_deleted"] = (k - 1) / (k - 2) * (1.0 - (k - 1) / rest_r)
        else:                                     # α of a single item is undefined
            out["alpha_if_deleted"] = np.full(k, np.nan)
            out["alpha_std_if_deleted"] = np.full(k, np.nan)
    return out


def _pairwise_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete covariance (R ``cov(use="pairwise")``), correlation (``cor(use=
    "pairwise")``, pair-specific SDs) and pair counts, by matrix products (no loop per pair)."""
    m = (~np.isnan(x)).astype(float)
    centre = np.nanmean(x, axis=0)                # shift for numerical accuracy only
    z = np.where(m > 0, x - centre, 0.0)
    cnt = m.T @ m
    s = z.T @ m                                   # s[j, l] = Σ x_j over rows with j and l
    q = (z * z).T @ m                             # Σ x_j² over rows with j and l
    p = z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (p - s * s.T / cnt) / (cnt - 1.0)
        var_jl = (q - s * s / cnt) / (cnt - 1.0)  # var of x_j over rows with j and l
        corr = cov / np.sqrt(var_jl * var_jl.T)
    np.fill_diagonal(corr, 1.0)
    return cov, corr, cnt


def _ml_objective(psi: np.ndarray, r: np.ndarray) -> tuple[float, np.ndarray]:
    """R ``factanal``'s FAfn/FAgr for one factor: discrepancy over the uniquenesses ψ and its
    gradient (Jöreskog 1967)."""
    sc = 1.0 / np.sqrt(psi)
    e, v = np.linalg.eigh(r * np.outer(sc, sc))   # ascending eigenvalues
    rest = e[:-1]
    f = -(np.sum(np.log(rest) - rest) - 1.0 + r.shape[0])
    load = np.sqrt(psi) * v[:, -1] * math.sqrt(max(e[-1] - 1.0, 0.0))
    g = (load * load + psi - np.diag(r)) / psi**2
    return float(f), g


def one_factor_ml(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Loadings and uniquenesses of a one-factor maximum-likelihood factor analysis of ``corr``.

    The fit of R ``factanal`` and ``psych::fa(fm = "ml")``: L-BFGS-B over ψ ∈ [0.005, 1] from the
    start 1 − SMC (psych), loadings λ = √ψ · v₁ · √(max(e₁ − 1, 0)) from the leading eigenpair
    (e₁, v₁) of Ψ^(−1/2) R Ψ^(−1/2), signed so that Σλ > 0. Returns (λ, ψ, converged).
    """
    from scipy.optimize import minimize

    k = corr.shape[0]
    try:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    start = np.clip(1.0 - smc, PSI_LOWER, 1.0)
    res = minimize(_ml_objective, start, args=(corr,), jac=True, method="L-BFGS-B",
                   bounds=[(PSI_LOWER, 1.0)] * k,
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000})
    psi = res.x
    _, g = _ml_objective(psi, corr)
    at_lo, at_hi = psi <= PSI_LOWER * (1 + 1e-9), psi >= 1.0 - 1e-12
    projected = np.where(at_lo, np.minimum(g, 0.0), np.where(at_hi, np.maximum(g, 0.0), g))
    converged = bool(res.success) or float(np.max(np.abs(projected))) < 1e-6  # KKT point
    sc = 1.0 / np.sqrt(psi)
    e, v = np.linalg.eigh(corr * np.outer(sc, sc))
    load = np.sqrt(psi) * v[:, -1] * math.sqrt(max(e[-1] - 1.0, 0.0))
    if load.sum() < 0:
        load = -load
    return load, psi, converged


def _boot_alpha(x: np.ndarray, n_boot: int, seed: int | None, confidence: float
                ) -> tuple[tuple[float, float], int]:
    """Percentile interval of α over ``n_boot`` row resamples, from resample counts W (B × n):
    item and total variances of every resample are W @ x and W @ x² (blocks of resamples keep
    memory linear in n)."""
    rng = np.random.default_rng(seed)
    n, k = x.shape
    xc = x - x.mean(axis=0)
    total = xc.sum(axis=1)
    block = max(1, min(n_boot, BOOT_BLOCK_CELLS // max(n, 1)))
    values = np.empty(n_boot)
    uniform = np.full(n, 1.0 / n)
    for start in range(0, n_boot, block):          # blocks of resamples, not one per resample
        b = min(block, n_boot - start)
        w = rng.multinomial(n, uniform, size=b).astype(float)
        s1, s2 = w @ xc, w @ (xc * xc)
        t1, t2 = w @ total, w @ (total * total)
        item_var = (s2 - s1 * s1 / n).sum(axis=1)
        tot_var = t2 - t1 * t1 / n
        with np.errstate(invalid="ignore", divide="ignore"):
            values[start:start + b] = k / (k - 1) * (1.0 - item_var / tot_var)
    ok = np.isfinite(values)
    lo, hi = np.quantile(values[ok], [0.5 - confidence / 2.0, 0.5 + confidence / 2.0])
    return (float(lo), float(hi)), int((~ok).sum())


# ---- public function ------------------------------------------------------------------------


def reliability(items: object, *, missing: str = "listwise", confidence: float = 0.95,
                n_boot: int = 0, seed: int | None = None, omega: bool = True
                ) -> ReliabilityResult:
    """Cronbach's α (raw, standardized; Feldt and optional bootstrap CI), McDonald's ω total
    (one-factor ML) and item-total statistics of one scale.

    ``items``: participants × items (DataFrame: its column names are the item names; 2-D array:
    ``item1``…). Items must be keyed in one direction (reverse-keyed items already reversed).
    ``missing``: ``"listwise"`` (default; rows with a missing item are excluded and counted in
    ``n_dropped``) or ``"pairwise"`` (psych's default; see the module docstring). ``n_boot`` > 0
    adds ``alpha_ci_boot`` (percentile, listwise only) from ``n_boot`` resamples drawn with
    ``numpy.random.default_rng(seed)``. ``omega=False`` skips the factor analysis (ω NaN).

    Formulas and references: module docstring and the reliability page of the docs. Refused
    (:class:`InputError`): fewer than 2 items or fewer than 3 usable rows, text, ±inf, an item
    with no variance in the rows used.
    """
    confidence = check_confidence(confidence)
    if missing not in MISSING_MODES:
        raise InputError(f"missing must be one of {', '.join(MISSING_MODES)}", value=missing)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise InputError("n_boot must be a whole number >= 0 (0 = no bootstrap)", value=n_boot)
    x, names = _as_item_matrix(items)
    n_rows, k = x.shape
    if k < 2:
        raise InputError(f"reliability needs at least 2 items, got {k}")
    absent = np.isnan(x)
    incomplete = absent.any(axis=1)
    n_missing_values = int(absent.sum())
    notes: list[str] = []
    if missing == "listwise":
        used = x[~incomplete]
        n = int(used.shape[0])
        n_dropped = int(incomplete.sum())
        if n_dropped:
            notes.append(f"{n_dropped} of {n_rows} rows excluded (listwise: at least one item "
                         f"missing; {n_missing_values} missing values)")
        if n < 3:
            raise InputError(f"reliability needs at least 3 rows with every item answered, got {n}",
                             hint="check the missing values or use missing='pairwise'")
        cov = np.cov(used, rowvar=False)
        sd = np.sqrt(np.diag(cov))
        _check_variance(sd, names, "in the complete rows")
        corr = cov / np.outer(sd, sd)
        omega_corr = corr
        item_mean = used.mean(axis=0)
    else:
        if n_boot:
            raise InputError("the bootstrap interval needs missing='listwise'")
        cov, omega_corr, cnt = _pairwise_moments(x)
        n = int(cnt.min())
        n_dropped = int(absent.all(axis=1).sum())
        if n < 3:
            raise InputError(f"reliability needs every pair of items answered in at least 3 rows "
                             f"(smallest pair count: {n})")
        sd = np.sqrt(np.diag(cov))
        _check_variance(sd, names, "")
        corr = cov / np.outer(sd, sd)              # psych::alpha: cov2cor of the pairwise C
        item_mean = np.nanmean(x, axis=0)
        notes.append(f"pairwise: {int(incomplete.sum())} of {n_rows} rows with a missing item "
                     f"used for the pairs they answered; n = {n} is the smallest pair count "
                     "(used for the Feldt interval)")
    parts = _alpha_parts(cov, corr)
    alpha = float(parts["alpha"])
    lo, hi = feldt_ci(alpha, n, k, confidence)
    boot = None
    if n_boot:
        boot, n_bad = _boot_alpha(used, int(n_boot), seed, confidence)
        if n_bad:
            notes.append(f"{n_bad} of {n_boot} bootstrap resamples had a constant total "
                         "(alpha undefined) and were left out of the percentile interval")
    item_r = np.asarray(parts["item_total_r"])
    neg = [names[j] for j in np.flatnonzero(item_r < 0)]
    if neg:
        notes.append(f"negative corrected item-total correlation: {', '.join(neg)} (is the item "
                     "reverse-keyed and not reversed?)")
    omega_total = omega_model = math.nan
    loadings: tuple[float, ...] = ()
    singular = omega and k >= 3 and not (
        np.isfinite(omega_corr).all() and np.linalg.eigvalsh(omega_corr)[0] > 1e-10)
    if singular:
        notes.append("the item correlation matrix is singular or not positive definite (e.g. "
                     f"n = {n} not larger than k = {k}, or collinear items): the one-factor ML "
                     "omega is undefined and not computed")
    elif omega and k >= 3:
        load, psi, converged = one_factor_ml(omega_corr)
        u2 = 1.0 - load**2
        omega_total = float(1.0 - u2.sum() / omega_corr.sum())
        sl = float(load.sum())
        omega_model = float(sl * sl / (sl * sl + u2.sum()))
        loadings = tuple(float(v) for v in load)
        if not converged:
            notes.append("the one-factor ML fit did not report convergence: omega may be off")
        heywood = [names[j] for j in np.flatnonzero(psi <= PSI_LOWER * (1 + 1e-9))]
        if heywood:
            notes.append(f"Heywood case: uniqueness at its 0.005 bound for {', '.join(heywood)}"
                         " (omega total is then unreliable)")
        negl = [names[j] for j in np.flatnonzero(load < 0)]
        if negl:
            notes.append(f"negative factor loading: {', '.join(negl)}")
    elif omega:
        notes.append("omega total needs at least 3 items (a one-factor model of 2 items is not "
                     "identified)")
    return ReliabilityResult(
        n=n, n_rows=int(n_rows), n_dropped=n_dropped, n_incomplete=int(incomplete.sum()),
        n_missing_values=n_missing_values, k=int(k), items=names, missing=missing,
        confidence=confidence, alpha=alpha, alpha_std=float(parts["alpha_std"]),
        alpha_ci=(float(lo), float(hi)), alpha_ci_boot=boot, n_boot=int(n_boot), seed=seed,
        mean_r=float(parts["mean_r"]), omega_total=omega_total, omega_model=omega_model,
        loadings=loadings, item_total_r=_floats(item_r),
        alpha_if_deleted=_floats(parts["alpha_if_deleted"]),
        alpha_std_if_deleted=_floats(parts["alpha_std_if_deleted"]),
        item_mean=_floats(item_mean), item_sd=_floats(sd), notes=tuple(notes))


def _check_variance(sd: np.ndarray, names: Sequence[str], where: str) -> None:
    bad = np.flatnonzero(~(sd > 0))
    if bad.size:
        raise InputError(f"item has no variance{' ' + where if where else ''}: reliability is "
                         "undefined", column=names[int(bad[0])],
                         hint="leave the constant item out of the table")


def _floats(values: object) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values, dtype=float))

