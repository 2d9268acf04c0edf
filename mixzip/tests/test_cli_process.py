"""The mixzip command as a real process: pipes, signals, the console scripts.

What only a real process shows: the exit status when the reader of stdout
goes away, SIGTERM/SIGHUP while a temporary file exists, Ctrl-C while the
modules are still importing, and the unmixzip/mixzcat entry points.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from mixzip import codec

TEXT = b"mixzip process test: the quick brown fox jumps over the lazy dog.\n" * 40

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes")


def terminal_signals() -> None:
    """In the child: SIGINT and SIGHUP as a shell on a terminal leaves them.  A
    suite started in the background (``&``, ``nohup``) passes them on ignored,
    and mixzip rightly keeps an ignored signal ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def entry(function: str, *args, **kwargs) -> subprocess.Popen:
    """Start a console-script function of mixzip._entry (as the installed scripts do)."""
    code = f"import sys; sys.argv[0] = {function!r}; from mixzip._entry import {function}; {function}()"
    kwargs.setdefault("preexec_fn", terminal_signals)
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], **kwargs)


def wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_broken_pipe_exits_quietly_with_141(tmp_path):
    """``mixzip -dc x.mxz | head``: no message, status 141 (128 + SIGPIPE), as gzip/xz/zstd."""
    data = TEXT * 60                                         # 160 KB: more than a pipe holds
    (tmp_path / "x.mxz").write_bytes(codec.compress(data, 1))
    proc = entry("main", "-dc", "x.mxz", cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(100) == data[:100]
    proc.stdout.close()                                      # `head` is done
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_remove_the_temporary_file(tmp_path, signum):
    """kill, timeout, a closed terminal: no .NAME.XXXX.tmp left, exit 128+signal."""
    proc = entry("main", "-1", "-o", "out.mxz", cwd=tmp_path, stdin=subprocess.PIPE,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(TEXT)                       # then it waits for more input
        proc.stdin.flush()
        wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()))
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 128 + signum
    finally:
        proc.kill()
        proc.stdin.close()
    assert list(tmp_path.iterdir()) == []
    assert b"Traceback" not in proc.stderr.read()


def test_nohup_keeps_sighup_ignored(tmp_path):
    """Under nohup (SIGHUP ignored) a hang-up must not end the run."""
    proc = entry("main", "-1", "-o", "out.mxz", cwd=tmp_path, stdin=subprocess.PIPE,
                 stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    try:
        proc.stdin.write(TEXT)
        proc.stdin.flush()
        wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()))
        proc.send_signal(signal.SIGHUP)
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
    assert codec.decompress((tmp_path / "out.mxz").read_bytes()) == TEXT


_SLOW_IMPORT = textwrap.dedent("""
    import sys, time, importlib.abc

    class SlowNumba(importlib.abc.MetaPathFinder):
        # Stands for the first second of a run, spent importing numba.
        def find_spec(self, name, path, target=None):
            if name == "numba":
                sys.stderr.write("importing numba\\n")
                sys.stderr.flush()
                time.sleep(60)
            return None

    sys.meta_path.insert(0, SlowNumba())
    sys.argv = ["mixzip", "-1", "a.txt"]
    from mixzip._entry import main
    main()
""")


def test_ctrl_c_while_importing_is_one_line_and_130(tmp_path):
    (tmp_path / "a.txt").write_bytes(TEXT)
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_IMPORT], cwd=tmp_path, preexec_fn=terminal_signals,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stderr.readline() == b"importing numba\n"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
    assert proc.stderr.read().decode().splitlines() == ["mixzip: interrupted"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_unmixzip_and_mixzcat(tmp_path):
    (tmp_path / "a.txt.mxz").write_bytes(codec.compress(TEXT, 1))
    cat = entry("mixzcat", "a.txt.mxz", cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = cat.communicate(timeout=120)
    assert cat.returncode == 0 and out == TEXT and err == b""
    assert not (tmp_path / "a.txt").exists()
    un = entry("unmixzip", "a.txt.mxz", cwd=tmp_path, stderr=subprocess.PIPE)
    assert un.wait(timeout=120) == 0
    assert (tmp_path / "a.txt").read_bytes() == TEXT and (tmp_path / "a.txt.mxz").exists()


def test_console_scripts_are_declared():
    """pyproject.toml names the three scripts (what pip installs)."""
    import pathlib
    try:
        import tomllib
    except ImportError:                                  # Python 3.10
        pytest.skip("tomllib needs Python 3.11")
    path = pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml"
    if not path.exists():
        pytest.skip("not run from a source tree")
    scripts = tomllib.loads(path.read_text())["project"]["scripts"]
    assert scripts == {"mixzip": "mixzip._entry:main", "unmixzip": "mixzip._entry:unmixzip",
                       "mixzcat": "mixzip._entry:mixzcat"}


def test_import_mixzip_is_light():
    """``import mixzip`` alone loads no numba (the API loads on first use)."""
    code = "import sys, mixzip; assert 'numba' not in sys.modules; mixzip.compress; assert 'numba' in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def _on_a_terminal(args, cwd, feed=None):
    """Run mixzip with stderr on a pseudo-terminal; return (status, what the terminal got)."""
    import pty
    import threading
    master, slave = pty.openpty()
    proc = entry("main", *args, cwd=cwd, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    if feed:
        def writer():
            wait_for(lambda: any(p.name.endswith(".tmp") for p in cwd.iterdir()))   # reading now
            for chunk in feed:
                proc.stdin.write(chunk)
                proc.stdin.flush()
                time.sleep(0.1)
            proc.stdin.close()
        threading.Thread(target=writer, daemon=True).start()
    seen = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:                    # EIO: the process closed the terminal
            break
        if not data:
            break
        seen += data
    os.close(master)
    return proc.wait(timeout=120), seen.decode()


def test_progress_on_a_terminal(tmp_path):
    """A real terminal on stderr: the xz -v line, with percent for a file."""
    import random
    words = random.Random(5).choices(TEXT.split() + [b"%d" % i for i in range(500)], k=150_000)
    (tmp_path / "a.txt").write_bytes(b" ".join(words))       # ~600 KB: about a second at -1
    status, seen = _on_a_terminal(["-1", "-v", "--block-size", "4K", "-c", "a.txt"], tmp_path)
    assert status == 0
    assert "\rmixzip: a.txt: " in seen and " %  " in seen and "/s  0:0" in seen and " = 0." in seen


def test_progress_for_a_pipe(tmp_path):
    """Reading a slow pipe: the line shows (no percent: the size is unknown) and time moves."""
    feed = [TEXT[:1024]] * 15                      # 1.5 s of input
    status, seen = _on_a_terminal(["-1", "--block-size", "1K", "-o", "out.mxz"], tmp_path, feed)
    assert status == 0
    lines = [part for part in seen.split("\r") if part.startswith("mixzip: (stdin): ")]
    assert len(lines) >= 2 and "%" not in seen and "/s  0:0" in lines[-1]
    assert codec.decompress((tmp_path / "out.mxz").read_bytes()) == b"".join(feed)
