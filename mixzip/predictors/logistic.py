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


def _build_squash() -> np.ndarray:
    out = np.empty(2 * XMAX + 1, dtype=np.int32)
    with localcontext() as ctx:
        ctx.prec = 34
        one = Decimal(1)
        for i, x in enumerate(range(-XMAX, XMAX + 1)):
            p = Decimal(65536) / (one + (Decimal(-x) / 256).exp())
            v = int(p.to_integral_value(rounding=ROUND_HALF_EVEN))
            out[i] = min(max(v, 1), 65535)
    return out


def _build_stretch() -> np.ndarray:
    out = np.empty(4096, dtype=np.int32)
    with localcontext() as ctx:
        ctx.prec = 34
        for i in range(4096):
            p = (Decimal(i) + Decimal("0.5")) / 4096
            v = (Decimal(256) * (p / (1 - p)).ln()).to_integral_value(rounding=ROUND_HALF_EVEN)
            out[i] = min(max(int(v), -XMAX), XMAX)
    return out


SQUASH = _build_squash()
STRETCH = _build_stretch()


def squash(x: int) -> int:
    """Python reference: log-odds (1/256 units) -> 16-bit probability."""
    return int(SQUASH[min(max(x, -XMAX), XMAX) + XMAX])


def stretch(p12: int) -> int:
    """Python reference: 12-bit probability -> log-odds (1/256 units)."""
    return int(STRETCH[p12])
