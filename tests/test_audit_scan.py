"""The p-anchored scan with a literal-first pattern finds exactly what the candidate scan found."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from alliance_analysis.audit import parse as P
from alliance_analysis.audit.documents import read_document

FIX = Path(__file__).parent / "fixtures" / "audit"
FRAGMENTS = [
    "t", "r", "F", "z", "Z", "Q", "Qw", "Q-between", "\u03c72", "\u03c7\u00b2", "chi2",
    "chi-square", "X2", "d", "(", ")", "(28)", "(2, 28)", "(1, N = 40)", "(l, 76)", "(1,234)",
    " = ", "=", "<", ">", "\u2264", " 2.20", "-2.2", "\u2212.65", "1,234.5", ", ", ";",
    " p = .036", "p<.05", " ns", " n.s.", ", 95% CI [-.85, -.29]", "95% CI [1, 2]", " ", "  ",
    "\n", "a", "x.", "'", "\u2019", "_", "p", "n", "s", ".", "1e-5", " \u00d7 10^-5", "2", "%",
    "CI", "[", "]", " " * 300, " " * 650, "ast(3) = 2, p = .1", "Cohen's d = .4, p = .02",
]


def _spans(scan, text):
    return [(m.span(), m.group()) for m in scan(text)]


@pytest.mark.parametrize("name", ["article.txt", "article.md", "article.html", "article.pdf"])
def test_fixtures_same_matches(name):
    text = read_document(FIX / name).text
    assert _spans(P._matches, text) == _spans(P._matches_by_candidates, text)


@pytest.mark.parametrize("seed", range(3))
def test_random_strings_same_matches(seed):
    rng = random.Random(seed)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 40)))
        got = _spans(P._matches, text)
        assert got == _spans(P._matches_by_candidates, text), text
        found += len(got)
    assert found > 300  # the strings do hold results


def test_far_statistic_and_long_ci_follow_the_windows():
    far = "t(28) =" + " " * 700 + "2.20, p = .036"
    assert _spans(P._matches, far) == _spans(P._matches_by_candidates, far) == []
    long_ci = "r(18) = -.65, p = .002, 95% CI" + " " * 290 + "[-.85, -.29]"
    assert _spans(P._matches, long_ci) == _spans(P._matches_by_candidates, long_ci)


def test_pieces_cut_anywhere_equal_the_whole_text():
    rng = random.Random(11)
    text = " ".join("".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 30)))
                    + rng.choice([" t(28) = 2.20, p = .036", " r(9) = .5, ns", ""])
                    for _ in range(400))
    whole = P.parse_text(text)
    cue = P.mentions_one_tailed(text)
    for _ in range(20):
        cuts = sorted({0, len(text), *rng.sample(range(len(text)), 8)})
        pieces = [P.parse_range(text, a, b, cue) for a, b in zip(cuts, cuts[1:], strict=False)]
        assert sum((p.raw for p in pieces), []) == whole.raw
        assert sum((p.start for p in pieces), []) == whole.start
        assert sum((p.skipped for p in pieces), []) == whole.skipped
        assert sum((p.notes for p in pieces), []) == whole.notes
    assert len(whole) > 300


@pytest.mark.parametrize("seed", range(3))
def test_strings_dense_with_p_same_matches(seed):
    """Many p's with and without results in one window: the scan skips starts already tried
    for an earlier p that found nothing, and must still find exactly the candidate scan's."""
    rng = random.Random(100 + seed)
    dense = FRAGMENTS + [" p = .036", "p<.05", " ns", ", p = .5", "p = ."] * 8
    found = 0
    for _ in range(2000):
        text = "".join(rng.choice(dense) for _ in range(rng.randint(5, 80)))
        got = _spans(P._matches, text)
        assert got == _spans(P._matches_by_candidates, text), text
        found += len(got)
    assert found > 300


def test_pieces_stop_scanning_for_p_at_whitespace_they_do_not_need():
    """A piece scans for p's only to the first non-space after its window (not to the end of
    the text), and a p whose comparison lies beyond long whitespace is still read whole."""
    cases = ["t(28) = 2.20, p" + " " * 70_000 + "= .036, then r(9) = .5, ns" + " " * 200_000,
             "r(9) = .5," + "\u2003" * 70_000 + "ns.",
             "r" + " " * 300_000 + "t(3) = 1, p = .4"]
    for text in cases:
        whole = P.parse_text(text)
        cue = P.mentions_one_tailed(text)
        for step in (997, 65_536, 100_003):
            cuts = [*range(0, len(text), step), len(text)]
            pieces = [P.parse_range(text, a, b, cue) for a, b in itertools.pairwise(cuts)]
            assert sum((p.raw for p in pieces), []) == whole.raw, (text[:20], step)
            assert sum((p.start for p in pieces), []) == whole.start


@pytest.mark.parametrize("seed", range(3))
def test_p_anchors_cut_anywhere_equal_the_whole_scan(seed):
    """The bounded scan for p's gives the whole-text matches that start before its end, for
    every end, on text dense with p's, commas, semicolons, n.s. and whitespace."""
    rng = random.Random(200 + seed)
    parts = ["p", "p ", " = ", "<", "<=", "=", ",", ";", " ", "   ", "\n", "\u2003", "n", "s",
             ".", "ns", "n.s.", "x", "1", " " * 20]
    for _ in range(300):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 60)))
        for pos in range(0, len(text), 3):
            for e0 in range(pos, len(text) + 20):
                got = [(m.span(), m.group()) for m in P._p_anchors(text, pos, e0)
                       if m.start() < e0]
                whole_from_pos = [(m.span(), m.group()) for m in P._P_ANCHOR.finditer(text, pos)
                                  if m.start() < e0]
                assert got == whole_from_pos, (text, pos, e0)
