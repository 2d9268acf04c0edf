"""Log-linear attention byte model: a multi-scale associative memory from
contexts to the bytes that followed them, after Guo et al., "Log-Linear
Attention" (arXiv:2506.04761).

What it predicts: a 256-way distribution over the next byte.  The backbone
turns it into bit predictions with the byte -> bit adapter (bytemodel.py).

Per byte, with D the model width, c1 c2 c3 the last bytes, w the current word:
    x   = EMB1[c1] + EMB2[h(c2 c1)] + EMB3[h(c3 c2 c1)] + EMBW[h(w)]    (D)
    q   = WQ x                                                       query (D)
    state: levels l = 0..L-1, S_l (D x 256) = sum of k v^T over a segment
        of the past, a Fenwick-tree partition of the stream by the binary
        digits of the step count t: level l holds 2^l leaves, the top level
        everything that carried past it.  A leaf is k = the query that
        predicted a byte, v = that byte one-hot: S_l[:, j] sums the keys of
        the contexts byte j followed.
    lam = softplus(WL x + BL) / its sum over the occupied levels (sum = 1)
    u_l = q^T S_l / n_l                     (256 scores; n_l leaves in S_l)
    o   = tanh(sum_l lam_l u_l)
    p   = softmax(GAMMA o + BO)             readout: a learned gain and bias

Push (after a byte): the new leaf lands at level trailing_ones(t) together
with all lower levels, which empty - incrementing a binary counter; a carry
that would pass the top level is added to it.  Work per byte: O(L D 256)
read, amortised O(D 256) push; the state never changes shape.

Learning: SGD (elementwise-clipped gradient) on the coding loss -ln p(byte),
once per byte, in the order the decoder repeats: (predict) -> code ->
gradient with the state as it was read -> update -> push the leaf -> read
the next prediction.  Gradients reach GAMMA, BO, WQ, WL, BL and the four
embedding rows read; the stored keys are constants (no backpropagation into
the past).  Deviation from the paper, documented: each level's scores are
divided by its leaf count n_l (a similarity-weighted frequency), so an old,
large segment does not saturate tanh; with one-hot values the readout is a
gain and a bias, not a 256 x 256 matrix.

Determinism: float32 +-*/ in a fixed order; own exp/log/tanh (nnmath.py);
products as independent per-output accumulations or dot8's fixed tree.
Memory: 4 (L D 256 + (256 + 3 x 4096) D + ...) bytes; D=16, L=12: ~1 MB.

External input (dx > 0; the backbone's attn_src=1): x is a state vector
given by the caller - the GRU's new hidden state - instead of the embeddings;
WQ and WL are then D x dx and L x dx, and no embedding is read or trained.

Output: cumulative counts in one row of the backbone's neural table (as the
GRU's), confidence bucket in ac[A_CONF].

Status: no level uses it (docs/RESULTS.md, "The neural byte models").
"""
from __future__ import annotations

import math

import numpy as np

from mixzip.jit import U, inline, phase, kernel
from mixzip.predictors.bytemodel import byte_to_bit_p12, quantize_dist
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.gru import G_H, G_S
from mixzip.predictors.history import CONF
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.nnmath import F0, F1, clip32, dot8, exp32, log32, offsets, sigmoid32, splitmix_uniform, tanh32

# ac: int64 configuration and state
A_D, A_L, A_T, A_C1, A_C2, A_C3, A_WORD, A_CONF, A_DX = range(9)
A_EMB1, A_EMB2, A_EMB3, A_EMBW, A_WQ, A_WL, A_BL, A_GAM, A_BO, A_NP = range(9, 19)
A_CNT = 19                  # A_CNT + l: leaves in level l (0 = empty)
NH = 4096                   # rows of each hashed context embedding
SEED = 0x6D69787A69705F61   # "mixzip_a"
# ap: float32 hyperparameters
AP_LR, AP_CLIP = range(2)
SP_LIN = np.float32(15.0)   # softplus(a) = a above this, exp(a) below -SP_LIN


def layout(d: int, levels: int, dx: int = 0) -> dict:
    """dx: width of an external input x (the GRU's state), 0 = own embeddings."""
    dxx = dx or d
    return offsets([("emb1", 256 * d), ("emb2", NH * d), ("emb3", NH * d), ("embw", NH * d), ("wq", d * dxx),
                    ("wl", levels * dxx), ("bl", levels), ("gam", 1), ("bo", 256)])


def scratch_layout(d: int, levels: int, dx: int = 0) -> dict:
    """Offsets in sc: x, q, a, sp, lam (per level), u (levels x 256), o, dpre, dq, dx, m (d x 256)."""
    return offsets([("x", dx or d), ("q", d), ("a", levels), ("sp", levels), ("lam", levels), ("u", levels * 256),
                    ("o", 256), ("dpre", 256), ("dq", d), ("dx", d), ("m", d * 256)])


@inline
def softplus32(a):
    if a > SP_LIN:
        return a
    if a < -SP_LIN:
        return exp32(a)
    return log32(F1 + exp32(a))


@inline
def context_rows(ac):
    """Offsets in w of the four embedding rows of the current context."""
    d = ac[A_D]
    c1 = ac[A_C1]
    h2 = ((ac[A_C2] << 8 | c1) * 0x9E3779B1 & 0xFFFFFFFF) >> 20
    h3 = ((ac[A_C3] << 16 | ac[A_C2] << 8 | c1) * 0x2F0B4C27 & 0xFFFFFFFF) >> 20
    hw = (ac[A_WORD] * 0x9E3779B1 & 0xFFFFFFFF) >> 20
    return (ac[A_EMB1] + c1 * d, ac[A_EMB2] + h2 * d, ac[A_EMB3] + h3 * d, ac[A_EMBW] + hw * d)


@kernel
def attn_push(ac, s, key, kofs, c):
    """Push the leaf key[kofs:kofs+D] (x) onehot(c) into the Fenwick levels."""
    d = ac[A_D]
    nl = ac[A_L]
    blk = d * 256
    dest = 0
    while dest < nl - 1 and ac[A_CNT + dest] > 0:
        dest += 1
    base = dest * blk
    if dest < nl - 1:
        for m in range(blk):
            s[U(base + m)] = F0
    for lv in range(dest):                       # carry the lower levels up
        lb = lv * blk
        for m in range(blk):
            s[U(base + m)] += s[U(lb + m)]
            s[U(lb + m)] = F0
        ac[A_CNT + dest] += ac[A_CNT + lv]
        ac[A_CNT + lv] = 0
    for a in range(d):
        s[U(base + a * 256 + c)] += key[U(kofs + a)]
    ac[A_CNT + dest] += 1
    ac[A_T] += 1


@kernel
def attn_read(ac, w, s, sc, so, p, xe, xo):
    """x, q, lam, u, o from the current context; p := the next-byte distribution.
    ``so`` holds the offsets of scratch_layout (int64)."""
    d = ac[A_D]
    nl = ac[A_L]
    X, Q, A, SP, LAM, UU, O = so[0], so[1], so[2], so[3], so[4], so[5], so[6]
    dx = ac[A_DX]
    if dx > 0:                                   # x = the GRU's state xe[xo:xo+dx]
        for i in range(dx):
            sc[U(X + i)] = xe[U(xo + i)]
    else:
        dx = d
        r1, r2, r3, rw = context_rows(ac)
        for i in range(d):
            sc[U(X + i)] = ((w[U(r1 + i)] + w[U(r2 + i)]) + w[U(r3 + i)]) + w[U(rw + i)]
    for a in range(d):
        acc = F0
        row = ac[A_WQ] + a * dx
        for i in range(dx):
            acc += w[U(row + i)] * sc[U(X + i)]
        sc[U(Q + a)] = acc
    tot = F0
    for lv in range(nl):
        sc[U(SP + lv)] = F0
        if ac[A_CNT + lv] > 0:
            acc = w[U(ac[A_BL] + lv)]
            row = ac[A_WL] + lv * dx
            for i in range(dx):
                acc += w[U(row + i)] * sc[U(X + i)]
            sc[U(A + lv)] = acc
            sp = softplus32(acc)
            sc[U(SP + lv)] = sp
            tot += sp
    for j in range(256):
        sc[U(O + j)] = F0
    for lv in range(nl):
        ub = UU + lv * 256
        for j in range(256):
            sc[U(ub + j)] = F0
        sc[U(LAM + lv)] = F0
        if ac[A_CNT + lv] > 0:
            lam = sc[U(SP + lv)] / tot
            sc[U(LAM + lv)] = lam
            inv = F1 / np.float32(ac[A_CNT + lv])
            sb = lv * d * 256
            for a in range(d):
                qa = sc[U(Q + a)] * inv
                row = sb + a * 256
                for j in range(256):
                    sc[U(ub + j)] += qa * s[U(row + j)]
            for j in range(256):
                sc[U(O + j)] += lam * sc[U(ub + j)]
    gam = w[ac[A_GAM]]
    mx = F0
    for j in range(256):
        o = tanh32(sc[U(O + j)])
        sc[U(O + j)] = o
        v = gam * o + w[U(ac[A_BO] + j)]
        p[j] = v
        if j == 0 or v > mx:
            mx = v
    tot = F0
    for j in range(256):
        v = exp32(p[j] - mx)
        p[j] = v
        tot += v
    inv = F1 / tot
    for j in range(256):
        p[j] *= inv


@kernel
def attn_grad(ac, w, g, s, sc, so, p, c):
    """g (dense part: WQ..BO) and dx (in sc) := gradient of -ln p[c], state as read."""
    d = ac[A_D]
    nl = ac[A_L]
    X, Q, A, SP, LAM, UU, O, DP, DQ, DX, M = so[0], so[1], so[2], so[3], so[4], so[5], so[6], so[7], so[8], so[9], so[10]
    dx = ac[A_DX] if ac[A_DX] > 0 else d
    gam = w[ac[A_GAM]]
    dgam = F0
    for j in range(256):
        dl = p[j] - (F1 if j == c else F0)
        g[U(ac[A_BO] + j)] += dl
        o = sc[U(O + j)]
        dgam += dl * o
        sc[U(DP + j)] = gam * dl * (F1 - o * o)
    g[ac[A_GAM]] += dgam
    for i in range(d):
        sc[U(DQ + i)] = F0
        sc[U(DX + i)] = F0                       # dL/dx for the embedding rows (own x only)
    # lam_l = sp_l / sum sp: d sp_l = (dlam_l - sum_m lam_m dlam_m) / sum sp; sp' = sigmoid
    tot = F0
    mean = F0
    for lv in range(nl):
        if ac[A_CNT + lv] > 0:
            tot += sc[U(SP + lv)]
            dlam = dot8(sc, DP, sc, UU + lv * 256, 256)
            sc[U(SP + lv)] = dlam                        # sp is spent: keep dlam there
            mean += sc[U(LAM + lv)] * dlam
    for lv in range(nl):
        if ac[A_CNT + lv] > 0:
            dlam = sc[U(SP + lv)]
            da = (dlam - mean) / tot * sigmoid32(sc[U(A + lv)])
            g[U(ac[A_BL] + lv)] += da
            row = ac[A_WL] + lv * dx
            for i in range(dx):
                g[U(row + i)] += da * sc[U(X + i)]
            for i in range(d):
                sc[U(DX + i)] += w[U(row + i)] * da
    # dq = M dpre with M = sum_l (lam_l / n_l) S_l
    blk = d * 256
    for m in range(blk):
        sc[U(M + m)] = F0
    for lv in range(nl):
        if ac[A_CNT + lv] > 0:
            f = sc[U(LAM + lv)] / np.float32(ac[A_CNT + lv])
            sb = lv * blk
            for m in range(blk):
                sc[U(M + m)] += f * s[U(sb + m)]
    for a in range(d):
        dq = dot8(sc, M + a * 256, sc, DP, 256)
        row = ac[A_WQ] + a * dx
        for i in range(dx):
            g[U(row + i)] += dq * sc[U(X + i)]
        for i in range(d):
            sc[U(DX + i)] += w[U(row + i)] * dq


@kernel
def attn_step(net, xe, xo, cum, row, c):
    """Learn that the predicted byte was c, push its leaf, predict the next
    byte into cum[row]; ``net`` is ``Attention.arrays()``, xe[xo:] the
    external input (dx > 0)."""
    ac, ap, w, g, s, sc, so, p = net
    d = ac[A_D]
    attn_grad(ac, w, g, s, sc, so, p, c)
    lr = ap[AP_LR]
    clip = ap[AP_CLIP]
    for i in range(ac[A_WQ], ac[A_NP]):                  # dense parameters
        w[i] -= lr * clip32(g[i], clip)
        g[i] = F0
    DX = so[9]
    r1, r2, r3, rw = context_rows(ac)
    if ac[A_DX] == 0:                                     # the embedding rows read
        for i in range(d):
            v = lr * clip32(sc[U(DX + i)], clip)
            w[U(r1 + i)] -= v
            w[U(r2 + i)] -= v
            w[U(r3 + i)] -= v
            w[U(rw + i)] -= v
    attn_push(ac, s, sc, so[1], c)                       # key = the query that predicted c
    ac[A_C3] = ac[A_C2]
    ac[A_C2] = ac[A_C1]
    ac[A_C1] = c
    lc = c | 32
    if 97 <= lc <= 122:
        ac[A_WORD] = (ac[A_WORD] * 0x2F0B3 + lc) & 0xFFFFFFFF
    else:
        ac[A_WORD] = 0
    attn_read(ac, w, s, sc, so, p, xe, xo)
    attn_quantize(ac, p, cum, row)


@kernel
def attn_quantize(ac, p, cum, row):
    ac[A_CONF] = quantize_dist(p, 0, cum, row)


class Attention:
    """Owns the configuration and state of one log-linear attention byte model."""

    def __init__(self, dim: int = 16, levels: int = 12, lr: float = 0.02, clip: float = 1.0, dx: int = 0):
        if dim % 8 or not (8 <= dim <= 256) or not (2 <= levels <= 40):
            raise ValueError("attention dim must be a multiple of 8 in 8..256 and levels in 2..40")
        off = layout(dim, levels, dx)
        self.ac = np.zeros(A_CNT + levels, dtype=np.int64)
        self.ac[A_DX] = dx
        self.ac[A_D], self.ac[A_L] = dim, levels
        for i, name in enumerate(("emb1", "emb2", "emb3", "embw", "wq", "wl", "bl", "gam", "bo", "total")):
            self.ac[A_EMB1 + i] = off[name]
        self.ap = np.array([lr, clip], dtype=np.float32)
        u = splitmix_uniform(SEED, off["total"])
        scale = np.zeros(off["total"])
        scale[off["emb1"]:off["wq"]] = 0.5
        scale[off["wq"]:off["wl"]] = 1.0 / math.sqrt(dx or dim)
        self.w = (u * scale).astype(np.float32)
        self.w[off["gam"]] = 1.0
        self.g = np.zeros_like(self.w)
        self.s = np.zeros(levels * dim * 256, dtype=np.float32)
        sl = scratch_layout(dim, levels, dx)
        self.so = np.array([sl[k] for k in ("x", "q", "a", "sp", "lam", "u", "o", "dpre", "dq", "dx", "m")],
                           dtype=np.int64)
        self.sc = np.zeros(sl["total"], dtype=np.float32)
        self.p = np.zeros(256, dtype=np.float32)

    @staticmethod
    def memory_for(dim: int, levels: int, dx: int = 0) -> int:
        """Bytes of ``memory()`` for these sizes, without allocating."""
        return 4 * (2 * layout(dim, levels, dx)["total"] + levels * dim * 256 + scratch_layout(dim, levels, dx)["total"]
                    + 256)

    def memory(self) -> int:
        """Bytes of the weights, gradients, state and scratch."""
        return sum(a.nbytes for a in (self.w, self.g, self.s, self.sc, self.p))

    def start(self, cum, row: int, xe=None, xo: int = 0) -> None:
        """First prediction; with an external input (dx > 0) x = xe[xo:xo+dx]."""
        if xe is None:
            xe = np.zeros(1, dtype=np.float32)
        attn_read(self.ac, self.w, self.s, self.sc, self.so, self.p, xe, xo)
        attn_quantize(self.ac, self.p, cum, row)

    def arrays(self):
        """The model's arrays, as attn_step takes them."""
        return (self.ac, self.ap, self.w, self.g, self.s, self.sc, self.so, self.p)


# ---------------------------------------------------------------- the component

@phase
def attn_begin(s, h, primary, keyed):
    net, cum, cfg, gc, hs = s
    if primary:                               # no GRU: the attention model gives the neural signal
        h[CONF] = net[0][A_CONF]


@phase
def attn_predict(s, h, x, c0, j, primary, keyed):
    net, cum, cfg, gc, hs = s
    xo = cfg[0]
    st = np.int64(STRETCH[U(byte_to_bit_p12(cum, 0, c0, j))])
    x[U(xo)] = st
    x[U(xo + 1)] = (st * net[0][A_CONF]) >> 3


@phase
def attn_byte(s, h, c, primary, keyed):
    net, cum, cfg, gc, hs = s
    xo = (gc[G_S] + 1) * gc[G_H] if keyed else 0      # keyed: by the GRU's new state
    attn_step(net, hs, xo, cum, 0, c)


class AttentionModel(Component):
    """The attention byte model as a component: the GRU's two inputs, its
    own confidence; keyed by the GRU's state with ``attn_src`` = 1 (the GRU
    must then be in the recipe, before it).  Rate in 1e-4 units."""

    name = "attention"
    PARAMS = (
        Param("attn_dim", "ad", 0, 64, 0, 1, "attention width, a multiple of 8 (0: no attention model)"),
        Param("attn_levels", "al", 2, 24, 12, 1, "attention: Fenwick levels"),
        Param("attn_lr", "az", 1, 10000, 200, 1, "attention SGD step, 1e-4 units"),
        Param("attn_src", "as", 0, 1, 0, 1, "1: keyed by the GRU's state"),
    )
    slow = True
    begin = attn_begin
    predict = attn_predict
    step = attn_byte

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        gru = shared.models.get("gru")
        self.keyed = bool(p["attn_src"] and gru is not None)
        self.primary = gru is None
        dx = p["gru_hidden"] if self.keyed else 0
        self.net = Attention(dim=p["attn_dim"], levels=p["attn_levels"], lr=p["attn_lr"] * 1e-4, dx=dx)
        self.cum = np.zeros((1, 257), dtype=np.int64)
        self.cfg = np.zeros(1, dtype=np.int64)
        if self.keyed:
            self.gc, self.hs = gru.net.gc, gru.net.hs
            self.net.start(self.cum, 0, self.hs, (int(self.gc[G_S]) + 1) * p["gru_hidden"])
        else:
            self.gc, self.hs = np.zeros(G_H + 1, dtype=np.int64), np.zeros(1, dtype=np.float32)
            self.net.start(self.cum, 0)

    @classmethod
    def validate(cls, p: dict) -> None:
        if p["attn_dim"] and (p["attn_dim"] % 8 or p["attn_dim"] < 8):
            raise ValueError("attention dim must be a multiple of 8 in 8..64")

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.full(2, MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cfg[0] = xo

    def static(self) -> tuple[int, ...]:
        return (1 if self.primary else 0, 1 if self.keyed else 0)

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        dx = p["gru_hidden"] if p["attn_src"] else 0
        return Attention.memory_for(p["attn_dim"], p["attn_levels"], dx) + 8 * 257 + 8

    def memory(self) -> int:
        return self.net.memory() + self.cum.nbytes + self.cfg.nbytes

    def state(self) -> tuple:
        return (self.net.arrays(), self.cum, self.cfg, self.gc, self.hs)
