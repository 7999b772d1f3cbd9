"""Linear mixed models fitted as R's lme4, tested as R's lmerTest (Satterthwaite df).

Model (one grouping factor ``g``, ``q`` random effects per group)::

    y = X β + Z b + ε,   b_g ~ N(0, σ² Λ_θ Λ_θᵀ) independently per group,   ε ~ N(0, σ² I)

with Λ_θ the q × q lower-triangular *relative covariance factor* whose column-wise lower
triangle is θ (diagonal ≥ 0), as in lme4 (Bates, Mächler, Bolker & Walker 2015, J Stat Softw
67(1), section 3). With V_θ = I + Z Λ_θ Λ_θᵀ Zᵀ (the marginal covariance of y in units of σ²),
r²(θ) = min_β (y − Xβ)ᵀ V_θ⁻¹ (y − Xβ) (lme4's penalised residual sum of squares), m = n − p
(REML) or n (ML), the criteria profiled over β and σ are (ibid., eq. 34 and 41)::

    ML:    d(θ)   = log|V_θ| + n (1 + log(2π r²(θ) / n))
    REML:  d_R(θ) = log|V_θ| + log|Xᵀ V_θ⁻¹ X| + (n − p) (1 + log(2π r²(θ) / (n − p)))

(log|V_θ| = log|L_θ|² and log|Xᵀ V_θ⁻¹ X| = log|R_X|² of the paper). β̂(θ) is the GLS estimate,
σ̂² = r²/m, Var(β̂) = σ̂² (Xᵀ V_θ⁻¹ X)⁻¹. V_θ is block diagonal, so every quantity is a sum over
groups of q × q, q × p algebra (Woodbury identity, V_g⁻¹ = I − Z_g Λ M_g⁻¹ Λᵀ Z_gᵀ with
M_g = I + Λᵀ Z_gᵀ Z_g Λ), computed from per-group sums in one vectorised pass. With a random
intercept alone (q = 1, γ = θ²) this is closed form: V_g⁻¹ = I − γ/(1 + γ n_g) J (Sherman-
Morrison), log|V_g| = log(1 + γ n_g), and the sums over groups become sums over the distinct
group sizes of precomputed cross-products (:class:`_RandomIntercept`; the same formulas as the
general :class:`_LMM`, tested equal to it).

The criterion is minimised over θ (diagonal ≥ 0) with its analytic gradient (L-BFGS-B), then
polished with Newton steps on the analytic Hessian until the gradient is at rounding level. A
fit with a diagonal element of θ below 1e-4 is *singular* (lme4's ``isSingular``, tol 1e-4);
with one random intercept the boundary θ = 0 is compared with the interior optimum and the model
is then estimated at θ = 0, as lme4 does.

Satterthwaite degrees of freedom as lmerTest computes them (Kuznetsova, Brockhoff & Christensen
2017, J Stat Softw 82(13), section 3.1 and eq. 5-8): variance parameters φ = (θ, σ) (σ the
residual standard deviation); D(φ) = the REML (or ML) deviance with β profiled out,
D(θ, σ) = log|V_θ| [+ log|Xᵀ V_θ⁻¹ X|] + r²(θ)/σ² + m log(2πσ²); A = 2 H⁻¹ with H = ∂²D/∂φ²
at φ̂ (the asymptotic covariance of φ̂); C(φ) = σ² (Xᵀ V_θ⁻¹ X)⁻¹; for a contrast L::

    df = 2 (L C Lᵀ)² / (gᵀ A g),   g_k = L (∂C/∂φ_k) Lᵀ.

lmerTest differentiates numerically; here H and ∂C/∂φ are analytic (the formulas in the
mixed-models section of ``docs/methods.md``). At a singular fit ∂C/∂θ = 0 and the df reduce
to n − p, as lmerTest reports them. ``df_method="residual"`` uses df = n − p for every term.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
import pandas as pd

from ..apa import apa_t, fmt_number
from ..errors import InputError
from ..results import Result
from ._threads import blas_threads_for
from ._validate import check_confidence

__all__ = ["MixedModelResult", "mixed_model"]

DF_METHODS = ("satterthwaite", "residual")
SINGULAR_TOL = 1e-4  # lme4::isSingular default


# ---- result ------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class MixedModelResult(Result):
    """Fixed effects of a linear mixed model (REML or ML), tested with t and df_method df.

    Arrays are aligned with ``terms`` (R/lme4 column names, R's order). ``ci_low``/``ci_high``:
    Wald t interval estimate ± t_{df, 1−α/2}·SE with the same df as the test.
    ``variance_components``: one row per variance/covariance as ``as.data.frame(VarCorr(fit))``
    in lme4 (grp, var1, var2, vcov, sdcor; a covariance row has the correlation in ``sdcor``).
    ``criterion``: the REML criterion (REML) or the deviance (ML), −2 log-likelihood as lme4
    reports it; ``loglik`` = −criterion/2.
    """

    formula: str
    groups: str
    re_formula: str | None
    method: str
    df_method: str
    terms: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    t: np.ndarray
    p: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float
    vcov: np.ndarray
    variance_components: pd.DataFrame
    theta: np.ndarray
    sigma: float
    n_obs: int
    n_groups: int
    n_dropped: int
    singular: bool
    converged: bool
    criterion: float
    loglik: float
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("formula", "groups", "re_formula", "method", "df_method", "sigma", "n_obs",
                 "n_groups", "n_dropped", "singular", "converged", "criterion", "loglik")}

    _extra_columns: ClassVar[tuple[str, ...]] = ("t",)

    def to_frame(self) -> pd.DataFrame:
        """One row per fixed effect in the tidy shape of :mod:`alliance_analysis.results`
        (statistic = t, method = ``"Wald t"``), plus the extra column ``t`` (= statistic, kept
        for the readers of the earlier shape)."""
        terms = list(self.terms)
        frame = pd.DataFrame({"term": terms, "estimate": self.estimate, "se": self.se,
                              "ci_low": self.ci_low, "ci_high": self.ci_high,
                              "confidence": self.confidence, "statistic": self.t, "df": self.df,
                              "p": self.p, "method": "Wald t", "t": self.t})
        frame.index = pd.Index(terms)
        return frame

    def _index(self, term: str) -> int:
        if term not in self.terms:
            raise InputError(f"no fixed effect named '{term}'",
                             hint=f"terms: {', '.join(self.terms)}")
        return self.terms.index(term)

    def apa(self, term: str | None = None, digits: int = 2) -> str:
        """``b = -4.84, SE = 0.89, t(26.00) = -5.42, p < .001`` for ``term`` (all terms, one per
        line and prefixed by the term name, when ``term`` is None)."""
        if term is None:
            return "\n".join(f"{name}: {self.apa(name, digits)}" for name in self.terms)
        j = self._index(term)
        return (f"b = {fmt_number(self.estimate[j], digits)}, SE = {fmt_number(self.se[j], digits)}, "
                f"{apa_t(self.t[j], self.df[j], self.p[j], digits)}")

    def summary(self) -> str:
        """A text table laid out like lmerTest's ``summary()``."""
        dfname = "Satterthwaite's method" if self.df_method == "satterthwaite" else "df = n - p"
        crit = "REML criterion at convergence" if self.method == "REML" else "deviance"
        lines = [f"Linear mixed model fit by {self.method}. t-tests use {dfname}",
                 f"Formula: {self.formula} + ({_re_text(self.re_formula)} | {self.groups})",
                 f"{crit}: {self.criterion:.4f}", "", "Random effects:"]
        vc = self.variance_components
        lines.append(f" {'Groups':<12} {'Name':<14} {'Variance':>11} {'Std.Dev.':>10} Corr")
        for row in vc.itertuples(index=False):
            if isinstance(row.var2, str):
                continue
            corr = vc[(vc["grp"] == row.grp) & (vc["var2"] == row.var1)]
            ctext = " ".join(f"{c:.3f}" for c in corr["sdcor"]) if len(corr) else ""
            name = row.var1 if isinstance(row.var1, str) else ""
            lines.append(f" {row.grp:<12} {name:<14} {row.vcov:>11.4f} {row.sdcor:>10.4f} {ctext}")
        lines.append(f"Number of obs: {self.n_obs}, groups: {self.groups}, {self.n_groups}"
                     + (f"; rows dropped (missing values): {self.n_dropped}" if self.n_dropped else ""))
        lines += ["", "Fixed effects:"]
        width = max(len(t) for t in self.terms)
        lines.append(f"{'':<{width}} {'Estimate':>11} {'Std. Error':>11} {'df':>9} {'t value':>9} "
                     f"{'Pr(>|t|)':>10}")
        for j, name in enumerate(self.terms):
            lines.append(f"{name:<{width}} {self.estimate[j]:>11.4f} {self.se[j]:>11.4f} "
                         f"{self.df[j]:>9.2f} {self.t[j]:>9.3f} {self.p[j]:>10.3g}")
        if self.notes:
            lines += [""] + [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _re_text(re_formula: str | None) -> str:
    if re_formula is None:
        return "1"
    return re_formula.split("~", 1)[1].strip()


# ---- formula and design ------------------------------------------------------------------------

_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"


@dataclasses.dataclass(frozen=True)
class _Formula:
    outcome: str | None
    terms: tuple[tuple[str, ...], ...]  # each term: its variables in formula order
    intercept: bool
    variables: tuple[str, ...]


def _parse_rhs(rhs: str, formula: str) -> tuple[list[tuple[str, ...]], bool, list[str]]:
    """Terms of an R model formula's right side with ``+``, ``*``, ``:``, ``1``, ``0``, ``- 1``."""
    bad = InputError(f"cannot read the formula '{formula}'",
                     hint="write it as in R, e.g. 'score ~ tp * covariate' (column names joined "
                          "by +, * and :; parentheses, functions and transformations are not "
                          "supported: make a column instead)")
    text = rhs.strip()
    if not text:
        raise bad
    intercept = True
    chunks = re.split(r"\s*([+-])\s*", text if text[0] in "+-" else "+" + text)
    # chunks: ['', sign, chunk, sign, chunk, ...]
    order: list[str] = []
    expanded: list[frozenset[str]] = []
    for sign, chunk in zip(chunks[1::2], chunks[2::2], strict=True):
        chunk = chunk.strip()
        if chunk in ("0", "1"):
            intercept = (chunk == "1") == (sign == "+")
            continue
        if sign == "-":
            raise bad
        factors = [f.strip() for f in chunk.split("*")]
        parts = []
        for f in factors:
            names = [v.strip() for v in f.split(":")]
            if not names or not all(re.fullmatch(_NAME, v) for v in names):
                raise bad
            for v in names:
                if v not in order:
                    order.append(v)
            parts.append(frozenset(names))
        for mask in range(1, 2 ** len(parts)):  # R's expansion order of a*b*c
            term = frozenset().union(*(p for i, p in enumerate(parts) if mask >> i & 1))
            if term not in expanded:
                expanded.append(term)
    ranked = sorted(range(len(expanded)), key=lambda i: (len(expanded[i]), i))
    terms = [tuple(v for v in order if v in expanded[i]) for i in ranked]
    return terms, intercept, order


def _parse_formula(formula: str) -> _Formula:
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise InputError(f"cannot read the formula {formula!r}: it needs one '~'",
                         hint="e.g. 'score ~ tp * covariate'")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not re.fullmatch(_NAME, lhs):
        raise InputError(f"cannot read the outcome of the formula '{formula}'",
                         hint="the left side must be one column name")
    terms, intercept, order = _parse_rhs(rhs, formula)
    if not terms and not intercept:
        raise InputError(f"the formula '{formula}' has no fixed effects")
    return _Formula(lhs, tuple(terms), intercept, tuple(order))


def _parse_re(re_formula: str | None) -> _Formula:
    if re_formula is None:
        return _Formula(None, (), True, ())
    if not isinstance(re_formula, str) or not re_formula.strip().startswith("~"):
        raise InputError(f"cannot read re_formula {re_formula!r}",
                         hint="write it as '~ x' (random intercept and slope of x per group)")
    terms, intercept, order = _parse_rhs(re_formula.strip()[1:], re_formula)
    if not terms and not intercept:
        raise InputError(f"re_formula '{re_formula}' has no random effects")
    return _Formula(None, tuple(terms), intercept, tuple(order))


def _is_factor(col: pd.Series) -> bool:
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return True
    return not pd.api.types.is_numeric_dtype(dtype)


def _level_name(level: object) -> str:
    if isinstance(level, (bool, np.bool_)):
        return "TRUE" if level else "FALSE"
    return str(level)


def _levels(col: pd.Series, name: str, reference: str | None) -> list:
    """Levels present, in R's default order (sorted; a categorical keeps its categories' order),
    the reference level first."""
    present = pd.unique(col)
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = [c for c in col.cat.categories if c in set(present)]
    else:
        try:
            levels = sorted(present, key=lambda v: (_level_name(v) if not isinstance(
                v, (bool, np.bool_, int, float, np.number)) else v))
        except TypeError:
            levels = sorted(present, key=_level_name)
    if reference is not None:
        names = [_level_name(v) for v in levels]
        if str(reference) not in names:
            raise InputError(f"reference level '{reference}' does not occur in the analysed rows",
                             column=name, hint=f"levels: {', '.join(names)}")
        ref = levels[names.index(str(reference))]
        levels = [ref] + [v for v in levels if v is not ref]
    if len(levels) < 2:
        raise InputError("a factor needs at least 2 levels in the analysed rows", column=name,
                         value=_level_name(levels[0]) if levels else None)
    return levels


def _design(frame: pd.DataFrame, f: _Formula, factors: Mapping[str, list]) -> tuple[np.ndarray,
                                                                                   list[str]]:
    """Model matrix and column names as R's ``model.matrix`` (treatment contrasts; a factor in a
    term whose margin is absent from the formula gets one indicator per level)."""
    n = len(frame)
    present = {frozenset(t) for t in f.terms}
    if f.intercept:
        present.add(frozenset())
    cols: list[np.ndarray] = [np.ones(n)] if f.intercept else []
    names: list[str] = ["(Intercept)"] if f.intercept else []
    for term in f.terms:
        block = [np.ones(n)]
        labels = [""]
        for v in term:
            if v in factors:
                levels = factors[v]
                contrast = frozenset(term) - {v} in present
                use = levels[1:] if contrast else levels
                values = frame[v].to_numpy()
                dummies = [(values == lev).astype(float) for lev in use]
                lnames = [f"{v}{_level_name(lev)}" for lev in use]
            else:
                dummies = [frame[v].to_numpy(dtype=float)]
                lnames = [v]
            # earlier variables vary fastest (R's column order)
            block = [b * d for d in dummies for b in block]
            labels = [(a + ":" + b) if a else b for b in lnames for a in labels]
        cols.extend(block)
        names.extend(labels)
    return np.column_stack(cols) if cols else np.empty((n, 0)), names


# ---- the fitting core --------------------------------------------------------------------------

class _Profiled:
    """What both model classes share: the profiled criterion (lme4's eq. 34 / 41, see the module
    docstring) from log|V|, log|XᵀV⁻¹X| and r², and its value at θ (inf where V is singular)."""

    reml: bool
    m: float

    def _profiled(self, ldV: float, ldX: float, r2: float) -> float:
        m = self.m
        return ldV + (ldX if self.reml else 0.0) + m * (1.0 + math.log(2.0 * math.pi * r2 / m))

    def criterion(self, theta: np.ndarray) -> float:
        try:
            return self.state(theta)["crit"]
        except np.linalg.LinAlgError:
            return math.inf

    def state(self, theta: np.ndarray) -> dict:  # pragma: no cover - each model defines it
        raise NotImplementedError


class _LMM(_Profiled):
    """Per-group sums of a linear mixed model, its profiled criterion and derivatives in θ."""

    def __init__(self, y: np.ndarray, X: np.ndarray, Z: np.ndarray, codes: np.ndarray,
                 n_groups: int, reml: bool):
        order = np.argsort(codes, kind="stable")
        self.y, self.X, self.Z = y[order], X[order], Z[order]
        codes = codes[order]
        self.starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        self.n, self.p = X.shape
        self.q = Z.shape[1]
        self.G = n_groups
        self.reml = reml
        self.m = self.n - self.p if reml else self.n
        add = np.add.reduceat
        self.ZtZ = add(self.Z[:, :, None] * self.Z[:, None, :], self.starts, axis=0)
        self.ZtX = add(self.Z[:, :, None] * self.X[:, None, :], self.starts, axis=0)
        self.Zty = add(self.Z * self.y[:, None], self.starts, axis=0)
        self.XtX = self.X.T @ self.X
        self.Xty = self.X.T @ self.y
        # θ is the column-wise lower triangle of Λ (lme4's order)
        cols, rows = np.triu_indices(self.q)
        self.rows, self.cols = rows, cols
        self.k = rows.size
        self.lower = np.where(rows == cols, 0.0, -np.inf)
        E = np.zeros((self.k, self.q, self.q))
        E[np.arange(self.k), rows, cols] = 1.0
        self.E = E
        # ∂²(ΛΛᵀ)/∂θ_k∂θ_l = E_k E_lᵀ + E_l E_kᵀ (constant)
        EE = np.einsum("kab,lcb->klac", E, E)
        self.Tkl = EE + EE.transpose(1, 0, 2, 3)

    def lam(self, theta: np.ndarray) -> np.ndarray:
        L = np.zeros((self.q, self.q))
        L[self.rows, self.cols] = theta
        return L

    def state(self, theta: np.ndarray) -> dict:
        q = self.q
        L = self.lam(theta)
        A = self.ZtZ
        M = np.eye(q) + np.einsum("ba,gbc,cd->gad", L, A, L)
        Minv = np.linalg.inv(M)
        sign, logdet = np.linalg.slogdet(M)
        H = np.einsum("ab,gbc,dc->gad", L, Minv, L)  # Λ M⁻¹ Λᵀ
        HZtX = H @ self.ZtX
        XVX = self.XtX - np.einsum("gqp,gqr->pr", self.ZtX, HZtX)
        XVy = self.Xty - np.einsum("gqp,gq->p", HZtX, self.Zty)
        cho = np.linalg.cholesky(XVX)
        beta = _cho_solve(cho, XVy)
        e = self.y - self.X @ beta
        Zte = np.add.reduceat(self.Z * e[:, None], self.starts, axis=0)
        HZte = np.einsum("gab,gb->ga", H, Zte)
        r2 = float(e @ e - np.einsum("ga,ga->", Zte, HZte))
        ldV = float(logdet.sum())
        ldX = 2.0 * float(np.log(np.diag(cho)).sum())
        crit = self._profiled(ldV, ldX, r2)
        return {"L": L, "H": H, "beta": beta, "r2": r2, "XVX": XVX, "cho": cho, "Zte": Zte,
                "HZte": HZte, "HZtX": HZtX, "crit": crit, "ldV": ldV, "ldX": ldX}

    def derivatives(self, theta: np.ndarray, st: dict | None = None,
                    sigma: float | None = None) -> dict:
        """Gradient and Hessian of the profiled criterion in θ, the Hessian H of D(θ, σ) in
        φ = (θ, σ) and ∂C/∂φ (lmerTest's parameterisation)."""
        st = self.state(theta) if st is None else st
        L, H = st["L"], st["H"]
        A = self.ZtZ
        K = np.eye(self.q) - A @ H                      # Z_gᵀ V_g⁻¹ = K_g Z_gᵀ
        B = K @ A                                       # Z_gᵀ V_g⁻¹ Z_g
        W = K @ self.ZtX                                # Z_gᵀ V_g⁻¹ X_g   (G, q, p)
        u = np.einsum("gab,gb->ga", K, st["Zte"])       # Z_gᵀ V_g⁻¹ e_g
        S = _cho_inv(st["cho"])                         # (Xᵀ V⁻¹ X)⁻¹
        # ∂(ΛΛᵀ)/∂θ_k = E_k Λᵀ + Λ E_kᵀ
        ELt = np.einsum("kab,cb->kac", self.E, L)
        T = ELt + ELt.transpose(0, 2, 1)
        Bsum = B.sum(axis=0)
        uu = np.einsum("ga,gb->ab", u, u)
        Q = np.einsum("gap,kab,gbr->kpr", W, T, W)      # Xᵀ V⁻¹ G_k V⁻¹ X
        trVG = np.einsum("ab,kba->k", Bsum, T)
        trPG = trVG - np.einsum("pr,krp->k", S, Q) if self.reml else trVG
        yPGPy = np.einsum("ab,kba->k", uu, T)
        r2, m = st["r2"], self.m
        grad = trPG - m * yPGPy / r2
        # second derivatives
        Tkl = self.Tkl
        trVGkl = np.einsum("ab,klba->kl", Bsum, Tkl)
        BT = np.einsum("gab,kbc->gkac", B, T)           # B_g T_k
        t1 = np.einsum("glab,gkba->kl", BT, BT)         # Σ tr(B T_l B T_k)
        if self.reml:
            Qkl = np.einsum("gap,klab,gbr->klpr", W, Tkl, W)
            WTB = np.einsum("gap,kab->gkpb", W, T)      # W_gᵀ T_k
            R = np.einsum("gkpb,gbc,lcd,gdr->klpr", WTB, B, T, W, optimize=True)
            t2 = np.einsum("pr,klrp->kl", S, R)
            t2 = t2 + t2.T
            SQ = np.einsum("pr,krs->kps", S, Q)
            t3 = np.einsum("lab,kba->kl", SQ, SQ)
            ld2 = trVGkl - np.einsum("pr,klrp->kl", S, Qkl) - (t1 - t2 + t3)
        else:
            ld2 = trVGkl - t1
        Tu = np.einsum("kab,gb->gka", T, u)             # T_k u_g
        Wu = np.einsum("gap,gka->kp", W, Tu)            # Σ W_gᵀ T_k u_g
        yPGPGPy = np.einsum("gla,gab,gkb->kl", Tu, B, Tu) - np.einsum("lp,pr,kr->kl", Wu, S, Wu)
        yPGklPy = np.einsum("ab,klba->kl", uu, Tkl)
        r2_2 = 2.0 * yPGPGPy - yPGklPy                  # ∂²r²/∂θ_k∂θ_l
        r2_1 = -yPGPy
        if sigma is None:
            sigma = math.sqrt(r2 / m)
        s2 = sigma * sigma
        k = self.k
        Hphi = np.empty((k + 1, k + 1))
        Hphi[:k, :k] = ld2 + r2_2 / s2
        Hphi[:k, k] = Hphi[k, :k] = -2.0 * r2_1 / sigma ** 3
        Hphi[k, k] = 6.0 * r2 / sigma ** 4 - 2.0 * m / s2
        # profiled criterion: d = D(θ, σ̂(θ)); its Hessian is the Schur complement
        prof_hess = ld2 + m * (r2_2 / r2 - np.outer(r2_1, r2_1) / r2 ** 2)
        dC = np.empty((k + 1, self.p, self.p))
        dC[:k] = s2 * np.einsum("pr,krs,st->kpt", S, Q, S)
        dC[k] = 2.0 * sigma * S
        return {"grad": grad, "hess": prof_hess, "Hphi": Hphi, "dC": dC, "S": S,
                "sigma": sigma}


class _RandomIntercept(_Profiled):
    """The model of :class:`_LMM` with one random intercept per group (q = 1), in closed form.

    With Z_g = 1 (a column of ones of length n_g) and γ = θ², V_g = I + γ J (J = 11ᵀ), so by the
    Sherman-Morrison formula and the matrix determinant lemma::

        V_g⁻¹ = I − w_g J,   w_g = γ / (1 + γ n_g),   log|V_g| = log(1 + γ n_g)

    and every per-group q × q quantity of :class:`_LMM` is a scalar per group: M_g = 1 + γ n_g,
    H_g = Λ M_g⁻¹ Λᵀ = w_g, K_g = 1 − n_g w_g = 1 / (1 + γ n_g), B_g = Z_gᵀ V_g⁻¹ Z_g = n_g K_g,
    W_g = Z_gᵀ V_g⁻¹ X_g = K_g s_g (s_g = Σ_{i∈g} x_i, the group's column sums), and
    ∂(ΛΛᵀ)/∂θ = 2θ, ∂²(ΛΛᵀ)/∂θ² = 2. The formulas are those of :class:`_LMM` term by term
    (same names), specialised to q = 1.

    These scalars depend on the group only through its size, so the p × p sums over groups
    are sums over the distinct group sizes s (a handful: the number of visits a participant
    attended) of precomputed C_s = Σ_{n_g = s} s_g s_gᵀ and c_s = Σ_{n_g = s} s_g Σ_{i∈g} y_i:
    Xᵀ V⁻¹ X = XᵀX − Σ_s w(s) C_s, Xᵀ V⁻¹ y = Xᵀy − Σ_s w(s) c_s. One evaluation of the
    criterion costs the residuals e = y − Xβ̂ (r² = eᵀe − Σ_g w_g (Σ_{i∈g} e_i)², summed from
    the residuals themselves for accuracy) and one ``np.bincount``: no per-group algebra.
    """

    q = 1
    k = 1

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_groups: int,
                 reml: bool):
        self.y, self.X, self.codes = y, X, codes
        self.n, self.p = X.shape
        self.G = n_groups
        self.reml = reml
        self.m = self.n - self.p if reml else self.n
        ng = np.bincount(codes, minlength=n_groups)
        sizes, self.size_of, counts = np.unique(ng, return_inverse=True, return_counts=True)
        self.sizes = sizes.astype(float)                                # distinct n_g
        self.counts = counts.astype(float)                              # groups of each size
        self.ng = ng.astype(float)
        ZtX = np.stack([np.bincount(codes, X[:, j], minlength=n_groups)
                        for j in range(self.p)], axis=1)                # s_g (G, p)
        Zty = np.bincount(codes, y, minlength=n_groups)
        self.ZtX = ZtX
        self.C = np.empty((sizes.size, self.p, self.p))
        self.c = np.empty((sizes.size, self.p))
        order = np.argsort(self.size_of, kind="stable")
        bounds = np.r_[0, np.cumsum(counts)]
        for j in range(sizes.size):  # one product per distinct group size
            rows = order[bounds[j]:bounds[j + 1]]
            self.C[j] = ZtX[rows].T @ ZtX[rows]
            self.c[j] = ZtX[rows].T @ Zty[rows]
        self.XtX = X.T @ X
        self.Xty = X.T @ y
        self.rows = self.cols = np.zeros(1, dtype=np.intp)
        self.lower = np.zeros(1)

    def lam(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(theta, dtype=float).reshape(1, 1)

    def state(self, theta: np.ndarray) -> dict:
        t = float(theta[0])
        gamma = t * t
        M = 1.0 + gamma * self.sizes
        w = gamma / M                                   # w(s) = H_g of the groups of size s
        XVX = self.XtX - np.einsum("s,spr->pr", w, self.C)
        XVy = self.Xty - w @ self.c
        cho = np.linalg.cholesky(XVX)
        beta = _cho_solve(cho, XVy)
        e = self.y - self.X @ beta
        Zte = np.bincount(self.codes, e, minlength=self.G)
        r2 = float(e @ e - Zte @ (w[self.size_of] * Zte))
        ldV = float(self.counts @ np.log(M))
        ldX = 2.0 * float(np.log(np.diag(cho)).sum())
        crit = self._profiled(ldV, ldX, r2)
        return {"theta": t, "w": w, "beta": beta, "r2": r2, "XVX": XVX, "cho": cho,
                "Zte": Zte, "crit": crit, "ldV": ldV, "ldX": ldX}

    def derivatives(self, theta: np.ndarray, st: dict | None = None,
                    sigma: float | None = None) -> dict:
        """As :meth:`_LMM.derivatives` (same quantities, same names) for q = 1; per-group
        scalars are per-size scalars (K, B), group sums of s_g s_gᵀ are Σ_s (·) C_s."""
        st = self.state(theta) if st is None else st
        K = 1.0 - self.sizes * st["w"]                  # per size
        B = K * self.sizes
        Kg = K[self.size_of]
        u = Kg * st["Zte"]                              # per group
        S = _cho_inv(st["cho"])
        T = 2.0 * st["theta"]
        Bsum = float(self.counts @ B)
        uu = float(u @ u)
        WtW = np.einsum("s,spr->pr", K * K, self.C)     # Σ_g W_g W_gᵀ
        Q = T * WtW
        trVG = Bsum * T
        trPG = trVG - float(np.sum(S * Q)) if self.reml else trVG
        yPGPy = uu * T
        r2, m = st["r2"], self.m
        grad = trPG - m * yPGPy / r2
        Tkl = 2.0
        trVGkl = Bsum * Tkl
        t1 = T * T * float(self.counts @ (B * B))
        if self.reml:
            Qkl = Tkl * WtW
            R = T * T * np.einsum("s,spr->pr", B * K * K, self.C)
            t2 = 2.0 * float(np.sum(S * R))
            SQ = S @ Q
            t3 = float(np.sum(SQ * SQ.T))
            ld2 = trVGkl - float(np.sum(S * Qkl)) - (t1 - t2 + t3)
        else:
            ld2 = trVGkl - t1
        Tu = T * u
        Wu = self.ZtX.T @ (Kg * Tu)                     # Σ_g W_gᵀ T u_g
        yPGPGPy = float(Tu @ (B[self.size_of] * Tu)) - float(Wu @ S @ Wu)
        yPGklPy = uu * Tkl
        r2_2 = 2.0 * yPGPGPy - yPGklPy
        r2_1 = -yPGPy
        if sigma is None:
            sigma = math.sqrt(r2 / m)
        s2 = sigma * sigma
        Hphi = np.empty((2, 2))
        Hphi[0, 0] = ld2 + r2_2 / s2
        Hphi[0, 1] = Hphi[1, 0] = -2.0 * r2_1 / sigma ** 3
        Hphi[1, 1] = 6.0 * r2 / sigma ** 4 - 2.0 * m / s2
        prof_hess = np.array([[ld2 + m * (r2_2 / r2 - r2_1 * r2_1 / r2 ** 2)]])
        dC = np.empty((2, self.p, self.p))
        dC[0] = s2 * (S @ Q @ S)
        dC[1] = 2.0 * sigma * S
        return {"grad": np.array([grad]), "hess": prof_hess, "Hphi": Hphi, "dC": dC, "S": S,
                "sigma": sigma}


def _cho_solve(cho: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = np.linalg.solve(cho, b)
    return np.linalg.solve(cho.T, z)


def _cho_inv(cho: np.ndarray) -> np.ndarray:
    Li = np.linalg.inv(cho)
    return Li.T @ Li


def _optimise(model: _LMM) -> tuple[np.ndarray, bool, list[str]]:
    """Minimise the profiled criterion over θ (diagonal ≥ 0), polished to rounding level.

    One random intercept: the criterion is a function of θ ≥ 0 alone; its minimum over a grid
    (θ = 0 and 40 points from 1e-4 to 1e3, log-spaced) is refined by bounded Brent between the
    neighbouring grid points and polished by Newton steps on the analytic derivatives; θ = 0 (the
    boundary, a singular fit) is kept when its criterion is not larger. Random slopes: L-BFGS-B
    with the analytic gradient from lme4's start Λ = I; a diagonal element stuck at 0 where the
    criterion curves downwards is moved into the interior and the search restarted; then Newton
    polish on the free parameters.
    """
    from scipy.optimize import minimize, minimize_scalar

    notes: list[str] = []
    if model.q == 1:
        grid = np.r_[0.0, np.geomspace(1e-4, 1e3, 40)]
        values = np.array([model.criterion(np.array([t])) for t in grid])
        i = int(np.argmin(values))
        if i == 0:
            return np.zeros(1), True, notes
        hi = grid[min(i + 1, grid.size - 1)]
        res = minimize_scalar(lambda t: model.criterion(np.array([t])), method="bounded",
                              bounds=(grid[i - 1], hi), options={"xatol": 1e-12})
        theta = np.array([res.x if res.fun <= values[i] else grid[i]])
        theta, ok = _newton(model, theta)
        if model.criterion(np.zeros(1)) <= model.criterion(theta):
            return np.zeros(1), True, notes
        return theta, ok, notes

    theta0 = np.where(model.rows == model.cols, 1.0, 0.0)
    bounds = [(0.0, None) if lo == 0 else (None, None) for lo in model.lower]
    diag = model.lower == 0

    def fun(theta):
        try:
            st = model.state(theta)
            d = model.derivatives(theta, st)
        except np.linalg.LinAlgError:
            return math.inf, np.zeros_like(theta)
        return st["crit"], d["grad"]

    theta = theta0
    for _ in range(4):
        res = minimize(fun, theta, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
        theta = np.asarray(res.x, dtype=float)
        d = model.derivatives(theta)
        stuck = diag & (theta <= 0) & (np.abs(d["grad"]) <= 1e-8) & (np.diag(d["hess"]) < 0)
        if not stuck.any():
            break
        theta = np.where(stuck, 0.5, theta)
    theta, ok = _newton(model, theta)
    return theta, ok, notes


def _newton(model: _LMM, theta: np.ndarray, max_iter: int = 50) -> tuple[np.ndarray, bool]:
    """Projected Newton steps with backtracking on the free parameters (those not held at a
    bound by a gradient pointing outwards); converged when the free gradient is at rounding
    level or the step no longer lowers the criterion."""
    at_lower = model.lower == 0
    crit = model.criterion(theta)
    for _ in range(max_iter):
        st = model.state(theta)
        d = model.derivatives(theta, st)
        g, h = d["grad"], d["hess"]
        free = ~(at_lower & (theta <= 0) & (g >= 0))
        scale = max(1.0, abs(crit))
        if not free.any() or np.max(np.abs(g[free])) <= 1e-11 * scale:
            return theta, True
        hf = h[np.ix_(free, free)]
        try:
            step = np.linalg.solve(hf, -g[free])
            if not np.all(np.isfinite(step)) or g[free] @ step >= 0:
                raise np.linalg.LinAlgError
            # a full Newton step this small on a convex criterion changes it by less than its
            # rounding (about 1e-16 × m); accepted on the gradient when the criterion cannot
            # tell (within 1e-12 relative), rather than halved into the noise
            tiny = bool(np.max(np.abs(step)) <= 1e-6 * max(1.0, float(np.max(np.abs(theta))))
                        and np.all(np.linalg.eigvalsh(hf) > 0))
        except np.linalg.LinAlgError:
            step = -g[free]
            tiny = False
        t = 1.0
        while t > 1e-12:
            cand = theta.copy()
            cand[free] = theta[free] + t * step
            cand = np.where(at_lower, np.maximum(cand, 0.0), cand)
            c = model.criterion(cand)
            if c <= crit or (tiny and t == 1.0 and c <= crit + 1e-12 * scale):
                break
            t *= 0.5
        else:
            # no decrease possible at double precision: at the optimum
            return theta, bool(np.max(np.abs(g[free])) <= 1e-6 * scale)
        if np.max(np.abs(cand - theta)) <= 1e-15 * max(1.0, np.max(np.abs(theta))):
            theta = cand
            crit = c
            return theta, True
        theta, crit = cand, c
    g = model.derivatives(theta)["grad"]
    free = ~(at_lower & (theta <= 0) & (g >= 0))
    return theta, bool(not free.any() or np.max(np.abs(g[free])) <= 1e-6 * max(1.0, abs(crit)))


def _satterthwaite(d: dict, vcov: np.ndarray) -> np.ndarray:
    """df_j = 2 (C_jj)² / (g_jᵀ A g_j), A = 2 H⁻¹, g_jk = ∂C_jj/∂φ_k (Kuznetsova et al. 2017)."""
    A = 2.0 * np.linalg.inv(d["Hphi"])
    g = np.einsum("kjj->jk", d["dC"])
    denom = np.einsum("jk,kl,jl->j", g, A, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2.0 * np.diag(vcov) ** 2 / denom


def _model(y: np.ndarray, X: np.ndarray, Z: np.ndarray, codes: np.ndarray, n_groups: int,
           reml: bool) -> _LMM | _RandomIntercept:
    """The closed form for a random intercept alone (``_CLOSED_FORM``), else the general one."""
    if _CLOSED_FORM and Z.shape[1] == 1 and bool(np.all(Z == 1.0)):
        return _RandomIntercept(y, X, codes, n_groups, reml)
    return _LMM(y, X, Z, codes, n_groups, reml)


#: Use :class:`_RandomIntercept` for random-intercept models (tests switch it off to compare).
_CLOSED_FORM = True


# ---- public function ---------------------------------------------------------------------------

def mixed_model(data: pd.DataFrame, formula: str, groups: str, *, re_formula: str | None = None,
                reml: bool = True, confidence: float = 0.95, df_method: str = "satterthwaite",
                reference: Mapping[str, str] | None = None) -> MixedModelResult:
    """Linear mixed model with one grouping factor, as R's ``lmerTest::lmer``.

    ``formula``: R-like fixed effects, ``"score ~ tp * covariate"`` (``+``, ``*``, ``:``,
    ``- 1``). Columns of object, category, string or bool dtype are factors with treatment
    coding, the reference level being the first in sorted order (a categorical's own category
    order) unless ``reference={"tp": "wk0"}``; numeric columns enter as they are (no centring or
    scaling). ``groups``: the grouping column (one random intercept per group);
    ``re_formula="~ x"`` adds correlated random slopes (lme4's ``(1 + x | groups)``).
    ``reml=False`` fits by maximum likelihood. ``df_method``: ``"satterthwaite"`` (lmerTest's
    default) or ``"residual"`` (n − p). Rows with a missing value in any model variable or in
    ``groups`` are dropped and counted (``n_dropped``, and a note saying where).

    Criterion, optimisation and Satterthwaite df: see the module docstring (Bates et al. 2015,
    J Stat Softw 67(1); Kuznetsova et al. 2017, J Stat Softw 82(13)). CIs are Wald t intervals
    estimate ± t_{df, 1−α/2} SE with the same df as the tests.
    """
    from scipy import stats

    level = check_confidence(confidence)
    if df_method not in DF_METHODS:
        raise InputError(f"df_method must be one of {', '.join(DF_METHODS)}", value=df_method)
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", value=type(data).__name__)
    fixed = _parse_formula(formula)
    random = _parse_re(re_formula)
    if not isinstance(groups, str):
        raise InputError("groups must be one column name", value=groups)
    outcome = fixed.outcome
    variables = [outcome, *fixed.variables,
                 *[v for v in random.variables if v not in fixed.variables]]
    for name in [*variables, groups]:
        if name not in data.columns:
            raise InputError("no such column", column=name,
                             hint=f"available: {', '.join(map(str, data.columns))}")
    if outcome in fixed.variables or outcome in random.variables or outcome == groups:
        raise InputError("the outcome is also a predictor or the grouping column", column=outcome)
    if groups in fixed.variables or groups in random.variables:
        raise InputError("the grouping column is also a fixed or random effect", column=groups)
    y_col = data[outcome]
    if _is_factor(y_col):
        raise InputError("the outcome must be numeric", column=outcome,
                         value=str(y_col.dropna().iloc[0]) if y_col.notna().any() else None,
                         hint="convert it (e.g. pandas.to_numeric) or pick a numeric column")
    factors_in = [v for v in variables[1:] if _is_factor(data[v])]
    reference = dict(reference or {})
    for key in reference:
        if key not in factors_in:
            raise InputError("reference given for a column that is not a factor of the model",
                             column=str(key), hint=f"factors: {', '.join(factors_in) or 'none'}")
    used = [*dict.fromkeys([*variables, groups])]
    sub = data[used]
    missing = sub.isna()
    keep = ~missing.any(axis=1).to_numpy()
    n_dropped = int((~keep).sum())
    notes: list[str] = []
    if n_dropped:
        counts = missing.sum()
        where = ", ".join(f"{c}: {int(counts[c])}" for c in used if counts[c])
        notes.append(f"{n_dropped} row(s) with a missing value dropped (missing in {where})")
    frame = sub[keep]
    for v in variables:
        if v not in factors_in and np.isinf(frame[v].to_numpy(dtype=float)).any():
            raise InputError("column contains an infinite value", column=v,
                             hint="recode it as missing or fix it")
    factors = {v: _levels(frame[v], v, reference.get(v)) for v in factors_in}
    X, terms = _design(frame, fixed, factors)
    Z, re_terms = _design(frame, random, factors)
    y = frame[outcome].to_numpy(dtype=float)
    codes, group_levels = pd.factorize(frame[groups], sort=True)
    n, p = X.shape
    G = len(group_levels)
    q = Z.shape[1]
    if G < 2:
        raise InputError(f"the random effects need at least 2 groups; the analysed rows have {G}",
                         column=groups)
    if n <= G * q if q > 1 else n <= G:
        raise InputError(f"{n} analysed rows for {G} groups x {q} random effect(s): the random "
                         "effects cannot be separated from the residual (lme4 refuses this too)",
                         column=groups, hint="use fewer random effects or more rows per group")
    if n <= p:
        raise InputError(f"{n} analysed rows for {p} fixed effects", hint="simplify the model")
    with blas_threads_for(float(n) * p * p):
        rank = np.linalg.matrix_rank(X)
    if rank < p:
        raise InputError("the fixed effects are collinear (rank-deficient model matrix) in the "
                         "analysed rows", hint=f"columns: {', '.join(terms)}")
    # every product is at most n × p² (one BLAS thread below SMALL_WORK: on a busy machine a
    # thread pool costs more than it saves on products of this size)
    with blas_threads_for(float(n) * max(p, q) ** 2):
        model = _model(y, X, Z, codes.astype(np.intp), G, bool(reml))
        theta, converged, opt_notes = _optimise(model)
        st = model.state(theta)
        d = model.derivatives(theta, st)
    notes += opt_notes
    sigma = d["sigma"]
    vcov = sigma ** 2 * d["S"]
    beta = st["beta"]
    se = np.sqrt(np.diag(vcov))
    if df_method == "satterthwaite":
        df = _satterthwaite(d, vcov)
    else:
        df = np.full(p, float(n - p))
    tval = beta / se
    pval = 2.0 * stats.t.sf(np.abs(tval), df)
    crit_t = stats.t.ppf(0.5 + level / 2.0, df)
    diag = model.rows == model.cols
    singular = bool(np.any(theta[diag] < SINGULAR_TOL))
    if singular:
        zero = [re_terms[i] for i in model.rows[diag & (theta < SINGULAR_TOL)]]
        notes.append(f"random-effect variance of {', '.join(zero)} estimated at 0 (singular fit); "
                     "df as lmerTest gives them in this case")
    if not converged:
        notes.append("the optimiser stopped before the gradient reached zero: treat the fit with "
                     "caution")
    vc = _varcorr(theta, sigma, model, groups, re_terms)
    crit = float(st["crit"])
    frozen = [beta, se, df, tval, pval, beta - crit_t * se, beta + crit_t * se, vcov, theta]
    for arr in frozen:
        arr.setflags(write=False)
    return MixedModelResult(
        formula=formula, groups=groups, re_formula=re_formula, method="REML" if reml else "ML",
        df_method=df_method, terms=tuple(terms), estimate=beta, se=se, df=df, t=tval, p=pval,
        ci_low=frozen[5], ci_high=frozen[6], confidence=level, vcov=vcov,
        variance_components=vc, theta=theta, sigma=float(sigma), n_obs=int(n), n_groups=int(G),
        n_dropped=n_dropped, singular=singular, converged=bool(converged), criterion=crit,
        loglik=-crit / 2.0, notes=tuple(notes))


def _varcorr(theta: np.ndarray, sigma: float, model: _LMM, groups: str,
             re_terms: Sequence[str]) -> pd.DataFrame:
    """lme4's ``as.data.frame(VarCorr(fit))``: variances, then covariances, then the residual."""
    L = model.lam(theta)
    cov = sigma ** 2 * (L @ L.T)
    sd = np.sqrt(np.diag(cov))
    rows = [(groups, re_terms[i], None, cov[i, i], sd[i]) for i in range(model.q)]
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(model.q):
            for i in range(j + 1, model.q):
                rows.append((groups, re_terms[j], re_terms[i], cov[i, j],
                             cov[i, j] / (sd[i] * sd[j])))
    rows.append(("Residual", None, None, sigma ** 2, sigma))
    return pd.DataFrame(rows, columns=["grp", "var1", "var2", "vcov", "sdcor"])
