"""GRU byte model: a recurrent network predicting the next byte, trained online.

What it predicts: a 256-way distribution over the next byte, from every byte
seen so far, through a recurrent state h of H float32 cells.  The backbone
turns it into bit predictions with the byte -> bit adapter (bytemodel.py).

Network (one step per byte; b = the byte just coded, E = embedding size):
    x  = EMB[b]                                   (E)
    ax = BX + WX^T x,  ah = BH + WH^T h           (3H each: z, r, n parts)
    z  = sigmoid(ax_z + ah_z)                     update gate
    r  = sigmoid(ax_r + ah_r)                     reset gate
    n  = tanh(ax_n + r * ah_n)                    candidate
    h' = (1 - z) * n + z * h
    p  = softmax(BO + WO^T h')                    next-byte distribution (256)

Learning: cross-entropy of the coded bytes, truncated BPTT in windows of K
bytes: the forward pass runs every byte and caches (b, h, z, r, n, ah_n, p);
once every K bytes the gradient of the window's summed loss (h at the window
start held fixed) is backpropagated through the K steps, clipped elementwise
to [-clip, clip] (with lr = 0 none of this runs: only the olr step
below, or nothing, learns) and applied by Adam (opt=1, the default: bias-corrected
moments, rates b1 b2, step lr; with b1 = 0, as level 10 uses it, the first
moment is the clipped gradient itself and is not stored) or SGD (opt=0,
w -= lr g).  About 3x the
forward cost per byte, against ~15x for BPTT-K every byte.  With olr > 0 the
output layer also takes a plain SGD step every byte (WO -= olr h' (p - 1_c)^T,
BO -= olr (p - 1_c)): it tracks the byte statistics as they drift instead of
once per window (measured alone on alice29's first 100 KB: 2.80 -> 2.69 bpb).
Weights start from a fixed seed (splitmix64), so encoder and decoder start
identical.

Determinism: float32 only, +-*/ and sqrt in a fixed order (nnmath.py: own
exp, sigmoid, tanh); every matrix-vector product, forward and backward, is
written as independent per-output accumulations (out[k] += W[i, k] * x[i],
i in order; the backward pass reads transposed copies of WX, WH, WO, rebuilt
after each update), so vectorising them cannot change a bit.  No BLAS, no
libm, no fastmath (so no fused multiply-add).

Output to the coder: after each step the distribution is quantised to 257
cumulative integer counts (every byte >= 1, 2^20 scale) in one row of the
backbone's neural table, and a confidence bucket 0..7 (from the largest
byte probability) is left in gc[G_CONF] for the mixer's weight-set choice.

Memory: 4 x (256E + 3H(E + H) + 6H + 256H + 256) bytes of weights, the same
again for gradients and twice for Adam's moments (once with b1 = 0; none of
these, nor the backward scratch, with lr = 0), the transposed copy of the
matrices, plus the K-step cache 4 K (12H + 256).  Defaults E=32, H=128,
K=16: ~2 MB (``Gru.memory_for``).

Call order per byte (``gru_step``, called by the backbone after the byte is
coded): record the target -> output-layer SGD step (olr > 0) -> at the
window end backpropagate, update, re-transpose -> forward with the new byte
-> quantise p.

As a component (``GruModel``): the weights start from the seeded random
vector above, or from a pretrained *prior* (``gru_prior``, header key
``gp``: NAME.HASH, a file of mixzip/priors checked by the first 12 hex
digits of its sha256; a decoder without it refuses the archive with one
line naming it, priors.PriorError).  With ``gru_budget`` B > 0 the network
runs for the first B bytes of the stream only (a warm start), ended earlier
by binary data, which the text-trained priors never saw (``gru_nul``: 1, at
the first NUL byte; 2, level 8, once control bytes are over 1/64 of the
stream or NUL bytes over half, judged from byte 1024 on, so that a tar of
text files, whose headers are ASCII padded with NULs, keeps the prior;
3 (preset 8c only), as 2 and also once structure.py detects JSON / CSV
(h[SFMT]; faster on 1 MB files, 0.3% bigger on held-out JSON/CSV);
docs/RESULTS.md has the measurements): it predicts the bytes up to there, then its inputs
are 0 and it does no work at all; it sets its
confidence signal h[CONF] to 0 at byte B and leaves it to column.py (which
writes it earlier in the byte when the stream is structured) afterwards.
"""
from __future__ import annotations

import math

import numpy as np

from mixzip.jit import U, inline, phase, kernel
from mixzip.predictors.bytemodel import byte_to_bit_p12, quantize_dist
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.history import CONF, POS, SFMT
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.nnmath import F0, F1, clip32, exp32, offsets, sigmoid32, splitmix_uniform, tanh32

# gc: int64 configuration and step state
G_E, G_H, G_K, G_S, G_CONF, G_OPT = range(6)
G_EMB, G_WX, G_WH, G_BX, G_BH, G_WO, G_BO, G_NP = range(6, 14)
NGC = 14
# hp: float32 hyperparameters, and Adam's running powers b1^t, b2^t (HP_B1T, HP_B2T)
HP_LR, HP_CLIP, HP_B1, HP_B2, HP_EPS, HP_B1T, HP_B2T, HP_OLR, HP_LR_ON, HP_OLR_ON = range(10)
# sc: float32 forward scratch: ax (3H), ah (3H), logits (256)
SEED = 0x6D69787A69705F67        # "mixzip_g"
PRIOR_W0 = 20000                 # initial mixer weight of each input with a prior (1/65536 units)


def layout(e: int, h: int) -> dict:
    """Offsets of the parameter blocks in the flat weight vector."""
    return offsets([("emb", 256 * e), ("wx", e * 3 * h), ("wh", h * 3 * h), ("bx", 3 * h),
                    ("bh", 3 * h), ("wo", h * 256), ("bo", 256)])


def transposed_size(off: dict) -> int:
    """Floats of the transposed copies WX^T, WH^T, WO^T (gru_transpose)."""
    return (off["bx"] - off["wx"]) + (off["bo"] - off["wo"])


def init_weights(e: int, h: int) -> np.ndarray:
    off = layout(e, h)
    u = splitmix_uniform(SEED, off["total"])
    scale = np.zeros(off["total"])
    scale[off["emb"]:off["wx"]] = 0.5
    scale[off["wx"]:off["wh"]] = 1.0 / math.sqrt(e)
    scale[off["wh"]:off["bx"]] = 1.0 / math.sqrt(h)
    scale[off["wo"]:off["bo"]] = 1.0 / math.sqrt(h)
    return (u * scale).astype(np.float32)


@inline
def mac_rows(dst, do, n, src, so, sstep, xs, xo, xstep, m):
    """dst[do + k] += src[so + r sstep + k] * xs[xo + r xstep] for r = 0 .. m-1 in
    turn, k < n.  Four rows per pass over dst, written as one left-to-right
    sum, so every dst[k] receives the same roundings in the same order as row
    by row (bit-exact) with a quarter of the loads and stores of dst."""
    r = 0
    while r + 4 <= m:
        a0 = xs[U(xo + r * xstep)]
        a1 = xs[U(xo + (r + 1) * xstep)]
        a2 = xs[U(xo + (r + 2) * xstep)]
        a3 = xs[U(xo + (r + 3) * xstep)]
        s0 = so + r * sstep
        s1 = s0 + sstep
        s2 = s1 + sstep
        s3 = s2 + sstep
        for k in range(n):
            dst[U(do + k)] = (dst[U(do + k)] + src[U(s0 + k)] * a0 + src[U(s1 + k)] * a1
                              + src[U(s2 + k)] * a2 + src[U(s3 + k)] * a3)
        r += 4
    while r < m:
        a0 = xs[U(xo + r * xstep)]
        s0 = so + r * sstep
        for k in range(n):
            dst[U(do + k)] += src[U(s0 + k)] * a0
        r += 1


@kernel
def gru_forward(gc, w, hs, gate, ps, sc, xy, b):
    """One step with input byte b at window position s = gc[G_S]: hs[s] -> hs[s+1], p -> ps[s]."""
    e = gc[G_E]
    h = gc[G_H]
    s = gc[G_S]
    h3 = 3 * h
    ax, ah, lg = 0, h3, 2 * h3
    xy[s] = b
    for k in range(h3):
        sc[U(ax + k)] = w[U(gc[G_BX] + k)]
        sc[U(ah + k)] = w[U(gc[G_BH] + k)]
    mac_rows(sc, ax, h3, w, gc[G_WX], h3, w, gc[G_EMB] + b * e, 1, e)
    hp = s * h
    mac_rows(sc, ah, h3, w, gc[G_WH], h3, hs, hp, 1, h)
    hn = hp + h
    gp = s * 4 * h
    for k in range(h):
        z = sigmoid32(sc[U(ax + k)] + sc[U(ah + k)])
        r = sigmoid32(sc[U(ax + h + k)] + sc[U(ah + h + k)])
        ahn = sc[U(ah + 2 * h + k)]
        n = tanh32(sc[U(ax + 2 * h + k)] + r * ahn)
        hs[U(hn + k)] = (F1 - z) * n + z * hs[U(hp + k)]
        gate[U(gp + k)] = z
        gate[U(gp + h + k)] = r
        gate[U(gp + 2 * h + k)] = n
        gate[U(gp + 3 * h + k)] = ahn
    for j in range(256):
        sc[U(lg + j)] = w[U(gc[G_BO] + j)]
    mac_rows(sc, lg, 256, w, gc[G_WO], 256, hs, hn, 1, h)
    mx = sc[lg]
    for j in range(1, 256):
        if sc[U(lg + j)] > mx:
            mx = sc[U(lg + j)]
    tot = F0 * mx
    pp = s * 256
    for j in range(256):
        v = exp32(sc[U(lg + j)] - mx)
        ps[U(pp + j)] = v
        tot += v
    inv = F1 / tot
    for j in range(256):
        ps[U(pp + j)] *= inv


@inline
def transpose_into(src, so, rows, cols, dst, do):
    """dst[do + k rows + i] := src[so + i cols + k]: 8 x 8 tiles (each tile's
    column is one contiguous 8-float store), then the ragged edges."""
    r8 = rows - rows % 8
    c8 = cols - cols % 8
    for i0 in range(0, r8, 8):
        for k in range(c8):
            d = do + k * rows + i0
            s = so + i0 * cols + k
            for ii in range(8):
                dst[U(d + ii)] = src[U(s + ii * cols)]
    for i in range(rows):
        for k in range(c8 if i < r8 else 0, cols):
            dst[U(do + k * rows + i)] = src[U(so + i * cols + k)]


@kernel
def gru_transpose(gc, w, wt):
    """wt := WX^T (3H x E), WH^T (3H x H), WO^T (256 x H): the backward pass's
    products W.v become row-wise accumulations too.  Called after every update."""
    e = gc[G_E]
    h = gc[G_H]
    h3 = 3 * h
    transpose_into(w, gc[G_WX], e, h3, wt, 0)
    transpose_into(w, gc[G_WH], h, h3, wt, h3 * e)
    transpose_into(w, gc[G_WO], h, 256, wt, h3 * e + h3 * h)


@kernel
def gru_backward(gc, w, wt, g, hs, gate, ps, xy, gg):
    """Add to g the gradient of the window's loss sum_s -ln ps[s][xy[K + s]].

    Overwrites ps with the output gradients p - onehot(y).  gg holds, per
    step, (gx, gh, dho): gate gradients on the input and hidden side, and the
    gradient reaching h from the output layer.  Everything that does not
    depend on the recurrence is batched over the window, so each weight row
    is loaded once per window, not once per step.
    """
    e = gc[G_E]
    h = gc[G_H]
    kk = gc[G_K]
    h3 = 3 * h
    stride = 7 * h
    twh = h3 * e
    two = twh + h3 * h
    dn = kk * stride                    # running dL/dh through the recurrence (H)
    for s in range(kk):
        ps[U(s * 256 + xy[U(kk + s)])] -= F1
        for j in range(256):
            g[U(gc[G_BO] + j)] += ps[U(s * 256 + j)]
    # output layer: dWO += h_{s+1} dl_s^T, dho_s = WO dl_s
    for i in range(h):
        mac_rows(g, gc[G_WO] + i * 256, 256, ps, 0, 256, hs, h + i, h, kk)
    for s in range(kk):
        do = s * stride + 2 * h3
        for i in range(h):
            gg[U(do + i)] = F0
        mac_rows(gg, do, h, wt, two, h, ps, s * 256, 1, 256)
    # recurrence, last step first
    for k in range(h):
        gg[U(dn + k)] = F0
    for s in range(kk - 1, -1, -1):
        gx = s * stride
        gh = gx + h3
        do = gh + h3
        gp = s * 4 * h
        hp = s * h
        for k in range(h):
            z = gate[U(gp + k)]
            r = gate[U(gp + h + k)]
            n = gate[U(gp + 2 * h + k)]
            ahn = gate[U(gp + 3 * h + k)]
            d = gg[U(do + k)] + gg[U(dn + k)]
            dan = d * (F1 - z) * (F1 - n * n)
            daz = d * (hs[U(hp + k)] - n) * z * (F1 - z)
            dar = dan * ahn * r * (F1 - r)
            gg[U(gx + k)] = daz
            gg[U(gx + h + k)] = dar
            gg[U(gx + 2 * h + k)] = dan
            gg[U(gh + k)] = daz
            gg[U(gh + h + k)] = dar
            gg[U(gh + 2 * h + k)] = dan * r
            gg[U(dn + k)] = d * z
        mac_rows(gg, dn, h, wt, twh, h, gg, gh, 1, h3)
    # input side and hidden-side weights, batched over the window
    for s in range(kk):
        gx = s * stride
        gh = gx + h3
        b = xy[s]
        for k in range(h3):
            g[U(gc[G_BX] + k)] += gg[U(gx + k)]
            g[U(gc[G_BH] + k)] += gg[U(gh + k)]
        for i in range(e):
            xv = w[U(gc[G_EMB] + b * e + i)]
            base = gc[G_WX] + i * h3
            for k in range(h3):
                g[U(base + k)] += xv * gg[U(gx + k)]
        mac_rows(g, gc[G_EMB] + b * e, e, wt, 0, e, gg, gx, 1, h3)
    for i in range(h):
        mac_rows(g, gc[G_WH] + i * h3, h3, gg, h3, stride, hs, i, h, kk)


@kernel
def gru_apply(gc, hp, w, g, m, v):
    """Update w with the elementwise-clipped gradient; clears g.

    opt 0 (SGD): w -= lr g.  opt 1 (Adam): m, v := running means of g and g^2
    (rates b1, b2), w -= lr m^ / (sqrt(v^) + eps) with the bias-corrected
    m^, v^.  sqrt is an IEEE-754 basic operation (correctly rounded, like
    division), so it is as reproducible as + - * /.
    """
    lr = hp[HP_LR]
    clip = hp[HP_CLIP]
    if gc[G_OPT] == 0:
        for i in range(gc[G_NP]):
            w[i] -= lr * clip32(g[i], clip)
            g[i] = F0
        return
    b1 = hp[HP_B1]
    b2 = hp[HP_B2]
    eps = hp[HP_EPS]
    hp[HP_B1T] *= b1
    hp[HP_B2T] *= b2
    c1 = F1 / (F1 - hp[HP_B1T])
    c2 = F1 / (F1 - hp[HP_B2T])
    if b1 == F0:                         # no momentum: m would equal d, so it is not kept
        for i in range(gc[G_NP]):
            j = U(i)
            d = clip32(g[j], clip)
            vj = b2 * v[j] + (F1 - b2) * (d * d)
            v[j] = vj
            w[j] -= lr * (d * c1) / (math.sqrt(vj * c2) + eps)
            g[j] = F0
        return
    for i in range(gc[G_NP]):
        j = U(i)
        d = clip32(g[j], clip)
        mj = b1 * m[j] + (F1 - b1) * d
        vj = b2 * v[j] + (F1 - b2) * (d * d)
        m[j] = mj
        v[j] = vj
        w[j] -= lr * (mj * c1) / (math.sqrt(vj * c2) + eps)
        g[j] = F0


@kernel
def gru_step(net, cum, row, c):
    """Learn that the predicted byte was c, then predict the next one into
    cum[row]; ``net`` is ``Gru.arrays()``."""
    gc, hp, w, wt, g, m, v, hs, gate, ps, sc, xy, gg = net
    kk = gc[G_K]
    h = gc[G_H]
    s = gc[G_S]
    xy[U(kk + s)] = c
    olr = hp[HP_OLR]
    if olr > F0:                         # per-byte SGD step of the output layer
        pp = s * 256
        hn = (s + 1) * h
        w[U(gc[G_BO] + c)] += olr
        for j in range(256):
            w[U(gc[G_BO] + j)] -= olr * ps[U(pp + j)]
        for i in range(h):
            f = olr * hs[U(hn + i)]
            base = gc[G_WO] + i * 256
            w[U(base + c)] += f
            for j in range(256):
                w[U(base + j)] -= f * ps[U(pp + j)]
    s += 1
    if s == kk:
        if hp[HP_LR] > F0:               # lr 0: the recurrent weights stay as they are (no backward pass)
            gru_backward(gc, w, wt, g, hs, gate, ps, xy, gg)
            gru_apply(gc, hp, w, g, m, v)
            gru_transpose(gc, w, wt)
        for k in range(h):
            hs[k] = hs[U(kk * h + k)]
        s = 0
    gc[G_S] = s
    gru_forward(gc, w, hs, gate, ps, sc, xy, c)
    gru_quantize(gc, ps, cum, row)


@kernel
def gru_quantize(gc, ps, cum, row):
    """ps[s] -> cumulative counts in cum[row]; confidence bucket -> gc[G_CONF]."""
    gc[G_CONF] = quantize_dist(ps, gc[G_S] * 256, cum, row)


class Gru:
    """Owns the configuration and state of one GRU byte model."""

    def __init__(self, hidden: int = 128, embed: int = 32, window: int = 16,
                 lr: float = 0.002, clip: float = 1.0, opt: int = 1,
                 b1: float = 0.9, b2: float = 0.999, eps: float = 1e-5, olr: float = 0.0):
        if hidden % 8 or embed % 8 or not (8 <= hidden <= 1024 and 8 <= embed <= 256):
            raise ValueError("GRU hidden and embed sizes must be multiples of 8 (8..256, 8..64)")
        if not 1 <= window <= 256:
            raise ValueError("GRU window must be in 1..256")
        off = layout(embed, hidden)
        self.gc = np.zeros(NGC, dtype=np.int64)
        self.gc[G_E], self.gc[G_H], self.gc[G_K] = embed, hidden, window
        for i, name in enumerate(("emb", "wx", "wh", "bx", "bh", "wo", "bo", "total")):
            self.gc[G_EMB + i] = off[name]
        if opt not in (0, 1):
            raise ValueError("GRU optimiser must be 0 (SGD) or 1 (Adam)")
        self.gc[G_OPT] = opt
        self.hp = np.array([lr, clip, b1, b2, eps, 1.0, 1.0, olr, 0.0, 0.0], dtype=np.float32)
        self.w = init_weights(embed, hidden)
        one = np.zeros(1, dtype=np.float32)          # stand-in for an array never used
        learns = lr != 0                             # lr 0: no backward pass (gru_step)
        self.g = np.zeros_like(self.w) if learns else one
        self.m = np.zeros_like(self.w) if (learns and opt and b1 != 0) else one.copy()   # b1 = 0: no first moment
        self.v = np.zeros_like(self.w) if (learns and opt) else one.copy()
        self.hs = np.zeros((window + 1) * hidden, dtype=np.float32)
        self.gate = np.zeros(window * 4 * hidden, dtype=np.float32)
        self.ps = np.zeros(window * 256, dtype=np.float32)
        self.sc = np.zeros(6 * hidden + 256, dtype=np.float32)
        self.xy = np.zeros(2 * window, dtype=np.int64)
        self.wt = np.zeros(transposed_size(off), dtype=np.float32)
        self.gg = np.zeros((window * 7 + 1) * hidden if learns else 1, dtype=np.float32)
        gru_transpose(self.gc, self.w, self.wt)

    @staticmethod
    def memory_for(hidden: int, embed: int, window: int, momentum: bool = True, learns: bool = True) -> int:
        """Bytes of ``memory()`` for these sizes (Adam; ``momentum`` False: b1 = 0,
        no first-moment array; ``learns`` False: lr = 0, no gradient, moments or
        backward scratch), without allocating."""
        off = layout(embed, hidden)
        n, nt = off["total"], transposed_size(off)
        if not learns:
            moments = n + 3                           # w; g, m, v as 1-float stand-ins
        else:
            moments = 4 * n if momentum else 3 * n + 1     # w, g, v and m (or m's 1-float stand-in)
        floats = (moments + nt + (window + 1) * hidden + window * (4 * hidden + 256) + 6 * hidden + 256
                  + ((7 * window + 1) * hidden if learns else 1))
        return 4 * floats + 16 * window

    def memory(self) -> int:
        """Bytes of the weights, gradients, moments and caches."""
        return sum(a.nbytes for a in (self.w, self.g, self.m, self.v, self.wt, self.hs, self.gate, self.ps,
                                      self.sc, self.xy, self.gg))

    def start(self, cum, row: int) -> None:
        """First prediction of a stream (input byte 0), into cum[row]."""
        gru_forward(self.gc, self.w, self.hs, self.gate, self.ps, self.sc, self.xy, 0)
        gru_quantize(self.gc, self.ps, cum, row)

    def arrays(self):
        """The network's arrays, as gru_step takes them."""
        return (self.gc, self.hp, self.w, self.wt, self.g, self.m, self.v, self.hs, self.gate, self.ps, self.sc,
                self.xy, self.gg)


# ---------------------------------------------------------------- the component

# cfg: int64 [xo, budget, binary rule, NUL bytes seen, control bytes seen,
# asleep]: where the inputs go; bytes of the stream the network runs for (0:
# all); gru_nul; its counts; 1 while gru_wake keeps the network frozen
JUDGE_FROM = 1024                # the stream is judged binary or not from this many bytes on

@phase
def gru_begin(s, h):
    net, cum, cfg = s
    if cfg[1] == 0 or h[POS] < cfg[1]:
        h[CONF] = net[0][G_CONF]             # the mixers' and router's neural signal
    elif h[POS] == cfg[1]:                   # the warm start is over: the signal is 0, or
        h[CONF] = 0                          # column.py's from now on (it writes before this phase)


@phase
def gru_predict(s, h, x, c0, j):
    net, cum, cfg = s
    xo = cfg[0]
    if cfg[1] == 0 or h[POS] < cfg[1]:
        st = np.int64(STRETCH[U(byte_to_bit_p12(cum, 0, c0, j))])
        x[U(xo)] = st
        x[U(xo + 1)] = (st * net[0][G_CONF]) >> 3
    else:                                    # past the warm start: silent
        x[U(xo)] = 0
        x[U(xo + 1)] = 0


@phase
def gru_byte(s, h, c):
    net, cum, cfg = s
    n = h[POS] + 1                           # bytes seen (byte h[POS] is c: the next one is predicted)
    warm = n < cfg[1]                        # a warm start still running
    if warm or cfg[5] != 0:                  # binary data (which a text prior never saw) ends the warm
        if c == 0:                           # start early (gru_nul), or wakes a frozen network (gru_wake)
            cfg[3] += 1
            if cfg[2] == 1 and warm:         # gru_nul 1: at the first NUL byte
                cfg[1] = n
        elif c < 9 or (c > 13 and c < 32 and c != 27):
            cfg[4] += 1                      # a control byte: text has none but white space and ESC
        if n >= JUDGE_FROM and (cfg[4] * 64 > n or cfg[3] * 2 > n):     # control bytes over 1/64,
            if cfg[2] >= 2 and warm:                                     # or NULs over half
                cfg[1] = n                   # gru_nul 2 and 3: the warm start ends
            if cfg[5] != 0:                  # gru_wake: the network learns from now on
                hp = net[1]
                hp[HP_LR] = hp[HP_LR_ON]
                hp[HP_OLR] = hp[HP_OLR_ON]
                cfg[5] = 0
    if cfg[2] == 3 and warm and h[SFMT] != 0:
        cfg[1] = n                           # gru_nul 3: JSON / CSV ends it too (column.py takes CONF over)
    if cfg[1] == 0 or n < cfg[1]:
        gru_step(net, cum, 0, c)


def _check_prior(text: str) -> None:
    from mixzip import priors
    if text != "":
        priors.check_ref(text)


class GruModel(Component):
    """The GRU byte model as a component: two mixer inputs, stretch(p) and
    stretch(p) x confidence / 8 (p: the next bit's probability from the
    byte distribution, bytemodel.py; measured on three text files: better
    than a linear-p second input); it learns each byte at the byte's end.
    Learning rates in the spec in units of 1e-4; Adam's moment rates
    ``gru_b1``, ``gru_b2`` in 1/100 and 1/10000."""

    name = "gru"
    PARAMS = (
        Param("gru_hidden", "gh", 0, 256, 0, 1, "GRU cells, a multiple of 8 (0: no GRU)"),
        Param("gru_embed", "ge", 8, 64, 32, 1, "GRU byte embedding size, a multiple of 8"),
        Param("gru_window", "gk", 1, 64, 16, 1, "GRU: bytes per truncated-BPTT window"),
        Param("gru_lr", "gl", 0, 10000, 20, 1, "GRU Adam step, 1e-4 units (0: only the output layer learns, olr)"),
        Param("gru_olr", "go", 0, 10000, 0, 1, "GRU per-byte SGD step of the output layer, 1e-4 units"),
        Param("gru_b1", "g1", 0, 99, 90, 3, "GRU Adam first-moment rate, 1/100"),
        Param("gru_b2", "g2", 9000, 9999, 9990, 3, "GRU Adam second-moment rate, 1/10000"),
        Param("gru_prior", "gp", default="", since=3, check=_check_prior,
              doc="GRU prior NAME.HASH (mixzip/priors/NAME.mxp, first 12 hex digits of its sha256); "
                  "empty: seeded random weights"),
        Param("gru_budget", "gb", 0, 1 << 20, 0, 3, "GRU warm start: it runs for the first gb KiB of a stream "
                                                    "or until gn ends it (0: the whole stream)"),
        Param("gru_wake", "gw", 0, 1, 0, 3, "1: the network stays frozen (no learning) until the stream looks "
                                           "binary, as gn=2 judges it, then learns at gl and go; 0: learns from "
                                           "the start"),
        Param("gru_nul", "gn", 0, 3, 1, 3, "with gb > 0, binary data ends the warm start: 0 never, 1 at the first "
                                           "NUL byte, 2 once control bytes (0-31 but NUL, TAB, LF, VT, FF, CR, ESC) "
                                           "are over 1/64 of the stream so far or NUL bytes over half, judged from "
                                           "its 1024th byte on; 3 as 2, and structured data too (JSON, NDJSON, "
                                           "CSV, TSV, once structure.py detects it)"),
    )
    slow = True                  # tens of microseconds per byte
    begin = gru_begin
    predict = gru_predict
    step = gru_byte

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.net = Gru(hidden=p["gru_hidden"], embed=p["gru_embed"], window=p["gru_window"], lr=p["gru_lr"] * 1e-4,
                       olr=p["gru_olr"] * 1e-4, b1=p["gru_b1"] / 100, b2=p["gru_b2"] / 10000)
        if p["gru_prior"]:
            from mixzip import priors
            priors.install_gru(priors.require(p["gru_prior"]), self.net)
        self.cum = np.zeros((1, 257), dtype=np.int64)
        self.cfg = np.array([0, p["gru_budget"] << 10, p["gru_nul"], 0, 0, p["gru_wake"]], dtype=np.int64)
        if p["gru_wake"]:                    # frozen until binary data wakes it (gru_byte)
            hp = self.net.hp
            hp[HP_LR_ON], hp[HP_OLR_ON] = hp[HP_LR], hp[HP_OLR]
            hp[HP_LR] = hp[HP_OLR] = 0.0
        self.net.start(self.cum, 0)
        # bytes per kernel call (model.py): small while the network runs long
        self.slow = p["gru_budget"] == 0 or p["gru_budget"] > 16

    @classmethod
    def validate(cls, p: dict) -> None:
        if p["gru_hidden"] and (p["gru_hidden"] % 8 or p["gru_hidden"] < 8 or p["gru_embed"] % 8):
            raise ValueError("GRU hidden and embed sizes must be multiples of 8 (8..256, 8..64)")
        if p["gru_prior"] and not p["gru_hidden"]:
            raise ValueError("gru_prior needs the GRU (gru_hidden > 0)")

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        # a pretrained network is worth trusting from the first byte
        return np.full(2, PRIOR_W0 if p.get("gru_prior") else MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cfg[0] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return (Gru.memory_for(p["gru_hidden"], p["gru_embed"], p["gru_window"], p["gru_b1"] != 0, p["gru_lr"] != 0)
                + 8 * 257 + 48)

    def memory(self) -> int:
        return self.net.memory() + self.cum.nbytes + self.cfg.nbytes

    def state(self) -> tuple:
        return (self.net.arrays(), self.cum, self.cfg)
