"""The ``mixzip`` command: gzip/xz/zstd habits over the streaming codec.

    mixzip [OPTIONS] [FILE]...      FILE -> FILE.mxz; -d, -t, -l, -c, -o ...
    mixzip bench [FILE]...          compare with zstd -19, xz -9e, bzip2 -9
    mixzip analyze FILE             per-component gain, MoE router, bpb trace
    mixzip tune [FILE]...           fit the EML heuristics on a corpus

Nothing is lost: output goes to a temporary file next to the destination and
is renamed over it only when everything succeeded; inputs are kept unless
``--rm``; an existing output is never replaced without ``-f``.

Each failure is one line ``mixzip: FILE: message`` on stderr (no traceback
unless MIXZIP_DEBUG=1) and the next file is still processed.  The exit status
is the worst seen: 0 ok, 2 warning, 1 error, 130 interrupted; SIGTERM and
SIGHUP remove the temporary file and exit 128+signal, a closed stdout pipe
exits 141 quietly.  Messages and progress go to stderr; stdout carries only
data, the ``-l`` listing or the bench table.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass

import click

from mixzip import codec
from mixzip.codec import models as codec_models
from mixzip._entry import Terminated, ending_signals
from mixzip.codec import segments
from mixzip.codec.errors import MixzipError
from mixzip.predictors import recipes

SUFFIX = ".mxz"
STDIO = "-"
OK, ERROR, WARNING, INTERRUPTED = 0, 1, 2, 130
BROKEN_PIPE = 128 + 13       # what a shell reports for gzip/xz/zstd killed by SIGPIPE
_SEVERITY = {OK: 0, WARNING: 1, ERROR: 2, INTERRUPTED: 3}


class Problem(Exception):
    """A one-line failure of the current file (an error, or a warning)."""

    def __init__(self, message: str, status: int = ERROR):
        super().__init__(message)
        self.status = status


def worst(a: int, b: int) -> int:
    return max(a, b, key=_SEVERITY.__getitem__)


@dataclass(frozen=True)
class Settings:
    """What the options of one invocation ask for."""

    mode: str = "compress"           # compress | decompress | test | list
    to_stdout: bool = False
    output: str | None = None
    keep: bool = True
    force: bool = False
    verbose: bool = False
    quiet: bool = False
    level: int = recipes.DEFAULT_LEVEL
    plugins: tuple = ()
    block_size: int | None = None
    verify: bool = False
    memory_limit: int | None = None  # -M: refuse models that need more (bytes)
    progress: bool = True            # --no-progress turns it off
    threads: int = 1                 # -T: segments coded at once (0: all cores)
    segment_size: int | None = None  # --segment-size (None: the level's)
    scheduler: str | None = None     # --scheduler: code on a dask.distributed cluster


# --------------------------------------------------------------------------
# Terminals, messages, errors

def isatty(stream) -> bool:
    """Whether a stream is a terminal (False for anything that cannot tell)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def stdin_binary():
    return getattr(sys.stdin, "buffer", sys.stdin)


def stdout_binary():
    return getattr(sys.stdout, "buffer", sys.stdout)


def say(message: str) -> None:
    click.echo(f"mixzip: {message}", err=True)


def display(name: str) -> str:
    return "(stdin)" if name == STDIO else name


def describe(exc: BaseException, name: str | None = None) -> str:
    """The one-line message for an exception (traceback only if MIXZIP_DEBUG=1)."""
    if isinstance(exc, (Problem, MixzipError, ValueError)):
        return str(exc)
    if isinstance(exc, OSError):
        text = exc.strerror or str(exc)
        if exc.filename is not None and os.fspath(exc.filename) != name:
            text = f"{os.fspath(exc.filename)}: {text}"
        return text
    if isinstance(exc, MemoryError):
        return "out of memory (try a lower level)"
    if os.environ.get("MIXZIP_DEBUG") == "1":
        traceback.print_exception(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------
# Output files: temp file next to the destination, renamed on success

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


TMP_SUFFIX = ".tmp"
_RANDOM_CHARS = 8          # tempfile.mkstemp's random part


def _name_max(directory: str) -> int:
    """The longest file name (in bytes) the directory's file system takes."""
    try:
        return int(os.pathconf(directory, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def temp_prefix(base: str, directory: str) -> str:
    """``.<base>.`` for the temporary file, with ``base`` shortened (whole
    characters) so that the temporary name fits the file system's limit:
    a 250-byte name must not fail because its temporary name is 264 bytes."""
    room = _name_max(directory) - len(".." + TMP_SUFFIX) - _RANDOM_CHARS
    while len(os.fsencode(base)) > max(room, 1):
        base = base[:-1]
    return f".{base}."


def is_special(st: os.stat_result | None) -> bool:
    """A device node or FIFO: written into directly, never replaced."""
    return st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                               or stat.S_ISFIFO(st.st_mode))


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


class AtomicFile:
    """A temporary ``.<name>.XXXX.tmp`` beside ``path``; ``commit`` renames it over
    ``path``, leaving the context without commit removes it."""

    def __init__(self, path: str, force: bool):
        if os.path.isdir(path):
            raise Problem(f"cannot write {path}: it is a directory (name the output file)")
        if os.path.lexists(path) and not force:
            raise Problem(f"{path} already exists; use -f to overwrite")
        self.path = path
        directory, base = os.path.split(path)
        directory = directory or "."
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=temp_prefix(base, directory), suffix=TMP_SUFFIX,
                                            dir=directory)
        except OSError as exc:
            raise Problem(f"cannot create {path}: {exc.strerror or exc}") from None
        self.file = os.fdopen(fd, "w+b")

    def commit(self, like: os.stat_result | None) -> None:
        """Give the output the mode and times of ``like`` (else a new file's
        mode) and move it into place."""
        self.file.close()
        if like is None:
            os.chmod(self.tmp, 0o666 & ~_umask())
        else:
            os.chmod(self.tmp, stat.S_IMODE(like.st_mode))
            os.utime(self.tmp, ns=(like.st_atime_ns, like.st_mtime_ns))
        try:
            os.replace(self.tmp, self.path)
        except OSError as exc:          # name the user's path, not the temporary one
            if os.path.isdir(self.path):
                raise Problem(f"cannot write {self.path}: it is a directory (name the output file)") from None
            raise Problem(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            self.file.close()
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None

    def __enter__(self) -> "AtomicFile":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def _write_through(out, job, check):
    """``job(out)`` straight into a stream (stdout, a device, a FIFO); with a
    ``check``, the data waits in an anonymous temporary file until checked."""
    if check is None:
        result = job(out)
    else:
        with tempfile.TemporaryFile() as tmp:
            result = job(tmp)
            check(tmp)
            tmp.seek(0)
            shutil.copyfileobj(tmp, out)
    out.flush()
    return result


def write_output(dest: str | None, like, force: bool, job, check=None):
    """Run ``job(dst)`` into ``dest`` (None: stdout) and return its result.

    A regular file ``dest`` is only replaced once the job and ``check(file)``
    both succeeded.  An existing device node or FIFO (``-o /dev/null``, a
    named pipe) is written into directly, never renamed over; a block device
    only with ``force``."""
    if dest is None:
        return _write_through(stdout_binary(), job, check)
    st = _stat(dest)
    if is_special(st):
        if stat.S_ISBLK(st.st_mode) and not force:
            raise Problem(f"{dest} is a block device; use -f to write onto it")
        try:
            out = open(dest, "wb")
        except OSError as exc:
            raise Problem(f"cannot write {dest}: {exc.strerror or exc}") from None
        with out:
            return _write_through(out, job, check)
    with AtomicFile(dest, force) as af:
        result = job(af.file)
        if check is not None:
            check(af.file)
        af.commit(like)
    return result


# --------------------------------------------------------------------------
# Inputs, progress, hashing

def _is_regular(st: os.stat_result | None) -> bool:
    return st is not None and stat.S_ISREG(st.st_mode)


@contextlib.contextmanager
def open_input(name: str, s: Settings):
    """Yield (binary file, stat or None).  Compressed data is not read from a terminal."""
    if name == STDIO:
        src = stdin_binary()
        if s.mode != "compress" and isatty(src) and not s.force:
            raise Problem("refusing to read compressed data from a terminal; use -f to force")
        try:
            st = os.fstat(src.fileno())
        except (AttributeError, OSError, ValueError):   # io.UnsupportedOperation too
            st = None
        yield src, st
        return
    if os.path.isdir(name):
        raise Problem("is a directory -- ignored (use -r to go into directories)")
    with open(name, "rb") as f:
        yield f, os.fstat(f.fileno())


def stderr_columns() -> int:
    """The width of the terminal on stderr (80 if it cannot tell)."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


def clock(seconds: float) -> str:
    """Elapsed or remaining time as xz shows it: 0:05, 12:34, 1:02:03."""
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
    """The progress line ``xz -v`` shows, on stderr, redrawn in place:

        mixzip: NAME:  42.0 %  1.2 MiB / 5.0 MiB = 0.240  0.52 MiB/s  0:05  0:07 left

    percent of the input read (archive bytes when decompressing), compressed
    / uncompressed bytes so far = their ratio, speed (uncompressed bytes per
    second), elapsed time and an estimate of the time left.  Reading a pipe
    (size unknown) there is no percent and no estimate.  ``update`` is called
    per block; a ticker thread also redraws it twice a second, so the time
    moves while a slow level codes a block (the kernels release the GIL).

    Only when stderr is a terminal and neither -q nor --no-progress; it first
    shows after DELAY seconds (at once with -v), so quick runs stay quiet,
    and is wiped when the file is done.
    """

    REFRESH = 0.5          # the ticker's redraw period (seconds)
    MIN_GAP = 0.1          # at most ten redraws a second from block updates
    DELAY = 0.5

    def __init__(self, label: str, total: int | None, compressing: bool, enabled: bool,
                 delay: float = DELAY, clock=time.monotonic):
        self.label, self.total, self.compressing = label, total, compressing
        self.enabled, self.delay, self._clock = enabled, delay, clock
        self.start = clock()
        self.read = self.written = 0
        self.width = 0
        self._drawn = float("-inf")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        if enabled:
            self._thread = threading.Thread(target=self._tick, name="mixzip-progress", daemon=True)
            self._thread.start()

    def line(self) -> str:
        """The progress text for the counts so far."""
        elapsed = self._clock() - self.start
        comp, orig = (self.written, self.read) if self.compressing else (self.read, self.written)
        parts = [f"mixzip: {self.label}:"]
        if self.total:
            parts.append(f"{min(100.0, 100 * self.read / self.total):5.1f} %")
        parts.append(f"{human(comp)} / {human(orig)}" + (f" = {comp / orig:.3f}" if orig else ""))
        parts.append(f"{human(int(orig / elapsed)) if elapsed > 0 else human(0)}/s")
        parts.append(clock(elapsed))
        if self.total and self.read and elapsed >= 1:
            parts.append(f"{clock(elapsed * (self.total - self.read) / self.read)} left")
        return "  ".join(parts)

    def update(self, read: int | None = None, written: int | None = None) -> None:
        if read is not None:
            self.read = read
        if written is not None:
            self.written = written
        now = self._clock()
        if self.enabled and now - self.start >= self.delay and now - self._drawn >= self.MIN_GAP:
            self.draw()

    def __call__(self, read: int) -> None:   # the codec's progress callback
        self.update(read=read)

    def draw(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            text = self.line()[:max(stderr_columns() - 1, 20)]
            sys.stderr.write("\r" + text.ljust(self.width))
            sys.stderr.flush()
            self.width = max(self.width, len(text))
            self._drawn = self._clock()

    def _tick(self) -> None:
        while not self._stop.wait(self.REFRESH):
            if self._clock() - self.start >= self.delay:
                with contextlib.suppress(Exception):     # stderr gone: nothing to show
                    self.draw()

    def callback(self):
        return self if self.enabled else None

    def close(self) -> None:
        if self._thread is not None:
            with self._lock:
                self._stop.set()
            self._thread.join()
            self._thread = None
        if self.width:
            with contextlib.suppress(Exception):
                sys.stderr.write("\r" + " " * self.width + "\r")
                sys.stderr.flush()
            self.width = 0


class CountingWriter:
    """Writes through to ``f``, telling ``progress`` how many bytes went out."""

    def __init__(self, f, progress: Progress):
        self.f, self.progress, self.count = f, progress, 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        n = self.f.write(data)
        self.count += len(data) if n is None else n
        self.progress.update(written=self.count)
        return n

    def flush(self) -> None:
        self.f.flush()


@contextlib.contextmanager
def progress_for(name: str, st, s: Settings, compressing: bool, dest: str | None):
    """A Progress for one file: only when stderr is a terminal, not with
    -q/--no-progress, and not while the data itself goes to the terminal."""
    enabled = (s.progress and not s.quiet and isatty(sys.stderr)
               and not (dest is None and isatty(stdout_binary())))
    bar = Progress(display(name), st.st_size if _is_regular(st) else None, compressing, enabled,
                   delay=0 if s.verbose else Progress.DELAY)
    try:
        yield bar
    finally:
        bar.close()


class HashingReader:
    """Reads through to ``f``, hashing what was read (for --verify)."""

    def __init__(self, f):
        self.f, self.sha = f, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.sha.update(data)
        return data

    def readinto(self, buf) -> int:
        n = self.f.readinto(buf)
        self.sha.update(memoryview(buf)[:n])
        return n


class HashingSink:
    """A write-only sink that only hashes (for --verify)."""

    def __init__(self):
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha.update(data)
        return len(data)

    def flush(self) -> None:
        pass


# --------------------------------------------------------------------------
# One file

def destination(name: str, s: Settings) -> str | None:
    """The output path for input ``name``; None means stdout."""
    if s.output is not None and s.output != STDIO:
        return s.output
    if s.to_stdout or s.output == STDIO or name == STDIO:
        return None
    has_suffix = name.endswith(SUFFIX) and len(os.path.basename(name)) > len(SUFFIX)
    if s.mode == "compress":
        if has_suffix:
            raise Problem(f"already has {SUFFIX} suffix -- unchanged", WARNING)
        return name + SUFFIX
    if not has_suffix:
        raise Problem("unknown suffix -- ignored")
    return name[: -len(SUFFIX)]


def check_distinct(st, dest: str | None) -> None:
    if st is None or dest is None:
        return
    with contextlib.suppress(OSError):
        if os.path.samestat(st, os.stat(dest)):
            raise Problem("input and output are the same file")


def summary(name: str, dest: str | None, n_in: int, n_out: int, seconds: float,
            compressing: bool) -> None:
    """The -v line: sizes, ratio, bits per byte, time, speed (of uncompressed bytes)."""
    original, compressed = (n_in, n_out) if compressing else (n_out, n_in)
    ratio = f"{original / compressed:.3f}" if compressed else "-"
    bpb = f"{8 * compressed / original:.3f}" if original else "-"
    speed = original / seconds / 1e6 if seconds > 0 else 0.0
    target = "(stdout)" if dest is None else dest
    click.echo(f"{display(name)} -> {target}: {n_in:,} -> {n_out:,} bytes, ratio {ratio}, "
               f"{bpb} bpb, {seconds:.2f} s, {speed:.2f} MB/s", err=True)


def do_compress(name: str, s: Settings) -> None:
    dest = destination(name, s)
    if dest is None and isatty(stdout_binary()) and not s.force:
        raise Problem("refusing to write compressed data to a terminal; use -f to force")
    start = time.perf_counter()
    with open_input(name, s) as (src, st):
        check_distinct(st, dest)
        reader = HashingReader(src) if s.verify else src
        options = dict(plugins=s.plugins, **({} if s.block_size is None else {"block_size": s.block_size}),
                       threads=s.threads, segment_size=s.segment_size)
        if name != STDIO and _is_regular(st):
            options["size"] = st.st_size          # recorded in the header, and checked
        with progress_for(name, st, s, True, dest) as bar:
            def job(dst):
                out = CountingWriter(dst, bar) if bar.enabled else dst
                return codec.compress_stream(reader, out, s.level, progress=bar.callback(), **options)
            check = (lambda f: verify(f, reader.sha.digest(), s)) if s.verify else None
            n_in, n_out = write_output(dest, st, s.force, job, check)
    finish(name, dest, s)
    if s.verbose and not s.quiet:
        summary(name, dest, n_in, n_out, time.perf_counter() - start, True)


def verify(f, expected: bytes, s: Settings) -> None:
    """Decompress the archive in ``f`` and compare with the input's sha256.
    With plugins, a failure is theirs: the rest of mixzip is deterministic."""
    plugins = s.plugins
    f.flush()
    f.seek(0)
    sink = HashingSink()
    blame = ""
    if plugins:
        names = ", ".join(plugins)
        blame = (f"; {'plugin ' + names + ' is' if len(plugins) == 1 else 'one of the plugins ' + names + ' is'} "
                 "not deterministic (the decoder's predictions differ from the encoder's)")
    try:
        codec.decompress_stream(f, sink, threads=s.threads)
    except MixzipError as exc:
        raise Problem(f"verify failed: {exc}{blame}") from None
    if sink.sha.digest() != expected:
        raise Problem(f"verify failed: decompressed data differs from the input{blame}")


def do_decompress(name: str, s: Settings) -> None:
    dest = destination(name, s)
    start = time.perf_counter()
    with open_input(name, s) as (src, st):
        check_distinct(st, dest)
        with progress_for(name, st, s, False, dest) as bar:
            def job(dst):
                out = CountingWriter(dst, bar) if bar.enabled else dst
                return codec.decompress_stream(src, out, progress=bar.callback(),
                                               memory_limit=s.memory_limit, threads=s.threads)
            n_in, n_out = write_output(dest, st, s.force, job)
    finish(name, dest, s)
    if s.verbose and not s.quiet:
        summary(name, dest, n_in, n_out, time.perf_counter() - start, False)


def finish(name: str, dest: str | None, s: Settings) -> None:
    """--rm: delete the input once its output is safely in place."""
    if not s.keep and name != STDIO and dest is not None:
        os.unlink(name)


def do_test(name: str, s: Settings) -> None:
    with open_input(name, s) as (src, _):
        n = codec.test(src, memory_limit=s.memory_limit, threads=s.threads)
    if s.verbose and not s.quiet:
        click.echo(f"{display(name)}: OK ({n:,} bytes)", err=True)


def run_one(job, name: str, s: Settings) -> int:
    """Run ``job`` on one file; report a failure in one line; return the status."""
    try:
        job(name, s)
        return OK
    except KeyboardInterrupt:
        say(f"{display(name)}: interrupted")
        return INTERRUPTED
    except Problem as exc:
        if exc.status == ERROR or not s.quiet:
            say(f"{display(name)}: {exc}")
        return exc.status
    except BrokenPipeError:
        raise                       # the reader went away: stop quietly (MixzipGroup.main)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line
        say(f"{display(name)}: {describe(exc, name)}")
        return ERROR


# --------------------------------------------------------------------------
# -l

def human(n: int) -> str:
    """A byte count in binary units, as xz -l shows them: 512 B, 12.3 KiB, 1.0 MiB."""
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
    raise AssertionError


@dataclass(frozen=True)
class Listed:
    """One -l row (or the totals row)."""
    name: str
    compressed: int
    original: int
    streams: int
    segments: int
    blocks: int
    block_size: int | None
    memory: int            # model memory a decode needs (the largest stream's)
    thread_memory: int     # memory per thread (-T): the model and two segments
    model: str


def do_list(name: str, s: Settings) -> Listed:
    with open_input(name, s) as (src, _):
        inf = codec.info(src)
    memory = max(codec.model_memory(spec) for spec in inf.specs)
    per_thread = memory + 2 * (inf.segment_size or inf.original_size)    # -T N decodes with N x this
    return Listed(display(name), inf.compressed_size, inf.original_size, inf.streams, inf.segments,
                  inf.blocks, inf.block_size, memory, per_thread, inf.spec.describe())


def totals(rows: list[Listed]) -> Listed:
    return Listed(f"({len(rows)} files)", sum(r.compressed for r in rows), sum(r.original for r in rows),
                  sum(r.streams for r in rows), sum(r.segments for r in rows), sum(r.blocks for r in rows),
                  None, max(r.memory for r in rows), max(r.thread_memory for r in rows), "")


def format_listing(rows: list[Listed], verbose: bool = False) -> str:
    """The -l table: exact byte counts for one file (and with -v), binary units
    for several, then a totals row, and the memory per thread (-T) a decode
    needs; -v adds streams, segments, block size and the model's memory."""
    size = (lambda n: f"{n:,}") if verbose or len(rows) == 1 else human
    head = ["compressed", "uncompressed", "ratio", "bpb"]
    head += ["streams", "segments", "blocks", "block size", "memory"] if verbose else ["blocks", "segments"]
    head += ["mem/thread"]
    head += ["model", "name"]
    table = [head]
    body = [*rows, totals(rows)] if len(rows) > 1 else rows
    for r in body:
        ratio = f"{r.original / r.compressed:.3f}" if r.compressed else "-"
        bpb = f"{8 * r.compressed / r.original:.3f}" if r.original else "-"
        cells = [size(r.compressed), size(r.original), ratio, bpb]
        if verbose:
            cells += [str(r.streams), str(r.segments), str(r.blocks),
                      "-" if r.block_size is None else human(r.block_size), human(r.memory)]
        else:
            cells += [str(r.blocks), str(r.segments)]
        cells += [human(r.thread_memory)]
        table.append(cells + [r.model, r.name])
    n_num = len(head) - 2
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = []
    for row in table:
        numbers = [row[i].rjust(widths[i]) for i in range(n_num)]
        lines.append("  ".join([*numbers, row[n_num].ljust(widths[n_num]), row[n_num + 1]]).rstrip())
    return "\n".join(lines)


def list_files(names: list[str], s: Settings) -> int:
    status, rows = OK, []

    def job(name, s):
        rows.append(do_list(name, s))

    for name in names:
        status = worst(status, run_one(job, name, s))
        if status == INTERRUPTED:
            break
    if rows:
        click.echo(format_listing(rows, verbose=s.verbose))
    return status


# --------------------------------------------------------------------------
# --scheduler: files and directory trees on a dask.distributed cluster

def do_cluster(name: str, s: Settings, client) -> None:
    """Compress or decompress FILE (or every file under a directory) on the cluster."""
    from mixzip import cluster

    if name == STDIO:
        raise Problem("--scheduler codes files the workers can read, not standard input")
    start = time.perf_counter()
    coding = dict(plugins=s.plugins, segment_size=s.segment_size,
                  **({} if s.block_size is None else {"block_size": s.block_size}))
    if os.path.isdir(name):
        if s.output is not None or s.to_stdout:
            raise Problem("a directory with --scheduler is coded in place; -o and -c do not apply")
        if s.mode == "compress":
            results = cluster.compress_tree(client, name, None, s.level, force=s.force, **coding)
        else:
            results = cluster.decompress_tree(client, name, None, force=s.force)
        for src, dst, n_in, n_out in results:
            finish(src, dst, s)
            if s.verbose and not s.quiet:
                summary(src, dst, n_in, n_out, time.perf_counter() - start, s.mode == "compress")
        return
    dest = destination(name, s)
    st = os.stat(name)
    check_distinct(st, dest)
    if s.mode == "compress":
        def job(dst):
            return cluster.compress_file(client, name, dst, s.level, **coding)
    else:
        def job(dst):
            return cluster.decompress_file(client, name, dst)
    n_in, n_out = write_output(dest, st, s.force, job)
    finish(name, dest, s)
    if s.verbose and not s.quiet:
        summary(name, dest, n_in, n_out, time.perf_counter() - start, s.mode == "compress")


def run_on_cluster(names: list[str], s: Settings) -> int:
    from mixzip import cluster

    if s.mode not in ("compress", "decompress"):
        say("--scheduler is for compressing and decompressing; use -T to test or list locally")
        return ERROR
    try:
        client = cluster.connect(s.scheduler)
    except Exception as exc:  # noqa: BLE001 - one line
        say(f"cannot reach the scheduler {s.scheduler}: {describe(exc)}")
        return ERROR
    status = OK
    try:
        for name in names:
            status = worst(status, run_one(lambda n, st: do_cluster(n, st, client), name, s))
            if status == INTERRUPTED:
                break
    finally:
        client.close()
    return status


# --------------------------------------------------------------------------
# The default command

JOBS = {"compress": do_compress, "decompress": do_decompress, "test": do_test}


def run_files(names: list[str], s: Settings) -> int:
    if s.mode == "list":
        return list_files(names, s)
    if s.scheduler is not None:
        return run_on_cluster(names, s)
    codec_models.compile_notice = None if s.quiet else say   # a level's first run compiles: say so
    if s.mode == "compress":
        try:
            spec = recipes.spec_for_level(s.level, s.plugins)   # fail once, before any file
        except (MixzipError, ValueError) as exc:
            say(describe(exc))
            return ERROR
        need = codec.model_memory(spec)
        if s.memory_limit is not None and need > s.memory_limit:
            say(f"level {s.level} needs {human(need)} of model memory, more than the limit "
                f"of {human(s.memory_limit)} (-M); use a lower level")
            return ERROR
    status = OK
    for name in names:
        status = worst(status, run_one(JOBS[s.mode], name, s))
        if status == INTERRUPTED:
            break
    return status


_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """A byte count: 1048576, 64K, 1M, 2G, 16MiB (K/M/G/T are powers of 1024).
    Raises ValueError if ``text`` is not one (the scripts use it too)."""
    m = re.fullmatch(r"\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not m:
        raise ValueError(f"{text!r} is not a size (e.g. 1M, 256K, 65536)")
    return int(m.group(1)) * _SIZE_UNITS[m.group(2).lower()]


class SizeType(click.ParamType):
    """A byte count (``parse_size``), at most ``maximum`` (default: the
    largest block size)."""

    name = "size"

    def __init__(self, maximum: int | None = None):
        self.maximum = codec.MAX_BLOCK_SIZE if maximum is None else maximum

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            size = parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not 1 <= size <= self.maximum:
            self.fail(f"{value!r} is not in 1 .. {human(self.maximum).replace(' ', '')}", param, ctx)
        return size


def expand(names: list[str], s: Settings, recursive: bool) -> list[str]:
    """-r: each directory among ``names`` becomes the files under it (sorted,
    symbolic links not followed): to compress, those without the .mxz suffix;
    otherwise the .mxz files."""
    if not recursive:
        return names
    out = []
    for name in names:
        if name == STDIO or not os.path.isdir(name):
            out.append(name)
            continue
        for root, dirs, files in os.walk(name):
            dirs.sort()
            for f in sorted(files):
                path = os.path.join(root, f)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                if (s.mode == "compress") != f.endswith(SUFFIX):
                    out.append(path)
    return out


class LevelError(click.ClickException):
    """A level out of range: one line, no usage hint (it names the range)."""


LEVEL_RANGE = (f"levels are {recipes.MIN_LEVEL}..{recipes.MAX_LEVEL} "
               f"(-{recipes.MIN_LEVEL} ... -{recipes.MAX_LEVEL}, --fast = -{recipes.MIN_LEVEL}, "
               f"--best = -{recipes.MAX_LEVEL})")


def check_level(value) -> int:
    """A level given by the user, as an int; LevelError naming the range if it is not one."""
    try:
        level = int(str(value).strip())
    except ValueError:
        raise LevelError(f"level {value!r} is not a number; {LEVEL_RANGE}") from None
    if not recipes.MIN_LEVEL <= level <= recipes.MAX_LEVEL:
        raise LevelError(f"level {level} is out of range; {LEVEL_RANGE}")
    return level


class LevelType(click.ParamType):
    """A level 1..10; out of range is a one-line error naming the range."""

    name = "level"

    def convert(self, value, param, ctx):
        return value if isinstance(value, int) else check_level(value)


class LevelsType(click.ParamType):
    """One or more levels: 8, 1,8 or 1-3 (repeatable option)."""

    name = "levels"

    def convert(self, value, param, ctx):
        if isinstance(value, (list, tuple)):
            return tuple(value)
        levels = []
        for part in str(value).split(","):
            lo, dash, hi = part.partition("-")
            if dash and lo.strip():
                a, b = check_level(lo), check_level(hi)
                levels += range(a, b + 1) if a <= b else range(a, b - 1, -1)
            else:
                levels.append(check_level(part))
        return tuple(levels)


_LEVEL_ALIASES = {"--best": str(recipes.MAX_LEVEL), "--fast": str(recipes.MIN_LEVEL)}


def rewrite_level_flags(args: list[str], value_shorts: set[str], value_longs: set[str]) -> list[str]:
    """Turn ``-N`` (any number of digits, also inside a cluster such as
    ``-19c`` or ``-dc12``), ``--best`` and ``--fast`` into ``--level N``, so
    that ``-12`` means level 12 (an error naming the range), never ``-1 -2``.

    Values of options that take one (``-o -12``, ``-T4``) and everything after
    ``--`` are left alone."""
    out: list[str] = []
    it = iter(args)
    for tok in it:
        if tok == "--":
            out.append(tok)
            out.extend(it)
            break
        if tok in _LEVEL_ALIASES:
            out += ["--level", _LEVEL_ALIASES[tok]]
            continue
        if tok.startswith("--"):
            out.append(tok)
            if tok in value_longs:                 # its value is the next argument
                nxt = next(it, None)
                if nxt is not None:
                    out.append(nxt)
            continue
        if not tok.startswith("-") or tok == "-":
            out.append(tok)
            continue
        i, n = 1, len(tok)
        while i < n:
            ch = tok[i]
            if ch.isdigit():
                j = i
                while j < n and tok[j].isdigit():
                    j += 1
                out += ["--level", tok[i:j]]
                i = j
            elif ch in value_shorts:               # the rest (or the next argument) is its value
                out.append("-" + tok[i:])
                if i == n - 1:
                    nxt = next(it, None)
                    if nxt is not None:
                        out.append(nxt)
                break
            else:
                out.append("-" + ch)
                i += 1
    return out


class CodecCommand(click.Command):
    """The default command; its usage reads ``mixzip [OPTIONS] [FILE]...`` and
    its help ends with the level table."""

    def parse_args(self, ctx, args):
        shorts, longs = set(), set()
        for p in self.params:
            if isinstance(p, click.Option) and not p.is_flag and not p.count:
                for opt in p.opts + p.secondary_opts:
                    if opt.startswith("--"):
                        longs.add(opt)
                    else:
                        shorts.add(opt[1:])
        return super().parse_args(ctx, rewrite_level_flags(list(args), shorts, longs))

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.find_root().info_name or "mixzip",
                              " ".join(self.collect_usage_pieces(ctx)))

    def format_epilog(self, ctx, formatter):
        with formatter.section(f"Levels (-{recipes.MIN_LEVEL} ... -{recipes.MAX_LEVEL} or --level N; "
                               f"--fast = -{recipes.MIN_LEVEL}, --best = -{recipes.MAX_LEVEL})"):
            formatter.write_text(
                "Each level is smaller output and slower than the one before.  Compression "
                "and decompression run at about the same speed and use the same memory.  "
                "Speeds: one stream, measured with scripts/frontier.py on the Canterbury "
                "corpus on a 2-core x86-64 server.  Memory: the model; per thread (-T), the "
                "model and two segments (input is cut into segments of "
                f"{_segment_sizes()}).")
            formatter.write_dl([(f"-{n}", f"{recipes.level_memory(n) / 2**20:4.0f} MiB  "
                                 f"~{recipes.LEVEL_SPEED[n]:.2f} MB/s"
                                 + _thread_memory(n)
                                 + ("  (default)" if n == recipes.DEFAULT_LEVEL else ""))
                                for n in sorted(recipes.LEVELS)])
        with formatter.section("Commands"):
            formatter.write_dl([("bench", "compare mixzip with zstd, xz and bzip2 "
                                          "(mixzip bench --help)"),
                                ("analyze", "what each model earns on a file, the MoE router, "
                                            "a bits-per-byte trace"),
                                ("tune", "fit the EML heuristics' parameters on a corpus"),
                                ("plugins", "installed plugins, the plugins an archive needs, "
                                            "'check NAME FILE' for determinism")])
        with formatter.section("Notes"):
            formatter.write_text(
                "With no FILE, or when FILE is -, read standard input and write standard "
                "output.  A file literally named 'bench', 'analyze', 'tune' or 'plugins' must be given "
                "with a path, e.g. ./bench.  "
                "-T N codes N segments at once (compression and decompression; -T0: one per "
                "core) and never changes the output.  Progress shows on stderr when it is a terminal "
                "(-q or --no-progress: none).  Exit status: 0 ok, 1 error, 2 warning, "
                "130 interrupted, 128+N ended by signal N (143 SIGTERM, 129 SIGHUP, 141 the "
                "reader of stdout went away).  unmixzip = mixzip -d, mixzcat = mixzip -dc.  "
                "Set MIXZIP_DEBUG=1 for tracebacks of internal errors.")


def _thread_memory(level: int) -> str:
    """The help's memory per thread (-T) of a level: model + two default segments."""
    per = segments.worker_memory(recipes.spec_for_level(level), segments.default_segment_size(level))
    return f"  {per / 2**20:4.0f} MiB/thread"


def _segment_sizes() -> str:
    """The default segment sizes, by runs of levels: '8M at level 1, 16-32M at levels 2-10'."""
    runs: list[list] = []
    for n in sorted(recipes.LEVELS):
        size = segments.SEGMENT_SIZE[n]
        if runs and runs[-1][0] == size:
            runs[-1][2] = n
        else:
            runs.append([size, n, n])
    return ", ".join(f"{lo >> 20}{f'-{hi >> 20}' if hi != lo else ''}M at level{'s' if a != b else ''} "
                     f"{a}{f'-{b}' if a != b else ''}" for (lo, hi), a, b in runs) + \
        ": half the input, within that range, when its size is known, else the largest"


def select_mode(compress: bool, decompress: bool, test: bool, listing: bool) -> str:
    if compress and (decompress or test or listing):
        raise click.UsageError("-z cannot be combined with -d, -t or -l")
    if test and listing:
        raise click.UsageError("-t and -l cannot be combined")
    return "list" if listing else "test" if test else "decompress" if decompress else "compress"


class ReaderGone(Exception):
    """The reader of our output went away (EPIPE)."""


class MixzipGroup(click.Group):
    """A group whose first argument, unless it names a subcommand, goes to the
    default command - so ``mixzip FILE`` works for any FILE but ``bench``,
    ``analyze`` and ``tune``.

    It also turns every failure into one line on stderr and an exit status
    (usage errors exit 1, as in gzip)."""

    DEFAULT = "\0files"   # argv cannot contain NUL: no file name collides

    def parse_args(self, ctx, args):
        if not args or args[0] not in self.commands:
            args = [self.DEFAULT, *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise ReaderGone() from None     # click itself would turn EPIPE into exit 1

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            with ending_signals():
                status = super().main(args, prog_name or "mixzip", complete_var,
                                      standalone_mode=False, **extra)
        except click.UsageError as exc:
            say(exc.format_message())
            sub = exc.ctx.info_name if exc.ctx else None
            hint = f"mixzip {sub} --help" if sub in ("bench", "analyze", "tune", "plugins") else "mixzip --help"
            click.echo(f"Try '{hint}' for more information.", err=True)
            status = ERROR
        except click.ClickException as exc:
            say(exc.format_message())
            status = ERROR
        except (click.Abort, KeyboardInterrupt):
            status = INTERRUPTED
        except Terminated as exc:           # SIGTERM, SIGHUP: temporary files are gone by now
            status = exc.status
        except (ReaderGone, BrokenPipeError):   # `mixzip -dc x.mxz | head`: quiet, as gzip/xz/zstd
            _silence_stdout()
            status = BROKEN_PIPE
        except Exception as exc:  # noqa: BLE001
            say(describe(exc))
            status = ERROR
        status = status if isinstance(status, int) else OK
        if not _settle_stdout() and status == OK:
            status = BROKEN_PIPE
        if standalone_mode:
            sys.exit(status)
        return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that nothing complains when Python flushes it at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _settle_stdout() -> bool:
    """Flush stdout; if the reader went away, stop Python complaining at exit
    and return False."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return False
    except (OSError, ValueError):
        pass
    return True


@click.group("mixzip", cls=MixzipGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """mixzip: a context-mixing lossless compressor."""


@main.command(MixzipGroup.DEFAULT, cls=CodecCommand, hidden=True)
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("-z", "--compress", "compress", is_flag=True, help="Compress (the default).")
@click.option("-d", "--decompress", "decompress", is_flag=True,
              help="Decompress FILE.mxz to FILE.")
@click.option("-t", "--test", "test", is_flag=True, help="Test archive integrity; write nothing.")
@click.option("-l", "--list", "listing", is_flag=True,
              help="List archives: compressed, uncompressed, ratio, bpb, blocks, model, name "
                   "(a totals row for several; -lv adds streams, block size and the memory "
                   "a decode needs).")
@click.option("-c", "--stdout", "to_stdout", is_flag=True,
              help="Write to standard output; keep input files.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (only with one input).")
@click.option("--keep/--rm", "-k", "keep", default=True,
              help="Keep (default) or delete input files after success (--rm; not with -c).")
@click.option("-f", "--force", is_flag=True,
              help="Overwrite outputs; read/write compressed data on a terminal.")
@click.option("-v", "--verbose", is_flag=True, help="One summary line per file on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings, summaries or progress.")
@click.option("--level", "level", type=LevelType(), default=recipes.DEFAULT_LEVEL, metavar="N",
              help=f"Level {recipes.MIN_LEVEL}..{recipes.MAX_LEVEL} (default "
                   f"{recipes.DEFAULT_LEVEL}); also -{recipes.MIN_LEVEL} ... -{recipes.MAX_LEVEL}.")
@click.option("--best", is_flag=True, expose_value=False, help=f"Level {recipes.MAX_LEVEL} (= -{recipes.MAX_LEVEL}).")
@click.option("--fast", is_flag=True, expose_value=False, help=f"Level {recipes.MIN_LEVEL} (= -{recipes.MIN_LEVEL}).")
@click.option("-T", "--threads", type=click.IntRange(min=0), default=1, metavar="N",
              help="Code N segments at once, compressing and decompressing (default 1; "
                   "0: one per core).  Memory: N x the per-thread memory below.  "
                   "The output never depends on it.")
@click.option("--segment-size", type=SizeType(segments.fmt.MAX_SEGMENT_SIZE), metavar="SIZE",
              help="Cut input longer than SIZE into independently coded segments "
                   "(default: per level, see below; larger: smaller output, fewer threads busy).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Code on a dask.distributed cluster, one task per segment: ADDRESS of its "
                   "scheduler (tcp://host:8786) or its scheduler file (*.json).  FILEs (or every "
                   "file under a directory) must be readable by the workers at the same path.  "
                   "Needs mixzip[dask]; same output as -T.")
@click.option("--verify", is_flag=True,
              help="After compressing, decompress the output and compare with the input.")
@click.option("--plugin", "plugins", multiple=True, metavar="NAME",
              help="Add a byte-level predictor plugin (repeatable; slow).")
@click.option("--block-size", type=SizeType(), metavar="SIZE",
              help="Block size for compression (default 1M; at most 64M).")
@click.option("-r", "--recursive", is_flag=True,
              help="Go into directories: compress their files, or decompress/test/list "
                   "their .mxz files.")
@click.option("-M", "--memory", "memory_limit", type=SizeType(1 << 50), metavar="SIZE",
              help="Refuse to decompress or test an archive whose model needs more memory "
                   "than SIZE (e.g. 200M), and to compress at a level that does.")
@click.option("--no-progress", is_flag=True, help="No progress line, even on a terminal.")
@click.version_option(None, "-V", "--version", package_name="mixzip", prog_name="mixzip",
                      message="%(prog)s %(version)s")
@click.pass_context
def files_command(ctx, files, compress, decompress, test, listing, to_stdout, output, keep,
                  force, verbose, quiet, level, threads, segment_size, scheduler, verify, plugins,
                  block_size, recursive, memory_limit, no_progress) -> int:
    """Compress each FILE to FILE.mxz, or decompress (-d), test (-t) or list (-l)
    archives.  Input files are kept unless --rm."""
    if to_stdout and output is not None:
        raise click.UsageError("-c and -o cannot be combined")
    s = Settings(mode=select_mode(compress, decompress, test, listing), to_stdout=to_stdout,
                 output=output, keep=keep, force=force, verbose=verbose, quiet=quiet,
                 level=level, plugins=tuple(plugins),
                 block_size=block_size, verify=verify, memory_limit=memory_limit,
                 progress=not no_progress, threads=segments.resolve_threads(threads),
                 segment_size=segment_size, scheduler=scheduler)
    names = expand(list(files) or [STDIO], s, recursive)
    if not names:
        say("no files to process in the directories given")
        return WARNING
    if output is not None and len(names) > 1:
        raise click.UsageError("-o/--output needs exactly one input file")
    return run_files(names, s)


# --------------------------------------------------------------------------
# mixzip bench

class BenchProgress:
    """``\rmixzip: bench: NAME`` on stderr while each file runs (terminal only)."""

    def __init__(self):
        self.width = 0
        self.enabled = isatty(sys.stderr)

    def __call__(self, name: str) -> None:
        line = f"mixzip: bench: {name}"
        sys.stderr.write("\r" + line.ljust(self.width))
        sys.stderr.flush()
        self.width = max(self.width, len(line))

    def callback(self):
        return self if self.enabled else None

    def clear(self) -> None:
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def check_plot_path(path: str) -> None:
    """Fail before any work if the plot could not be written (no matplotlib, no directory)."""
    from mixzip import bench
    bench.check_plot()
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise Problem(f"cannot write {path}: no directory {directory}")
    if os.path.isdir(path):
        raise Problem(f"cannot write {path}: it is a directory")


def corpus_description(files, corpus: str | None) -> dict:
    """What ``bench`` measured: the corpus (name and directory) or the files given."""
    from mixzip import corpus as corpora
    if files:
        return {"name": "files given", "items": [str(f) for f in files]}
    name = corpus or corpora.default_name()
    where = corpora.corpus_dir(name)
    return {"name": name, "path": str(where) if where is not None else
            ("generated by mixzip.corpus.sample()" if name == corpora.SAMPLE else None)}


@main.command("bench")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--corpus", metavar="NAME",
              help="Corpus to measure when no FILE is given (default: canterbury if "
                   "present, else the built-in sample).")
@click.option("--level", "levels", type=LevelsType(), multiple=True, metavar="N",
              help=f"mixzip level(s): repeat the option, or give a list (1,8) or a range (1-3); "
                   f"default {recipes.DEFAULT_LEVEL}.")
@click.option("--plugin", "plugins", multiple=True, metavar="NAME",
              help="Add a byte-level predictor plugin to mixzip (repeatable).")
@click.option("--repeat", type=click.IntRange(1, 1000), default=1, show_default=True, metavar="N",
              help="Time each compression and decompression N times and keep the fastest.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--plot", metavar="PNG",
              help="Also draw ratio against speed for every codec and level into PNG "
                   "(needs matplotlib; checked before any work).")
@click.option("--no-baselines", is_flag=True, help="Skip zstd -19, xz -9e and bzip2 -9.")
@click.option("--isolate/--no-isolate", default=True, show_default=True,
              help="Run each file and level in a fresh process (measures peak memory).")
def bench_command(files, corpus, levels, plugins, repeat, as_json, plot, no_baselines, isolate) -> int:
    """Measure mixzip at one or more levels (size, ratio, bits per byte, speeds,
    memory) beside zstd -19, xz -9e and bzip2 -9 (size and speeds) on FILEs (or
    directories, or corpus names) or a corpus.  Every round trip is checked.
    Prints the corpus, a table per codec and one per file, or JSON, on stdout."""
    from mixzip import bench
    from mixzip import corpus as corpora

    levels = [n for group in levels for n in group] or [recipes.DEFAULT_LEVEL]
    bar = BenchProgress()
    try:
        if plot:
            check_plot_path(plot)
        for level in levels:
            recipes.spec_for_level(level, tuple(plugins))        # a bad plugin fails before any work
        where = corpus_description(files, corpus)
        inputs = corpora.resolve(list(files), corpus=corpus)
        result = bench.run_bench(inputs, levels, baselines=not no_baselines, isolate=isolate,
                                 repeat=repeat, plugins=plugins, corpus=where, progress=bar.callback())
    except KeyboardInterrupt:
        bar.clear()
        say("bench: interrupted")
        return INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one line, as for files
        bar.clear()
        say(f"bench: {describe(exc)}")
        return ERROR
    bar.clear()
    click.echo(json.dumps(result, indent=2, default=str) if as_json else bench.format_table(result))
    status = OK
    if plot:
        try:
            bench.plot(result, plot)
        except Exception as exc:  # noqa: BLE001 - the results are out already
            say(f"bench: {plot}: {describe(exc)}")
            status = ERROR
    if not result.get("ok", True):
        say("bench: some round trips failed (see the table)")
        return ERROR
    return status


# --------------------------------------------------------------------------
# mixzip analyze, mixzip tune

@main.command("analyze")
@click.argument("file", metavar="FILE")
@click.option("--level", type=LevelType(),
              default=recipes.DEFAULT_LEVEL, show_default=True, metavar="N", help="mixzip level.")
@click.option("--window", type=SizeType(), default="64K", show_default=True, metavar="SIZE",
              help="Bytes per point of the bits-per-byte trace.")
@click.option("--no-ablation", is_flag=True, help="Skip coding the file once without each component.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--plot", metavar="PNG",
              help="Also draw the trace and one curve per component's gain along the file "
                   "into PNG (needs matplotlib; checked first).")
def analyze_command(file, level, window, no_ablation, as_json, plot) -> int:
    """Report what each model contributes on FILE (bpb without it), the MoE
    router's entropy and per-expert shares, and a bits-per-byte trace."""
    from mixzip import analyze

    try:
        if plot:
            analyze.check_plot()                 # before minutes of ablation runs
        with open(file, "rb") as f:
            data = f.read()
        result = analyze.analyze(data, level, window=window, ablate=not no_ablation)
    except KeyboardInterrupt:
        say("analyze: interrupted")
        return INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one line
        say(f"analyze: {describe(exc, file)}")
        return ERROR
    result["file"] = file
    click.echo(json.dumps(result, indent=2) if as_json else analyze.format_report(display(file), result))
    if plot:
        try:
            analyze.plot(display(file), result, plot)
        except Exception as exc:  # noqa: BLE001 - the results are out already
            say(f"analyze: {plot}: {describe(exc, plot)}")
            return ERROR
    return OK


@main.command("tune")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--corpus", metavar="NAME", help="Corpus to tune on when no FILE is given "
                                                 "(default: canterbury if present, else the built-in sample).")
@click.option("--level", type=click.IntRange(recipes.MIN_LEVEL, 9), default=recipes.DEFAULT_LEVEL,
              show_default=True, metavar="N", help="Level whose EML heuristics to fit.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the search order and restarts.")
@click.option("--restarts", type=click.IntRange(min=0), default=1, show_default=True,
              help="Random starting points after the all-zero one.")
@click.option("--max-bytes", type=SizeType(), default="64K", show_default=True, metavar="SIZE",
              help="Use the first SIZE bytes of each file.")
@click.option("-o", "--output", metavar="FILE", help="Write the result JSON to FILE (default: stdout).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Code the files in N processes (same result).")
@click.option("--start", metavar="PARAMS", help="First starting point instead of all zeros: "
                                                "12, 16 or 20 comma-separated integers (eighths).")
@click.option("--nodes", metavar="NAMES", help="Search only these nodes, comma-separated "
                                               "(lr, apm, limit, set, blend); the others keep their start values.")
@click.option("--step", type=click.IntRange(1, 8), default=8, show_default=True,
              help="First step of the search (eighths), halved down to 1.")
@click.option("-v", "--verbose", is_flag=True, help="Log each improvement on stderr.")
def tune_command(files, corpus, level, seed, restarts, max_bytes, jobs, start, nodes, step, output,
                 verbose) -> int:
    """Fit the EML heuristics' 20 parameters for a level on FILEs or a corpus
    (coordinate descent with annealed steps and random restarts; the same
    seed and inputs give the same result).  Writes JSON with the shape of the
    packaged eml_params.json."""
    from mixzip import corpus as corpora
    from mixzip import tune
    from mixzip.predictors import eml

    try:
        inputs = corpora.resolve(list(files), corpus=corpus)
        datas = [data[:max_bytes] for _name, data in inputs]
        result = tune.tune(datas, level, seed=seed, restarts=restarts, jobs=jobs, step=step,
                           start=None if start is None else eml.from_text(start),
                           nodes=None if nodes is None else [k.strip() for k in nodes.split(",")],
                           log=say if verbose else (lambda s: None))
        result["files"] = [name for name, _data in inputs]
        text = json.dumps(result, indent=2)
        if output:
            write_output(output, None, False, lambda dst: dst.write(text.encode() + b"\n"))
        else:
            click.echo(text)
    except KeyboardInterrupt:
        say("tune: interrupted")
        return INTERRUPTED
    except Exception as exc:  # noqa: BLE001
        say(f"tune: {describe(exc)}")
        return ERROR
    return OK


# --------------------------------------------------------------------------
# mixzip plugins

@main.command("plugins", context_settings={"ignore_unknown_options": False})
@click.argument("args", nargs=-1, metavar="[ARCHIVE]... | check NAME FILE")
@click.option("--level", type=click.IntRange(recipes.MIN_LEVEL, recipes.MAX_LEVEL), default=1,
              show_default=True, metavar="N", help="Level for 'check'.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def plugins_command(args, level, as_json) -> int:
    """List the installed plugins (fast-path components and Python byte
    predictors) and their versions; with ARCHIVEs, which plugins each needs
    and whether they are installed; 'check NAME FILE' encodes FILE with the
    plugin twice and once compiled for a generic CPU, and says whether the
    archives agree and decode (a plugin must be deterministic).  An archive
    named 'check' must be given with a path, e.g. ./check."""
    from mixzip.predictors import plugins

    try:
        if args and args[0] == "check":
            if len(args) != 3:
                raise click.UsageError("usage: mixzip plugins check NAME FILE")
            r = plugins.check_determinism(args[1], args[2], level=level)
            r["plugin"] = args[1]
            if as_json:
                click.echo(json.dumps(r, indent=2))
            elif r["deterministic"]:
                click.echo(f"{args[1]}: deterministic ({len(r['archives'])} identical archives of {args[2]}, "
                           f"which decode)")
            else:
                click.echo(f"{args[1]}: NOT deterministic: {r['problem']}")
            return OK if r["deterministic"] else ERROR
        have = {row["name"]: row for row in plugins.installed()}
        if not args:
            rows = list(have.values())
            if as_json:
                click.echo(json.dumps(rows, indent=2))
            elif not rows:
                click.echo("no plugins installed (see docs/ARCHITECTURE.md, 'Adding a model')")
            else:
                for r in rows:
                    src = f"{r['distribution']} {r['distribution_version']}" if r["distribution"] else "in process"
                    state = r["error"] or f"version {r['version']}"
                    click.echo(f"{r['name']:<16} {r['kind']:<10} {state:<14} {src}")
                click.echo("An archive made with a plugin names it (+name/version) and needs it to decode.")
            return OK
        status, out = OK, []
        for name in args:
            try:
                spec = codec.info(name).spec
            except (MixzipError, OSError) as exc:
                say(f"{name}: {describe(exc, name)}")
                status = ERROR
                continue
            for pname, pver in spec.plugins:
                row = have.get(pname)
                ok = row is not None and row["version"] == pver
                out.append({"archive": name, "plugin": pname, "version": pver, "installed": ok})
                if not ok:
                    status = worst(status, WARNING)
            if not spec.plugins:
                out.append({"archive": name, "plugin": None, "version": None, "installed": True})
        if as_json:
            click.echo(json.dumps(out, indent=2))
        else:
            for r in out:
                if r["plugin"] is None:
                    click.echo(f"{r['archive']}: needs no plugin")
                else:
                    click.echo(f"{r['archive']}: needs {r['plugin']} {r['version']} "
                               f"({'installed' if r['installed'] else 'NOT installed'})")
        return status
    except click.UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - one line
        say(f"plugins: {describe(exc)}")
        return ERROR


if __name__ == "__main__":
    main()
