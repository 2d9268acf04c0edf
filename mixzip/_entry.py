"""The console scripts (``mixzip``, ``unmixzip``, ``mixzcat``) and the signals
that end a run.

This module imports nothing heavy: the scripts start here, set up the
signals, and only then import the command (numba, numpy, the models), so
that a Ctrl-C during that first second is one line and exit 130, not a
traceback, and a SIGTERM/SIGHUP then exits 128+signal.

    main()        mixzip ARGS...
    unmixzip()    mixzip -d ARGS...
    mixzcat()     mixzip -dc ARGS...

    with ending_signals():   # SIGTERM, SIGHUP raise Terminated in the main thread
        ...

``Terminated`` derives from BaseException, like KeyboardInterrupt, so that
``except Exception`` does not swallow it and every ``with``/``finally`` on
the way out runs (temporary files are removed); the command then exits
with 128 + the signal number, as a shell reports a process killed by it.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Iterator

INTERRUPTED = 130


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived; ``status`` is 128 + the signal number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.status = 128 + signum


def _raise_terminated(signum, frame):
    raise Terminated(signum)


@contextlib.contextmanager
def ending_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Terminated (main thread only).

    A signal whose handler is not the default (``nohup`` ignores SIGHUP; an
    embedding program may have its own) is left as it is.  The previous
    handlers are restored on the way out."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                if signal.getsignal(signum) is signal.SIG_DFL:
                    previous[signum] = signal.signal(signum, _raise_terminated)
            except (OSError, ValueError):
                pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, handler)


def _run(prefix: list[str], prog: str) -> None:
    with ending_signals():
        try:
            from mixzip import cli
        except KeyboardInterrupt:
            sys.stderr.write(f"{prog}: interrupted\n")
            sys.exit(INTERRUPTED)
        except Terminated as exc:
            sys.exit(exc.status)
    cli.main.main([*prefix, *sys.argv[1:]], prog_name=prog)


def main() -> None:
    """``mixzip``."""
    _run([], "mixzip")


def unmixzip() -> None:
    """``unmixzip``: the same as ``mixzip -d``."""
    _run(["-d"], "unmixzip")


def mixzcat() -> None:
    """``mixzcat``: the same as ``mixzip -dc``."""
    _run(["-dc"], "mixzcat")
