"""API shaped like zlib/lzma/python-zstandard: compressobj/decompressobj,
limits (max_output_size, memory_limit), open(compresslevel=), .tar.mxz for shutil."""
from __future__ import annotations

import io
import shutil

import pytest

import mixzip
from mixzip import CorruptError, FormatError, LimitError, MixzipError
from mixzip.predictors.recipes import spec_for_level, spec_memory

TEXT = b"incremental objects: one block at a time, as zlib and lzma users expect.\n" * 60


# ---------------------------------------------------------------- compressobj

def test_compressobj_pieces_make_one_stream():
    c = mixzip.compressobj(1, block_size=1000)
    parts = [c.compress(TEXT[i:i + 777]) for i in range(0, len(TEXT), 777)]
    # size unknown: the coded blocks are held until the first segment is full
    # (its header says whether another follows) or flush() - as zstd's
    # compressobj, output may lag input
    assert not any(parts)
    arc = b"".join(parts) + c.flush()
    assert arc.startswith(b"\xb5MXZ")
    assert mixzip.decompress(arc) == TEXT
    assert mixzip.info(arc).blocks == -(-len(TEXT) // 1000)
    with pytest.raises(ValueError, match="finished"):
        c.compress(b"more")


def test_compressobj_flush_block_makes_everything_so_far_decodable():
    c = mixzip.compressobj(1)
    head = c.compress(TEXT[:500]) + c.flush(mixzip.FLUSH_BLOCK)
    d = mixzip.decompressobj()
    assert d.decompress(head) == TEXT[:500] and not d.eof and d.needs_input
    tail = c.compress(TEXT[500:]) + c.flush()
    assert d.decompress(tail) == TEXT[500:] and d.eof
    with pytest.raises(ValueError):
        mixzip.compressobj(1).flush(7)


def test_compressobj_same_bytes_as_compress():
    c = mixzip.compressobj(1, size=len(TEXT))
    assert c.compress(TEXT) + c.flush() == mixzip.compress(TEXT, 1)


# ---------------------------------------------------------------- decompressobj

def test_decompressobj_byte_by_byte_and_unused_data():
    arc = mixzip.compress(TEXT, 1, block_size=1000)
    d = mixzip.decompressobj()
    out = b"".join(d.decompress(arc[i:i + 1]) for i in range(len(arc)))
    assert out == TEXT and d.eof and d.unused_data == b""
    d = mixzip.decompressobj()
    assert d.decompress(arc + arc[:10]) == TEXT
    assert d.eof and d.unused_data == arc[:10]        # a second stream: a new decompressor
    with pytest.raises(EOFError):
        d.decompress(b"x")


def test_decompressobj_reads_a_stream_of_several_segments():
    arc = mixzip.compress(TEXT, 1, block_size=1000, segment_size=1500)
    assert mixzip.info(arc).segments == -(-len(TEXT) // 1500)
    d = mixzip.decompressobj()
    out = b"".join(d.decompress(arc[i:i + 7]) for i in range(0, len(arc), 7))
    assert out == TEXT and d.eof and d.unused_data == b""


def test_decompressobj_max_length():
    arc = mixzip.compress(TEXT, 1, block_size=1000)
    d = mixzip.decompressobj()
    out = d.decompress(arc, max_length=100)
    assert out == TEXT[:100] and not d.needs_input and not d.eof
    while not d.eof:
        chunk = d.decompress(b"", max_length=333)
        assert len(chunk) <= 333
        out += chunk
    assert out == TEXT and d.needs_input is False


def test_decompressobj_truncated_and_bad_input():
    arc = mixzip.compress(TEXT, 1)
    d = mixzip.decompressobj()
    d.decompress(arc[:-5])
    assert not d.eof and d.needs_input                 # cut short: eof stays False
    with pytest.raises(FormatError):
        mixzip.decompressobj().decompress(b"PK\x03\x04 a zip file")
    bad = bytearray(arc)
    bad[len(bad) // 2] ^= 1
    d = mixzip.decompressobj()
    with pytest.raises(CorruptError):
        d.decompress(bytes(bad))
    with pytest.raises(CorruptError):                  # and again: the object is spent
        d.decompress(b"")


# ---------------------------------------------------------------- limits

def test_max_output_size():
    arc = mixzip.compress(TEXT, 1, block_size=1000)
    assert mixzip.decompress(arc, max_output_size=len(TEXT)) == TEXT
    with pytest.raises(LimitError, match="declares"):          # from the header, before decoding
        mixzip.decompress(arc, max_output_size=len(TEXT) - 1)
    w_out = io.BytesIO()
    with mixzip.MixzipWriter(w_out, 1, block_size=1000) as w:   # no size in the header
        w.write(TEXT)
    with pytest.raises(LimitError, match="max_output_size"):
        mixzip.decompress(w_out.getvalue(), max_output_size=2500)
    d = mixzip.decompressobj(max_output_size=2500)
    with pytest.raises(LimitError):
        d.decompress(w_out.getvalue())
    assert issubclass(LimitError, MixzipError)


def test_memory_limit_refuses_before_building_the_model(monkeypatch):
    arc = mixzip.compress(TEXT, 1)
    spec = mixzip.info(arc).spec                  # sized to the input (less than level 1's full tables)
    need = spec_memory(spec)
    assert mixzip.model_memory(spec) == need < spec_memory(spec_for_level(1))
    assert mixzip.decompress(arc, memory_limit=need) == TEXT

    def no_engine(spec):
        raise AssertionError("the model must not be built over the limit")

    from mixzip.codec import segments
    monkeypatch.setattr(segments, "Engine", no_engine)
    for call in (lambda: mixzip.decompress(arc, memory_limit=need - 1),
                 lambda: mixzip.test(arc, memory_limit=need - 1),
                 lambda: mixzip.open(io.BytesIO(arc), memory_limit=need - 1).read(),
                 lambda: mixzip.MixzipReader(io.BytesIO(arc), memory_limit=need - 1).read(),
                 lambda: mixzip.decompress_stream(io.BytesIO(arc), io.BytesIO(), memory_limit=need - 1),
                 lambda: mixzip.decompressobj(memory_limit=need - 1).decompress(arc)):
        with pytest.raises(LimitError, match="MiB"):
            call()
    with pytest.raises(ValueError):
        mixzip.decompress(arc, memory_limit=-1)


# ---------------------------------------------------------------- open(), shutil

def test_open_accepts_gzip_compresslevel(tmp_path):
    p = tmp_path / "a.mxz"
    with mixzip.open(p, "wb", compresslevel=2) as f:
        f.write(TEXT)
    assert mixzip.info(p).spec.level == 2
    with mixzip.open(p, "wb", 2, compresslevel=2) as f:
        f.write(TEXT)
    with pytest.raises(TypeError):
        mixzip.open(p, "wb", 3, compresslevel=2)
    with mixzip.open(p, "rb", memory_limit=1 << 40) as f:
        assert f.read() == TEXT


@pytest.fixture
def shutil_formats():
    yield
    shutil.unregister_archive_format("mxztar")
    shutil.unregister_unpack_format("mxztar")


def test_shutil_tar_mxz(tmp_path, shutil_formats):
    src = tmp_path / "project"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(TEXT)
    (src / "sub" / "b.bin").write_bytes(bytes(range(256)) * 4)
    mixzip.register_shutil_formats(level=1)
    assert "mxztar" in dict(shutil.get_archive_formats())
    archive = shutil.make_archive(str(tmp_path / "out" / "backup"), "mxztar", root_dir=src)
    assert archive.endswith("backup.tar.mxz") and mixzip.info(archive).spec.level == 1
    mixzip.register_shutil_formats(level=1)                 # again: replaced, no RegistryError
    shutil.unpack_archive(archive, tmp_path / "restored")    # found by its extension
    assert (tmp_path / "restored" / "a.txt").read_bytes() == TEXT
    assert (tmp_path / "restored" / "sub" / "b.bin").read_bytes() == bytes(range(256)) * 4
    with pytest.raises(ValueError):
        mixzip.register_shutil_formats(level=99)
