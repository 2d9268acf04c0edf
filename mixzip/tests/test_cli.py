"""The mixzip command: names, options, exit codes, one-line errors, nothing lost."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mixzip import cli, codec

TEXT = b"mixzip command line test: the quick brown fox jumps over the lazy dog.\n" * 40
LEVEL = "-1"     # the smallest model: fast to build


@pytest.fixture(scope="module", autouse=True)
def level_compiled():
    """Compile the CLI tests' level first, so that the tests which require an
    empty stderr never see the first-run notice ("compiling the level-1
    model..."), whatever ran before them (test_first_run_says_it_compiles
    checks the notice itself)."""
    codec.decompress(codec.compress(TEXT, int(LEVEL[1:])))


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

def test_first_run_says_it_compiles(work, monkeypatch):
    """A level's first run compiles its model: one line on stderr says so
    (and -q silences it); the output is the same."""
    from mixzip.predictors.model import Model
    monkeypatch.setattr(Model, "needs_compile", lambda self: True)
    result = run(LEVEL, "-c", "a.txt")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "mixzip: compiling the level-1 model for this machine, first run only (up to half a minute)..."]
    assert codec.decompress(result.stdout_bytes) == TEXT
    quiet = run(LEVEL, "-q", "-c", "a.txt")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout_bytes == result.stdout_bytes


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
                                         (["--level", "10"], 10), (["-10"], 10), (["-1", "-10"], 10),
                                         (["--best"], 10), (["--fast"], 1), (["--best", "-2"], 2),
                                         (["-2f"], 2), (["-f3"], 3), (["--level=4"], 4)])
def test_levels(work, args, level):
    assert run(*args, "a.txt").exit_code == 0
    assert codec.info(str(work / "a.txt.mxz")).spec.level == level


def test_default_level(work):
    assert run("a.txt").exit_code == 0
    assert codec.info(str(work / "a.txt.mxz")).spec.level == codec.DEFAULT_LEVEL


@pytest.mark.parametrize("bad", [["-12"], ["-19"], ["-0"], ["-11"], ["--level", "12"],
                                 ["--level", "0"], ["-c19"], ["--level", "high"]])
def test_level_out_of_range_is_one_line_naming_the_range(work, bad):
    """zstd habits: -12 .. -19 must not quietly mean -1 -2 or -1 -9 (item 1 of issue 18)."""
    result = run(*bad, "a.txt")
    assert_one_error(result, "levels are 1..10")
    assert "level" in result.stderr and "Try" not in result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["a.txt"]


def test_level_flags_leave_option_values_alone():
    rewrite = cli.rewrite_level_flags
    assert rewrite(["-o", "-12", "-19c"], {"o", "T"}, {"--output"}) == \
        ["-o", "-12", "--level", "19", "-c"]
    assert rewrite(["-T4", "-dc12", "--output", "-3", "--", "-5"], {"o", "T"}, {"--output"}) == \
        ["-T4", "-d", "-c", "--level", "12", "--output", "-3", "--", "-5"]
    assert rewrite(["--best", "--fast", "-"], set(), set()) == ["--level", "10", "--level", "1", "-"]


def test_output_named_like_a_level(work):
    assert run(LEVEL, "-o", "-12", "a.txt").exit_code == 0
    assert codec.decompress((work / "-12").read_bytes()) == TEXT


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
    for n in range(1, 11):
        assert f"-{n} " in result.stdout
    assert "--best" in result.stdout and "--fast" in result.stdout
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


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_line_shows_what_xz_v_shows():
    t = FakeClock()
    bar = cli.Progress("f.txt", 4 << 20, True, enabled=False, clock=t)
    bar.update(read=1 << 20, written=256 << 10)
    t.now += 2
    line = bar.line()
    assert line == "mixzip: f.txt:   25.0 %  256.0 KiB / 1.0 MiB = 0.250  512.0 KiB/s  0:02  0:06 left"
    pipe = cli.Progress("(stdin)", None, False, enabled=False, clock=t)   # decompressing a pipe
    pipe.update(read=1000, written=4000)
    t.now += 3725
    assert pipe.line() == "mixzip: (stdin):  1000 B / 3.9 KiB = 0.250  1 B/s  1:02:05"


def test_progress_on_a_terminal_and_silenced(work, terminal):
    """-v shows the line at once; -q and --no-progress silence it; it is wiped at the end."""
    result = run(LEVEL, "-v", "-f", "-o", "out.mxz", "--block-size", "1K", "a.txt")
    assert result.exit_code == 0
    assert "\rmixzip: a.txt: " in result.stderr and " %  " in result.stderr and "/s  0:0" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("a.txt -> out.mxz: ")   # the -v summary
    for quiet in (["-q"], ["--no-progress"]):
        result = run(LEVEL, "-v", *quiet, "-f", "-o", "out.mxz", "--block-size", "1K", "a.txt")
        assert result.exit_code == 0 and "%" not in result.stderr and "\r" not in result.stderr
    result = run("-dc", "-v", "out.mxz")          # the text itself goes to the terminal: no line
    assert result.exit_code == 0 and result.stdout_bytes == TEXT and "\r" not in result.stderr


def test_no_progress_when_stderr_is_not_a_terminal(work):
    result = run(LEVEL, "-v", "--block-size", "1K", "a.txt")
    assert result.exit_code == 0 and "\r" not in result.stderr and "%" not in result.stderr


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
    assert doc["ok"] and doc["levels"] == [1] and doc["baselines"] == []
    assert [r["name"] for r in doc["files"]] == ["tiny.txt"]
    assert doc["corpus"]["name"] == "files given" and doc["corpus"]["items"] == ["tiny.txt"]


def test_bench_table(work):
    (work / "tiny.txt").write_bytes(TEXT[:500])
    result = run("bench", "tiny.txt", "--level", "1", "--no-baselines", "--no-isolate")
    assert result.exit_code == 0 and "tiny.txt" in result.stdout
    assert result.stdout.startswith("corpus: files given, 1 files, 500 bytes")


def test_bench_several_levels_repeat_and_plugin(work, monkeypatch):
    from mixzip import bench
    seen, real = {}, bench.run_bench

    def fake(inputs, levels, **kw):
        seen.update(kw, levels=levels, names=[n for n, _ in inputs])
        return real(inputs, [1], baselines=False, isolate=False)

    monkeypatch.setattr(bench, "run_bench", fake)
    (work / "tiny.txt").write_bytes(TEXT[:500])
    result = run("bench", "tiny.txt", "--level", "1", "--level", "3-4,9", "--repeat", "3", "--json")
    assert result.exit_code == 0, result.stderr
    assert seen["levels"] == [1, 3, 4, 9] and seen["repeat"] == 3 and seen["names"] == ["tiny.txt"]
    assert_one_error(run("bench", "tiny.txt", "--level", "1,12"), "levels are 1..10")
    assert_one_error(run("bench", "tiny.txt", "--plugin", "no-such-plugin"), "no-such-plugin")


def test_bench_names_the_corpus_it_used(work, monkeypatch):
    from mixzip import bench
    from mixzip import corpus as corpora
    seen, real = {}, bench.run_bench

    def fake(inputs, levels, **kw):
        seen.update(kw)
        return real(inputs[:1], [1], baselines=False, isolate=False, corpus=kw["corpus"])

    monkeypatch.setattr(bench, "run_bench", fake)
    monkeypatch.setattr(corpora, "load", lambda name: [("s.txt", TEXT[:300])])
    result = run("bench", "--corpus", "sample")
    assert result.exit_code == 0, result.stderr
    assert seen["corpus"]["name"] == "sample" and "generated" in seen["corpus"]["path"]
    assert result.stdout.startswith("corpus: sample (generated by mixzip.corpus.sample()), 1 files")


def test_bench_plot_is_checked_before_any_work(work, monkeypatch):
    import builtins
    from mixzip import bench, corpus as corpora

    def no_work(*a, **k):
        raise AssertionError("the benchmark ran")

    monkeypatch.setattr(bench, "run_bench", no_work)
    monkeypatch.setattr(corpora, "resolve", no_work)
    real = builtins.__import__

    def no_mpl(name, *a, **k):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    assert_one_error(run("bench", "--plot", "b.png"), "--plot needs matplotlib")
    monkeypatch.setattr(builtins, "__import__", real)
    if __import__("importlib").util.find_spec("matplotlib") is not None:
        assert_one_error(run("bench", "--plot", "no/such/dir/b.png"), "no directory")


def test_bench_plot(work):
    pytest.importorskip("matplotlib")
    (work / "tiny.txt").write_bytes(TEXT[:500])
    result = run("bench", "tiny.txt", "--level", "1", "--no-isolate", "--plot", "b.png")
    assert result.exit_code == 0, result.stderr
    assert (work / "b.png").read_bytes()[:4] == b"\x89PNG" and "mixzip -1" in result.stdout


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


# ------------------------------------------------------------------ outputs that are not plain files

def test_output_directory_names_the_users_path(work):
    (work / "outdir").mkdir()
    for args in ([LEVEL, "-o", "outdir", "a.txt"], [LEVEL, "-f", "-o", "outdir", "a.txt"]):
        result = run(*args)
        assert_one_error(result, "cannot write outdir: it is a directory")
        assert ".tmp" not in result.stderr
        assert list((work / "outdir").iterdir()) == [] and hidden_files(work) == []


def _fifo_reader(path, got: list):
    """Read a FIFO to its end without ever blocking the test (O_NONBLOCK)."""
    import threading
    import time

    def read():
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        data, deadline, seen_writer = b"", time.monotonic() + 30, False
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:          # a writer is there, nothing yet
                    seen_writer = True
                    time.sleep(0.01)
                    continue
                if chunk:
                    data, seen_writer = data + chunk, True
                elif seen_writer:
                    break                        # the writer closed it
                else:
                    time.sleep(0.01)             # no writer yet
        finally:
            os.close(fd)
            got.append(data)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("force", [["-f"], []])
def test_output_fifo_is_written_into_not_replaced(archive, force):
    """``-f -o FIFO`` must write into the pipe, not rename a regular file over it."""
    import stat as st
    fifo = archive.parent / "pipe"
    os.mkfifo(fifo)
    got: list = []
    thread = _fifo_reader(fifo, got)
    result = run("-d", *force, "-o", fifo, archive.name)
    thread.join(35)
    assert result.exit_code == 0, result.stderr
    assert st.S_ISFIFO(os.stat(fifo).st_mode)            # still the FIFO
    assert got == [TEXT] and hidden_files(archive.parent) == []


def test_output_private_device_node_is_written_into(archive):
    """A private character device (the null device, made in tmp) stays a device."""
    import stat as st
    node = archive.parent / "null"
    try:
        os.mknod(node, 0o666 | st.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("cannot make a device node here (not root)")
    result = run("-d", "-f", "-o", node, archive.name)
    assert result.exit_code == 0, result.stderr
    assert st.S_ISCHR(os.stat(node).st_mode) and hidden_files(archive.parent) == []


def test_output_fifo_with_verify(work):
    fifo = work / "pipe"
    os.mkfifo(fifo)
    got: list = []
    thread = _fifo_reader(fifo, got)
    result = run(LEVEL, "--verify", "-o", fifo, "a.txt")
    thread.join(35)
    assert result.exit_code == 0 and codec.decompress(got[0]) == TEXT


@pytest.mark.parametrize("length", [238, 245, 251])
def test_long_names_keep_the_temporary_name_within_the_limit(work, length):
    """gzip handles names up to the limit; the temporary name must not add 14 bytes past it."""
    if os.pathconf(work, "PC_NAME_MAX") < 255:
        pytest.skip("file system with short names")
    name = "n" * (length - 4) + ".txt"
    (work / name).write_bytes(TEXT)
    result = run(LEVEL, name)
    assert result.exit_code == 0, result.stderr
    assert codec.decompress((work / (name + ".mxz")).read_bytes()) == TEXT
    (work / name).unlink()
    assert run("-d", name + ".mxz").exit_code == 0
    assert (work / name).read_bytes() == TEXT and hidden_files(work) == []


def test_temp_prefix_fits():
    assert cli.temp_prefix("short", ".") == ".short."
    long = cli.temp_prefix("é" * 200, ".")              # 400 bytes in UTF-8
    assert len(os.fsencode(long)) + 8 + len(".tmp") <= cli._name_max(".")


def test_version_short_flag():
    result = run("-V")
    assert result.exit_code == 0 and result.stdout.startswith("mixzip ")


# ------------------------------------------------------------------ -r, -M, -l on several files

@pytest.fixture
def tree(work):
    (work / "tree" / "sub").mkdir(parents=True)
    (work / "tree" / "one.txt").write_bytes(TEXT)
    (work / "tree" / "sub" / "two.txt").write_bytes(TEXT[::-1])
    (work / "tree" / "sub" / "old.mxz").write_bytes(codec.compress(b"old", 1))
    return work / "tree"


def test_recursive(tree):
    assert_one_error(run(LEVEL, "tree"), "is a directory -- ignored (use -r")
    result = run(LEVEL, "-r", "tree")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert codec.decompress((tree / "one.txt.mxz").read_bytes()) == TEXT
    assert codec.decompress((tree / "sub" / "two.txt.mxz").read_bytes()) == TEXT[::-1]
    assert not (tree / "sub" / "old.mxz.mxz").exists()              # archives are left alone
    assert run("-t", "-r", "tree").exit_code == 0
    (tree / "one.txt").unlink()
    result = run("-d", "-r", "tree")
    assert result.exit_code == 1 and "two.txt already exists" in result.stderr   # not forced
    assert (tree / "one.txt").read_bytes() == TEXT and (tree / "sub" / "old").read_bytes() == b"old"


def test_list_several_files_totals_and_units(tree):
    run(LEVEL, "-r", "tree")
    result = run("-l", "-r", "tree")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 3 + 1 and lines[-1].endswith("(3 files)")
    assert all(re.search(r"\d (B|KiB) ", line) for line in lines[1:])
    assert f"{len(TEXT):,}" not in result.stdout                  # binary units, not byte counts
    total = codec.info((tree / "one.txt.mxz").read_bytes()).original_size * 2 + 3
    assert cli.human(total) in lines[-1]
    assert cli.human(1023) == "1023 B" and cli.human(1536) == "1.5 KiB" and cli.human(3 << 20) == "3.0 MiB"


def test_list_verbose_shows_decode_memory(archive):
    from mixzip.predictors import recipes
    result = run("-lv", archive.name)
    assert result.exit_code == 0
    head, row = result.stdout.splitlines()
    assert "memory" in head.split() and "streams" in head.split()
    assert cli.human(recipes.spec_memory(codec.info(archive.read_bytes()).spec)) in row
    assert f"{archive.stat().st_size:,}" in row                   # exact bytes with -v


def test_memory_limit(archive):
    from mixzip.predictors import recipes
    need = recipes.spec_memory(codec.info(archive.read_bytes()).spec)
    (archive.parent / "a.txt").unlink()
    for mode in ("-d", "-t"):
        assert_one_error(run(mode, "-M", "1M", archive.name), "more than the memory limit of 1.0 MiB")
    assert sorted(p.name for p in archive.parent.iterdir()) == ["a.txt.mxz"]
    assert run("-d", "-M", str(need), archive.name).exit_code == 0
    assert (archive.parent / "a.txt").read_bytes() == TEXT
    result = run("-M", "10M", "-c", "a.txt")                      # level 8 needs more
    assert_one_error(result, "use a lower level")
    assert result.stdout_bytes == b""
    assert run(LEVEL, "-M", "1G", "-c", "a.txt").exit_code == 0
    assert run("-M", "lots", "a.txt").exit_code == 1
