"""Engine: moves blocks of bytes through a model.

One ``Engine`` codes one stream.  The model is built from the stream's spec
once (by the registered provider, models.py) and its state carries across
blocks; each block is one arithmetic-coder message (coder.py).  Python only
moves blocks: the per-bit loop - predict, mix, code, update - runs inside
the model's Numba kernel, called once per ``model.chunk`` bytes (so that
Ctrl-C is noticed within a fraction of a second) with the coder's state
carried in ``cs`` between calls.

A block whose coded form would not be smaller than the block itself is
*stored*: the payload is the raw bytes, and the decoder runs the model in
TRAIN mode over them, which leaves it in exactly the state the encoder's
ENCODE pass left (coding never changes what the models learn).  So a block
never expands beyond its framing.

A decoder that has read more than PAYLOAD_SLACK bytes past the end of a
block's payload is decoding garbage (a valid message needs at most the 4
bytes it looks ahead): it stops with CorruptError at the end of that run
call, so a tiny hostile archive that declares a huge block costs a run
call, not the whole block.

Memory: the model + an input and an output buffer of about the block size.
"""
from __future__ import annotations

import numpy as np

from mixzip.codec import coder, models
from mixzip.codec.errors import CorruptError

PAYLOAD_SLACK = 8


class Engine:
    def __init__(self, spec, model=None):
        """``model``: one already built for ``spec`` (e.g. with statistics), else built here."""
        self.spec = spec
        self.model = models.build(spec) if model is None else model
        self.cs = np.zeros(coder.NSTATE, dtype=np.int64)
        self._data = np.zeros(0, dtype=np.uint8)
        self._out = np.zeros(0, dtype=np.uint8)

    def _buffer(self, n: int) -> np.ndarray:
        if self._data.shape[0] < n:
            self._data = np.zeros(n, dtype=np.uint8)
        return self._data

    def _run(self, mode, d, start, n, buf, bend) -> int:
        """Run the model over d[start:n] in chunks; returns the first byte not
        done (earlier than n only when the encoder needs a larger buffer)."""
        step = self.model.chunk
        i = start
        while i < n:
            end = min(n, i + step)
            j = self.model.run(mode, d, i, end, buf, bend, self.cs)
            self.model.check()
            if mode == coder.DECODE and self.cs[coder.IPOS] > bend + PAYLOAD_SLACK:
                raise CorruptError("block payload ends before its data (corrupt block)")
            if j < end:
                return j
            i = end
        return n

    def encode_block(self, data) -> tuple[bytes, bool]:
        """Code one block.  Returns (payload, stored)."""
        n = len(data)
        d = self._buffer(n)
        d[:n] = np.frombuffer(data, dtype=np.uint8)
        cap = n + (n >> 3) + 1024
        if self._out.shape[0] < cap:
            self._out = np.zeros(cap, dtype=np.uint8)
        coder.init_encoder(self.cs, 0)
        i = 0
        while True:
            out = self._out
            i = self._run(coder.ENCODE, d, i, n, out, out.shape[0])
            if i >= n:
                break
            grown = np.zeros(out.shape[0] * 2, dtype=np.uint8)
            grown[: out.shape[0]] = out
            self._out = grown
        coder.flush(self.cs, self._out)
        size = int(self.cs[coder.OPOS])
        if size >= n:
            return bytes(data), True
        return self._out[:size].tobytes(), False

    def decode_block(self, payload, n: int, stored: bool) -> bytes:
        """Decode (or, for a stored block, learn from) one block of n bytes."""
        d = self._buffer(n)
        if stored:
            if len(payload) != n:
                raise ValueError("stored block length mismatch")
            d[:n] = np.frombuffer(payload, dtype=np.uint8)
            self._run(coder.TRAIN, d, 0, n, d, 0)
            return bytes(payload)
        buf = np.frombuffer(bytearray(payload), dtype=np.uint8)
        coder.init_decoder(self.cs, buf, 0, buf.shape[0])
        self._run(coder.DECODE, d, 0, n, buf, buf.shape[0])
        return d[:n].tobytes()
