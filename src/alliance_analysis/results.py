"""Base for the package's result objects: small, frozen, named fields, rendered later.

Like scipy.stats and statsmodels results, a result carries everything needed to render it
(``.apa()``, ``.to_frame()``) and nothing is rounded or turned into text inside a computation.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclasses.dataclass(frozen=True)
class Result:
    """Mixin for frozen dataclass results."""

    def to_dict(self) -> dict[str, Any]:
        """Scalar fields as a flat dict (nested results are flattened as ``field.sub``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Result):
                out.update({f"{f.name}.{k}": v for k, v in value.to_dict().items()})
            elif isinstance(value, tuple) and len(value) == 2 and all(
                isinstance(v, (int, float)) for v in value
            ):
                out[f"{f.name}_lower"], out[f"{f.name}_upper"] = value
            else:
                out[f.name] = value
        return out

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of :meth:`to_dict` (subclasses may return a longer table)."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])

    def apa(self) -> str:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def __str__(self) -> str:
        try:
            return self.apa()
        except NotImplementedError:
            return repr(self)
