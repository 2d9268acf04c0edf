"""Cluster: compress and decompress across a dask.distributed cluster.

Optional (``pip install 'mixzip[dask]'``).  Segments become tasks: each
worker reads its byte range of the input from a path every worker sees (a
shared file system) or an fsspec URL (``s3://...``, ``gcs://...``), codes it
with a fresh model, and sends the coded segment back; the client writes the
segments in order.  The archive is byte for byte the one ``mixzip -T N``
writes for the same file, level, block size and segment size (a stream of
one segment is one task).  Decompression: the client walks the archive's
framing (headers and records only, seeking past payloads) to find each
segment's byte range; workers decode the ranges and the client writes the
data in order.

How to call me:

    from dask.distributed import Client
    from mixzip import cluster
    client = Client("tcp://scheduler:8786")           # or Client(scheduler_file=...)
    cluster.compress_file(client, "/shared/big.log", "/shared/big.log.mxz", level=8)
    cluster.decompress_file(client, "/shared/big.log.mxz", "/shared/big.log.copy")
    cluster.compress_tree(client, "/shared/logs")       # every file F -> F.mxz beside it
    cluster.decompress_tree(client, "/shared/logs")     # every F.mxz -> F

``src`` is a path or an fsspec URL; ``dst`` a path, an fsspec URL or a
binary file object.  A local ``dst`` path is written to a temporary file
beside it and renamed on success (never over an existing file unless
``force``).  At most ``window`` tasks (default: 2 per worker thread + 1)
are in flight, so the client holds at most that many coded (or, decoding,
decoded) segments: memory is bounded for any input.  Workers need mixzip
installed and, for URLs, fsspec and the file system's driver.

CLI: ``mixzip --scheduler ADDRESS [-d] FILE|DIR ...`` (ADDRESS as for
``dask.distributed.Client``, or a scheduler file ``*.json`` as written by
``dask scheduler --scheduler-file``).
"""
from __future__ import annotations

import builtins
import collections
import contextlib
import io
import os
import tempfile
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence, Union

from mixzip.codec import format as fmt
from mixzip.codec import segments
from mixzip.codec.errors import MixzipError
from mixzip.codec.format import DEFAULT_BLOCK_SIZE
from mixzip.codec import models
from mixzip.codec.models import DEFAULT_LEVEL, spec_for_level

SUFFIX = ".mxz"
Target = Union[str, os.PathLike, BinaryIO]


def _is_url(path: str) -> bool:
    return "://" in path


def _open(path: str, mode: str):
    """A path (built-in open) or an fsspec URL, opened in binary ``mode``."""
    if _is_url(path):
        import fsspec

        return fsspec.open(path, mode).open()
    return builtins.open(path, mode)


def _size(path: str) -> int:
    if _is_url(path):
        import fsspec

        fs, p = fsspec.core.url_to_fs(path)
        return int(fs.size(p))
    return os.stat(path).st_size


def _read_range(path: str, offset: int, length: int) -> bytes:
    with _open(path, "rb") as f:
        f.seek(offset)
        data = f.read(length)
        while len(data) < length:          # file objects may return short reads
            more = f.read(length - len(data))
            if not more:
                raise MixzipError(f"{path}: ends before byte {offset + length} (changed while coding?)")
            data += more
    return data


# ---------------------------------------------------------------- tasks (run on workers)

def _compress_task(path: str, offset: int, length: int, spec_raw: bytes, block_size: int,
                   segment: tuple[int, int] | None, declared: int | None, more: bool) -> bytes:
    data = _read_range(path, offset, length)
    raw, _blocks = segments.encode_segment(models.parse_spec(spec_raw), block_size, data,
                                           segment, declared, more)
    return raw


def _decompress_task(path: str, start: int, end: int) -> bytes:
    """Decode the one stream or segment at [start, end) (the client checked
    the order of the segments when it walked the framing)."""
    src = fmt.Source(io.BytesIO(_read_range(path, start, end - start)))
    fmt.read_magic(src, True)
    header = fmt.read_header(src)
    blocks, total = [], 0
    while True:
        rec = fmt.read_record(src, header, len(blocks), total)
        if rec.kind == fmt.END:
            break
        blocks.append((rec, src.read_exact(rec.payload_size, f"block payload (block {len(blocks)})")))
        total += rec.size
    return b"".join(segments.decode_segment(header, blocks, rec))


# ---------------------------------------------------------------- planning (client)

def plan_compress(size: int, spec, block_size: int, segment_size: int) -> list[tuple]:
    """The segment tasks' arguments for an input of ``size`` bytes:
    (offset, length, segment, declared, more), exactly as SegmentWriter cuts
    a stream of known size."""
    fmt.check_segment_size(segment_size)
    count = max(1, -(-size // segment_size))
    if count == 1:
        return [(0, size, None, size, False)]
    return [(i * segment_size, min(segment_size, size - i * segment_size), (segment_size, i),
             min(segment_size, size - i * segment_size), i < count - 1) for i in range(count)]


def plan_decompress(path: str) -> list[tuple[int, int, int]]:
    """(start, end, data bytes) of every stream or segment of an archive, from
    its framing alone (checked as ``info`` checks it; payloads are skipped)."""
    ranges, start = [], 0
    with _open(path, "rb") as f:
        src = fmt.Source(f)
        for item in fmt.walk(src):
            if isinstance(item, fmt.StreamHeader):
                start = src.pos - item.nbytes
            elif item.kind == fmt.END:
                ranges.append((start, src.pos, item.size))
            else:
                src.skip(item.payload_size, "block payload")
    return ranges


# ---------------------------------------------------------------- running in order

def _default_window(client) -> int:
    try:
        threads = sum(client.nthreads().values())
    except Exception:  # noqa: BLE001 - a client that cannot tell
        threads = 1
    return 2 * max(1, threads) + 1


@contextlib.contextmanager
def _output(dst: Target, force: bool) -> Iterator[BinaryIO]:
    """A binary file to write ``dst`` through: a temporary file renamed over a
    local path on success, an fsspec URL opened directly, a file object as is."""
    if not isinstance(dst, (str, os.PathLike)):
        yield dst
        return
    dst = os.fspath(dst)
    if _is_url(dst):
        with _open(dst, "wb") as f:
            yield f
        return
    if os.path.lexists(dst) and not force:
        raise MixzipError(f"{dst} already exists (force=True to overwrite)")
    directory, base = os.path.split(dst)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.replace(tmp, dst)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _run_in_order(client, jobs: Iterable[tuple[Target, list[tuple[Callable, tuple]]]],
                  window: int | None, force: bool) -> list[tuple[int, int]]:
    """Run every job's tasks on the cluster, at most ``window`` in flight, and
    write each job's results, in order, to its target.  Returns (tasks, bytes
    written) per job."""
    window = window or _default_window(client)
    flat: Iterator = ((j, dst, k == len(tasks) - 1, fn, args)
                      for j, (dst, tasks) in enumerate(jobs) for k, (fn, args) in enumerate(tasks))
    inflight: collections.deque = collections.deque()
    done: list[tuple[int, int]] = []
    current: tuple[int, BinaryIO, contextlib.ExitStack] | None = None
    try:
        exhausted = False
        while inflight or not exhausted:
            while not exhausted and len(inflight) < window:
                item = next(flat, None)
                if item is None:
                    exhausted = True
                    break
                j, dst, last, fn, args = item
                inflight.append((j, dst, last, client.submit(fn, *args, pure=False)))
            if not inflight:
                break
            j, dst, last, future = inflight.popleft()
            raw = future.result()
            future.release()
            if current is None or current[0] != j:
                job_stack = contextlib.ExitStack()
                current = (j, job_stack.enter_context(_output(dst, force)), job_stack)
                done.append((0, 0))
            current[1].write(raw)
            count, written = done[-1]
            done[-1] = (count + 1, written + len(raw))
            if last:
                current[2].close()         # commits (renames) the finished output
                current = None
    except BaseException:
        for *_x, future in inflight:
            future.cancel()
        if current is not None:
            with contextlib.suppress(BaseException):
                current[2].__exit__(MixzipError, MixzipError("aborted"), None)
        raise
    return done


# ---------------------------------------------------------------- the API

def _compress_job(src: str, dst: Target, level: int, plugins: Sequence[str], block_size: int,
                  segment_size: int | None):
    spec = spec_for_level(level, tuple(plugins))
    size = _size(src)
    seg = segments.default_segment_size(level, size) if segment_size is None else segment_size
    spec = models.fit_spec(spec, min(size, seg))      # as MixzipWriter does for a known size
    tasks = [(_compress_task, (src, off, n, spec.to_bytes(), block_size, segment, declared, more))
             for off, n, segment, declared, more in plan_compress(size, spec, block_size, seg)]
    return size, (dst, tasks)


def _absolute(path: str | os.PathLike) -> str:
    path = os.fspath(path)
    return path if _is_url(path) else os.path.abspath(path)


def compress_file(client, src: str | os.PathLike, dst: Target, level: int = DEFAULT_LEVEL, *,
                  plugins: Sequence[str] = (), block_size: int = DEFAULT_BLOCK_SIZE,
                  segment_size: int | None = None, window: int | None = None,
                  force: bool = False) -> tuple[int, int]:
    """Compress the file or URL ``src`` into ``dst`` on the cluster of ``client``,
    one task per segment.  Returns (bytes read, bytes written)."""
    fmt.check_block_size(block_size)
    size, job = _compress_job(_absolute(src), dst, level, plugins, block_size, segment_size)
    [(_tasks, written)] = _run_in_order(client, [job], window, force)
    return size, written


def decompress_file(client, src: str | os.PathLike, dst: Target, *, window: int | None = None,
                    force: bool = False) -> tuple[int, int]:
    """Decompress the archive ``src`` (path or URL) into ``dst`` on the cluster,
    one task per stream or segment.  Returns (bytes read, bytes written)."""
    src = _absolute(src)
    ranges = plan_decompress(src)
    tasks = [(_decompress_task, (src, start, end)) for start, end, _n in ranges]
    [(_tasks, written)] = _run_in_order(client, [(dst, tasks)], window, force)
    return (ranges[-1][1] if ranges else 0), written


def _files_under(root: str) -> list[str]:
    if _is_url(root):
        import fsspec

        fs, path = fsspec.core.url_to_fs(root)
        protocol = root.split("://", 1)[0]
        return sorted(f"{protocol}://{p}" for p in fs.find(path))
    return sorted(os.path.join(d, name) for d, _dirs, names in os.walk(root) for name in names
                  if os.path.isfile(os.path.join(d, name)) and not os.path.islink(os.path.join(d, name)))


def _tree_target(path: str, root: str, dst_root: str | None, new_name: str) -> str:
    if dst_root is None:
        return os.path.join(os.path.dirname(path), new_name) if not _is_url(path) \
            else path.rsplit("/", 1)[0] + "/" + new_name
    rel = os.path.relpath(os.path.dirname(path), root) if not _is_url(path) \
        else path[len(root.rstrip("/")) + 1:].rpartition("/")[0]
    target_dir = os.path.join(dst_root, rel) if not _is_url(dst_root) else f"{dst_root.rstrip('/')}/{rel}"
    if not _is_url(target_dir):
        os.makedirs(target_dir, exist_ok=True)
    return os.path.join(target_dir, new_name) if not _is_url(target_dir) else f"{target_dir.rstrip('/')}/{new_name}"


def compress_tree(client, src_dir: str | os.PathLike, dst_dir: str | os.PathLike | None = None,
                  level: int = DEFAULT_LEVEL, *, plugins: Sequence[str] = (),
                  block_size: int = DEFAULT_BLOCK_SIZE, segment_size: int | None = None,
                  window: int | None = None, force: bool = False) -> list[tuple[str, str, int, int]]:
    """Compress every file under ``src_dir`` (except ``*.mxz``) to ``NAME.mxz``,
    beside it or at the same relative place under ``dst_dir``; all files'
    segments share the cluster.  Returns (source, archive, bytes in, bytes out)
    per file."""
    root = _absolute(src_dir)
    dst_root = None if dst_dir is None else _absolute(dst_dir)
    files = [p for p in _files_under(root) if not p.endswith(SUFFIX)]
    jobs, sizes, targets = [], [], []
    for path in files:
        target = _tree_target(path, root, dst_root, os.path.basename(path.rstrip("/")) + SUFFIX)
        size, job = _compress_job(path, target, level, plugins, block_size, segment_size)
        jobs.append(job)
        sizes.append(size)
        targets.append(target)
    done = _run_in_order(client, jobs, window, force)
    return [(f, t, n, w) for f, t, n, (_c, w) in zip(files, targets, sizes, done)]


def decompress_tree(client, src_dir: str | os.PathLike, dst_dir: str | os.PathLike | None = None, *,
                    window: int | None = None, force: bool = False) -> list[tuple[str, str, int, int]]:
    """Decompress every ``NAME.mxz`` under ``src_dir`` to ``NAME`` (beside it or
    under ``dst_dir``).  Returns (archive, output, bytes in, bytes out) per file."""
    root = _absolute(src_dir)
    dst_root = None if dst_dir is None else _absolute(dst_dir)
    files = [p for p in _files_under(root) if p.endswith(SUFFIX) and len(os.path.basename(p)) > len(SUFFIX)]
    jobs, sizes, targets = [], [], []
    for path in files:
        ranges = plan_decompress(path)
        target = _tree_target(path, root, dst_root, os.path.basename(path)[: -len(SUFFIX)])
        jobs.append((target, [(_decompress_task, (path, s, e)) for s, e, _n in ranges]))
        sizes.append(ranges[-1][1] if ranges else 0)
        targets.append(target)
    done = _run_in_order(client, jobs, window, force)
    return [(f, t, n, w) for f, t, n, (_c, w) in zip(files, targets, sizes, done)]


def connect(address: str):
    """A ``dask.distributed.Client`` for a scheduler address or a scheduler file (``*.json``)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise MixzipError("--scheduler needs dask: pip install 'mixzip[dask]'") from None
    if address.endswith(".json") and os.path.isfile(address):
        return Client(scheduler_file=address)
    return Client(address)
