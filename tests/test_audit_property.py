"""Property tests: correctly rendered results are consistent; the parser only raises InputError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_analysis.apa import apa_f, apa_r, apa_t
from alliance_analysis.audit import check_result, check_text, parse_text
from alliance_analysis.errors import InputError


@settings(max_examples=300, deadline=None)
@given(t=st.floats(-12, 12, allow_nan=False), df=st.integers(1, 400))
def test_correct_t_is_consistent(t, df):
    from scipy import stats

    p = 2 * stats.t.sf(abs(t), df)
    res = check_result(apa_t(t, df, p))
    assert res.status == "consistent", (apa_t(t, df, p), res)


@settings(max_examples=200, deadline=None)
@given(r=st.floats(-0.999, 0.999, allow_nan=False), df=st.integers(2, 400))
def test_correct_r_is_consistent(r, df):
    from scipy import stats

    t = r * (df / (1 - r * r)) ** 0.5
    p = 2 * stats.t.sf(abs(t), df)
    text = apa_r(r, df, p)
    assert check_result(text).status == "consistent", text


@settings(max_examples=200, deadline=None)
@given(f=st.floats(0, 40, allow_nan=False), df1=st.integers(1, 6), df2=st.integers(2, 300))
def test_correct_f_is_consistent(f, df1, df2):
    from scipy import stats

    text = apa_f(f, df1, df2, stats.f.sf(f, df1, df2))
    assert check_result(text).status == "consistent", text


ALPHABET = st.sampled_from(list("tFrzZdpnsχX2N()=<>≤≥.,;-−–0123456789 %CI[]\n") +
                           ["p = ", "t(", "r(", "F(", "χ2(", ", p < ", "ns", "n.s.", ".0", "1."])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(ALPHABET, max_size=60).map("".join)))
def test_random_text_only_raises_input_error(text):
    parse_text(text)
    try:
        report = check_text(text, n_max=300)
    except InputError:
        return
    assert len(report) >= 1
    report.to_frame()
    for res in report:
        assert res.status in ("consistent", "inconsistent", "decision_error", "undetermined")
