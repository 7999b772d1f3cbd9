"""APA-style tables: formatted strings for reading, the numbers behind them for re-use.

Every builder returns an :class:`ApaTable` holding the printed cells (all produced by the
canonical formatter :mod:`alliance_analysis.apa`) **and** the full-precision numeric
DataFrame they were printed from. A table renders as Markdown, as escaped HTML and as a
deterministic CSV of the numbers (``%.12g``, ``\\n`` line ends), so re-running gives identical
files.

pandas is imported inside functions so that ``import alliance_analysis`` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..apa import apa_t, fmt_bounded, fmt_ci, fmt_df, fmt_number, fmt_p
from .escape import csv_quoting, escape_html, safe_frame
from .markdown import md_cell

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "MISSING",
    "num_cell",
    "bounded_cell",
    "p_cell",
    "ci_cell",
    "ApaTable",
    "D_VARIANTS",
    "descriptives_table",
    "paired_change_table",
    "correlation_table",
    "claims_table",
]

#: What a missing / non-computable number prints as.
MISSING = "—"

#: CSV float format: full double precision that round-trips the printed values, platform independent.
CSV_FLOAT_FORMAT = "%.12g"


def _isnan(x: Any) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


# NaN-safe table cells (the APA formatters of alliance_analysis.apa; MISSING for None/NaN/inf)
def num_cell(x: Any, digits: int = 2) -> str:
    return MISSING if _isnan(x) else fmt_number(float(x), digits)


def bounded_cell(x: Any, digits: int = 2) -> str:
    return MISSING if _isnan(x) else fmt_bounded(float(x), digits)


def p_cell(x: Any, digits: int = 3) -> str:
    return MISSING if _isnan(x) else fmt_p(float(x), digits, with_sign=False)


def _int(x: Any) -> str:
    return MISSING if _isnan(x) else str(int(round(float(x))))


def ci_cell(lo: Any, hi: Any, digits: int = 2, bounded: bool = False) -> str:
    if _isnan(lo) or _isnan(hi):
        return MISSING
    return fmt_ci(float(lo), float(hi), digits, bounded)


@dataclass(frozen=True)
class ApaTable:
    """A rendered table: title, note, column headers, rows of printed strings and their numbers.

    ``data`` is the numeric (full-precision) DataFrame the strings were formatted from; it is
    what :meth:`to_csv` writes. ``row_classes`` optionally gives one CSS class per row (used
    for the claim status colours in HTML). ``name`` is a file-name stem (``claims``,
    ``correlations`` ...).
    """

    title: str
    note: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    data: pd.DataFrame = field(compare=False, repr=False)
    name: str = ""
    row_classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"row {i} has {len(row)} cells, expected {width}")
        if self.row_classes and len(self.row_classes) != len(self.rows):
            raise ValueError("row_classes must give one class per row")

    # -- renderers -----------------------------------------------------------------------------
    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown: bold title, pipe table, italic *Note.* line."""
        lines = [f"**{md_cell(self.title)}**", ""]
        lines.append("| " + " | ".join(md_cell(c) for c in self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines.extend("| " + " | ".join(md_cell(c) for c in row) + " |" for row in self.rows)
        if self.note:
            lines += ["", f"*Note.* {md_cell(self.note)}"]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """An HTML ``<table>`` (class ``apa-table``); every cell, title, note and class is escaped
        by :func:`~alliance_analysis.report.escape.escape_html` (the report template's escaping)."""
        esc = escape_html
        out = ['<table class="apa-table">', f"<caption>{esc(self.title)}</caption>", "<thead><tr>"
               + "".join(f'<th scope="col">{esc(c)}</th>' for c in self.columns) + "</tr></thead>"]
        out.append("<tbody>")
        for i, row in enumerate(self.rows):
            cls = self.row_classes[i] if self.row_classes else ""
            out.append(f'<tr class="{esc(cls)}">' if cls else "<tr>")
            out.extend(f"<td>{esc(c)}</td>" for c in row)
            out.append("</tr>")
        out.append("</tbody>")
        if self.note:
            out.append(f'<tfoot><tr><td colspan="{len(self.columns)}"><em>Note.</em> '
                       f"{esc(self.note)}</td></tr></tfoot>")
        out.append("</table>")
        return "\n".join(out) + "\n"

    def to_csv(self, path: str | Path, comment: str | None = None) -> Path:
        """Write the numeric data (not the strings) as CSV; byte-deterministic.

        ``comment`` (e.g. the data notice) is written first as a ``# ...`` line; prefer
        :func:`alliance_analysis.report.files.write_csv` (header first, the notice in
        ``NOTICE.txt``). Text cells are made formula-safe in both.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            if comment:
                fh.write("# " + comment.replace("\n", " ") + "\n")
            safe = safe_frame(self.data)
            safe.to_csv(fh, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n",
                        quoting=csv_quoting(safe))
        return path

    def to_frame(self) -> pd.DataFrame:
        """The printed strings as a DataFrame (headers = :attr:`columns`)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(self.columns))


# ---------------------------------------------------------------------------------------------
# descriptives
# ---------------------------------------------------------------------------------------------
def descriptives_table(wide_df: pd.DataFrame, columns: Mapping[str, str], by: str | None = None,
                       title: str = "Descriptive statistics", digits: int = 2) -> ApaTable:
    """n, M, SD (n − 1), minimum and maximum of each column in ``columns`` (column → label).

    Missing values are excluded per variable (n counts the non-missing values). With ``by``
    (e.g. ``"arm"``), one row per variable and group, groups in sorted order; rows whose group is
    missing are left out of the grouped rows and counted in the note.
    """
    import numpy as np
    import pandas as pd

    missing_cols = [c for c in columns if c not in wide_df.columns]
    if missing_cols:
        raise KeyError(f"columns not in the data: {missing_cols}")
    if by is not None and by not in wide_df.columns:
        raise KeyError(f"grouping column not in the data: {by!r}")

    if by is None:
        groups: list[tuple[Any, pd.DataFrame]] = [(None, wide_df)]
        n_no_group = 0
    else:
        keys = wide_df[by]
        n_no_group = int(keys.isna().sum())
        levels = sorted(keys.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
        groups = [(g, wide_df[keys == g]) for g in levels]

    records: list[dict[str, Any]] = []
    rows: list[tuple[str, ...]] = []
    for col, label in columns.items():
        for g, sub in groups:
            x = pd.to_numeric(sub[col], errors="coerce").to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            n = int(x.size)
            mean = float(x.mean()) if n else math.nan
            sd = float(x.std(ddof=1)) if n > 1 else math.nan
            lo = float(x.min()) if n else math.nan
            hi = float(x.max()) if n else math.nan
            rec: dict[str, Any] = {"variable": col, "label": label}
            if by is not None:
                rec["group"] = g
            rec.update(n=n, mean=mean, sd=sd, min=lo, max=hi)
            records.append(rec)
            cells = [label] + ([str(g)] if by is not None else [])
            cells += [str(n), num_cell(mean, digits), num_cell(sd, digits), num_cell(lo, digits), num_cell(hi, digits)]
            rows.append(tuple(cells))

    headers = ["Variable"] + ([str(by)] if by is not None else []) + ["n", "M", "SD", "Min", "Max"]
    note = "M = mean; SD = standard deviation (n − 1 denominator); missing values excluded per variable."
    if n_no_group:
        note += f" {n_no_group} row(s) with no {by} value are not shown."
    return ApaTable(title=title, note=note, columns=tuple(headers), rows=tuple(rows),
                    data=pd.DataFrame.from_records(records), name="descriptives")


# ---------------------------------------------------------------------------------------------
# paired change
# ---------------------------------------------------------------------------------------------
#: Each paired standardized mean difference: key → (formula, reference).
D_VARIANTS: dict[str, tuple[str, str]] = {
    "d_z": ("M_diff / SD_diff", "Cohen (1988); Lakens (2013)"),
    "d_rm": ("d_z · √(2(1 − r))", "Cohen (1988); Lakens (2013)"),
    "d_av": ("M_diff / √((SD_pre² + SD_post²) / 2)", "Cumming (2012)"),
    "d_av_lakens": ("M_diff / ((SD_pre + SD_post) / 2)", "Lakens (2013)"),
    "d_b": ("M_diff / SD_pre", "Becker (1988)"),
    "g_z": ("d_z · J(n − 1)", "Hedges (1981); Lakens (2013)"),
    "g_rm": ("d_rm · J(n − 1)", "Hedges (1981); Lakens (2013)"),
    "g_av": ("d_av · J(n − 1)", "Hedges (1981); Lakens (2013)"),
    "g_av_lakens": ("d_av_lakens · J(n − 1)", "Hedges (1981); Lakens (2013)"),
    "g_b": ("d_b · J(n − 1)", "Hedges (1981); Lakens (2013)"),
}


def paired_change_table(values: Mapping[str, Any], title: str = "Paired change, pre to post",
                        digits: int = 2) -> ApaTable:
    """One row per paired d / g variant present in ``values`` (named exactly, e.g. ``d_av``).

    ``values`` keys: ``n, mean_pre, sd_pre, mean_post, sd_post, r_prepost, t, df, p, d_z,
    d_z_ci`` (a (lower, upper) pair, or ``d_z_ci_lower``/``d_z_ci_upper`` as in
    ``PairedTTestResult.to_dict()``), ``d_rm, d_av, d_av_lakens, d_b, g_z, g_rm, g_av,
    g_av_lakens, g_b``. The descriptives, the pre–post correlation and the paired t test go in
    the note. M_diff = M_post − M_pre (positive = increase).
    """
    import pandas as pd

    present = [k for k in D_VARIANTS if k in values]
    if not present:
        raise ValueError(f"no effect size in values; expected some of {list(D_VARIANTS)}")
    ci = values.get("d_z_ci")
    if ci is None and "d_z_ci_lower" in values:  # a flattened Result.to_dict()
        ci = (values["d_z_ci_lower"], values.get("d_z_ci_upper"))
    records: list[dict[str, Any]] = []
    rows: list[tuple[str, ...]] = []
    for key in present:
        formula, ref = D_VARIANTS[key]
        value = values[key]
        lo, hi = (ci[0], ci[1]) if (key == "d_z" and ci is not None) else (math.nan, math.nan)
        records.append({"effect_size": key, "value": _float(value), "ci_lower": _float(lo),
                        "ci_upper": _float(hi), "formula": formula, "reference": ref})
        rows.append((key, num_cell(value, digits), ci_cell(lo, hi, digits), formula, ref))

    g = values.get
    parts = []
    if "n" in values:
        parts.append(f"n = {_int(g('n'))} pairs")
    if "mean_pre" in values:
        parts.append(f"pre M = {num_cell(g('mean_pre'), digits)} (SD = {num_cell(g('sd_pre'), digits)})")
    if "mean_post" in values:
        parts.append(f"post M = {num_cell(g('mean_post'), digits)} (SD = {num_cell(g('sd_post'), digits)})")
    if "r_prepost" in values:
        parts.append(f"pre–post r = {bounded_cell(g('r_prepost'), digits)}")
    if "t" in values and not _isnan(g("t")) and not _isnan(g("df")):
        parts.append(apa_t(float(g("t")), float(g("df")), float(g("p"))))
    note = "; ".join(parts)
    note = (note + ". " if note else "") + (
        "M_diff = M_post − M_pre; J(n − 1) = exact Hedges small-sample correction factor; "
        "95% CI (noncentral t) given for d_z only.")
    data = pd.DataFrame.from_records(records)
    for k in ("n", "mean_pre", "sd_pre", "mean_post", "sd_post", "r_prepost", "t", "df", "p"):
        if k in values:
            data[k] = _float(values[k])
    return ApaTable(title=title, note=note, columns=("Effect size", "Value", "95% CI", "Formula",
                                                     "Reference"),
                    rows=tuple(rows), data=data, name="paired_change")


def _float(x: Any) -> float:
    return math.nan if _isnan(x) else float(x)


# ---------------------------------------------------------------------------------------------
# correlations
# ---------------------------------------------------------------------------------------------
def correlation_table(long_df: pd.DataFrame, labels: Mapping[str, str] | None = None,
                      title: str = "Pearson correlations", digits: int = 2,
                      ci_method: str = "Fisher's z", correction: str | None = None) -> ApaTable:
    """One APA row per correlation: variables, n, r (no leading zero), 95% CI, p [, adjusted p].

    ``long_df`` columns: ``x, y, n, r, p, ci_lower, ci_upper`` and optionally ``p_adj``. The
    adjusted column is shown only when a correction was applied: ``correction`` (e.g. "holm"),
    else the frame's ``attrs["padjust"]`` (set by :func:`~alliance_analysis.stats.correlation_matrix`);
    with "none" there is no adjusted column (it would repeat the raw p under a misleading name).
    The note names the correction and the family size (the rows of the table).
    ``labels`` maps variable names to printed labels (unknown names print as they are).
    Row order is the order of ``long_df``. ``ci_method`` names how the supplied CIs were
    computed (for the note only; the CIs are taken as given).
    """
    import pandas as pd

    need = ["x", "y", "n", "r", "p", "ci_lower", "ci_upper"]
    missing = [c for c in need if c not in long_df.columns]
    if missing:
        raise KeyError(f"correlation frame lacks columns {missing}")
    labels = dict(labels or {})
    correction = correction or long_df.attrs.get("padjust")
    has_adj = "p_adj" in long_df.columns and correction != "none"
    headers = ["Variable 1", "Variable 2", "n", "r", "95% CI", "p"] + (["p (adjusted)"] if has_adj else [])
    rows = []
    for rec in long_df.to_dict("records"):
        cells = [labels.get(rec["x"], str(rec["x"])), labels.get(rec["y"], str(rec["y"])),
                 _int(rec["n"]), bounded_cell(rec["r"], digits),
                 ci_cell(rec["ci_lower"], rec["ci_upper"], digits, bounded=True), p_cell(rec["p"])]
        if has_adj:
            cells.append(p_cell(rec["p_adj"]))
        rows.append(tuple(cells))
    note = ("r = Pearson correlation (pairwise complete cases); "
            f"95% CI by {ci_method}; p two-tailed.")
    if has_adj and correction is None:  # a frame from elsewhere: the caller names the family
        note += " Adjusted p corrects for multiple comparisons."
    elif has_adj:
        method = {"bonferroni": "Bonferroni", "holm": "Holm", "fdr_bh": "Benjamini-Hochberg",
                  "fdr_by": "Benjamini-Yekutieli"}.get(str(correction), str(correction))
        note += f" Adjusted p: {method} over the {len(long_df)} correlations of this table."
    else:
        note += " p values are not corrected for multiple comparisons."
    data = long_df[need + (["p_adj"] if has_adj else [])].copy()
    data = pd.DataFrame(data).reset_index(drop=True)
    return ApaTable(title=title, note=note, columns=tuple(headers), rows=tuple(rows), data=data,
                    name="correlations")


# ---------------------------------------------------------------------------------------------
# claims
# ---------------------------------------------------------------------------------------------
STATUS_CLASSES = {"reproduced": "status-ok", "mismatch": "status-mismatch",
                  "not computable": "status-na", "direction only": "status-direction"}
_BOUNDED_STATS = {"r", "p", "beta", "beta_a", "beta_b", "beta_direct", "r2", "r2_y", "R2"}


def _reproduced_text(stat: str, value: Any, digits: int) -> str:
    if _isnan(value):
        return MISSING
    if stat == "N":
        return _int(value)
    if stat == "p":
        return p_cell(value, digits)
    if stat in _BOUNDED_STATS or stat.startswith(("r", "beta")):
        return bounded_cell(value, digits)
    return num_cell(value, digits)


def claims_table(claims_df: pd.DataFrame, title: str = "Published and reproduced claims",
                 digits: int = 3) -> ApaTable:
    """Claim id, description, statistic, published text, reproduced value, n, df, criterion, status.

    *Published* is what the paper printed; *criterion* is how a verbal claim ("significant",
    "positive") is judged, with the status of its threshold (e.g. ``p < .05 (α assumed)``), so an
    assumed α never stands in the published column. The reproduced value is printed with
    ``digits`` decimals (one more than the usual two, so a reader sees how it rounds); r, β, R²
    without leading zero, p as ``.027`` / ``< .001``, N as an integer. ``row_classes`` carry the
    status (``status-ok``, ``status-mismatch``, ``status-na``, ``status-direction``).
    """
    import pandas as pd

    need = ["claim_id", "description", "statistic", "published", "reproduced", "n", "df", "status"]
    missing = [c for c in need if c not in claims_df.columns]
    if missing:
        raise KeyError(f"claims frame lacks columns {missing}")
    frame = claims_df.copy()
    if "criterion" not in frame.columns:
        frame["criterion"] = ""
    rows, classes = [], []
    for rec in frame.to_dict("records"):
        stat = str(rec["statistic"])
        df_value = rec["df"]
        criterion = "" if _isnan(rec["criterion"]) else str(rec["criterion"])
        rows.append((str(rec["claim_id"]), str(rec["description"]), stat, str(rec["published"]),
                     _reproduced_text(stat, rec["reproduced"], digits), _int(rec["n"]),
                     MISSING if _isnan(df_value) else _df_text(df_value), criterion or MISSING,
                     str(rec["status"])))
        classes.append(STATUS_CLASSES.get(str(rec["status"]), "status-other"))
    data = pd.DataFrame(frame[need[:-1] + ["criterion", "status"]]).reset_index(drop=True)
    note = (f"Reproduced values at {digits} decimals from unrounded data; status 'reproduced' means "
            "the value rounds to the printed one at the printed precision (or meets the criterion of a "
            "verbal claim); 'direction only' means the claimed sign without the claimed significance.")
    return ApaTable(title=title, note=note,
                    columns=("Claim", "Description", "Statistic", "Published", "Reproduced", "n", "df",
                             "Criterion", "Status"),
                    rows=tuple(rows), data=data, name="claims", row_classes=tuple(classes))


def _df_text(df: Any) -> str:
    return fmt_df(float(df))


def tables_markdown(tables: Sequence[ApaTable]) -> str:
    """Several tables as one Markdown document (blank line between tables)."""
    return "\n".join(t.to_markdown() for t in tables)


def reliability_table(frame: pd.DataFrame, confidence: float, n_skipped: int = 0,
                      note: str = "") -> ApaTable:
    """Internal consistency per scale and timepoint from the table of
    :func:`alliance_analysis.scale_reliability.scale_reliability` (columns instrument, scale,
    timepoint, k, n, alpha, alpha_ci_lower, alpha_ci_upper, alpha_std, omega_total, note):
    Cronbach's α with its Feldt CI, standardized α and McDonald's ω total."""
    pct = f"{round(100 * confidence)}%"

    def num(v: object) -> str:
        try:
            x = float(v)
        except (TypeError, ValueError):
            return MISSING
        return MISSING if not math.isfinite(x) else f"{x:.2f}"

    rows = tuple((str(r.instrument), str(r.scale), str(r.timepoint), str(int(r.k)), str(int(r.n)),
                  num(r.alpha), f"[{num(r.alpha_ci_lower)}, {num(r.alpha_ci_upper)}]",
                  num(r.alpha_std), num(r.omega_total), str(r.note or ""))
                 for r in frame.itertuples(index=False))
    text = (f"α = Cronbach's alpha (raw) with its Feldt {pct} CI; α_std = standardized alpha; "
            "ω = McDonald's omega total from a one-factor ML model. Participants with every item "
            "of the scale answered at that timepoint (listwise); reverse-keyed items reversed as "
            "the instrument defines.")
    if n_skipped:
        text += f" {n_skipped} scale(s) not a sum of items were not assessed."
    if note:
        text += " " + note
    return ApaTable(title="Internal consistency of the scored scales", note=text,
                    columns=("Instrument", "Scale", "Timepoint", "k", "n", "α", f"{pct} CI",
                             "α_std", "ω", "Note"),
                    rows=rows, data=frame, name="reliability")
