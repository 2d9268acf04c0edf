"""stretch / squash: the logistic domain every model speaks, as integer tables.

    squash(x) = 65536 / (1 + exp(-x/256))     x in [-2047, 2047]  -> p16 in [1, 65535]
    stretch(p) = 256 * ln(p / (1 - p))        p12 in [0, 4095]    -> x in [-2047, 2047]

Scales: ``x`` is a log-odds in units of 1/256 (8 fractional bits, |x| <= 2047,
so |ln odds| < 8); ``p16`` is P(bit = 1) in units of 1/65536; ``p12`` is the
same with 12 bits (``p16 >> 4``), used to index ``stretch``.

The tables are computed once at import with :mod:`decimal`, whose ``exp`` and
``ln`` are correctly rounded, so they are identical on every machine (no libm
on the coding path).  ``tests/test_tables.py`` pins their sha256.

Memory: squash 4095 x int32, stretch 4096 x int32 (32 KiB together).
Kernels index them directly: ``squash_t[x + 2047]`` and ``stretch_t[p12]``.
"""
from __future__ import annotations

from decimal import Decimal, localcontext, ROUND_HALF_EVEN

import numpy as np

XMAX = 2047


def round_clamp(v: Decimal, lo: int, hi: int) -> int:
    """v rounded half-to-even to an integer, clamped to [lo, hi]."""
    return min(max(int(v.to_integral_value(rounding=ROUND_HALF_EVEN)), lo), hi)


def decimal_table(n: int, f, lo: int, hi: int, dtype=np.int32) -> np.ndarray:
    """out[i] = round_clamp(f(i), lo, hi) for i < n, with f evaluated in 34-digit
    decimal (whose exp and ln are correctly rounded): the same integers on
    every machine.  Every integer table of the coding path is built with it."""
    out = np.empty(n, dtype=dtype)
    with localcontext() as ctx:
        ctx.prec = 34
        for i in range(n):
            out[i] = round_clamp(f(i), lo, hi)
    return out


def _build_squash() -> np.ndarray:
    return decimal_table(2 * XMAX + 1, lambda i: Decimal(65536) / (1 + (Decimal(XMAX - i) / 256).exp()), 1, 65535)


def _build_stretch() -> np.ndarray:
    def f(i):
        p = (Decimal(i) + Decimal("0.5")) / 4096
        return 256 * (p / (1 - p)).ln()
    return decimal_table(4096, f, -XMAX, XMAX)


SQUASH = _build_squash()
STRETCH = _build_stretch()


def squash(x: int) -> int:
    """Python reference: log-odds (1/256 units) -> 16-bit probability."""
    return int(SQUASH[min(max(x, -XMAX), XMAX) + XMAX])


def stretch(p12: int) -> int:
    """Python reference: 12-bit probability -> log-odds (1/256 units)."""
    return int(STRETCH[p12])
