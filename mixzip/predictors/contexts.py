"""Contexts: the catalogue of hashed contexts a context map picks from.

What it computes: for the byte about to be coded, a 32-bit hash per chosen
context, from the shared byte history (history.py); the context map
(contextmap.py) looks each one up in its hash table and predicts the bits
from the bit-history states found there.

Catalogue (name: what the context is; "cN" is the N-th previous byte):
    o1 .. o8, o12, o16   the last N bytes (order-N)
    w1                   the current word (letters a-z, case-folded), or c1 between words
    w2                   the current and the previous word
    w3                   the current and the two previous words
    s1                   c2 alone (sparse: skips c1)
    s2                   c3 alone
    s3                   c3 c4 (skips c1 c2)
    s4                   c2 and c4 (every other byte: 16-bit data)
    s5                   c1 and c3
    r1                   record model: the byte one record above, and c1
    r2                   the bytes one and two records above
    r3                   the bytes above-left, above and above-right (2-D data)
    col                  text column: position in the line and the char above
    a4                   position mod 4 and c1 c2 (aligned binary: code, tables)
    i1                   indirect: c1 and the two bytes that followed c1 last time
    i2                   indirect: c2 c1 and the two bytes that followed them last time
    w4                   the current word and the word before the previous one (skip-bigram)
    k1                   the shape of the text: classes of the last 8 bytes (lower, upper,
                         space, newline, digit, punctuation, quote/bracket, other) and c1
    u1                   the current UTF-8 word (a-z case-folded and every byte >= 128), or
                         c1 between words: w1 for text in any script
    u2                   the current and the previous UTF-8 word

The record contexts use the stride found by history.py (before any
stride is found they fall back to a stride of 0: one shared context).
Cost: one hash per chosen context per byte.

How to call (before each byte): ``context_hashes(h, tabs, ring, ids, out)``:
out[i] = the hash of context ids[i] (``parse`` turns names into ids).
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import inline
from mixzip.predictors.history import (C4, C8, C12, C16, LINE0, LINE1, POS, STRIDE, T_IND1, T_IND2, UWORD0, UWORD1, WORD0,
                                      WORD1, WORD2, ring_at)

NAMES = ("o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o12", "o16",
         "w1", "w2", "w3", "s1", "s2", "s3", "s4", "s5", "r1", "r2", "r3", "col", "a4",
         "i1", "i2", "w4", "k1", "u1", "u2")
ID = {name: i for i, name in enumerate(NAMES)}

M32 = 0xFFFFFFFF


def parse(spec: str) -> np.ndarray:
    """"o1,o2,w2" -> array of context ids; ValueError on unknown or repeated names."""
    names = spec.split(",")
    unknown = [n for n in names if n not in ID]
    if unknown:
        raise ValueError(f"unknown context(s) {', '.join(unknown)}; known: {' '.join(NAMES)}")
    if len(set(names)) != len(names) or not names:
        raise ValueError("contexts must be a non-empty list without repeats")
    return np.array([ID[n] for n in names], dtype=np.int64)


@inline
def hash2(a, b):
    h = ((a & M32) * 0x9E3779B1 + (b & M32) * 0x85EBCA6B + 0x27D4EB2F) & M32
    h = ((h ^ (h >> 15)) * 0x2C1B3C6D) & M32
    h = ((h ^ (h >> 12)) * 0x297A2D39) & M32
    return h ^ (h >> 15)


@inline
def char_class(b):
    """0 lower, 1 upper, 2 space, 3 newline, 4 digit, 5 .,;:!?, 6 quote/bracket, 7 other."""
    lb = b | 32
    if 97 <= lb <= 122:
        return 0 if b >= 97 else 1
    if b == 32:
        return 2
    if b == 10:
        return 3
    if 48 <= b <= 57:
        return 4
    if b == 46 or b == 44 or b == 59 or b == 58 or b == 33 or b == 63:
        return 5
    if b == 34 or b == 39 or b == 40 or b == 41:
        return 6
    return 7


@inline
def text_shape(w):
    """The classes of the four bytes of a 32-bit history word, 3 bits each (12
    bits), the most recent (lowest) byte in the top bits."""
    return ((char_class(w & 0xFF) << 9) | (char_class((w >> 8) & 0xFF) << 6)
            | (char_class((w >> 16) & 0xFF) << 3) | char_class((w >> 24) & 0xFF))


@inline
def context_hash(h, tabs, ring, cid):
    c4 = h[C4]
    c8 = h[C8]
    pos = h[POS]
    if cid == 0:
        v = c4 & 0xFF
    elif cid == 1:
        v = c4 & 0xFFFF
    elif cid == 2:
        v = c4 & 0xFFFFFF
    elif cid == 3:
        v = c4
    elif cid == 4:
        v = hash2(c4, c8 & 0xFF)
    elif cid == 5:
        v = hash2(c4, c8 & 0xFFFF)
    elif cid == 6:
        v = hash2(c4, c8 & 0xFFFFFF)
    elif cid == 7:
        v = hash2(c4, c8)
    elif cid == 8:
        v = hash2(hash2(c4, c8), h[C12])
    elif cid == 9:
        v = hash2(hash2(c4, c8), hash2(h[C12], h[C16]))
    elif cid == 10:
        v = h[WORD0] if h[WORD0] != 0 else (c4 & 0xFF) | 0x100
    elif cid == 11:
        v = hash2(h[WORD0], h[WORD1])
    elif cid == 12:
        v = hash2(hash2(h[WORD0], h[WORD1]), h[WORD2])
    elif cid == 13:
        v = c4 & 0xFF00
    elif cid == 14:
        v = c4 & 0xFF0000
    elif cid == 15:
        v = c4 & 0xFFFF0000
    elif cid == 16:
        v = c4 & 0xFF00FF00
    elif cid == 17:
        v = c4 & 0x00FF00FF
    elif cid == 18:
        s = h[STRIDE]
        v = hash2(ring_at(ring, pos - s) if s else 0, (c4 & 0xFF) | (s << 8))
    elif cid == 19:
        s = h[STRIDE]
        v = hash2(ring_at(ring, pos - s) | (ring_at(ring, pos - 2 * s) << 8) if s else 0, s)
    elif cid == 20:
        s = h[STRIDE]
        v = 0
        if s:
            v = ring_at(ring, pos - s - 1) | (ring_at(ring, pos - s) << 8) | (ring_at(ring, pos - s + 1) << 16)
        v = hash2(v, s)
    elif cid == 21:
        col = pos - h[LINE0]
        if col > 255:
            col = 255
        above = 0
        if h[LINE1] + col < h[LINE0]:
            above = ring_at(ring, h[LINE1] + col)
        v = col | (above << 8) | ((c4 & 0xFF) << 16)
    elif cid == 22:
        v = ((pos & 3) << 16) | (c4 & 0xFFFF)
    elif cid == 23:
        v = (c4 & 0xFF) | (tabs[T_IND1 + (c4 & 0xFF)] << 8)
    elif cid == 24:
        v = (c4 & 0xFFFF) | (tabs[T_IND2 + (c4 & 0xFFFF)] << 16)
    elif cid == 25:
        v = hash2(h[WORD0], h[WORD2])
    elif cid == 27:
        v = h[UWORD0] if h[UWORD0] != 0 else (c4 & 0xFF) | 0x100
    elif cid == 28:
        v = hash2(h[UWORD0], h[UWORD1])
    else:                            # 26: k1
        v = hash2((text_shape(c4) << 12) | text_shape(c8), c4 & 0xFF)
    return hash2(v, cid + 1)


@inline
def context_hashes(h, tabs, ring, ids, out):
    """out[i] := the hash of context ids[i], for every i (0 where ids[i] < 0: a slot switched off)."""
    for i in range(ids.shape[0]):
        out[i] = context_hash(h, tabs, ring, ids[i]) if ids[i] >= 0 else 0
