"""Locating the package's shipped TOML files (registries, designs, reproduction specs)."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError


def shipped_toml(name: str | Path, directory: Path, kind: str) -> Path:
    """``directory/NAME.toml`` for a shipped name, or ``name`` itself when it is a ``.toml`` path.

    An unknown name raises :class:`InputError` listing the shipped ones (``kind`` names them in
    the message, e.g. "claims registry").
    """
    path = Path(name)
    if path.suffix == ".toml":
        return path
    candidate = directory / f"{name}.toml"
    if not candidate.exists():
        known = sorted(p.stem for p in directory.glob("*.toml"))
        raise InputError(f"no {kind} named '{name}'", hint=f"Known: {', '.join(known)}")
    return candidate
