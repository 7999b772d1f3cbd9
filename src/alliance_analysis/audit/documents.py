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


# The fast path: well-formed markup (what journals' HTML, JATS and Word's XML are) tokenised by one
# regular expression and fed to the same handler logic as _TextParser. Anything the expression
# does not recognise -- a '<' that opens no well-formed tag, comment, doctype or processing
# instruction, CDATA sections, unquoted attribute values touching '/', raw-text elements whose
# content holds a '<' -- sends the whole document to html.parser, so the text is always what
# html.parser gives (tested on fixtures, hostile markup and random fragments).
_TAG_NAME = r"[a-zA-Z][-.:a-zA-Z0-9_]*+"
_ATTR = (r"""(?:\s++[^\s"'<>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`/]++(?=[\s>])))?+)"""
         )
_MARKUP = re.compile(
    r"<(?:(?P<open>" + _TAG_NAME + r")" + _ATTR + r"*+\s*+(?P<slash>/?)>"
    r"|/(?P<end>" + _TAG_NAME + r")\s*+>"
    r"|!--(?!-?>)(?:[^-]|-(?!-))*+-->"
    r"|![dD][oO][cC][tT][yY][pP][eE][^<>\"']*+>"
    r"|\?[^<>]*+>)")
#: elements whose content html.parser (in some Python version) reads as raw text: their content
#: must hold no '<' before the closing tag; the ones whose entities some versions leave
#: undecoded are not taken by the fast path at all
_RAW_OK = {"script", "style", "title", "textarea"}
_RAW_NO = {"xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"}
_RAW_CLOSE = {t: re.compile(r"</" + t + r"\s*+>", re.IGNORECASE) for t in _RAW_OK}
_BREAKS = {"br", "hr", "w:br", "w:cr"}


#: one pass over HTML/JATS in C: every well-formed token is consumed left to right (so a '<'
#: inside a quoted attribute value or a comment is never read as a tag). Groups: 1 the name of an
#: end tag, 2 the name of a start tag, 3 its "/" when self-closing; comments, doctype and
#: processing instructions capture nothing.
_C_TOKENS = re.compile(
    r"<(?:/(" + _TAG_NAME + r")\s*+>|(" + _TAG_NAME + r")" + _ATTR + r"*+\s*+(/?)>"
    r"|!--(?!-?>)(?:[^-]|-(?!-))*+-->|![dD][oO][cC][tT][yY][pP][eE][^<>\"']*+>|\?[^<>]*+>)")
#: the raw-text elements' open and close marks (their content must hold no token: checked)
_RAW_MARKS = {"script": ("\x00S", "\x00s"), "style": ("\x00Y", "\x00y"),
              "title": ("\x00B", "\x00E"), "textarea": ("\x00T", "\x00X")}


class _Marks(dict):
    """Tag name as written -> the mark of its event in _TextParser (filled on first use)."""

    def __init__(self, form: str) -> None:
        super().__init__()
        self.form = form

    def __missing__(self, name: str) -> str:
        tag = name.lower()
        if self.form == "end":
            if tag in _RAW_OK:
                mark = _RAW_MARKS[tag][1]
            elif tag == "w:t" or tag in _RAW_NO:
                mark = "!"
            else:
                mark = "\x00c" if tag in _SKIP else ("\x00b" if tag in _BLOCKS else "")
        elif self.form == "self":
            mark = ("!" if tag in _RAW_OK or tag in _RAW_NO or tag == "w:tab" else
                    "\x00b" if tag in _BREAKS else "")
        else:
            if tag in _RAW_OK:
                mark = _RAW_MARKS[tag][0]
            elif tag in _RAW_NO or tag in ("w:t", "w:tab"):
                mark = "!"
            else:
                mark = "\x00o" if tag in _SKIP else ("\x00b" if tag in _BLOCKS else "")
        self[name] = mark
        return mark


_END_MARKS, _START_MARKS, _SELF_MARKS = _Marks("end"), _Marks("start"), _Marks("self")
_RAW_PAIRS = {o: c for o, c in _RAW_MARKS.values()}
#: what each mark does in the segment loop: b block, o skip+1, c skip-1, "" nothing
_KIND = {"b": "b", "o": "o", "c": "c", "S": "o", "s": "c", "Y": "o", "y": "c", "B": "b",
         "E": "b", "T": "", "X": ""}
#: an entity that a tag may cut in two (html.parser decodes each piece of text between tags
#: alone), a character reference that decodes to nothing: such text takes the token loop
_AMP_SPLIT = re.compile(r"&[^\t\n\f <&;]{0,40}<")
_NUMREF = re.compile(r"&#(?:[0-9]+|[xX][0-9a-fA-F]+)")


def _c_markup_text(text: str) -> tuple[str, list[int]] | None:
    """:func:`fast_markup_text` for HTML/JATS with the tokenising done by one ``re.split``."""
    if "\x00" in text or ("&" in text and _AMP_SPLIT.search(text)):
        return None
    if "&#" in text and any(not html.unescape(m.group()) for m in _NUMREF.finditer(text)):
        return None
    toks = _C_TOKENS.split(text)
    end, start, self_ = _END_MARKS, _START_MARKS, _SELF_MARKS
    marks = [end[e] if e is not None else ("" if t is None else (self_[t] if c else start[t]))
             for e, t, c in zip(toks[1::4], toks[2::4], toks[3::4], strict=True)]
    if "!" in marks:
        return None
    pieces = [""] * (2 * len(marks) + 1)
    pieces[0::2] = toks[0::4]
    pieces[1::2] = marks
    flat = "".join(pieces)
    if "<" in flat:
        return None
    if "\x00S" in flat or "\x00Y" in flat or "\x00B" in flat or "\x00T" in flat:
        for k, mark in enumerate(marks):  # a raw-text element: the next token must close it
            if mark in _RAW_PAIRS and (k + 1 >= len(marks) or marks[k + 1] != _RAW_PAIRS[mark]):
                return None
    segs = flat.split("\x00")
    parts: list[str] = []
    emit = parts.append
    length = 0
    starts = [0]
    skip = 0
    content = False
    unescape = html.unescape
    data = segs[0]
    if data:
        if "&" in data:
            data = unescape(data)
        emit(data)
        length = len(data)
        content = not data.isspace()
    kinds = _KIND
    for seg in segs[1:]:
        kind = kinds[seg[0]]
        if kind == "b":
            if content:
                emit("\n\n")
                length += 2
                starts.append(length)
                content = False
        elif kind == "o":
            skip += 1
        elif kind == "c":
            skip = max(skip - 1, 0)
        if len(seg) > 1 and not skip:
            data = seg[1:]
            if "&" in data:
                data = unescape(data)
            emit(data)
            length += len(data)
            if not content and not data.isspace():
                content = True
    return "".join(parts), starts


def fast_markup_text(text: str, docx: bool = False) -> tuple[str, list[int]] | None:
    """``(text, paragraph starts)`` of well-formed markup, exactly as :class:`_TextParser`
    would give them; ``None`` when the markup is not in the well-formed subset handled here."""
    if not docx:
        fast = _c_markup_text(text)
        if fast is not None:
            return fast
    return _token_markup_text(text, docx)


def _token_markup_text(text: str, docx: bool) -> tuple[str, list[int]] | None:
    """The well-formed subset read token by token (DOCX, and what the one-pass split declines)."""
    parts: list[str] = []
    emit = parts.append
    length = 0
    starts = [0]
    skip = in_t = 0
    content = False
    pos = 0
    n = len(text)
    search = _MARKUP.search
    while pos < n:
        m = search(text, pos)
        stop = m.start() if m is not None else n
        if stop > pos:  # handle_data
            data = text[pos:stop]
            if "<" in data:
                return None
            if not (skip or (docx and not in_t)):
                if "&" in data:
                    data = html.unescape(data)
                emit(data)
                length += len(data)
                content = content or not data.isspace()
        if m is None:
            break
        pos = m.end()
        tag = m.group("open")
        if tag is not None:
            tag = tag.lower()
            if m.group("slash"):  # handle_startendtag
                if tag in _BREAKS:
                    if content:
                        emit("\n\n")
                        length += 2
                        starts.append(length)
                        content = False
                elif tag == "w:tab":
                    emit(" ")
                    length += 1
                elif tag in _RAW_OK or tag in _RAW_NO:
                    return None
                continue
            if tag in _RAW_NO:
                return None
            if tag in _SKIP:
                skip += 1
            elif tag == "w:t":
                in_t += 1
            elif tag == "w:tab":
                emit(" ")
                length += 1
            elif tag in _BLOCKS and content:
                emit("\n\n")
                length += 2
                starts.append(length)
                content = False
            if tag in _RAW_OK:  # content up to the closing tag, which must be the next '<'
                close = text.find("<", pos)
                mc = _RAW_CLOSE[tag].match(text, close) if close >= 0 else None
                if mc is None:
                    return None
                if close > pos and not (skip or (docx and not in_t)):
                    data = text[pos:close]
                    if "&" in data:
                        data = html.unescape(data)
                    emit(data)
                    length += len(data)
                    content = content or not data.isspace()
                pos = mc.end()
                tag = m.group("open").lower()
            else:
                continue
        else:
            tag = m.group("end")
            if tag is None:  # comment, doctype, processing instruction: nothing
                continue
            tag = tag.lower()
        # handle_endtag
        if tag in _SKIP:
            skip = max(skip - 1, 0)
        elif tag == "w:t":
            in_t = max(in_t - 1, 0)
        elif tag in _BLOCKS and content:
            emit("\n\n")
            length += 2
            starts.append(length)
            content = False
    return "".join(parts), starts


def _from_markup(name: str, text: str, fmt: str, flags: list[str]) -> Document:
    fast = fast_markup_text(text, docx=fmt == "docx")
    if fast is not None:
        return Document(name, fmt, fast[0], fast[1], "paragraph", flags=flags)
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
