"""APM (adaptive probability map, a.k.a. SSE): refines a probability in a context.

For each context there are 33 buckets spanning stretch(p) in [-2048, 2048]
in steps of 128, each holding a 16-bit probability.  The output interpolates
the two buckets around stretch(p); on bit y the nearer bucket moves toward y:

    t[j] := t[j] + ((y << 16) - t[j]) >> rate          (rate 6..7)

Buckets start at squash(their own stretch value), so a fresh APM is the
identity.  Memory: 33 x 4 bytes per context.

How to call (per bit): ``p16, j = apm_p(t, ctx, x)`` with x = stretch of the
input probability; code the bit; ``apm_update(t, j, y, rate)``.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline
from mixzip.predictors.logistic import squash


def new_apm(n_ctx: int) -> np.ndarray:
    row = np.array([squash((j - 16) * 128) for j in range(33)], dtype=np.int64)
    return np.tile(row.astype(np.uint16), n_ctx)


@inline
def apm_p(t, ctx, x):
    """Returns (p16, index of the bucket to update)."""
    xs = x + 2048
    lo = xs >> 7
    w = xs & 127
    base = ctx * 33 + lo
    p = (np.int64(t[U(base)]) * (128 - w) + np.int64(t[U(base + 1)]) * w) >> 7
    return p, base + (w >> 6)


@inline
def apm_update(t, j, y, rate):
    v = np.int64(t[U(j)])
    t[U(j)] = v + ((((y << 16) - v) + (1 << (rate - 1))) >> rate)
