"""Binary arithmetic coder: 32-bit, carry-less, 16-bit probabilities.

Spec.  The coder keeps an interval [x1, x2] of 32-bit integers.  To code bit
y with p16 = P(y = 1) * 65536, clamped to [1, 65535] so neither bit ever has
probability 0:

    xmid = x1 + ((x2 - x1) * p16 >> 16)          (exact in int64)
    y = 1:  x2 = xmid          y = 0:  x1 = xmid + 1
    while the top bytes of x1 and x2 are equal:
        emit that byte; x1 = x1 << 8; x2 = (x2 << 8) | 255   (mod 2^32)

The decoder holds x, the next 4 bytes of the code, and decides y = (x <= xmid),
then applies the *same* interval update - ``code_bit`` below is the single
kernel both directions run, so they cannot drift apart.  ``flush`` emits the
top byte of x1; a decoder that runs past the end of its input reads 0xFF,
which makes x = x1top.FFFFFF, inside [x1, x2].  Each block of a stream is
coded as one such message (1 byte of flush overhead per block).

State between kernel calls lives in the caller's int64 array ``cs``:
    cs[X1], cs[X2], cs[X]           the interval and (decoder) code value
    cs[OPOS]                        write position in ``buf`` (encoder)
    cs[IPOS]                        read position in ``buf`` (decoder)
Inside a recipe kernel the state travels in scalars (registers):
``y, x1, x2, x, pos = code_bit(mode, y, p16, x1, x2, x, pos, buf, iend)``,
loaded from ``cs`` at entry and written back with ``save_coder`` at exit.
Call order: ``init_encoder``/``init_decoder`` once per block, ``code_bit`` per
bit, ``flush`` at the end of an encoded block.  The encoder writes at most 4
bytes per coded bit; kernels stop at a byte boundary when fewer than ROOM
bytes of output space are left.
"""
from __future__ import annotations

from mixzip.jit import inline, kernel

X1, X2, X, OPOS, IPOS = 0, 1, 2, 3, 4
NSTATE = 5

M32 = 0xFFFFFFFF
TOP = 0xFF000000

ENCODE, DECODE, TRAIN = 0, 1, 2

# An encoder kernel stops at a byte boundary when fewer than ROOM bytes of
# output space are left (a byte is 8 bits of at most 4 bytes each).
ROOM = 64


@kernel
def init_encoder(cs, opos):
    cs[X1] = 0
    cs[X2] = M32
    cs[X] = 0
    cs[OPOS] = opos


@kernel
def init_decoder(cs, buf, ipos, iend):
    cs[X1] = 0
    cs[X2] = M32
    x = 0
    for _ in range(4):
        c = 255
        if ipos < iend:
            c = buf[ipos]
        ipos += 1
        x = (x << 8) | c
    cs[X] = x
    cs[IPOS] = ipos


@inline
def code_bit(mode, y, p16, x1, x2, x, pos, buf, iend):
    """Code one bit with probability p16 of a 1; the coder state travels in
    scalars (the caller keeps it in registers and saves it to ``cs``).

    mode ENCODE: codes ``y``, writes to ``buf`` at ``pos``.  mode DECODE:
    decodes the bit, reading ``buf`` at ``pos`` up to ``iend``.  mode TRAIN:
    returns ``y`` and the state untouched (the models learn without coding).
    Returns (y, x1, x2, x, pos).
    """
    if mode == TRAIN:
        return y, x1, x2, x, pos
    if p16 < 1:
        p16 = 1
    elif p16 > 65535:
        p16 = 65535
    xmid = x1 + (((x2 - x1) * p16) >> 16)
    if mode == DECODE:
        y = 1 if x <= xmid else 0
    if y:
        x2 = xmid
    else:
        x1 = xmid + 1
    while ((x1 ^ x2) & TOP) == 0:
        if mode == ENCODE:
            buf[pos] = x2 >> 24
        else:
            c = 255
            if pos < iend:
                c = buf[pos]
            x = ((x << 8) & M32) | c
        pos += 1
        x1 = (x1 << 8) & M32
        x2 = ((x2 << 8) & M32) | 255
    return y, x1, x2, x, pos


@inline
def save_coder(cs, mode, x1, x2, x, pos):
    """Store the scalar coder state of a kernel back into ``cs``."""
    cs[X1] = x1
    cs[X2] = x2
    cs[X] = x
    if mode == ENCODE:
        cs[OPOS] = pos
    else:
        cs[IPOS] = pos


@kernel
def code_bit_cs(cs, mode, y, p16, buf, iend):
    """``code_bit`` with the state in ``cs`` (for tests and one-off callers)."""
    pos = cs[OPOS] if mode == ENCODE else cs[IPOS]
    y, x1, x2, x, pos = code_bit(mode, y, p16, cs[X1], cs[X2], cs[X], pos, buf, iend)
    save_coder(cs, mode, x1, x2, x, pos)
    return y


@kernel
def flush(cs, buf):
    """End an encoded message: one byte pins the final interval."""
    opos = cs[OPOS]
    buf[opos] = cs[X1] >> 24
    cs[OPOS] = opos + 1

