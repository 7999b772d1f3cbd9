"""Definition-file validation, range property tests, CLI and docs consistency."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from alliance_analysis import cli
from alliance_analysis.errors import InputError
from alliance_analysis.instruments import (
    DefinitionError,
    get_instrument,
    list_instruments,
    load_definition,
    parse_definition,
)

ROOT = Path(__file__).resolve().parents[1]
DEFS = ROOT / "src" / "alliance_analysis" / "instruments" / "definitions"


def wai_sr_data() -> dict:
    return tomllib.loads((DEFS / "wai_sr.toml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- loader validation


def test_every_shipped_definition_loads_from_its_file():
    files = sorted(DEFS.glob("*.toml"))
    assert len(files) == len(list_instruments()) == 13
    for f in files:
        assert load_definition(f).id == f.stem


def test_definition_error_is_an_input_error():
    assert issubclass(DefinitionError, InputError)


def _expect(data: dict, *fragments: str) -> None:
    with pytest.raises(DefinitionError) as exc:
        parse_definition(data, origin="test.toml")
    msg = str(exc.value)
    assert "test.toml" in msg
    for frag in fragments:
        assert frag in msg, msg


def test_unknown_key_is_rejected():
    d = wai_sr_data()
    d["scales"][1]["itmes"] = [1, 2]
    _expect(d, "unknown key", "itmes", "'task'")


def test_item_number_outside_range():
    d = wai_sr_data()
    d["scales"][1]["items"] = [1, 2, 10, 13]
    _expect(d, "13", "1..12")


def test_declared_range_must_match_items():
    d = wai_sr_data()
    d["scales"][1]["range"] = [4, 28]  # a WAI-S (1-7) range on a 1-5 scale
    _expect(d, "disagrees", "[4.0, 20.0]")


def test_precomputed_only_needs_a_reason():
    d = tomllib.loads((DEFS / "piq.toml").read_text(encoding="utf-8"))
    del d["reason"]
    _expect(d, "'reason' is required")


def test_precomputed_only_cannot_declare_items_or_rules():
    d = tomllib.loads((DEFS / "star_p.toml").read_text(encoding="utf-8"))
    d2 = copy.deepcopy(d)
    d2["items"] = {"count": 12, "min": 0, "max": 4}
    _expect(d2, "must not declare items")
    d3 = copy.deepcopy(d)
    d3["scales"][0]["rule"] = "sum"
    _expect(d3, "cannot compute")


def test_prorating_needs_equal_item_ranges():
    d = tomllib.loads((DEFS / "grid_hamd_17.toml").read_text(encoding="utf-8"))
    d["scales"][0]["max_missing"] = 2
    _expect(d, "equal ranges")


def test_undefined_source_code():
    d = wai_sr_data()
    d["scales"][0]["sources"] = ["S99"]
    _expect(d, "S99", "not defined")


def test_partition_must_cover_every_item_once():
    d = wai_sr_data()
    d["scales"][3]["items"] = [4, 6, 8, 12]  # goal takes task's item 12, item 11 uncovered
    d["scales"][3]["range"] = [4, 20]
    _expect(d, "partition", "duplicated: [12]", "not covered: [11]")


def test_id_must_match_file_name(tmp_path):
    p = tmp_path / "other.toml"
    p.write_text((DEFS / "wai_sr.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DefinitionError, match="does not match the file name"):
        load_definition(p)


def test_invalid_toml(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text("id = ", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid TOML"):
        load_definition(p)


def test_scale_referring_to_later_scale():
    d = tomllib.loads((DEFS / "qids_sr16.toml").read_text(encoding="utf-8"))
    d["scales"] = [d["scales"][3], *d["scales"][:3]]  # total before its domains
    _expect(d, "declared later or never")


def test_status_vocabulary():
    d = wai_sr_data()
    d["scales"][0]["status"] = "probably"
    _expect(d, "'status' must be one of")


def test_max_missing_must_leave_something():
    d = wai_sr_data()
    d["scales"][1]["max_missing"] = 4
    _expect(d, "max_missing")


# ---------------------------------------------------------------- keys as data


def test_item_scored_definitions_cite_sources_and_state_missing_rule():
    for inst in list_instruments():
        assert inst.citation
        if inst.accepts_items:
            assert inst.missing_rule
            for spec in inst.scale_specs:
                assert spec.status in {"verified", "verified_single_source", "unverified"}
        else:
            assert inst.reason and inst.notes


def test_subscales_partition_items():
    # independent restatement of the reference's partitions
    cases = {
        "wai_sr": ("task", "bond", "goal"),
        "wai_36": ("goal", "task", "bond"),
        "meq30": ("mystical", "positive_mood", "transcendence", "ineffability"),
        "ies_r": ("intrusion", "avoidance", "hyperarousal"),
        "caps_5": ("b", "c", "d", "e"),
    }
    for iid, scales in cases.items():
        inst = get_instrument(iid)
        items = sorted(i for s in scales for i in inst.scale_spec(s).items)
        assert items == list(inst.item_ids), iid


# ---------------------------------------------------------------- property: scores in range

ITEM_INSTRUMENTS = [i.id for i in list_instruments() if i.accepts_items]


@st.composite
def valid_items(draw, iid: str):
    inst = get_instrument(iid)
    n = draw(st.integers(1, 20))
    u = draw(hnp.arrays(np.float64, (n, inst.n_items),
                        elements=st.floats(0, 1, allow_nan=False, width=32)))
    miss = draw(hnp.arrays(np.bool_, (n, inst.n_items)))
    lo = np.asarray(inst.item_min)
    hi = np.asarray(inst.item_max)
    x = lo + u * (hi - lo)
    if inst.integer_items:
        x = np.clip(np.round(x), lo, hi)
    return np.where(miss, np.nan, x)


@pytest.mark.parametrize("iid", ITEM_INSTRUMENTS)
def test_random_valid_items_score_inside_declared_range(iid):
    inst = get_instrument(iid)

    @settings(max_examples=40, deadline=None)
    @given(valid_items(iid))
    def check(x):
        assert not inst.out_of_range(x).any()
        for name, sc in inst.score(x).items():
            lo, hi = inst.scale_range(name)
            s = sc.score[~np.isnan(sc.score)]
            assert (s >= lo - 1e-9).all() and (s <= hi + 1e-9).all(), (name, s, lo, hi)
            assert ((sc.n_answered >= 0) & (sc.n_answered <= sc.n_items)).all()

    check()


@pytest.mark.parametrize("iid", ITEM_INSTRUMENTS)
def test_extreme_rows_hit_declared_range_ends(iid):
    """All items at their 'lowest keyed' value give the range minimum, and vice versa."""
    inst = get_instrument(iid)
    lo, hi = np.asarray(inst.item_min), np.asarray(inst.item_max)
    rev = np.isin(inst.item_ids, inst.reverse_items)
    low_row = np.where(rev, hi, lo)
    high_row = np.where(rev, lo, hi)
    s = inst.score(np.vstack([low_row, high_row]))
    for spec in inst.scale_specs:
        if spec.rule in ("sum", "mean", "max", "percent_of_max"):
            rng = inst.scale_range(spec.name)
            assert s[spec.name].score.tolist() == pytest.approx(list(rng)), spec.name


# ---------------------------------------------------------------- CLI


def test_cli_table(capsys):
    assert cli.main(["instruments"]) == 0
    out = capsys.readouterr().out
    for inst in list_instruments():
        assert inst.id in out
    assert "precomputed only" in out
    for iid in ("wai_s", "star_p", "piq", "peq", "caps_iv"):
        assert get_instrument(iid).reason in out
    assert "0–4 ×9, 0–2 ×8" in out  # GRID-HAMD per-item ranges


def test_cli_json(capsys):
    assert cli.main(["instruments", "--json", "wai_sr", "meq30"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == ["wai_sr", "meq30"]
    task = next(s for s in data[0]["scales"] if s["name"] == "task")
    assert task["items"] == [1, 2, 10, 12] and task["range"] == [4.0, 20.0]


def test_cli_unknown_id(capsys):
    assert cli.main(["instruments", "nope"]) == 2
    assert "Known instruments" in capsys.readouterr().err


def test_cli_does_not_import_heavy_modules():
    code = (
        "import contextlib, io, sys, json\n"
        "from alliance_analysis import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['instruments', '--json'])\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not [m for m in ("scipy", "scipy.stats", "statsmodels", "matplotlib") if m in loaded]


# ---------------------------------------------------------------- docs


def test_docs_cover_every_instrument():
    text = (ROOT / "docs" / "instruments.md").read_text(encoding="utf-8")
    for inst in list_instruments():
        assert f"`{inst.id}`" in text, inst.id
        if not inst.accepts_items:
            assert "precomputed only" in text.lower()
