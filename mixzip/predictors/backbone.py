"""The context-model backbone (recipe "cm"): an lpaq-class context mixer.

What it predicts: P(next bit = 1), for every bit of the stream, MSB first.

Models (mixer inputs, in this order):
    0..5  six hashed contexts, each a bit-history state in the checked hash
          table (hashtable.py) read through its own StateMap:
          order 1, 2, 3, 4, 6 and a word context (hash of the current
          case-folded word and the previous word)
    6     order 0: a direct StateMap on the partial byte c0
    7, 8  MatchModel (match.py): StateMap on (length bucket, expected bit)
          and a fixed-strength vote for the expected bit
    9     bias (constant 256)
    10..  one input per byte-level plugin (plugins.py), through the
          byte -> bit adapter (bytemodel.py)
Mixer (mixer.py): one weight set per (match state 0..3, number of contexts
    with a non-empty bit history 0..6, partial byte c0): 4 x 8 x 256 sets.
APM chain (apm.py): a1 on c0, a2 on (c0, previous byte); final
    p = (p_mix + a1 + 2 a2) / 4, clamped to [1, 65535], coded in 16 bits.

Call order per bit (inside ``code_block``, all in Numba):
    read states -> StateMaps -> stretch -> mixer -> squash -> APMs -> code
    -> update states (NEX), StateMaps, mixer, APMs -> c0 := 2 c0 + y
    at bit 4: new hash-table slots for the second nibble
    at bit 8: update match model, word hashes, history, and context hashes.

Scales: stretch in 1/256 log-odds units (|x| <= 2047), probabilities 16 bit
at the coder, 12 bit into ``stretch``.  See each module for its own spec.

Memory (per stream): 16 B x 2^ht_bits (hash table) + 2^match_bits (history)
+ 4 B x 2^(match_bits - 2) (match index) + ~1 MiB (maps, mixer, APMs).

Per-stream state that outlives a block is kept in ``st`` (int64 scalars) and
the arrays; blocks are coded by independent coder messages but the model
carries over, so splitting a stream into blocks costs almost nothing.
"""
from __future__ import annotations

import numpy as np

from mixzip.codec import coder
from mixzip.codec.coder import code_bit, save_coder
from mixzip.jit import inline, kernel
from mixzip.predictors import logistic, statetable
from mixzip.predictors.apm import apm_p, apm_update, new_apm
from mixzip.predictors.bytemodel import byte_to_bit_p12
from mixzip.predictors.hashtable import ht_find, ht_prefetch, new_hashtable
from mixzip.predictors.match import len_bucket, mm_byte, new_match, NBUCKET
from mixzip.predictors.mixer import mixer_dot, mixer_update, new_mixer
from mixzip.predictors.statemap import DT, new_state_statemap, new_statemap, sm_p, sm_update

NAME = "cm"
VERSION = 1

NCTX = 6
I_ORDER0 = NCTX
I_MATCH = NCTX + 1
I_BIAS = NCTX + 3
NIN = NCTX + 4

# Mixer weight sets: (match state, contexts seen before, c0)
MIX_SETS = 4 * 8 * 256

# st: int64 stream state that lives across bytes and blocks
C4, C8, POS, WORD0, WORD1, MPTR, MLEN = range(7)
H0 = 7                       # H0 .. H0+NCTX-1: context hashes for the next byte
NST = H0 + NCTX

# cfg: int64 parameters of the recipe
CF_HTMASK, CF_SMLIMIT, CF_LR, CF_APMRATE, CF_OFF, CF_NEXT = range(6)

# ``off`` switches components off for ablation studies: bit i (0..9) zeroes
# mixer input i (and removes it from the mixer's context selection), bit
# OFF_APM bypasses the APM chain.  0 in every level.
OFF_APM = 16
OFF_NAMES = {"order1": 1 << 0, "order2": 1 << 1, "order3": 1 << 2, "order4": 1 << 3,
             "order6": 1 << 4, "word": 1 << 5, "order0": 1 << I_ORDER0,
             "match": (1 << I_MATCH) | (1 << (I_MATCH + 1)), "apm": 1 << OFF_APM}

# sm layout: NCTX state maps of 256, order-0 map of 256, match map
SM_ORDER0 = NCTX * 256
SM_MATCH = SM_ORDER0 + 256
SM_SIZE = SM_MATCH + 2 * NBUCKET

M32 = 0xFFFFFFFF


@inline
def hash2(a, b):
    h = ((a & M32) * 0x9E3779B1 + (b & M32) * 0x85EBCA6B + 0x27D4EB2F) & M32
    h = ((h ^ (h >> 15)) * 0x2C1B3C6D) & M32
    h = ((h ^ (h >> 12)) * 0x297A2D39) & M32
    return h ^ (h >> 15)


@inline
def context_hashes(st):
    c4 = st[C4]
    st[H0 + 0] = hash2(c4 & 0xFF, 1)
    st[H0 + 1] = hash2(c4 & 0xFFFF, 2)
    st[H0 + 2] = hash2(c4 & 0xFFFFFF, 3)
    st[H0 + 3] = hash2(c4, 4)
    st[H0 + 4] = hash2(hash2(c4, st[C8] & 0xFFFF), 6)
    st[H0 + 5] = hash2(hash2(st[WORD0], st[WORD1]), 7)


@inline
def byte_update(st, c):
    c4 = st[C4]
    st[C8] = ((st[C8] << 8) | (c4 >> 24)) & M32
    st[C4] = ((c4 << 8) | c) & M32
    if 65 <= c <= 90:
        c += 32
    if 97 <= c <= 122:
        st[WORD0] = ((st[WORD0] + c + 1) * 0x3D4D51CB) & M32
    elif st[WORD0] != 0:
        st[WORD1] = st[WORD0]
        st[WORD0] = 0


@kernel
def code_block(mode, data, dstart, dend, buf, bend, cs, st, cfg, ht, sm, mw, a1, a2,
               mbuf, mht, ext, n_ext, squash_t, stretch_t, nex, count, dt):
    """Run the model over bytes data[dstart:dend].

    ENCODE: codes data into buf (capacity bend), stops early at a byte
    boundary when fewer than 64 bytes of room are left; returns the index of
    the next uncoded byte.  DECODE: decodes into data from buf[:bend].
    TRAIN: only learns from data.  ``ext`` holds, for the current byte, one
    row of 257 cumulative counts per byte-level plugin (``n_ext`` rows used).
    """
    htmask = cfg[CF_HTMASK]
    limit = cfg[CF_SMLIMIT]
    lr = cfg[CF_LR]
    arate = cfg[CF_APMRATE]
    off = cfg[CF_OFF]
    nin = NIN + n_ext
    x = np.zeros(nin, dtype=np.int64)
    smi = np.zeros(NCTX, dtype=np.int64)
    base = np.zeros(NCTX, dtype=np.int64)
    x[I_BIAS] = 256
    x1 = cs[coder.X1]
    x2 = cs[coder.X2]
    xc = cs[coder.X]
    cpos = cs[coder.OPOS] if mode == coder.ENCODE else cs[coder.IPOS]
    for i in range(dstart, dend):
        if mode == coder.ENCODE and cpos + coder.ROOM > bend:
            save_coder(cs, mode, x1, x2, xc, cpos)
            return i
        c = 0
        if mode != coder.DECODE:
            c = np.int64(data[i])
        for k in range(NCTX):
            base[k] = ht_find(ht, st[H0 + k], htmask, count)
        mlen = st[MLEN]
        mexp = 0
        if mlen > 0:
            mexp = np.int64(mbuf[st[MPTR] & (mbuf.shape[0] - 1)]) | 256
        c1 = st[C4] & 0xFF
        c0 = 1
        node = 1
        for j in range(8):
            # ---- predict
            hits = 0
            for k in range(NCTX):
                s = np.int64(ht[base[k] + node])
                if s != 0 and (off >> k) & 1 == 0:
                    hits += 1
                smi[k] = k * 256 + s
                x[k] = stretch_t[sm_p(sm, k * 256 + s)]
            x[I_ORDER0] = stretch_t[sm_p(sm, SM_ORDER0 + c0)]
            eb = 0
            msi = 0
            mstate = 0
            if mlen > 0 and (off >> I_MATCH) & 1 == 0:
                eb = (mexp >> (7 - j)) & 1
                lb = len_bucket(mlen)
                msi = SM_MATCH + lb * 2 + eb
                x[I_MATCH] = stretch_t[sm_p(sm, msi)]
                v = mlen if mlen < 32 else 32
                x[I_MATCH + 1] = v * 64 if eb else -v * 64
                mstate = 1 if mlen < 16 else (2 if mlen < 32 else 3)
            else:
                x[I_MATCH] = 0
                x[I_MATCH + 1] = 0
            for e in range(n_ext):
                x[NIN + e] = stretch_t[byte_to_bit_p12(ext, e, c0, j)]
            if off != 0:
                for k in range(NIN):
                    if (off >> k) & 1:
                        x[k] = 0
            wbase = ((mstate * 8 + hits) * 256 + c0) * nin
            dot = mixer_dot(mw, wbase, x, nin)
            pm = np.int64(squash_t[dot + 2047])
            sx = dot
            p1, j1 = apm_p(a1, c0, sx)
            p2, j2 = apm_p(a2, c0 | (c1 << 8), sx)
            p = (pm + p1 + 2 * p2 + 2) >> 2
            if (off >> OFF_APM) & 1:
                p = pm
            # ---- code
            y = (c >> (7 - j)) & 1
            y, x1, x2, xc, cpos = code_bit(mode, y, p, x1, x2, xc, cpos, buf, bend)
            # ---- update
            for k in range(NCTX):
                s = smi[k]
                ht[base[k] + node] = nex[(s & 255) * 2 + y]
                sm_update(sm, s, y, limit, dt)
            sm_update(sm, SM_ORDER0 + c0, y, limit, dt)
            if mlen > 0:
                sm_update(sm, msi, y, limit, dt)
                if eb != y:
                    mlen = 0
            mixer_update(mw, wbase, x, nin, ((y << 16) - pm) * lr)
            apm_update(a1, j1, y, arate)
            apm_update(a2, j2, y, arate)
            c0 = c0 * 2 + y
            node = node * 2 + y
            if j == 3:
                for k in range(NCTX):
                    smi[k] = hash2(st[H0 + k], c0)
                    ht_prefetch(ht, smi[k], htmask)
                for k in range(NCTX):
                    base[k] = ht_find(ht, smi[k], htmask, count)
                node = 1
        c = c0 & 255
        if mode == coder.DECODE:
            data[i] = c
        if st[MLEN] > 0 and mlen == 0:
            st[MLEN] = 0
        h6 = st[H0 + 4]
        byte_update(st, c)
        ptr, ml = mm_byte(mbuf, mht, c, st[POS], h6, st[MPTR], st[MLEN])
        st[MPTR] = ptr
        st[MLEN] = ml
        st[POS] += 1
        context_hashes(st)
        for k in range(NCTX):
            ht_prefetch(ht, st[H0 + k], htmask)
    save_coder(cs, mode, x1, x2, xc, cpos)
    return dend


class Backbone:
    """Owns the configuration and the state arrays of one "cm" stream."""

    name = NAME
    version = VERSION

    def __init__(self, ht_bits: int = 22, match_bits: int = 22, sm_limit: int = 1023,
                 lr: int = 8, apm_rate: int = 6, off: int = 0, n_ext: int = 0):
        self.params = dict(ht_bits=ht_bits, match_bits=match_bits, sm_limit=sm_limit,
                           lr=lr, apm_rate=apm_rate, off=off)
        for name, lo, hi in (("ht_bits", 10, 24), ("match_bits", 12, 28), ("sm_limit", 1, 1023),
                             ("lr", 1, 256), ("apm_rate", 1, 12), ("off", 0, (1 << 17) - 1)):
            v = self.params[name]
            if not (isinstance(v, int) and lo <= v <= hi):
                raise ValueError(f"{name} must be an integer in {lo}..{hi}, not {v!r}")
        self.cfg = np.zeros(CF_NEXT, dtype=np.int64)
        self.cfg[CF_HTMASK] = (1 << ht_bits) - 1
        self.cfg[CF_SMLIMIT] = sm_limit
        self.cfg[CF_LR] = lr
        self.cfg[CF_APMRATE] = apm_rate
        self.cfg[CF_OFF] = off
        self.n_ext = n_ext
        self.st = np.zeros(NST, dtype=np.int64)
        context_hashes(self.st)
        self.ht = new_hashtable(ht_bits)
        self.sm = np.concatenate([new_state_statemap(NCTX), new_statemap(SM_SIZE - SM_ORDER0)])
        self.mw = new_mixer(NIN + n_ext, MIX_SETS)
        self.a1 = new_apm(256)
        self.a2 = new_apm(65536)
        self.mbuf, self.mht = new_match(match_bits, match_bits - 2)
        self.ext = np.zeros((max(n_ext, 1), 257), dtype=np.int64)

    @staticmethod
    def memory_for(ht_bits: int, match_bits: int, n_ext: int = 0, **_) -> int:
        """Bytes of model state for these parameters, without allocating them."""
        maps = 4 * SM_SIZE + 4 * (NIN + n_ext) * MIX_SETS + 2 * 33 * (256 + 65536)
        return 16 * 2 ** ht_bits + 2 ** match_bits + 4 * 2 ** (match_bits - 2) + maps

    def memory(self) -> int:
        """Bytes of model state."""
        return sum(a.nbytes for a in (self.ht, self.sm, self.mw, self.a1, self.a2, self.mbuf, self.mht))

    def run(self, mode, data, dstart, dend, buf, bend, cs) -> int:
        return code_block(mode, data, dstart, dend, buf, bend, cs, self.st, self.cfg,
                          self.ht, self.sm, self.mw, self.a1, self.a2, self.mbuf, self.mht,
                          self.ext, self.n_ext, logistic.SQUASH, logistic.STRETCH,
                          statetable.NEX, statetable.COUNT, DT)
