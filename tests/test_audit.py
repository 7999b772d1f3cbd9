"""alliance_analysis.audit against statcheck's published behaviour.

Expected values: the vector table and unit-test outcomes of peers_and_methods.md §2.3 (R statcheck
1.4.0 run with defaults; statcheck tests/testthat/test-error.R, test-decisionerror.R,
test-extract-*.R), restated, not copied. The negative-statistic rows are those the PyPI port
(0.0.7) gets wrong (§2.4).
"""

from __future__ import annotations

import math

import pytest

from alliance_analysis.audit import check_result, check_text, parse_text
from alliance_analysis.errors import InputError

# (input, computed p as printed in §2.3 (None = "~0"), error, decision error)
STATCHECK_VECTORS = [
    ("t(28) = 2.20, p = .03", 0.03623, True, False),
    ("t(28) = -2.20, p = .036", 0.03623, False, False),
    ("Z = -2.42, p = 0.016", 0.01552, False, False),
    ("t(28) = 2.2, p = .03", 0.03623, False, False),
    ("t(28) = 2.20, p = .037", 0.03623, False, False),
    ("t(28) = 2.0, p < .05", 0.05529, False, False),
    ("t(28) = 2.20, p = .05", 0.03623, True, False),
    ("t(28) = 2.20, p = .06", 0.03623, True, True),
    ("t(28) = 2.20, ns", 0.03623, True, True),
    ("t(28) = 22.20, p = .000", None, True, False),
    ("F(2, 28) = 2.20, p = .15", 0.12959, True, False),
    ("r(28) = .22, p = .26", 0.24274, True, False),
    ("r(28) = -.22, p = .24", 0.24274, False, False),
    ("r(28) = .52, p = .06", 0.00323, True, True),
    ("r(22) = -.65, p < .001", 0.00059, False, False),
    ("r(22) = -.65, p = .001", 0.00059, False, False),
    ("r(18) = .47, p = .04", 0.03652, False, False),
    ("t(23) = 3.10, p < .01", 0.00505, False, False),
]


def _digits(x: float) -> int:
    return len(repr(x).split(".")[1])


@pytest.mark.parametrize("raw, computed, error, decision_error", STATCHECK_VECTORS)
def test_statcheck_vector_table(raw, computed, error, decision_error):
    res = check_result(raw)
    if computed is None:
        assert res.computed_p < 1e-10
    else:
        assert round(res.computed_p, _digits(computed)) == pytest.approx(computed, abs=1e-12)
    assert res.error is error
    assert res.decision_error is decision_error
    expected_status = "decision_error" if decision_error else ("inconsistent" if error else "consistent")
    assert res.status == expected_status
    # the interval the verdict uses contains the face value
    assert res.p_low <= res.computed_p <= res.p_high


def test_vector_table_in_one_text_pass():
    text = "  ".join(raw + "." for raw, *_ in STATCHECK_VECTORS)
    report = check_text(text)
    assert len(report) == len(STATCHECK_VECTORS)
    frame = report.to_frame()
    assert frame["error"].tolist() == [v[2] for v in STATCHECK_VECTORS]
    assert frame["decision_error"].tolist() == [v[3] for v in STATCHECK_VECTORS]
    assert report.n_errors == sum(v[2] for v in STATCHECK_VECTORS)


def test_p_interval_reported_r22():
    # §2.3: r(22) = -.65 -> p range .00051-.00067, which rounds to .001
    res = check_result("r(22) = -.65, p = .001")
    assert round(res.p_low, 5) == 0.00051
    assert round(res.p_high, 5) == 0.00067


# ------------------------------------------------------------------ unit-test outcomes (§2.3)

def test_one_tailed_tests_option():
    assert check_result("t(28) = 2.20, p = .02").error is True
    res = check_result("t(28) = 2.20, p = .02", one_tailed=True)
    assert res.error is False and res.tails == "one"
    assert "consistent if one-tailed" in check_result("t(28) = 2.20, p = .02").notes


def test_one_tailed_txt():
    text = "t(28) = 2.20, p = .018, one-tailed"
    assert check_result(text).error is True
    res = check_result(text, one_tailed_txt=True)
    assert res.error is False and res.tails == "one (text)"
    # without a cue in the text the option changes nothing
    assert check_result("t(28) = 2.20, p = .018", one_tailed_txt=True).error is True


def test_one_tailed_never_halves_f_or_chi2():
    two = check_result("F(2, 28) = 2.20, p = .15")
    one = check_result("F(2, 28) = 2.20, p = .15", one_tailed=True)
    assert one.computed_p == two.computed_p and one.tails == "upper"


def test_p_equal_alpha_sig():
    assert check_result("t(28) = 2.20, p = .05").decision_error is False
    res = check_result("t(28) = 2.20, p = .05", p_equal_alpha_sig=False)
    assert res.error is True and res.decision_error is True


def test_alpha_01():
    assert check_result("t(28) = 5.20, p = .02").decision_error is False
    res = check_result("t(28) = 5.20, p = .02", alpha=0.01)
    assert res.error is True and res.decision_error is True


def test_p_zero_error():
    assert check_result("t(28) = 22.20, p = .000").error is True
    assert check_result("t(28) = 22.20, p = .000", p_zero_error=False).error is False
    assert check_result("t(28) = 22.20, p < .000").error is True
    assert check_result("t(28) = 22.20, p < .001").error is False


@pytest.mark.parametrize("raw", ["r(16) = 26.05, p = .01", "r(28) = -59, p = .001",
                                 "r(28) = \u221259, p = .001"])
def test_impossible_r_not_checked(raw):
    parsed = parse_text(raw)
    assert len(parsed) == 0 and len(parsed.skipped) == 1
    assert "impossible correlation" in parsed.skipped[0][2]
    with pytest.raises(InputError, match="no checkable APA result"):
        check_text(raw)
    report = check_text(raw + " and t(28) = 2.20, p = .036")
    assert len(report) == 1 and len(report.skipped) == 1


def test_impossible_p_and_negative_f_skipped():
    report = check_text("t(28) = 2.20, p = 1.36; F(1, 20) = -2.1, p = .16; t(28) = 2.2, p = .03")
    assert len(report) == 1
    reasons = " ".join(s.reason for s in report.skipped)
    assert "p > 1" in reasons and "negative F" in reasons


def test_negative_p_is_an_error_not_a_miss():
    # metacheck PR #357: statcheck's regex does not see "p = -.22"
    res = check_result("t(28) = 2.20, p = -.036")
    assert res.error is True
    assert any("negative p" in n for n in res.notes)


# ------------------------------------------------------------- negative statistics (§2.4)

@pytest.mark.parametrize("raw", [
    "t(28) = -2.20, p = .036",
    "t(28) = \u22122.20, p = .036",  # unicode minus
    "t(28) = \u20132.20, p = .036",  # en dash
    "Z = -2.42, p = 0.016",
    "z = \u22122.42, p = .016",
    "r(28) = -.22, p = .24",
    "r(18) = \u2212.65, p = .002",
])
def test_negative_statistics_consistent(raw):
    res = check_result(raw)
    assert res.value < 0
    assert res.status == "consistent"


def test_negative_statistic_same_interval_as_positive():
    neg, pos = check_result("r(28) = -.22, p = .24"), check_result("r(28) = .22, p = .24")
    assert (neg.p_low, neg.p_high, neg.computed_p) == (pos.p_low, pos.p_high, pos.computed_p)


def test_negative_statistic_with_inequality_is_mirrored():
    # "t > -2.0" says |t| < 2.05, so p > .0498: p = .30 is possible
    assert check_result("t(28) > -2.0, p = .30").error is False
    # and "t < -2.0" says |t| > 1.95: p = .30 is impossible
    assert check_result("t(28) < -2.0, p = .30").error is True


def test_f_below_one_with_exact_p_is_not_flagged():
    # F(1, 20) < 1 means p > .33; statcheck's bound choice flags p = .35, ours does not
    assert check_result("F(1, 20) < 1, p = .35").error is False
    assert check_result("F(1, 20) < 1, p = .05").error is True
    assert check_result("F(1, 20) < 1, ns").error is False


# ------------------------------------------------------------------------------- parsing

@pytest.mark.parametrize("raw, kind, df1, df2, stat, p_comp, p_text", [
    ("t(28)=2.20,p=.036", "t", 28, None, "2.20", "=", ".036"),
    ("t (28) = 2.20 , p = 0.036", "t", 28, None, "2.20", "=", "0.036"),
    ("t(17.43) = 2.20, p = .04", "t", 17.43, None, "2.20", "=", ".04"),
    ("F(2,28)=2.20, p = .13", "F", 2, 28, "2.20", "=", ".13"),
    ("F(2, 28) = 2.20, p \u2264 .13", "F", 2, 28, "2.20", "<", ".13"),
    ("F(2, 28) = 2.20, p \u2265 .10", "F", 2, 28, "2.20", ">", ".10"),
    ("\u03c72(1, N = 40) = 3.20, p = .07", "chi2", 1, None, "3.20", "=", ".07"),
    ("\u03c7\u00b2(1) = 3.20, p = .07", "chi2", 1, None, "3.20", "=", ".07"),
    ("chi2(1) = 3.20, p = .07", "chi2", 1, None, "3.20", "=", ".07"),
    ("X2(1, N = 40) = 3.20, p = .07", "chi2", 1, None, "3.20", "=", ".07"),
    ("Z = 2.42, p < .05", "z", None, None, "2.42", "<", ".05"),
    ("r(18) = -.65, 95% CI [-.85, -.29], p = .002", "r", 18, None, "-.65", "=", ".002"),
    ("r = -.65, p = .002", "r", None, None, "-.65", "=", ".002"),
    ("t(28) = 1.20, ns", "t", 28, None, "1.20", "ns", "ns"),
    ("t(28) = 1.20, n.s.", "t", 28, None, "1.20", "ns", "n.s."),
    ("t(28) = - 2.20, p > .01", "t", 28, None, "-2.20", ">", ".01"),
    ("d = .43, p = .03", "d", None, None, ".43", "=", ".03"),
])
def test_parse_forms(raw, kind, df1, df2, stat, p_comp, p_text):
    parsed = parse_text(f"We found that ({raw}).")
    assert len(parsed) == 1, parsed.skipped
    assert parsed.test_type[0] == kind
    assert (None if math.isnan(parsed.df1[0]) else parsed.df1[0]) == df1
    assert (None if math.isnan(parsed.df2[0]) else parsed.df2[0]) == df2
    assert parsed.statistic[0] == stat
    assert parsed.p_comparison[0] == p_comp
    assert parsed.p_text[0] == p_text


def test_decimals_recorded_as_printed():
    res = check_result("t(28) = 2.0, p = .050")
    assert res.statistic == "2.0" and res.statistic_decimals == 1
    assert res.reported_p_text == ".050" and res.p_decimals == 3
    assert check_result("r(18) = -.650, p = .0019").statistic_decimals == 3


@pytest.mark.parametrize("text", [
    "the part(3) = 2.20, p = .03 was odd",  # t inside a word
    "T(28) = 2.20, p = .03",  # statcheck is case-sensitive for t
    "R(18) = .65, p = .002",
    "t(28) = 2.20 (p = .03)",
    "no statistics here",
    "",
])
def test_not_results(text):
    assert len(parse_text(text)) == 0
    with pytest.raises(InputError):
        check_text(text)


def test_incomplete_forms_are_skipped_with_reason():
    report = check_text("F = 3.2, p = .05 and t = 2.1, p = .04 and t(28) = 2.20, p = .036")
    assert len(report) == 1
    assert {s.reason.split(" ")[0] for s in report.skipped} == {"F", "t"}


def test_positions_and_raw():
    text = "First t(28) = 2.20, p = .036; then r(18) = -.65, p = .002."
    report = check_text(text)
    for res in report:
        assert text[res.start:res.end] == res.raw


def test_r_printed_with_n_instead_of_df_is_noted():
    # r = .45 with p = .030 fits df = 21 (n = 23) - printed as r(23) it is an error with a hint
    res = check_result("r(23) = -.45, p = .030")
    assert res.error is True
    assert any("is N (df = 21)" in n for n in res.notes)


def test_rounding_only_consistency_is_noted():
    # statcheck issue #36: r(97) = .17, p = .084 consistent only through rounding of r
    res = check_result("r(97) = .17, p = .084")
    assert res.status == "consistent"
    assert round(res.computed_p, 4) == 0.0925
    assert any("only through the rounding" in n for n in res.notes)


def test_r_without_df_in_text_gets_n_set():
    res = check_result("r = -.47, p = .036")
    assert res.status == "undetermined" and res.computed_p is None
    assert res.consistent_n == "20"
    res = check_result("r = -.47, p = .036", n=20)
    assert res.status == "consistent" and res.df1 == 18
    assert check_result("r = -.47, p = .036", n=30).status == "inconsistent"


def test_r_without_df_no_n_fits_is_inconsistent():
    # r = .10 can never give p = .001 with n <= 200
    res = check_result("r = .10, p = .001", n_max=200)
    assert res.status == "inconsistent" and res.error is True


def test_paired_d_with_n_is_checked_as_dz():
    # d_z = .52 with n = 20: t(19) = 2.33, p ~ .031
    assert check_result("d = .52, p = .03", n=20).status == "consistent"
    res = check_result("d = .43, p = .03", n=20)
    # as d_z, t(19) = 1.92 gives p = .07: not significant, so a decision error
    assert res.error is True and res.status == "decision_error"
    assert any("d_z" in n for n in res.notes)
    undetermined = check_result("d = .43, p = .03", n_max=24)
    assert undetermined.status == "undetermined" and "d_z two-tailed n = none" in undetermined.notes[0]


def test_bad_options_raise_input_error():
    with pytest.raises(InputError):
        check_text("t(28) = 2.20, p = .036", alpha=1.5)
    with pytest.raises(InputError):
        check_text("t(28) = 2.20, p = .036", n_min=50, n_max=10)
    with pytest.raises(InputError, match="expected one result"):
        check_result("t(28) = 2.20, p = .036; t(28) = 2.20, p = .036")


def test_result_objects_are_frozen_and_render():
    res = check_result("t(28) = 2.20, p = .03")
    with pytest.raises(AttributeError):
        res.status = "consistent"  # type: ignore[misc]
    assert "inconsistent" in res.apa()
    assert res.to_frame().shape[0] == 1
    report = check_text("t(28) = 2.20, p = .03")
    assert "1 inconsistent" in report.apa()


def test_fast_p_text_equals_fmt_p_number():
    """The fast path of the rounding note's p text agrees with the decimal one, ties included."""
    import random

    from alliance_analysis.audit.check import _fmt_p_fast, fmt_p_number

    rng = random.Random(11)
    values = [rng.random() for _ in range(20_000)] + [rng.random() * 1e-3 for _ in range(5_000)]
    values += [k / 1e5 + 5e-6 for k in range(0, 100_000, 7)]  # printed ties: .000125 etc.
    values += [float(f"0.{rng.randrange(10**5):05d}5") for _ in range(5_000)]
    values += [0.0, 1.0, 1e-4, 0.99999, 0.999995, 0.000105, float("nan"), 0.00009999]
    for v in values:
        assert _fmt_p_fast(v) == fmt_p_number(v), v
