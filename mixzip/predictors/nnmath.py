"""Deterministic float32 arithmetic for the neural byte models (gru.py, ...).

What it gives: exp, log, sigmoid and tanh that compute the same
bits on every IEEE-754 CPU, because they are built only from +, -, *, / on
float32 (each correctly rounded by IEEE 754) in a fixed order - no libm, no
fused multiply-add (fastmath is off, so LLVM may not contract a*b+c), no
reassociation.

    exp32(x)   x clamped to [-87, 87]; x = k ln2 + r with |r| <= ln2/2
               (Cody-Waite: ln2 split in a short high part, exact k*LN2_HI,
               and a low part); exp(r) by its degree-6 Taylor polynomial in
               Horner form (truncation < 2e-7 relative); times 2^k from a
               256-entry table.  Relative error ~ 3e-7 (a few float32 ulps).
    log32(y)   y > 0 (y < 2^30): y = 2^k m with m in [sqrt(1/2), sqrt(2)) by
               exact halving/doubling; ln m = 2 atanh(s), s = (m-1)/(m+1),
               |s| < 0.172, by its odd series to s^9 (error < 1e-8); plus
               k LN2_HI + k LN2_LO.
    sigmoid32  1 / (1 + exp32(-x))
    dot8       a dot product with 8 partial sums in a fixed tree
    clip32     clamp to [-c, c]
    tanh32     1 - 2 / (exp32(2x) + 1)

Also the plain-Python allocation helpers both models share: ``offsets``
(the layout of a flat parameter vector) and ``splitmix_uniform`` (the seeded,
platform-independent initial weights).

The same functions run as plain Python (tests use ``.py_func`` with float64
arrays for finite-difference gradient checks); the float32 constants then
promote to float64, so the tests see the same formulas in higher precision.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline

F0 = np.float32(0.0)
F1 = np.float32(1.0)
F2 = np.float32(2.0)
HALF = np.float32(0.5)
XMAX = np.float32(87.0)
LOG2E = np.float32(1.4426950408889634)
LN2_HI = np.float32(0.693359375)             # 8 significant bits: k * LN2_HI is exact
LN2_LO = np.float32(-2.1219444005469057e-4)   # ln 2 - LN2_HI
SQRT2 = np.float32(1.4142135623730951)
L3, L5, L7, L9 = np.float32(1 / 3), np.float32(1 / 5), np.float32(1 / 7), np.float32(1 / 9)
C2, C3, C4, C5, C6 = (np.float32(1 / 2), np.float32(1 / 6), np.float32(1 / 24),
                      np.float32(1 / 120), np.float32(1 / 720))
# 2^k for k = -127..128 at index k + 127 (exact powers of two in float32; 2^128 -> inf, never used)
POW2 = np.array([2.0 ** k if k < 128 else 0.0 for k in range(-127, 129)], dtype=np.float32)


@inline
def exp32(x):
    if x > XMAX:
        x = XMAX
    elif x < -XMAX:
        x = -XMAX
    k = int(x * LOG2E + np.float32(1000.5)) - 1000       # round(x / ln 2), x*LOG2E > -126
    fk = np.float32(k)
    r = (x - fk * LN2_HI) - fk * LN2_LO
    p = F1 + r * (F1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * C6)))))
    return p * POW2[k + 127]


@inline
def log32(y):
    k = 0
    while y >= F2:
        y *= HALF
        k += 1
    while y < F1:
        y *= F2
        k -= 1
    if y > SQRT2:
        y *= HALF
        k += 1
    t = (y - F1) / (y + F1)
    t2 = t * t
    fk = np.float32(k)
    return F2 * t * (F1 + t2 * (L3 + t2 * (L5 + t2 * (L7 + t2 * L9)))) + fk * LN2_LO + fk * LN2_HI


@inline
def sigmoid32(x):
    return F1 / (F1 + exp32(-x))


@inline
def tanh32(x):
    return F1 - F2 / (exp32(F2 * x) + F1)


@inline
def clip32(v, c):
    """v clamped to [-c, c] (gradient clipping)."""
    if v > c:
        return c
    if v < -c:
        return -c
    return v


@inline
def dot8(a, ia, b, ib, n):
    """sum a[ia+i] b[ib+i], i < n (n a multiple of 8): 8 interleaved partial
    sums combined in a fixed tree - not latency-bound like one running sum,
    and unlike a compiler-reassociated sum the same on every vector width."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = a[U(ia)] * F0
    for i in range(0, n, 8):
        s0 += a[U(ia + i)] * b[U(ib + i)]
        s1 += a[U(ia + i + 1)] * b[U(ib + i + 1)]
        s2 += a[U(ia + i + 2)] * b[U(ib + i + 2)]
        s3 += a[U(ia + i + 3)] * b[U(ib + i + 3)]
        s4 += a[U(ia + i + 4)] * b[U(ib + i + 4)]
        s5 += a[U(ia + i + 5)] * b[U(ib + i + 5)]
        s6 += a[U(ia + i + 6)] * b[U(ib + i + 6)]
        s7 += a[U(ia + i + 7)] * b[U(ib + i + 7)]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


# ---- allocation helpers (plain Python, not on the coding path)

def offsets(sizes) -> dict:
    """[(name, length), ...] -> {name: start offset, ..., "total": sum} of blocks in one flat array."""
    off, pos = {}, 0
    for name, n in sizes:
        off[name] = pos
        pos += n
    off["total"] = pos
    return off


def splitmix_uniform(seed: int, n: int) -> np.ndarray:
    """n uniforms in [-1, 1) from splitmix64 (exact, platform independent)."""
    with np.errstate(over="ignore"):
        x = np.uint64(seed) + (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        z = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 23) - 1.0
