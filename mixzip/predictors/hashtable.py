"""Checked hash table of bit-history slots (one slot per context and nibble).

Layout: ``ht`` is a uint8 array of 16-byte slots.  A slot belongs to one
(context, first-or-second nibble) pair:

    slot[0]       8-bit checksum of the context hash
    slot[1..15]   bit-history states (statetable.py) of the 15 nodes of the
                  nibble's binary tree: node 1, then 2..3, 4..7, 8..15

Lookup of a 32-bit hash h: index i = h & (nslots - 1), checksum h >> 24.
Slots i, i^1, i^2 (one 64-byte cache line) are probed; on a checksum hit
that slot is returned, otherwise the probed slot of lowest priority (the
count n0 + n1 of its node-1 state, i.e. how much it has been used) is
cleared, stamped with the checksum and returned.

Memory: 16 bytes x nslots (nslots a power of two, at most 2^24).
How to call: at each nibble boundary ``base = ht_find(ht, h, mask, count)``;
per bit read/write ``ht[base + node]``.  ``ht_prefetch(ht, h, mask)`` as soon
as a hash is known lets the cache misses of several contexts overlap (the
backbone also prefetches both candidates of the second nibble a bit early).
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, prefetch

SLOT = 16


def new_hashtable(bits: int) -> np.ndarray:
    if not 10 <= bits <= 24:
        raise ValueError("hash table bits must be in 10..24")
    raw = np.zeros((SLOT << bits) + 64, dtype=np.uint8)
    skip = (-raw.ctypes.data) % 64          # align slot groups to cache lines
    return raw[skip: skip + (SLOT << bits)]


@inline
def ht_find(ht, h, mask, count):
    chk = (h >> 24) & 255
    i0 = h & mask
    best = -1
    bestpri = 1 << 30
    for k in range(3):
        b = (i0 ^ k) * 16
        if ht[U(b)] == chk:
            return b
        pri = count[ht[U(b + 1)]]
        if pri < bestpri:
            bestpri = pri
            best = b
    for k in range(16):
        ht[U(best + k)] = 0
    ht[U(best)] = chk
    return best


@inline
def ht_prefetch(ht, h, mask):
    prefetch(ht, ((h & mask) & ~3) * 16)
