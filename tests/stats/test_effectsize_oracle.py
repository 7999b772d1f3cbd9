"""Effect sizes and their intervals against R effectsize 0.8.3 (an independent oracle).

The vectors in tests/oracles/effectsize/ were written by effectsize_oracle.R there (R is not
needed to run this test): paired d_z and g_z (noncentral-t interval), pooled-SD d_s and g_s of
two independent groups, at 95% and 90%, and a one-sided d_z interval. Interval ends agree to
1e-6 (R solves the noncentral-t equation with uniroot's default tolerance, about 1e-7 here; the
package solves it to 2e-15); point estimates to 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.stats import paired_ttest, welch_ttest

HERE = Path(__file__).resolve().parents[1] / "oracles" / "effectsize"
DATA = pd.read_csv(HERE / "data.csv")
ORACLE = pd.read_csv(HERE / "effectsize.csv")


@pytest.mark.parametrize("row", ORACLE.to_dict("records"),
                         ids=lambda r: f"{r['set']}-{r['estimate']}-{r['confidence']}")
def test_matches_r_effectsize(row):
    d = DATA[DATA["set"] == row["set"]]
    level = abs(row["confidence"])
    alternative = "greater" if row["confidence"] < 0 else "two-sided"
    name = row["estimate"]
    if name in ("d_z", "g_z"):
        res = paired_ttest(d["pre"], d["post"], alternative=alternative, confidence=level)
    else:
        res = welch_ttest(d["post"], d["pre"], confidence=level)
    value = getattr(res, name)
    lo, hi = getattr(res, f"{name}_ci")
    assert value == pytest.approx(row["value"], rel=1e-9)
    assert lo == pytest.approx(row["ci_low"], rel=1e-6, abs=1e-6)
    if np.isinf(row["ci_high"]):
        assert hi == np.inf
    else:
        assert hi == pytest.approx(row["ci_high"], rel=1e-6, abs=1e-6)
