"""Mixer: a gated linear combination of predictions in the logistic domain.

Given inputs x_i = stretch(p_i) (|x_i| <= 2047, 1/256 units) and a weight set
w chosen by a small context (set ``s`` of ``n`` weights at ``w[s*n : s*n+n]``),

    dot = sum_i x_i * w_i >> 16          (weights: 16 fractional bits, 65536 = 1.0)
    p16 = squash(clamp(dot, -2047, 2047))

and on bit y every weight takes one step of online gradient descent on the
coding cost (log loss), whose gradient with respect to w_i is x_i * (y - p):

    w_i := w_i + (x_i * ((y << 16) - p16) * lr) >> 14

``lr`` is an integer learning rate (about 2..24).  All integer arithmetic:
the sum is accumulated in int64 in input order, so every machine agrees.
Inputs and the scaled error are below 2^31 in magnitude (|x| <= 2048,
|err| <= 2^30 at the largest EML rates), and the kernels say so by
narrowing them to int32 before the 64-bit products: the values do not
change, but the compiler may then use the cheap signed 32x32->64
multiply in its vector code (dot + update of 17 weights: 16.8 -> 13.8 ns
in a micro-benchmark).  In pure Python (the reference tests) the
narrowing raises OverflowError if a bound is ever broken.
Memory: 4 bytes per weight.

How to call (per bit): fill x[0:n]; ``dot = mixer_dot(w, s*n, x, n)``;
``p16 = squash(dot)``; code the bit; ``mixer_update(w, s*n, x, n, err)``
with ``err = ((y << 16) - p16) * lr``.  With the EML ``set`` heuristic
(eml.py) the error is first scaled by ``set_rate(cnt, s, srt)`` / 16, the
factor for a weight set that has had cnt[s] updates (counted here).
``mixer_train`` does the whole step as the recipe's mixers take it (a set of
``stride`` weights, of which the first n are trained):
rate (1/16 units), the optional set factor, and the optional skip of a
step whose error |(y << 16) - p16| is at most ``skip`` (0: never skip).
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline


def new_mixer(n_inputs: int, n_sets: int, init: int = 1 << 14) -> np.ndarray:
    return np.full(n_inputs * n_sets, init, dtype=np.int32)


@inline
def mixer_dot(w, base, x, n):
    s = np.int64(0)
    for i in range(n):
        s += np.int64(np.int32(x[i])) * np.int64(w[U(base + i)])
    s >>= 16
    if s > 2047:
        s = 2047
    elif s < -2047:
        s = -2047
    return s


@inline
def mixer_update(w, base, x, n, err):
    e32 = np.int64(np.int32(err))
    for i in range(n):
        v = np.int64(w[U(base + i)]) + ((np.int64(np.int32(x[i])) * e32) >> 18)
        if v > 0x7FFFFFF:
            v = 0x7FFFFFF
        elif v < -0x7FFFFFF:
            v = -0x7FFFFFF
        w[U(base + i)] = v


@inline
def set_rate(cnt, s, srt):
    """Factor (1/16 units) for a step of weight set s: srt[bit_length(cnt[s])];
    then counts the update (up to 2^16 - 1)."""
    c = np.int64(cnt[U(s)])
    if c < 0xFFFF:
        cnt[U(s)] = c + 1
    b = 0
    if c >= 256:
        c >>= 8
        b = 8
    if c >= 16:
        c >>= 4
        b += 4
    if c >= 4:
        c >>= 2
        b += 2
    if c >= 2:
        c >>= 1
        b += 1
    return srt[U(b + c)]


@inline
def mixer_train(w, s, stride, x, n, d, lr, skip, use_set, cnt, srt):
    """Train weight set s (weights w[s*stride : s*stride+n], n <= stride) on the
    error d = (y << 16) - p16 at rate lr (1/16 units): skipped when skip > 0
    and |d| <= skip; with use_set, scaled by the set's own factor (set_rate,
    which counts it)."""
    if skip == 0 or d > skip or d < -skip:
        e = (d * lr) >> 4
        if use_set:
            e = (e * set_rate(cnt, s, srt)) >> 4
        mixer_update(w, s * stride, x, n, e)
