"""A reproduction runs BLAS on one thread unless the user set the thread count (a fact checked
through threadpoolctl, not a timing)."""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("threadpoolctl")

CODE = """
from alliance_analysis.commands.reproduce import one_blas_thread
with one_blas_thread():
    import numpy, scipy.linalg, threadpoolctl, json
    print(json.dumps(sorted({i["num_threads"] for i in threadpoolctl.threadpool_info()
                             if i["user_api"] == "blas"})))
"""


def _threads(env_extra: dict[str, str]) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True,
                         env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_one_blas_thread_before_numpy_is_loaded():
    assert _threads({}) == [1]


def test_the_users_own_setting_wins():
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: OpenBLAS caps its threads at the CPU count")
    assert _threads({"OPENBLAS_NUM_THREADS": "2"}) == [2]


def test_after_numpy_is_loaded_threadpoolctl_limits_the_block():
    # the limit covers the libraries loaded when the block starts
    code = "import numpy, scipy.linalg\n" + CODE
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [1]
