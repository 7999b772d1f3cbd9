"""alliance_analysis: reproducible statistics on the therapeutic alliance in psychedelic trials.

Three uses: reproduce published alliance statistics claim by claim, audit printed numbers for
internal consistency, and analyse a trial's own data with the same code.

Importing the package is deliberately light: numpy and pandas are imported on demand by the
sub-modules, and scipy.stats, statsmodels and matplotlib only inside the functions that need
them (a test checks this through ``sys.modules`` in a fresh interpreter).
"""

from __future__ import annotations

from ._version import __version__
from .errors import AllianceAnalysisError, InputError

__all__ = ["__version__", "AllianceAnalysisError", "InputError"]
