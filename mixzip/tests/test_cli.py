"""The mixzip command: names, options, exit codes, one-line errors, nothing lost."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mixzip import cli, codec

TEXT = b"mixzip command line test: the quick brown fox jumps over the lazy dog.\n" * 40
LEVEL = "-1"     # the smallest model: fast to build


def run(*args, input=None):
    return CliRunner().invoke(cli.main, [str(a) for a in args], input=input)


def error_lines(result) -> list[str]:
    return result.stderr.strip().splitlines()


def assert_one_error(result, fragment: str = "", status: int = 1) -> None:
    lines = error_lines(result)
    assert result.exit_code == status, result.stderr
    assert len(lines) == 1 and lines[0].startswith("mixzip: "), lines
    assert fragment in lines[0]
    assert "Traceback" not in result.output


def hidden_files(directory) -> list[str]:
    """Leftover temporary files (``.<name>.XXXX.tmp``)."""
    return [p.name for p in directory.iterdir() if p.name.startswith(".")]


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_bytes(TEXT)
    return tmp_path


@pytest.fixture
def archive(work):
    (work / "a.txt.mxz").write_bytes(codec.compress(TEXT, 1))
    return work / "a.txt.mxz"


# ------------------------------------------------------------------ round trips

def test_round_trip_default_names(work):
    src = work / "a.txt"
    os.chmod(src, 0o640)
    os.utime(src, (1_000_000_000, 1_000_000_000))
    result = run(LEVEL, "a.txt")
    assert result.exit_code == 0 and result.stdout_bytes == b"" and result.stderr == ""
    out = work / "a.txt.mxz"
    assert codec.decompress(out.read_bytes()) == TEXT
    assert src.read_bytes() == TEXT                       # -k is the default
    assert (out.stat().st_mode & 0o777) == 0o640          # mode and mtime copied
    assert int(out.stat().st_mtime) == 1_000_000_000
    src.unlink()
    assert run("-d", "a.txt.mxz").exit_code == 0
    assert src.read_bytes() == TEXT and out.exists()
    assert int(src.stat().st_mtime) == 1_000_000_000
    assert hidden_files(work) == []


def test_stdout(work):
    result = run(LEVEL, "-c", "a.txt")
    assert result.exit_code == 0
    assert codec.decompress(result.stdout_bytes) == TEXT
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]


def test_decompress_stdout(archive):
    result = run("-dc", archive.name)
    assert result.exit_code == 0 and result.stdout_bytes == TEXT
    assert not (archive.parent / "a.txt.mxz.out").exists()


def test_output_option(work):
    assert run(LEVEL, "-o", "packed.bin", "a.txt").exit_code == 0
    assert codec.decompress((work / "packed.bin").read_bytes()) == TEXT
    assert run("-d", "-o", "back.txt", "packed.bin").exit_code == 0   # any name with -o
    assert (work / "back.txt").read_bytes() == TEXT


def test_output_needs_one_input(work):
    (work / "b.txt").write_bytes(TEXT)
    result = run("-o", "x.mxz", "a.txt", "b.txt")
    assert result.exit_code == 1 and "exactly one input" in result.stderr
    assert not (work / "x.mxz").exists()


def test_rm_removes_input(work):
    assert run(LEVEL, "--rm", "a.txt").exit_code == 0
    assert not (work / "a.txt").exists()
    assert run("-d", "--rm", "a.txt.mxz").exit_code == 0
    assert (work / "a.txt").read_bytes() == TEXT and not (work / "a.txt.mxz").exists()


def test_rm_then_keep_last_wins(work):
    assert run(LEVEL, "--rm", "-k", "a.txt").exit_code == 0
    assert (work / "a.txt").exists()


def test_stdin_to_stdout_round_trip(work):
    packed = run(LEVEL, input=TEXT)
    assert packed.exit_code == 0
    assert codec.decompress(packed.stdout_bytes) == TEXT
    unpacked = run("-d", input=packed.stdout_bytes)
    assert unpacked.exit_code == 0 and unpacked.stdout_bytes == TEXT


def test_dash_is_stdin(work):
    packed = run(LEVEL, "-", input=TEXT)
    assert packed.exit_code == 0 and codec.decompress(packed.stdout_bytes) == TEXT
    unpacked = run("-d", "-", input=packed.stdout_bytes)
    assert unpacked.stdout_bytes == TEXT
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]


def test_stdin_to_output_file(work):
    assert run(LEVEL, "-o", "in.mxz", input=TEXT).exit_code == 0
    assert codec.decompress((work / "in.mxz").read_bytes()) == TEXT


def test_multiple_files_to_stdout_concatenate(work):
    (work / "b.txt").write_bytes(b"second file\n")
    result = run(LEVEL, "-c", "a.txt", "b.txt")
    assert result.exit_code == 0
    assert codec.decompress(result.stdout_bytes) == TEXT + b"second file\n"


def test_file_named_like_the_subcommand(work):
    (work / "bench").write_bytes(TEXT)
    assert run(LEVEL, "./bench").exit_code == 0
    assert codec.decompress((work / "bench.mxz").read_bytes()) == TEXT


# ------------------------------------------------------------------ overwriting

def test_refuses_to_overwrite_without_force(work):
    (work / "a.txt.mxz").write_bytes(b"precious")
    result = run(LEVEL, "a.txt")
    assert_one_error(result, "a.txt.mxz already exists; use -f to overwrite")
    assert (work / "a.txt.mxz").read_bytes() == b"precious"
    assert (work / "a.txt").read_bytes() == TEXT
    assert hidden_files(work) == []


def test_force_overwrites(work):
    (work / "a.txt.mxz").write_bytes(b"old")
    assert run(LEVEL, "-f", "a.txt").exit_code == 0
    assert codec.decompress((work / "a.txt.mxz").read_bytes()) == TEXT


def test_decompress_refuses_to_overwrite(archive):
    result = run("-d", archive.name)              # a.txt exists already
    assert_one_error(result, "already exists")
    assert run("-d", "-f", archive.name).exit_code == 0


def test_same_file_is_refused(work):
    result = run(LEVEL, "-f", "-o", "a.txt", "a.txt")
    assert_one_error(result, "same file")
    assert (work / "a.txt").read_bytes() == TEXT


def test_already_compressed_is_a_warning(archive):
    before = archive.read_bytes()
    result = run(LEVEL, archive.name)
    assert_one_error(result, "already has .mxz suffix -- unchanged", status=2)
    assert archive.read_bytes() == before
    assert not (archive.parent / "a.txt.mxz.mxz").exists()


def test_quiet_silences_warnings_not_status(archive):
    result = run("-q", archive.name)
    assert result.exit_code == 2 and result.stderr == ""


# ------------------------------------------------------------------ -t, -l, -v

def test_test_good_archive(archive):
    result = run("-t", archive.name)
    assert result.exit_code == 0 and result.stdout_bytes == b"" and result.stderr == ""
    verbose = run("-tv", archive.name)
    assert verbose.exit_code == 0 and "OK" in verbose.stderr


def test_test_corrupt_archive(archive):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x10
    archive.write_bytes(bytes(data))
    assert_one_error(run("-t", archive.name), archive.name)


def test_list(archive):
    result = run("-l", archive.name)
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["compressed", "uncompressed", "ratio", "bpb", "blocks", "segments",
                              "mem/thread", "model", "name"]
    size = archive.stat().st_size
    assert row.split()[:2] == [f"{size:,}", f"{len(TEXT):,}"]
    assert f"{8 * size / len(TEXT):.3f}" in row and "level 1" in row and row.endswith(archive.name)


def test_list_stdin(archive):
    result = run("-l", input=archive.read_bytes())
    assert result.exit_code == 0 and result.stdout.splitlines()[1].endswith("(stdin)")


def test_list_error_still_lists_the_others(archive):
    (archive.parent / "junk.mxz").write_bytes(b"not an archive at all")
    result = run("-l", "junk.mxz", archive.name)
    assert_one_error(result, "junk.mxz")
    assert archive.name in result.stdout and "junk" not in result.stdout


def test_verbose_summary(work):
    result = run(LEVEL, "-v", "a.txt")
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    for piece in ("a.txt -> a.txt.mxz", f"{len(TEXT):,}", "ratio", "bpb", " s,", "MB/s"):
        assert piece in line


# ------------------------------------------------------------------ levels, threads, options

@pytest.mark.parametrize("args, level", [(["-1"], 1), (["-9"], 9), (["--level", "3"], 3),
                                         (["-9", "--level", "2"], 2), (["--level", "2", "-1"], 1),
                                         (["--level", "10"], 10)])
def test_levels(work, args, level):
    assert run(*args, "a.txt").exit_code == 0
    assert codec.info(str(work / "a.txt.mxz")).spec.level == level


def test_default_level(work):
    assert run("a.txt").exit_code == 0
    assert codec.info(str(work / "a.txt.mxz")).spec.level == codec.DEFAULT_LEVEL


def test_bad_level_is_a_usage_error(work):
    for bad in (["--level", "12"], ["-10"]):         # level 10 has no one-digit flag
        result = run(*bad, "a.txt")
        assert result.exit_code == 1 and "Try 'mixzip --help'" in result.stderr, result.stderr
        assert not (work / "a.txt.mxz").exists()


def test_threads_never_change_the_output(work):
    one = run(LEVEL, "-c", "a.txt").stdout_bytes
    assert run(LEVEL, "-T", "4", "-c", "a.txt").stdout_bytes == one
    assert run(LEVEL, "-T0", "-c", "a.txt").stdout_bytes == one


def test_block_size(work):
    assert run(LEVEL, "--block-size", "1K", "a.txt").exit_code == 0
    inf = codec.info(str(work / "a.txt.mxz"))
    assert inf.block_size == 1024 and inf.blocks == -(-len(TEXT) // 1024)


def test_block_size_out_of_range(work):
    for bad in ("0", "65M", "lots"):
        result = run(LEVEL, "--block-size", bad, "a.txt")
        assert result.exit_code == 1 and "--block-size" in result.stderr
    assert not (work / "a.txt.mxz").exists()


def test_unknown_plugin_fails_once(work):
    (work / "b.txt").write_bytes(TEXT)
    result = run(LEVEL, "--plugin", "no-such-plugin", "a.txt", "b.txt")
    assert_one_error(result, "no-such-plugin")
    assert not (work / "a.txt.mxz").exists()


def test_conflicting_modes(work):
    assert run("-z", "-d", "a.txt").exit_code == 1
    assert run("-c", "-o", "x", "a.txt").exit_code == 1


def test_help_lists_levels_and_memory():
    result = run("--help")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: mixzip [OPTIONS] [FILE]...")
    for n in range(1, 10):
        assert f"-{n} " in result.stdout
    assert "--level 10 " in result.stdout
    assert "MiB" in result.stdout and "MB/s" in result.stdout and "./bench" in result.stdout
    assert "(default)" in result.stdout


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("mixzip ")


# ------------------------------------------------------------------ terminals

@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(cli, "isatty", lambda stream: True)


def test_refuses_compressed_output_to_a_terminal(work, terminal):
    result = run(LEVEL, "-c", "a.txt")
    assert_one_error(result, "terminal")
    assert result.stdout_bytes == b""
    forced = run(LEVEL, "-c", "-f", "a.txt")
    assert forced.exit_code == 0 and codec.decompress(forced.stdout_bytes) == TEXT


def test_refuses_compressed_input_from_a_terminal(terminal):
    assert_one_error(run("-d"), "terminal")


def test_decompressed_output_may_go_to_a_terminal(archive, terminal):
    result = run("-dc", archive.name)
    assert result.exit_code == 0 and result.stdout_bytes == TEXT


def test_isatty_helper():
    class Tty:
        def isatty(self):
            return True

    assert cli.isatty(Tty()) is True
    assert cli.isatty(object()) is False


def test_progress_only_on_a_terminal_for_large_inputs(monkeypatch, capsys):
    assert not cli.Progress("f", 100 * cli.PROGRESS_MIN_BYTES, quiet=False).enabled  # not a tty
    monkeypatch.setattr(cli, "isatty", lambda stream: True)
    assert not cli.Progress("f", 1000, quiet=False).enabled
    assert not cli.Progress("f", None, quiet=False).enabled
    assert not cli.Progress("f", 2 * cli.PROGRESS_MIN_BYTES, quiet=True).enabled
    bar = cli.Progress("f", 2 * cli.PROGRESS_MIN_BYTES, quiet=False)
    assert bar.enabled
    bar(cli.PROGRESS_MIN_BYTES)
    bar.clear()
    out, err = capsys.readouterr()
    assert out == "" and "\rmixzip: f:  50%" in err and err.endswith("\r")


# ------------------------------------------------------------------ bad input, nothing lost

def _damaged(kind: str) -> bytes:
    good = codec.compress(TEXT, 1)
    if kind == "not an archive":
        return b"this is plain text, not an archive\n" * 3
    if kind == "truncated":
        return good[: len(good) - 7]
    if kind == "flipped bit":
        data = bytearray(good)
        data[len(data) // 2] ^= 0x04
        return bytes(data)
    return b""


@pytest.mark.parametrize("kind", ["not an archive", "truncated", "flipped bit", "empty"])
def test_bad_archive(work, kind):
    (work / "bad.mxz").write_bytes(_damaged(kind))
    result = run("-d", "bad.mxz")
    assert_one_error(result, "mixzip: bad.mxz: ")
    assert not (work / "bad").exists()
    assert hidden_files(work) == []
    assert (work / "bad.mxz").read_bytes() == _damaged(kind)


@pytest.mark.parametrize("kind", ["not an archive", "truncated", "flipped bit"])
def test_bad_archive_on_stdin(kind):
    result = run("-d", input=_damaged(kind))
    assert result.exit_code == 1 and len(error_lines(result)) == 1


def test_missing_input(work):
    assert_one_error(run(LEVEL, "nope.txt"), "nope.txt: No such file or directory")
    assert hidden_files(work) == []


def test_directory_input(work):
    (work / "dir").mkdir()
    assert_one_error(run(LEVEL, "dir"), "dir")
    assert not (work / "dir.mxz").exists()


def test_unknown_suffix(work):
    assert_one_error(run("-d", "a.txt"), "unknown suffix")
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]


def test_any_name_decompresses_with_stdout_or_output(work):
    (work / "packed.bin").write_bytes(codec.compress(TEXT, 1))
    assert run("-dc", "packed.bin").stdout_bytes == TEXT
    assert run("-d", "-o", "-", "packed.bin").stdout_bytes == TEXT


def test_one_bad_file_among_good_ones(work):
    (work / "b.txt").write_bytes(TEXT[::-1])
    result = run(LEVEL, "a.txt", "missing.txt", "b.txt")
    assert_one_error(result, "missing.txt")
    assert codec.decompress((work / "a.txt.mxz").read_bytes()) == TEXT
    assert codec.decompress((work / "b.txt.mxz").read_bytes()) == TEXT[::-1]


def test_worst_status_wins(archive):
    (archive.parent / "b.txt").write_bytes(TEXT)
    result = run(LEVEL, "a.txt.mxz", "missing.txt", "b.txt")      # a warning and an error
    assert result.exit_code == 1 and len(error_lines(result)) == 2


def _interrupting(src, dst, *args, **kwargs):
    dst.write(b"partial output")
    src.read(10)
    raise KeyboardInterrupt


def test_interrupt_leaves_nothing_behind(work, monkeypatch):
    (work / "b.txt").write_bytes(TEXT)
    monkeypatch.setattr(codec, "compress_stream", _interrupting)
    result = run(LEVEL, "a.txt", "b.txt")
    assert_one_error(result, "a.txt: interrupted", status=130)      # and b.txt not started
    assert sorted(p.name for p in work.iterdir()) == ["a.txt", "b.txt"]
    assert (work / "a.txt").read_bytes() == TEXT


def test_interrupt_with_rm_keeps_input(work, monkeypatch):
    monkeypatch.setattr(codec, "compress_stream", _interrupting)
    assert run(LEVEL, "--rm", "a.txt").exit_code == 130
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]


def test_internal_error_is_one_line(work, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.delenv("MIXZIP_DEBUG", raising=False)
    monkeypatch.setattr(codec, "compress_stream", broken)
    assert_one_error(run(LEVEL, "a.txt"), "internal error: RuntimeError: kaboom")
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]


def test_debug_env_shows_the_traceback(work, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setenv("MIXZIP_DEBUG", "1")
    monkeypatch.setattr(codec, "compress_stream", broken)
    result = run(LEVEL, "a.txt")
    assert result.exit_code == 1 and "Traceback" in result.stderr


# ------------------------------------------------------------------ --verify

def test_verify(work):
    result = run(LEVEL, "--verify", "a.txt")
    assert result.exit_code == 0 and result.stderr == ""
    assert codec.decompress((work / "a.txt.mxz").read_bytes()) == TEXT
    stdout = run(LEVEL, "--verify", "-c", "a.txt")
    assert stdout.exit_code == 0 and codec.decompress(stdout.stdout_bytes) == TEXT


def test_verify_failure_writes_nothing(work, monkeypatch):
    def wrong(src, dst, **kwargs):
        dst.write(b"something else")
        return 0, 14

    monkeypatch.setattr(codec, "decompress_stream", wrong)
    assert_one_error(run(LEVEL, "--verify", "--rm", "a.txt"), "verify failed")
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]
    stdout = run(LEVEL, "--verify", "-c", "a.txt")
    assert stdout.exit_code == 1 and stdout.stdout_bytes == b""


# ------------------------------------------------------------------ bench

def test_bench_json(work):
    (work / "tiny.txt").write_bytes(TEXT[:500])
    result = run("bench", "tiny.txt", "--level", "1", "--no-baselines", "--no-isolate", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] and doc["level"] == 1 and doc["baselines"] == []
    assert [r["name"] for r in doc["files"]] == ["tiny.txt"]


def test_bench_table(work):
    (work / "tiny.txt").write_bytes(TEXT[:500])
    result = run("bench", "tiny.txt", "--level", "1", "--no-baselines", "--no-isolate")
    assert result.exit_code == 0 and "tiny.txt" in result.stdout


def test_bench_missing_file(work):
    assert_one_error(run("bench", "nope.bin", "--no-isolate"), "nope.bin")


# ------------------------------------------------------------------ real processes

def _mixzip(*args, cwd, input=None, env=None):
    return subprocess.run([sys.executable, "-m", "mixzip.cli", *args], cwd=cwd, input=input,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=300)


def test_process_corrupt_archive(work):
    (work / "bad.mxz").write_bytes(_damaged("flipped bit"))
    proc = _mixzip("-d", "bad.mxz", cwd=work)
    assert proc.returncode == 1 and proc.stdout == b""
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mixzip: bad.mxz: ")
    assert sorted(p.name for p in work.iterdir()) == ["a.txt", "bad.mxz"]


def test_process_round_trip_and_usage_error(work):
    packed = _mixzip("-1", cwd=work, input=TEXT)
    assert packed.returncode == 0 and packed.stderr == b""
    unpacked = _mixzip("-d", cwd=work, input=packed.stdout)
    assert unpacked.returncode == 0 and unpacked.stdout == TEXT
    usage = _mixzip("--no-such-option", cwd=work)
    assert usage.returncode == 1 and b"Traceback" not in usage.stderr


def test_process_missing_file_and_warning(work):
    (work / "x.mxz").write_bytes(b"")
    proc = _mixzip("-1", "missing.txt", "x.mxz", cwd=work)
    assert proc.returncode == 1
    lines = proc.stderr.decode().splitlines()
    assert lines == ["mixzip: missing.txt: No such file or directory",
                     "mixzip: x.mxz: already has .mxz suffix -- unchanged"]
