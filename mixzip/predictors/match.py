"""MatchModel: predicts the next bit from the longest recent repeat of the context.

What it predicts: the bit that followed the last occurrence of the current
context (the last MINLEN = 6 bytes or more), and how sure that is; two
mixer inputs: stretch(StateMap[length bucket, expected bit]) and a vote of
fixed strength (+-64 per byte of length, up to 32 bytes) for the expected
bit.  Signals for the mixers: MSTATE (0 no match, 1 length < 16, 2 < 32,
3 longer), MLB (length bucket) and EB (the expected bit).

State:
    ring    the shared ring buffer of the last 2^match_bits bytes (history.py)
    mht     hash of the last MINLEN bytes -> low 32 bits of the position after them
    mm      int64: where the inputs go, ptr (absolute position of the byte the
            match predicts next), len (length of the match in bytes, 0 =
            none, capped at MAXLEN), and this byte's working copy of len
    sm      StateMap of (length bucket, expected bit)

Per byte (``mm_begin``): the expected byte is ring[ptr].  Per bit: the
expected bit is its next bit; when a coded bit differs from it, the match
ends for the rest of the byte.  After the byte (``mm_step``, byte c at
absolute position pos, already in the ring): if len > 0 and ring[ptr] == c
then len += 1, ptr += 1 else len = 0; if len == 0: take the candidate from
mht[h], verify it by comparing up to MAXVERIFY bytes backwards, and accept
it when at least MINLEN match; mht[h] := pos + 1.

Memory: 2^match_bits (ring, shared) + 4 x 2^(match_bits - 2) + 4 x 64 + 8 x 7.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.contexts import hash2
from mixzip.predictors.history import C4, C8, EB, LIMIT, MLB, MSTATE, POS
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_statemap, sm_p, sm_update

MINLEN = 6
MAXVERIFY = 64
MAXLEN = 65535
NBUCKET = 32
M32 = 0xFFFFFFFF


# mm: int64 state
XO, PTR, LEN, CUR, EXP, EXB, MSI = range(7)


@inline
def len_bucket(n):
    if n < 16:
        return n
    b = 16 + ((n - 16) >> 3)
    return b if b < NBUCKET else NBUCKET - 1


@inline
def mm_byte(buf, mht, c, pos, h, ptr, mlen):
    """Byte ``c`` has just been coded at absolute position ``pos`` (and is
    in ``buf`` there).  Returns the new (ptr, len)."""
    bmask = buf.shape[0] - 1
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


@inline
def match_hash(h):
    """Hash of the last MINLEN (6) bytes, the MatchModel's index."""
    return hash2(hash2(h[C4], h[C8] & 0xFFFF), 0x6D617463)


@phase
def mm_begin(s, h):
    mm, mht, sm, ring = s
    mlen = mm[LEN]
    mm[CUR] = mlen
    mm[EXP] = (np.int64(ring[U(mm[PTR] & (ring.shape[0] - 1))]) | 256) if mlen > 0 else 0


@phase
def mm_predict(s, h, x, c0, j):
    mm, mht, sm, ring = s
    mlen = mm[CUR]
    xo = mm[XO]
    eb = 0
    msi = 0
    mstate = 0
    if mlen > 0:
        eb = (mm[EXP] >> (7 - j)) & 1
        msi = len_bucket(mlen) * 2 + eb
        x[U(xo)] = STRETCH[U(sm_p(sm, msi))]
        v = mlen if mlen < 32 else 32
        x[U(xo + 1)] = v * 64 if eb else -v * 64
        mstate = 1 if mlen < 16 else (2 if mlen < 32 else 3)
    else:
        x[U(xo)] = 0
        x[U(xo + 1)] = 0
    mm[EXB] = eb
    mm[MSI] = msi
    h[MSTATE] = mstate
    h[EB] = eb
    h[MLB] = len_bucket(mlen)


@phase
def mm_update(s, h, y, c0, j):
    mm, mht, sm, ring = s
    if mm[CUR] > 0:
        sm_update(sm, mm[MSI], y, h[LIMIT], DT)
        if mm[EXB] != y:
            mm[CUR] = 0


@phase
def mm_step(s, h, c):
    mm, mht, sm, ring = s
    if mm[LEN] > 0 and mm[CUR] == 0:      # a mismatch in this byte ended the match
        mm[LEN] = 0
    ptr, ml = mm_byte(ring, mht, c, h[POS], match_hash(h), mm[PTR], mm[LEN])
    mm[PTR] = ptr
    mm[LEN] = ml


class MatchModel(Component):
    name = "match"
    PARAMS = (
        Param("match_bits", "mb", 12, 24, 22, 1,
              "history: 2^match_bits bytes (the shared ring buffer), index 2^(match_bits - 2)"),
    )
    begin = mm_begin
    predict = mm_predict
    update = mm_update
    step = mm_step

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.mm = np.zeros(7, dtype=np.int64)
        self.mht = np.zeros(1 << (p["match_bits"] - 2), dtype=np.uint32)
        self.sm = new_statemap(2 * NBUCKET)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.full(2, MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.mm[XO] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * 7 + 4 * 2 ** (p["match_bits"] - 2) + 4 * 2 * NBUCKET

    @classmethod
    def fit(cls, p: dict, size: int) -> dict:
        """For ``size`` bytes: a history of at least 4 x size bytes (2^16 at
        least), so the ring never wraps and the index has a slot per byte."""
        bits = max(16, (4 * size - 1).bit_length())
        return {"match_bits": bits} if bits < p["match_bits"] else {}

    def state(self) -> tuple:
        return (self.mm, self.mht, self.sm, self.shared.ring)

    def own_arrays(self) -> tuple:
        return (self.mm, self.mht, self.sm)
