"""`alliance-analysis power ...` end to end through the dispatcher."""

from __future__ import annotations

import json

import pytest

from alliance_analysis import cli


def _run(capsys, *argv):
    code = cli.main(["power", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_power_r(capsys):
    code, out, _ = _run(capsys, "r", "--n", "20", "--rho", ".5")
    assert code == 0
    assert out.strip() == ("With n = 20 and two-sided alpha = .05, power to detect r = .50 is "
                           ".64 (exact).")


def test_mde_and_sample_size(capsys):
    code, out, _ = _run(capsys, "r", "--n", "20")
    assert code == 0 and "is r = .58 (exact)" in out
    code, out, _ = _run(capsys, "r", "--rho", ".5", "--target-power", ".8", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["n"] == 29 and payload["method"] == "exact"
    code, out, _ = _run(capsys, "r", "--rho", ".3", "--target-power", ".8", "--method",
                        "fisher_z", "--json")
    assert json.loads(out)["n"] == 85


def test_dz(capsys):
    code, out, _ = _run(capsys, "dz", "--n", "20", "--dz", "0.5", "--json")
    assert code == 0 and json.loads(out)["df"] == 19
    code, out, _ = _run(capsys, "dz", "--n", "20", "--alternative", "greater")
    assert code == 0 and "d_z = 0.58" in out
    code, out, _ = _run(capsys, "dz", "--dz", ".5")
    assert code == 0 and "n = 34 participants" in out


def test_simulate(capsys):
    code, out, err = _run(capsys, "simulate", "--n", "24", "--rho", ".5", "--attrition", ".1",
                          "--k", "4", "--correction", "holm", "--sims", "2000", "--seed", "1",
                          "--json")
    assert code == 0 and err == ""   # no progress output when not on a TTY
    payload = json.loads(out)
    assert len(payload["power"]) == 4 and payload["seed"] == 1
    code2, out2, _ = _run(capsys, "simulate", "--n", "24", "--rho", ".5", "--attrition", ".1",
                          "--k", "4", "--correction", "holm", "--sims", "2000", "--seed", "1",
                          "--json")
    assert json.loads(out2) == payload
    code, out, _ = _run(capsys, "simulate", "--n", "24", "--rho", ".5", ".3", "--sims", "500",
                        "--seed", "3")
    assert code == 0 and "any" in out and "2 tests" in out


def test_sensitivity(capsys):
    code, out, _ = _run(capsys, "sensitivity", "--json")
    payload = json.loads(out)
    assert code == 0 and [row["n"] for row in payload["rows"]] == [16, 20, 23, 24]
    code, out, _ = _run(capsys, "sensitivity", "--ns", "30")
    assert code == 0 and "30" in out


@pytest.mark.parametrize("argv", [
    ["r", "--n", "2", "--rho", ".5"],
    ["r", "--rho", "1.5", "--n", "10"],
    ["r"],
    ["r", "--n", "20", "--rho", ".5", "--target-power", ".8"],
    ["dz", "--n", "20", "--power", "1.2"],
    ["simulate", "--n", "24", "--rho", ".5", ".3", "--k", "3"],
    [],
])
def test_bad_input_exits_2(capsys, argv):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err
