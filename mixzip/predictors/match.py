"""MatchModel: predicts the next bit from the longest recent repeat of the context.

State (int64 scalars in the caller's ``st`` at MPTR, MLEN):
    buf     ring buffer of the last 2^bufbits bytes of the stream
    mht     hash of the last MINLEN bytes -> low 32 bits of the position after them
    ptr     absolute position of the byte the match predicts next
    len     length of the current match in bytes (0 = none), capped at MAXLEN

Per byte (``mm_byte``, after byte c is known, at absolute position pos):
    store c; if len > 0 and buf[ptr] == c then len += 1, ptr += 1 else len = 0;
    if len == 0: take the candidate from mht[h], verify it by comparing up to
    MAXVERIFY bytes backwards, and accept it when at least MINLEN match;
    mht[h] := pos + 1.
Per bit: the expected bit is the next bit of buf[ptr]; when a coded bit
differs from it, len := 0 for the rest of the byte.
Inputs to the mixer (made by the recipe kernel, backbone.py):
stretch(StateMap[len_bucket(len), expected bit]) and a fixed-confidence vote
(+/-) growing with len.

Memory: 2^bufbits + 4 * 2^htbits bytes.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import inline

MINLEN = 6
MAXVERIFY = 64
MAXLEN = 65535
NBUCKET = 32
M32 = 0xFFFFFFFF


def new_match(bufbits: int, htbits: int):
    return np.zeros(1 << bufbits, dtype=np.uint8), np.zeros(1 << htbits, dtype=np.uint32)


@inline
def len_bucket(n):
    if n < 16:
        return n
    b = 16 + ((n - 16) >> 3)
    return b if b < NBUCKET else NBUCKET - 1


@inline
def mm_byte(buf, mht, c, pos, h, ptr, mlen):
    """Byte ``c`` has just been coded at absolute position ``pos``.
    Returns the new (ptr, len)."""
    bmask = buf.shape[0] - 1
    buf[pos & bmask] = c
    npos = pos + 1
    if mlen > 0:
        if buf[ptr & bmask] == c and mlen < MAXLEN:
            mlen += 1
            ptr += 1
        else:
            mlen = 0
    hi = h & (mht.shape[0] - 1)
    if mlen == 0:
        dist = (npos - np.int64(mht[hi])) & M32
        if 0 < dist < bmask - MAXVERIFY and dist <= npos:
            cand = npos - dist
            n = 0
            while n < MAXVERIFY and n < cand and buf[(cand - 1 - n) & bmask] == buf[(npos - 1 - n) & bmask]:
                n += 1
            if n >= MINLEN:
                mlen = n
                ptr = cand
    elif npos - ptr >= bmask - 8:
        mlen = 0
    mht[hi] = npos & M32
    return ptr, mlen
