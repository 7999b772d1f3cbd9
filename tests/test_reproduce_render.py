"""Figures rendered in worker processes are the files a serial run writes, in the same order."""

import sys
from pathlib import Path

import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.reproduce.outputs import write_outputs
from alliance_analysis.reproduce.pipeline import run_reproduction
from alliance_analysis.reproduce.render import default_jobs, render_figures

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run():
    return run_reproduction("davis2024", root=ROOT)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_parallel_and_serial_outputs_are_byte_identical(run, tmp_path):
    serial = write_outputs(run, tmp_path / "serial", jobs=1).parent
    parallel = write_outputs(run, tmp_path / "parallel", jobs=3).parent
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    assert len([f for f in files if f.suffix == ".png"]) == 14
    for rel in files:
        assert (serial / rel).read_bytes() == (parallel / rel).read_bytes(), rel


def test_a_figure_error_reaches_the_caller(tmp_path):
    def broken():
        raise InputError("no such column", column="wai")

    plan = [("ok", broken, "caption"), ("bad", broken, "caption")]
    for jobs in (1, 2):
        with pytest.raises(InputError, match="no such column"):
            with render_figures(plan, tmp_path / f"j{jobs}", jobs=jobs) as rendering:
                rendering.entries()


def test_jobs_must_be_positive(tmp_path):
    with pytest.raises(InputError, match="at least 1"):
        with render_figures([], tmp_path, jobs=0):
            pass
    assert 1 <= default_jobs() <= 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_figures_started_before_the_claims_give_the_same_files(run, tmp_path):
    from alliance_analysis.reproduce.outputs import reproduce_and_write

    serial = write_outputs(run, tmp_path / "serial", jobs=1).parent
    early_run, report = reproduce_and_write("davis2024", tmp_path / "early", root=ROOT, jobs=2)
    early = report.parent
    assert early_run.n_reproduced == run.n_reproduced == len(run.claims) > 0
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(early) for p in early.rglob("*") if p.is_file())
    for rel in files:
        assert (serial / rel).read_bytes() == (early / rel).read_bytes(), rel
