"""mixzip: a streaming lossless context-mixing compressor (archives: .mxz).

    import mixzip
    blob = mixzip.compress(data, level=5)
    assert mixzip.decompress(blob) == data
    with mixzip.open("notes.txt.mxz", "wt", encoding="utf-8") as f:
        f.write("hello\\n")

See mixzip.codec for the whole API and docs/FORMAT.md for the archive format.
"""
from mixzip.codec import (
    DEFAULT_BLOCK_SIZE,
    DEFAULT_LEVEL,
    MAX_BLOCK_SIZE,
    MAX_LEVEL,
    MIN_LEVEL,
    ArchiveInfo,
    CorruptError,
    FormatError,
    MixzipError,
    MixzipReader,
    MixzipWriter,
    UnsupportedModelError,
    compress,
    compress_stream,
    decompress,
    decompress_stream,
    info,
    open,
    test,
)
from mixzip.codec.errors import PluginError
from mixzip.predictors import recipes as _recipes  # noqa: F401  registers the model provider

__version__ = "0.1.0"

__all__ = [
    "compress", "decompress", "open", "MixzipWriter", "MixzipReader",
    "compress_stream", "decompress_stream", "info", "test", "ArchiveInfo",
    "MixzipError", "FormatError", "CorruptError", "UnsupportedModelError", "PluginError",
    "DEFAULT_LEVEL", "MIN_LEVEL", "MAX_LEVEL", "DEFAULT_BLOCK_SIZE", "MAX_BLOCK_SIZE",
    "__version__",
]
