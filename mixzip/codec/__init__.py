"""mixzip.codec: the container format, the streaming coder and the public API.

    compress(data, level=DEFAULT_LEVEL, *, plugins=(), block_size=DEFAULT_BLOCK_SIZE) -> bytes
    decompress(data) -> bytes
    open(file, mode="rb", level=..., *, plugins=(), block_size=..., encoding=None, errors=None, newline=None)
    MixzipWriter(fileobj, level=..., *, plugins=(), block_size=..., size=None, closefd=False)
    MixzipReader(fileobj, closefd=False)
    compress_stream(src, dst, level=..., *, plugins=(), size=None, block_size=..., progress=None) -> (read, written)
    decompress_stream(src, dst, *, progress=None) -> (read, written)
    info(path_or_fileobj) -> ArchiveInfo
    test(path_or_fileobj) -> int

Errors: MixzipError > FormatError, CorruptError, UnsupportedModelError, PluginError.
The byte layout is in format.py and docs/FORMAT.md.
"""
from mixzip.codec.errors import CorruptError, FormatError, MixzipError, PluginError, UnsupportedModelError
from mixzip.codec.format import DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, ArchiveInfo, info
from mixzip.codec.streams import (
    MixzipReader,
    MixzipWriter,
    compress,
    compress_stream,
    decompress,
    decompress_stream,
    open,
    test,
)
from mixzip.codec.models import DEFAULT_LEVEL, MAX_LEVEL, MIN_LEVEL

__all__ = [
    "compress", "decompress", "open", "MixzipWriter", "MixzipReader",
    "compress_stream", "decompress_stream", "info", "test", "ArchiveInfo",
    "MixzipError", "FormatError", "CorruptError", "UnsupportedModelError", "PluginError",
    "DEFAULT_LEVEL", "MIN_LEVEL", "MAX_LEVEL", "DEFAULT_BLOCK_SIZE", "MAX_BLOCK_SIZE",
]
