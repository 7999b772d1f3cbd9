"""power._roots.brentq against scipy.optimize.brentq: the same algorithm, so the same root."""

from __future__ import annotations

import math

import pytest
from scipy import optimize

from alliance_analysis.power._roots import brentq

CASES = [
    (lambda x: x**3 - 2 * x - 5, 0.0, 4.0),
    (lambda x: math.cos(x) - x, 0.0, 1.0),
    (lambda x: math.exp(x) - 10.0, -3.0, 5.0),
    (lambda x: math.atan(x - 0.3), -100.0, 7.0),
    (lambda x: math.tanh(50 * (x - 0.123)), -1.0, 1.0),
    (lambda x: x - 2.0, 2.0, 5.0),  # root at an end
]


@pytest.mark.parametrize("tol", [(2e-12, 8.881784197001252e-16), (1e-14, 1e-13), (1e-6, 1e-6)])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_same_root_as_scipy(case, tol):
    f, a, b = CASES[case]
    xtol, rtol = tol
    assert brentq(f, a, b, xtol, rtol) == optimize.brentq(f, a, b, xtol=xtol, rtol=rtol)


def test_refuses_a_bracket_without_sign_change_and_non_convergence():
    with pytest.raises(ValueError, match="different signs"):
        brentq(lambda x: x * x + 1, -1.0, 1.0)
    with pytest.raises(ValueError, match="no convergence"):
        brentq(lambda x: (x - 1e-3) ** 5, -1.0, 2.0, maxiter=10)
