"""`alliance-analysis reproduce` (not implemented yet)."""

from __future__ import annotations

import argparse

from ..errors import InputError


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser("reproduce", help=help_text, description=help_text)
    p.set_defaults(command="reproduce")


def run(args: argparse.Namespace) -> int:
    raise InputError("the 'reproduce' command is not implemented yet")
