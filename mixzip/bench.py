"""Benchmark: mixzip at one or more levels beside zstd -19, xz -9e and bzip2 -9, file by file.

    result = run_bench(files, levels=(1, 8), baselines=True, isolate=True, repeat=3,
                       plugins=(), corpus={"name": "canterbury", "path": "..."}, progress=None)
    print(format_table(result))          # or json.dumps(result)
    plot(result, "bench.png")            # ratio against speed (needs matplotlib)

``files`` is [(name, data)], e.g. from ``mixzip.corpus.resolve``; ``levels``
one level or several.  For every file and level mixzip compresses and then
decompresses it with ``mixzip.codec``; the round trip must be bit-exact
(sha256 of the output == sha256 of the input), or the file's row is marked
failed (``ok`` false, ``error`` says why and at which level) and so is the
result.  No exception escapes for a failing file.  The baselines' round
trips are checked the same way.

Measures (per file, per codec, and a TOTAL row):
    bytes      compressed size.
    bpb        compressed bits per original byte, 8 * compressed / original;
               TOTAL is 8 * sum(compressed) / sum(original).  None for 0 bytes.
    ratio      original / compressed (bigger is better).
    speed      comp_s/decomp_s: wall time (perf_counter) of one compress() /
               decompress() call, the fastest of ``repeat`` runs (as lzbench
               and turbobench keep the fastest: the slower runs measure the
               machine's other work); comp_mbps/decomp_mbps = original bytes /
               10^6 / seconds.  TOTAL is sum(bytes) / sum(seconds).  None for
               0 bytes.  mixzip's JIT compile is not counted: a tiny
               compress/decompress (text, and incompressible bytes) runs
               first in the same process.
    baselines  zstd level 19 (python-zstandard), xz preset 9 | PRESET_EXTREME
               (lzma), bzip2 level 9 (bz2), with the same measures, in this
               process.
    peak_mb    mixzip only: peak resident memory, 10^6 bytes: with
               ``isolate=True`` each file and level runs in a fresh 'spawn'
               child process and this is that child's ru_maxrss
               (interpreter, imports, JIT code, model and buffers included);
               TOTAL is the largest.  None with ``isolate=False`` (one
               process's peak says nothing per file) and where ``resource``
               is unavailable (Windows).

The result is a JSON-serialisable dict:
    {"ok", "levels": [int], "models": {"<level>": description}, "plugins": [names],
     "repeat", "isolate", "corpus": {"name", "path", "files", "bytes", ...},
     "baselines": [names], "codecs": {label: key path}, "machine": {platform, machine,
     processor, cpu_count, python, numba, numpy, zstandard, mixzip},
     "files": [row, ...], "total": row}
    row = {"name", "bytes", "sha256" (files only), "ok", "error",
           "mixzip": {"<level>": {"bytes", "bpb", "ratio", "comp_s", "decomp_s",
                                  "comp_mbps", "decomp_mbps", "peak_mb",
                                  "archive_sha256" (files only)}},
           "zstd19"|"xz9e"|"bzip2": {"bytes", "bpb", "ratio", "comp_s", "decomp_s",
                                     "comp_mbps", "decomp_mbps"}   (with baselines)}
On a failed file its sizes and speeds at the failing level are None, and so
are TOTAL's for that level.
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
from typing import Callable, Iterable

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

def _zstd19():
    try:
        import zstandard
    except ImportError:
        return None
    return (zstandard.ZstdCompressor(level=19).compress, zstandard.ZstdDecompressor().decompress)


def _xz9e():
    return (lambda d: lzma.compress(d, preset=9 | lzma.PRESET_EXTREME), lzma.decompress)


def _bzip2():
    return (lambda d: bz2.compress(d, 9), bz2.decompress)


_BASELINE_FUNCS = {"zstd19": _zstd19, "xz9e": _xz9e, "bzip2": _bzip2}
BASELINE_LABELS = {"zstd19": "zstd -19", "xz9e": "xz -9e", "bzip2": "bzip2 -9"}


def _fastest(fn, arg, repeat: int):
    """(result of the last call, the fastest of ``repeat`` timed calls in seconds)."""
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(arg)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return out, best


def _baseline(key: str, data: bytes, repeat: int) -> dict:
    funcs = _BASELINE_FUNCS[key]()
    if funcs is None:
        return {"bytes": None, "comp_s": None, "decomp_s": None, "error": "not installed"}
    comp, decomp = funcs
    packed, comp_s = _fastest(comp, data, repeat)
    out, decomp_s = _fastest(decomp, packed, repeat)
    m = {"bytes": len(packed), "comp_s": comp_s, "decomp_s": decomp_s}
    if out != data:
        m["error"] = f"{BASELINE_LABELS[key]} round trip not bit-exact"
    return m


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


def _measure(data: bytes, level: int, isolated: bool, repeat: int = 1, plugins: tuple = ()) -> dict:
    """Warm up, then time ``repeat`` compressions and decompressions of ``data``
    (keeping the fastest of each).

    Returns sizes, seconds, the output's sha256 (the caller checks the round
    trip; every run's output must agree) and, if ``isolated``, this process's
    peak RSS; or {"error": ...}.
    """
    try:
        compress, decompress = _codec()
        kw = {"plugins": plugins} if plugins else {}
        for w in _WARMUP:                                      # JIT compile, not timed
            if decompress(compress(w, level, **kw)) != w:
                return {"error": "round trip failed on the warm-up input"}
        comp_s = decomp_s = None
        outs = set()
        for _ in range(repeat):
            t0 = time.perf_counter()
            archive = compress(data, level, **kw)
            t1 = time.perf_counter()
            out = decompress(archive)
            t2 = time.perf_counter()
            comp_s = t1 - t0 if comp_s is None else min(comp_s, t1 - t0)
            decomp_s = t2 - t1 if decomp_s is None else min(decomp_s, t2 - t1)
            outs.add((len(out), hashlib.sha256(out).hexdigest()))
    except Exception as exc:  # noqa: BLE001 - any failure marks the file, not the run
        return {"error": f"{type(exc).__name__}: {exc}"}
    if len(outs) != 1:
        return {"error": "decompressed outputs differ between runs"}
    (out_bytes, out_sha), = outs
    return {"bytes": len(archive), "comp_s": comp_s, "decomp_s": decomp_s,
            "archive_sha256": hashlib.sha256(archive).hexdigest(),
            "out_bytes": out_bytes, "out_sha256": out_sha,
            "peak_mb": _peak_mb() if isolated else None}


def _measure_isolated(data: bytes, level: int, repeat: int = 1, plugins: tuple = ()) -> dict:
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(_measure, data, level, True, repeat, plugins).result()
    except BrokenProcessPool:
        return {"error": "benchmark child process died (out of memory or crashed)"}


# --------------------------------------------------------------------------
# the benchmark

def _bpb(compressed: int | None, original: int) -> float | None:
    if compressed is None or original == 0:
        return None
    return compressed * 8 / original


def _ratio(compressed: int | None, original: int) -> float | None:
    if compressed is None or compressed == 0 or original == 0:
        return None
    return original / compressed


def _mbps(nbytes: int, seconds: float | None) -> float | None:
    if seconds is None or seconds <= 0 or nbytes == 0:
        return None
    return nbytes / MB / seconds


def _codec_row(size: int, m: dict) -> dict:
    return {"bytes": m.get("bytes"), "bpb": _bpb(m.get("bytes"), size),
            "ratio": _ratio(m.get("bytes"), size),
            "comp_s": m.get("comp_s"), "decomp_s": m.get("decomp_s"),
            "comp_mbps": _mbps(size, m.get("comp_s")), "decomp_mbps": _mbps(size, m.get("decomp_s"))}


def _mixzip_row(size: int, m: dict) -> dict:
    return dict(_codec_row(size, m), peak_mb=m.get("peak_mb"), archive_sha256=m.get("archive_sha256"))


def _file_row(name: str, data: bytes, levels: list[int], baselines: bool, isolate: bool,
              repeat: int, plugins: tuple) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    errors, mixzip = [], {}
    for level in levels:
        m = (_measure_isolated(data, level, repeat, plugins) if isolate
             else _measure(data, level, False, repeat, plugins))
        error = m.get("error")
        if error is None and (m["out_bytes"] != len(data) or m["out_sha256"] != sha):
            error = (f"round trip not bit-exact: decompressed {m['out_bytes']} bytes "
                     f"(sha256 {m['out_sha256'][:16]}...), original {len(data)} (sha256 {sha[:16]}...)")
        if error is not None:
            errors.append(f"level {level}: {error}" if len(levels) > 1 else error)
            m = {"peak_mb": m.get("peak_mb")}
        mixzip[str(level)] = _mixzip_row(len(data), m)
    row = {"name": name, "bytes": len(data), "sha256": sha, "ok": not errors,
           "error": "; ".join(errors) if errors else None, "mixzip": mixzip}
    if baselines:
        for key in _BASELINE_FUNCS:
            b = _baseline(key, data, repeat)
            if b.get("error"):
                row["ok"] = False
                row["error"] = "; ".join(filter(None, [row["error"], b["error"]]))
            row[key] = _codec_row(len(data), b)
    return row


def _sum(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _total_codec(size: int, parts: list[dict]) -> dict:
    return _codec_row(size, {"bytes": _sum(p["bytes"] for p in parts),
                             "comp_s": _sum(p["comp_s"] for p in parts),
                             "decomp_s": _sum(p["decomp_s"] for p in parts)})


def _total_row(rows: list[dict], levels: list[int], baselines: bool) -> dict:
    size = sum(r["bytes"] for r in rows)
    ok = all(r["ok"] for r in rows)
    total = {"name": "TOTAL", "bytes": size, "ok": ok,
             "error": None if ok else f"{sum(not r['ok'] for r in rows)} file(s) failed", "mixzip": {}}
    for level in levels:
        mz = [r["mixzip"][str(level)] for r in rows]
        peaks = [m["peak_mb"] for m in mz if m["peak_mb"] is not None]
        total["mixzip"][str(level)] = dict(_total_codec(size, mz), peak_mb=max(peaks) if peaks else None)
    if baselines:
        for key in _BASELINE_FUNCS:
            total[key] = _total_codec(size, [r[key] for r in rows])
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


def _levels(levels: int | Iterable[int]) -> list[int]:
    out: list[int] = []
    for level in ([levels] if isinstance(levels, int) else list(levels)):
        if int(level) not in out:
            out.append(int(level))
    if not out:
        raise ValueError("no level to measure")
    return out


def run_bench(files: list[tuple[str, bytes]], levels: int | Iterable[int], *, baselines: bool = True,
              isolate: bool = True, repeat: int = 1, plugins: Iterable[str] = (),
              corpus: dict | str | None = None,
              progress: Callable[[str], None] | None = None) -> dict:
    """Benchmark mixzip at ``levels`` on ``files`` ([(name, data)]); see the module doc.

    ``progress``, if given, is called with each file's name before it is
    measured (e.g. to print progress on stderr).  ``corpus`` describes where
    the files came from (a name, or a dict such as {"name", "path"}); the
    number of files and bytes are added.  Raises ValueError for a level
    outside 1..10, a repeat below 1, or (UnsupportedModelError) a plugin
    that is not installed - all before any work is done.  A file whose round
    trip fails does not raise: its row and the result have ``ok`` false.
    """
    from mixzip.predictors.recipes import spec_for_level

    levels = _levels(levels)
    plugins = tuple(plugins)
    if not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be a positive int, got {repeat!r}")
    models = {str(level): spec_for_level(level, plugins).describe() for level in levels}  # validates
    files = [(str(name), bytes(data)) for name, data in files]
    info = {"name": corpus} if isinstance(corpus, str) else dict(corpus or {"name": "files"})
    info.update(files=len(files), bytes=sum(len(d) for _, d in files))
    rows = []
    for name, data in files:
        if progress is not None:
            progress(name)
        rows.append(_file_row(name, data, levels, baselines, isolate, repeat, plugins))
    total = _total_row(rows, levels, baselines)
    bases = list(_BASELINE_FUNCS) if baselines else []
    return {"ok": total["ok"], "levels": levels, "models": models, "plugins": list(plugins),
            "repeat": repeat, "isolate": bool(isolate), "corpus": info, "baselines": bases,
            "codecs": codec_labels(levels, bases),
            "machine": machine_info(), "files": rows, "total": total}


def codec_labels(levels: list[int], baselines: list[str]) -> dict[str, list[str]]:
    """Display label -> where its numbers are in a row: ["mixzip", "8"] or ["zstd19"]."""
    labels = {f"mixzip -{level}": ["mixzip", str(level)] for level in levels}
    labels.update({BASELINE_LABELS[key]: [key] for key in baselines})
    return labels


def codec_of(row: dict, path: list[str]) -> dict:
    for key in path:
        row = row[key]
    return row


# --------------------------------------------------------------------------
# the table and the plot

def _fmt(value, spec: str, width: int) -> str:
    return ("-" if value is None else format(value, spec)).rjust(width)


def format_table(result: dict) -> str:
    """Fixed-width text tables of a ``run_bench`` result (no trailing newline):
    the corpus, one line per codec and level over all files (size, ratio,
    bpb, speeds, peak memory), then bits per byte per file and codec."""
    labels = result["codecs"]
    total = result["total"]
    corpus = result["corpus"]
    where = f" ({corpus['path']})" if corpus.get("path") else ""
    lines = [f"corpus: {corpus['name']}{where}, {corpus['files']} files, {corpus['bytes']:,} bytes"]
    label_w = max([5] + [len(k) for k in labels])
    head = ["codec".ljust(label_w), "compressed".rjust(12), "ratio".rjust(7), "bpb".rjust(6),
            "comp MB/s".rjust(10), "decomp MB/s".rjust(12), "peak MB".rjust(8)]
    lines += [" ".join(head), "-" * len(" ".join(head))]
    for label, path in labels.items():
        m = codec_of(total, path)
        lines.append(" ".join([label.ljust(label_w), _fmt(m["bytes"], ",d", 12), _fmt(m["ratio"], ".3f", 7),
                               _fmt(m["bpb"], ".3f", 6), _fmt(m["comp_mbps"], ".3f", 10),
                               _fmt(m["decomp_mbps"], ".3f", 12), _fmt(m.get("peak_mb"), ".1f", 8)]))
    lines.append("")
    rows = result["files"] + [total]
    name_w = min(max([4] + [len(r["name"]) for r in rows]), 40)

    def name(r):
        n = r["name"]
        return (n if len(n) <= name_w else "..." + n[-(name_w - 3):]).ljust(name_w)

    col_w = [max(7, len(label)) for label in labels]
    head = [name({"name": "file"}), "size".rjust(10)] + [lab.rjust(w) for lab, w in zip(labels, col_w)]
    lines += ["bits per byte by file:", " ".join(head), "-" * len(" ".join(head))]
    for r in rows:
        if r is total:
            lines.append("-" * len(" ".join(head)))
        cells = [name(r), str(r["bytes"]).rjust(10)]
        for (label, path), w in zip(labels.items(), col_w):
            m = codec_of(r, path)
            cells.append("FAIL".rjust(w) if m["bytes"] is None and r["bytes"] else _fmt(m["bpb"], ".3f", w))
        lines.append(" ".join(cells))
    mach = result["machine"]
    lines.append(f"bits per byte (lower is better); MB = 10^6 bytes; speeds: fastest of {result['repeat']} "
                 f"run{'s' if result['repeat'] > 1 else ''}; "
                 + "; ".join(result["models"].values())
                 + (f"; plugins {', '.join(result['plugins'])}" if result["plugins"] else "")
                 + f"; {mach['machine']}, {mach['cpu_count']} CPUs, Python {mach['python']}, "
                 f"numba {mach['numba']}" + ("" if result["isolate"] else "; not isolated: no peak memory"))
    for r in result["files"]:
        if not r["ok"]:
            lines.append(f"FAILED {r['name']}: {r['error']}")
    return "\n".join(lines)


def check_plot() -> None:
    """Raise RuntimeError now if ``plot`` could not draw (no matplotlib)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RuntimeError("--plot needs matplotlib (pip install 'mixzip[plot]')") from None


def plot(result: dict, path: str) -> None:
    """A PNG of compression ratio against speed (all files together) for every
    codec and level: filled markers for compression, hollow for decompression."""
    check_plot()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (label, path_) in enumerate(result["codecs"].items()):
        m = codec_of(result["total"], path_)
        if m["ratio"] is None:
            continue
        color = f"C{i % 10}"
        if m["comp_mbps"] is not None:
            ax.scatter([m["comp_mbps"]], [m["ratio"]], color=color, label=label, zorder=3)
        if m["decomp_mbps"] is not None:
            ax.scatter([m["decomp_mbps"]], [m["ratio"]], facecolors="none", edgecolors=color, zorder=3)
        ax.annotate(label, (m["comp_mbps"] or m["decomp_mbps"], m["ratio"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("speed (MB/s, log scale): filled = compression, hollow = decompression")
    ax.set_ylabel("compression ratio (original / compressed)")
    corpus = result["corpus"]
    ax.set_title(f"mixzip bench: {corpus['name']}, {corpus['files']} files, {corpus['bytes']:,} bytes")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
