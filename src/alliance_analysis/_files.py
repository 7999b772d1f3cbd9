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


def read_user_toml(path: Path, what: str, option: str, doc: str) -> dict:
    """Parse a user's TOML file (a ``what`` such as "mapping", passed with ``option``), turning
    every way it can fail into one :class:`InputError` naming the file and pointing to ``doc``."""
    import tomllib

    if not path.exists():
        raise InputError(f"{what} file not found", file=str(path), hint=f"Check the {option} path")
    if path.is_dir():
        raise InputError(f"the {what} path is a folder, not a TOML file", file=str(path))
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the {what} is not valid TOML: {exc}", file=str(path),
                         hint=f"See {doc} for the format") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read the {what}: {exc}", file=str(path),
                         hint="Save it as UTF-8 text") from None


def shipped_data(relative: str | Path) -> Path:
    """Path of a file shipped under the project's ``data/`` folder (``public/psilodep2/scores.csv``).

    Works from a source checkout (``data/`` at the repository root) and from an installed wheel
    (the same tree installed as ``alliance_analysis/_data``). A leading ``data/`` is accepted.
    Raises :class:`InputError` when the file is not shipped.
    """
    rel = Path(relative)
    if rel.parts and rel.parts[0] == "data":
        rel = Path(*rel.parts[1:])
    here = Path(__file__).resolve().parent
    for root in (here / "_data", here.parents[1] / "data"):
        candidate = root / rel
        if candidate.exists():
            return candidate
    raise InputError(f"shipped data file '{Path('data') / rel}' not found",
                     hint="Reinstall the package, or pass the file's path explicitly")
