"""The .mxz container format: byte layout, packing, validating parser, ``info``.

An archive is one or more *streams* back to back (like gzip/zstd members).
All integers are little-endian; CRC32 is ``zlib.crc32`` (the gzip/PNG CRC).
docs/FORMAT.md is the full spec; in short:

    stream   = header block* end                   (one segment)
             | segment(more) segment(more)* segment(last)
    segment  = header(flags&2, index i) block* end (type 3 = more, 0 = last)
    header   = "\\xb5MXZ" version:u8=1 flags:u8 block_size:u32
               spec_len:u16 spec[spec_len] [original_size:u64 if flags&1]
               [segment_size:u64 segment_index:u64 if flags&2]
               header_crc:u32                  (CRC32 of all header bytes before it)
    block    = type:u8 (1 coded, 2 stored) size:u32 payload_size:u32
               data_crc:u32 record_crc:u32 payload[payload_size]
    end      = type:u8 (0 end, 3 segment end, more follow) total_size:u64
               stream_crc:u32 record_crc:u32

A stream of more than one *segment* is cut every ``segment_size`` bytes;
each segment is a stream of its own (fresh model, own checksums) whose
header carries the segment size and its index, and whose end record says
whether the next segment follows.  A stream of one segment is written
without the flag, exactly as before segments existed.

Block and end records are both 17 bytes: 13 bytes of fields, then the CRC32 of
those 13 bytes, so a damaged record is caught before any of its lengths is
trusted.  Every length is bounded before anything is read or allocated:
``size <= block_size <= 64 MiB`` and ``payload_size <= size``.

This module knows nothing about models or coding: it stores the model
spec's bytes and has the registered provider parse them (models.py).  It
offers:

    pack_header(spec_raw, block_size, original_size=None, segment=None) -> bytes
    pack_block(kind, size, payload_size, data_crc) -> bytes
    pack_end(total_size, stream_crc, more=False) -> bytes
    walk(Source(fileobj)) -> iterator of StreamHeader and Record, checked
        against each other (caller reads or skips each block's payload and
        checks the data CRCs; see ``walk``)
    info(path, file object or bytes) -> ArchiveInfo   (no decoding; skips payloads)

Errors: FormatError (not an archive, unknown version/flags, bad spec),
CorruptError (checksums, truncation, impossible lengths, trailing garbage).
"""
from __future__ import annotations

import builtins
import contextlib
import io
import os
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Union

from mixzip.codec.errors import CorruptError, FormatError
from mixzip.codec import models

MAGIC = b"\xb5MXZ"
VERSION = 1
FLAG_ORIGINAL_SIZE = 0x01
FLAG_SEGMENT = 0x02          # one segment of a stream cut into segments
KNOWN_FLAGS = FLAG_ORIGINAL_SIZE | FLAG_SEGMENT
MAX_SEGMENT_SIZE = 1 << 48

DEFAULT_BLOCK_SIZE = 1 << 20
MAX_BLOCK_SIZE = 64 << 20
MAX_SPEC_SIZE = 0xFFFF

# record types (SEGMENT_END: the end of a segment that another one follows)
END, CODED, STORED, SEGMENT_END = 0, 1, 2, 3

_FIXED = struct.Struct("<4sBBIH")   # magic, version, flags, block_size, spec_len: 12 bytes
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_BLOCK = struct.Struct("<BIII")     # type, size, payload_size, data_crc: 13 bytes
_END = struct.Struct("<BQI")        # type 0, total_size, stream_crc: 13 bytes
RECORD_FIELDS = 13
RECORD_SIZE = RECORD_FIELDS + 4

_SKIP_CHUNK = 1 << 20

PathLike = Union[str, os.PathLike]
BytesLike = Union[bytes, bytearray, memoryview]


# ---------------------------------------------------------------- writing

def check_block_size(block_size: int) -> int:
    """Validate a block size given by a caller (ValueError if out of range)."""
    if not isinstance(block_size, int) or not 1 <= block_size <= MAX_BLOCK_SIZE:
        raise ValueError(f"block_size must be an int in 1..{MAX_BLOCK_SIZE}, got {block_size!r}")
    return block_size


def check_segment_size(segment_size: int) -> int:
    """Validate a segment size given by a caller (ValueError if out of range)."""
    if not isinstance(segment_size, int) or not 1 <= segment_size <= MAX_SEGMENT_SIZE:
        raise ValueError(f"segment_size must be an int in 1..{MAX_SEGMENT_SIZE}, got {segment_size!r}")
    return segment_size


def pack_header(spec_raw: bytes, block_size: int, original_size: int | None = None,
                segment: tuple[int, int] | None = None) -> bytes:
    """The stream header for a model spec (``ModelSpec.to_bytes()``).

    ``segment`` is (segment_size, index) for one segment of a stream of
    several; None for a stream of one segment (no flag, the old layout).
    """
    check_block_size(block_size)
    if len(spec_raw) > MAX_SPEC_SIZE:
        raise ValueError(f"model spec too long for the header ({len(spec_raw)} bytes)")
    flags = (0 if original_size is None else FLAG_ORIGINAL_SIZE) | (0 if segment is None else FLAG_SEGMENT)
    raw = _FIXED.pack(MAGIC, VERSION, flags, block_size, len(spec_raw)) + spec_raw
    if original_size is not None:
        raw += _U64.pack(original_size)
    if segment is not None:
        check_segment_size(segment[0])
        raw += _U64.pack(segment[0]) + _U64.pack(segment[1])
    return raw + _U32.pack(zlib.crc32(raw))


def pack_block(kind: int, size: int, payload_size: int, data_crc: int) -> bytes:
    """The 17-byte record in front of a block's payload."""
    fields = _BLOCK.pack(kind, size, payload_size, data_crc)
    return fields + _U32.pack(zlib.crc32(fields))


def pack_end(total_size: int, stream_crc: int, more: bool = False) -> bytes:
    """The 17-byte end record of a stream or segment (``more``: another segment follows)."""
    fields = _END.pack(SEGMENT_END if more else END, total_size, stream_crc)
    return fields + _U32.pack(zlib.crc32(fields))


# ---------------------------------------------------------------- reading

class Source:
    """A binary file object read exactly, with a count of the bytes consumed.

    ``read_exact`` raises CorruptError("truncated <what>") when the input ends
    early; it never reads more than asked, so what follows an archive stays
    in the file object.
    """

    def __init__(self, fileobj: BinaryIO):
        self.f = fileobj
        self.pos = 0            # bytes consumed through this Source
        self._seekable: bool | None = None

    def read_upto(self, n: int) -> bytes:
        """Up to n bytes; fewer only at end of input."""
        parts: list[bytes] = []
        got = 0
        while got < n:
            chunk = self.f.read(n - got)
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        self.pos += got
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def read_exact(self, n: int, what: str) -> bytes:
        data = self.read_upto(n)
        if len(data) < n:
            raise CorruptError(f"truncated {what}")
        return data

    def skip(self, n: int, what: str) -> None:
        """Move past n bytes without keeping them (seeks when it can)."""
        if self._seekable is None:
            try:
                self._seekable = bool(self.f.seekable())
            except (AttributeError, OSError, ValueError):
                self._seekable = False
        if self._seekable:
            here = self.f.tell()
            end = self.f.seek(0, io.SEEK_END)
            if end - here < n:
                self.pos += end - here
                raise CorruptError(f"truncated {what}")
            self.f.seek(here + n)
            self.pos += n
            return
        while n > 0:
            self.read_exact(min(n, _SKIP_CHUNK), what)
            n -= min(n, _SKIP_CHUNK)


@dataclass(frozen=True)
class StreamHeader:
    spec: object                # the provider's parsed spec (models.py)
    block_size: int
    original_size: int | None   # declared in the header (flags bit 0), else None
    nbytes: int                 # length of the encoded header
    segment_size: int | None = None    # flags bit 1: this stream is one segment ...
    segment_index: int | None = None   # ... of a stream cut every segment_size bytes


@dataclass(frozen=True)
class Record:
    kind: int           # END, CODED or STORED (a SEGMENT_END record reads as END, more=True)
    size: int           # uncompressed bytes: of the block, or (END) of the whole stream/segment
    payload_size: int   # bytes of payload after the record (0 for END)
    crc: int            # CRC32 of the block's data, or (END) of the whole stream/segment
    more: bool = False  # END only: the next segment of the same stream follows


def read_magic(src: Source, first: bool) -> bool:
    """Consume the magic of the next stream.

    Returns True if a stream starts here, False at a clean end of input after
    at least one stream.  Raises FormatError if the input (``first``) is not
    an archive, CorruptError for garbage after a complete stream.
    """
    head = src.read_upto(len(MAGIC))
    if head == MAGIC:
        return True
    if head and len(head) < len(MAGIC) and MAGIC.startswith(head):
        raise CorruptError("truncated stream header")
    if first:
        raise FormatError("not a mixzip archive")
    if not head:
        return False
    raise CorruptError("trailing garbage after end of stream")


def read_header(src: Source) -> StreamHeader:
    """Parse a stream header whose magic ``read_magic`` has just consumed."""
    what = "stream header"
    version, flags = src.read_exact(2, what)
    if version != VERSION:
        raise FormatError(f"unsupported format version {version} (this mixzip reads version {VERSION})")
    if flags & ~KNOWN_FLAGS:
        raise FormatError(f"unsupported header flags 0x{flags:02x}")
    sizes = src.read_exact(6, what)
    block_size, spec_len = struct.unpack("<IH", sizes)
    spec_raw = src.read_exact(spec_len, what)
    tail = src.read_exact(8, what) if flags & FLAG_ORIGINAL_SIZE else b""
    seg = src.read_exact(16, what) if flags & FLAG_SEGMENT else b""
    (crc,) = _U32.unpack(src.read_exact(4, what))
    raw = MAGIC + bytes((version, flags)) + sizes + spec_raw + tail + seg
    if zlib.crc32(raw) != crc:
        raise CorruptError("stream header checksum mismatch")
    if not 1 <= block_size <= MAX_BLOCK_SIZE:
        raise FormatError(f"bad block size {block_size} in stream header")
    segment_size = segment_index = None
    if seg:
        segment_size, segment_index = struct.unpack("<QQ", seg)
        if not 1 <= segment_size <= MAX_SEGMENT_SIZE:
            raise FormatError(f"bad segment size {segment_size} in stream header")
    spec = models.parse_spec(spec_raw)
    original_size = _U64.unpack(tail)[0] if tail else None
    if segment_size is not None and original_size is not None and original_size > segment_size:
        raise CorruptError(f"segment {segment_index} declares {original_size} bytes, "
                           f"more than its segment size {segment_size}")
    return StreamHeader(spec, block_size, original_size, len(raw) + 4, segment_size, segment_index)


def read_record(src: Source, header: StreamHeader, index: int, total: int) -> Record:
    """Read and check the record after ``index`` blocks holding ``total`` bytes.

    Checks the record CRC, the type, the lengths against the header, and for
    the end record the total size (against the blocks, and against the
    header's original size when declared).
    """
    raw = src.read_exact(RECORD_SIZE, f"block header (block {index})")
    (crc,) = _U32.unpack_from(raw, RECORD_FIELDS)
    if zlib.crc32(raw[:RECORD_FIELDS]) != crc:
        raise CorruptError(f"block header checksum mismatch (block {index})")
    kind = raw[0]
    if kind == SEGMENT_END and header.segment_size is None:
        raise CorruptError(f"segment end record in a stream that is not segmented (block {index})")
    if kind in (END, SEGMENT_END):
        _, size, stream_crc = _END.unpack_from(raw)
        if size != total:
            raise CorruptError(f"stream size mismatch: end marker says {size} bytes, blocks hold {total}")
        if header.original_size is not None and size != header.original_size:
            raise CorruptError(
                f"stream size mismatch: header says {header.original_size} bytes, stream holds {size}")
        if kind == SEGMENT_END and size != header.segment_size:
            raise CorruptError(f"segment {header.segment_index} holds {size} bytes, not its "
                               f"segment size {header.segment_size}, and is not the last")
        if kind == END and header.segment_index and size == 0:
            raise CorruptError(f"empty last segment {header.segment_index}")
        return Record(END, size, 0, stream_crc, kind == SEGMENT_END)
    if kind not in (CODED, STORED):
        raise CorruptError(f"unknown block type {kind} (block {index})")
    _, size, payload_size, data_crc = _BLOCK.unpack_from(raw)
    if not 1 <= size <= header.block_size:
        raise CorruptError(f"bad block size {size} (block {index}, limit {header.block_size})")
    if header.original_size is not None and total + size > header.original_size:
        raise CorruptError(f"stream longer than the {header.original_size} bytes its header declares")
    if header.segment_size is not None and total + size > header.segment_size:
        raise CorruptError(f"segment {header.segment_index} longer than its segment size "
                           f"{header.segment_size} (block {index})")
    if kind == STORED and payload_size != size:
        raise CorruptError(f"stored block payload is {payload_size} bytes, not {size} (block {index})")
    if kind == CODED and not 1 <= payload_size < size:
        raise CorruptError(f"bad coded payload size {payload_size} for {size} bytes (block {index})")
    return Record(kind, size, payload_size, data_crc)


def walk(src: Source) -> Iterator[StreamHeader | Record]:
    """Every stream header and record of an archive, in order, checked.

    Yields a StreamHeader at the start of each stream, then a Record per
    block, then the END Record.  Before asking for the next item the caller
    must consume each block's payload (``src.read_exact`` or ``src.skip``);
    checking the data CRCs (per block and whole stream) is the caller's job.
    Stops cleanly at the end of input after a complete stream.

    Segments: a segment header (index i > 0) must follow the segment end
    record (more=True) of segment i - 1, with the same segment size; the
    archive may not end, nor another stream start, in between.
    """
    first = True
    expect: StreamHeader | None = None      # the segment whose successor must come next
    while True:
        try:
            if not read_magic(src, first):
                break
        except CorruptError:
            if expect is not None:
                raise CorruptError(f"segment {expect.segment_index + 1} missing after "
                                   f"segment {expect.segment_index}") from None
            raise
        first = False
        header = read_header(src)
        check_sequence(expect, header)
        yield header
        index = total = 0
        while True:
            rec = read_record(src, header, index, total)
            yield rec
            if rec.kind == END:
                break
            index += 1
            total += rec.size
        expect = header if rec.more else None
    if expect is not None:
        raise CorruptError(f"truncated archive: segment {expect.segment_index + 1} missing "
                           f"after segment {expect.segment_index}")


def check_sequence(expect: StreamHeader | None, header: StreamHeader) -> None:
    """A stream header against the segment before it (``expect``: None when a new stream may start)."""
    if expect is None:
        if header.segment_index:
            raise CorruptError(f"segment {header.segment_index} without the segments before it")
        return
    want = expect.segment_index + 1
    if header.segment_index != want:
        got = "a new stream" if header.segment_index is None else f"segment {header.segment_index}"
        raise CorruptError(f"segment {want} missing: {got} follows segment {expect.segment_index}")
    if header.segment_size != expect.segment_size:
        raise CorruptError(f"segment {want} has segment size {header.segment_size}, "
                           f"segment {expect.segment_index} {expect.segment_size}")


@contextlib.contextmanager
def open_binary(file: PathLike | BinaryIO | BytesLike) -> Iterator[BinaryIO]:
    """A path (str or os.PathLike) is opened (and closed) for binary reading;
    bytes-like data is the archive itself; a file object is used as is."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        yield io.BytesIO(file)
    elif isinstance(file, (str, os.PathLike)):
        with builtins.open(file, "rb") as f:
            yield f
    else:
        yield file


# ---------------------------------------------------------------- info

@dataclass(frozen=True)
class ArchiveInfo:
    """What ``info`` learns from the framing alone.

    For an archive of several concatenated streams, sizes and block counts
    are totals; ``block_size`` and ``spec`` are those of the first stream,
    ``specs`` has every stream header's (one per segment).  ``streams``
    counts a stream cut into segments once; ``segments`` counts every
    segment (a stream of one segment is one); ``segment_size`` is the first
    segmented stream's, None if none is.
    """
    compressed_size: int        # bytes of archive read
    original_size: int          # uncompressed bytes, from the end markers
    declared_size: int | None   # original size declared in the header(s); None unless every stream declares one
    header_size: int            # bytes of the stream header(s)
    blocks: int
    block_size: int
    spec: object                # the first stream's model spec, as the provider parsed it
    streams: int
    specs: tuple                # every stream header's spec
    segments: int = 0
    segment_size: int | None = None


def info(file: PathLike | BinaryIO | BytesLike) -> ArchiveInfo:
    """Describe an archive without decoding it.

    ``file``: a path, a binary file object (read from its current position)
    or the archive's bytes.  Walks the headers and block records, skipping
    payloads (seeking when the file allows).  Verifies the header and record
    CRCs and the end markers' sizes, not the data CRCs (``test`` does that).
    Raises FormatError or CorruptError like the decoder.
    """
    with open_binary(file) as f:
        src = Source(f)
        specs: list = []
        first: StreamHeader | None = None
        streams = blocks = original = header_bytes = segments = 0
        segment_size: int | None = None
        declared: int | None = 0
        for item in walk(src):
            if isinstance(item, StreamHeader):
                first = first or item
                specs.append(item.spec)
                header_bytes += item.nbytes
                if segment_size is None:
                    segment_size = item.segment_size
                if declared is not None and item.original_size is not None:
                    declared += item.original_size
                else:
                    declared = None
            elif item.kind == END:
                streams += not item.more
                segments += 1
                original += item.size
            else:
                src.skip(item.payload_size, f"block payload (block {blocks})")
                blocks += 1
        assert first is not None  # walk raises on an empty input
        return ArchiveInfo(src.pos, original, declared, header_bytes, blocks, first.block_size,
                           first.spec, streams, tuple(specs), segments, segment_size)
