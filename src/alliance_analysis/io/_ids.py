"""Participant-id checks: likely duplicates (same id up to case/spaces) and ``participant_id_pattern``.

Both refusals report the first offending row (spreadsheet numbering, header = row 1) "and N more
such rows", with the id as typed in the file.
"""

from __future__ import annotations

import difflib
import itertools
import re

import numpy as np
import pandas as pd

from ._common import Ctx, all_ascii, fast_text, per_unique
from .mapping import LoadMapping

#: Characters commonly typed for one another in ids: letter ↔ digit.
_LOOKALIKE = {"O": "0", "o": "0", "0": "O", "I": "1", "l": "1", "1": "I"}
_MAX_SWAPS = 8  # look-alike positions tried exhaustively (2**8 variants at most)
_WS = re.compile(r"\s+")


def id_key(pid: str) -> str:
    """Two ids with the same key are the same participant typed two ways (case, spaces)."""
    return _WS.sub("", pid).casefold()


def check_participant_ids(raw: pd.Series, pid: pd.Series, rows: np.ndarray, column: str,
                          m: LoadMapping, ctx: Ctx) -> str | None:
    """Refuse likely duplicates and ids not matching the mapping's pattern.

    ``raw``: the id cells as typed; ``pid``: the same, trimmed (what the loader uses);
    ``rows``: spreadsheet rows. Returns an audit note when a pattern was checked.
    """
    pid_arr = pid.to_numpy(dtype=object)
    raw_arr = raw.to_numpy(dtype=object)
    _check_near_duplicates(pid_arr, raw_arr, rows, column, m, ctx)
    if m.participant_id_pattern is None:
        return None
    rx = re.compile(m.participant_id_pattern)
    spellings = pd.unique(pid_arr)
    ok_ids = {s for s in spellings if rx.fullmatch(s)}
    bad = ~pd.Series(pid_arr, dtype=object).isin(ok_ids).to_numpy()
    if not bad.any():
        return (f"participant ids: all {len(spellings)} match participant_id_pattern "
                f"'{m.participant_id_pattern}'")
    first = int(np.flatnonzero(bad)[np.argmin(rows[bad])])
    value = pid_arr[first]
    good = [s for s in spellings if s in ok_ids]  # file order
    first_row = {s: int(r) for s, r in zip(pid_arr[::-1], rows[::-1], strict=True)}
    relax = f"relax participant_id_pattern in {m.source}"
    if not good:
        what = (f"participant id does not match participant_id_pattern "
                f"'{m.participant_id_pattern}' (no id in the file matches it)")
        hint = (f"Check participant_id_pattern in {m.source}: it must match the whole id "
                "(e.g. '^P\\d{2}$' for ids like P01)")
    else:
        what = f"participant id does not match participant_id_pattern '{m.participant_id_pattern}'"
        hint = f"IDs in this file look like '{good[0]}'"
        fix = suggest_fix(value, rx, set(good))
        close = [] if fix is not None else difflib.get_close_matches(value, good, n=3,
                                                                      cutoff=0.6)
        if fix is not None:
            also = f" (also in row {first_row[fix]})" if fix in ok_ids else ""
            hint += f"; did you mean '{fix}'{also}? Fix"
        elif close:
            hint += "; the most similar: " + ", ".join(f"'{c}'" for c in close) + ". Fix"
        else:
            hint += ". Fix"
        hint += f" the ID in the file or {relax}"
    order = np.flatnonzero(bad)
    raise ctx.fail(what, rows[order], [column] * len(order), raw_arr[order].tolist(),
                   hint=hint, kind="such rows")


def _check_near_duplicates(pid_arr: np.ndarray, raw_arr: np.ndarray, rows: np.ndarray,
                           column: str, m: LoadMapping, ctx: Ctx) -> None:
    unique = fast_text(pd.unique(pid_arr))
    if all_ascii(unique):  # vectorised: ASCII ids (no Unicode spaces or case rules)
        keys = unique.str.replace("[ \t\n\r\f\v]+", "", regex=True).str.lower()
        if not keys.duplicated().any():  # no two spellings share a key
            return
    spellings: dict[str, list[str]] = {}  # key -> distinct spellings, in file order
    for s in pd.unique(pid_arr):
        spellings.setdefault(id_key(s), []).append(s)
    clashes = {k: v for k, v in spellings.items() if len(v) > 1}
    if not clashes:
        return
    rx = re.compile(m.participant_id_pattern) if m.participant_id_pattern else None

    def reference(variants: list[str]) -> str:
        # the spelling the others are compared with: the first matching the pattern, else first
        if rx is not None:
            return next((v for v in variants if rx.fullmatch(v)), variants[0])
        return variants[0]

    ref_of = {s: reference(v) for v in clashes.values() for s in v}
    off = pd.Series(pid_arr, dtype=object).isin({s for s, r in ref_of.items() if s != r})
    order = np.flatnonzero(off.to_numpy())
    first = int(order[np.argmin(rows[order])])
    value = pid_arr[first]
    target = ref_of[value]
    target_row = int(rows[np.flatnonzero(pid_arr == target)].min())
    if value.casefold() == target.casefold():
        differs = "case"
    elif _WS.sub("", value) == _WS.sub("", target):
        differs = "spaces"
    else:
        differs = "case and spaces"
    raise ctx.fail(
        f"participant id differs from '{target}' (row {target_row}) only in "
        f"{differs}: likely the same participant typed two ways",
        rows[order], [column] * len(order), raw_arr[order].tolist(), kind="such rows",
        hint=f"Type each participant's ID the same way in every row (e.g. '{target}'); ids are "
        "compared exactly (after trimming surrounding spaces), so different participants need "
        "ids that differ in more than case or spaces")


def suggest_fix(value: str, rx: re.Pattern, taken: set[str]) -> str | None:
    """The cheapest repair of ``value`` that matches ``rx``: spaces removed, case changed,
    look-alikes swapped (letter O ↔ digit 0, I/l ↔ 1); fewest changes first, unused ids first."""
    best: tuple | None = None
    for no_ws in (False, True):
        base = _WS.sub("", value) if no_ws else value.strip()
        for case_name, cased in (("", base), ("upper", base.upper()), ("lower", base.lower())):
            cost0 = int(no_ws and base != value.strip()) + int(cased != base)
            positions = [i for i, ch in enumerate(cased) if ch in _LOOKALIKE][:_MAX_SWAPS]
            for n in range(len(positions) + 1):
                for combo in itertools.combinations(positions, n):
                    chars = list(cased)
                    for i in combo:
                        chars[i] = _LOOKALIKE[chars[i]]
                    cand = "".join(chars)
                    if cand == value or not rx.fullmatch(cand):
                        continue
                    rank = (cost0 + n, cand in taken, case_name != "", cand)
                    if best is None or rank < best:
                        best = rank
    return None if best is None else best[-1]


#: Characters removed from ids: C0/C1 controls, soft hyphen, zero-width and bidi marks, BOM.
_INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\ufeff]")


def normalise_ids(pid: pd.Series, rows: np.ndarray) -> tuple[pd.Series, str | None]:
    """Ids as compared: Unicode NFKC (full-width ``Ｓ01`` → ``S01``), zero-width and control
    characters removed, then trimmed. Returns the ids and an audit note when any changed."""
    uniq = pd.Series(pd.unique(pid.to_numpy(dtype=object)), dtype=object)
    if not uniq.str.contains(r"[^\x20-\x7e]", regex=True).any():
        return pid, None
    out = pd.Series(per_unique(pid.to_numpy(dtype=object), lambda u: pd.Series(u, dtype=object)
                               .str.normalize("NFKC").str.replace(_INVISIBLE, "", regex=True)
                               .str.strip().to_numpy(dtype=object)), index=pid.index,
                    dtype=object)
    changed = (out != pid).to_numpy()
    if not changed.any():
        return pid, None
    k = int(np.flatnonzero(changed)[0])
    note = (f"participant ids: {int(changed.sum())} cell(s) normalised before comparing "
            f"(Unicode NFKC; zero-width and control characters removed), e.g. row "
            f"{int(rows[k])}: {pid.iloc[k]!r} -> {out.iloc[k]!r}")
    return out, note
