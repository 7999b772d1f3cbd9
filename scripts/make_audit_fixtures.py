"""Write the small audit fixtures (one article in each format) under tests/fixtures/audit/.

Run from the repository root: ``python scripts/make_audit_fixtures.py``. The same results are
written as plain text (the statcheck oracle input), Markdown, HTML (italics, sub/superscripts,
entities), JATS XML, PDF (matplotlib's PDF backend, with the ``¼``-for-``=`` glyph and an
``F(l, 76)`` as extracted from journal PDFs) and DOCX (the ZIP's XML written directly), plus an
unreadable PDF and DOCX. Deterministic: reruns give identical files.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

OUT = Path("tests/fixtures/audit")

#: (plain text, HTML) of each sentence; the plain forms are what R statcheck reads
SENTENCES = [
    ("Alliance rose over the sessions, t(28) = 2.20, p = .036.",
     "Alliance rose over the sessions, <i>t</i>(28) = 2.20, <i>p</i> = .036."),
    ("The change was large, t(19) = 2.31, p = .02.",
     "The change was large, <i>t</i>(19) = 2.31, <i>p</i> = .02."),
    ("Groups differed, F(2, 28) = 4.12, p = .027.",
     "Groups differed, <i>F</i>(2, 28) = 4.12, <i>p</i> = .027."),
    ("No interaction, F(2, 28) < 1, p = .35.",
     "No interaction, <i>F</i>(2, 28) &lt; 1, <i>p</i> = .35."),
    ("Alliance and outcome correlated, r(18) = -.65, p = .002.",
     "Alliance and outcome correlated, <i>r</i>(18) = &minus;.65, <i>p</i> = .002."),
    ("A weak association, r(40) = .25, p = .03.",
     "A weak association, <i>r</i>(40) = .25, <i>p</i> = .03."),
    ("Responders were more frequent, chi2(1, N = 6,721) = 4.10, p = .043.",
     "Responders were more frequent, &chi;<sup>2</sup>(1, <i>N</i> = 6,721) = 4.10, "
     "<i>p</i> = .043."),
    ("Remission rates differed, chi2(2) = 9.50, p = .02.",
     "Remission rates differed, &chi;<sup>2</sup>(2) = 9.50, <i>p</i> = .02."),
    ("The sign test gave z = 2.42, p = .016.",
     "The sign test gave <i>z</i> = 2.42, <i>p</i> = .016."),
    ("Heterogeneity was present, Q(12) = 24.50, p = .02.",
     "Heterogeneity was present, <i>Q</i>(12) = 24.50, <i>p</i> = .02."),
    ("Within studies, Qw(3) = 5.10, p = .16.",
     "Within studies, <i>Q</i><sub>w</sub>(3) = 5.10, <i>p</i> = .16."),
    ("Between subgroups, Qb(1) = 2.00, p = .04.",
     "Between subgroups, <i>Q</i><sub>b</sub>(1) = 2.00, <i>p</i> = .04."),
    ("A large test, F(1, 76) = 4.50, p = .04.",
     "A large test, <i>F</i>(1, 76) = 4.50, <i>p</i> = .04."),
    ("A negative effect, t(30) = -3.10, p = .004.",
     "A negative effect, <i>t</i>(30) = &minus;&nbsp;3.10, <i>p</i> = .004."),
]
#: the package's extra forms (not read by statcheck)
EXTRA = [
    ("Alliance correlated with insight, r = -.47, p = .036.",
     "Alliance correlated with insight, <i>r</i> = &minus;.47, <i>p</i> = .036."),
    ("With its interval, r(18) = -.65, 95% CI [-.85, -.29], p = .002.",
     "With its interval, <i>r</i>(18) = &minus;.65, 95% CI [&minus;.85, &minus;.29], "
     "<i>p</i> = .002."),
]


def plain() -> str:
    return "\n\n".join(s for s, _ in SENTENCES + EXTRA) + "\n"


def html_doc() -> str:
    body = "\n".join(f"<p>{h}</p>" for _, h in SENTENCES + EXTRA)
    return ("<!DOCTYPE html>\n<html><head><title>Alliance trial</title>"
            "<style>p { color: black }</style><script>var t = 'r(1) = 2, p = .5';</script>"
            f"</head>\n<body>\n<h1>Results</h1>\n{body}\n</body></html>\n")


def markdown() -> str:
    lines = ["# Results", ""]
    for _, h in SENTENCES + EXTRA:
        lines += [h.replace("<i>", "*").replace("</i>", "*"), ""]
    return "\n".join(lines)


def jats() -> str:
    paras = "\n".join(f"<p>{h.replace('<i>', '<italic>').replace('</i>', '</italic>')}</p>"
                      for _, h in SENTENCES + EXTRA)
    paras = (paras.replace("&minus;", "&#x2212;").replace("&chi;", "&#x3c7;")
             .replace("&nbsp;", "&#xa0;"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<article article-type="research-article">'
            "<front><article-meta><title-group><article-title>Alliance trial</article-title>"
            "</title-group></article-meta></front>\n<body><sec><title>Results</title>\n"
            f"{paras}\n</sec></body></article>\n")


def pdf(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["pdf.fonttype"] = 42
    matplotlib.rcParams["svg.hashsalt"] = "audit"
    texts = [s for s, _ in SENTENCES + EXTRA]
    # glyph faults as extracted from journal PDFs: "=" as "¼", a letter l for the digit 1
    texts[2] = texts[2].replace("F(2, 28) = ", "F(2, 28) \u00bc ")
    texts[12] = texts[12].replace("F(1, 76)", "F(l, 76)")
    pages = [texts[:8], texts[8:]]
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path, metadata={"CreationDate": None, "ModDate": None, "Producer": None,
                                  "Creator": None}) as pp:
        for lines in pages:
            fig = plt.figure(figsize=(8.27, 11.69))
            for i, line in enumerate(lines):
                fig.text(0.05, 0.95 - 0.05 * i, line, fontsize=9)
            pp.savefig(fig)
            plt.close(fig)


def docx(path: Path) -> None:
    from xml.sax.saxutils import escape

    paras = []
    for s, _ in SENTENCES + EXTRA:
        # italic run for the test letter, as Word writes it
        head, rest = s.split(", ", 1) if ", " in s else ("", s)
        paras.append(f'<w:p><w:r><w:t xml:space="preserve">{escape(head)}, </w:t></w:r>'
                     f'<w:r><w:rPr><w:i/></w:rPr><w:t>{escape(rest[:1])}</w:t></w:r>'
                     f'<w:r><w:t xml:space="preserve">{escape(rest[1:])}</w:t></w:r></w:p>')
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{''.join(paras)}</w:body></w:document>")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", types), ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "article.txt").write_text(plain(), encoding="utf-8")
    (OUT / "article.md").write_text(markdown(), encoding="utf-8")
    (OUT / "article.html").write_text(html_doc(), encoding="utf-8")
    (OUT / "article.xml").write_text(jats(), encoding="utf-8")
    pdf(OUT / "article.pdf")
    docx(OUT / "article.docx")
    (OUT / "broken.pdf").write_bytes(b"%PDF-1.4\n% not really a PDF\n")
    (OUT / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    (OUT / "latin1.txt").write_bytes("Caf\xe9 study: t(28) = 2.20, p = .036.\n".encode("cp1252"))


if __name__ == "__main__":
    main()
