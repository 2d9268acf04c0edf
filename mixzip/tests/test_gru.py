"""GRU byte model: deterministic float math, exact BPTT gradients, online learning."""
import math

import numpy as np
import pytest

from mixzip.predictors import gru, nnmath


def test_exp32_sigmoid_tanh_accuracy():
    xs = np.linspace(-30, 30, 20001).astype(np.float32)
    f = nnmath.exp32
    for x in xs[::7]:
        want = math.exp(float(x))
        assert abs(f(x) - want) <= 1e-6 * want
    for x in xs[::13]:
        assert abs(nnmath.sigmoid32(x) - 1 / (1 + math.exp(-float(x)))) < 1e-6
        assert abs(nnmath.tanh32(x) - math.tanh(float(x))) < 2e-6
    # saturates instead of overflowing
    assert np.isfinite(f(np.float32(1e4))) and f(np.float32(-1e4)) >= 0


def _window(model, data, as64=True):
    """Run one BPTT window in float64 through the kernels' Python source."""
    arrs = [a.astype(np.float64) if a.dtype == np.float32 else a.copy() for a in model.arrays()]
    gc, hp, w, wt, g, m, v, hs, gate, ps, sc, xy, gg = arrs
    k = int(gc[gru.G_K])

    def loss(wv):
        for s in range(k):
            gc[gru.G_S] = s
            gru.gru_forward.py_func(gc, wv, hs, gate, ps, sc, xy, data[s])
        return -sum(math.log(ps[s * 256 + data[s + 1]]) for s in range(k))

    return arrs, loss, k


def test_bptt_gradient_matches_finite_differences(monkeypatch):
    # exact float64 activations: finite differences then resolve 1e-6 relative
    f64 = np.float64     # not Python floats: float32 + a Python float stays float32 (NEP 50)
    monkeypatch.setattr(gru, "exp32", lambda x: f64(math.exp(x)))
    monkeypatch.setattr(gru, "sigmoid32", lambda x: f64(1 / (1 + math.exp(-x))))
    monkeypatch.setattr(gru, "tanh32", lambda x: f64(math.tanh(x)))
    model = gru.Gru(hidden=8, embed=8, window=5)
    rng = np.random.default_rng(3)
    model.hs[:8] = rng.uniform(-0.5, 0.5, 8)             # non-zero state entering the window
    model.w[:] += rng.uniform(-0.3, 0.3, model.w.shape[0]).astype(np.float32)   # away from init symmetry
    data = [7, 200, 7, 13, 200, 7]                       # inputs data[:5], targets data[1:]
    (gc, hp, w, wt, g, m, v, hs, gate, ps, sc, xy, gg), loss, k = _window(model, data)
    loss(w)
    for s in range(k):
        xy[k + s] = data[s + 1]
    gru.gru_transpose.py_func(gc, w, wt)
    gru.gru_backward.py_func(gc, w, wt, g, hs, gate, ps, xy, gg)
    off = gru.layout(8, 8)
    h, e = 8, 8
    picks = {
        "emb (row of an input byte)": [off["emb"] + 200 * e + i for i in range(e)],
        "emb (byte never input)": [off["emb"] + 1 * e + 3],
        "wx z/r/n": [off["wx"] + 2 * 3 * h + c for c in (1, h + 2, 2 * h + 5)],
        "wh z": [off["wh"] + 3 * 3 * h + 4],
        "wh r (reset-gate path)": [off["wh"] + i * 3 * h + h + j for i in (0, 5) for j in (1, 6)],
        "wh n": [off["wh"] + 1 * 3 * h + 2 * h + 3],
        "bx": [off["bx"] + c for c in (0, h + 1, 2 * h + 2)],
        "bh n (inside r *)": [off["bh"] + 2 * h + c for c in range(h)],
        "wo": [off["wo"] + 3 * 256 + 7, off["wo"] + 5 * 256 + 200],
        "bo": [off["bo"] + 13, off["bo"] + 100],
    }
    eps = 1e-5
    for name, idx in picks.items():
        for i in idx:
            w0 = w[i]
            w[i] = w0 + eps
            lp = loss(w)
            w[i] = w0 - eps
            lm = loss(w)
            w[i] = w0
            num = (lp - lm) / (2 * eps)
            assert abs(num - g[i]) <= 1e-7 + 1e-5 * abs(num), (name, i, num, g[i])
    assert g[off["emb"] + 1 * e + 3] == 0


@pytest.mark.parametrize("opt,lr", [(0, 0.02), (1, 0.01)])
def test_step_learns_a_repeating_sequence(opt, lr):
    model = gru.Gru(hidden=32, embed=16, window=8, lr=lr, opt=opt)
    cum = np.zeros((1, 257), dtype=np.int64)
    model.start(cum, 0)
    pattern = b"abcabd" * 200
    cost = []
    for c in pattern:
        p = (cum[0, c + 1] - cum[0, c]) / cum[0, 256]
        cost.append(-math.log2(p))
        gru.gru_step(model.arrays(), cum, 0, c)
    first, last = sum(cost[:60]) / 60, sum(cost[-60:]) / 60
    assert first > 6 and last < 1.0, (first, last)


def test_quantized_distribution_is_valid():
    model = gru.Gru(hidden=16, embed=8, window=4)
    cum = np.zeros((2, 257), dtype=np.int64)
    model.start(cum, 1)
    d = np.diff(cum[1])
    assert cum[1, 0] == 0 and np.all(d >= 1) and cum[1, 256] <= 256 + (1 << 20) + 256
    assert 0 <= model.gc[gru.G_CONF] <= 7


def test_bad_sizes_rejected():
    with pytest.raises(ValueError):
        gru.Gru(hidden=12)
    with pytest.raises(ValueError):
        gru.Gru(window=0)


@pytest.mark.parametrize("rows,cols", [(32, 384), (128, 256), (13, 21), (8, 7), (1, 1)])
def test_transpose_into_matches_numpy(rows, cols):
    rng = np.random.default_rng(rows * 1000 + cols)
    src = np.concatenate([np.zeros(5, np.float32), rng.standard_normal(rows * cols).astype(np.float32)])
    dst = np.full(3 + rows * cols, -1, dtype=np.float32)
    gru.transpose_into(src, 5, rows, cols, dst, 3)
    assert np.array_equal(dst[3:], src[5:].reshape(rows, cols).T.ravel())
    assert np.all(dst[:3] == -1)


@pytest.mark.parametrize("m", [0, 1, 3, 4, 7, 9])
def test_mac_rows_adds_row_by_row_in_order(m):
    """mac_rows (four rows per pass) gives exactly the row-by-row float32 sums."""
    rng = np.random.default_rng(m)
    n, sstep, xstep = 13, 17, 3
    src = rng.standard_normal(5 + m * sstep + n).astype(np.float32)
    xs = rng.standard_normal(2 + m * xstep + 1).astype(np.float32)
    dst = rng.standard_normal(4 + n).astype(np.float32)
    want = dst[4:].copy()
    for r in range(m):                     # numpy float32: each product and sum rounded, no FMA
        want = want + src[5 + r * sstep:5 + r * sstep + n] * xs[2 + r * xstep]
    gru.mac_rows(dst, 4, n, src, 5, sstep, xs, 2, xstep, m)
    assert np.array_equal(dst[4:], want)


@pytest.mark.parametrize("b1", [0.9, 0.0])
def test_adam_step_matches_numpy(b1):
    """gru_apply against the textbook step in float32 (with b1 = 0 the kernel
    skips the first moment, which must change nothing); two steps, so the
    bias corrections and the moments' memory are both checked."""
    model = gru.Gru(hidden=8, embed=8, window=1, lr=0.003, b1=b1, b2=0.995)
    rng = np.random.default_rng(7)
    f = np.float32
    lr, b1_, b2, eps, clip = f(0.003), f(b1), f(0.995), f(1e-5), f(1.0)
    w, m, v = model.w.copy(), np.zeros_like(model.w), np.zeros_like(model.w)
    b1t = b2t = f(1)
    for _ in range(2):
        g = (rng.standard_normal(model.w.size) * 0.7).astype(np.float32)
        model.g[:] = g
        gru.gru_apply(model.gc, model.hp, model.w, model.g, model.m, model.v)
        d = np.clip(g, -clip, clip)
        b1t, b2t = f(b1t * b1_), f(b2t * b2)
        c1, c2 = f(1) / (f(1) - b1t), f(1) / (f(1) - b2t)
        m = b1_ * m + (f(1) - b1_) * d
        v = b2 * v + (f(1) - b2) * (d * d)
        w = w - lr * (m * c1) / (np.sqrt(v * c2) + eps)
        assert np.array_equal(model.w, w) and not model.g.any()
