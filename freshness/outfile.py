"""Write an output file whole or not at all: a temporary file beside the target, flushed to disk,
then renamed over it. A full disk or a killed process leaves the previous file as it was."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from freshness.errors import LocalFaultError
from freshness.faults import os_fault


def write_replacing(path: Path, text: str, *, follow_symlinks: bool = False) -> Path:
    """Write `text` (UTF-8) to `path`; return the file actually written.

    A symlink is refused unless `follow_symlinks` (then its target is replaced, as `install` and
    editors do); a device or pipe (/dev/stdout, a FIFO) is written in place, since it cannot be
    replaced. Raises LocalFaultError naming the cause (disk full, permission, missing directory).
    """
    target = path
    if path.is_symlink():
        if not follow_symlinks:
            raise LocalFaultError(
                f"refusing to write {path}: it is a symlink (to {os.readlink(path)})",
                tip="Pass --follow-symlinks to replace the file it points to, or remove the link.",
            )
        target = path.resolve()
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise os_fault(exc, doing="write", path=target) from exc
    data = text.encode("utf-8")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise LocalFaultError(f"cannot write {target}: it is a directory")
    try:
        if info is not None and not stat.S_ISREG(info.st_mode):
            with open(target, "wb") as fh:
                fh.write(data)
            return target
        _replace(target, data, mode=stat.S_IMODE(info.st_mode) if info is not None else _default_mode())
    except OSError as exc:
        raise os_fault(exc, doing="write", path=target) from exc
    return target


def _replace(target: Path, data: bytes, *, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
