"""The one exception hierarchy of mixzip.

    MixzipError                 base class; every error the library raises on purpose
    +-- FormatError             not a mixzip archive, unknown format version, bad header
    +-- CorruptError            checksum mismatch, truncated stream, trailing garbage
    +-- UnsupportedModelError   the archive names a recipe or predictor plugin that is
                                not available here (message names it)
    +-- PluginError             a plugin failed or gave bad numbers (message names it)
    +-- LimitError              decoding would pass a limit the caller set
                                (memory_limit, max_output_size); nothing was decoded past it

Messages are one line, fit for ``mixzip: <message>`` on stderr.
"""
from __future__ import annotations


class MixzipError(Exception):
    """Base class of all mixzip errors."""


class FormatError(MixzipError):
    """The input is not a mixzip archive, or uses a format version we cannot read."""


class CorruptError(MixzipError):
    """The archive is damaged: checksum mismatch, truncation or trailing garbage."""


class UnsupportedModelError(MixzipError):
    """The archive's model spec names a recipe or predictor that is not installed."""


class PluginError(MixzipError):
    """A plugin model raised, or returned numbers a model cannot use; the message names it."""


class LimitError(MixzipError):
    """Decoding would need more than a limit the caller set: the model's memory
    (``memory_limit``, ``-M``) or the output's size (``max_output_size``)."""
