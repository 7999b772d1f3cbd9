#!/usr/bin/env python
"""Reproduce Zeifman et al. (2024, Eur J Psychotraumatol 15:2297536) claim by claim, end to end.

By default runs on the committed SYNTHETIC dataset (calibrated to the published summaries; not
the trial's participants). A team with the real export runs the same script with
``--data FILE --mapping MAP.toml``. All logic is in ``alliance_analysis.reproduce``.
"""

import sys
from pathlib import Path

from alliance_analysis.commands.reproduce import main_for

if __name__ == "__main__":
    sys.exit(main_for("zeifman2024", sys.argv[1:], root=Path(__file__).resolve().parents[1]))
