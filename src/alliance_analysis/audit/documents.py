"""Documents in: plain text, Markdown, HTML, JATS XML, PDF and DOCX turned into checkable text.

Each reader returns a :class:`Document`: the text, the start offsets of its parts (lines for text
and Markdown, paragraphs for HTML/JATS/DOCX, pages for PDF) so every result can be located, and
the repairs made on the way (each one is reported; nothing is changed silently).

* Text/Markdown: UTF-8 (with or without BOM), UTF-16 with BOM; other bytes are decoded as
  Windows-1252 and the document is flagged. Markdown emphasis (``*t*``), ``<sub>``/``<sup>`` and
  entities are removed line by line (line numbers stay valid).
* HTML and JATS XML: the standard library's ``html.parser`` (no network, no DTD, no entity
  expansion beyond the HTML5 names): italics and sub/superscripts are flattened (``<i>t</i>(28)``
  → ``t(28)``, ``&chi;<sup>2</sup>`` → ``χ2``), entities decoded (``&minus;``, ``&lt;``), scripts
  and styles dropped, block elements separated.
* PDF: pypdf (pure Python, BSD licence, no compiled parts, releases every few weeks; pdfminer.six
  lays out text more faithfully but is several times slower and heavier). Per page; ligatures
  (ﬁ, ﬂ, …) are expanded and the ``¼`` that some fonts extract for ``=`` is replaced where it
  stands between a test and a number; each repair is counted and flagged on the results it
  touches.
* DOCX: the ZIP's ``word/document.xml`` read with the same parser (``w:p`` paragraphs, ``w:t``
  text); archives whose parts would unpack to more than 200 MB are refused.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["Document", "Unreadable", "read_document", "read_bytes", "FORMATS", "SUFFIXES"]

FORMATS = ("auto", "text", "markdown", "html", "jats", "pdf", "docx")
SUFFIXES = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".xml": "jats", ".nxml": "jats",
    ".pdf": "pdf", ".docx": "docx",
}
MAX_UNZIPPED = 200 * 1024 * 1024


class Unreadable(Exception):  # noqa: N818 - a reason, not a crash
    """A document that cannot be read; ``str(exc)`` is the reason shown to the user."""


@dataclasses.dataclass
class Document:
    """Text of one document with where its parts start and the repairs made."""

    name: str
    format: str
    text: str
    part_starts: list[int]
    part_label: str  # "line", "paragraph" or "page"
    repairs: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    flags: list[str] = dataclasses.field(default_factory=list)

    def location(self, offset: int) -> str:
        """``page 3`` / ``paragraph 12`` / ``line 40`` of a character offset."""
        i = bisect.bisect_right(self.part_starts, offset)
        return f"{self.part_label} {max(i, 1)}"

    def repairs_in(self, start: int, end: int) -> list[str]:
        keys = [r[0] for r in self.repairs]
        lo, hi = bisect.bisect_left(keys, start), bisect.bisect_left(keys, end)
        return sorted({self.repairs[i][1] for i in range(lo, hi)})


# ----------------------------------------------------------------------------- decoding

def decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes → text: UTF-8 (BOM allowed), UTF-16 with BOM, else Windows-1252 (flagged)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        where = exc.start
    text = data.decode("cp1252", errors="replace")
    return text, [f"not UTF-8 (first bad byte at {where}): decoded as Windows-1252"]


# ----------------------------------------------------------------------------- text, markdown

def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


_MD_EMPH = re.compile(r"(?<![\w*_\\])([*_]{1,3})([^*_\n]{1,30}?)\1(?![*])")
_MD_TAG = re.compile(r"</?(?:sub|sup|i|em|b|strong|span)\b[^>\n]{0,200}>", re.IGNORECASE)
_MD_SUP = re.compile(r"\^([^\s^]{1,10})\^")


def _markdown_line(line: str) -> str:
    line = _MD_TAG.sub("", line)
    line = _MD_EMPH.sub(r"\2", line)
    line = _MD_SUP.sub(r"\1", line)
    return html.unescape(line) if "&" in line else line


def _from_text(name: str, data: bytes, markdown: bool) -> Document:
    text, flags = decode(data)
    if markdown:
        text = "\n".join(_markdown_line(line) for line in text.split("\n"))
    return Document(name, "markdown" if markdown else "text", text, _line_starts(text), "line",
                    flags=flags)


# ----------------------------------------------------------------------------- HTML, JATS, DOCX

_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5",
    "h6", "title", "section", "article", "header", "footer", "blockquote", "pre", "caption",
    "figcaption", "dd", "dt", "hr",
    # JATS
    "sec", "abstract", "article-title", "list-item", "fig", "table-wrap", "ref", "label",
    "disp-formula", "fn", "def", "term", "boxed-text",
    # DOCX (WordprocessingML)
    "w:p", "w:tab", "w:br", "w:cr",
}
_SKIP = {"script", "style", "head", "noscript", "template", "svg", "math", "object-id",
         "w:instrtext", "w:deltext"}


class _TextParser(HTMLParser):
    def __init__(self, docx: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.starts: list[int] = [0]
        self.skip = 0
        self.docx = docx
        self.in_t = 0
        self.content = False

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def _block(self) -> None:
        if self.content:
            self._emit("\n\n")
            self.starts.append(self.length)
            self.content = False

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag == "w:t":
            self.in_t += 1
        elif tag in ("w:tab",):
            self._emit(" ")
        elif tag in _BLOCKS and tag not in ("w:tab",):
            self._block()

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr", "w:br", "w:cr"):
            self._block()
        elif tag == "w:tab":
            self._emit(" ")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(self.skip - 1, 0)
        elif tag == "w:t":
            self.in_t = max(self.in_t - 1, 0)
        elif tag in _BLOCKS:
            self._block()

    def handle_data(self, data):
        if self.skip or (self.docx and not self.in_t):
            return
        self._emit(data)
        self.content = self.content or not data.isspace()


def _from_markup(name: str, text: str, fmt: str, flags: list[str]) -> Document:
    parser = _TextParser(docx=fmt == "docx")
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; anything left is a broken document
        raise Unreadable(f"cannot parse the {fmt.upper()} markup: {exc}") from exc
    body = "".join(parser.parts)
    return Document(name, fmt, body, parser.starts, "paragraph", flags=flags)


def _from_docx(name: str, data: bytes) -> Document:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            try:
                info = z.getinfo("word/document.xml")
            except KeyError:
                raise Unreadable("not a Word document (no word/document.xml in the archive)") from None
            if info.file_size > MAX_UNZIPPED:
                raise Unreadable(f"word/document.xml would unpack to {info.file_size:,} bytes "
                                 f"(limit {MAX_UNZIPPED:,})")
            xml = z.read(info)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise Unreadable(f"not a readable DOCX (ZIP) file: {exc}") from exc
    text, flags = decode(xml)
    return _from_markup(name, text, "docx", flags)


# ----------------------------------------------------------------------------- PDF

_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
              "\ufb05": "st", "\ufb06": "st"}
_LIG_RE = re.compile("[" + "".join(_LIGATURES) + "]")
# "¼" extracted for "=" (a known font-encoding fault of journal PDFs), only between a test
# symbol or closing parenthesis and a number
_EQ_GLYPH = re.compile(r"(?<=[)\w])(\s?)\u00bc(?=\s?[-\u2212.\d])")
_MINUS_GLYPH = re.compile(r"[\uf02d\uf0bd](?=\s?[.\d])")


def repair_pdf_text(text: str, base: int, repairs: list[tuple[int, str]]) -> str:
    """Expand ligatures and replace ``¼``-for-``=`` and private-use minus glyphs; record each."""
    out = []
    pos = 0
    length = 0
    pattern = re.compile(f"{_LIG_RE.pattern}|{_EQ_GLYPH.pattern}|{_MINUS_GLYPH.pattern}")
    for m in pattern.finditer(text):
        out.append(text[pos:m.start()])
        length += m.start() - pos
        s = m.group(0)
        if s in _LIGATURES:
            rep, what = _LIGATURES[s], f"ligature {s!r} expanded"
        elif "\u00bc" in s:
            rep, what = s.replace("\u00bc", "="), "'\u00bc' read as '=' (PDF font glyph)"
        else:
            rep, what = "-", f"glyph {s!r} read as a minus (PDF font glyph)"
        repairs.append((base + length, what))
        out.append(rep)
        length += len(rep)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _from_pdf(name: str, data: bytes) -> Document:
    import io
    import logging

    try:
        import pypdf
    except ImportError as exc:  # pragma: no cover - declared dependency of the corpus extra
        raise Unreadable("reading PDF needs the pypdf package (pip install pypdf)") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise Unreadable("the PDF is encrypted (password needed)")
            except Unreadable:
                raise
            except Exception as exc:
                raise Unreadable(f"the PDF is encrypted and cannot be opened: {exc}") from exc
        parts: list[str] = []
        starts: list[int] = []
        repairs: list[tuple[int, str]] = []
        length = 0
        for page in reader.pages:
            starts.append(length)
            raw = page.extract_text() or ""
            fixed = repair_pdf_text(raw, length, repairs) + "\n\n"
            parts.append(fixed)
            length += len(fixed)
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise Unreadable(f"not a readable PDF: {type(exc).__name__}: {exc}") from exc
    flags = []
    if repairs:
        flags.append(f"{len(repairs)} PDF glyph repairs")
    if not "".join(parts).strip():
        flags.append("no text layer (a scanned PDF needs OCR first)")
    return Document(name, "pdf", "".join(parts), starts or [0], "page", repairs=repairs,
                    flags=flags)


# ----------------------------------------------------------------------------- entry points

def sniff(data: bytes, suffix: str = "") -> str:
    """Format from the file name suffix, else from the first bytes."""
    if suffix.lower() in SUFFIXES:
        return SUFFIXES[suffix.lower()]
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith(b"pk\x03\x04"):
        return "docx"
    if head.startswith(b"<?xml") and b"<article" in data[:8192].lower():
        return "jats"
    if head.startswith((b"<!doctype html", b"<html")) or b"<p>" in head or b"<body" in head:
        return "html"
    return "text"


def read_bytes(name: str, data: bytes, fmt: str = "auto", suffix: str = "") -> Document:
    """A :class:`Document` from raw bytes (``fmt`` one of :data:`FORMATS`)."""
    if fmt == "auto":
        fmt = sniff(data, suffix)
    if fmt in ("text", "markdown"):
        return _from_text(name, data, fmt == "markdown")
    if fmt in ("html", "jats"):
        text, flags = decode(data)
        return _from_markup(name, text, fmt, flags)
    if fmt == "pdf":
        return _from_pdf(name, data)
    if fmt == "docx":
        return _from_docx(name, data)
    raise Unreadable(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def read_document(path: str | Path, name: str | None = None, fmt: str = "auto") -> Document:
    """Read one file (raises :class:`Unreadable` with the reason)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from exc
    return read_bytes(name or path.name, data, fmt, path.suffix)
