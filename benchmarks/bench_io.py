"""The loader at scale: ``load_table`` on wide CSVs of 1e4, 1e5 and 1e6 participants x 60 columns,
and on long CSVs (one row per answer) of the same trial up to 1e5 participants (5.8 million rows,
about the size of the 1e6 wide file).

Run as a script (``python benchmarks/bench_io.py [--sizes 1e4,1e5,1e6] [--long-sizes
1e3,1e4,1e5] [--repeat 3]``) or
collected by pytest-benchmark (``make bench``: the 1e4 file only). The files are SYNTHETIC
(seeded random item responses), generated here: participant id, arm, WAI-SR items at two
timepoints (24 columns, 1-5) and GRID-HAMD-17 items at two timepoints (34 columns, each item's own
range), 2% of item cells empty. About 127 bytes per row, so the 1e6 file is about 127 MB.

Each measurement runs in a fresh process (the peak resident memory is that process's high-water
mark, ``VmHWM``, minus its resident memory just before the call, ``VmRSS``) and the loader and its peer, a bare
``pandas.read_csv`` of the same file (the floor: reading without any validation), are run
interleaved, the same number of times; min and median are reported. Agreement is checked on the
timed data: the loader's WAI-SR and GRID-HAMD-17 totals of every complete row equal the item sums
computed from the peer's frame, and every empty cell is in the audit.

``LoadResult.tidy`` and ``.items`` (one row per participant x scale, and per item response) are
built on first use; the time and peak memory with them built are printed apart (they are
larger than the CSV by construction: 10 tidy rows and 58 item rows per participant, so at 1e6
participants 58 million item rows; they are measured up to 1e5 participants only).

Targets (issue 14, section 6): 1e6 participants load in under 60 s, peak memory within 4x the
CSV's size, time linear in the number of rows (the per-row time at 1e6 within 1.5x the one at
1e5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

MISSING = 0.02
SEED = 20241204
MAPPING = """[arms]
1 = "immediate"
2 = "delayed"
"""


def columns() -> list[tuple[str, int, int]]:
    """(column, min, max) of the 58 item columns."""
    from alliance_analysis.instruments import get_instrument

    out = []
    for prefix, inst_id, tps in (("wai", "wai_sr", ("prep", "post")),
                                 ("hamd", "grid_hamd_17", ("base", "wk4"))):
        inst = get_instrument(inst_id)
        for tp in tps:
            for i in range(inst.n_items):
                out.append((f"{prefix}_{tp}_{i + 1}", int(inst.item_min[i]), int(inst.item_max[i])))
    return out


def _trial(n: int, seed: int):
    """The synthetic trial both layouts write: the columns, each participant's answers
    (uint8), which answers are empty, the arm (1 or 2) and the 8-byte ids ``P0000001``."""
    cols = columns()
    rng = np.random.default_rng(seed)
    k = len(cols)
    lo = np.array([c[1] for c in cols])
    hi = np.array([c[2] for c in cols])
    values = (lo + np.floor(rng.random((n, k)) * (hi - lo + 1))).astype(np.uint8)
    empty = rng.random((n, k)) < MISSING
    arm = rng.integers(1, 3, n).astype(np.uint8)
    ids = np.char.encode(np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 7)))
    return cols, values, empty, arm, ids


def make_csv(path: Path, n: int, seed: int = SEED) -> Path:
    """Write the synthetic wide CSV of ``n`` participants (vectorised: bytes built with numpy)."""
    cols, values, empty, arm, ids = _trial(n, seed)
    k = len(cols)
    prefix = np.frombuffer(b"".join(i + b"," for i in ids), dtype=np.uint8).reshape(n, 9)
    rows = np.empty((n, 9 + 2 + 2 * k), dtype=np.uint8)
    rows[:, :9] = prefix
    rows[:, 9] = ord("0") + arm
    rows[:, 10] = ord(",")
    rows[:, 11::2] = ord("0") + values
    rows[:, 12::2] = ord(",")
    rows[:, -1] = ord("\n")
    keep = np.ones(rows.shape, dtype=bool)
    keep[:, 11::2] = ~empty
    header = ",".join(["participant_id", "arm", *(c[0] for c in cols)]) + "\n"
    with path.open("wb") as fh:
        fh.write(header.encode())
        fh.write(rows[keep].tobytes())
    return path


def make_long_csv(path: Path, n: int, seed: int = SEED) -> Path:
    """The same trial as :func:`make_csv` in the long layout: one row per answer (participant x
    timepoint x instrument x item: 58 rows per participant, ``P0000001,1,prep,wai,1,3``), 2% of
    the answers empty. About 25 bytes per row, so 1e5 participants (5.8 million rows) make
    about 146 MB, the size of the 1e6-participant wide file."""
    cols, values, empty, arm, ids = _trial(n, seed)
    ids = np.frombuffer(b"".join(ids), dtype=np.uint8).reshape(n, 8)
    keys = [",".join(c[0].split("_")).encode() for c in cols]  # e.g. b"wai,prep,1"
    # fixed-width middle per column: ",<arm>,<timepoint>,<instrument>,<item>," then the value
    mids = [b"," + b"%s" + b"," + k_.split(b",")[1] + b"," + k_.split(b",")[0] + b","
            + k_.split(b",")[2] + b"," for k_ in keys]
    header = b"participant_id,arm,timepoint,instrument,item,value\n"
    with path.open("wb") as fh:
        fh.write(header)
        for start in range(0, n, 50_000):
            stop = min(n, start + 50_000)
            m = stop - start
            parts = []
            for j, mid in enumerate(mids):
                width = 8 + len(mid) - 2 + 1 + 1 + 1  # id, mid (arm is 1 byte), value, newline
                buf = np.empty((m, width), dtype=np.uint8)
                buf[:, :8] = ids[start:stop]
                pre, post = mid.split(b"%s")
                buf[:, 8:8 + len(pre)] = np.frombuffer(pre, dtype=np.uint8)
                buf[:, 8 + len(pre)] = ord("0") + arm[start:stop]
                a = 9 + len(pre)
                buf[:, a:a + len(post)] = np.frombuffer(post, dtype=np.uint8)
                buf[:, -2] = ord("0") + values[start:stop, j]
                buf[:, -1] = ord("\n")
                keep = np.ones(buf.shape, dtype=bool)
                keep[:, -2] = ~empty[start:stop, j]
                parts.append((buf, keep))
            # rows in participant order, then column order
            width_all = sum(b.shape[1] for b, _ in parts)
            block = np.concatenate([b for b, _ in parts], axis=1)
            mask = np.concatenate([kk for _, kk in parts], axis=1)
            assert block.shape[1] == width_all
            fh.write(block[mask].tobytes())
    return path


_CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from alliance_analysis.io import load_table
path, mapping, what = sys.argv[1], sys.argv[2], sys.argv[3]


def status_mb(field):
    # Linux: VmRSS (now) and VmHWM (high-water mark) of this process's own memory; getrusage's
    # ru_maxrss is not used where /proc exists, because it keeps the parent's high-water mark
    # across fork + exec (a large parent would hide the child's peak)
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


base = status_mb("VmRSS")
t0 = time.perf_counter()
if what == "loader":
    r = load_table(path, mapping)
else:
    r = pd.read_csv(path)
seconds = time.perf_counter() - t0
out = {"seconds": seconds, "peak_mb": status_mb("VmHWM") - base}
if what == "loader" and sys.argv[4] == "check":
    raw = pd.read_csv(path)
    ok = True
    long = "value" in raw.columns
    if long:  # the peer's own pivot: participant x item of each instrument x timepoint
        ids = pd.unique(raw["participant_id"])
    for inst, prefix, tps, n in (("wai_sr", "wai", ("prep", "post"), 12),
                                 ("grid_hamd_17", "hamd", ("base", "wk4"), 17)):
        for tp in tps:
            if long:
                sub = raw[(raw["instrument"] == prefix) & (raw["timepoint"] == tp)]
                items = sub.pivot(index="participant_id", columns="item", values="value")
                items = items.reindex(index=ids, columns=range(1, n + 1)).to_numpy(float)
            else:
                items = raw[[f"{prefix}_{tp}_{i}" for i in range(1, n + 1)]].to_numpy(float)
            complete = ~np.isnan(items).any(axis=1)
            got = r.wide[f"{inst}.total.{tp}"].to_numpy(float)[complete]
            ok &= bool(np.array_equal(got, items[complete].sum(axis=1)))
    ok &= int(raw.isna().sum().sum()) == len(r.audit.values_set_missing)
    ok &= list(r.wide.index) == pd.unique(raw["participant_id"]).tolist()
    out["agree"] = ok
if what == "loader" and len(r.wide) <= 100_000:
    t0 = time.perf_counter()
    _ = (r.tidy, r.items)  # built on first use: timed and measured apart
    out["tidy_items_s"] = time.perf_counter() - t0
    out["tidy_items_peak_mb"] = status_mb("VmHWM") - base
print(json.dumps(out))
"""


def measure(path: Path, mapping: Path, what: str, check: bool = False) -> dict:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(mapping), what,
                          "check" if check else "-"], capture_output=True, text=True, env=env,
                         check=False)
    if res.returncode:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(sizes: list[int], repeat: int, folder: Path, layout: str = "wide") -> list[dict]:
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    table = []
    make = make_csv if layout == "wide" else make_long_csv
    print(f"{layout} layout:")
    for n in sizes:
        path = make(folder / f"{layout}_{n}.csv", n)
        size_mb = path.stat().st_size / 1e6
        loader, peer = [], []
        for i in range(repeat):  # interleaved, same repetitions
            loader.append(measure(path, mapping, "loader", check=i == 0))
            peer.append(measure(path, mapping, "peer"))
        row = {"n": n, "csv_mb": size_mb,
               "loader_min_s": min(m["seconds"] for m in loader),
               "loader_median_s": statistics.median(m["seconds"] for m in loader),
               "loader_peak_mb": max(m["peak_mb"] for m in loader),
               "peer_min_s": min(m["seconds"] for m in peer),
               "peer_median_s": statistics.median(m["seconds"] for m in peer),
               "peer_peak_mb": max(m["peak_mb"] for m in peer),
               "agree": loader[0]["agree"],
               "tidy_items_s": min(m.get("tidy_items_s", np.nan) for m in loader),
               "tidy_items_peak_mb": max(m.get("tidy_items_peak_mb", np.nan) for m in loader)}
        table.append(row)
        n_rows = sum(1 for _ in path.open("rb")) - 1 if layout == "long" else n
        row["rows"] = n_rows
        path.unlink()
        print(f"n={n:>9,}{f' ({n_rows:,} rows)' if layout == 'long' else ''}  csv {size_mb:7.1f} MB | load_table min {row['loader_min_s']:7.2f} s "
              f"median {row['loader_median_s']:7.2f} s peak {row['loader_peak_mb']:7.0f} MB "
              f"({row['loader_peak_mb'] / size_mb:4.1f}x csv) | pandas.read_csv min "
              f"{row['peer_min_s']:6.2f} s median {row['peer_median_s']:6.2f} s peak "
              f"{row['peer_peak_mb']:6.0f} MB | agree {row['agree']} | then .tidy + .items "
              f"{row['tidy_items_s']:5.1f} s, peak {row['tidy_items_peak_mb']:6.0f} MB", flush=True)
    if len(table) > 1:
        per = [r["loader_min_s"] / r["n"] * 1e6 for r in table]
        print("microseconds per participant: " + ", ".join(
            f"{r['n']:,}: {p:.1f}" for r, p in zip(table, per, strict=True)))
        mem = [r["loader_peak_mb"] / r["csv_mb"] for r in table]
        print("peak memory / csv size: " + ", ".join(
            f"{r['n']:,}: {x:.1f}x" for r, x in zip(table, mem, strict=True)))
    return table


def test_bench_io(benchmark, tmp_path):
    from alliance_analysis.io import load_table

    path = make_csv(tmp_path / "wide.csv", 10_000)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    r = benchmark.pedantic(load_table, args=(path, mapping), rounds=3, iterations=1,
                           warmup_rounds=1)
    assert r.audit.n_participants == 10_000 and r.wide.shape[0] == 10_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6", help="wide: participants ('' = none)")
    ap.add_argument("--long-sizes", default="1e3,1e4,1e5",
                    help="long: participants, 58 rows each ('' = none)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    long_sizes = [int(float(s)) for s in args.long_sizes.split(",") if s]
    table = []
    with tempfile.TemporaryDirectory() as folder:
        if sizes:
            table = run(sizes, args.repeat, Path(folder))
        if long_sizes:
            run(long_sizes, args.repeat, Path(folder), "long")
    big = [r for r in table if r["n"] >= 1_000_000]
    for r in big:
        print(f"targets at n={r['n']:,}: time < 60 s: {r['loader_min_s'] < 60} "
              f"({r['loader_min_s']:.1f} s); peak memory < 4x csv: "
              f"{r['loader_peak_mb'] < 4 * r['csv_mb']} ({r['loader_peak_mb']:.0f} MB = "
              f"{r['loader_peak_mb'] / r['csv_mb']:.2f}x the {r['csv_mb']:.1f} MB csv)")


if __name__ == "__main__":
    main()
