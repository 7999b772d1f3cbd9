"""Design sensitivity table: what a trial of n participants can detect (exact methods)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import InputError
from .exact import mde_dz, mde_r, power_r, r_critical

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["sensitivity_table", "LEVIN2024_NS"]

#: Analysis n's of Levin et al. (2024), as the project's notes on that paper list them: PIQ × alliance
#: (16), preparation alliance × outcomes (20), peak MEQ × 4-week depression (23), completers (24).
LEVIN2024_NS: tuple[int, ...] = (16, 20, 23, 24)


def sensitivity_table(ns: Sequence[int] = LEVIN2024_NS, alpha: float = 0.05,
                      power: float = 0.80, effects: Sequence[float] = (0.3, 0.5),
                      alternative: str = "two-sided") -> pd.DataFrame:
    """Per n: critical |r|, minimum detectable r (exact) and d_z, and power at given r's.

    Columns: ``n``, ``r_critical`` (smallest significant |r|), ``mde_r`` (exact distribution of
    r; Fisher 1915 / Hotelling 1953), ``mde_r_fisher_z`` (pwr.r.test approximation, for
    comparison), ``mde_dz`` (paired t, noncentral t), and ``power_r_<r>`` for every r in
    ``effects`` (exact). ``attrs`` holds alpha, power and alternative.
    """
    import pandas as pd

    if not len(ns):
        raise InputError("give at least one sample size")
    rows = []
    for n in ns:
        row = {
            "n": int(n),
            "r_critical": r_critical(int(n), alpha, alternative),
            "mde_r": abs(mde_r(n, alpha, power, alternative, "exact").value),
            "mde_r_fisher_z": (abs(mde_r(n, alpha, power, alternative, "fisher_z").value)
                               if n >= 4 else float("nan")),
            "mde_dz": abs(mde_dz(n, alpha, power, alternative).value),
        }
        sign = -1.0 if alternative == "less" else 1.0
        for r in effects:
            row[f"power_r_{abs(r):.2f}"] = power_r(sign * abs(r), n, alpha, alternative,
                                                   "exact").power
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs.update({"alpha": alpha, "power": power, "alternative": alternative})
    return frame
