"""The PyTorch twin of mixzip's GRU byte model (mixzip/predictors/gru.py), for training.

Same parameters, same shapes, same order as ``gru.layout(e, h)``, so the
trained weights are one ``torch.cat`` away from a mixzip prior:

    EMB (256, E)   x = EMB[b]
    WX  (E, 3H)    ax = BX + x WX        columns: z | r | n
    WH  (H, 3H)    ah = BH + h WH
    BX, BH (3H)
    z = sigmoid(ax_z + ah_z), r = sigmoid(ax_r + ah_r), n = tanh(ax_n + r ah_n)
    h' = (1 - z) n + z h
    WO  (H, 256), BO (256)   p = softmax(BO + h' WO)

It is built on torch.nn.GRU, which has the same cell with its gates in the
order r | z | n and its matrices transposed: ``flat``/``load_flat`` reorder
them (checked against mixzip's kernel by tests/test_priors.py's twin in
scripts/check_prior_parity.py: same weights, same next-byte distribution to
~1e-6).

A stream starts as mixzip's does (``Gru.start``): h = 0 and input byte 0, so
byte i of a file is predicted after inputs 0, d0 .. d(i-1).

PyTorch is a build-time dependency only (``pip install torch==2.13.0``).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from mixzip.predictors.gru import layout

NAMES = ("emb", "wx", "wh", "bx", "bh", "wo", "bo")


def _zrn(a: torch.Tensor, h: int) -> torch.Tensor:
    """torch's r | z | n blocks (first axis) -> mixzip's z | r | n."""
    return torch.cat([a[h:2 * h], a[:h], a[2 * h:]])


def _rzn(a: torch.Tensor, h: int) -> torch.Tensor:
    """mixzip's z | r | n blocks (first axis) -> torch's r | z | n."""
    return torch.cat([a[h:2 * h], a[:h], a[2 * h:]])


class GruLM(nn.Module):
    def __init__(self, embed: int = 32, hidden: int = 256):
        super().__init__()
        self.e, self.h = embed, hidden
        self.emb = nn.Embedding(256, embed)
        with torch.no_grad():
            self.emb.weight.mul_(0.5)
        self.gru = nn.GRU(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 256)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        """x (B, T) input bytes, h (B, H) state -> (logits (B, T, 256), new state (B, H))."""
        hs, hn = self.gru(self.emb(x), h.unsqueeze(0))
        return self.out(hs), hn[0]

    def flat(self) -> np.ndarray:
        """The weights as mixzip's flat float32 vector (gru.layout order)."""
        h, g = self.h, self.gru
        with torch.no_grad():
            parts = [self.emb.weight, _zrn(g.weight_ih_l0, h).t(), _zrn(g.weight_hh_l0, h).t(),
                     _zrn(g.bias_ih_l0, h), _zrn(g.bias_hh_l0, h), self.out.weight.t(), self.out.bias]
            w = torch.cat([p.detach().contiguous().reshape(-1) for p in parts]).to(torch.float32).numpy()
        assert len(w) == layout(self.e, h)["total"]
        return w.copy()

    def load_flat(self, w: np.ndarray) -> None:
        """Set the weights from mixzip's flat vector."""
        e, h, g = self.e, self.h, self.gru
        off = layout(e, h)
        ends = dict(zip(NAMES, [off[k] for k in NAMES[1:]] + [off["total"]]))

        def part(k, shape):
            return torch.from_numpy(np.asarray(w[off[k]:ends[k]], dtype=np.float32).copy()).reshape(shape)

        with torch.no_grad():
            self.emb.weight.copy_(part("emb", (256, e)))
            g.weight_ih_l0.copy_(_rzn(part("wx", (e, 3 * h)).t(), h))
            g.weight_hh_l0.copy_(_rzn(part("wh", (h, 3 * h)).t(), h))
            g.bias_ih_l0.copy_(_rzn(part("bx", (3 * h,)), h))
            g.bias_hh_l0.copy_(_rzn(part("bh", (3 * h,)), h))
            self.out.weight.copy_(part("wo", (h, 256)).t())
            self.out.bias.copy_(part("bo", (256,)))
