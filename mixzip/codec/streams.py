"""Streams: the public compress/decompress API over the .mxz container.

How to call it (shaped like ``gzip`` and python-zstandard):

    data = compress(raw, level=5)             # one shot; records the size
    raw = decompress(data)                    # handles concatenated streams
    raw = decompress(data, max_output_size=n, memory_limit=m)   # LimitError past them
    c = compressobj(level=5); out = c.compress(raw) + c.flush()    # incremental, as zlib
    d = decompressobj(); raw = d.decompress(out); d.eof, d.unused_data
    with open("f.mxz", "wb") as f: f.write(raw)         # also "rt"/"wt"/"xb"/"ab"
    with open("f.mxz") as f: raw = f.read()
    compress_stream(src, dst, level, size=n, progress=cb) -> (read, written)
    decompress_stream(src, dst, progress=cb) -> (read, written)
    test(path_or_fileobj) -> uncompressed size (decodes, discards)
    MixzipWriter(fileobj, ...) / MixzipReader(fileobj)   file objects
    threads=N (0: all cores) and segment_size=S on all of them (segments.py)

Writing: a ``MixzipWriter`` cuts its input into segments of ``segment_size``
bytes (default: per level), each coded with a fresh ``Engine`` (model), up
to ``threads`` at once (segments.py); input of at most one segment is one
plain stream.  Each segment is cut into blocks of ``block_size`` bytes;
``flush()`` ends the current block early.  Each block is CRC'd, coded (or
stored, if coding does not shrink it) and framed (format.py); ``close()``
writes the end marker.  The archive never depends on ``threads``.

Reading: the decoder walks the framing (format.py), builds a new ``Engine``
from each stream's header spec, decodes each block and checks its CRC, then
the whole stream's CRC and size at the end marker.  Every exception a damaged
payload can provoke inside the model becomes a CorruptError.

Memory: per thread, the model of the level (see recipes.py) plus about two
segments of data, and one more segment being filled or read
(``segments.worker_memory``), for any input size (except
``read()``/``decompress()`` of everything, which return everything).
With threads=1, reading decodes block by block (one model and a block).
Objects here are not thread-safe: use one per thread.
"""
from __future__ import annotations

import builtins
import io
import os
import struct
import zlib
from typing import BinaryIO, Callable, Iterator, Sequence, Union

from mixzip.codec import format as fmt
from mixzip.codec import models, segments
from mixzip.codec.errors import CorruptError, FormatError, LimitError, MixzipError
from mixzip.codec.format import DEFAULT_BLOCK_SIZE
from mixzip.codec.models import DEFAULT_LEVEL

BytesLike = Union[bytes, bytearray, memoryview]
Progress = Callable[[int], None]


def _plugin_names(plugins: Sequence[str]) -> tuple[str, ...]:
    if isinstance(plugins, (str, bytes)):
        raise TypeError("plugins must be a sequence of plugin names, not a single string")
    return tuple(plugins)


def _write_all(f: BinaryIO, data: BytesLike) -> None:
    """Write all of data (raw files may write less than asked)."""
    view = memoryview(data)
    while view:
        n = f.write(view)
        if n is None or n >= len(view):
            return
        if n == 0:
            raise OSError("output file accepted no bytes")
        view = view[n:]


# ---------------------------------------------------------------- writing

class MixzipWriter(io.BufferedIOBase):
    """A write-only binary file object that compresses into ``fileobj``.

    The stream header is written at once; each full block as soon as it is
    complete; ``flush()`` codes what is pending as a (short) block, so that
    everything written so far can be decoded, and flushes ``fileobj``;
    ``close()`` writes the end marker (and closes ``fileobj`` if ``closefd``).

    ``size``, if given, is recorded in the header as the original size;
    writing more, or closing after writing less, raises MixzipError (and
    leaves the archive without an end marker, so it cannot pass as complete).

    ``threads`` (0: one per core) segments are coded at once; ``segment_size``
    (default: the level's, ``segments.default_segment_size``) is where the
    input is cut.  The archive depends on the segment size, never on threads.
    Until the first segment is complete (or ``size`` says there are several)
    nothing but ``flush()`` writes to ``fileobj``.

    Attributes: ``bytes_in`` (uncompressed bytes accepted), ``bytes_out``
    (archive bytes written), ``blocks``, ``segments``, ``spec``,
    ``block_size``, ``segment_size``, ``threads``.
    """

    def __init__(self, fileobj: BinaryIO, level: int = DEFAULT_LEVEL, *, plugins: Sequence[str] = (),
                 block_size: int = DEFAULT_BLOCK_SIZE, size: int | None = None, closefd: bool = False,
                 threads: int = 1, segment_size: int | None = None):
        self._fileobj: BinaryIO | None = None   # closed until fully set up
        fmt.check_block_size(block_size)
        if size is not None and not 0 <= size < 1 << 64:
            raise ValueError(f"size must be a non-negative int, got {size!r}")
        self.spec = models.spec_for_level(level, _plugin_names(plugins))
        self.threads = segments.resolve_threads(threads)
        self.segment_size = fmt.check_segment_size(
            segments.default_segment_size(level, size) if segment_size is None else segment_size)
        if size is not None:        # tables no bigger than the input (or a segment) can fill
            self.spec = models.fit_spec(self.spec, min(size, self.segment_size))
        self.block_size = block_size
        self.size = size
        self.bytes_in = 0
        self.bytes_out = 0
        self._closefd = closefd
        self._fileobj = fileobj
        self._core: segments.SegmentWriter | None = segments.SegmentWriter(
            self._put, self.spec, block_size, self.segment_size, size, self.threads)

    @property
    def blocks(self) -> int:
        return self._blocks if self._core is None else self._core.blocks

    @property
    def segments(self) -> int:
        return self._segments if self._core is None else self._core.segments

    # -- io.BufferedIOBase
    @property
    def closed(self) -> bool:
        return self._fileobj is None

    def writable(self) -> bool:
        return True

    def write(self, data: BytesLike) -> int:
        """Compress ``data``; returns its length in bytes."""
        self._check_open()
        with memoryview(data) as view, view.cast("B") as mv:
            n = len(mv)
            if self.size is not None and self.bytes_in + n > self.size:
                raise MixzipError(f"more input than the declared size of {self.size} bytes")
            self.bytes_in += n
            self._core.write(mv)
        return n

    def flush(self) -> None:
        """End the current block, so all input so far is decodable; flush fileobj."""
        self._check_open()
        self._core.flush()
        if hasattr(self._fileobj, "flush"):
            self._fileobj.flush()

    def close(self) -> None:
        """Code pending input, write the end marker, flush (and maybe close) fileobj."""
        if self.closed:
            return
        fileobj = self._fileobj
        try:
            if self.size is not None and self.bytes_in != self.size:
                raise MixzipError(f"input was {self.bytes_in} bytes, not the declared {self.size}")
            self._core.close()
            if hasattr(fileobj, "flush"):
                fileobj.flush()
        except BaseException:
            self._core.abort()
            raise
        finally:
            self._release()
            if self._closefd:
                fileobj.close()

    # -- internals
    def _abandon(self) -> None:
        """Stop without an end marker (after an error); the archive stays visibly incomplete."""
        if not self.closed:
            fileobj = self._fileobj
            self._core.abort()
            self._release()
            if self._closefd:
                fileobj.close()

    def _release(self) -> None:
        self._fileobj = None
        self._blocks, self._segments = self._core.blocks, self._core.segments
        self._core = None

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def _put(self, data: bytes) -> None:
        _write_all(self._fileobj, data)
        self.bytes_out += len(data)


# ---------------------------------------------------------------- reading

def model_memory(spec) -> int:
    """Bytes of model state decoding a stream of this spec allocates (its
    plugins' own state not included); FormatError for a spec that makes no sense."""
    return segments.model_memory(spec)


def _check_limit(name: str, value: int | None) -> int | None:
    if value is not None and (not isinstance(value, int) or value < 0):
        raise ValueError(f"{name} must be a non-negative int or None, got {value!r}")
    return value


class _StreamDecoder:
    """Decodes the blocks of the streams of an archive, item by item, with
    every check: the model is built from each stream header (after the
    limits are checked: ``check``), each block is decoded and its CRC
    checked, the stream's CRC is checked at its end marker, and the output
    is kept within ``max_output_size``.  Used by the pull decoder
    (``_decode``) and the push decoder (``MixzipDecompressor``); with
    threads > 1 only ``check`` and ``count`` are used (segments.py decodes)."""

    def __init__(self, memory_limit: int | None = None, max_output_size: int | None = None):
        self.memory_limit = _check_limit("memory_limit", memory_limit)
        self.max_output_size = _check_limit("max_output_size", max_output_size)
        self.engine = None
        self.crc = self.index = 0
        self.produced = 0           # bytes handed out
        self.declared = 0           # bytes the headers seen so far declare (those that do)
        self.prefix = ""

    def check(self, h: fmt.StreamHeader) -> None:
        """The limits, from a stream header alone, before its model is built."""
        segments.check_memory(h, self.memory_limit)
        if self.max_output_size is not None and h.original_size is not None:
            self.declared += h.original_size
            if max(self.declared, self.produced + h.original_size) > self.max_output_size:
                raise LimitError(f"the archive declares {max(self.declared, self.produced + h.original_size):,} "
                                 f"bytes, more than max_output_size={self.max_output_size:,}")

    def count(self, n: int) -> None:
        if self.max_output_size is not None and self.produced + n > self.max_output_size:
            raise LimitError(f"the archive holds more than max_output_size={self.max_output_size:,} bytes")
        self.produced += n

    def header(self, h: fmt.StreamHeader) -> None:
        self.engine = None                   # free the previous stream's model first
        self.check(h)
        self.engine = segments.engine_for(h.spec)
        self.crc = self.index = 0
        self.prefix = segments.where(h)

    def block(self, rec: fmt.Record, payload: bytes) -> bytes:
        if self.max_output_size is not None and self.produced + rec.size > self.max_output_size:
            raise LimitError(f"the archive holds more than max_output_size={self.max_output_size:,} bytes")
        data = segments.decode_block(self.engine, rec, payload, self.index, self.prefix)
        self.crc = zlib.crc32(data, self.crc)
        self.index += 1
        self.count(len(data))
        return data

    def end(self, rec: fmt.Record) -> None:
        if rec.crc != self.crc:
            raise CorruptError(f"{self.prefix}stream checksum mismatch")
        self.engine = None


def _decode(src: fmt.Source, threads: int = 1, memory_limit: int | None = None,
            max_output_size: int | None = None) -> Iterator[bytes]:
    """The decoded blocks of every stream of an archive, checked, in order
    (threads > 1: segments decoded in parallel, segments.py)."""
    dec = _StreamDecoder(memory_limit, max_output_size)
    if threads > 1:
        for data in segments.decode_parallel(src, threads, dec.check):
            dec.count(len(data))
            yield data
        return
    for item in fmt.walk(src):
        if isinstance(item, fmt.StreamHeader):
            dec.header(item)
        elif item.kind == fmt.END:
            dec.end(item)
        else:
            payload = src.read_exact(item.payload_size, f"block payload (block {dec.index})")
            yield dec.block(item, payload)


class MixzipReader(io.BufferedIOBase):
    """A read-only binary file object that decompresses ``fileobj``.

    Decodes one block at a time, on demand (nothing is read before the first
    read call); concatenated streams read as one.  Supports ``read``,
    ``read1``, ``readinto``, ``peek``, ``readline``, iteration and ``with``.
    Errors in the archive raise MixzipError subclasses from the read call
    that meets them, and again from any later read.  Not seekable.
    ``memory_limit`` (bytes): a stream whose model needs more raises
    LimitError before its model is built.  ``threads`` > 1 (0: one per
    core) decodes that many segments at once, reading ahead up to
    ``threads`` segments.
    """

    def __init__(self, fileobj: BinaryIO, closefd: bool = False, *, memory_limit: int | None = None,
                 threads: int = 1):
        self._fileobj: BinaryIO | None = fileobj
        self._closefd = closefd
        self._src = fmt.Source(fileobj)
        self._blocks = _decode(self._src, segments.resolve_threads(threads),
                               _check_limit("memory_limit", memory_limit))
        self._buf = b""
        self._pos = 0
        self._eof = False
        self._error: BaseException | None = None

    @property
    def closed(self) -> bool:
        return self._fileobj is None

    @property
    def bytes_in(self) -> int:
        """Archive bytes consumed so far."""
        return self._src.pos

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self.closed:
            return
        fileobj = self._fileobj
        self._fileobj = None
        self._blocks.close()
        self._buf = b""
        if self._closefd:
            fileobj.close()

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all the rest if negative); fewer only at the end."""
        self._check_open()
        if size is None or size < 0:
            parts = []
            while self._fill():
                parts.append(self._take(len(self._buf)))
            return b"".join(parts)
        parts = []
        while size > 0 and self._fill():
            chunk = self._take(size)
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)

    def read1(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes from at most one block."""
        self._check_open()
        if size == 0 or not self._fill():
            return b""
        return self._take(len(self._buf) if size is None or size < 0 else size)

    def readinto(self, b) -> int:
        return self._readinto(b, whole=True)

    def readinto1(self, b) -> int:
        return self._readinto(b, whole=False)

    def peek(self, size: int = 0) -> bytes:
        """The decoded bytes available without decoding another block (at least 1 unless at the end)."""
        self._check_open()
        if not self._fill():
            return b""
        return self._buf[self._pos:]

    def readline(self, size: int | None = -1) -> bytes:
        self._check_open()
        if size is None:
            size = -1
        parts = []
        while size != 0 and self._fill():
            nl = self._buf.find(b"\n", self._pos)
            n = (len(self._buf) if nl < 0 else nl + 1) - self._pos
            if size > 0:
                n = min(n, size)
                size -= n
            chunk = self._take(n)
            parts.append(chunk)
            if chunk.endswith(b"\n"):
                break
        return b"".join(parts)

    # -- internals
    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def _fill(self) -> bool:
        """Make sure unread decoded bytes are buffered; False at the end of the archive."""
        if self._pos < len(self._buf):
            return True
        if self._error is not None:
            raise self._error
        if self._eof:
            return False
        try:
            block = next(self._blocks, None)
        except BaseException as exc:
            # The decoder cannot resume: later reads must fail too, not look like EOF.
            self._error = exc if isinstance(exc, Exception) else MixzipError("an earlier read was interrupted")
            raise
        self._buf, self._pos = (block or b""), 0
        if block is None:
            self._eof = True
            return False
        return True

    def _take(self, n: int) -> bytes:
        chunk = self._buf[self._pos:self._pos + n]
        self._pos += len(chunk)
        return chunk

    def _readinto(self, b, whole: bool) -> int:
        self._check_open()
        with memoryview(b) as view, view.cast("B") as out:
            done = 0
            while done < len(out) and self._fill():
                n = min(len(out) - done, len(self._buf) - self._pos)
                out[done:done + n] = self._buf[self._pos:self._pos + n]
                self._pos += n
                done += n
                if not whole:
                    break
        return done


# ---------------------------------------------------------------- incremental objects

FLUSH_FINISH = 0     # end the stream: pending input, then the end marker (as zlib's Z_FINISH)
FLUSH_BLOCK = 1      # end the current block: all input so far becomes decodable (Z_SYNC_FLUSH)


class _Collect:
    """A write-only sink that keeps what is written until taken."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


class MixzipCompressor:
    """Incremental compression, shaped like ``zlib.compressobj()`` and
    python-zstandard's ``compressobj()``: ``compress(data)`` returns the
    archive bytes ready so far (the header, then each block as it fills),
    ``flush(FLUSH_BLOCK)`` ends the current block, ``flush()`` (FLUSH_FINISH)
    ends the stream.  The concatenated returns are one archive stream.
    Arguments as for ``MixzipWriter``."""

    def __init__(self, level: int = DEFAULT_LEVEL, *, plugins: Sequence[str] = (),
                 block_size: int = DEFAULT_BLOCK_SIZE, size: int | None = None):
        self._sink = _Collect()
        self._writer: MixzipWriter | None = MixzipWriter(self._sink, level, plugins=plugins,
                                                         block_size=block_size, size=size)

    def compress(self, data: BytesLike) -> bytes:
        self._writer_or_raise().write(data)
        return self._sink.take()

    def flush(self, mode: int = FLUSH_FINISH) -> bytes:
        writer = self._writer_or_raise()
        if mode == FLUSH_BLOCK:
            writer.flush()
        elif mode == FLUSH_FINISH:
            self._writer = None
            writer.close()
        else:
            raise ValueError(f"unknown flush mode {mode!r} (FLUSH_FINISH or FLUSH_BLOCK)")
        return self._sink.take()

    def _writer_or_raise(self) -> MixzipWriter:
        if self._writer is None:
            raise ValueError("the compressor has finished (flush() was called)")
        return self._writer


class MixzipDecompressor:
    """Incremental decompression of one archive stream, shaped like
    ``lzma.LZMADecompressor`` / ``zlib.decompressobj()``.

    ``decompress(data, max_length=-1)`` takes any piece of the archive and
    returns what it could decode (whole blocks; a block is decoded once its
    payload is all there), at most ``max_length`` bytes if that is not
    negative - then call again with ``b""`` for the rest while
    ``needs_input`` is False.  After the stream's end marker ``eof`` is True
    and the bytes after it are in ``unused_data`` (a following stream:
    start a new decompressor on them).  ``eof`` still False after the last
    input means the archive was cut short.  ``memory_limit`` and
    ``max_output_size`` as for ``decompress``.  Errors raise MixzipError
    subclasses, then again from every later call.
    """

    _FIXED = 12                    # magic, version, flags, block_size, spec_len

    def __init__(self, *, memory_limit: int | None = None, max_output_size: int | None = None):
        self._dec = _StreamDecoder(memory_limit, max_output_size)
        self._in = bytearray()
        self._out = b""
        self._out_pos = 0
        self._header: fmt.StreamHeader | None = None
        self._record: fmt.Record | None = None
        self._total = 0                 # bytes in this stream's blocks so far
        self._error: BaseException | None = None
        self.eof = False
        self.unused_data = b""
        self.needs_input = True

    def decompress(self, data: BytesLike, max_length: int = -1) -> bytes:
        if self._error is not None:
            raise self._error
        if self.eof:
            raise EOFError("already at the end of the stream")
        self._in += data
        parts: list[bytes] = []
        room = max_length if max_length >= 0 else None
        try:
            while room is None or room > 0:
                if self._out_pos < len(self._out):
                    n = len(self._out) - self._out_pos if room is None else min(room, len(self._out) - self._out_pos)
                    parts.append(self._out[self._out_pos:self._out_pos + n])
                    self._out_pos += n
                    room = None if room is None else room - n
                elif self.eof or not self._step():
                    break
        except BaseException as exc:
            self._error = exc if isinstance(exc, Exception) else MixzipError("an earlier call was interrupted")
            raise
        self.needs_input = (not self.eof and self._out_pos >= len(self._out)
                            and len(self._in) < self._need())
        return b"".join(parts)

    # -- internals
    def _need(self) -> int:
        """Bytes of input the next item needs (its whole length once known)."""
        if self._header is None:
            if len(self._in) < self._FIXED:
                return self._FIXED
            flags = self._in[5]
            (spec_len,) = struct.unpack_from("<H", self._in, 10)
            return (self._FIXED + spec_len + (8 if flags & fmt.FLAG_ORIGINAL_SIZE else 0)
                    + (16 if flags & fmt.FLAG_SEGMENT else 0) + 4)
        if self._record is None:
            return fmt.RECORD_SIZE
        return self._record.payload_size

    def _step(self) -> bool:
        """Parse (and decode) the next item if all of it is buffered."""
        if self._header is None and self._in[:len(fmt.MAGIC)] != fmt.MAGIC[:len(self._in)]:
            raise FormatError("not a mixzip archive")
        need = self._need()
        if len(self._in) < need:
            return False
        chunk = bytes(self._in[:need])
        del self._in[:need]
        if self._header is None:
            src = fmt.Source(io.BytesIO(chunk))
            fmt.read_magic(src, True)
            self._header = fmt.read_header(src)
            self._dec.header(self._header)
        elif self._record is None:
            rec = fmt.read_record(fmt.Source(io.BytesIO(chunk)), self._header, self._dec.index, self._total)
            if rec.kind == fmt.END and rec.more:        # another segment of this stream follows
                self._dec.end(rec)
                self._header, self._total = None, 0
            elif rec.kind == fmt.END:
                self._dec.end(rec)
                self.eof = True
                self.unused_data = bytes(self._in)
                self._in = bytearray()
            else:
                self._record = rec
        else:
            rec, self._record = self._record, None
            self._out, self._out_pos = self._dec.block(rec, chunk), 0
            self._total += rec.size
        return True


def compressobj(level: int = DEFAULT_LEVEL, *, plugins: Sequence[str] = (),
                block_size: int = DEFAULT_BLOCK_SIZE, size: int | None = None) -> MixzipCompressor:
    """A ``MixzipCompressor`` (as ``zlib.compressobj``)."""
    return MixzipCompressor(level, plugins=plugins, block_size=block_size, size=size)


def decompressobj(*, memory_limit: int | None = None,
                  max_output_size: int | None = None) -> MixzipDecompressor:
    """A ``MixzipDecompressor`` (as ``zlib.decompressobj``)."""
    return MixzipDecompressor(memory_limit=memory_limit, max_output_size=max_output_size)


# ---------------------------------------------------------------- functions

def compress(data: BytesLike, level: int = DEFAULT_LEVEL, *, plugins: Sequence[str] = (),
             block_size: int = DEFAULT_BLOCK_SIZE, threads: int = 1,
             segment_size: int | None = None) -> bytes:
    """Compress bytes-like ``data`` into one archive stream (with its size in the header),
    coding ``threads`` segments at once (0: one per core)."""
    with memoryview(data) as view, view.cast("B") as mv:
        out = io.BytesIO()
        writer = MixzipWriter(out, level, plugins=plugins, block_size=block_size, size=len(mv),
                              threads=threads, segment_size=segment_size)
        try:
            writer.write(mv)
            writer.close()
        except BaseException:
            writer._abandon()
            raise
    return out.getvalue()


def decompress(data: BytesLike, *, max_output_size: int | None = None,
               memory_limit: int | None = None, threads: int = 1) -> bytes:
    """Decompress a whole archive (all its concatenated streams).

    ``max_output_size``: raise LimitError, before decoding past it, if the
    output would be longer (checked against the sizes the headers declare
    first, then block by block).  ``memory_limit``: raise LimitError if a
    stream's model needs more bytes (``-M`` on the command line).
    ``threads`` segments are decoded at once (0: one per core)."""
    return b"".join(_decode(fmt.Source(io.BytesIO(data)), segments.resolve_threads(threads),
                            memory_limit, max_output_size))


def compress_stream(src: BinaryIO, dst: BinaryIO, level: int = DEFAULT_LEVEL, *,
                    plugins: Sequence[str] = (), size: int | None = None,
                    block_size: int = DEFAULT_BLOCK_SIZE,
                    progress: Progress | None = None, threads: int = 1,
                    segment_size: int | None = None) -> tuple[int, int]:
    """Compress everything ``src`` yields into one stream on ``dst``.

    Reads ``block_size`` bytes at a time; ``progress(bytes_read)`` is called
    after each.  ``size``, when known, goes into the header and is checked.
    ``threads`` segments are coded at once (0: one per core).
    Returns (bytes read, bytes written).  On any error the output is left
    without an end marker, so it cannot pass for a complete archive.
    Neither file is closed.
    """
    writer = MixzipWriter(dst, level, plugins=plugins, block_size=block_size, size=size,
                          threads=threads, segment_size=segment_size)
    try:
        while True:
            chunk = src.read(block_size)
            if not chunk:
                break
            writer.write(chunk)
            if progress is not None:
                progress(writer.bytes_in)
        writer.close()
    except BaseException:
        writer._abandon()
        raise
    return writer.bytes_in, writer.bytes_out


def decompress_stream(src: BinaryIO, dst: BinaryIO, *, progress: Progress | None = None,
                      memory_limit: int | None = None, threads: int = 1) -> tuple[int, int]:
    """Decompress the archive on ``src`` (all streams) onto ``dst``, block by block.

    ``progress(archive_bytes_read)`` is called after each block.  Returns
    (bytes read, bytes written).  Decoded blocks are written as soon as they
    are checked, so on an error ``dst`` holds a prefix of the data.
    Neither file is closed.  ``memory_limit`` as in ``decompress``;
    ``threads`` segments are decoded at once (0: one per core).
    """
    source = fmt.Source(src)
    written = 0
    for block in _decode(source, segments.resolve_threads(threads), memory_limit):
        _write_all(dst, block)
        written += len(block)
        if progress is not None:
            progress(source.pos)
    return source.pos, written


def test(file: fmt.PathLike | BinaryIO | BytesLike, *, memory_limit: int | None = None,
         threads: int = 1) -> int:
    """Decode a whole archive (a path, a file object or its bytes), discarding
    the output; return its uncompressed size.

    Raises FormatError, CorruptError or UnsupportedModelError on any problem
    (a CorruptError names every bad segment; the others are still checked),
    LimitError for a model over ``memory_limit`` bytes.  ``threads`` segments
    are decoded at once (0: one per core).
    """
    dec = _StreamDecoder(memory_limit)
    with fmt.open_binary(file) as f:
        return segments.test_archive(fmt.Source(f), segments.resolve_threads(threads), dec.check)


test.__test__ = False  # not a pytest test function when imported into a test module

_MODES = {"r": "rb", "w": "wb", "x": "xb", "a": "ab"}


def open(file: fmt.PathLike | bytes | BinaryIO, mode: str = "rb", level: int | None = None, *,
         plugins: Sequence[str] = (), block_size: int = DEFAULT_BLOCK_SIZE,
         encoding: str | None = None, errors: str | None = None,
         newline: str | None = None, compresslevel: int | None = None,
         memory_limit: int | None = None, threads: int = 1,
         segment_size: int | None = None) -> MixzipReader | MixzipWriter | io.TextIOWrapper:
    """Open an archive like ``gzip.open``.

    ``mode``: "r"/"rb", "w"/"wb", "x"/"xb", "a"/"ab" (append a new stream to
    an existing archive: readers see the concatenation), or the same with "t"
    for text (then ``encoding``, ``errors``, ``newline`` apply, as in
    ``io.TextIOWrapper``).  ``file`` is a path (opened and closed here) or a
    binary file object (left open).  ``level`` (or gzip's name for it,
    ``compresslevel``), ``plugins``, ``block_size`` and ``segment_size``
    apply to writing, ``memory_limit`` (see ``decompress``) to reading,
    ``threads`` to both.
    """
    if compresslevel is not None and level is not None and level != compresslevel:
        raise TypeError("give the level as level= or compresslevel=, not both")
    level = level if level is not None else compresslevel if compresslevel is not None else DEFAULT_LEVEL
    kinds = set(mode) & set("rwxa")
    if (len(set(mode)) != len(mode) or set(mode) - set("rwxabt") or len(kinds) != 1
            or {"b", "t"} <= set(mode)):
        raise ValueError(f"invalid mode: {mode!r}")
    text = "t" in mode
    if not text and (encoding is not None or errors is not None or newline is not None):
        raise ValueError("encoding, errors and newline are for text mode only")
    kind = kinds.pop()
    if isinstance(file, (str, bytes, os.PathLike)):
        f, closefd = builtins.open(file, _MODES[kind]), True
    elif hasattr(file, "read") or hasattr(file, "write"):
        f, closefd = file, False
    else:
        raise TypeError("file must be a path or a binary file object")
    try:
        if kind == "r":
            binary = MixzipReader(f, closefd=closefd, memory_limit=memory_limit, threads=threads)
        else:
            binary = MixzipWriter(f, level, plugins=plugins, block_size=block_size, closefd=closefd,
                                  threads=threads, segment_size=segment_size)
    except BaseException:
        if closefd:
            f.close()
        raise
    if text:
        return io.TextIOWrapper(binary, io.text_encoding(encoding), errors, newline)
    return binary
