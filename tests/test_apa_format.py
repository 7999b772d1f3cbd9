"""APA formatter against published renderer vectors (peers_and_methods.md §5).

Sources of expected strings: dgromer/apa tests (fmt_pval, t_apa, cor_apa) and papaja apa_p tests,
as listed in the reference; and APA-7 rules (no leading zero for bounded statistics).
"""

import pytest

from alliance_analysis import apa
from alliance_analysis.rounding import (
    decimals_of,
    format_fixed,
    round_half_away,
    rounding_interval,
    rounds_to,
)


@pytest.mark.parametrize(
    "p, expected",
    [
        (0.12345, "= .123"),  # dgromer/apa fmt_pval
        (0.00012, "< .001"),  # dgromer/apa fmt_pval
        (1.0, "> .999"),  # dgromer/apa, papaja apa_p(1)
        (0.1, "= .100"),  # papaja apa_p(.1)
        (1 / 3, "= .333"),  # papaja apa_p(1/3)
        (0.0001, "< .001"),  # papaja
        (0.0, "< .001"),  # papaja apa_p(0)
        (0.0215, "= .022"),  # dgromer t_apa "t(18) = 2.52, p = .022"
    ],
)
def test_fmt_p_vectors(p, expected):
    assert apa.fmt_p(p) == expected


def test_apa_t_matches_dgromer_vector():
    # dgromer/apa: independent t on the Lakens movie data -> "t(18) = 2.52, p = .022"
    assert apa.apa_t(2.5175, 18, 0.0215) == "t(18) = 2.52, p = .022"
    # paired: "t(9) = 4.74, p = .001"
    assert apa.apa_t(4.7434, 9, 0.00105) == "t(9) = 4.74, p = .001"


def test_apa_r_one_sided_vector_and_leading_zero():
    # dgromer/apa cor_apa: "r(7) = .57, p = .054"
    assert apa.apa_r(0.5711816, 7, 0.05408) == "r(7) = .57, p = .054"
    assert apa.apa_r(-0.65, 18, 0.002) == "r(18) = -.65, p = .002"


def test_apa_estimate_with_ci():
    s = apa.apa_estimate("d_z", 0.5213, (0.0512, 0.9789))
    assert s == "d_z = 0.52, 95% CI [0.05, 0.98]"
    assert apa.apa_estimate("β", -0.2249, bounded=True) == "β = -.22"
    assert apa.fmt_ci(-0.15, 0.90, bounded=True) == "[-.15, .90]"  # papaja cor.test vector


def test_round_half_away_differs_from_python_round():
    assert round(0.125, 2) == 0.12  # Python: half-even on the binary value
    assert round_half_away(0.125, 2) == 0.13
    assert round_half_away(-0.125, 2) == -0.13
    assert format_fixed(-0.0001, 2) == "0.00"


def test_printed_precision_helpers():
    assert decimals_of("-.65") == 2
    assert decimals_of("< .001") == 3
    assert decimals_of("24") == 0
    lo, hi = rounding_interval("-.65")
    assert lo == pytest.approx(-0.655) and hi == pytest.approx(-0.645)
    assert rounds_to(-0.6549, "-.65") and not rounds_to(-0.6551, "-.65")
    assert rounds_to(0.0355, ".036") and not rounds_to(0.0354, ".036")
