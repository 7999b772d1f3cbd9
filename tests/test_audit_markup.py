"""The fast markup readers give exactly html.parser's text and paragraph starts (or decline)."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from alliance_analysis.audit import documents as D

FIX = Path(__file__).parent / "fixtures" / "audit"

#: fragments of well-formed and hostile markup; random strings of them are read both ways
FRAGMENTS = [
    "<p>", "</p>", "<i>", "</i>", "<br/>", "<br />", "<br>", "<hr>", "<script>", "</script>",
    "<style>", "</style>", "<title>", "</title>", "<head>", "</head>", "<w:t>", "</w:t>",
    "<w:tab/>", "<w:p>", "</w:p>", "<w:tab>", "<svg>", "</svg>", "<!-- c -->", "<!---->", "<!-->",
    "<!DOCTYPE html>", "<?xml v?>", "<![CDATA[x]]>", "&lt;", "&amp;", "&chi;", "&#178;", "&", "&#",
    "&#x", "&am", "<", ">", "t(28) = 2.2", ", p = .04", " ", "\n", "\t", "x", "<a href='a>b'>",
    "<a href=x>", "<a href=x/>", "<a b=\"c\" d>", "<p/>", "<P>", "</P >", "</ p>", "<a$>",
    "<textarea>", "</textarea>", "<xmp>", "<noscript>", "</noscript>", "<td>", "</td>", "<li>",
    "<sup>2</sup>", "<sub>", "&minus;", "&nbsp;", "\r\n", "<div class=a>", "<img src=a.png/>",
    "<p\n>", "<p\nclass='x'>", "< p>", "<3", "</>", "<>", "<!x>", "<!doctype html PUBLIC \"a\">",
    "--", "-->", "<!--", "&#0;", "&#1;", "<p title='<i>'>", "<!-- <p> -->", "<SCRIPT>", "<Head>",
    "\x00", "&amp<i></i>;", "<math>", "</math>", "<template>", "<sec>", "</sec>", "<label>",
]


def _html_parser(text: str, docx: bool) -> tuple[str, list[int]]:
    p = D._TextParser(docx=docx)
    p.feed(text)
    p.close()
    return "".join(p.parts), p.starts


@pytest.mark.parametrize("name", ["article.html", "article.xml"])
def test_fixtures_take_the_one_pass_path(name):
    text = (FIX / name).read_text(encoding="utf-8")
    assert D._c_markup_text(text) == _html_parser(text, False)


def test_docx_xml_takes_the_token_path():
    with zipfile.ZipFile(FIX / "article.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    got = D.fast_markup_text(xml, docx=True)
    assert got is not None and got == _html_parser(xml, True)


@pytest.mark.parametrize("seed", range(4))
def test_random_markup_equals_html_parser(seed):
    rng = random.Random(seed)
    taken = {"one pass": 0, "tokens": 0}
    for _ in range(5000):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 30)))
        docx = rng.random() < 0.2
        expected = _html_parser(text, docx)
        one = None if docx else D._c_markup_text(text)
        if one is not None:
            taken["one pass"] += 1
            assert one == expected, text
        tok = D._token_markup_text(text, docx)
        if tok is not None:
            taken["tokens"] += 1
            assert tok == expected, text
    # both fast paths take a fair share of the strings (the rest go to html.parser)
    assert taken["one pass"] > 100 and taken["tokens"] > 300, taken


@pytest.mark.parametrize("text", [
    "<p>a < b</p>", "<p title=x/>t</p>", "<![CDATA[t(5) = 3, p = .03]]>", "<xmp>&amp;</xmp>",
    "<title>a<i>b</i></title>", "<script>if (a < b) {}</script>", "<!-- a -- b -->",
    "&am<i></i>p;", "<i>&#1;</i> x", "<p>\x00</p>",
])
def test_hostile_markup_goes_to_html_parser(text):
    assert D._c_markup_text(text) is None
    doc = D.read_bytes("x.html", text.encode(), "html")
    assert (doc.text, doc.part_starts) == _html_parser(text, False)
