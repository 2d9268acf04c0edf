"""Prior files (mixzip/priors): the format, the loader into the GRU, the shipped
priors, and the measuring kernels (mixzip/training/measure.py).  No PyTorch
needed, except the twin-parity test, which skips without it."""
from __future__ import annotations

import hashlib
import json
import struct

import numpy as np
import pytest

from mixzip import priors
from mixzip.predictors.gru import Gru, layout
from mixzip.training.measure import gru_bits

E, H = 8, 16
TEXT = b"The quick brown fox jumps over the lazy dog; (defun f (x) (* x x)) int main(void) { return 0; }\n" * 3


def tiny_weights(seed=5, e=E, h=H):
    return (np.random.default_rng(seed).standard_normal(layout(e, h)["total"]) * 0.3).astype(np.float32)


def tiny_blob(dtype="<f4", w=None):
    w = tiny_weights() if w is None else w
    return priors.dumps("tiny", "gru", {"embed": E, "hidden": H}, {"w": w}, dtype=dtype, meta={"note": "test"})


def np_reference_dist(w, e, h, data):
    """float64 numpy reference of gru.py's forward: the next-byte distribution after each input."""
    off = layout(e, h)
    w = w.astype(np.float64)
    emb = w[off["emb"]:off["wx"]].reshape(256, e)
    wx = w[off["wx"]:off["wh"]].reshape(e, 3 * h)
    wh = w[off["wh"]:off["bx"]].reshape(h, 3 * h)
    bx, bh = w[off["bx"]:off["bh"]], w[off["bh"]:off["wo"]]
    wo = w[off["wo"]:off["bo"]].reshape(h, 256)
    bo = w[off["bo"]:off["total"]]
    st = np.zeros(h)
    out = []
    for b in [0, *data]:
        ax, ah = bx + emb[b] @ wx, bh + st @ wh
        z = 1 / (1 + np.exp(-(ax[:h] + ah[:h])))
        r = 1 / (1 + np.exp(-(ax[h:2 * h] + ah[h:2 * h])))
        n = np.tanh(ax[2 * h:] + r * ah[2 * h:])
        st = (1 - z) * n + z * st
        lg = bo + st @ wo
        p = np.exp(lg - lg.max())
        out.append(p / p.sum())
    return np.array(out)


def test_round_trip_exact_f4_and_f2():
    w = tiny_weights()
    p = priors.loads(tiny_blob("<f4", w))
    assert (p.name, p.model, p.params) == ("tiny", "gru", {"embed": E, "hidden": H})
    assert p.arrays["w"].dtype == np.float32 and np.array_equal(p.arrays["w"], w)
    assert p.meta == {"note": "test"}
    blob = tiny_blob("<f2", w)
    p2 = priors.loads(blob)
    assert np.array_equal(p2.arrays["w"], w.astype(np.float16).astype(np.float32))
    assert p2.sha256 == hashlib.sha256(blob).hexdigest()
    assert priors.loads(blob).arrays["w"].tobytes() == p2.arrays["w"].tobytes()     # deterministic


def test_layout_of_the_file():
    blob = tiny_blob()
    assert blob[:8] == b"MXZPRIOR"
    ver, hl = struct.unpack_from("<II", blob, 8)
    head = json.loads(blob[16:16 + hl])
    assert ver == 1 and head["arrays"][0]["dtype"] == "<f4" and head["arrays"][0]["offset"] == 0
    assert len(blob) == 16 + hl + 4 * layout(E, H)["total"]
    assert np.array_equal(np.frombuffer(blob[16 + hl:], dtype="<f4"), tiny_weights())


@pytest.mark.parametrize("mangle, message", [
    (lambda b: b"NOTPRIOR" + b[8:], "not a mixzip prior"),
    (lambda b: b[:8] + struct.pack("<I", 2) + b[12:], "version 2 is not supported"),
    (lambda b: b[:12] + struct.pack("<I", 10 ** 7) + b[16:], "truncated prior header"),
    (lambda b: b[:16] + b"[" + b[17:], "malformed prior header"),
    (lambda b: b[:16] + b"\xff" + b[17:], "malformed prior header"),
    (lambda b: b[:-10], "truncated"),
    (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "fails its sha256 check"),
    (lambda b: b[:5], "not a mixzip prior"),
])
def test_damaged_files_are_refused(mangle, message):
    with pytest.raises(priors.PriorError, match=message):
        priors.loads(mangle(tiny_blob()))


def test_missing_prior_names_itself():
    with pytest.raises(priors.PriorError, match="prior no-such-prior not found"):
        priors.load("no-such-prior")


def test_install_into_gru_and_size_checks():
    p = priors.loads(tiny_blob())
    g = priors.gru_from_prior(p, window=4, lr=0.001)
    assert np.array_equal(g.w, p.arrays["w"])
    fresh = Gru(hidden=H, embed=E, window=4)
    fresh.w[:] = p.arrays["w"]
    from mixzip.predictors.gru import gru_transpose
    gru_transpose(fresh.gc, fresh.w, fresh.wt)
    assert np.array_equal(g.wt, fresh.wt)                 # the transposed copy was rebuilt
    with pytest.raises(priors.PriorError, match="embed=8, hidden=16; this one has 8, 24"):
        priors.install_gru(p, Gru(hidden=24, embed=8))
    other = priors.loads(priors.dumps("x", "attention", {}, {"w": np.zeros(3)}))
    with pytest.raises(priors.PriorError, match="not a GRU"):
        priors.install_gru(other, Gru(hidden=H, embed=E))


def test_loaded_gru_computes_the_reference_function():
    """The weights land where gru.py reads them: the kernel's distribution equals a
    float64 numpy reference of the documented equations (own exp/tanh: ~1e-6)."""
    w = tiny_weights()
    g = priors.gru_from_prior(priors.loads(tiny_blob("<f4", w)), window=256, lr=0.0)
    data = np.frombuffer(TEXT[:200], dtype=np.uint8)
    ref = np_reference_dist(w, E, H, data[:-1])
    bits = gru_bits(g, bytes(data), frozen=True)
    qref = -np.log2(np.floor(ref[np.arange(len(data)), data] * (1 << 20)) + 1) + np.log2((1 << 20) + 256)
    assert np.max(np.abs(bits - qref)) < 1e-3


def test_frozen_equals_online_at_rate_zero_and_learning_lowers_cost():
    p = priors.loads(tiny_blob())
    frozen = gru_bits(priors.gru_from_prior(p, window=8), TEXT, frozen=True)
    zero = gru_bits(priors.gru_from_prior(p, window=8, lr=0.0, olr=0.0), TEXT)
    assert np.array_equal(frozen, zero)
    learnt = gru_bits(priors.gru_from_prior(p, window=8, lr=0.01, olr=0.01, b1=0.0, b2=0.99), TEXT)
    assert learnt[-100:].sum() < frozen[-100:].sum()


def test_shipped_priors_load_and_fit_the_budget():
    names = priors.available()
    if not names:
        pytest.skip("no prior shipped in mixzip/priors yet (scripts/train_prior.py, docs/TRAINING.md)")
    total = 0
    for name in names:
        path = priors.path_of(name)
        total += path.stat().st_size
        p = priors.load(name)
        assert p.name == name and p.model == "gru"
        g = priors.gru_from_prior(p)
        assert np.all(np.isfinite(g.w))
        bits = gru_bits(g, TEXT[:100], frozen=True)
        assert np.all(np.isfinite(bits))
    assert total <= 4 * 1024 * 1024


def test_torch_twin_matches_the_kernel():
    torch = pytest.importorskip("torch")
    from mixzip.training.model import GruLM
    torch.manual_seed(3)
    m = GruLM(E, H)
    with torch.no_grad():
        for q in m.parameters():
            q.add_(torch.randn_like(q) * 0.2)
    w = m.flat()
    m2 = GruLM(E, H)
    m2.load_flat(w)
    assert np.array_equal(m2.flat(), w)
    data = np.frombuffer(TEXT[:150], dtype=np.uint8)
    x = torch.from_numpy(np.concatenate([[0], data[:-1]]).astype(np.int64))[None]
    with torch.no_grad():
        lg, _ = m(x, torch.zeros(1, H))
        pt = torch.softmax(lg[0].double(), -1).numpy()
    assert np.max(np.abs(pt - np_reference_dist(w, E, H, data[:-1]))) < 1e-5
    g = priors.gru_from_prior(priors.loads(priors.dumps("t", "gru", {"embed": E, "hidden": H}, {"w": w})),
                              window=256, lr=0.0)
    bits = gru_bits(g, bytes(data), frozen=True)
    qt = -np.log2(np.floor(pt[np.arange(len(data)), data] * (1 << 20)) + 1) + np.log2((1 << 20) + 256)
    assert np.max(np.abs(bits - qt)) < 1e-3
