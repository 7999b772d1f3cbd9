"""Errors meant for people.

Every refusal of user input is an :class:`InputError` that names where the problem is (file, row,
column, value) and what to do about it. The CLI prints ``error: <message>`` and exits 2 for any
:class:`AllianceAnalysisError`; nothing else in the package chooses exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class AllianceAnalysisError(Exception):
    """Base class of the package's own errors (the CLI turns these into exit code 2)."""


@dataclass(eq=False)
class InputError(AllianceAnalysisError, ValueError):
    """Bad user input, located as precisely as possible.

    ``row`` is the 1-based data row as a person sees it in a spreadsheet (header = row 1, so the
    first data row is row 2) when the caller knows the file layout; callers say which in ``what``.
    """

    what: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = (", ".join(where) + ": " if where else "") + self.what
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.hint:
            text += f". {self.hint}"
        return text

    def __str__(self) -> str:
        return self.message


class ComputationWarning(UserWarning):
    """A statistic could not be computed as asked (e.g. constant variable): result is NaN."""
