"""BLAS threads: small matrix products run on one thread (threadpoolctl), large ones untouched,
and the numbers do not depend on it."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.stats import _threads, correlation_matrix


def test_small_work_limits_blas_threads_large_work_does_not():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    assert isinstance(_threads.blas_threads_for(_threads.SMALL_WORK * 10), contextlib.nullcontext)
    with _threads.blas_threads_for(1e6):
        blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert blas and all(i["num_threads"] == 1 for i in blas)


def test_same_correlations_with_and_without_the_limit(monkeypatch):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 80)))
    frame.columns = [f"v{i}" for i in range(80)]
    limited = correlation_matrix(frame).long["r"].to_numpy()
    monkeypatch.setattr(_threads, "SMALL_WORK", 0.0)
    default = correlation_matrix(frame).long["r"].to_numpy()
    np.testing.assert_allclose(limited, default, rtol=0, atol=1e-14)
