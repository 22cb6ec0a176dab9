"""Writing a file so that it is either entirely the old one or entirely the new one.

The new content goes to a temporary file in the same folder (the same file system), is flushed
to disk, and is renamed over the target in one step. A failure or a kill at any moment leaves
the original intact and no half-written target. Without ``force``, the target is created with
a hard link, which fails if the file exists: there is no moment at which an existing file
could be overwritten.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(target: Path, content: bytes, *, force: bool) -> None:
    """Write ``content`` to ``target``. Raises FileExistsError unless ``force``, and OSError."""
    directory = target.parent if str(target.parent) else Path()
    mode = _mode(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
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


def _mode(target: Path) -> int:
    """The existing file's permissions, or what a new file gets under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
