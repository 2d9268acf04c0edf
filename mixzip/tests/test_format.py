"""The .mxz container: layout, info, and every kind of bad input.

Bad input must always raise a MixzipError subclass (FormatError or
CorruptError, UnsupportedModelError for unknown models) - never another
exception, and never return wrong data.
"""
import io
import pathlib
import random
import struct
import zlib

import pytest

import mixzip
from mixzip import CorruptError, FormatError, MixzipError, UnsupportedModelError
from mixzip.codec import format as fmt
from mixzip.predictors.recipes import ModelSpec, fit_to_size, spec_for_level

SPEC = spec_for_level(1)


def small_archive() -> tuple[bytes, bytes]:
    """(data, archive): a coded block, a stored block, a short last block."""
    data = b"abcabcabcabc hello hello hello!!" + bytes(range(0, 256, 9))[:32] + b"tail"
    return data, mixzip.compress(data, 1, block_size=32)


def header_len(archive: bytes) -> int:
    src = fmt.Source(io.BytesIO(archive))
    assert fmt.read_magic(src, True)
    return fmt.read_header(src).nbytes


def raw_header(spec_raw=SPEC.to_bytes(), block_size=4096, version=1, flags=0, size=None) -> bytes:
    """A header built by hand, with a correct CRC, whatever the field values."""
    raw = struct.pack("<4sBBIH", fmt.MAGIC, version, flags, block_size, len(spec_raw)) + spec_raw
    if size is not None:
        raw += struct.pack("<Q", size)
    return raw + struct.pack("<I", zlib.crc32(raw))


def block(kind: int, data: bytes, payload: bytes | None = None, size: int | None = None) -> bytes:
    payload = data if payload is None else payload
    size = len(data) if size is None else size
    return fmt.pack_block(kind, size, len(payload), zlib.crc32(data)) + payload


def decode_outcome(archive: bytes):
    """'ok' + data, or the MixzipError raised; anything else propagates and fails the test."""
    try:
        return "ok", mixzip.decompress(archive)
    except MixzipError as exc:
        return "error", exc


# ---------------------------------------------------------------- layout

def test_header_layout():
    arc = mixzip.compress(b"", 1, block_size=4096)
    spec = fit_to_size(SPEC, 0).to_bytes()          # a known size: the tables are sized to it
    assert spec != SPEC.to_bytes()
    assert arc[:4] == b"\xb5MXZ"
    assert arc[4] == 1                      # version
    assert arc[5] == 1                      # flags: original size present
    assert struct.unpack_from("<I", arc, 6)[0] == 4096
    assert struct.unpack_from("<H", arc, 10)[0] == len(spec)
    assert arc[12:12 + len(spec)] == spec
    end = 12 + len(spec)
    assert struct.unpack_from("<Q", arc, end)[0] == 0     # original size
    (crc,) = struct.unpack_from("<I", arc, end + 8)
    assert crc == zlib.crc32(arc[:end + 8])
    assert header_len(arc) == end + 12
    # end marker: type 0, total 0, stream CRC 0, record CRC
    assert arc[end + 12:] == fmt.pack_end(0, 0)
    assert len(fmt.pack_end(0, 0)) == fmt.RECORD_SIZE == 17


def test_block_records():
    data = b"x" * 100 + random.Random(0).randbytes(50)
    arc = mixzip.compress(data, 1, block_size=100)
    pos = header_len(arc)
    kinds = []
    for expect in (data[:100], data[100:]):
        kind, size, psize, dcrc, rcrc = struct.unpack_from("<BIIII", arc, pos)
        assert rcrc == zlib.crc32(arc[pos:pos + 13])
        assert (size, dcrc) == (len(expect), zlib.crc32(expect))
        kinds.append(kind)
        pos += 17 + psize
    assert kinds == [fmt.CODED, fmt.STORED]      # runs shrink, random bytes are stored
    assert arc[pos:] == fmt.pack_end(len(data), zlib.crc32(data))


def test_no_size_flag_when_size_unknown():
    out = io.BytesIO()
    with mixzip.MixzipWriter(out, 1) as w:
        w.write(b"abc")
    arc = out.getvalue()
    assert arc[5] == 0
    assert mixzip.decompress(arc) == b"abc"
    assert mixzip.info(io.BytesIO(arc)).declared_size is None


# ---------------------------------------------------------------- info

def test_info_fields(text_data, tmp_path):
    arc = mixzip.compress(text_data, 1, block_size=1000)
    path = tmp_path / "a.mxz"
    path.write_bytes(arc)
    inf = mixzip.info(path)
    assert inf == mixzip.info(str(path)) == mixzip.info(io.BytesIO(arc))
    assert inf.compressed_size == len(arc)
    assert inf.original_size == inf.declared_size == len(text_data)
    spec = fit_to_size(SPEC, len(text_data))
    assert inf.header_size == 12 + len(spec.to_bytes()) + 8 + 4    # the header's bytes, not the data's
    assert inf.blocks == -(-len(text_data) // 1000)
    assert inf.block_size == 1000
    assert inf.spec == spec
    assert inf.streams == 1


def test_info_non_seekable_and_concatenated(text_data):
    a = mixzip.compress(text_data, 1, block_size=1000)
    b = mixzip.compress(b"xyz", 2)

    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._f = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buf):
            return self._f.readinto(memoryview(buf)[:7])   # short reads, no seek

    inf = mixzip.info(io.BufferedReader(Pipe(a + b)))
    assert inf.streams == 2
    assert inf.compressed_size == len(a + b)
    assert inf.original_size == inf.declared_size == len(text_data) + 3
    spec = fit_to_size(SPEC, len(text_data))
    assert inf.header_size == 2 * 24 + len(spec.to_bytes()) + len(inf.specs[1].to_bytes())
    assert [sp.level for sp in inf.specs] == [1, 2]
    assert inf.blocks == 4
    assert inf.spec == spec and inf.block_size == 1000


def test_info_does_not_decode_or_need_plugins():
    spec = ModelSpec("cm", 1, dict(SPEC.params), (("nonexistent", "1"),), 1)
    arc = raw_header(spec.to_bytes()) + fmt.pack_end(0, 0)
    assert mixzip.info(io.BytesIO(arc)).spec.plugins == (("nonexistent", "1"),)
    # a damaged payload is not info's business (test() finds it)
    data, good = small_archive()
    bad = bytearray(good)
    bad[header_len(good) + 17] ^= 1
    assert mixzip.info(io.BytesIO(bytes(bad))).original_size == len(data)
    with pytest.raises(CorruptError, match="checksum|corrupt block"):
        mixzip.test(io.BytesIO(bytes(bad)))


def test_info_checks_framing():
    data, arc = small_archive()
    for cut in (len(arc) - 1, len(arc) - 17, header_len(arc) + 20):
        with pytest.raises(CorruptError, match="truncated"):
            mixzip.info(io.BytesIO(arc[:cut]))
    with pytest.raises(CorruptError, match="trailing garbage"):
        mixzip.info(io.BytesIO(arc + b"junk"))
    with pytest.raises(FormatError, match="not a mixzip archive"):
        mixzip.info(io.BytesIO(b""))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("junk", [b"", b"hello world", b"\x1f\x8b\x08\x00" + bytes(20), b"MXZ\xb5"])
def test_not_an_archive(junk):
    with pytest.raises(FormatError, match="not a mixzip archive"):
        mixzip.decompress(junk)


def test_wrong_version():
    arc = bytearray(mixzip.compress(b"abc", 1))
    arc[4] = 7
    with pytest.raises(FormatError, match="version 7"):
        mixzip.decompress(bytes(arc))
    with pytest.raises(FormatError, match="version 7"):
        mixzip.decompress(raw_header(version=7) + fmt.pack_end(0, 0))


@pytest.mark.parametrize("flags", [0x04, 0x80, 0xFF])
def test_unknown_flags(flags):
    with pytest.raises(FormatError, match="flags"):
        mixzip.decompress(raw_header(flags=flags) + fmt.pack_end(0, 0))


@pytest.mark.parametrize("block_size", [0, fmt.MAX_BLOCK_SIZE + 1, 0xFFFFFFFF])
def test_bad_block_size(block_size):
    with pytest.raises(FormatError, match="block size"):
        mixzip.decompress(raw_header(block_size=block_size) + fmt.pack_end(0, 0))


def test_header_checksum():
    arc = bytearray(mixzip.compress(b"abc", 1))
    arc[20] ^= 0x10                   # inside the spec
    with pytest.raises(CorruptError, match="header checksum"):
        mixzip.decompress(bytes(arc))


@pytest.mark.parametrize("spec_raw", [b"", b"{", b"[]", b'{"recipe":"cm"}', b"\xff\xfe"])
def test_bad_spec_raw(spec_raw):
    with pytest.raises(FormatError, match="model spec"):
        mixzip.decompress(raw_header(spec_raw) + fmt.pack_end(0, 0))


def test_unknown_recipe():
    spec = ModelSpec("nosuchrecipe", 1, {}, (), None)
    with pytest.raises(UnsupportedModelError, match="nosuchrecipe"):
        mixzip.decompress(raw_header(spec.to_bytes()) + fmt.pack_end(0, 0))


def test_unknown_recipe_version():
    spec = ModelSpec("cm", 99, dict(SPEC.params), (), 1)
    with pytest.raises(UnsupportedModelError, match="version 99"):
        mixzip.decompress(raw_header(spec.to_bytes()) + fmt.pack_end(0, 0))


def test_unknown_plugin():
    spec = ModelSpec("cm", 1, dict(SPEC.params), (("nonexistent", "1"),), 1)
    arc = raw_header(spec.to_bytes()) + fmt.pack_end(0, 0)
    with pytest.raises(UnsupportedModelError, match="nonexistent"):
        mixzip.decompress(arc)
    with pytest.raises(UnsupportedModelError, match="nonexistent"):
        mixzip.test(io.BytesIO(arc))


def test_bad_model_params_are_not_a_crash():
    spec = ModelSpec("cm", 1, {"no_such_param": 1}, (), 1)
    with pytest.raises(MixzipError):
        mixzip.decompress(raw_header(spec.to_bytes()) + fmt.pack_end(0, 0))


def test_record_rules():
    h = raw_header(block_size=8)
    data = b"abcdefgh"
    cases = {
        "unknown block type": block(7, data),
        "bad block size 9": block(fmt.STORED, data + b"x"),
        "bad block size 0": block(fmt.STORED, b""),
        "stored block payload": block(fmt.STORED, data, payload=data[:7]),
        "bad coded payload size": block(fmt.CODED, data, payload=data),
        "stream size mismatch": block(fmt.STORED, data)[:0],
    }
    for message, blocks in cases.items():
        end = fmt.pack_end(8, zlib.crc32(data))
        with pytest.raises(CorruptError, match=message):
            mixzip.decompress(h + blocks + end)
    # a correct hand-built archive decodes, so the cases above fail for their stated reason
    assert mixzip.decompress(h + block(fmt.STORED, data) + fmt.pack_end(8, zlib.crc32(data))) == data


def test_checksums_and_sizes_at_the_end():
    h = raw_header(block_size=8)
    data = b"abcdefgh"
    body = h + block(fmt.STORED, data)
    with pytest.raises(CorruptError, match="stream size mismatch"):
        mixzip.decompress(body + fmt.pack_end(9, zlib.crc32(data)))
    with pytest.raises(CorruptError, match="stream checksum"):
        mixzip.decompress(body + fmt.pack_end(8, zlib.crc32(data) ^ 1))
    with pytest.raises(CorruptError, match="data checksum"):
        mixzip.decompress(h + fmt.pack_block(fmt.STORED, 8, 8, 1234) + data + fmt.pack_end(8, 0))
    # the original size in the header is checked too, both ways
    for declared in (7, 9):
        arc = raw_header(block_size=8, flags=1, size=declared) + block(fmt.STORED, data)
        with pytest.raises(CorruptError, match="declares|header says"):
            mixzip.decompress(arc + fmt.pack_end(8, zlib.crc32(data)))


def test_garbage_payloads_raise_corrupt_error():
    rng = random.Random(7)
    h = raw_header(block_size=4096)
    for _ in range(20):
        n = rng.randrange(2, 4096)
        payload = rng.randbytes(rng.randrange(1, n))
        data = rng.randbytes(n)        # the garbage will not decode to these
        arc = h + block(fmt.CODED, data, payload=payload) + fmt.pack_end(n, zlib.crc32(data))
        with pytest.raises(CorruptError):
            mixzip.decompress(arc)


def test_every_truncation_is_an_error():
    data, arc = small_archive()
    assert mixzip.decompress(arc) == data
    for cut in range(len(arc)):
        kind, result = decode_outcome(arc[:cut])
        assert kind == "error", f"prefix of {cut} bytes decoded"
        assert isinstance(result, (CorruptError, FormatError)), (cut, result)
        if cut > 0:
            assert isinstance(result, CorruptError) and "truncated" in str(result), (cut, result)


def coded_payloads(archive: bytes) -> set[int]:
    """Offsets of the bytes of coded block payloads in a one-stream archive."""
    pos, found = header_len(archive), set()
    while archive[pos] != fmt.END:
        kind, _, payload_size = struct.unpack_from("<BII", archive, pos)
        if kind == fmt.CODED:
            found.update(range(pos + 17, pos + 17 + payload_size))
        pos += 17 + payload_size
    return found


def test_every_bit_flip_is_caught():
    data, arc = small_archive()
    coded = coded_payloads(arc)
    assert coded
    for i in range(len(arc)):
        for bit in range(8):
            bad = bytearray(arc)
            bad[i] ^= 1 << bit
            kind, result = decode_outcome(bytes(bad))
            if kind == "ok":
                # Only harmless: the low bits of a coded payload's last byte
                # can lie anywhere in the coder's final interval.
                assert result == data, f"flip of byte {i} bit {bit} returned wrong data"
                assert i in coded, f"flip of byte {i} bit {bit} (not coded payload) went unnoticed"


def test_trailing_garbage():
    arc = mixzip.compress(b"hello", 1)
    for junk in (b"x", b"\x00" * 16, b"\xb5MXY", arc[:4][::-1]):
        with pytest.raises(CorruptError, match="trailing garbage"):
            mixzip.decompress(arc + junk)
    for partial_magic in (b"\xb5", b"\xb5MX"):
        with pytest.raises(CorruptError, match="truncated"):
            mixzip.decompress(arc + partial_magic)
    with pytest.raises(CorruptError, match="truncated"):
        mixzip.decompress(arc + arc[:30])


def test_reader_errors_are_sticky():
    data, arc = small_archive()
    r = mixzip.MixzipReader(io.BytesIO(arc[:-3]))
    with pytest.raises(CorruptError):
        r.read()
    with pytest.raises(CorruptError):
        r.read(1)


def test_info_and_test_accept_bytes(text_data):
    """info(bytes) describes the archive (it used to take bytes for a path: 'embedded null byte')."""
    arc = mixzip.compress(text_data, 1)
    for form in (arc, bytearray(arc), memoryview(arc)):
        inf = mixzip.info(form)
        assert inf.original_size == len(text_data) and inf.compressed_size == len(arc)
    assert mixzip.test(arc) == len(text_data)
    with pytest.raises(FormatError):
        mixzip.info(b"not an archive")


# ---------------------------------------------------------------- hostile archives (fixtures)
HOSTILE = pathlib.Path(__file__).with_name("data")


@pytest.mark.parametrize("name", ["hostile_L1_64M.mxz", "hostile_L8_64M.mxz", "hostile_L10_64M.mxz"])
def test_a_tiny_archive_declaring_a_huge_block_stops_at_its_payload(name, monkeypatch):
    """A ~200-byte archive whose one block declares 64 MiB of data behind a
    48-byte payload: the decoder notices it has run past the payload after
    its first run call (64 KiB, or 4 KiB with a neural model) and stops
    with CorruptError, instead of decoding 64 MiB of garbage (minutes, or
    hours with a large network)."""
    from mixzip.predictors.model import Model

    calls = []
    run = Model.run
    monkeypatch.setattr(Model, "run", lambda self, *a: calls.append(a[3] - a[2]) or run(self, *a))
    raw = (HOSTILE / name).read_bytes()
    with pytest.raises(CorruptError, match="payload"):
        mixzip.decompress(raw)
    assert len(calls) == 1 and calls[0] <= 1 << 16
    with pytest.raises(CorruptError):
        mixzip.test(io.BytesIO(raw))


@pytest.mark.parametrize("name, what", [("hostile_gru1024.mxz", "gru_hidden"), ("hostile_mb28.mxz", "match_bits")])
def test_a_header_asking_for_a_model_no_level_writes_is_refused(name, what):
    """Parameters are bounded by what a level writes (or a tested bound): a
    1024-cell GRU with a 256-wide attention model (hours for 64 MiB), or a
    28-bit match history (768 MB), is refused before anything is allocated."""
    with pytest.raises(UnsupportedModelError, match=what):
        mixzip.decompress((HOSTILE / name).read_bytes())


def test_kernel_runs_are_short_so_ctrl_c_acts_quickly(monkeypatch):
    """Python sees a signal only between kernel calls: the engine codes at
    most 64 KiB per call (4 KiB with the neural models), a fraction of a
    second at any level."""
    from mixzip.codec.engine import Engine
    from mixzip.predictors.model import Model
    from mixzip.predictors.recipes import spec_for_level, with_params

    sizes = []
    run = Model.run
    monkeypatch.setattr(Model, "run", lambda self, *a: sizes.append(a[3] - a[2]) or run(self, *a))
    data = bytes(range(256)) * 1024
    Engine(spec_for_level(1)).encode_block(data)
    assert max(sizes) == 1 << 16 and len(sizes) == 4
    sizes.clear()
    small_gru = with_params(spec_for_level(10), ht_bits=12, match_bits=12, gru_hidden=8, gru_embed=8, gru_prior=None)
    Engine(small_gru).encode_block(data[:20000])
    assert max(sizes) == 1 << 12
