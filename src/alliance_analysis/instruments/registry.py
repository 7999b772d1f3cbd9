"""The package's instrument definitions (``definitions/*.toml``), loaded once and validated."""

from __future__ import annotations

import functools
from importlib import resources

from ..errors import InputError
from .loader import load_definition
from .model import Instrument


@functools.cache
def _registry() -> dict[str, Instrument]:
    folder = resources.files(__package__).joinpath("definitions")
    found: dict[str, Instrument] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as path:
                inst = load_definition(path)
            found[inst.id] = inst
    return found


def list_instruments() -> list[Instrument]:
    """Every instrument the package knows, sorted by id."""
    return list(_registry().values())


def get_instrument(instrument_id: str) -> Instrument:
    """The instrument with this id; :class:`InputError` listing the known ids otherwise."""
    reg = _registry()
    key = str(instrument_id).strip().lower()
    if key not in reg:
        raise InputError(
            f"unknown instrument '{instrument_id}'",
            hint=f"Known instruments: {', '.join(reg)}",
        )
    return reg[key]
