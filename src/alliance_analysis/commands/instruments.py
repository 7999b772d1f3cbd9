"""`alliance-analysis instruments`: list the questionnaires the package knows.

Prints one row per instrument (id, name, items, item range, scales, scoring, source) or, with
``--json``, the full definition of each (ranges, keys, status per fact, sources). Definitions are
read from ``alliance_analysis/instruments/definitions/*.toml``.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers, help_text: str) -> None:
    p = subparsers.add_parser("instruments", help=help_text, description=help_text)
    p.add_argument("ids", nargs="*", metavar="ID",
                   help="only these instruments (default: all), e.g. wai_sr meq30")
    p.add_argument("--json", action="store_true", help="print full definitions as JSON")
    p.set_defaults(command="instruments")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _item_range(inst) -> str:
    if not inst.accepts_items:
        return f"— (form: {inst.form})" if inst.form else "—"
    pairs = sorted(set(zip(inst.item_min, inst.item_max, strict=True)))
    if len(pairs) == 1:
        lo, hi = pairs[0]
        return f"{_num(lo)}–{_num(hi)}" + ("" if inst.integer_items else " (continuous)")
    counts = {p: list(zip(inst.item_min, inst.item_max, strict=True)).count(p) for p in pairs}
    return ", ".join(f"{_num(lo)}–{_num(hi)} ×{counts[(lo, hi)]}" for lo, hi in pairs[::-1])


def _scales(names: tuple[str, ...], limit: int = 44) -> str:
    text = ",".join(names)
    if len(text) <= limit:
        return text
    shown: list[str] = []
    for name in names:
        if len(",".join([*shown, name])) > limit - 8:
            break
        shown.append(name)
    return ",".join(shown) + f",… (+{len(names) - len(shown)})"


def _rows(instruments) -> tuple[list[list[str]], list[str]]:
    rows, why = [], []
    for inst in instruments:
        if inst.accepts_items:
            scoring = "items" + (f", {len(inst.reverse_items)} reversed" if inst.reverse_items else "")
            items = str(inst.n_items)
            item_range = _item_range(inst)
        else:
            why.append(f"[{len(why) + 1}] {inst.id}: {inst.reason}")
            scoring = f"precomputed only [{len(why)}]"
            items = "0"
            item_range = "—"
        rows.append([
            inst.id, inst.abbreviation, items, item_range, _scales(inst.scales), scoring,
            inst.reference,
        ])
    return rows, why


def run(args: argparse.Namespace) -> int:
    import json

    from ..instruments import get_instrument, list_instruments

    wanted = getattr(args, "ids", None) or []
    instruments = [get_instrument(i) for i in wanted] if wanted else list_instruments()
    if getattr(args, "json", False):
        print(json.dumps([i.to_dict() for i in instruments], indent=2, ensure_ascii=False))
        return 0
    header = ["id", "name", "items", "item range", "scales", "scoring", "source"]
    rows, why = _rows(instruments)
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    if why:
        print("\nWhy precomputed only (supply the trial's own scale scores):")
        for line in why:
            print("  " + line)
    print("\nRanges, keys, status per fact and sources: alliance-analysis instruments --json "
          "[ID ...]; docs/instruments.md.")
    return 0
