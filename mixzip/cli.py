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
is the worst seen: 0 ok, 2 warning, 1 error, 130 interrupted.  Messages and
progress go to stderr; stdout carries only data, the ``-l`` listing or the
bench table.
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
import time
import traceback
from dataclasses import dataclass

import click

from mixzip import codec
from mixzip.codec import segments
from mixzip.codec.errors import MixzipError
from mixzip.predictors import recipes

SUFFIX = ".mxz"
STDIO = "-"
OK, ERROR, WARNING, INTERRUPTED = 0, 1, 2, 130
_SEVERITY = {OK: 0, WARNING: 1, ERROR: 2, INTERRUPTED: 3}
PROGRESS_MIN_BYTES = 8_000_000


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


class AtomicFile:
    """A temporary ``.<name>.XXXX.tmp`` beside ``path``; ``commit`` renames it over
    ``path``, leaving the context without commit removes it."""

    def __init__(self, path: str, force: bool):
        if os.path.lexists(path) and not force:
            raise Problem(f"{path} already exists; use -f to overwrite")
        self.path = path
        directory, base = os.path.split(path)
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory or ".")
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
        os.replace(self.tmp, self.path)
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


def write_output(dest: str | None, like, force: bool, job, check=None):
    """Run ``job(dst)`` into ``dest`` (None: stdout) and return its result.

    A file ``dest`` is only replaced once the job and ``check(file)`` both
    succeeded.  On stdout, with a ``check``, the data is held in a temporary
    file until checked."""
    if dest is None:
        out = stdout_binary()
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
    with open(name, "rb") as f:
        yield f, os.fstat(f.fileno())


class Progress:
    """``\\rmixzip: NAME:  42%`` on stderr, per block; only when stderr is a
    terminal and the input is larger than PROGRESS_MIN_BYTES."""

    def __init__(self, label: str, total: int | None, quiet: bool):
        self.label, self.total, self.shown = label, total, -1
        self.enabled = (not quiet and total is not None and total > PROGRESS_MIN_BYTES
                        and isatty(sys.stderr))

    def __call__(self, done: int) -> None:
        percent = min(100, done * 100 // self.total)
        if percent != self.shown:
            self.shown = percent
            sys.stderr.write(f"\rmixzip: {self.label}: {percent:3d}%")
            sys.stderr.flush()

    def callback(self):
        return self if self.enabled else None

    def clear(self) -> None:
        if self.enabled and self.shown >= 0:
            width = len(f"mixzip: {self.label}: 100%")
            sys.stderr.write("\r" + " " * width + "\r")
            sys.stderr.flush()


@contextlib.contextmanager
def progress_for(name: str, st, s: Settings):
    bar = Progress(display(name), st.st_size if _is_regular(st) else None, s.quiet)
    try:
        yield bar.callback()
    finally:
        bar.clear()


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
        with progress_for(name, st, s) as progress:
            def job(dst):
                return codec.compress_stream(reader, dst, s.level, progress=progress, **options)
            check = (lambda f: verify(f, reader.sha.digest(), s)) if s.verify else None
            n_in, n_out = write_output(dest, st, s.force, job, check)
    finish(name, dest, s)
    if s.verbose and not s.quiet:
        summary(name, dest, n_in, n_out, time.perf_counter() - start, True)


def verify(f, expected: bytes, s: Settings) -> None:
    """Decompress the archive in ``f`` and compare with the input's sha256."""
    f.flush()
    f.seek(0)
    sink = HashingSink()
    try:
        codec.decompress_stream(f, sink, threads=s.threads)
    except MixzipError as exc:
        raise Problem(f"verify failed: {exc}") from None
    if sink.sha.digest() != expected:
        raise Problem("verify failed: decompressed data differs from the input")


def do_decompress(name: str, s: Settings) -> None:
    dest = destination(name, s)
    start = time.perf_counter()
    with open_input(name, s) as (src, st):
        check_distinct(st, dest)
        with progress_for(name, st, s) as progress:
            def job(dst):
                return codec.decompress_stream(src, dst, progress=progress, threads=s.threads)
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
        n = codec.test(src, threads=s.threads)
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
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line
        say(f"{display(name)}: {describe(exc, name)}")
        return ERROR


# --------------------------------------------------------------------------
# -l

LIST_HEADER = ("compressed", "uncompressed", "ratio", "bpb", "blocks", "segments", "mem/thread",
               "model", "name")


def do_list(name: str, s: Settings) -> tuple:
    with open_input(name, s) as (src, _):
        inf = codec.info(src)
    comp, orig = inf.compressed_size, inf.original_size
    ratio = f"{orig / comp:.3f}" if comp else "-"
    bpb = f"{8 * comp / orig:.3f}" if orig else "-"
    per_thread = segments.worker_memory(inf.spec, inf.segment_size or orig)   # -T N decodes with N x this
    return (f"{comp:,}", f"{orig:,}", ratio, bpb, str(inf.blocks), str(inf.segments),
            f"{per_thread / 2**20:.0f} MiB", inf.spec.describe(), display(name))


def format_listing(rows: list[tuple]) -> str:
    table = [LIST_HEADER, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(LIST_HEADER))]
    lines = []
    for r in table:
        numbers = [r[i].rjust(widths[i]) for i in range(len(r) - 2)]
        lines.append("  ".join([*numbers, r[-2].ljust(widths[-2]), r[-1]]).rstrip())
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
        click.echo(format_listing(rows))
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
    if s.mode == "compress":
        try:
            recipes.spec_for_level(s.level, s.plugins)   # fail once, before any file
        except (MixzipError, ValueError) as exc:
            say(describe(exc))
            return ERROR
    status = OK
    for name in names:
        status = worst(status, run_one(JOBS[s.mode], name, s))
        if status == INTERRUPTED:
            break
    return status


class SizeType(click.ParamType):
    """A byte count: 1048576, 64K, 1M (K/M/G are powers of 1024)."""

    name = "size"
    _UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

    def __init__(self, limit: int | None = None):
        self.limit = limit      # None: a block size (at most codec.MAX_BLOCK_SIZE)

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        m = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(?:i?b)?\s*", str(value), re.IGNORECASE)
        if not m:
            self.fail(f"{value!r} is not a size (e.g. 1M, 256K, 65536)", param, ctx)
        size = int(m.group(1)) * self._UNITS[m.group(2).lower()]
        limit = codec.MAX_BLOCK_SIZE if self.limit is None else self.limit
        if not 1 <= size <= limit:
            self.fail(f"{value!r} is not in 1 .. {limit >> 20}M", param, ctx)
        return size


def _remember_level(ctx: click.Context, param: click.Parameter, value) -> None:
    """-1 ... -9 and --level share one setting; the last one given wins."""
    if value is None or value is False:
        return
    ctx.meta["mixzip.level"] = int(param.name.rsplit("_", 1)[1]) if value is True else value


def level_options(f):
    for n in range(9, recipes.MIN_LEVEL - 1, -1):      # level 10 only as --level 10
        f = click.option(f"-{n}", f"level_{n}", is_flag=True, hidden=True, expose_value=False,
                         callback=_remember_level)(f)
    return f


class CodecCommand(click.Command):
    """The default command; its usage reads ``mixzip [OPTIONS] [FILE]...`` and
    its help ends with the level table."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.find_root().info_name or "mixzip",
                              " ".join(self.collect_usage_pieces(ctx)))

    def format_epilog(self, ctx, formatter):
        with formatter.section("Levels (-1 ... -9, --level N; 10 only as --level 10)"):
            formatter.write_text(
                "Each level is smaller output and slower than the one before.  Compression "
                "and decompression run at about the same speed and use the same memory.  "
                "Speeds: one stream, measured with scripts/frontier.py on the Canterbury "
                "corpus on a 2-core x86-64 server.  Memory: the model; per thread (-T), the "
                "model and two segments (input is cut into segments of "
                f"{_segment_sizes()}).")
            formatter.write_dl([(f"-{n}" if n < 10 else f"--level {n}", f"{recipes.level_memory(n) / 2**20:4.0f} MiB  "
                                 f"~{recipes.LEVEL_SPEED[n]:.2f} MB/s"
                                 + _thread_memory(n)
                                 + ("  (default)" if n == recipes.DEFAULT_LEVEL else ""))
                                for n in sorted(recipes.LEVELS)])
        with formatter.section("Commands"):
            formatter.write_dl([("bench", "compare mixzip with zstd, xz and bzip2 "
                                          "(mixzip bench --help)"),
                                ("analyze", "what each model earns on a file, the MoE router, "
                                            "a bits-per-byte trace"),
                                ("tune", "fit the EML heuristics' parameters on a corpus")])
        with formatter.section("Notes"):
            formatter.write_text(
                "With no FILE, or when FILE is -, read standard input and write standard "
                "output.  A file literally named 'bench', 'analyze' or 'tune' must be given "
                "with a path, e.g. ./bench.  "
                "-T N codes N segments at once (compression and decompression) and never "
                "changes the output.  Exit status: 0 ok, 1 error, 2 warning, "
                "130 interrupted.  Set MIXZIP_DEBUG=1 for tracebacks of internal errors.")


def _thread_memory(level: int) -> str:
    """The help's memory per thread (-T) of a level: model + two default segments."""
    per = segments.worker_memory(recipes.spec_for_level(level), segments.default_segment_size(level))
    return f"  {per / 2**20:4.0f} MiB/thread"


def _segment_sizes() -> str:
    """The default segment sizes, by runs of levels: '16M at levels 1-10'."""
    runs: list[list] = []
    for n in sorted(recipes.LEVELS):
        size = segments.default_segment_size(n)
        if runs and runs[-1][0] == size:
            runs[-1][2] = n
        else:
            runs.append([size, n, n])
    return ", ".join(f"{size >> 20}M at level{'s' if a != b else ''} {a}{f'-{b}' if a != b else ''}"
                     for size, a, b in runs)


def select_mode(compress: bool, decompress: bool, test: bool, listing: bool) -> str:
    if compress and (decompress or test or listing):
        raise click.UsageError("-z cannot be combined with -d, -t or -l")
    if test and listing:
        raise click.UsageError("-t and -l cannot be combined")
    return "list" if listing else "test" if test else "decompress" if decompress else "compress"


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

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            status = super().main(args, prog_name or "mixzip", complete_var,
                                  standalone_mode=False, **extra)
        except click.UsageError as exc:
            say(exc.format_message())
            sub = exc.ctx.info_name if exc.ctx else None
            hint = f"mixzip {sub} --help" if sub in ("bench", "analyze", "tune") else "mixzip --help"
            click.echo(f"Try '{hint}' for more information.", err=True)
            status = ERROR
        except click.ClickException as exc:
            say(exc.format_message())
            status = ERROR
        except (click.Abort, KeyboardInterrupt):
            status = INTERRUPTED
        except Exception as exc:  # noqa: BLE001
            say(describe(exc))
            status = ERROR
        status = status if isinstance(status, int) else OK
        _settle_stdout()
        if standalone_mode:
            sys.exit(status)
        return status


def _settle_stdout() -> None:
    """Flush stdout; if the reader went away, stop Python complaining at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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
              help="List archives: compressed, uncompressed, ratio, bpb, blocks, model, name.")
@click.option("-c", "--stdout", "to_stdout", is_flag=True,
              help="Write to standard output; keep input files.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (only with one input).")
@click.option("--keep/--rm", "-k", "keep", default=True,
              help="Keep (default) or delete input files after success (--rm; not with -c).")
@click.option("-f", "--force", is_flag=True,
              help="Overwrite outputs; read/write compressed data on a terminal.")
@click.option("-v", "--verbose", is_flag=True, help="One summary line per file on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings, summaries or progress.")
@level_options
@click.option("--level", "level_value", type=click.IntRange(recipes.MIN_LEVEL, recipes.MAX_LEVEL),
              metavar="N", expose_value=False, callback=_remember_level,
              help=f"Level {recipes.MIN_LEVEL}..{recipes.MAX_LEVEL} "
                   f"(default {recipes.DEFAULT_LEVEL}); also -1 ... -9.")
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
@click.version_option(package_name="mixzip", prog_name="mixzip", message="%(prog)s %(version)s")
@click.pass_context
def files_command(ctx, files, compress, decompress, test, listing, to_stdout, output, keep,
                  force, verbose, quiet, threads, segment_size, scheduler, verify, plugins,
                  block_size) -> int:
    """Compress each FILE to FILE.mxz, or decompress (-d), test (-t) or list (-l)
    archives.  Input files are kept unless --rm."""
    if to_stdout and output is not None:
        raise click.UsageError("-c and -o cannot be combined")
    names = list(files) or [STDIO]
    if output is not None and len(names) > 1:
        raise click.UsageError("-o/--output needs exactly one input file")
    s = Settings(mode=select_mode(compress, decompress, test, listing), to_stdout=to_stdout,
                 output=output, keep=keep, force=force, verbose=verbose, quiet=quiet,
                 level=ctx.meta.get("mixzip.level", recipes.DEFAULT_LEVEL), plugins=tuple(plugins),
                 block_size=block_size, verify=verify, threads=segments.resolve_threads(threads),
                 segment_size=segment_size, scheduler=scheduler)
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


@main.command("bench")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--corpus", metavar="NAME",
              help="Corpus to measure when no FILE is given (default: canterbury if "
                   "present, else the built-in sample).")
@click.option("--level", type=click.IntRange(recipes.MIN_LEVEL, recipes.MAX_LEVEL),
              default=recipes.DEFAULT_LEVEL, show_default=True, metavar="N",
              help="mixzip level.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-baselines", is_flag=True, help="Skip zstd -19, xz -9e and bzip2 -9.")
@click.option("--isolate/--no-isolate", default=True, show_default=True,
              help="Run each file in a fresh process (measures peak memory).")
def bench_command(files, corpus, level, as_json, no_baselines, isolate) -> int:
    """Measure mixzip (bits per byte, speed, memory) beside zstd, xz and bzip2 on
    FILEs (or directories, or corpus names) or a corpus.  Every round trip is
    checked.  Prints a table, or JSON, on stdout."""
    from mixzip import bench
    from mixzip import corpus as corpora

    bar = BenchProgress()
    try:
        inputs = corpora.resolve(list(files), corpus=corpus)
        result = bench.run_bench(inputs, level, baselines=not no_baselines, isolate=isolate,
                                 progress=bar.callback())
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
    if not result.get("ok", True):
        say("bench: some round trips failed (see the table)")
        return ERROR
    return OK


# --------------------------------------------------------------------------
# mixzip analyze, mixzip tune

@main.command("analyze")
@click.argument("file", metavar="FILE")
@click.option("--level", type=click.IntRange(recipes.MIN_LEVEL, recipes.MAX_LEVEL),
              default=recipes.DEFAULT_LEVEL, show_default=True, metavar="N", help="mixzip level.")
@click.option("--window", type=SizeType(), default="64K", show_default=True, metavar="SIZE",
              help="Bytes per point of the bits-per-byte trace.")
@click.option("--no-ablation", is_flag=True, help="Skip coding the file once without each component.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--plot", metavar="PNG", help="Also draw the trace into PNG (needs matplotlib).")
def analyze_command(file, level, window, no_ablation, as_json, plot) -> int:
    """Report what each model contributes on FILE (bpb without it), the MoE
    router's entropy and per-expert shares, and a bits-per-byte trace."""
    from mixzip import analyze

    try:
        with open(file, "rb") as f:
            data = f.read()
        result = analyze.analyze(data, level, window=window, ablate=not no_ablation)
        if plot:
            analyze.plot(display(file), result, plot)
    except Exception as exc:  # noqa: BLE001 - one line
        say(f"analyze: {describe(exc, file)}")
        return ERROR
    result["file"] = file
    click.echo(json.dumps(result, indent=2) if as_json else analyze.format_report(display(file), result))
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


if __name__ == "__main__":
    main()
