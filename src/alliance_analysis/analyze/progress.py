"""A tiny progress printer for long steps (the bootstrap): on a terminal only, quiet otherwise.

No dependency: one ``\\r``-rewritten line on stderr, shown only when ``stream.isatty()``.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """``Progress(total, label)``; call :meth:`step` after each unit of work.

    Prints ``label [#####.....] 3/8`` to ``stream`` (default ``sys.stderr``) only when
    ``enabled`` is true (default: the stream is a terminal); the last step ends the line.
    """

    def __init__(self, total: int, label: str, stream: TextIO | None = None,
                 enabled: bool | None = None, width: int = 24) -> None:
        self.total = max(0, int(total))
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty()) if callable(isatty) else False
        self.enabled = enabled and self.total > 0
        self.width = width
        self.done = 0
        if self.enabled:
            self._draw()

    def _draw(self) -> None:
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if self.done >= self.total else ""
        print(f"\r{self.label} [{bar}] {self.done}/{self.total}", end=end, file=self.stream,
              flush=True)

    def step(self, n: int = 1) -> None:
        """Advance by ``n`` units (and redraw when enabled)."""
        self.done = min(self.total, self.done + n)
        if self.enabled:
            self._draw()
