"""The .mxz container format: byte layout, packing, validating parser, ``info``.

An archive is one or more *streams* back to back (like gzip/zstd members).
All integers are little-endian; CRC32 is ``zlib.crc32`` (the gzip/PNG CRC).
docs/FORMAT.md is the full spec; in short:

    stream   = header block* end
    header   = "\\xb5MXZ" version:u8=1 flags:u8 block_size:u32
               spec_len:u16 spec[spec_len] [original_size:u64 if flags&1]
               header_crc:u32                  (CRC32 of all header bytes before it)
    block    = type:u8 (1 coded, 2 stored) size:u32 payload_size:u32
               data_crc:u32 record_crc:u32 payload[payload_size]
    end      = type:u8=0 total_size:u64 stream_crc:u32 record_crc:u32

Block and end records are both 17 bytes: 13 bytes of fields, then the CRC32 of
those 13 bytes, so a damaged record is caught before any of its lengths is
trusted.  Every length is bounded before anything is read or allocated:
``size <= block_size <= 64 MiB`` and ``payload_size <= size``.

This module knows nothing about models or coding: it stores the model
spec's bytes and has the registered provider parse them (models.py).  It
offers:

    pack_header(spec_raw, block_size, original_size=None) -> bytes
    pack_block(kind, size, payload_size, data_crc) -> bytes
    pack_end(total_size, stream_crc) -> bytes
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
KNOWN_FLAGS = FLAG_ORIGINAL_SIZE

DEFAULT_BLOCK_SIZE = 1 << 20
MAX_BLOCK_SIZE = 64 << 20
MAX_SPEC_SIZE = 0xFFFF

# record types
END, CODED, STORED = 0, 1, 2

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


def pack_header(spec_raw: bytes, block_size: int, original_size: int | None = None) -> bytes:
    """The stream header for a model spec (``ModelSpec.to_bytes()``)."""
    check_block_size(block_size)
    if len(spec_raw) > MAX_SPEC_SIZE:
        raise ValueError(f"model spec too long for the header ({len(spec_raw)} bytes)")
    flags = 0 if original_size is None else FLAG_ORIGINAL_SIZE
    raw = _FIXED.pack(MAGIC, VERSION, flags, block_size, len(spec_raw)) + spec_raw
    if original_size is not None:
        raw += _U64.pack(original_size)
    return raw + _U32.pack(zlib.crc32(raw))


def pack_block(kind: int, size: int, payload_size: int, data_crc: int) -> bytes:
    """The 17-byte record in front of a block's payload."""
    fields = _BLOCK.pack(kind, size, payload_size, data_crc)
    return fields + _U32.pack(zlib.crc32(fields))


def pack_end(total_size: int, stream_crc: int) -> bytes:
    """The 17-byte end-of-stream record."""
    fields = _END.pack(END, total_size, stream_crc)
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


@dataclass(frozen=True)
class Record:
    kind: int           # END, CODED or STORED
    size: int           # uncompressed bytes: of the block, or (END) of the whole stream
    payload_size: int   # bytes of payload after the record (0 for END)
    crc: int            # CRC32 of the block's data, or (END) of the whole stream


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
    (crc,) = _U32.unpack(src.read_exact(4, what))
    raw = MAGIC + bytes((version, flags)) + sizes + spec_raw + tail
    if zlib.crc32(raw) != crc:
        raise CorruptError("stream header checksum mismatch")
    if not 1 <= block_size <= MAX_BLOCK_SIZE:
        raise FormatError(f"bad block size {block_size} in stream header")
    spec = models.parse_spec(spec_raw)
    original_size = _U64.unpack(tail)[0] if tail else None
    return StreamHeader(spec, block_size, original_size, len(raw) + 4)


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
    if kind == END:
        _, size, stream_crc = _END.unpack_from(raw)
        if size != total:
            raise CorruptError(f"stream size mismatch: end marker says {size} bytes, blocks hold {total}")
        if header.original_size is not None and size != header.original_size:
            raise CorruptError(
                f"stream size mismatch: header says {header.original_size} bytes, stream holds {size}")
        return Record(END, size, 0, stream_crc)
    if kind not in (CODED, STORED):
        raise CorruptError(f"unknown block type {kind} (block {index})")
    _, size, payload_size, data_crc = _BLOCK.unpack_from(raw)
    if not 1 <= size <= header.block_size:
        raise CorruptError(f"bad block size {size} (block {index}, limit {header.block_size})")
    if header.original_size is not None and total + size > header.original_size:
        raise CorruptError(f"stream longer than the {header.original_size} bytes its header declares")
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
    """
    first = True
    while read_magic(src, first):
        first = False
        header = read_header(src)
        yield header
        index = total = 0
        while True:
            rec = read_record(src, header, index, total)
            yield rec
            if rec.kind == END:
                break
            index += 1
            total += rec.size


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
    ``specs`` has every stream's.
    """
    compressed_size: int        # bytes of archive read
    original_size: int          # uncompressed bytes, from the end markers
    declared_size: int | None   # original size declared in the header(s); None unless every stream declares one
    header_size: int            # bytes of the stream header(s)
    blocks: int
    block_size: int
    spec: object                # the first stream's model spec, as the provider parsed it
    streams: int
    specs: tuple                # every stream's spec


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
        streams = blocks = original = header_bytes = 0
        declared: int | None = 0
        for item in walk(src):
            if isinstance(item, StreamHeader):
                first = first or item
                specs.append(item.spec)
                header_bytes += item.nbytes
                if declared is not None and item.original_size is not None:
                    declared += item.original_size
                else:
                    declared = None
            elif item.kind == END:
                streams += 1
                original += item.size
            else:
                src.skip(item.payload_size, f"block payload (block {blocks})")
                blocks += 1
        assert first is not None  # walk raises on an empty input
        return ArchiveInfo(src.pos, original, declared, header_bytes, blocks, first.block_size,
                           first.spec, streams, tuple(specs))
