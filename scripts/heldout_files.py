"""What the held-out builders share (build_heldout_i18n.py, build_heldout_numeric.py): cutting
a file at a line end and writing the set, skipping a file whose source is missing."""
from __future__ import annotations

import os
import sys
from typing import Callable


def cut(data: bytes, cap: int) -> bytes:
    """At most ``cap`` bytes, ending at a line end."""
    if len(data) <= cap:
        return data
    return data[: data.rindex(b"\n", 0, cap) + 1]


def write_all(out: str, builders: dict[str, Callable[[], bytes]], cap: int, least: int = 10_000) -> None:
    """Each builder's bytes, cut to ``cap``, to ``out``/NAME; a builder that
    fails to read its source or makes fewer than ``least`` bytes is skipped
    with a note on stderr."""
    os.makedirs(out, exist_ok=True)
    for name, build in builders.items():
        try:
            data = cut(build(), cap)
        except OSError as exc:
            print(f"skipped {name}: {exc}", file=sys.stderr)
            continue
        if len(data) < least:
            print(f"skipped {name}: its source is missing or small", file=sys.stderr)
            continue
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")
