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
"""
from __future__ import annotations

from mixzip.jit import inline


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
