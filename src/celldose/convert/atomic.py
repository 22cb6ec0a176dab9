"""Writing a file so that it is either entirely the old one or entirely the new one.

The new content goes to a temporary file in the same folder (the same file system), is flushed
to disk, and is renamed over the target in one step. A failure or a kill at any moment leaves
the original intact and no half-written target. Without ``force``, the target is created with
a hard link, which fails if the file exists: there is no moment at which an existing file
could be overwritten.

A replaced file keeps its permission bits and, where the writer may set them, its owner and
group. A symlink is written through, as ``cp`` does: the link stays and its file gets the new
content; a dangling link, a loop, and a link another user owns in a shared sticky folder are
refused. Hard links to a replaced file keep the old content (the rename gives the name a new
file), as with any editor that saves atomically.

Only a regular file is ever replaced. A device, a FIFO, a socket or a folder in the target's
place (or at the end of a symlink) is refused with :class:`NotRegularFile`: renaming over
``/dev/null`` would leave a regular file where the device was, and writing into it in place,
as ``cp`` does, would make a linter's output depend on what reads the other end of a pipe.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


class NotRegularFile(OSError):
    """The target exists and is not a regular file (a device, a FIFO, a socket, a folder)."""

    def __init__(self, target: Path, kind: str) -> None:
        super().__init__(f"{target} is {kind}, not a regular file; celldose replaces only files")
        self.target = target
        self.kind = kind


def write_atomic(target: Path, content: bytes, *, force: bool) -> None:
    """Write ``content`` to ``target``. Raises FileExistsError unless ``force``,
    :class:`NotRegularFile` when something other than a file is in its place, and OSError."""
    if force and target.is_symlink():
        target = _through_link(target)
    directory = target.parent if str(target.parent) else Path()
    existing = _existing(target)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise NotRegularFile(target, _kind(existing.st_mode))
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if existing is not None:
            _keep_owner(temporary, existing)  # before chmod: a chown may clear mode bits
        temporary.chmod(_mode(existing))
        if force:
            temporary.replace(target)
        else:
            _create(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _create(temporary: Path, target: Path) -> None:
    try:
        os.link(temporary, target)  # atomic, and fails if the target exists
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if target.exists():
            raise FileExistsError(target) from None
        temporary.replace(target)


MAX_LINKS = 40
"""Symlinks followed from a target before giving up, as Linux does (ELOOP)."""


def _through_link(link: Path) -> Path:
    """The file a chain of symlinks leads to. Refused: a dangling link (as ``cp`` refuses it),
    a loop, and a link that another user planted in a shared sticky folder such as /tmp (as
    Linux's ``fs.protected_symlinks`` refuses to follow it): root writing through such a link
    would overwrite whatever file it names."""
    current = link
    for _ in range(MAX_LINKS):
        _check_planted(current)
        written = current.readlink()
        current = written if written.is_absolute() else current.parent / written
        if not current.is_symlink():
            break
    else:
        raise OSError(errno.ELOOP, "too many levels of symbolic links", str(link))
    if not current.exists():
        raise FileNotFoundError(errno.ENOENT, "not writing through a dangling symlink", str(link))
    return current


def _check_planted(link: Path) -> None:
    if not hasattr(os, "geteuid"):  # Windows: no sticky folders
        return
    folder = (link.parent if str(link.parent) else Path()).stat()
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    owner = link.lstat().st_uid
    if shared and owner not in (os.geteuid(), folder.st_uid):
        raise PermissionError(
            errno.EACCES,
            "not writing through a symlink another user owns in a shared folder",
            str(link),
        )


def _existing(target: Path) -> os.stat_result | None:
    try:
        return target.stat()
    except FileNotFoundError:
        return None


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _keep_owner(temporary: Path, existing: os.stat_result) -> None:
    """Give the new file the replaced file's owner and group, as far as the writer may: root
    fixing a user's file must not leave it owned by root. Anyone else keeps the group if they
    belong to it, and becomes the owner, as with any new file."""
    if not hasattr(os, "chown"):  # Windows: ownership is not a mode of the file
        return
    made = temporary.stat()
    if (made.st_uid, made.st_gid) == (existing.st_uid, existing.st_gid):
        return
    # Best effort: not permitted (EPERM), or an owner unmapped in a user namespace (EINVAL).
    with contextlib.suppress(OSError):
        os.chown(temporary, existing.st_uid, existing.st_gid)
        return
    with contextlib.suppress(OSError):
        os.chown(temporary, -1, existing.st_gid)


def _mode(existing: os.stat_result | None) -> int:
    """The existing file's permissions, or what a new file gets under the umask."""
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
