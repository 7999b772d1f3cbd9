"""The self-contained HTML report: one page, inline CSS, figures embedded as base64 PNG.

:func:`render_report` fills ``templates/report.html.j2`` (jinja2, ``autoescape=True``: every
piece of user text — labels, notices, claim descriptions, assumptions — is escaped by
``markupsafe.escape``, the same function as :func:`.escape.escape_html`, and the template never
marks text ``|safe``) and returns
the page; :func:`write_report` writes it. The page has no external URL, no script and no
timestamp, so rendering the same context twice gives the same bytes.

The data notice (e.g. ``SYNTHETIC DATA: ...``) is the first element of the body.

Context keys (plain data; see :func:`render_report`):

``notice`` (required), ``title``, ``subtitle``, ``synthetic`` (bool; styles the banner),
``claims`` (an :class:`~.tables.ApaTable` from :func:`~.tables.claims_table`, or a claims
DataFrame), ``summary`` (extra ``{label: value}`` counts), ``audit`` (rows ``{claim_id, kind,
verdict, flag}``), ``tables`` (list of ApaTable), ``figures`` (list of dicts with ``caption``,
optional ``title``/``alt`` and either ``png_base64`` or a matplotlib ``figure``),
``assumptions`` (strings or ``{text, source}`` dicts), ``software`` (``{name: version}``;
default :func:`software_versions`), ``sections`` (text sections ``{title, text}`` shown after the
summary, e.g. a generated methods paragraph) and ``reproduction`` (default True; False leaves out
the claims and audit sections, for an analysis of a trial's own data).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .style import STATUS_COLOURS
from .tables import STATUS_CLASSES, ApaTable

__all__ = ["render_report", "write_report", "software_versions", "TEMPLATE_NAME"]

TEMPLATE_NAME = "report.html.j2"
DEFAULT_PACKAGES = ("alliance-analysis", "numpy", "pandas", "scipy", "matplotlib", "jinja2")


def software_versions(packages: Sequence[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """``{name: version}`` for Python and the installed ``packages`` ("not installed" if absent)."""
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _template_source() -> str:
    from importlib import resources

    return (resources.files(__package__) / "templates" / TEMPLATE_NAME).read_text(encoding="utf-8")


def _environment():
    import jinja2

    return jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def _claims_table(claims: Any) -> ApaTable | None:
    if claims is None:
        return None
    if isinstance(claims, ApaTable):
        return claims
    from .tables import claims_table

    return claims_table(claims)


def _status_counts(table: ApaTable | None) -> list[dict[str, Any]]:
    if table is None or "status" not in getattr(table.data, "columns", ()):
        return []
    statuses = [str(s) for s in table.data["status"]]
    items = [{"label": "claims", "value": len(statuses), "css": ""}]
    for status, css in STATUS_CLASSES.items():
        items.append({"label": status, "value": sum(s == status for s in statuses), "css": css})
    other = sum(s not in STATUS_CLASSES for s in statuses)
    if other:
        items.append({"label": "other status", "value": other, "css": ""})
    return items


def _flag_text(flag: Any) -> str:
    if flag is None or flag is False or flag == "":
        return ""
    return "flagged" if flag is True else str(flag)


def _figure_entry(fig: Mapping[str, Any]) -> dict[str, str]:
    if "png_base64" in fig:
        data = str(fig["png_base64"])
    elif "figure" in fig:
        from .figures import figure_to_base64_png

        data = figure_to_base64_png(fig["figure"])
    else:
        raise ValueError("a figure entry needs 'png_base64' or 'figure'")
    caption = str(fig.get("caption", ""))
    title = str(fig.get("title", ""))
    return {"png_base64": data, "caption": caption, "title": title,
            "alt": str(fig.get("alt") or title or caption or "figure")}


def _assumption(a: Any) -> dict[str, str]:
    if isinstance(a, Mapping):
        return {"text": str(a.get("text", "")), "source": str(a.get("source") or "")}
    return {"text": str(a), "source": ""}


def _section(sec: Mapping[str, Any]) -> dict[str, Any]:
    """A text section: ``title``, ``text`` (paragraphs separated by blank lines), optional ``id``."""
    title = str(sec.get("title") or "")
    paragraphs = [p.strip() for p in str(sec.get("text") or "").split("\n\n") if p.strip()]
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-") or "section"
    return {"id": str(sec.get("id") or slug), "title": title, "paragraphs": paragraphs}


def render_report(context: Mapping[str, Any]) -> str:
    """Render the report page from ``context`` (see the module docstring); returns HTML text.

    Raises ``ValueError`` when ``context['notice']`` is missing or empty: every output of the
    package carries its data notice.
    """
    notice = str(context.get("notice") or "").strip()
    if not notice:
        raise ValueError("context['notice'] is required (e.g. 'SYNTHETIC DATA: ...')")
    claims = _claims_table(context.get("claims"))
    summary = _status_counts(claims)
    summary += [{"label": str(k), "value": v, "css": ""}
                for k, v in dict(context.get("summary") or {}).items()]
    audit = [dict(row) for row in (context.get("audit") or ())]
    for row in audit:
        for key in ("claim_id", "kind", "verdict"):
            row.setdefault(key, "")
        row["flag_text"] = _flag_text(row.get("flag"))
    tables = list(context.get("tables") or ())
    for t in tables:
        if not isinstance(t, ApaTable):
            raise TypeError(f"context['tables'] must hold ApaTable objects, got {type(t).__name__}")
    software = context.get("software")
    software = software_versions() if software is None else dict(software)
    synthetic = context.get("synthetic")
    if synthetic is None:
        synthetic = notice.upper().startswith("SYNTHETIC")
    values = {
        "notice": notice,
        "synthetic": bool(synthetic),
        "title": str(context.get("title") or "Alliance analysis report"),
        "subtitle": str(context.get("subtitle") or ""),
        "summary": summary,
        "claims": claims,
        "audit": audit,
        "audit_flagged": sum(bool(r["flag_text"]) for r in audit),
        "tables": tables,
        "reproduction": bool(context.get("reproduction", True)),
        "sections": [_section(sec) for sec in (context.get("sections") or ())],
        "figures": [_figure_entry(f) for f in (context.get("figures") or ())],
        "assumptions": [_assumption(a) for a in (context.get("assumptions") or ())],
        "software": [(str(k), str(v)) for k, v in software.items()],
        "colours": {"ok": STATUS_COLOURS["reproduced"], "mismatch": STATUS_COLOURS["mismatch"],
                    "na": STATUS_COLOURS["not computable"]},
    }
    return _environment().from_string(_template_source()).render(**values)


def write_report(path: str | Path, context: Mapping[str, Any]) -> Path:
    """Render and write the page (UTF-8, ``\\n`` line ends); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(render_report(context))
    return path
