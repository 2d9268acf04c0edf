"""EML heuristics: small formulas of eml(x, y) = exp(x) - ln(y) in place of hand-set constants.

What they compute: four adaptation rates of the backbone and the weight of
the final blend, as functions of where the coder is in the stream (or a
weight set in its own training) and how well or how surely it is doing,
instead of one constant each:

    name    replaces                  inputs (u, v)                       output
    lr      mixer rate ``lr``         u = position, v = recent loss      16 lr x H  (1/16 units)
    apm     APM rate ``apm_rate``     u = position                       apm_rate x H  (a shift)
    limit   StateMap ``sm_limit``     u = position                       sm_limit x H  (count limit)
    set     the same rate for every   u = updates of the mixer weight    16 x H  (1/16 units): a factor
            weight set of a mixer     set being trained                  on the set's step
    blend   the mixer output's share  u = position, v = the mixer's      B x H  (1/4096 units)
            in the final blend        confidence |stretch(p)| / 2048
            with the APMs (B: 1/4 for one or two APMs, 1/8 for three)

Each H is one EML node in its saturation-safe form,

    H(u, v) = eml_safe(c0 u + c1, |c2 v| + |c3| + 1)
    eml_safe(x, y) = exp(clamp(x, -8, 8)) - ln(y)          (y >= 1, so ln y >= 0)

with u = bit_length(n) / 8 for a count n (bytes coded for the first three:
0 at the start, 2 at 64 KiB, 3 at 16 MiB; updates of the weight set for
``set``, capped at 2^16 - 1) and v = the recent mean |error| of the final
probability in 0..1 (an exponential average over ~32 bits, in 8 buckets)
for ``lr``, the mixer's |stretch(p)| / 2048 in 8 buckets for ``blend``;
for the others v = u.  With every c = 0, H = exp(0) - ln(1) = 1 exactly: the
heuristic IS the constant it replaces, so an archive without the ``el``
key codes exactly as before, a ``set`` node of zeros multiplies every
step by exactly 16/16, and a ``blend`` node of zeros leaves the backbone's
fixed blend formula in place (the kernel does not read the table).
Outputs are rounded and clamped to the parameter's range.

``set`` is the per-weight-set form of a learning-rate schedule: a mixer's
weight sets are chosen by contexts (c0, c1 with the bit position, match
state...), and a rarely seen context's set is young when the stream is
old; counting each set's own updates lets it learn fast while it is new
and settle once it has seen enough (paq-style mixers decay their rate for
the same reason, by stream position).

The 20 parameters (c0..c3 for lr, apm, limit, set, blend) are fitted offline by
``mixzip tune`` (tune.py: coordinate descent with annealed steps and random
restarts on a corpus), snapped to multiples of 1/8, stored in the package
(eml_params.json: per level) and written into the archive's model spec as
``el=`` twenty integers in eighths, trailing all-zero nodes dropped down
to sixteen or twelve: the forms written before the ``blend`` node and
before the ``set`` node existed, so those archives read the same.
The decoder rebuilds the same tables.

Determinism: the tables are computed once per stream with :mod:`decimal`
(correctly rounded exp and ln, 34 digits), so every machine gets the same
integers; the kernel only indexes them.  Memory: 2 x 64 x 8 + 3 x 64 int64,
plus (in the backbone) one int32 update count per mixer weight set.

How the kernel uses them (per byte: b = bit_length(position); per bit: the
loss bucket l; per mixer update: s = bit_length(updates of that set)):
rate = LRT[b * 8 + l];  shift = ART[b];  limit = SLT[b];
step = (rate-scaled error x SRT[s]) >> 4;  with a mixer dot product d (the
stretch of its probability pm) and the APMs' fixed-ratio sum A / D:
w = BLT[b * 8 + min(|d| >> 8, 7)],  p = (pm w + A (4096 - w) / D) / 4096, rounded
(the division by D as a multiply by floor(2^24 / D), backbone.py).
"""
from __future__ import annotations

import json
from decimal import Decimal, localcontext
from functools import lru_cache
from importlib import resources

import numpy as np

from mixzip.predictors.logistic import round_clamp

NAMES = ("lr", "apm", "limit", "set", "blend")
NPARAM_V3 = 12               # the first three nodes: the form of mixzip 0.3 and 0.4
NPARAM_SET = 16              # lr .. set, the first four nodes: the form before the blend node
NPARAM = 4 * len(NAMES)
SNAP = 8                     # parameters are multiples of 1/SNAP
PMAX = 8 * SNAP              # |c| <= 8
NPOS, NLOSS = 64, 8
RANGES = {"lr": (1, 4096), "apm": (1, 12), "limit": (1, 1023), "set": (1, 1024), "blend": (0, 4096)}
BLEND_ONE = 4096             # the blend weight's unit
BLEND_BASE = {1: Decimal(1) / 4, 2: Decimal(1) / 4, 3: Decimal(1) / 8}   # pm's share in the fixed blends
SET_CAP = (1 << 16) - 1      # a weight set's update count stops here
LOSS_SHIFT = 5               # recent-loss average: time constant 2^5 bits


def eml_safe(x: Decimal, y: Decimal) -> Decimal:
    """exp(clamp(x, -8, 8)) - ln(y), for y >= 1."""
    x = min(max(x, Decimal(-8)), Decimal(8))
    return x.exp() - y.ln()


def node(c, u: Decimal, v: Decimal) -> Decimal:
    c0, c1, c2, c3 = (Decimal(k) / SNAP for k in c)
    return eml_safe(c0 * u + c1, abs(c2 * v) + abs(c3) + 1)


def tables(params, lr: int, apm_rate: int, sm_limit: int,
           apms: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(LRT, ART, SLT, SRT, BLT) for 20 parameters in eighths (all zero: the
    constants), for a backbone with ``apms`` APMs."""
    return tuple(t.copy() for t in _tables(tuple(int(k) for k in params), int(lr), int(apm_rate), int(sm_limit),
                                           int(apms)))


@lru_cache(maxsize=64)
def _tables(p, lr, apm_rate, sm_limit, apms):
    if len(p) != NPARAM or any(abs(k) > PMAX for k in p):
        raise ValueError(f"EML parameters: {NPARAM} integers in -{PMAX}..{PMAX} (eighths)")
    lrt = np.empty(NPOS * NLOSS, dtype=np.int64)
    art = np.empty(NPOS, dtype=np.int64)
    slt = np.empty(NPOS, dtype=np.int64)
    srt = np.empty(NPOS, dtype=np.int64)
    blt = np.empty(NPOS * NLOSS, dtype=np.int64)
    with localcontext() as ctx:
        ctx.prec = 34
        for b in range(NPOS):
            u = Decimal(b) / 8
            for lb in range(NLOSS):
                v = (Decimal(lb) + Decimal("0.5")) / NLOSS
                lrt[b * NLOSS + lb] = round_clamp(16 * lr * node(p[0:4], u, v), *RANGES["lr"])
                blt[b * NLOSS + lb] = round_clamp(BLEND_ONE * BLEND_BASE[apms] * node(p[16:20], u, v),
                                                  *RANGES["blend"])
            art[b] = round_clamp(apm_rate * node(p[4:8], u, u), *RANGES["apm"])
            slt[b] = round_clamp(sm_limit * node(p[8:12], u, u), *RANGES["limit"])
            srt[b] = round_clamp(16 * node(p[12:16], u, u), *RANGES["set"])
    return lrt, art, slt, srt, blt


def to_text(params) -> str:
    """Spec form: twenty integers in eighths, comma-separated; sixteen when
    the ``blend`` node is all zero, twelve when ``set`` is too (so earlier
    archives' specs read the same)."""
    p = [int(k) for k in params]
    for short in (NPARAM_SET, NPARAM_V3):
        if len(p) > short and not any(p[short:]):
            p = p[:short]
    return ",".join(str(k) for k in p)


def from_text(text) -> list[int]:
    try:
        p = [int(k) for k in str(text).split(",")]
    except ValueError:
        raise ValueError(f"bad EML parameters {text!r}") from None
    if len(p) not in (NPARAM_V3, NPARAM_SET, NPARAM) or any(abs(k) > PMAX for k in p):
        raise ValueError(f"bad EML parameters {text!r}")
    return p + [0] * (NPARAM - len(p))


def uses_set(params) -> bool:
    """True if the ``set`` node is not the constant (the kernel then counts
    each weight set's updates)."""
    return any(int(k) for k in list(params)[NPARAM_V3:NPARAM_SET])


def uses_blend(params) -> bool:
    """True if the ``blend`` node is not the constant (the kernel then blends
    by the table instead of the fixed formula)."""
    return any(int(k) for k in list(params)[NPARAM_SET:NPARAM])


def node_indices(names) -> list[int]:
    """Parameter indices of the named nodes (for a search over some of them)."""
    out = []
    for name in names:
        if name not in NAMES:
            raise ValueError(f"unknown EML node {name!r} (known: {', '.join(NAMES)})")
        k = NAMES.index(name)
        out.extend(range(4 * k, 4 * k + 4))
    return sorted(set(out))


def packaged() -> dict:
    """The fitted parameters shipped with mixzip: {level: [20 ints], ...}."""
    raw = resources.files("mixzip.predictors").joinpath("eml_params.json").read_text()
    return {int(k): from_text(to_text(v)) for k, v in json.loads(raw)["levels"].items()}
