"""One BLAS thread for small matrix products (threadpoolctl, when it is installed).

On a busy machine OpenBLAS's default thread pool costs more than it saves on small products:
``correlation_matrix`` of 60 × 1000 took 60 ms with the default threads and 3 ms with one on a
shared 2-core machine (oversubscription; see ``benchmarks/bench_stats.py``, which times both).
:func:`blas_threads_for` returns a context manager that limits BLAS to one thread when the work
(about n·k² multiply-adds) is below :data:`SMALL_WORK`, and does nothing for larger problems,
where threads pay off. threadpoolctl is an optional dependency: without it the products run with
the library's defaults (same numbers, possibly slower on small problems).
"""

from __future__ import annotations

import contextlib
from typing import Any

#: below this many multiply-adds a product runs on one BLAS thread
SMALL_WORK = 2e8

_controller: Any = None


def _get_controller() -> Any:
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # optional: no limit without it
            _controller = False
        else:
            _controller = ThreadpoolController()
    return _controller


def blas_threads_for(work: float) -> contextlib.AbstractContextManager:
    """One BLAS thread while the block runs if ``work`` < :data:`SMALL_WORK`, else no change."""
    if work >= SMALL_WORK:
        return contextlib.nullcontext()
    controller = _get_controller()
    if not controller:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")
