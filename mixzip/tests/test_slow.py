"""Slow cases (run with ``pytest -m slow``): large streams with bounded memory."""
import hashlib
import io
import random
import resource

import pytest

import mixzip

pytestmark = pytest.mark.slow


class Source(io.RawIOBase):
    """An unseekable stream of ``n`` bytes of mixed text and binary, made on the fly."""

    def __init__(self, n: int, seed: int = 1):
        self.left = n
        self.rng = random.Random(seed)
        self.sha = hashlib.sha256()
        self.words = [bytes(self.rng.choice(b"etaoinshrdlu") for _ in range(self.rng.randrange(2, 9)))
                      for _ in range(500)]

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left, 1 << 16)
        if n == 0:
            return 0
        if self.rng.random() < 0.8:
            chunk = b" ".join(self.rng.choice(self.words) for _ in range(n // 4))[:n]
        else:
            chunk = self.rng.randbytes(n)
        chunk = chunk.ljust(n, b".")
        b[:n] = chunk
        self.sha.update(chunk)
        self.left -= n
        return n


class Sink(io.RawIOBase):
    def __init__(self):
        self.n = 0
        self.sha = hashlib.sha256()

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.n += len(b)
        return len(b)


def test_large_stream_round_trip_with_bounded_memory(tmp_path):
    size = 24 << 20
    mixzip.decompress(mixzip.compress(b"warm up the kernels " * 50, level=1))
    src = Source(size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(tmp_path / "big.mxz", "wb") as packed:
        mixzip.compress_stream(src, packed, level=1)
    out = Sink()
    with open(tmp_path / "big.mxz", "rb") as packed:
        mixzip.decompress_stream(packed, out)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert out.n == size and out.sha.digest() == src.sha.digest()
    # two level-1 models (~11 MB each) and a few 1 MiB blocks, whatever the size
    assert grown_mb < 60
