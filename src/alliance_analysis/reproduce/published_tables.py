"""Reproducing published model tables row by row (e.g. ``reproduce szigeti2024``).

For every table of a model-table registry (:mod:`alliance_analysis.claims.tables`) and every
scale (and arm, for within-arm tables) the model is fitted on the long data with
:func:`alliance_analysis.stats.mixed.mixed_model` (REML, Satterthwaite df), the p values are
adjusted as the registry says, and each printed row is compared cell by cell at the column's
printed precision. A row is ``reproduced`` when every printed number and star code is given back,
``mismatch`` otherwise (the differing cells are listed with both values), ``not computable`` when
its model or term could not be fitted (with the reason). Nothing is hidden: every printed row
gets one status.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..claims.tables import (
    NUMERIC_COLUMNS,
    STAR_COLUMNS,
    TableRegistry,
    TableSpec,
    cell_holds,
    load_table_registry,
    stars_for,
)
from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

STATUS_OK, STATUS_MISMATCH, STATUS_NA = "reproduced", "mismatch", "not computable"
#: columns of the long table the fits need (participant, arm, timepoint, scale, score)
LONG_COLUMNS = ("participant_id", "arm", "timepoint", "scale", "score")


def standardise_median_sd(x: np.ndarray) -> np.ndarray:
    """(x − median) / SD over the finite values of ``x`` (SD with n − 1), as the source describes."""
    finite = x[np.isfinite(x)]
    return (x - np.median(finite)) / np.std(finite, ddof=1)


def model_subsets(reg: TableRegistry, table: TableSpec, long: pd.DataFrame) -> list[tuple[str, str, Any]]:
    """(scale label, arm or "", rows) for every model of ``table``: one scale, the registry's
    timepoints, one arm (within-arm) or every arm (between arms); the covariate standardised
    inside the subset and stored under the table's term name."""
    arms = sorted(long["arm"].dropna().unique().tolist()) if table.design == "within_arm" else [""]
    timepoints = list(reg.model["timepoints"])
    out = []
    for scale, label in reg.scales.items():
        for arm in arms:
            rows = long[(long["scale"] == scale) & long["timepoint"].isin(timepoints)]
            if arm:
                rows = rows[rows["arm"] == arm]
            rows = rows.copy()
            if reg.model.get("standardise") != "median_sd":
                raise InputError(f"unknown standardisation {reg.model.get('standardise')!r}",
                                 file=reg.path.name, hint="Known: median_sd")
            rows[table.term] = standardise_median_sd(rows[table.covariate].to_numpy(float))
            out.append((label, arm, rows))
    return out


def fit_table(reg: TableRegistry, table: TableSpec, long: pd.DataFrame) -> pd.DataFrame:
    """One row per (scale, arm, fixed effect) of ``table``'s models, unadjusted."""
    import pandas as pd

    from ..stats.mixed import mixed_model

    reference = dict(reg.model.get("reference", {}))
    terms = set(table.formula.replace("~", " ").replace("*", " ").split())
    reference = {k: v for k, v in reference.items() if k in terms}  # only the model's factors
    frames = []
    for label, arm, rows in model_subsets(reg, table, long):
        data = rows.rename(columns={"timepoint": "tp", "arm": "trt"})
        data["tp"] = data["tp"].astype(str)  # only the model's visits are levels
        try:
            res = mixed_model(data, table.formula, groups="participant_id",
                              reml=reg.model.get("estimation", "REML") == "REML",
                              df_method=reg.model.get("df_method", "satterthwaite"),
                              reference=reference)
        except InputError as exc:
            frames.append(pd.DataFrame([{"table": table.id, "scale": label, "trt": arm,
                                         "component": "", "fit_error": str(exc)}]))
            continue
        frame = res.to_frame().rename(columns={"term": "component", "se": "SE"})
        frame.insert(0, "table", table.id)
        frame.insert(1, "scale", label)
        frame.insert(2, "trt", arm)
        frame["n_obs"], frame["n_groups"], frame["n_dropped"] = res.n_obs, res.n_groups, res.n_dropped
        frame["singular"] = res.singular
        frame["fit_error"] = ""
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def adjust_families(reg: TableRegistry, fitted: pd.DataFrame) -> pd.DataFrame:
    """``adj_p`` (the registry's correction within each family, e.g. Bonferroni over the six
    scales within (table, arm, component), capped at 1) and star codes for p and adj_p."""
    from ..stats.multiplicity import adjust_pvalues

    out = fitted.copy()
    out["adj_p"] = np.nan
    keys = [k for k in reg.model.get("family", ()) if k in out.columns]
    ok = out["fit_error"] == ""
    for _, idx in out[ok].groupby(keys, sort=False).groups.items():
        size = len(idx)
        expected = reg.model.get("family_size")
        if expected is not None and size != int(expected):
            out.loc[idx, "fit_error"] = f"family has {size} fitted models, the registry says {expected}"
            continue
        out.loc[idx, "adj_p"] = adjust_pvalues(out.loc[idx, "p"].to_numpy(float),
                                               method=reg.model.get("correction", "none"))
    out["sig"] = [stars_for(p, reg.stars) for p in out["p"]]
    out["adj_sig"] = [stars_for(p, reg.stars) for p in out["adj_p"]]
    return out


def compare_table(reg: TableRegistry, table: TableSpec, computed: pd.DataFrame) -> pd.DataFrame:
    """Every printed row of ``table`` beside its computed row, with a status and the reason."""
    import pandas as pd

    printed = reg.printed(table)
    if "trt" not in printed.columns:
        printed = printed.assign(trt="")
    index = {(r.scale, r.trt, r.component): r for r in computed.itertuples(index=False)}
    errors = {(r.scale, r.trt): r.fit_error for r in computed.itertuples(index=False) if r.fit_error}
    rows = []
    for i, p in enumerate(printed.to_dict("records"), start=2):
        rec: dict[str, Any] = {"table": table.id, "file_row": i, "scale": p["scale"],
                               "trt": p["trt"], "component": p["component"]}
        got = index.get((p["scale"], p["trt"], p["component"]))
        failed = errors.get((p["scale"], p["trt"]))
        bad, cells = [], {}
        for col in (*NUMERIC_COLUMNS, *STAR_COLUMNS):
            rec[f"printed_{col}"] = p[col]
            value = getattr(got, col) if got is not None else None
            cells[col] = value
            rec[f"computed_{col}"] = value if value is not None else (np.nan if col in NUMERIC_COLUMNS else "")
        if got is None:
            status = STATUS_NA
            reason = failed or f"the fitted model has no term '{p['component']}'"
        else:
            for col in NUMERIC_COLUMNS:
                if not cell_holds(float(cells[col]), p[col], reg.columns[col].decimals):
                    bad.append(f"{col}: printed {p[col]}, computed {float(cells[col]):.6g}")
            for col in STAR_COLUMNS:
                if str(cells[col]) != p[col]:
                    bad.append(f"{col}: printed '{p[col]}', computed '{cells[col]}'")
            status = STATUS_MISMATCH if bad else STATUS_OK
            reason = "; ".join(bad)
            rec.update(n_obs=got.n_obs, n_groups=got.n_groups, n_dropped=got.n_dropped,
                       singular=bool(got.singular))
        rec["status"], rec["detail"] = status, reason
        rows.append(rec)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TableReproductionRun:
    """Everything a model-table reproduction computed (no files written)."""

    registry: TableRegistry
    notice: str
    data_name: str
    long: Any
    loaded: Any
    rows: Any  # DataFrame: one row per printed row

    @property
    def n_reproduced(self) -> int:
        return int((self.rows["status"] == STATUS_OK).sum())

    @property
    def timepoint_order(self) -> list[str]:
        """Visits in the loader's order (an ordered categorical), else by the number in the label."""
        import re

        col = self.long["timepoint"]
        if hasattr(col, "cat"):
            return [str(c) for c in col.cat.categories if (col == c).any()]
        labels = sorted(col.dropna().astype(str).unique())
        return sorted(labels, key=lambda s: (float(m.group()) if (m := re.search(r"\d+(\.\d+)?", s)) else -1.0, s))

    def counts(self):
        """Rows per table and status."""
        return (self.rows.groupby(["table", "status"], sort=False).size()
                .unstack(fill_value=0).reindex(columns=[STATUS_OK, STATUS_MISMATCH, STATUS_NA],
                                               fill_value=0))


def run_table_reproduction(name: str, long: pd.DataFrame, notice: str, data_name: str,
                           loaded: Any = None) -> TableReproductionRun:
    """Fit and compare every table of registry ``name`` on ``long`` (see :data:`LONG_COLUMNS`
    plus one column per covariate named in the registry)."""
    import pandas as pd

    reg = load_table_registry(name)
    need = set(LONG_COLUMNS) | {t.covariate for t in reg.tables}
    missing = sorted(need - set(long.columns))
    if missing:
        raise InputError(f"the data lack column(s) {missing} needed by the {reg.id} models",
                         file=data_name, hint="Check the mapping's covariates and columns")
    compared = []
    for table in reg.tables:
        fitted = adjust_families(reg, fit_table(reg, table, long))
        compared.append(compare_table(reg, table, fitted))
    rows = pd.concat(compared, ignore_index=True)
    return TableReproductionRun(registry=reg, notice=notice, data_name=data_name, long=long,
                                loaded=loaded, rows=rows)


def summary_lines(run: TableReproductionRun, out: Path | None = None) -> list[str]:
    lines = [run.notice, ""]
    lines.append(f"{run.n_reproduced} of {len(run.rows)} published rows reproduced "
                 f"({run.registry.paper['short']}, {len(run.registry.tables)} tables).")
    for r in run.rows[run.rows["status"] != STATUS_OK].itertuples(index=False):
        where = f"{r.table} {r.scale}" + (f" {r.trt}" if r.trt else "") + f" {r.component}"
        lines.append(f"  {where}: {r.status} - {r.detail}")
    if out is not None:
        lines.append(f"Report: {out / 'report.html'}")
    return lines


def coded_arms(reg: TableRegistry, long: pd.DataFrame, data_name: str) -> pd.DataFrame:
    """``long`` with its arm names replaced by the tables' arm codes (``psilocybin`` → ``P``), so
    that fitted terms carry the printed names (``trtP``); an arm the registry does not know is an
    error."""
    codes = {name: code for code, name in reg.arms.items()}
    unknown = sorted(set(long["arm"].dropna().astype(str)) - set(codes))
    if unknown:
        raise InputError(f"arm(s) {unknown} are not among the {reg.id} tables' arms "
                         f"({', '.join(f'{c} = {n}' for c, n in reg.arms.items())})", file=data_name,
                         hint="Map the arms to these names under [arms] in the mapping")
    out = long.copy()
    out["arm"] = out["arm"].astype(str).map(codes)
    return out


def reproduce_tables(spec: Any, data: str | Path | None = None, mapping: str | Path | None = None,
                     root: Path | None = None) -> TableReproductionRun:
    """Load the spec's data (default: the shipped real data) through the loader and reproduce
    every row of its model-table registry."""
    from ..io import load_table
    from .pipeline import USER_DATA_NOTICE, resolve_data

    data_path, mapping_path = resolve_data(spec, data, mapping, Path(root) if root else Path.cwd())
    loaded = load_table(data_path, mapping_path)
    reg = load_table_registry(spec.registries[0])
    long = coded_arms(reg, loaded.scores_long(), data_path.name)
    notice = spec.notice if data is None else USER_DATA_NOTICE.format(path=data_path.name)
    run = run_table_reproduction(reg.id, long, notice, data_path.name, loaded=loaded)
    return run
