"""``mixzip tune``: fit the EML heuristics' parameters (predictors/eml.py) on a corpus.

Objective: the coded size (payload bits) of the corpus at one level, each
file compressed as its own stream (first ``max_bytes`` of it).

Search: gradient-free coordinate descent over the 20 integer parameters (in
eighths, |c| <= 8), or over the named nodes' only (``nodes``; the others
keep their start values).  From a start point, try each coordinate +-step in a
seeded random order and take the first improvement; when a whole sweep
improves nothing, halve the step (annealing: 8/8, 4/8, 2/8, 1/8, or from a
smaller first ``step``).  The first start is all zeros (the hand-set
constants) unless ``start`` gives another (a warm start); ``restarts`` more
start from seeded random points (in the searched coordinates).  Finally each non-zero parameter is
snapped to 0 if that costs nothing.  Every evaluation is deterministic and
memoised, so the result depends only on (corpus, level, seed, settings);
``jobs`` processes code the files of one evaluation in parallel and give
the same result.

Output JSON (``-o``): {"format": "mixzip-eml/1", "levels": {"L": [20 ints]},
"bpb": ..., "baseline_bpb": ..., "seed": ..., "files": [...], ...} - the
"levels" part has the shape of the packaged eml_params.json.
"""
from __future__ import annotations

import dataclasses
import json
import random
from typing import Callable, Sequence

from mixzip.codec.engine import Engine
from mixzip.predictors import eml, recipes

FORMAT = "mixzip-eml/1"


def payload_bits(level: int, params: Sequence[int], datas: Sequence[bytes], pool=None) -> int:
    """Coded size in bits of each data compressed alone (one block) at ``level``
    with these EML parameters; with ``pool`` (a process pool) the datas are
    coded in parallel (the same sum: each stream is deterministic)."""
    if pool is not None:
        jobs = [(level, tuple(params), d) for d in sorted(datas, key=len, reverse=True)]
        return sum(pool.map(_payload_bits_one, jobs, chunksize=1))
    base = recipes.spec_for_level(level)
    spec = dataclasses.replace(base, params=dict(base.params, eml=eml.to_text(params)))
    return sum(8 * len(Engine(spec).encode_block(data)[0]) for data in datas)


def _payload_bits_one(job) -> int:
    level, params, data = job
    return payload_bits(level, params, [data])


def descend(cost: Callable[[tuple], int], start: tuple, rng: random.Random, step: int = 8,
            log: Callable[[str], None] = lambda s: None, coords: Sequence[int] | None = None) -> tuple[tuple, int]:
    cur, fcur = start, cost(start)
    while step >= 1:
        improved = False
        order = list(range(len(cur)) if coords is None else coords)
        rng.shuffle(order)
        for i in order:
            for d in (step, -step):
                v = cur[i] + d
                if abs(v) > eml.PMAX:
                    continue
                cand = cur[:i] + (v,) + cur[i + 1:]
                fc = cost(cand)
                if fc < fcur:
                    cur, fcur, improved = cand, fc, True
                    log(f"  step {step}: {eml.to_text(cur)} -> {fcur}")
                    break
        if not improved:
            step //= 2
    return cur, fcur


def tune(datas: Sequence[bytes], level: int, seed: int = 1, restarts: int = 1, step: int = 8,
         log: Callable[[str], None] = lambda s: None, jobs: int = 1, start: Sequence[int] | None = None,
         nodes: Sequence[str] | None = None) -> dict:
    """Fit the parameters (see the module text); ``jobs`` > 1 codes the datas
    in that many processes (same result, less wall time); ``start`` replaces
    the all-zero first starting point (a warm start: one coordinate at a
    time cannot leave a valley that needs two parameters to move together);
    ``nodes`` (names from eml.NAMES) limits the search to those nodes."""
    coords = None if nodes is None else eml.node_indices(nodes)
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(jobs) as pool:
            return _tune(datas, level, seed, restarts, step, log, pool, start, coords)
    return _tune(datas, level, seed, restarts, step, log, None, start, coords)


def _tune(datas, level, seed, restarts, step, log, pool, start, coords) -> dict:
    memo: dict[tuple, int] = {}

    def cost(p: tuple) -> int:
        if p not in memo:
            memo[p] = payload_bits(level, p, datas, pool)
        return memo[p]

    rng = random.Random(seed)
    zero = (0,) * eml.NPARAM
    base = cost(zero)
    best, fbest = zero, base
    first = zero if start is None else tuple(eml.from_text(eml.to_text(start)))
    free = range(eml.NPARAM) if coords is None else coords
    starts = [first]
    for _ in range(restarts):
        r = list(first)
        for i in free:
            r[i] = rng.randrange(-2, 3) * 2
        starts.append(tuple(r))
    for n, s0 in enumerate(starts):
        log(f"start {n}: {eml.to_text(s0)}")
        p, fp = descend(cost, s0, rng, step, log, coords)
        if fp < fbest:
            best, fbest = p, fp
    for i in free:                     # snap to zero where that costs nothing
        if best[i]:
            cand = best[:i] + (0,) + best[i + 1:]
            if cost(cand) <= fbest:
                best, fbest = cand, cost(cand)
    nbytes = sum(len(d) for d in datas)
    return {"format": FORMAT, "levels": {str(level): list(best)}, "level": level, "seed": seed,
            "restarts": restarts, "start": eml.to_text(first), "step": step,
            "nodes": list(eml.NAMES) if coords is None else sorted({eml.NAMES[i // 4] for i in coords},
                                                                    key=eml.NAMES.index),
            "bytes": nbytes, "bits": fbest, "bpb": round(fbest / nbytes, 5),
            "baseline_bpb": round(base / nbytes, 5), "evaluations": len(memo)}


def load(path) -> dict:
    """Read a tune result (or the packaged file): {level: [20 ints]}."""
    with open(path) as f:
        doc = json.load(f)
    return {int(k): eml.from_text(eml.to_text(v)) for k, v in doc["levels"].items()}
