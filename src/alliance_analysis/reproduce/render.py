"""A reproduction's figures built and rendered in worker processes, beside the main process.

Drawing with matplotlib is most of a reproduction's time (the Davis reproduction: 14 figures,
about 0.1 s of CPU each, against about 0.4 s for all its claims and tables). :func:`render_figures`
forks ``jobs`` workers once the claims are computed; each builds and saves whole figures from the
run's figure plan (``(stem, maker, caption)``, :func:`.outputs.figure_plan`) while the main
process writes the claims and tables, and the report entries come back in plan order.

* The workers are forked (they inherit the computed run and the loaded libraries: nothing is
  pickled but the report entries coming back, nothing imported twice). Where ``fork`` is not the
  platform's safe default (macOS, Windows), or with ``jobs=1``, or for a single figure, the
  figures are rendered in this process instead.
* Output is the same either way: each figure is built from the same data by the same code and
  saved with the deterministic settings of :func:`alliance_analysis.report.figures.save_figure`
  (tests/test_reproduce_render.py compares the bytes of a serial and a parallel run).
* An error inside a figure is raised in the main process, as it would be without workers.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["render_figures", "default_jobs", "MAX_JOBS"]

#: at most this many worker processes by default
MAX_JOBS = 4

_PLAN: Sequence[tuple[str, Callable[[], Any], str]] = ()


def default_jobs() -> int:
    """One worker per CPU this process may use, at most :data:`MAX_JOBS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


def _can_fork() -> bool:
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _render(item: tuple[str, Callable[[], Any], str], out: Path, svg: bool) -> dict[str, str]:
    """Build one figure of a plan and save it under ``out``; its report entry."""
    from ..report.files import write_figure

    stem, make, caption = item
    return write_figure(make(), out / stem, caption, svg=svg)


def _render_one(index: int, out: str, svg: bool) -> dict[str, str]:
    """Worker task: figure ``index`` of the plan the workers inherited."""
    return _render(_PLAN[index], Path(out), svg)


class _Rendering:
    def __init__(self, futures: list[Any] | None, plan: Sequence, out: Path, svg: bool) -> None:
        self._futures, self._plan, self._out, self._svg = futures, plan, out, svg

    def entries(self) -> list[dict[str, str]]:
        """The report entries (caption, title, alt, base64 PNG) in plan order, once all are saved."""
        if self._futures is None:  # in this process
            return [_render(item, self._out, self._svg) for item in self._plan]
        return [f.result() for f in self._futures]


@contextlib.contextmanager
def render_figures(plan: Sequence[tuple[str, Callable[[], Any], str]], out: str | Path, *,
                   svg: bool = False, jobs: int | None = None) -> Iterator[_Rendering]:
    """Start rendering ``plan`` under ``out`` in ``jobs`` forked workers (default
    :func:`default_jobs`); the block runs meanwhile, and ``.entries()`` waits for the figures.

    ``jobs=1`` (or a platform without a safe ``fork``) renders in this process when
    ``.entries()`` is called.
    """
    global _PLAN
    out = Path(out)
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        from ..errors import InputError

        raise InputError("jobs must be at least 1", value=jobs)
    workers = min(jobs, len(plan))
    if workers < 2 or not _can_fork():
        yield _Rendering(None, plan, out, svg)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # loaded before the fork, so that no worker imports them again
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    out.mkdir(parents=True, exist_ok=True)
    _PLAN = plan
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_render_one, i, str(out), svg) for i in range(len(plan))]
        yield _Rendering(futures, plan, out, svg)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _PLAN = ()
