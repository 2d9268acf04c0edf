"""mixzip: a streaming lossless context-mixing compressor (archives: .mxz).

    import mixzip
    blob = mixzip.compress(data, level=5)
    assert mixzip.decompress(blob) == data
    with mixzip.open("notes.txt.mxz", "wt", encoding="utf-8") as f:
        f.write("hello\\n")

See mixzip.codec for the whole API and docs/FORMAT.md for the archive format.

The API is loaded on first use (PEP 562): ``import mixzip`` alone does not
import numba or build anything, so the command line can set up its signals
first (mixzip/_entry.py) and a Ctrl-C while starting is one line.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

_API = (
    "compress", "decompress", "open", "MixzipWriter", "MixzipReader",
    "compressobj", "decompressobj", "MixzipCompressor", "MixzipDecompressor",
    "compress_stream", "decompress_stream", "info", "test", "ArchiveInfo", "model_memory",
    "MixzipError", "FormatError", "CorruptError", "UnsupportedModelError", "LimitError", "PluginError",
    "DEFAULT_LEVEL", "MIN_LEVEL", "MAX_LEVEL", "DEFAULT_BLOCK_SIZE", "MAX_BLOCK_SIZE",
    "FLUSH_BLOCK", "FLUSH_FINISH", "register_shutil_formats",
)

__all__ = [*_API, "__version__"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from mixzip.codec import *  # noqa: F401,F403


def __getattr__(name: str):
    if name in _API:
        from mixzip import codec
        value = getattr(codec, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mixzip' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
