"""The public API: one-shot functions, writer/reader file objects, open(), streams."""
import io
import os
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mixzip
from mixzip import CorruptError, FormatError, MixzipError, UnsupportedModelError
from mixzip import codec
from mixzip.predictors import plugins as plugin_registry


def roundtrip(data: bytes, **kw) -> bytes:
    arc = mixzip.compress(data, 1, **kw)
    assert mixzip.decompress(arc) == data
    return arc


# ---------------------------------------------------------------- one shot

def test_exports():
    assert mixzip.__version__ == "0.1.0"
    assert mixzip.DEFAULT_BLOCK_SIZE == 1 << 20
    assert 1 <= mixzip.DEFAULT_LEVEL <= 9
    for name in ("FormatError", "CorruptError", "UnsupportedModelError"):
        assert issubclass(getattr(mixzip, name), mixzip.MixzipError)
    assert codec.compress is mixzip.compress and codec.open is mixzip.open


@pytest.mark.parametrize("data", [
    b"", b"\x00", b"\xff", bytes(range(256)), bytes(range(256))[::-1] * 3,
    b"a" * 5000, b"\x00" * 4096, b"ab" * 3000,
], ids=["empty", "zero", "ff", "all256", "all256rev", "run-a", "run-0", "ab"])
def test_roundtrip(data):
    roundtrip(data)


def test_roundtrip_text_and_random(text_data, random_data):
    arc = roundtrip(text_data)
    assert len(arc) < len(text_data) / 4
    arc = roundtrip(random_data)
    assert len(arc) <= len(random_data) + 300          # stored, never expands beyond framing


def test_bytes_like_inputs(text_data):
    arc = mixzip.compress(bytearray(text_data), 1)
    assert arc == mixzip.compress(memoryview(text_data), 1) == mixzip.compress(text_data, 1)
    assert mixzip.decompress(bytearray(arc)) == mixzip.decompress(memoryview(arc)) == text_data
    ints = np.arange(100, dtype=np.int32)             # a buffer of 400 bytes, not 100
    assert mixzip.decompress(mixzip.compress(ints, 1)) == ints.tobytes()


@pytest.mark.parametrize("n", [4095, 4096, 4097, 3 * 4096, 3 * 4096 + 1])
def test_block_boundaries(n, text_data):
    data = (text_data * 5)[:n]
    arc = roundtrip(data, block_size=4096)
    inf = mixzip.info(io.BytesIO(arc))
    assert inf.blocks == -(-n // 4096)
    assert inf.original_size == n


def test_several_blocks_mixed(text_data, random_data):
    data = text_data + random_data + text_data
    arc = roundtrip(data, block_size=1000)
    assert mixzip.info(io.BytesIO(arc)).blocks == -(-len(data) // 1000)
    assert mixzip.test(io.BytesIO(arc)) == len(data)


def test_tiny_block_size():
    roundtrip(b"hello, world", block_size=1)


def test_levels_and_argument_checks():
    assert mixzip.decompress(mixzip.compress(b"abc", 2)) == b"abc"
    with pytest.raises(ValueError):
        mixzip.compress(b"abc", 0)
    with pytest.raises(ValueError):
        mixzip.compress(b"abc", mixzip.MAX_LEVEL + 1)
    for bad in (0, mixzip.MAX_BLOCK_SIZE + 1):
        with pytest.raises(ValueError):
            mixzip.compress(b"abc", 1, block_size=bad)
    with pytest.raises(TypeError):
        mixzip.compress(b"abc", 1, plugins="oracle")
    with pytest.raises(TypeError):
        mixzip.compress("text", 1)
    with pytest.raises(UnsupportedModelError, match="nonexistent"):
        mixzip.compress(b"abc", 1, plugins=["nonexistent"])


def test_deterministic(text_data):
    assert mixzip.compress(text_data, 1) == mixzip.compress(text_data, 1)


def test_concatenated_streams(text_data, random_data):
    a = mixzip.compress(text_data, 1)
    b = mixzip.compress(random_data, 2, block_size=1000)
    c = mixzip.compress(b"", 1)
    assert mixzip.decompress(a + b + c + a) == text_data + random_data + text_data
    assert mixzip.info(io.BytesIO(a + b + c)).streams == 3
    assert mixzip.test(io.BytesIO(a + c + b)) == len(text_data) + len(random_data)


# ---------------------------------------------------------------- plugins

class CountingPredictor:
    """Order-0 byte counts: a deterministic toy plugin."""
    version = "3"

    def __init__(self):
        self.counts = np.ones(256)

    def predict(self):
        return self.counts

    def update(self, byte):
        self.counts[byte] += 1


def test_plugin_roundtrip_and_missing_plugin(monkeypatch, text_data):
    monkeypatch.setitem(plugin_registry._registry, "testcount", CountingPredictor)
    data = text_data[:400]
    arc = mixzip.compress(data, 1, plugins=["testcount"], block_size=150)
    assert mixzip.decompress(arc) == data
    assert mixzip.info(io.BytesIO(arc)).spec.plugins == (("testcount", "3"),)
    monkeypatch.delitem(plugin_registry._registry, "testcount")
    with pytest.raises(UnsupportedModelError, match="testcount"):
        mixzip.decompress(arc)


# ---------------------------------------------------------------- writer

def test_writer_small_writes_and_flushes(text_data, random_data):
    data = text_data + random_data
    rng = random.Random(3)
    out = io.BytesIO()
    with mixzip.MixzipWriter(out, 1, block_size=512) as w:
        pos = 0
        while pos < len(data):
            n = rng.randrange(0, 300)
            assert w.write(data[pos:pos + n]) == len(data[pos:pos + n])
            pos += n
            if rng.random() < 0.2:
                w.flush()
                w.flush()          # a second flush adds no empty block
        assert w.bytes_in == len(data)
    assert w.closed and not out.closed
    assert w.bytes_out == len(out.getvalue())
    arc = out.getvalue()
    assert mixzip.decompress(arc) == mixzip.decompress(mixzip.compress(data, 1)) == data
    assert mixzip.info(io.BytesIO(arc)).blocks == w.blocks


def test_flush_makes_everything_so_far_decodable(text_data):
    out = io.BytesIO()
    w = mixzip.MixzipWriter(out, 1)
    w.write(text_data[:1000])
    w.flush()
    r = mixzip.MixzipReader(io.BytesIO(out.getvalue()))
    assert r.read(1000) == text_data[:1000]
    with pytest.raises(CorruptError, match="truncated"):
        r.read(1)                  # no end marker yet
    w.write(text_data[1000:])
    w.close()
    assert mixzip.decompress(out.getvalue()) == text_data


def test_writer_declared_size(text_data):
    out = io.BytesIO()
    w = mixzip.MixzipWriter(out, 1, size=10)
    w.write(b"12345")
    with pytest.raises(MixzipError, match="declared"):
        w.write(b"678901")
    with pytest.raises(MixzipError, match="declared"):
        w.close()
    assert w.closed
    with pytest.raises(CorruptError, match="truncated"):
        mixzip.decompress(out.getvalue())   # no end marker: cannot pass as complete
    out = io.BytesIO()
    with mixzip.MixzipWriter(out, 1, size=len(text_data)) as w:
        w.write(text_data)
    assert mixzip.info(io.BytesIO(out.getvalue())).declared_size == len(text_data)


def test_writer_closefd_and_closed_errors():
    out = io.BytesIO()
    w = mixzip.MixzipWriter(out, 1, closefd=True)
    w.write(b"x")
    w.close()
    w.close()                      # idempotent
    assert out.closed
    with pytest.raises(ValueError):
        w.write(b"y")
    with pytest.raises(ValueError):
        w.flush()


# ---------------------------------------------------------------- reader

def test_reader_methods(text_data):
    arc = mixzip.compress(text_data, 1, block_size=700)
    r = mixzip.MixzipReader(io.BytesIO(arc))
    assert r.readable() and not r.writable() and not r.seekable()
    assert r.peek(1)[:5] == text_data[:5]
    assert r.read(0) == b""
    assert r.read(10) == text_data[:10]
    assert r.read1(5000) == text_data[10:700]       # the rest of the first block only
    buf = bytearray(1500)
    pos = 10 + 690
    assert r.readinto(buf) == 1500 and bytes(buf) == text_data[pos:pos + 1500]
    pos += 1500
    line = r.readline()
    assert line == text_data[pos:text_data.index(b"\n", pos) + 1]
    pos += len(line)
    assert r.readline(3) == text_data[pos:pos + 3]
    pos += 3
    assert r.read() == text_data[pos:]
    assert r.read() == b"" and r.read(5) == b"" and r.readline() == b""
    r.close()
    with pytest.raises(ValueError):
        r.read()


def test_reader_iteration_and_lines(text_data):
    arc = mixzip.compress(text_data, 1, block_size=100)   # lines span blocks
    with mixzip.MixzipReader(io.BytesIO(arc)) as r:
        assert list(r) == text_data.splitlines(keepends=True)
    with mixzip.MixzipReader(io.BytesIO(arc)) as r:
        assert r.readlines() == text_data.splitlines(keepends=True)


def test_reader_bufferedreader_and_concatenation(text_data):
    arc = mixzip.compress(text_data[:100], 1) + mixzip.compress(text_data[100:], 1)
    with io.BufferedReader(mixzip.MixzipReader(io.BytesIO(arc))) as r:
        assert r.read() == text_data


def test_reader_leaves_file_open_unless_closefd():
    arc = mixzip.compress(b"abc", 1)
    f = io.BytesIO(arc)
    with mixzip.MixzipReader(f) as r:
        assert r.read() == b"abc"
    assert not f.closed
    with mixzip.MixzipReader(f, closefd=True):
        pass
    assert f.closed


# ---------------------------------------------------------------- open

def test_open_binary_path(tmp_path, text_data):
    p = tmp_path / "t.mxz"
    with mixzip.open(p, "wb", 1) as f:
        f.write(text_data)
    assert mixzip.decompress(p.read_bytes()) == text_data
    with mixzip.open(str(p)) as f:
        assert f.read() == text_data
    with mixzip.open(p, "r") as f:
        assert isinstance(f, mixzip.MixzipReader)
        assert f.read(5) == text_data[:5]


def test_open_text_modes(tmp_path):
    p = tmp_path / "t.mxz"
    text = "héllo wörld\nsecond line\r\nthird ☃\n" * 20
    with mixzip.open(p, "wt", 1, encoding="utf-8", newline="") as f:
        f.write(text)
    with mixzip.open(p, "rt", encoding="utf-8", newline="") as f:
        assert f.read() == text
    with mixzip.open(p, "rt", encoding="utf-8") as f:
        assert f.readline() == "héllo wörld\n"
        assert f.readline() == "second line\n"      # universal newlines
    assert mixzip.decompress(p.read_bytes()) == text.encode()


def test_open_x_and_append_modes(tmp_path):
    p = tmp_path / "t.mxz"
    with mixzip.open(p, "xb", 1) as f:
        f.write(b"one ")
    with pytest.raises(FileExistsError):
        mixzip.open(p, "x", 1)
    with mixzip.open(p, "ab", 1) as f:
        f.write(b"two ")
    with mixzip.open(p, "at", 1, encoding="ascii") as f:
        f.write("three")
    with mixzip.open(p) as f:
        assert f.read() == b"one two three"
    assert mixzip.info(p).streams == 3


def test_open_file_object(text_data):
    buf = io.BytesIO()
    with mixzip.open(buf, "wb", 1) as f:
        f.write(text_data)
    assert not buf.closed
    buf.seek(0)
    with mixzip.open(buf, "rb") as f:
        assert f.read() == text_data
    assert not buf.closed


@pytest.mark.parametrize("mode", ["", "rw", "rr", "rbt", "q", "wb+", "U"])
def test_open_bad_modes(mode, tmp_path):
    with pytest.raises(ValueError):
        mixzip.open(tmp_path / "x.mxz", mode)


def test_open_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        mixzip.open(tmp_path / "x.mxz", "wb", encoding="utf-8")
    with pytest.raises(TypeError):
        mixzip.open(12.5)
    with pytest.raises(ValueError):        # the file opened for it is closed again
        mixzip.open(tmp_path / "x.mxz", "wb", 42)


# ---------------------------------------------------------------- streams

class ShortReads(io.RawIOBase):
    """A pipe-like source: short reads, not seekable."""

    def __init__(self, data, step=333):
        self._f, self._step = io.BytesIO(data), step

    def readable(self):
        return True

    def readinto(self, b):
        return self._f.readinto(memoryview(b)[:self._step])


def test_compress_and_decompress_stream(text_data, random_data):
    data = text_data + random_data
    src, dst, seen = io.BytesIO(data), io.BytesIO(), []
    n_in, n_out = mixzip.compress_stream(src, dst, 1, size=len(data), block_size=1000,
                                         progress=seen.append)
    arc = dst.getvalue()
    assert (n_in, n_out) == (len(data), len(arc))
    assert seen == sorted(seen) and seen[-1] == len(data) and len(seen) == -(-len(data) // 1000)
    assert mixzip.info(io.BytesIO(arc)).declared_size == len(data)

    out, seen = io.BytesIO(), []
    n_in, n_out = mixzip.decompress_stream(ShortReads(arc + arc), out, progress=seen.append)
    assert out.getvalue() == data + data
    assert (n_in, n_out) == (2 * len(arc), 2 * len(data))
    assert seen == sorted(seen) and seen[-1] <= n_in


def test_compress_stream_from_a_pipe(text_data):
    dst = io.BytesIO()
    assert mixzip.compress_stream(ShortReads(text_data, 77), dst, 1, block_size=500)[0] == len(text_data)
    assert mixzip.decompress(dst.getvalue()) == text_data


def test_compress_stream_error_leaves_no_end_marker(text_data):
    class Failing(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def readable(self):
            return True

        def readinto(self, b):
            self.calls += 1
            if self.calls > 2:
                raise OSError("disk on fire")
            b[:100] = text_data[:100]
            return 100

    dst = io.BytesIO()
    with pytest.raises(OSError, match="disk on fire"):
        mixzip.compress_stream(Failing(), dst, 1, block_size=50)
    # With no size, the first segment's blocks wait until the stream's layout
    # is known (segments.py): here nothing was written, which is no archive either.
    with pytest.raises((CorruptError, FormatError)):
        mixzip.decompress(dst.getvalue())
    dst = io.BytesIO()
    with pytest.raises(OSError, match="disk on fire"):
        mixzip.compress_stream(Failing(), dst, 1, block_size=50, segment_size=64)
    assert dst.getvalue()            # segments were written: still no end marker
    with pytest.raises(CorruptError, match="truncated|missing"):
        mixzip.decompress(dst.getvalue())


def test_compress_stream_size_mismatch(text_data):
    dst = io.BytesIO()
    with pytest.raises(MixzipError):
        mixzip.compress_stream(io.BytesIO(text_data), dst, 1, size=len(text_data) - 1)
    with pytest.raises(MixzipError):
        mixzip.compress_stream(io.BytesIO(text_data), dst, 1, size=len(text_data) + 1)


def test_test_function(tmp_path, text_data):
    p = tmp_path / "a.mxz"
    p.write_bytes(mixzip.compress(text_data, 1))
    assert mixzip.test(p) == mixzip.test(os.fspath(p)) == len(text_data)
    bad = bytearray(p.read_bytes())
    bad[-30] ^= 4
    p.write_bytes(bytes(bad))
    with pytest.raises(CorruptError):
        mixzip.test(p)


# ---------------------------------------------------------------- properties

@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=2000))
def test_property_roundtrip(data):
    assert mixzip.decompress(mixzip.compress(data, 1)) == data


@settings(max_examples=25, deadline=None)
@given(chunks=st.lists(st.tuples(st.binary(max_size=300), st.booleans()), max_size=12),
       block_size=st.sampled_from([1, 7, 64, 256, 4096]))
def test_property_chunked_writes(chunks, block_size):
    out = io.BytesIO()
    with mixzip.MixzipWriter(out, 1, block_size=block_size) as w:
        for chunk, flush in chunks:
            w.write(chunk)
            if flush:
                w.flush()
    data = b"".join(c for c, _ in chunks)
    assert mixzip.decompress(out.getvalue()) == data
    r = mixzip.MixzipReader(io.BytesIO(out.getvalue()))
    assert b"".join(iter(lambda: r.read(97), b"")) == data
