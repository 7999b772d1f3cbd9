"""Claims registry: shipped files load and are complete; bad files are refused clearly.

Values in the fake registries below are invented for the test (not published numbers).
"""

import textwrap

import pytest

from alliance_analysis.claims import check_claim_value, load_registries, load_registry, p_holds
from alliance_analysis.errors import InputError

SHIPPED = ["levin2024", "davis2021", "gukasyan2022"]


def test_shipped_registries_load_with_unique_ids():
    regs = load_registries(SHIPPED)
    assert [r.id for r in regs] == SHIPPED
    assert sum(len(r.claims) for r in regs) == 31


def test_every_unprinted_quantity_is_labelled():
    for reg in load_registries(SHIPPED):
        for c in reg.claims:
            if c.n is not None:
                assert c.n_status in ("printed", "inferred", "assumed"), c.id
            if c.statistic == "d":
                assert c.formula and c.formula_status, c.id
            for a in c.assumptions:
                assert a in reg.assumptions, (c.id, a)


def test_levin_claim_ids_cover_the_abstract():
    ids = {c.id for c in load_registry("levin2024").claims}
    assert {f"L{i}" for i in range(1, 14)} <= ids


def _write(tmp_path, body):
    p = tmp_path / "fake.toml"
    p.write_text(textwrap.dedent(body))
    return p


HEADER = """
schema = 1
[paper]
id = "fake"
citation = "Fake (2000)"
"""


def test_unknown_field_is_refused_with_file_and_claim(tmp_path):
    p = _write(tmp_path, HEADER + """
    [[claim]]
    id = "F1"
    description = "d"
    quote = "q"
    source = "s"
    analysis = "count"
    statistic = "N"
    printed = "10"
    prnted = "11"
    """)
    with pytest.raises(InputError) as err:
        load_registry(p)
    msg = str(err.value)
    assert "fake.toml" in msg and "F1" in msg and "prnted" in msg


def test_numeric_printed_value_is_refused(tmp_path):
    p = _write(tmp_path, HEADER + """
    [[claim]]
    id = "F2"
    description = "d"
    quote = "q"
    source = "s"
    analysis = "correlation"
    x = "a"
    y = "b"
    statistic = "r"
    printed = -0.3
    p_printed = ".01"
    p_comparator = "="
    """)
    with pytest.raises(InputError, match="exactly as printed"):
        load_registry(p)


def test_d_claim_needs_formula(tmp_path):
    p = _write(tmp_path, HEADER + """
    [[claim]]
    id = "F3"
    description = "d"
    quote = "q"
    source = "s"
    analysis = "paired_change"
    pre = "a"
    post = "b"
    direction = "increase"
    statistic = "d"
    printed = ".30"
    """)
    with pytest.raises(InputError, match="formula"):
        load_registry(p)


def test_n_without_status_is_refused(tmp_path):
    p = _write(tmp_path, HEADER + """
    [[claim]]
    id = "F4"
    description = "d"
    quote = "q"
    source = "s"
    analysis = "count"
    statistic = "N"
    printed = "10"
    n = 10
    """)
    with pytest.raises(InputError, match="n_status"):
        load_registry(p)


def test_unknown_registry_name_lists_known():
    with pytest.raises(InputError, match="levin2024"):
        load_registry("nope2099")


def test_p_holds_comparators():
    assert p_holds(0.0364, "=", ".036") and not p_holds(0.0366, "=", ".036")
    assert p_holds(0.00099, "<", ".001") and not p_holds(0.0010, "<", ".001")
    assert p_holds(0.05, ">=", ".05") and not p_holds(0.0499, ">=", ".05")
    assert not p_holds(float("nan"), "=", ".036")


def test_check_claim_value_needs_both_r_and_p(tmp_path):
    p = _write(tmp_path, HEADER + """
    [[claim]]
    id = "F5"
    description = "d"
    quote = "q"
    source = "s"
    analysis = "correlation"
    x = "a"
    y = "b"
    statistic = "r"
    printed = "-.30"
    p_printed = ".040"
    p_comparator = "="
    """)
    claim = load_registry(p).get("F5")
    assert check_claim_value(claim, -0.3049, 0.0404)[0]
    ok, why = check_claim_value(claim, -0.3051, 0.0404)
    assert not ok and "does not round" in why
    ok, why = check_claim_value(claim, -0.30, 0.0406)
    assert not ok and "p =" in why


def test_registry_inferred_n_fits_the_printed_r_and_p():
    """The registry's inferred n must be one the printed (r, p) pair allows (audit module)."""
    from alliance_analysis.reproduce.printed_audit import audit_printed_claims

    rows = audit_printed_claims(load_registries(SHIPPED))
    assert {r["claim_id"] for r in rows} >= {f"L{i}" for i in range(3, 14)} | {"L2"}
    assert not [r for r in rows if r["flag"]], [r["verdict"] for r in rows if r["flag"]]


def test_d_claim_audit_says_two_tailed_dz_is_impossible():
    from alliance_analysis.reproduce.printed_audit import audit_printed_claims

    row = next(r for r in audit_printed_claims(load_registries(SHIPPED)) if r["claim_id"] == "L2")
    assert "d_z two-tailed n = none" in row["verdict"]


def test_significance_claims_use_their_p_comparator():
    reg = load_registry("levin2024")
    not_sig = reg.get("Q1")  # expected 'not significant': p >= .05
    assert check_claim_value(not_sig, 0.44)[0]
    assert not check_claim_value(not_sig, 0.049)[0]
    sig = reg.get("Q2")  # expected 'significant': p < .05
    assert check_claim_value(sig, 0.0266)[0]
    assert not check_claim_value(sig, 0.05)[0]
