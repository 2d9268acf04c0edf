"""StateMap: context -> adaptive probability that the next bit is 1.

Each entry is a uint32 holding a 22-bit probability in the high bits and a
10-bit count n in the low bits.  On bit y the entry moves toward y with the
rate 1/(n + 1.5), so a fresh context learns fast and an old one averages:

    p := p + (y * 2^22 - p) * DT[n] >> 16,   DT[n] = 2^17 // (2n + 3)
    n := min(n + 1, limit)

``limit`` (<= 1023) bounds the memory of the map: 127 adapts, 1023 is
near-stationary.  ``sm_p`` returns the probability as p12 (12 bits) for
``stretch``.  Memory: 4 bytes per context.

How to call (per bit): ``i = base + context``; ``p12 = sm_p(sm, i)``; code the
bit; ``sm_update(sm, i, y, limit, dt)``.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline
from mixzip.predictors import statetable

DT = np.array([(1 << 17) // (2 * n + 3) for n in range(1024)], dtype=np.int32)


def new_statemap(n: int) -> np.ndarray:
    """A map of ``n`` contexts, every entry at p = 1/2, n = 0."""
    return np.full(n, (1 << 21) << 10, dtype=np.uint32)


def new_state_statemap(n_sets: int) -> np.ndarray:
    """``n_sets`` maps of 256 entries indexed by bit-history state, each entry
    primed with the state's own estimate (n1 + 0.5) / (n0 + n1 + 1)."""
    one = np.full(256, (1 << 21) << 10, dtype=np.uint32)
    for s in range(statetable.NSTATES):
        n0, n1 = int(statetable.N0[s]), int(statetable.N1[s])
        p22 = ((2 * n1 + 1) << 22) // (2 * (n0 + n1) + 2)
        one[s] = p22 << 10
    return np.tile(one, n_sets)


@inline
def sm_p(sm, i):
    return np.int64(sm[U(i)]) >> 20


@inline
def sm_update(sm, i, y, limit, dt):
    t = np.int64(sm[U(i)])
    n = t & 1023
    p = t >> 10
    p += (((y << 22) - p) * dt[n]) >> 16
    if n < limit:
        n += 1
    sm[U(i)] = (p << 10) | n
