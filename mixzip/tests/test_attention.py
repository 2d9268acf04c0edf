"""Log-linear attention byte model: Fenwick state, exact gradients, learning."""
import math

import numpy as np
import pytest

from mixzip.predictors import attention as at
from mixzip.predictors import nnmath

NOX = np.zeros(1, dtype=np.float32)     # no external input: the model's own context embeddings


def test_log32_accuracy():
    for y in np.geomspace(1e-6, 1e8, 3001).astype(np.float32):
        assert abs(nnmath.log32(y) - math.log(float(y))) < 2e-6 * max(1.0, abs(math.log(float(y))))


def test_dot8_matches_exact_sum():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(72).astype(np.float32)
    b = rng.standard_normal(72).astype(np.float32)
    want = float(np.sum(a[8:].astype(np.float64) * b[:64].astype(np.float64)))
    assert abs(nnmath.dot8(a, 8, b, 0, 64) - want) < 1e-4


def test_fenwick_levels_hold_the_right_segments():
    """After t pushes, level l (below the top) holds the 2^l newest leaves not
    in a lower level, occupied exactly when bit l of t is set; the top level
    holds all that carried past; together they equal the naive sum."""
    d, nl = 8, 4
    model = at.Attention(dim=d, levels=nl)
    ac, s = model.ac, model.s.astype(np.float64)
    rng = np.random.default_rng(5)
    leaves = []
    for t in range(1, 70):
        k = rng.standard_normal(d)
        c = int(rng.integers(256))
        leaf = np.zeros((d, 256))
        leaf[:, c] = k
        leaves.append(leaf)
        at.attn_push.py_func(ac, s, k, 0, c)
        pos = len(leaves)
        for lv in range(nl - 1):
            n_l = int(ac[at.A_CNT + lv])
            if t < 2 ** (nl - 1):
                assert n_l == ((t >> lv) & 1) << lv, (t, lv, n_l)
            if n_l:
                assert n_l == 2 ** lv
                assert np.allclose(s[lv * d * 256:(lv + 1) * d * 256].reshape(d, 256), sum(leaves[pos - n_l:pos]))
                pos -= n_l
        top = int(ac[at.A_CNT + nl - 1])
        assert top == pos and int(ac[at.A_CNT:].sum()) == t == int(ac[at.A_T])
        if top:
            assert np.allclose(s[(nl - 1) * d * 256:].reshape(d, 256), sum(leaves[:top]))
        assert np.allclose(s.reshape(nl, d, 256).sum(0), sum(leaves))


def exact_math(monkeypatch):
    """Run the kernels' Python source with exact float64 math, so finite
    differences are not swamped by the float32 approximations' rounding."""
    f64 = np.float64     # not Python floats: float32 + a Python float stays float32 (NEP 50)
    monkeypatch.setattr(at, "exp32", lambda x: f64(math.exp(x)))
    monkeypatch.setattr(at, "tanh32", lambda x: f64(math.tanh(x)))
    monkeypatch.setattr(at, "sigmoid32", lambda x: f64(1 / (1 + math.exp(-x))))
    monkeypatch.setattr(at, "softplus32", lambda x: f64(math.log1p(math.exp(x))))


@pytest.mark.parametrize("dx", [0, 16])
def test_gradient_matches_finite_differences(monkeypatch, dx):
    """dx = 0: x from the model's own context embeddings; dx = 16: x is an
    external state vector (the GRU's hidden state in the backbone)."""
    d, nl = 8, 5
    model = at.Attention(dim=d, levels=nl, dx=dx)
    rng = np.random.default_rng(9)
    xe = rng.uniform(-1, 1, 40 * 16).astype(np.float32) if dx else NOX
    cum = np.zeros((1, 257), dtype=np.int64)
    model.start(cum, 0, xe, 0)
    for t, c in enumerate(b"the cat sat on the mat, the cat sat. "):   # 37 pushes: levels 0, 2 and the top
        at.attn_step(model.arrays(), xe, (t + 1) * 16 if dx else 0, cum, 0, c)
    xo = 37 * 16 if dx else 0
    arrs = [a.astype(np.float64) if a.dtype == np.float32 else a.copy() for a in model.arrays()]
    ac, ap, w, g, s, sc, so, p = arrs
    assert [int(n) for n in ac[at.A_CNT:]] == [1, 0, 4, 0, 32]
    exact_math(monkeypatch)
    c = ord("s")

    def loss():
        at.attn_read.py_func(ac, w, s, sc, so, p, xe.astype(np.float64), xo)
        return -math.log(p[c])

    loss()
    g[:] = 0
    at.attn_grad.py_func(ac, w, g, s, sc, so, p, c)
    dxv = sc[so[9]:so[9] + d].copy()
    off = at.layout(d, nl, dx)
    width = dx or d
    picks = ([off["wq"] + i for i in (0, 9, 63, d * width - 1)] + [off["wl"] + lv * width + 2 for lv in (0, 2, 4)]
             + [off["bl"] + lv for lv in (0, 2, 4)] + [off["gam"], off["bo"] + 5, off["bo"] + c])
    eps = 1e-5

    def numeric(i):
        w0 = w[i]
        w[i] = w0 + eps
        lp = loss()
        w[i] = w0 - eps
        lm = loss()
        w[i] = w0
        return (lp - lm) / (2 * eps)

    for i in picks:
        num = numeric(i)
        assert abs(num - g[i]) <= 1e-7 + 1e-5 * abs(num), (i, num, g[i])
    for lv in (1, 3):        # empty levels get nothing
        assert g[off["wl"] + lv * width] == 0 and g[off["bl"] + lv] == 0
    if dx:
        return
    # the context's embedding rows all receive dx
    rows = at.context_rows.py_func(ac)
    for r in rows:
        for i in (0, 5):
            num = numeric(r + i)
            assert abs(num - dxv[i]) <= 1e-7 + 1e-5 * abs(num), (r, i, num, dxv[i])


def test_learns_a_repeating_sequence():
    model = at.Attention(dim=16, levels=8, lr=0.02)
    cum = np.zeros((2, 257), dtype=np.int64)
    model.start(cum, 1)
    cost = []
    for c in b"abcabd" * 300:
        cost.append(-math.log2((cum[1, c + 1] - cum[1, c]) / cum[1, 256]))
        at.attn_step(model.arrays(), NOX, 0, cum, 1, c)
    first, last = sum(cost[:30]) / 30, sum(cost[-60:]) / 60
    assert first > 6 and last < 1.0, (first, last)


def test_bad_sizes_rejected():
    with pytest.raises(ValueError):
        at.Attention(dim=12)
    with pytest.raises(ValueError):
        at.Attention(levels=1)
