"""Paths as celldose reports them, made relative to the folder of a settings file."""

from __future__ import annotations

import os
from pathlib import Path, PurePath


def relative(path: str, folder: Path, cwd: Path) -> str:
    """``path`` (as a report names it: relative to ``cwd``, or absolute) relative to
    ``folder``, in posix form. On another drive (Windows) there is no relative path: then the
    absolute one. Per-file-ignores match it, and a baseline keys its findings by it."""
    absolute = os.path.normpath(cwd / path)
    try:
        return PurePath(os.path.relpath(absolute, folder)).as_posix()
    except ValueError:  # another drive (Windows)
        return PurePath(absolute).as_posix()
