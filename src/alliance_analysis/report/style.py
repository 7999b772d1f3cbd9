"""The one plotting style of the package (fonts, colours, sizes) and the settings that make
figure files byte-reproducible.

Nothing here imports matplotlib at module level: :func:`style_context` imports it when called.
The palette is Okabe & Ito (2008), readable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["PALETTE", "NEUTRAL", "HIGHLIGHT", "RC_PARAMS", "SVG_HASHSALT", "PNG_DPI",
           "FIGSIZE", "STATUS_COLOURS", "style_context", "colour"]

#: Okabe–Ito colours (black omitted; used for means).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                            "#F0E442")
#: Individual lines and other de-emphasised marks.
NEUTRAL = "#8C8C8C"
#: Means, fits and other emphasised marks.
HIGHLIGHT = "#000000"
#: Claim status colours (shared by the HTML report's CSS).
STATUS_COLOURS = {"reproduced": "#1B7F3B", "mismatch": "#B42318", "not computable": "#6B7280",
                  "direction only": "#9A6700"}

#: Fixed salt so that SVG element ids are the same on every render.
SVG_HASHSALT = "alliance-analysis"
#: Resolution of PNG files and embedded PNGs.
PNG_DPI = 150
#: Default single-panel figure size in inches (about one journal column and a half).
FIGSIZE = (6.0, 4.0)

RC_PARAMS: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.5,
    "lines.markersize": 5.0,
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.fonttype": "path",  # glyphs as paths: no dependency on installed fonts
    "svg.hashsalt": SVG_HASHSALT,
    "path.simplify": True,
    "axes.prop_cycle": None,  # filled in by style_context (needs cycler)
}


def colour(i: int) -> str:
    """The ``i``-th palette colour (cycling)."""
    return PALETTE[i % len(PALETTE)]


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the package style (and the fixed SVG salt) for the duration of the block."""
    import matplotlib

    params = dict(RC_PARAMS)
    params["axes.prop_cycle"] = matplotlib.cycler(color=list(PALETTE))
    with matplotlib.rc_context(params):
        yield
