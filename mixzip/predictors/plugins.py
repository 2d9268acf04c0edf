"""Third-party predictors: the byte-level plugin API.

A plugin predicts the *next byte* as a 256-way distribution; the engine turns
it into one mixer input per bit (bytemodel adapter inside the recipe kernel):
for the bits already coded of the current byte, it sums the distribution over
the bytes still consistent with them, and gives the mixer
stretch(P(next bit = 1)).  The mixer learns how much to trust it, so a poor
plugin costs little.

Contract (duck-typed; see ``BytePredictor``):

    class MyPredictor:
        version = "1"              # recorded in the archive header
        def predict(self) -> array-like of 256 non-negative numbers
        def update(self, byte: int) -> None

* A *factory* (usually the class itself) is registered in the entry-point
  group ``mixzip.predictors`` under the plugin's name, e.g. in pyproject.toml:
  ``[project.entry-points."mixzip.predictors"] mymodel = "pkg.mod:MyPredictor"``.
  It is called with no arguments once per stream and must return a fresh,
  deterministic predictor: the decoder builds its own and must see exactly the
  same numbers the encoder saw (same inputs in, same floats out).
* ``predict`` is called before each byte, ``update`` after it, in stream
  order, by both the encoder and the decoder.
* The distribution is quantised by the engine to integer counts,
  ``floor(p / sum(p) * 2^20) + 1``, so every byte stays possible.
* The archive header records ``{"name": ..., "version": ...}``; decoding an
  archive whose plugin is missing, or whose version differs, fails with
  ``UnsupportedModelError`` naming it.

Plugins run Python once per byte, so they are slow next to the built-in
Numba models; they are for experiments and special data.
"""
from __future__ import annotations

from importlib import metadata
from typing import Callable, Protocol

import numpy as np

from mixzip.codec.errors import UnsupportedModelError

GROUP = "mixzip.predictors"
QUANT = 1 << 20

_registry: dict[str, Callable[[], "BytePredictor"]] = {}


class BytePredictor(Protocol):
    version: str

    def predict(self) -> np.ndarray: ...

    def update(self, byte: int) -> None: ...


def register_predictor(name: str, factory: Callable[[], BytePredictor]) -> None:
    """Register a plugin in this process (the entry-point group is the usual way)."""
    _registry[name] = factory


def available() -> dict[str, Callable[[], BytePredictor]]:
    """All plugin factories by name: entry points, then in-process registrations."""
    found: dict[str, Callable[[], BytePredictor]] = {}
    for ep in metadata.entry_points(group=GROUP):
        found.setdefault(ep.name, ep)  # loaded lazily in load_factory
    found.update(_registry)
    return found


def load_factory(name: str):
    """The factory of plugin ``name``; UnsupportedModelError if not installed."""
    obj = available().get(name)
    if obj is None:
        raise UnsupportedModelError(f"predictor plugin '{name}' is not installed")
    if isinstance(obj, metadata.EntryPoint) or type(obj).__name__ == "EntryPoint":  # or importlib_metadata's
        try:
            obj = obj.load()
        except Exception as exc:  # a broken plugin must not crash with a traceback
            raise UnsupportedModelError(f"predictor plugin '{name}' failed to load: {exc}") from None
    return obj


def plugin_version(factory) -> str:
    return str(getattr(factory, "version", "0"))


def quantize(dist) -> np.ndarray:
    """256 non-negative weights -> 257 cumulative integer counts (all bytes > 0)."""
    p = np.asarray(dist, dtype=np.float64)
    if p.shape != (256,) or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("a byte predictor must return 256 finite non-negative numbers")
    s = p.sum()
    if s <= 0:
        q = np.ones(256, dtype=np.int64)
    else:
        q = np.floor(p * (QUANT / s)).astype(np.int64) + 1
    out = np.zeros(257, dtype=np.int64)
    np.cumsum(q, out=out[1:])
    return out
