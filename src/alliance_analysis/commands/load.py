"""`alliance-analysis load` (not implemented yet)."""

from __future__ import annotations

import argparse

from ..errors import InputError


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser("load", help=help_text, description=help_text)
    p.set_defaults(command="load")


def run(args: argparse.Namespace) -> int:
    raise InputError("the 'load' command is not implemented yet")
