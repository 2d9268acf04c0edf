"""EML heuristics: small formulas of eml(x, y) = exp(x) - ln(y) in place of hand-set constants.

What they compute: three adaptation rates of the backbone, as functions of
where the coder is in the stream and how well it is doing, instead of one
constant each:

    name    replaces                inputs (u, v)                       output
    lr      mixer rate ``lr``       u = position, v = recent loss      16 lr x H  (1/16 units)
    apm     APM rate ``apm_rate``   u = position                       apm_rate x H  (a shift)
    limit   StateMap ``sm_limit``   u = position                       sm_limit x H  (count limit)

Each H is one EML node in its saturation-safe form,

    H(u, v) = eml_safe(c0 u + c1, |c2 v| + |c3| + 1)
    eml_safe(x, y) = exp(clamp(x, -8, 8)) - ln(y)          (y >= 1, so ln y >= 0)

with u = bit_length(bytes coded) / 8 (0 at the start, 2 at 64 KiB, 3 at
16 MiB) and v = the recent mean |error| of the final probability in 0..1
(an exponential average over ~32 bits, in 8 buckets); for ``apm`` and
``limit`` v = u.  With every c = 0, H = exp(0) - ln(1) = 1 exactly: the
heuristic IS the constant it replaces, so an archive without the ``el``
key codes exactly as before.  Outputs are rounded and clamped to the
parameter's range.

The 12 parameters (c0..c3 for lr, apm, limit) are fitted offline by
``mixzip tune`` (tune.py: coordinate descent with annealed steps and random
restarts on a corpus), snapped to multiples of 1/8, stored in the package
(eml_params.json: per level) and written into the archive's model spec as
``el=`` twelve integers in eighths.  The decoder rebuilds the same tables.

Determinism: the tables are computed once per stream with :mod:`decimal`
(correctly rounded exp and ln, 34 digits), so every machine gets the same
integers; the kernel only indexes them.  Memory: 64 x 8 + 2 x 64 int64.

How the kernel uses them (per byte: b = bit_length(position); per bit: the
loss bucket l):  rate = LRT[b * 8 + l];  shift = ART[b];  limit = SLT[b].
"""
from __future__ import annotations

import json
from decimal import Decimal, localcontext
from functools import lru_cache
from importlib import resources

import numpy as np

from mixzip.predictors.logistic import round_clamp

NAMES = ("lr", "apm", "limit")
NPARAM = 4 * len(NAMES)
SNAP = 8                     # parameters are multiples of 1/SNAP
PMAX = 8 * SNAP              # |c| <= 8
NPOS, NLOSS = 64, 8
RANGES = {"lr": (1, 4096), "apm": (1, 12), "limit": (1, 1023)}
LOSS_SHIFT = 5               # recent-loss average: time constant 2^5 bits


def eml_safe(x: Decimal, y: Decimal) -> Decimal:
    """exp(clamp(x, -8, 8)) - ln(y), for y >= 1."""
    x = min(max(x, Decimal(-8)), Decimal(8))
    return x.exp() - y.ln()


def node(c, u: Decimal, v: Decimal) -> Decimal:
    c0, c1, c2, c3 = (Decimal(k) / SNAP for k in c)
    return eml_safe(c0 * u + c1, abs(c2 * v) + abs(c3) + 1)


def tables(params, lr: int, apm_rate: int, sm_limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(LRT, ART, SLT) for 12 parameters in eighths (all zero: the constants)."""
    lrt, art, slt = _tables(tuple(int(k) for k in params), int(lr), int(apm_rate), int(sm_limit))
    return lrt.copy(), art.copy(), slt.copy()


@lru_cache(maxsize=64)
def _tables(p, lr, apm_rate, sm_limit):
    if len(p) != NPARAM or any(abs(k) > PMAX for k in p):
        raise ValueError(f"EML parameters: {NPARAM} integers in -{PMAX}..{PMAX} (eighths)")
    lrt = np.empty(NPOS * NLOSS, dtype=np.int64)
    art = np.empty(NPOS, dtype=np.int64)
    slt = np.empty(NPOS, dtype=np.int64)
    with localcontext() as ctx:
        ctx.prec = 34
        for b in range(NPOS):
            u = Decimal(b) / 8
            for lb in range(NLOSS):
                v = (Decimal(lb) + Decimal("0.5")) / NLOSS
                lrt[b * NLOSS + lb] = round_clamp(16 * lr * node(p[0:4], u, v), *RANGES["lr"])
            art[b] = round_clamp(apm_rate * node(p[4:8], u, u), *RANGES["apm"])
            slt[b] = round_clamp(sm_limit * node(p[8:12], u, u), *RANGES["limit"])
    return lrt, art, slt


def to_text(params) -> str:
    """Spec form: twelve integers in eighths, comma-separated."""
    return ",".join(str(int(k)) for k in params)


def from_text(text) -> list[int]:
    try:
        p = [int(k) for k in str(text).split(",")]
    except ValueError:
        raise ValueError(f"bad EML parameters {text!r}") from None
    if len(p) != NPARAM or any(abs(k) > PMAX for k in p):
        raise ValueError(f"bad EML parameters {text!r}")
    return p


def packaged() -> dict:
    """The fitted parameters shipped with mixzip: {level: [12 ints], ...}."""
    raw = resources.files("mixzip.predictors").joinpath("eml_params.json").read_text()
    return {int(k): from_text(to_text(v)) for k, v in json.loads(raw)["levels"].items()}
