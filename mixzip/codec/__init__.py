"""mixzip.codec: the container format, the streaming coder and the public API.

    compress(data, level=DEFAULT_LEVEL, *, plugins=(), block_size=DEFAULT_BLOCK_SIZE) -> bytes
    decompress(data, *, max_output_size=None, memory_limit=None) -> bytes
    open(file, mode="rb", level=None, *, plugins=(), block_size=..., encoding=None, errors=None,
         newline=None, compresslevel=None, memory_limit=None)
    MixzipWriter(fileobj, level=..., *, plugins=(), block_size=..., size=None, closefd=False)
    MixzipReader(fileobj, closefd=False, *, memory_limit=None)
    compressobj(level=..., *, plugins=(), block_size=..., size=None) -> MixzipCompressor
        .compress(data) -> bytes, .flush(FLUSH_FINISH | FLUSH_BLOCK) -> bytes
    decompressobj(*, memory_limit=None, max_output_size=None) -> MixzipDecompressor
        .decompress(data, max_length=-1) -> bytes, .eof, .unused_data, .needs_input
    compress_stream(src, dst, level=..., *, plugins=(), size=None, block_size=..., progress=None) -> (read, written)
    decompress_stream(src, dst, *, progress=None, memory_limit=None) -> (read, written)
    info(path, file object or bytes) -> ArchiveInfo
    test(path, file object or bytes, *, memory_limit=None) -> int
    model_memory(spec) -> int         bytes of model state decoding a stream of this spec needs
    register_shutil_formats(level=...)    "mxztar" (.tar.mxz) for shutil.make_archive/unpack_archive

Errors: MixzipError > FormatError, CorruptError, UnsupportedModelError, PluginError, LimitError.
The byte layout is in format.py and docs/FORMAT.md.
"""
from mixzip.codec.errors import CorruptError, FormatError, LimitError, MixzipError, PluginError, UnsupportedModelError
from mixzip.codec.format import DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, ArchiveInfo, info
from mixzip.codec.streams import (
    FLUSH_BLOCK,
    FLUSH_FINISH,
    MixzipCompressor,
    MixzipDecompressor,
    MixzipReader,
    MixzipWriter,
    compress,
    compress_stream,
    compressobj,
    decompress,
    decompress_stream,
    decompressobj,
    model_memory,
    open,
    test,
)
from mixzip.codec.tarmxz import register_shutil_formats
from mixzip.codec.models import DEFAULT_LEVEL, MAX_LEVEL, MIN_LEVEL

__all__ = [
    "compress", "decompress", "open", "MixzipWriter", "MixzipReader",
    "compressobj", "decompressobj", "MixzipCompressor", "MixzipDecompressor",
    "FLUSH_BLOCK", "FLUSH_FINISH",
    "compress_stream", "decompress_stream", "info", "test", "ArchiveInfo", "model_memory",
    "register_shutil_formats",
    "MixzipError", "FormatError", "CorruptError", "UnsupportedModelError", "LimitError", "PluginError",
    "DEFAULT_LEVEL", "MIN_LEVEL", "MAX_LEVEL", "DEFAULT_BLOCK_SIZE", "MAX_BLOCK_SIZE",
]
