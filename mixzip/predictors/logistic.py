"""stretch / squash: the logistic domain every model speaks, as integer tables.

    squash(x) = 65536 / (1 + exp(-x/256))     x in [-2047, 2047]  -> p16 in [1, 65535]
    stretch(p) = 256 * ln(p / (1 - p))        p12 in [0, 4095]    -> x in [-2047, 2047]

Scales: ``x`` is a log-odds in units of 1/256 (8 fractional bits, |x| <= 2047,
so |ln odds| < 8); ``p16`` is P(bit = 1) in units of 1/65536; ``p12`` is the
same with 12 bits (``p16 >> 4``), used to index ``stretch``.

The tables are computed once at import as if with :mod:`decimal`, whose
``exp`` and ``ln`` are correctly rounded, so they are identical on every
machine (no libm on the coding path; float64 only as a fast path where it
provably rounds the same, see ``decimal_table``).  ``tests/test_tables.py``
pins their sha256.  The MoE router's EXPN and NEGLN tables live here too.

Memory: squash 4095 x int32, stretch 4096 x int32 (32 KiB together);
EXPN, NEGLN 4096 x int64 each.
Kernels index them directly: ``squash_t[x + 2047]`` and ``stretch_t[p12]``.
"""
from __future__ import annotations

import math
from decimal import Decimal, localcontext, ROUND_HALF_EVEN

import numpy as np

XMAX = 2047


def round_clamp(v: Decimal, lo: int, hi: int) -> int:
    """v rounded half-to-even to an integer, clamped to [lo, hi]."""
    return min(max(int(v.to_integral_value(rounding=ROUND_HALF_EVEN)), lo), hi)


def decimal_table(n: int, f, lo: int, hi: int, dtype=np.int32, approx=None) -> np.ndarray:
    """out[i] = round_clamp(f(i), lo, hi) for i < n, with f evaluated in 34-digit
    decimal (whose exp and ln are correctly rounded): the same integers on
    every machine.  Every integer table of the coding path is built with it.

    ``approx(i)``, the same formula in float64, is an optional fast path (34-digit
    decimal exp/ln cost ~0.3 s per process for the four 4096-entry tables): where
    its value lies more than 1e-6 from a rounding tie, which is far beyond any
    libm's error at these magnitudes (< 2^20, relative error ~1e-16), it rounds
    to the same integer as f; only the rest is evaluated in decimal.  The table
    is the same either way (tests/test_tables.py builds both and pins sha256).
    """
    out = np.empty(n, dtype=dtype)
    with localcontext() as ctx:
        ctx.prec = 34
        for i in range(n):
            if approx is not None:
                v = approx(i)
                r = math.floor(v + 0.5)
                if abs(abs(v - r) - 0.5) > 1e-6 and abs(v) < 2.0 ** 40:
                    out[i] = min(max(r, lo), hi)
                    continue
            out[i] = round_clamp(f(i), lo, hi)
    return out


def _build_squash(fast: bool = True) -> np.ndarray:
    return decimal_table(2 * XMAX + 1, lambda i: Decimal(65536) / (1 + (Decimal(XMAX - i) / 256).exp()), 1, 65535,
                         approx=(lambda i: 65536.0 / (1.0 + math.exp((XMAX - i) / 256.0))) if fast else None)


def _build_stretch(fast: bool = True) -> np.ndarray:
    def f(i):
        p = (Decimal(i) + Decimal("0.5")) / 4096
        return 256 * (p / (1 - p)).ln()

    def g(i):
        p = (i + 0.5) / 4096.0
        return 256.0 * math.log(p / (1.0 - p))
    return decimal_table(4096, f, -XMAX, XMAX, approx=g if fast else None)


def _build_expn(fast: bool = True) -> np.ndarray:
    return decimal_table(4096, lambda d: 65536 * (Decimal(-d) / 256).exp(), 1, 65536, np.int64,
                         approx=(lambda d: 65536.0 * math.exp(-d / 256.0)) if fast else None)


def _build_negln(fast: bool = True) -> np.ndarray:
    return decimal_table(4096, lambda i: -65536 * ((Decimal(i) + Decimal("0.5")) / 4096).ln(), 0, 1 << 30, np.int64,
                         approx=(lambda i: -65536.0 * math.log((i + 0.5) / 4096.0)) if fast else None)


SQUASH = _build_squash()
STRETCH = _build_stretch()
EXPN = _build_expn()        # EXPN[d] = 65536 exp(-d / 256), d in 0..4095 (the MoE router's gates)
NEGLN = _build_negln()      # NEGLN[i] = -65536 ln((i + 0.5) / 4096) (the gates' entropy, in 1/65536 nats)


def squash(x: int) -> int:
    """Python reference: log-odds (1/256 units) -> 16-bit probability."""
    return int(SQUASH[min(max(x, -XMAX), XMAX) + XMAX])


def stretch(p12: int) -> int:
    """Python reference: 12-bit probability -> log-odds (1/256 units)."""
    return int(STRETCH[p12])
