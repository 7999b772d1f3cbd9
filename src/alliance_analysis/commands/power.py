"""`alliance-analysis power` (not implemented yet)."""

from __future__ import annotations

import argparse

from ..errors import InputError


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser("power", help=help_text, description=help_text)
    p.set_defaults(command="power")


def run(args: argparse.Namespace) -> int:
    raise InputError("the 'power' command is not implemented yet")
