"""Questionnaires declared as data (``definitions/*.toml``) and a vectorised scoring engine.

Example::

    from alliance_analysis.instruments import get_instrument
    wai = get_instrument("wai_sr")
    scores = wai.score(items)      # items: n_rows × 12 float array, NaN = missing
    scores["task"].score           # sum of items 1, 2, 10, 12 (reference S10, S11, S12)

Item keys come only from the project's instrument notes; instruments whose key could not
be confirmed accept precomputed scores only (``Instrument.accepts_items`` is False and
``Instrument.reason`` says why). See docs/instruments.md.
"""

from __future__ import annotations

from .loader import DefinitionError, load_definition, parse_definition
from .model import Instrument, OutcomeRule, ScaleScore, ScaleSpec, StatusNote
from .outcomes import reduction, remission, response
from .peaks import peak, peak_session
from .registry import get_instrument, list_instruments

__all__ = [
    "DefinitionError",
    "Instrument",
    "OutcomeRule",
    "ScaleScore",
    "ScaleSpec",
    "StatusNote",
    "get_instrument",
    "list_instruments",
    "load_definition",
    "parse_definition",
    "peak",
    "peak_session",
    "reduction",
    "remission",
    "response",
]
