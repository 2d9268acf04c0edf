"""``.tar.mxz`` for ``shutil``: make and unpack tar archives compressed by mixzip.

    import shutil, mixzip
    mixzip.register_shutil_formats()                 # once; level=... optional
    shutil.make_archive("backup", "mxztar", root_dir="project")   # -> backup.tar.mxz
    shutil.unpack_archive("backup.tar.mxz", "restored")

``register_shutil_formats(level=DEFAULT_LEVEL)`` registers the archive
format ``"mxztar"`` (``shutil.register_archive_format``) and the unpack
format ``"mxztar"`` for the extensions ``.tar.mxz`` and ``.tmxz``
(``shutil.register_unpack_format``).  Calling it again replaces them (a new
level).  The tar stream is written and read sequentially through
``mixzip.open``, so memory stays that of the model plus one block.

Unpacking uses tarfile's ``"data"`` filter where this Python has it (no
absolute paths, no links out of the target, no device files), unless
``shutil.unpack_archive(..., filter=...)`` names another.
"""
from __future__ import annotations

import os
import shutil
import tarfile

from mixzip.codec.models import DEFAULT_LEVEL, spec_for_level

FORMAT = "mxztar"
EXTENSIONS = [".tar.mxz", ".tmxz"]


def _id(module: str, lookup: str, name: str, default: int) -> int:
    try:
        return getattr(__import__(module), lookup)(name)[2]
    except (ImportError, KeyError):
        return default


def make_tarball(base_name: str, base_dir: str, level: int = DEFAULT_LEVEL, owner=None, group=None,
                 dry_run: bool = False, logger=None) -> str:
    """Write ``base_name + ".tar.mxz"`` holding ``base_dir`` (shutil's archive function)."""
    from mixzip.codec.streams import open as mxz_open

    archive = base_name + ".tar.mxz"
    directory = os.path.dirname(archive)
    if directory and not dry_run:
        os.makedirs(directory, exist_ok=True)
    if logger is not None:
        logger.info("creating '%s' and adding '%s' to it", archive, base_dir)
    if dry_run:
        return archive

    def chown(info: tarfile.TarInfo) -> tarfile.TarInfo:   # as shutil's own tar formats do
        if owner is not None:
            info.uname, info.uid = owner, _id("pwd", "getpwnam", owner, info.uid)
        if group is not None:
            info.gname, info.gid = group, _id("grp", "getgrnam", group, info.gid)
        return info

    with mxz_open(archive, "wb", level) as f, tarfile.open(fileobj=f, mode="w|") as tar:
        tar.add(base_dir, filter=chown)
    return archive


def unpack_tarball(filename: str, extract_dir: str, *, filter=None) -> None:
    """Extract ``filename`` (.tar.mxz) into ``extract_dir`` (shutil's unpack function)."""
    from mixzip.codec.streams import open as mxz_open

    if filter is None and hasattr(tarfile, "data_filter"):
        filter = "data"
    with mxz_open(filename, "rb") as f, tarfile.open(fileobj=f, mode="r|") as tar:
        if filter is not None:
            tar.extractall(extract_dir, filter=filter)
        else:                                # a Python without extraction filters
            tar.extractall(extract_dir)


def register_shutil_formats(level: int = DEFAULT_LEVEL) -> None:
    """Register ``"mxztar"`` (``.tar.mxz``, ``.tmxz``) with shutil's make_archive/unpack_archive."""
    spec_for_level(level)                       # a bad level fails here, not in make_archive
    shutil.register_archive_format(FORMAT, make_tarball, [("level", level)],
                                   "tar file compressed with mixzip")
    if FORMAT in {name for name, *_ in shutil.get_unpack_formats()}:
        shutil.unregister_unpack_format(FORMAT)
    shutil.register_unpack_format(FORMAT, EXTENSIONS, unpack_tarball,
                                  description="tar file compressed with mixzip")
