"""Segments and threads: the archive never depends on the thread count,
segments decode independently, and a bad segment is named and contained.

Small inputs, level 1, small segment and block sizes passed explicitly."""
import io
import pathlib
import struct
import zlib

import pytest

import mixzip
from mixzip import CorruptError, MixzipError, corpus
from mixzip.codec import format as fmt
from mixzip.codec import segments

LEVEL = 1
SEG = 8192
BLOCK = 2048
DATA_DIR = pathlib.Path(__file__).with_name("data")


@pytest.fixture(scope="module")
def data() -> bytes:
    sample = b"".join(d for _name, d in corpus.sample())
    return (sample * (1 + 45_000 // len(sample)))[:45_000]   # 6 segments, the last one short


def streams_of(archive: bytes) -> list[tuple[int, int, fmt.StreamHeader, int]]:
    """(start, end, header, data bytes) of every stream/segment, from the framing."""
    src = fmt.Source(io.BytesIO(archive))
    out, start, header = [], 0, None
    for item in fmt.walk(src):
        if isinstance(item, fmt.StreamHeader):
            header, start = item, src.pos - item.nbytes
        elif item.kind == fmt.END:
            out.append((start, src.pos, header, item.size))
        else:
            src.skip(item.payload_size, "payload")
    return out


def first_payload_byte(archive: bytes, start: int, header: fmt.StreamHeader) -> int:
    """Offset of the first payload byte of the first block of the stream at ``start``."""
    return start + header.nbytes + fmt.RECORD_SIZE


def compress(data, threads=1, **kw):
    return mixzip.compress(data, LEVEL, block_size=BLOCK, segment_size=SEG, threads=threads, **kw)


# ------------------------------------------------------------------ same bytes

def test_archive_is_the_same_for_1_2_and_4_threads(data):
    one = compress(data, 1)
    assert compress(data, 2) == one
    assert compress(data, 4) == one
    assert compress(data, 0) == one          # all cores
    assert mixzip.decompress(one) == data


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_streaming_writers_match_for_any_threads_and_write_sizes(data, threads):
    """Unknown size (stdin): any write sizes, any threads, one archive."""
    ref = io.BytesIO()
    with mixzip.MixzipWriter(ref, LEVEL, block_size=BLOCK, segment_size=SEG) as w:
        w.write(data)
    out = io.BytesIO()
    with mixzip.MixzipWriter(out, LEVEL, block_size=BLOCK, segment_size=SEG, threads=threads) as w:
        for i in range(0, len(data), 3001):
            w.write(data[i:i + 3001])
    assert out.getvalue() == ref.getvalue()
    dst = io.BytesIO()
    mixzip.compress_stream(io.BytesIO(data), dst, LEVEL, block_size=BLOCK, segment_size=SEG,
                           threads=threads)
    assert dst.getvalue() == ref.getvalue()
    assert mixzip.decompress(ref.getvalue(), threads=threads) == data


def test_flush_points_fix_the_bytes_not_threads(data):
    archives = []
    for threads in (1, 2):
        out = io.BytesIO()
        w = mixzip.MixzipWriter(out, LEVEL, block_size=BLOCK, segment_size=SEG, threads=threads)
        w.write(data[:5000])
        w.flush()
        flushed = out.getvalue()
        assert mixzip.MixzipReader(io.BytesIO(flushed)).read(5000) == data[:5000]   # decodable now
        w.write(data[5000:30000])
        w.flush()
        w.write(data[30000:])
        w.close()
        archives.append(out.getvalue())
    assert archives[0] == archives[1]
    assert mixzip.decompress(archives[0], threads=2) == data


def test_one_segment_is_the_plain_stream(data):
    """At most one segment: no flag, the layout of archives before segments."""
    small = data[:SEG]
    arc = compress(small, 2)
    assert arc[5] == fmt.FLAG_ORIGINAL_SIZE             # flags byte: no segment flag
    assert arc == mixzip.compress(small, LEVEL, block_size=BLOCK, segment_size=1 << 40)
    out = io.BytesIO()
    with mixzip.MixzipWriter(out, LEVEL, block_size=BLOCK, segment_size=SEG, threads=2) as w:
        w.write(small)
    assert out.getvalue()[5] == 0
    assert segments.default_segment_size(mixzip.DEFAULT_LEVEL) > 1 << 20   # golden inputs stay plain


def test_default_segment_size_halves_a_known_input_within_the_levels_range():
    """Two cores busy on a 32 MiB input, a fresh model only every 32 MiB on a
    large one, never segments smaller than 16 MiB (8 MiB at level 1)."""
    mib = 1 << 20
    size = segments.default_segment_size
    for level in range(2, 11):
        assert size(level) == 32 * mib                              # unknown size (a pipe): the largest
        assert size(level, 1000) == size(level, 32 * mib) == 16 * mib
        assert size(level, 40 * mib + 1) == 21 * mib                 # half, rounded up to whole MiB
        assert size(level, 64 * mib) == size(level, 1 << 40) == 32 * mib
    assert {size(1), size(1, 100), size(1, 40 * mib), size(1, 1 << 40)} == {8 * mib}
    for n in (40 * mib + 1, 64 * mib, 100 * mib):                    # the writer takes it for a known size
        w = mixzip.MixzipWriter(io.BytesIO(), 8, size=n)
        assert w.segment_size == size(8, n)
    assert mixzip.MixzipWriter(io.BytesIO(), 8).segment_size == 32 * mib


def test_segment_headers_and_info(data):
    arc = compress(data)
    parts = streams_of(arc)
    assert [p[2].segment_index for p in parts] == list(range(6))
    assert {p[2].segment_size for p in parts} == {SEG}
    assert [p[3] for p in parts] == [SEG] * 5 + [len(data) - 5 * SEG]
    assert [p[2].original_size for p in parts] == [p[3] for p in parts]   # each declares its size
    inf = mixzip.info(io.BytesIO(arc))
    assert (inf.streams, inf.segments, inf.segment_size, inf.original_size) == (1, 6, SEG, len(data))
    assert inf.declared_size == len(data)
    # without a size (stdin) no segment declares one; the framing is otherwise the same
    dst = io.BytesIO()
    mixzip.compress_stream(io.BytesIO(data), dst, LEVEL, block_size=BLOCK, segment_size=SEG)
    assert all(p[2].original_size is None for p in streams_of(dst.getvalue()))


def test_exactly_full_segments(data):
    """Input a multiple of the segment size: the last segment is full and ends the stream."""
    for n in (SEG, 2 * SEG, 3 * SEG):
        for threads in (1, 2):
            dst = io.BytesIO()
            mixzip.compress_stream(io.BytesIO(data[:n]), dst, LEVEL, block_size=BLOCK,
                                   segment_size=SEG, threads=threads)
            assert len(streams_of(dst.getvalue())) == n // SEG
            assert mixzip.decompress(dst.getvalue(), threads=threads) == data[:n]


# ------------------------------------------------------------------ reading

@pytest.mark.parametrize("threads", [1, 2, 4])
def test_every_reader_decodes_with_threads(data, threads):
    arc = compress(data)
    assert mixzip.decompress(arc, threads=threads) == data
    with mixzip.MixzipReader(io.BytesIO(arc), threads=threads) as r:
        assert r.read(10) == data[:10]
        assert r.read() == data[10:]
    dst = io.BytesIO()
    assert mixzip.decompress_stream(io.BytesIO(arc), dst, threads=threads) == (len(arc), len(data))
    assert dst.getvalue() == data
    assert mixzip.test(io.BytesIO(arc), threads=threads) == len(data)
    with mixzip.open(io.BytesIO(arc), "rb", threads=threads) as f:
        assert f.read() == data


def outcome(raw: bytes, threads: int):
    """What decompressing gives: the data, or the error's class and message."""
    try:
        return mixzip.decompress(raw, threads=threads)
    except mixzip.MixzipError as exc:
        return type(exc), str(exc)


def test_concatenated_and_old_archives_decode_in_parallel(data):
    arc = compress(data[:20000]) + mixzip.compress(data[:3000], LEVEL) + compress(data)
    assert mixzip.decompress(arc, threads=3) == data[:20000] + data[:3000] + data
    assert mixzip.info(io.BytesIO(arc)).streams == 3
    for path in sorted(DATA_DIR.glob("*.mxz")):          # archives written before segments
        raw = path.read_bytes()
        assert outcome(raw, 2) == outcome(raw, 1), path.name    # the hostile_* ones fail alike


def test_long_plain_stream_is_decoded_in_order(data, monkeypatch):
    """A stream without a segment size longer than PLAIN_CAP is not held for a worker."""
    monkeypatch.setattr(segments, "PLAIN_CAP", 4 * BLOCK)
    plain = mixzip.compress(data, LEVEL, block_size=BLOCK, segment_size=1 << 40)
    arc = compress(data[:20000]) + plain + compress(data[:9000])
    assert mixzip.decompress(arc, threads=2) == data[:20000] + data + data[:9000]


def test_reader_reads_at_most_threads_plus_one_segments_ahead(data):
    arc = compress(data)
    ends = [p[1] for p in streams_of(arc)]

    src = io.BytesIO(arc)
    with mixzip.MixzipReader(src, threads=2) as r:
        r.read(1)
        assert src.tell() <= ends[2]          # segments 0, 1 (workers) and 2 (read ahead)
        assert r.read() == data[1:]


def test_writer_keeps_at_most_threads_plus_one_segments(data):
    """No segment read past threads + 1 without one written out."""
    written = []

    class Src(io.BytesIO):
        def read(self, n=-1):
            if self.tell() > 3 * SEG + BLOCK:
                assert written and written[-1] > 0
            return super().read(n)

    class Dst(io.BytesIO):
        def write(self, b):
            n = super().write(b)
            written.append(self.tell())
            return n

    dst = Dst()
    mixzip.compress_stream(Src(data), dst, LEVEL, block_size=BLOCK, segment_size=SEG, threads=2)
    ref = io.BytesIO()
    mixzip.compress_stream(io.BytesIO(data), ref, LEVEL, block_size=BLOCK, segment_size=SEG)
    assert dst.getvalue() == ref.getvalue()
    assert mixzip.decompress(dst.getvalue()) == data


# ------------------------------------------------------------------ integrity

def corrupt_segment(arc: bytes, k: int) -> bytes:
    start, _end, header, _n = streams_of(arc)[k]
    bad = bytearray(arc)
    bad[first_payload_byte(arc, start, header) + 5] ^= 0x55
    return bytes(bad)


@pytest.mark.parametrize("threads", [1, 2])
def test_bad_segment_is_named_and_contained(data, threads):
    arc = compress(data)
    bad = corrupt_segment(arc, 2)
    with pytest.raises(CorruptError, match=r"^segment 2: "):
        mixzip.test(io.BytesIO(bad), threads=threads)
    with pytest.raises(CorruptError, match="segment 2"):
        mixzip.decompress(bad, threads=threads)
    # what comes out before the error is exactly segments 0 and 1
    out = bytearray()
    with pytest.raises(CorruptError, match="segment 2"):
        with mixzip.MixzipReader(io.BytesIO(bad), threads=threads) as r:
            while chunk := r.read1(1 << 20):
                out += chunk
    assert bytes(out) == data[:2 * SEG]
    # two bad segments: -t names both, and only those
    worse = corrupt_segment(bad, 4)
    with pytest.raises(CorruptError, match=r"2 errors: segment 2: .*; segment 4: ") as info:
        mixzip.test(io.BytesIO(worse), threads=threads)
    assert "segment 3" not in str(info.value)


def test_segments_decode_alone(data):
    """Each segment is a stream of its own: cut out, it decodes to its slice."""
    arc = compress(data)
    for start, end, header, n in streams_of(arc):
        k = header.segment_index
        raw = bytearray(arc[start:end])
        raw[-fmt.RECORD_SIZE] = fmt.END                  # make it a lone last segment
        raw[-4:] = struct.pack("<I", zlib.crc32(raw[-fmt.RECORD_SIZE:-4]))
        if k == 0:
            assert mixzip.decompress(bytes(raw)) == data[:n]
        else:
            with pytest.raises(CorruptError, match="without the segments before it"):
                mixzip.decompress(bytes(raw))


@pytest.mark.parametrize("threads", [1, 2])
def test_missing_reordered_and_truncated_segments(data, threads):
    arc = compress(data)
    parts = [arc[s:e] for s, e, _h, _n in streams_of(arc)]
    cases = {
        "missing": parts[0] + parts[1] + parts[3] + parts[4] + parts[5],
        "reordered": parts[0] + parts[2] + parts[1] + parts[3] + parts[4] + parts[5],
        "duplicated": parts[0] + parts[1] + parts[1] + parts[2] + parts[3] + parts[4] + parts[5],
        "cut at a segment": b"".join(parts[:3]),
        "new stream inside": parts[0] + mixzip.compress(b"x", LEVEL) + b"".join(parts[1:]),
        "garbage after a segment": parts[0] + b"garbage",
    }
    for name, bad in cases.items():
        with pytest.raises(CorruptError, match="segment"):
            mixzip.decompress(bad, threads=threads)
        with pytest.raises(CorruptError, match="segment"):
            mixzip.test(io.BytesIO(bad), threads=threads)
        with pytest.raises(MixzipError):
            mixzip.info(io.BytesIO(bad))


def test_segment_framing_rules():
    spec = mixzip.codec.models.spec_for_level(LEVEL).to_bytes()
    hdr = fmt.pack_header(spec, BLOCK, None, (100, 0))
    blk = b"A" * 60
    one = fmt.pack_block(fmt.STORED, 60, 60, zlib.crc32(blk)) + blk
    # a segment that is not the last must be exactly segment_size bytes
    with pytest.raises(CorruptError, match="not its segment size"):
        mixzip.decompress(hdr + one + fmt.pack_end(60, zlib.crc32(blk), more=True))
    # a segment longer than its segment size
    with pytest.raises(CorruptError, match="longer than its segment size"):
        mixzip.decompress(hdr + one + one + fmt.pack_end(120, 0))
    # a segment end in a plain stream
    with pytest.raises(CorruptError, match="not segmented"):
        mixzip.decompress(fmt.pack_header(spec, BLOCK) + one + fmt.pack_end(60, zlib.crc32(blk), True))
    raw = struct.pack("<4sBBIH", fmt.MAGIC, 1, fmt.FLAG_SEGMENT, BLOCK, len(spec)) + spec
    raw += struct.pack("<QQ", 0, 0)                      # segment size 0
    with pytest.raises(mixzip.FormatError, match="segment size"):
        mixzip.decompress(raw + struct.pack("<I", zlib.crc32(raw)) + fmt.pack_end(0, 0))
    # a lone last segment 0 is fine (a flushed small stream)
    assert mixzip.decompress(hdr + one + fmt.pack_end(60, zlib.crc32(blk))) == blk


def test_threads_and_segment_size_are_checked():
    with pytest.raises(ValueError):
        mixzip.compress(b"x", LEVEL, threads=-1)
    with pytest.raises(ValueError):
        mixzip.compress(b"x", LEVEL, segment_size=0)
    with pytest.raises(ValueError):
        mixzip.decompress(mixzip.compress(b"x", LEVEL), threads=-2)
    assert segments.resolve_threads(0) >= 1
    assert segments.worker_memory(mixzip.codec.models.spec_for_level(LEVEL), SEG) > 2 * SEG


def test_abandoned_parallel_writer_leaves_no_end_marker(data):
    out = io.BytesIO()
    w = mixzip.MixzipWriter(out, LEVEL, block_size=BLOCK, segment_size=SEG, threads=2, size=len(data))
    w.write(data[:4 * SEG + 10])
    w._abandon()
    with pytest.raises(CorruptError):
        mixzip.decompress(out.getvalue())


# ------------------------------------------------------------------ CLI

def cli(*args, input=None):
    from click.testing import CliRunner

    from mixzip import cli as cli_module
    return CliRunner().invoke(cli_module.main, [str(a) for a in args], input=input)


def test_cli_threads_segments_test_and_list(data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pathlib.Path("a.bin").write_bytes(data)
    opts = ("-1", "--block-size", BLOCK, "--segment-size", SEG)
    one = cli(*opts, "-T1", "-c", "a.bin")
    assert one.exit_code == 0, one.stderr
    assert one.stdout_bytes == compress(data)
    for t in ("-T2", "-T0"):
        assert cli(*opts, t, "-c", "a.bin").stdout_bytes == one.stdout_bytes
    assert cli(*opts, "-T2", "-c", input=data).stdout_bytes == cli(*opts, "-c", input=data).stdout_bytes
    pathlib.Path("a.bin.mxz").write_bytes(one.stdout_bytes)
    back = cli("-d", "-T2", "-c", "a.bin.mxz")
    assert back.exit_code == 0 and back.stdout_bytes == data
    listing = cli("-l", "a.bin.mxz")
    header, row = listing.stdout.splitlines()
    cols = dict(zip(header.split()[:6], row.split()[:6]))
    assert cols["segments"] == "6" and "MiB" in row
    pathlib.Path("a.bin.mxz").write_bytes(corrupt_segment(one.stdout_bytes, 3))
    for t in ("-T1", "-T2"):
        bad = cli("-t", t, "a.bin.mxz")
        assert bad.exit_code == 1 and "segment 3" in bad.stderr and "segment 2" not in bad.stderr
    assert "--segment-size" in cli("--help").stdout and "MiB/thread" in cli("--help").stdout
