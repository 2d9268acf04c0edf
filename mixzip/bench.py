"""Benchmark: mixzip against zstd -19, xz -9e and bzip2 -9, file by file.

    result = run_bench(files, level, baselines=True, isolate=True, progress=None)
    print(format_table(result))          # or json.dumps(result)

``files`` is [(name, data)], e.g. from ``mixzip.corpus.resolve``.  For every
file mixzip compresses and then decompresses it with ``mixzip.codec``; the
round trip must be bit-exact (sha256 of the output == sha256 of the input),
or the file's row is marked failed (``ok`` false, ``error`` says why) and so
is the result.  No exception escapes for a failing file.

Measures (per file, and a TOTAL row):
    bpb        compressed bits per original byte, 8 * compressed / original;
               TOTAL is 8 * sum(compressed) / sum(original).  None for 0 bytes.
    baselines  zstd level 19 (python-zstandard), xz preset 9 | PRESET_EXTREME
               (lzma), bzip2 level 9 (bz2): compressed bytes and bpb.
    speed      MB/s, 1 MB = 10^6 bytes, wall time (perf_counter) of the one
               compress() and the one decompress() call; TOTAL is
               sum(bytes) / sum(seconds); None for 0 bytes.  The JIT compile
               is not counted: a tiny compress/decompress (text, and
               incompressible bytes) runs first in the same process.
    peak_mb    peak resident memory, 10^6 bytes: with ``isolate=True`` each
               file runs in a fresh 'spawn' child process and this is that
               child's ru_maxrss (interpreter, imports, JIT code, model and
               buffers included); TOTAL is the largest.  None with
               ``isolate=False`` (one process's peak says nothing per file)
               and where ``resource`` is unavailable (Windows).

The result is a JSON-serialisable dict:
    {"ok", "level", "model", "isolate", "baselines": [names],
     "machine": {platform, machine, processor, cpu_count, python, numba,
                 numpy, zstandard, mixzip},
     "files": [row, ...], "total": row}
    row = {"name", "bytes", "sha256" (files only), "ok", "error",
           "mixzip": {"bytes", "bpb", "comp_s", "decomp_s", "comp_mbps",
                      "decomp_mbps", "peak_mb", "archive_sha256" (files only)},
           "zstd19"|"xz9e"|"bzip2": {"bytes", "bpb"}   (with baselines)}
On a failed file its mixzip sizes and speeds are None, and so are TOTAL's.
"""
from __future__ import annotations

import bz2
import hashlib
import lzma
import multiprocessing
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

MB = 1_000_000

# Warm-up inputs: text (coded blocks) and 1 KiB of hash output (a stored block).
_WARMUP = (b"mixzip warm-up: the quick brown fox jumps over the lazy dog. " * 24,
           b"".join(hashlib.sha256(i.to_bytes(2, "little")).digest() for i in range(32)))


def _codec():
    """(compress, decompress) of the public API; a seam for tests."""
    from mixzip.codec import compress, decompress
    return compress, decompress


# --------------------------------------------------------------------------
# baselines

def _zstd19(data: bytes) -> int | None:
    try:
        import zstandard
    except ImportError:
        return None
    return len(zstandard.ZstdCompressor(level=19).compress(data))


def _xz9e(data: bytes) -> int:
    return len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))


def _bzip2(data: bytes) -> int:
    return len(bz2.compress(data, 9))


_BASELINE_FUNCS = {"zstd19": _zstd19, "xz9e": _xz9e, "bzip2": _bzip2}


# --------------------------------------------------------------------------
# mixzip measurement (runs in a child process when isolated)

def _peak_mb() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024          # bytes on macOS, KiB elsewhere
    return rss * scale / MB


def _measure(data: bytes, level: int, isolated: bool) -> dict:
    """Warm up, then time one compress and one decompress of ``data``.

    Returns sizes, seconds, the output's sha256 (the caller checks the round
    trip) and, if ``isolated``, this process's peak RSS; or {"error": ...}.
    """
    try:
        compress, decompress = _codec()
        for w in _WARMUP:                                      # JIT compile, not timed
            if decompress(compress(w, level)) != w:
                return {"error": "round trip failed on the warm-up input"}
        t0 = time.perf_counter()
        archive = compress(data, level)
        t1 = time.perf_counter()
        out = decompress(archive)
        t2 = time.perf_counter()
    except Exception as exc:  # noqa: BLE001 - any failure marks the file, not the run
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"bytes": len(archive), "comp_s": t1 - t0, "decomp_s": t2 - t1,
            "archive_sha256": hashlib.sha256(archive).hexdigest(),
            "out_bytes": len(out), "out_sha256": hashlib.sha256(out).hexdigest(),
            "peak_mb": _peak_mb() if isolated else None}


def _measure_isolated(data: bytes, level: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(_measure, data, level, True).result()
    except BrokenProcessPool:
        return {"error": "benchmark child process died (out of memory or crashed)"}


# --------------------------------------------------------------------------
# the benchmark

def _bpb(compressed: int | None, original: int) -> float | None:
    if compressed is None or original == 0:
        return None
    return compressed * 8 / original


def _mbps(nbytes: int, seconds: float | None) -> float | None:
    if seconds is None or seconds <= 0 or nbytes == 0:
        return None
    return nbytes / MB / seconds


def _mixzip_row(size: int, m: dict) -> dict:
    return {"bytes": m.get("bytes"), "bpb": _bpb(m.get("bytes"), size),
            "comp_s": m.get("comp_s"), "decomp_s": m.get("decomp_s"),
            "comp_mbps": _mbps(size, m.get("comp_s")), "decomp_mbps": _mbps(size, m.get("decomp_s")),
            "peak_mb": m.get("peak_mb"), "archive_sha256": m.get("archive_sha256")}


def _file_row(name: str, data: bytes, level: int, baselines: bool, isolate: bool) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    m = _measure_isolated(data, level) if isolate else _measure(data, level, False)
    error = m.get("error")
    if error is None and (m["out_bytes"] != len(data) or m["out_sha256"] != sha):
        error = (f"round trip not bit-exact: decompressed {m['out_bytes']} bytes "
                 f"(sha256 {m['out_sha256'][:16]}...), original {len(data)} (sha256 {sha[:16]}...)")
    if error is not None:
        m = {"peak_mb": m.get("peak_mb")}
    row = {"name": name, "bytes": len(data), "sha256": sha, "ok": error is None, "error": error,
           "mixzip": _mixzip_row(len(data), m)}
    if baselines:
        for key, fn in _BASELINE_FUNCS.items():
            n = fn(data)
            row[key] = {"bytes": n, "bpb": _bpb(n, len(data))}
    return row


def _sum(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _total_row(rows: list[dict], baselines: bool) -> dict:
    size = sum(r["bytes"] for r in rows)
    ok = all(r["ok"] for r in rows)
    mz = [r["mixzip"] for r in rows]
    peaks = [m["peak_mb"] for m in mz if m["peak_mb"] is not None]
    m = {"peak_mb": max(peaks) if peaks else None}
    if ok:
        m.update(bytes=_sum(x["bytes"] for x in mz), comp_s=_sum(x["comp_s"] for x in mz),
                 decomp_s=_sum(x["decomp_s"] for x in mz))
    total = {"name": "TOTAL", "bytes": size, "ok": ok,
             "error": None if ok else f"{sum(not r['ok'] for r in rows)} file(s) failed",
             "mixzip": _mixzip_row(size, m)}
    del total["mixzip"]["archive_sha256"]
    if baselines:
        for key in _BASELINE_FUNCS:
            n = _sum(r[key]["bytes"] for r in rows)
            total[key] = {"bytes": n, "bpb": _bpb(n, size)}
    return total


def machine_info() -> dict:
    """Where the numbers were measured: platform and library versions."""
    def version(module: str) -> str | None:
        try:
            from importlib.metadata import version as v
            return v(module)
        except Exception:  # noqa: BLE001 - not installed / no metadata
            return None
    return {"platform": platform.platform(), "machine": platform.machine(),
            "processor": platform.processor(), "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "numba": version("numba"),
            "numpy": version("numpy"), "zstandard": version("zstandard"), "mixzip": version("mixzip")}


def run_bench(files: list[tuple[str, bytes]], level: int, *, baselines: bool = True,
              isolate: bool = True, progress: Callable[[str], None] | None = None) -> dict:
    """Benchmark mixzip at ``level`` on ``files`` ([(name, data)]); see the module doc.

    ``progress``, if given, is called with each file's name before it is
    measured (e.g. to print progress on stderr).  Raises ValueError for a
    level outside 1..10, before any work is done.  A file whose round trip
    fails does not raise: its row and the result have ``ok`` false.
    """
    from mixzip.predictors.recipes import spec_for_level

    spec = spec_for_level(level)                # validates the level
    level = int(level)
    rows = []
    for name, data in files:
        if progress is not None:
            progress(str(name))
        rows.append(_file_row(str(name), bytes(data), level, baselines, isolate))
    total = _total_row(rows, baselines)
    return {"ok": total["ok"], "level": level, "model": spec.describe(), "isolate": bool(isolate),
            "baselines": list(_BASELINE_FUNCS) if baselines else [],
            "machine": machine_info(), "files": rows, "total": total}


# --------------------------------------------------------------------------
# the table

def _fmt(value, spec: str, width: int) -> str:
    return ("-" if value is None else format(value, spec)).rjust(width)


def format_table(result: dict) -> str:
    """A fixed-width text table of a ``run_bench`` result (no trailing newline)."""
    rows = result["files"] + [result["total"]]
    name_w = min(max([4] + [len(r["name"]) for r in rows]), 40)

    def name(r):
        n = r["name"]
        return (n if len(n) <= name_w else "..." + n[-(name_w - 3):]).ljust(name_w)

    head = [name({"name": "file"}), "size".rjust(10), "mixzip".rjust(7)]
    head += [k.rjust(7) for k in result["baselines"]]
    head += ["comp MB/s".rjust(10), "decomp MB/s".rjust(12), "peak MB".rjust(8)]
    lines = [" ".join(head), "-" * len(" ".join(head))]
    for r in rows:
        if r is rows[-1]:
            lines.append("-" * len(lines[0]))
        m = r["mixzip"]
        cells = [name(r), str(r["bytes"]).rjust(10)]
        cells.append(_fmt(m["bpb"], ".3f", 7) if r["ok"] else "FAIL".rjust(7))
        cells += [_fmt(r[k]["bpb"], ".3f", 7) for k in result["baselines"]]
        cells += [_fmt(m["comp_mbps"], ".3f", 10), _fmt(m["decomp_mbps"], ".3f", 12),
                  _fmt(m["peak_mb"], ".1f", 8)]
        lines.append(" ".join(cells))
    mach = result["machine"]
    lines.append(f"bits per byte (lower is better); MB = 10^6 bytes; {result['model']}; "
                 f"{mach['machine']}, {mach['cpu_count']} CPUs, Python {mach['python']}, "
                 f"numba {mach['numba']}" + ("" if result["isolate"] else "; not isolated: no peak memory"))
    for r in result["files"]:
        if not r["ok"]:
            lines.append(f"FAILED {r['name']}: {r['error']}")
    return "\n".join(lines)
