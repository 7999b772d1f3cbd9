#!/usr/bin/env python
"""Reproduce Szigeti et al. (2024, Psychological Medicine) row by row on REAL public data.

Fits every published mixed model (84 fits, 384 printed rows) on the shipped patient-level data of
the psilocybin vs escitalopram trial (MIT licence) and compares each printed cell at its printed
precision; writes out/szigeti2024/. All logic is in ``alliance_analysis.reproduce``.
"""

import sys
from pathlib import Path

from alliance_analysis.commands.reproduce import main_for

if __name__ == "__main__":
    sys.exit(main_for("szigeti2024", sys.argv[1:], root=Path(__file__).resolve().parents[1]))
