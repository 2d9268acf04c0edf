"""A byte model's own cost on a file, with mixzip's kernels (no PyTorch).

``gru_bits(gru, data, frozen)`` codes ``data`` with the GRU alone and returns
the bits of each byte, -log2 of the probability the coder would get: the
distribution quantised by ``gru_quantize`` (cum counts, every byte >= 1 of
2^20 + 256), read before the byte is learnt.

    frozen False: ``gru_step`` per byte - the GRU fine-tunes online at its own
                  rates (Adam every ``window`` bytes, output-layer SGD with olr),
                  as the backbone runs it.
    frozen True:  inference only - ``gru_forward`` and ``gru_quantize`` per
                  byte, the state carried in hs[0:H] (window position kept 0),
                  no gradient ever computed; weights never change.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, kernel
from mixzip.predictors.attention import attn_step
from mixzip.predictors.gru import G_H, G_S, gru_forward, gru_quantize, gru_step


@kernel
def _prob(cum, c):
    return (cum[0, c + 1] - cum[0, c]) / cum[0, 256]


@kernel
def code_online(net, cum, data, out):
    for i in range(len(data)):
        c = data[i]
        out[i] = _prob(cum, c)
        gru_step(net, cum, 0, c)


@kernel
def code_frozen(gc, w, hs, gate, ps, sc, xy, cum, data, out):
    h = gc[G_H]
    for i in range(len(data)):
        c = data[i]
        out[i] = _prob(cum, c)
        for k in range(h):                         # the last step's new state becomes the input state
            hs[k] = hs[U(h + k)]
        gru_forward(gc, w, hs, gate, ps, sc, xy, c)
        gru_quantize(gc, ps, cum, 0)


def gru_bits(gru, data: bytes, frozen: bool = False) -> np.ndarray:
    """Bits of each byte of data, coded by ``gru`` (fresh: start() not yet called) alone."""
    cum = np.zeros((1, 257), dtype=np.int64)
    gru.start(cum, 0)
    arr = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    out = np.zeros(len(arr), dtype=np.float64)
    if frozen:
        assert gru.gc[G_S] == 0
        code_frozen(gru.gc, gru.w, gru.hs, gru.gate, gru.ps, gru.sc, gru.xy, cum, arr, out)
    else:
        code_online(gru.arrays(), cum, arr, out)
    return -np.log2(out)


@kernel
def code_with_attention(net, anet, cum, data, out_g, out_a):
    """The GRU (online) and the attention model keyed by its new state (the
    backbone's attn_src=1 wiring): each byte's probability under both."""
    gc = net[0]
    hs = net[7]
    h = gc[G_H]
    for i in range(len(data)):
        c = data[i]
        out_g[i] = _prob(cum, c)
        out_a[i] = (cum[1, c + 1] - cum[1, c]) / cum[1, 256]
        gru_step(net, cum, 0, c)
        attn_step(anet, hs, (gc[G_S] + 1) * h, cum, 1, c)


def gru_attention_probs(gru, attn, data: bytes):
    """(p_gru, p_attn): each byte's probability under the GRU and under the attention
    model reading the GRU's state (attn built with dx = the GRU's hidden size)."""
    cum = np.zeros((2, 257), dtype=np.int64)
    gru.start(cum, 0)
    attn.start(cum, 1, gru.hs, (int(gru.gc[G_S]) + 1) * int(gru.gc[G_H]))
    arr = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    pg = np.zeros(len(arr), dtype=np.float64)
    pa = np.zeros(len(arr), dtype=np.float64)
    code_with_attention(gru.arrays(), attn.arrays(), cum, arr, pg, pa)
    return pg, pa
