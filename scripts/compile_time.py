"""Compile time: what a level's first run costs from an empty cache, and what it costs warm.

    python scripts/compile_time.py [--levels 1 8 10] [--files FILE ...] [--repeat 3]
                                   [--speed-repeat 6] [--workers 3] [--tree PATH ...] [--no-speed]
                                   [--cache-dir DIR]

For each level and each source tree (``--tree``: a checkout of mixzip to
measure instead of the installed one, put first on PYTHONPATH; several
trees are measured side by side, interleaved, in one run), in fresh child
processes with their own empty ``NUMBA_CACHE_DIR`` and ``MIXZIP_DRIVER_DIR``:

    import      CPU and wall seconds of ``import mixzip`` (first process)
    first       CPU and wall seconds of the first ``mixzip.compress`` of a
                1 KB input: Numba compiles the driver and every kernel it uses
    warm        wall seconds of a whole second process (interpreter start,
                import, the driver loaded from the cache, compress 1 KB),
                best of --repeat
    speed       MB/s of ``mixzip.compress`` on each of --files, in CPU time,
                kernels already compiled (--workers processes per tree, in
                turn); the best of --speed-repeat passes, the trees' passes
                interleaved (this VM drifts between runs)

Every child also reports the sha256 of its archives; the script fails if
two trees' archives of the same input differ.  Prints a Markdown table.

Default files: alice29.txt and kennedy.xls of the Canterbury corpus.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = (b"The quick brown fox jumps over the lazy dog. 0123456789 " * 20)[:1024]


def child(args) -> None:
    """Run inside a fresh process: import, the first compress, print JSON;
    as a worker, then one timed compress per line read (a file name)."""
    out: dict = {}
    t0, w0 = time.process_time(), time.perf_counter()
    import mixzip
    out["module"] = mixzip.__file__
    out["import_cpu"], out["import_wall"] = time.process_time() - t0, time.perf_counter() - w0
    t1, w1 = time.process_time(), time.perf_counter()
    a = mixzip.compress(SAMPLE, level=args.level)
    out["first_cpu"], out["first_wall"] = time.process_time() - t1, time.perf_counter() - w1
    out["sample_sha"] = hashlib.sha256(a).hexdigest()[:16]
    print("JSON" + json.dumps(out), flush=True)
    if args.child == "worker":
        for line in sys.stdin:
            data = Path(line.strip()).read_bytes()
            t = time.process_time()
            a = mixzip.compress(data, level=args.level)
            cpu = time.process_time() - t
            print("JSON" + json.dumps({"cpu": cpu, "sha": hashlib.sha256(a).hexdigest()[:16], "n": len(data)}),
                  flush=True)


def _env(tree: str | None, cache: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache / "numba"), MIXZIP_DRIVER_DIR=str(cache / "drivers"))
    if tree:
        env["PYTHONPATH"] = tree + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _cmd(mode: str, level: int) -> list[str]:
    return [sys.executable, __file__, "--child", mode, "--level", str(level)]


def _read(proc) -> dict:
    while True:
        line = proc.stdout.readline()
        if not line:
            sys.exit(f"child failed:\n{proc.stderr.read()[-3000:]}")
        if line.startswith("JSON"):
            return json.loads(line[4:])


def spawn(tree: str | None, cache: Path, level: int) -> tuple[dict, float]:
    """One whole process (import, first compress of SAMPLE): its JSON and wall time."""
    w = time.perf_counter()
    r = subprocess.run(_cmd("first", level), env=_env(tree, cache), capture_output=True, text=True)
    wall = time.perf_counter() - w
    if r.returncode != 0:
        sys.exit(f"child failed ({tree or 'installed'}, level {level}):\n{r.stderr[-3000:]}")
    return json.loads([x for x in r.stdout.splitlines() if x.startswith("JSON")][-1][4:]), wall


def measure_speed(trees, caches, level: int, files: list[str], repeat: int, nproc: int) -> list[dict]:
    """CPU seconds of each compress: ``nproc`` worker processes per tree (the
    JIT code lands at other addresses in each process, worth a few per cent),
    the trees in turn, each pass on the next worker of its tree."""
    workers = [[subprocess.Popen(_cmd("worker", level), env=_env(t, c), stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(nproc)] for t, c in zip(trees, caches)]
    for procs in workers:
        for proc in procs:
            _read(proc)
    res = [{f: [] for f in files} for _ in trees]
    for k in range(repeat):
        for f in files:
            for procs, r in zip(workers, res):
                proc = procs[k % nproc]
                proc.stdin.write(f + "\n")
                proc.stdin.flush()
                r[f].append(_read(proc))
    for procs in workers:
        for proc in procs:
            proc.stdin.close()
            proc.wait()
    return res


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    cant = here.parent / "shared" / "corpus" / "canterbury"
    for c in (Path("/work/shared/corpus/canterbury"), cant):
        if c.is_dir():
            cant = c
            break
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--levels", type=int, nargs="+", default=[1, 8, 10])
    ap.add_argument("--level", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs="*", default=[str(cant / "alice29.txt"), str(cant / "kennedy.xls")])
    ap.add_argument("--repeat", type=int, default=3, help="warm starts per tree (best kept)")
    ap.add_argument("--speed-repeat", type=int, default=6, help="timed passes per file and tree (best kept)")
    ap.add_argument("--tree", action="append", default=[], help="a mixzip checkout to measure (repeatable)")
    ap.add_argument("--workers", type=int, default=3, help="worker processes per tree for the speed passes")
    ap.add_argument("--cache-dir", help="keep the caches here (reused by a later run: then 'first' is warm)")
    ap.add_argument("--no-speed", action="store_true", help="compile and warm start only")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    trees = args.tree or [None]
    names = [Path(t).name if t else "installed" for t in trees]
    files = [] if args.no_speed else args.files
    print(f"# {os.uname().machine}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
          f"levels {args.levels}; files {[Path(f).name for f in files]}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="mixzip-ct-") as tmp:
        for level in args.levels:
            caches = [Path(args.cache_dir or tmp) / f"L{level}-{k}-{n}" for k, n in enumerate(names)]
            res = []
            for tree, cache, name in zip(trees, caches, names):
                first, _ = spawn(tree, cache, level)
                print(f"level {level} {name}: import {first['import_cpu']:.2f} s, first compress "
                      f"{first['first_cpu']:.1f} s CPU / {first['first_wall']:.1f} s wall ({first['module']})", flush=True)
                res.append({"first": first, "warm": []})
            for _ in range(args.repeat):
                for tree, cache, r in zip(trees, caches, res):
                    r["warm"].append(spawn(tree, cache, level)[1])
            sp = measure_speed(trees, caches, level, files, args.speed_repeat, args.workers) if files else [{} for _ in trees]
            shas = {(f, x["sha"]) for r in sp for f in files for x in r[f]}
            shas |= {("sample", r["first"]["sample_sha"]) for r in res}
            if len(shas) != len(files) + 1:
                sys.exit(f"level {level}: archives differ between trees or runs: {sorted(shas)}")
            for name, r, s in zip(names, res, sp):
                mbs = {Path(f).name: x[0]["n"] / 1e6 / min(y["cpu"] for y in x) for f, x in s.items()}
                rows.append((level, name, r["first"]["first_cpu"], r["first"]["first_wall"], min(r["warm"]), mbs))
                print(f"level {level} {name}: warm {min(r['warm']):.2f} s; "
                      + ", ".join(f"{k} {v:.4f} MB/s" for k, v in mbs.items()), flush=True)
    print()
    fnames = [Path(f).name for f in files]
    print("| level | tree | first compress CPU s | wall s | warm start s | " + " | ".join(f"{f} MB/s" for f in fnames) + " |")
    print("|---|---|---:|---:|---:|" + "---:|" * len(fnames))
    for level, name, cpu, wall, warm, speeds in rows:
        print(f"| {level} | {name} | {cpu:.1f} | {wall:.1f} | {warm:.2f} | "
              + " | ".join(f"{speeds[f]:.4f}" for f in fnames) + " |")


if __name__ == "__main__":
    main()
