"""Byte -> bit adapter: a 256-way next-byte distribution as bit predictions.

A byte model (a plugin today; the GRU and attention models later) predicts
the whole next byte.  The bit coder needs P(next bit = 1) for each of the 8
bits, MSB first, given the bits already coded.  With ``cum`` the 257
cumulative integer counts of the distribution (cum[0] = 0, every byte > 0)
and c0 the partial byte with its leading 1 after j bits (1 <= c0 < 256):

    lo  = (c0 - 2^j) << (8 - j)        first byte consistent with the prefix
    mid = lo + 2^(7 - j)               first of those whose next bit is 1
    hi  = lo + 2^(8 - j)
    P(1) = (cum[hi] - cum[mid]) / (cum[hi] - cum[lo])

computed in integers as a 12-bit probability clamped to [1, 4095], ready
for ``stretch``.  Exact sums: the 8 bit probabilities multiply back to the
byte's probability (up to the 12-bit rounding).  Cost: 3 loads per bit.

``quantize_dist`` makes such a row from a float32 distribution (the built-in
neural models): cum[j+1] - cum[j] = 1 + floor(p_j 2^20), so every byte stays
codable, and returns a confidence bucket 0..7 from the largest p_j (< 1/64,
1/32, 1/16, 1/8, 1/4, 1/2, 3/4, more).
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline

QSCALE = np.float32(1 << 20)


@inline
def byte_to_bit_p12(cum, row, c0, j):
    """P(next bit = 1) in 12 bits, from row ``row`` of a (k, 257) cumulative table."""
    lo = (c0 - (1 << j)) << (8 - j)
    mid = lo + (1 << (7 - j))
    hi = lo + (1 << (8 - j))
    p12 = ((cum[row, hi] - cum[row, mid]) << 12) // (cum[row, hi] - cum[row, lo])
    if p12 < 1:
        return 1
    if p12 > 4095:
        return 4095
    return p12


@inline
def quantize_dist(p, po, cum, row):
    """p[po:po+256] (float32, sums to ~1) -> cumulative counts in cum[row]; returns the confidence bucket."""
    acc = 0
    top = 0
    for j in range(256):
        q = np.int64(p[U(po + j)] * QSCALE)
        if q > top:
            top = q
        acc += 1 + q
        cum[row, j + 1] = acc
    cum[row, 0] = 0
    conf = 0
    lim = 1 << 14
    while conf < 6 and top >= lim:
        conf += 1
        lim <<= 1
    if conf == 6 and top >= (3 << 18):
        conf = 7
    return conf
