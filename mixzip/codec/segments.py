"""Segments: a stream cut into pieces coded independently, N at a time.

A stream longer than its *segment size* S is cut every S bytes; each
segment is coded with a fresh model into a stream of its own (format.py:
header flag 2 with S and the segment's index, blocks, an end record that
says whether the next segment follows).  Segments share nothing, so they
are coded and decoded in parallel, and the archive bytes depend only on the
level, block size, segment size (and the points where a writer was
flushed) - never on the number of threads or on timing.  A stream of at most
S bytes is one segment, written without the flag: byte for byte the stream
mixzip wrote before segments existed.

How to call me (streams.py does, for the public API):

    w = SegmentWriter(put, spec, block_size, segment_size, size, threads)
    w.write(memoryview)   ...   w.flush()   ...   w.close()    # or w.abort()
    for data in decode_parallel(Source(f), threads): ...     # decoded, checked, in order
    test_archive(Source(f), threads) -> uncompressed size    # names every bad segment
    default_segment_size(level, size) -> S;  resolve_threads(0) -> all cores

Threads, not processes: the recipe kernels are compiled ``nogil=True`` and
Python only moves whole blocks (1 MiB by default) between kernel calls, so
two segments run on two cores at once (measured: docs/RESULTS.md).  Each
worker builds its own Engine (model) per segment; nothing is shared.

Memory: at most ``threads`` segments are being coded and one more is being
filled (writing) or read (reading), so about (threads + 1) x (model of the
level + 2 x S): ``worker_memory`` says it per worker.  A stream that does not
declare a segment size (one written before segments, or of one segment) is
buffered for a worker only up to PLAIN_CAP bytes; a longer one is decoded in
order by the reading thread, so memory stays bounded for any archive.
"""
from __future__ import annotations

import collections
import os
import threading
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterator

from mixzip.codec import format as fmt
from mixzip.codec import models
from mixzip.codec.engine import Engine
from mixzip.codec.errors import CorruptError, FormatError, LimitError, MixzipError
from mixzip.codec.models import DEFAULT_LEVEL

ModelSpec = object          # the provider's spec type (opaque here: models.py)
Check = Callable[[fmt.StreamHeader], None]

# Default segment size per level, chosen by measurement (docs/RESULTS.md,
# "Segments and threads", Debian documentation): (smallest, largest).  A
# stream of known size is cut in two halves, each within that range; a
# larger stream, or one of unknown size (a pipe), into segments of the
# largest.  So a 32 MiB input keeps two cores busy while a large one pays
# the restart of a fresh model only every 32 MiB: at level 8 on 64 MiB, 16
# MiB segments cost +1.54% against one segment, 32 MiB +0.27%; no input
# gets segments smaller than the fixed 16 MiB of earlier releases.  Level
# 1: 8 MiB (+0.72% on 32 MiB, and it is fast enough to want more segments).
SEGMENT_SIZE = {1: (8 << 20, 8 << 20), 2: (16 << 20, 32 << 20), 3: (16 << 20, 32 << 20),
                4: (16 << 20, 32 << 20), 5: (16 << 20, 32 << 20), 6: (16 << 20, 32 << 20),
                7: (16 << 20, 32 << 20), 8: (16 << 20, 32 << 20), 9: (16 << 20, 32 << 20),
                10: (16 << 20, 32 << 20)}
PLAIN_CAP = 64 << 20            # largest stream without a segment size held for a worker
MAX_BUFFERED_SEGMENT = 1 << 30  # larger declared segments are decoded in order, not buffered


def default_segment_size(level: int = DEFAULT_LEVEL, size: int | None = None) -> int:
    """The segment size a level writes by default for an input of ``size``
    bytes (None: unknown): half the input rounded up to whole MiB, within
    the level's range (SEGMENT_SIZE); the largest when the size is unknown."""
    lo, hi = SEGMENT_SIZE.get(level, SEGMENT_SIZE[DEFAULT_LEVEL])
    if size is None:
        return hi
    half = -(-size // 2)
    return min(hi, max(lo, -(-half >> 20) << 20))


def resolve_threads(threads: int) -> int:
    """Workers for ``threads``: 0 means one per available core (as zstd -T0)."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ValueError(f"threads must be a non-negative int, got {threads!r}")
    if threads:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_memory(spec: ModelSpec, segment_size: int) -> int:
    """Bytes one worker needs: the model, a segment of data and its coded form."""
    return model_memory(spec) + 2 * segment_size


def model_memory(spec: ModelSpec) -> int:
    """Bytes of model state decoding a stream of this spec allocates (its
    plugins' own state not included); FormatError for a spec that makes no sense."""
    try:
        return int(models.spec_memory(spec))
    except MixzipError:
        raise
    except Exception as exc:
        raise FormatError(f"bad model parameters ({spec.describe()}): {exc}") from None


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def check_memory(header: fmt.StreamHeader, limit: int | None) -> None:
    """LimitError if the model of this stream needs more than ``limit`` bytes."""
    if limit is not None:
        need = model_memory(header.spec)
        if need > limit:
            raise LimitError(f"the archive's model ({header.spec.describe()}) needs {mib(need)}, "
                             f"more than the memory limit of {mib(limit)}")


class Cancelled(MixzipError):
    """A worker stopped because its writer or reader was abandoned."""


def engine_for(spec: ModelSpec) -> Engine:
    """Build a stream's model; errors other than ours mean a bad header."""
    try:
        return Engine(spec)
    except MixzipError:
        raise
    except MemoryError:
        raise MixzipError(f"not enough memory for the archive's model ({spec.describe()})") from None
    except Exception as exc:
        raise FormatError(f"cannot build the archive's model ({spec.describe()}): {exc}") from None


def where(header: fmt.StreamHeader) -> str:
    """Prefix for messages about a stream: names the segment when it is one."""
    return "" if header.segment_index is None else f"segment {header.segment_index}: "


# ---------------------------------------------------------------- coding one segment

class SegmentEncoder:
    """Codes one stream or segment: ``header(segment, declared)``, then
    ``block(data)`` per block, then ``end(more)``; each returns archive bytes."""

    def __init__(self, spec: ModelSpec, block_size: int):
        self.engine = Engine(spec)
        self.spec, self.block_size = spec, block_size
        self.total = self.crc = self.blocks = 0

    def header(self, segment: tuple[int, int] | None, declared: int | None) -> bytes:
        return fmt.pack_header(self.spec.to_bytes(), self.block_size, declared, segment)

    def block(self, data) -> bytes:
        """The record and payload of one block."""
        data_crc = zlib.crc32(data)
        payload, stored = self.engine.encode_block(data)
        kind = fmt.STORED if stored else fmt.CODED
        self.crc = zlib.crc32(data, self.crc)
        self.total += len(data)
        self.blocks += 1
        return fmt.pack_block(kind, len(data), len(payload), data_crc) + payload

    def end(self, more: bool) -> bytes:
        return fmt.pack_end(self.total, self.crc, more)


def encode_segment(spec: ModelSpec, block_size: int, data, segment: tuple[int, int] | None,
                   declared: int | None, more: bool,
                   cancel: threading.Event | None = None) -> tuple[bytes, int]:
    """A whole stream or segment (header, blocks, end record) and its block count."""
    enc = SegmentEncoder(spec, block_size)
    parts = [enc.header(segment, declared)]
    with memoryview(data) as mv:
        for start in range(0, len(mv), block_size):
            if cancel is not None and cancel.is_set():
                raise Cancelled("abandoned")
            parts.append(enc.block(mv[start:start + block_size]))
    parts.append(enc.end(more))
    return b"".join(parts), enc.blocks


def decode_block(engine: Engine, rec: fmt.Record, payload: bytes, index: int, prefix: str = "") -> bytes:
    """Decode one block and check its CRC (every failure a MixzipError)."""
    try:
        data = engine.decode_block(payload, rec.size, rec.kind == fmt.STORED)
    except CorruptError as exc:
        if prefix:
            raise CorruptError(f"{prefix}{exc}") from exc
        raise
    except MixzipError:
        raise
    except Exception as exc:  # garbage can upset the model in many ways
        raise CorruptError(f"{prefix}cannot decode block {index}: {type(exc).__name__}: {exc}") from exc
    if len(data) != rec.size or zlib.crc32(data) != rec.crc:
        raise CorruptError(f"{prefix}data checksum mismatch (block {index})")
    return data


def decode_segment(header: fmt.StreamHeader, blocks: list[tuple[fmt.Record, bytes]], end: fmt.Record,
                   cancel: threading.Event | None = None) -> list[bytes]:
    """The checked data of one whole stream or segment whose framing was read."""
    prefix = where(header)
    engine = engine_for(header.spec)
    out, crc = [], 0
    for index, (rec, payload) in enumerate(blocks):
        if cancel is not None and cancel.is_set():
            raise Cancelled("abandoned")
        data = decode_block(engine, rec, payload, index, prefix)
        crc = zlib.crc32(data, crc)
        out.append(data)
    if end.crc != crc:
        raise CorruptError(f"{prefix}stream checksum mismatch")
    return out


class _Inline:
    """An executor that runs each job at once, in the calling thread."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the result
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def _executor(threads: int):
    return _Inline() if threads == 1 else ThreadPoolExecutor(threads, thread_name_prefix="mixzip")


# ---------------------------------------------------------------- writing

class SegmentWriter:
    """Cuts what is written into segments, codes them and hands the archive
    bytes to ``put`` in order.

    threads=1: each segment is coded as it comes, block by block, in the
    calling thread (no segment is buffered).  threads>1: a segment is handed
    to a worker once it is full and the next byte has arrived (so its end
    record can say whether another follows), or at ``close``; at most
    ``threads`` are coded at once.  Both cut blocks every ``block_size``
    bytes from the segment's start, so they write the same bytes.

    Whether the stream has several segments (and so whether the first
    segment's header carries the flag) is known at once when ``size`` is
    given, otherwise when byte S + 1 arrives or at ``close``; until then the
    first segment's coded blocks are held back.  ``flush`` writes all complete
    segments, then codes what the current one holds in the calling thread
    (cutting a block at the flush point) and keeps coding that segment there;
    with no ``size``, a flush before the first segment is complete commits
    the stream to the segmented layout.
    """

    def __init__(self, put: Callable[[bytes], None], spec: ModelSpec, block_size: int,
                 segment_size: int, size: int | None, threads: int):
        self._put = put
        self.spec = spec
        self.block_size = block_size
        self.segment_size = segment_size
        self.size = size
        self.threads = threads
        self.blocks = 0
        self.segments = 0
        self._decided = size is not None       # whether the first segment's layout is known
        self._segmented = size is not None and size > segment_size
        self._index = 0             # index of the segment being filled
        self._fill = 0              # bytes of it received
        self._buf = bytearray()     # its data, not yet coded (worker mode)
        self._enc: SegmentEncoder | None = None   # set while it is coded as it comes
        self._pending = bytearray()                 # ... and the part of a block not yet coded
        self._held: list[bytes] | None = None      # its coded blocks, while its header is unknown
        self._cancel = threading.Event()
        self._inflight: collections.deque[Future] = collections.deque()
        self._pool = None if threads == 1 else ThreadPoolExecutor(threads, thread_name_prefix="mixzip")
        if threads == 1:
            self._start_here()

    def write(self, mv: memoryview) -> None:
        seg, pos, n = self.segment_size, 0, len(mv)
        while pos < n:
            if self._fill == seg:
                self._end_segment(more=True)
            take = min(n - pos, seg - self._fill)
            if self._enc is not None:
                self._feed(mv[pos:pos + take])
            else:
                self._buf += mv[pos:pos + take]
            self._fill += take
            pos += take

    def flush(self) -> None:
        self._drain()
        if self._enc is None and self._buf:
            self._decided = True
            self._segmented = self._segmented or self.size is None
            self._start_here()
            data, self._buf = self._buf, bytearray()
            self._feed(data)
        if self._held is not None and self._fill:
            self._decided = self._segmented = True   # the rest may make more segments: say so now
            self._release_held()
        if self._enc is not None and self._pending:
            self._code_block(self._pending)
            self._pending = bytearray()

    def close(self) -> None:
        """Code the last segment and write everything (end records included)."""
        try:
            self._end_segment(more=False)
            self._drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def abort(self) -> None:
        """Stop: workers end at their next block; nothing more is written."""
        self._cancel.set()
        self._inflight.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    # -- internals
    def _header_args(self) -> tuple[tuple[int, int] | None, int | None]:
        """(segment, declared size) for the header of the current segment."""
        if not self._segmented:
            return None, self.size
        seg = self.segment_size
        declared = None if self.size is None else min(seg, self.size - self._index * seg)
        return (seg, self._index), declared

    def _start_here(self) -> None:
        """Code the current segment in this thread, as its data comes."""
        self._enc = SegmentEncoder(self.spec, self.block_size)
        if self._index == 0 and not self._decided:
            self._held = []
        else:
            self._put(self._enc.header(*self._header_args()))

    def _release_held(self) -> None:
        held, self._held = self._held, None
        self._put(self._enc.header(*self._header_args()))
        for raw in held:
            self._put(raw)

    def _end_segment(self, more: bool) -> None:
        if self._enc is not None:
            if self._pending:
                self._code_block(self._pending)
                self._pending = bytearray()
            if self._held is not None:
                self._decided, self._segmented = True, more
                self._release_held()
            self._put(self._enc.end(more))
            self._enc = None
            self.segments += 1
        else:
            if more:
                self._segmented = True
            segment, declared = self._header_args()
            data, self._buf = self._buf, bytearray()
            while len(self._inflight) >= self.threads:
                self._write_result(self._inflight.popleft())
            self._inflight.append(self._pool.submit(
                encode_segment, self.spec, self.block_size, data, segment, declared, more, self._cancel))
        if more:
            self._index += 1
            self._fill = 0
            if self.threads == 1:
                self._start_here()

    def _feed(self, chunk) -> None:
        """Code every block that ``chunk`` completes; keep the rest pending."""
        bs, pos, n = self.block_size, 0, len(chunk)
        if self._pending:
            pos = min(n, bs - len(self._pending))
            self._pending += chunk[:pos]
            if len(self._pending) < bs:
                return
            self._code_block(self._pending)
            self._pending = bytearray()
        while n - pos >= bs:
            self._code_block(chunk[pos:pos + bs])
            pos += bs
        self._pending += chunk[pos:]

    def _code_block(self, data) -> None:
        raw = self._enc.block(data)
        self.blocks += 1
        if self._held is not None:
            self._held.append(raw)
        else:
            self._put(raw)

    def _write_result(self, future: Future) -> None:
        raw, blocks = future.result()
        self._put(raw)
        self.blocks += blocks
        self.segments += 1

    def _drain(self) -> None:
        while self._inflight:
            self._write_result(self._inflight.popleft())


# ---------------------------------------------------------------- reading

class _Bad:
    """A segment that failed (kept by test_archive, which goes on)."""

    def __init__(self, error: MixzipError):
        self.error = error


def _cap(header: fmt.StreamHeader) -> int:
    seg = header.segment_size
    return seg if seg is not None and seg <= MAX_BUFFERED_SEGMENT else PLAIN_CAP


def _checked(job, keep_going: bool):
    def run(*args):
        try:
            return job(*args)
        except CorruptError as exc:
            if keep_going:
                return _Bad(exc)
            raise
    return run


def _results(src: fmt.Source, threads: int, keep_going: bool,
             check: Check | None = None) -> Iterator[bytes | _Bad]:
    """Decoded blocks of every stream in order (or _Bad per failed segment with keep_going)."""
    pool = _executor(threads)
    cancel = threading.Event()
    inflight: collections.deque[Future] = collections.deque()
    job = _checked(decode_segment, keep_going)

    def ready(limit: int) -> Iterator[bytes | _Bad]:
        while len(inflight) > limit:
            try:
                result = inflight.popleft().result()
            except BaseException:
                inflight.clear()     # nothing after a failed segment is handed out
                raise
            if isinstance(result, _Bad):
                yield result
            else:
                yield from result

    items = fmt.walk(src)
    try:
        try:
            for header in items:
                if check is not None:
                    check(header)             # limits, before the segment is read or its model built
                blocks: list[tuple[fmt.Record, bytes]] = []
                total = count = crc = 0
                cap, engine, prefix = _cap(header), None, where(header)
                for rec in items:
                    if rec.kind == fmt.END:
                        break
                    payload = src.read_exact(rec.payload_size, f"block payload (block {count + len(blocks)})")
                    blocks.append((rec, payload))
                    total += rec.size
                    if engine is None and total <= cap:
                        continue
                    if engine is None:        # too long to hold: decode it here, in order
                        yield from ready(0)
                        engine = engine_for(header.spec)
                    for r, p in blocks:
                        data = decode_block(engine, r, p, count, prefix)
                        crc = zlib.crc32(data, crc)
                        count += 1
                        yield data
                    blocks = []
                if engine is not None:
                    if rec.crc != crc:
                        raise CorruptError(f"{prefix}stream checksum mismatch")
                    continue
                yield from ready(threads - 1)
                inflight.append(pool.submit(job, header, blocks, rec, cancel))
        except MixzipError:
            yield from ready(0)      # report earlier segments' errors first, in order
            raise
        yield from ready(0)
    finally:
        cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)


def decode_parallel(src: fmt.Source, threads: int, check: Check | None = None) -> Iterator[bytes]:
    """The decoded, checked blocks of every stream of an archive, in order,
    decoding up to ``threads`` segments at once.  The first error raises
    (after everything before it was yielded).  ``check(header)`` is called
    for each stream header before its segment is read (limits)."""
    for item in _results(src, threads, keep_going=False, check=check):
        yield item  # type: ignore[misc]  # never _Bad without keep_going


def test_archive(src: fmt.Source, threads: int = 1, check: Check | None = None) -> int:
    """Decode everything, discarding it; return the uncompressed size.

    A segment whose data is bad is reported and the others are still
    checked (segments are independent): the CorruptError at the end names
    every bad segment.  A damaged framing (headers, records) stops the test
    there, since what follows cannot be trusted to be where it says.
    """
    total, bad = 0, []
    try:
        for item in _results(src, threads, keep_going=True, check=check):
            if isinstance(item, _Bad):
                bad.append(str(item.error))
            else:
                total += len(item)
    except MixzipError as exc:
        if not bad:
            raise
        bad.append(str(exc))
    if bad:
        raise CorruptError("; ".join(bad) if len(bad) == 1 else f"{len(bad)} errors: " + "; ".join(bad))
    return total


test_archive.__test__ = False  # not a pytest test
