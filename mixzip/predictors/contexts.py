"""Contexts: the byte history and the catalogue of hashed contexts a recipe picks from.

What it computes: after each byte, a 32-bit hash per enabled context; the
backbone looks each one up in the hash table (hashtable.py) and predicts the
next byte's bits from the bit-history states found there.

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

Record length (stride) detection, for r1..r3: for each byte value the last
three positions are kept; when a byte value recurs three times at the same
distance d (2 <= d <= MAXSTRIDE), d is a candidate; a candidate seen
STRIDE_CONFIRM times in a row becomes the stride.  Before any stride is
found the record contexts fall back to a stride of 0 (one shared context).

Byte history ``hist`` (int64 scalars, indices below): the last 16 bytes as
four 32-bit words, word hashes, position, line starts, stride state;
``tabs`` holds 3 x 256 last positions for the stride detector, then the
indirect tables (the last two bytes seen after each byte, and after each
pair of bytes).  Memory: 8 x (13 + 768 + 256 + 65536) bytes, about 530 KiB.  Cost: one hash per enabled context per byte.

How to call (per byte, after byte c at position hist[POS]):
    history_update(hist, tabs, c)
    context_hashes(hist, tabs, buf, ids, n, out, o)   # out[o + i] = hash of context ids[i];
                                    # buf: the match model's ring buffer, holding c
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import inline

NAMES = ("o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o12", "o16",
         "w1", "w2", "w3", "s1", "s2", "s3", "s4", "s5", "r1", "r2", "r3", "col", "a4",
         "i1", "i2", "w4", "k1")
ID = {name: i for i, name in enumerate(NAMES)}

C4, C8, C12, C16, WORD0, WORD1, WORD2, POS, LINE0, LINE1, STRIDE, RCAND, RCNT = range(13)
NHIST = 13

MAXSTRIDE = 8192
STRIDE_CONFIRM = 3
M32 = 0xFFFFFFFF


# tabs: stride detector (3 x 256 last positions), then the indirect tables
T_IND1 = 3 * 256
T_IND2 = T_IND1 + 256
NTABS = T_IND2 + 65536


def new_history():
    return np.zeros(NHIST, dtype=np.int64), np.zeros(NTABS, dtype=np.int64)


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
def history_update(hist, tabs, c):
    pos = hist[POS]
    hist[C16] = ((hist[C16] << 8) | (hist[C12] >> 24)) & M32
    hist[C12] = ((hist[C12] << 8) | (hist[C8] >> 24)) & M32
    hist[C8] = ((hist[C8] << 8) | (hist[C4] >> 24)) & M32
    hist[C4] = ((hist[C4] << 8) | c) & M32
    lc = c + 32 if 65 <= c <= 90 else c
    if 97 <= lc <= 122:
        hist[WORD0] = ((hist[WORD0] + lc + 1) * 0x3D4D51CB) & M32
    elif hist[WORD0] != 0:
        hist[WORD2] = hist[WORD1]
        hist[WORD1] = hist[WORD0]
        hist[WORD0] = 0
    c4 = hist[C4]
    p1 = (c4 >> 8) & 0xFF
    p2 = (c4 >> 8) & 0xFFFF
    tabs[T_IND1 + p1] = ((tabs[T_IND1 + p1] << 8) | c) & 0xFFFF
    tabs[T_IND2 + p2] = ((tabs[T_IND2 + p2] << 8) | c) & 0xFFFF
    if c == 10:
        hist[LINE1] = hist[LINE0]
        hist[LINE0] = pos + 1
    # stride detector
    r = c * 3
    d = pos - tabs[r]
    if 2 <= d <= MAXSTRIDE and d == tabs[r] - tabs[r + 1] and d == tabs[r + 1] - tabs[r + 2]:
        if d == hist[RCAND]:
            hist[RCNT] += 1
            if hist[RCNT] >= STRIDE_CONFIRM:
                hist[STRIDE] = d
        else:
            hist[RCAND] = d
            hist[RCNT] = 1
    tabs[r + 2] = tabs[r + 1]
    tabs[r + 1] = tabs[r]
    tabs[r] = pos
    hist[POS] = pos + 1


@inline
def _at(buf, p):
    """The byte at absolute position p (0 before the start)."""
    if p < 0:
        return 0
    return np.int64(buf[p & (buf.shape[0] - 1)])


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
def context_hash(hist, tabs, buf, cid):
    c4 = hist[C4]
    c8 = hist[C8]
    pos = hist[POS]
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
        v = hash2(hash2(c4, c8), hist[C12])
    elif cid == 9:
        v = hash2(hash2(c4, c8), hash2(hist[C12], hist[C16]))
    elif cid == 10:
        v = hist[WORD0] if hist[WORD0] != 0 else (c4 & 0xFF) | 0x100
    elif cid == 11:
        v = hash2(hist[WORD0], hist[WORD1])
    elif cid == 12:
        v = hash2(hash2(hist[WORD0], hist[WORD1]), hist[WORD2])
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
        s = hist[STRIDE]
        v = hash2(_at(buf, pos - s) if s else 0, (c4 & 0xFF) | (s << 8))
    elif cid == 19:
        s = hist[STRIDE]
        v = hash2(_at(buf, pos - s) | (_at(buf, pos - 2 * s) << 8) if s else 0, s)
    elif cid == 20:
        s = hist[STRIDE]
        v = 0
        if s:
            v = _at(buf, pos - s - 1) | (_at(buf, pos - s) << 8) | (_at(buf, pos - s + 1) << 16)
        v = hash2(v, s)
    elif cid == 21:
        col = pos - hist[LINE0]
        if col > 255:
            col = 255
        above = 0
        if hist[LINE1] + col < hist[LINE0]:
            above = _at(buf, hist[LINE1] + col)
        v = col | (above << 8) | ((c4 & 0xFF) << 16)
    elif cid == 22:
        v = ((pos & 3) << 16) | (c4 & 0xFFFF)
    elif cid == 23:
        v = (c4 & 0xFF) | (tabs[T_IND1 + (c4 & 0xFF)] << 8)
    elif cid == 24:
        v = (c4 & 0xFFFF) | (tabs[T_IND2 + (c4 & 0xFFFF)] << 16)
    elif cid == 25:
        v = hash2(hist[WORD0], hist[WORD2])
    else:
        v = hash2((text_shape(c4) << 12) | text_shape(c8), c4 & 0xFF)
    return hash2(v, cid + 1)


@inline
def context_hashes(hist, tabs, buf, ids, n, out, o):
    for i in range(n):
        out[o + i] = context_hash(hist, tabs, buf, ids[i])
