"""Brent's method for one real root in a bracket, in plain Python (no ``scipy.optimize``).

Importing ``scipy.optimize`` costs about 0.15-0.3 s of CPU (it pulls in ``scipy.linalg``,
``scipy.sparse`` and more); the power functions need one scalar root at a time. This is the
algorithm of ``scipy.optimize.brentq`` (Brent 1973, *Algorithms for Minimization without
Derivatives*, ch. 4: inverse quadratic interpolation / secant steps, bisection when a step is not
short enough), step for step as scipy's C implementation (``scipy/optimize/Zeros/brentq.c``), so
with the same function values it returns the same root (tests/test_power_roots.py compares it
with ``scipy.optimize.brentq``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["brentq"]


def brentq(f: Callable[[float], float], a: float, b: float, xtol: float = 2e-12,
           rtol: float = 8.881784197001252e-16, maxiter: int = 100) -> float:
    """A root of ``f`` in [a, b] (f(a) and f(b) of opposite signs), to within
    ``xtol + rtol·|x|``; raises ValueError without a sign change or without convergence."""
    xpre, xcur = float(a), float(b)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = float(f(xpre)), float(f(xcur))
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    if math.copysign(1.0, fpre) == math.copysign(1.0, fcur):
        raise ValueError("f(a) and f(b) must have different signs")
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2.0
        sbis = (xblk - xcur) / 2.0
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate (secant)
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate (inverse quadratic)
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2.0 * abs(stry) < min(abs(spre), 3.0 * abs(sbis) - delta):
                spre, scur = scur, stry  # good short step
            else:
                spre = scur = sbis  # bisect
        else:
            spre = scur = sbis  # bisect
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = float(f(xcur))
    raise ValueError(f"no convergence in {maxiter} iterations")
