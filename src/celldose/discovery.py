"""Which files a check reads: files named directly, and protocol files below named folders.

Below a folder, hidden entries, ``--exclude`` patterns and what git ignores are skipped; a
file named directly is always checked. The endings picked up come from the format table
(:data:`celldose.formats.FOLDER_SUFFIXES`); a format read only when configured (pasted text,
web pages, Word documents) is picked up where the configuration's ``include`` names it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from celldose.formats import BY_SUFFIX, FOLDER_SUFFIXES, suffix_of

Included = Callable[[str], bool]
"""Whether a file found in a folder, of a format not read in folders, is configured to be."""


def discover(
    paths: Iterable[str | os.PathLike[str]], *, exclude: Sequence[str] = ()
) -> Iterator[Path]:
    """Files named directly, and protocol files below named directories sorted by path.

    Protocol files are YAML (``.yaml``, ``.yml``), CSV, XLSX and Markdown (``.md``); a
    Markdown file found in a directory counts only if it holds a table with a route column.
    Below a named directory, these are skipped: hidden files and directories (``.git``,
    ``.venv``); files and directories matching an ``exclude`` pattern (a shell glob matched
    against the name, the path relative to the named directory and the path as reported);
    and, inside a git work tree, the files git ignores (``.gitignore``, ``.git/info/exclude``,
    the global excludes; a tracked file is never ignored), asked of ``git check-ignore`` when
    git is installed. A file named directly is always checked, whatever the patterns.
    A path that does not exist raises :class:`FileNotFoundError`.
    """
    return (Path(path) for path, _ in discover_files(paths, exclude))


def discover_files(
    paths: Iterable[str | os.PathLike[str]],
    exclude: Sequence[str] = (),
    included: Included | None = None,
    *,
    force_exclude: bool = False,
) -> Iterator[tuple[str, bool]]:
    """Like :func:`discover`, saying whether each file was named (True) or found (False).

    ``included`` says which files of the formats not read in folders a walk reads (the
    configuration's ``include``). ``force_exclude`` treats named files as found (as pre-commit
    names them): excluded by the patterns, read only in a format a walk reads, and skipped
    (counted in the report's summary) when they hold no protocol.

    Each file is yielded once, under the first name it is met by, however often it is named
    or found (``k.yaml k.yaml link-to-k.yaml``, a folder and a file in it): files are told
    apart by their real path, symbolic links resolved. A folder that cannot be listed (no
    permission) is yielded as a file: reading it gives the finding that says so, where a walk
    would pass over it in silence.
    """
    patterns = _patterns(exclude)
    seen: set[str] = set()
    found: Iterable[tuple[str, bool, str]]  # (path, named, real path)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = ((name, False, real) for name, real in _walk(path, patterns, included))
        elif path.exists():
            real = os.path.realpath(path)
            if not force_exclude:
                found = [(os.fspath(path), True, real)]
            elif _walk_reads(path.name, os.fspath(path), included) and not (
                patterns and _excluded(path, path, patterns)
            ):
                found = [(os.fspath(path), False, real)]
            else:
                found = []
        else:
            raise FileNotFoundError(_missing(os.fspath(raw)))
        for name, named, real in found:
            if real not in seen:
                seen.add(real)
                yield name, named


def _missing(path: str) -> str:
    """Why a named path cannot be checked: it does not exist, or is a link that leads nowhere."""
    try:
        target = os.fspath(Path(path).readlink())
    except OSError:  # not a symbolic link (or not there at all)
        return f"no such file or directory: {path}"
    try:
        os.stat(path)  # noqa: PTH116
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"symbolic link loop: {path} (too many levels of symbolic links)"
    return f"broken symbolic link: {path} -> {target} (no such file or directory)"


def _excluded(path: Path, relative: Path, patterns: Sequence[str]) -> bool:
    """Whether a file or directory found below a named directory matches a pattern.

    Patterns (normalized by :func:`_patterns`) are shell globs (``fnmatch``, case-sensitive,
    ``*`` also matches ``/``) matched against the name (``drafts``, ``*.md``), the POSIX
    path relative to the named directory (``drafts/*.yaml``) and the path as reported
    (``protocols/drafts``). A trailing ``/`` and a leading ``./`` or ``**/`` are ignored. An
    excluded directory is not searched.
    """
    names = (path.name, relative.as_posix(), path.as_posix())
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def _patterns(exclude: Sequence[str]) -> tuple[str, ...]:
    patterns: list[str] = []
    for pattern in exclude:
        pattern = pattern.replace("\\", "/") if os.sep == "\\" else pattern
        while pattern.startswith(("./", "**/")):
            pattern = pattern.removeprefix("./").removeprefix("**/")
        pattern = pattern.rstrip("/")
        if pattern:
            patterns.append(pattern)
    return tuple(patterns)


def _walk_reads(name: str, path: str, included: Included | None) -> bool:
    """Whether a folder walk reads a file of this name (``path`` as reported)."""
    suffix = suffix_of(name)
    if suffix in FOLDER_SUFFIXES:
        return True
    return suffix in BY_SUFFIX and included is not None and included(path)


def _walk(
    directory: Path, exclude: Sequence[str] = (), included: Included | None = None
) -> list[tuple[str, str]]:
    """Protocol files below ``directory``, as paths joined onto it, sorted as Paths sort, each
    with its real path; a folder that cannot be listed is among them (see
    :func:`discover_files`).

    Paths are kept as strings: a walk and the workers that read its files handle thousands,
    and a Path costs microseconds to build, compare and send to a worker. ``os.scandir`` says
    which entries are symbolic links without a system call: only those are resolved, the
    others' real path is their folder's (resolved once) and their name. As ``os.walk`` does,
    a symbolic link to a folder is not followed.
    """
    # (relative parts, relative POSIX, path, real path)
    found: list[tuple[list[str], str, str, str]] = []
    pending = [(os.fspath(directory), "")]  # (a folder as reported, its relative POSIX + "/")
    while pending:
        here, prefix = pending.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError:  # unreadable: reported as a finding, not passed over
            relative = prefix.rstrip("/")
            found.append((relative.split("/"), relative or ".", here, os.path.realpath(here)))
            continue
        # Spelled as Path spells it: "sub/x.yaml", not "./sub/x.yaml".
        base = "" if here == "." else here if here.endswith(os.sep) else here + os.sep
        real_here = os.path.realpath(here)
        real_here += "" if real_here.endswith(os.sep) else os.sep
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relative = prefix + name
            try:
                folder = entry.is_dir()
            except OSError:
                folder = False
            if folder:
                if entry.is_symlink() or (
                    exclude and _excluded(Path(base + name), Path(relative), exclude)
                ):
                    continue
                pending.append((base + name, relative + "/"))
            elif _walk_reads(name, base + name, included) and not (
                exclude and _excluded(Path(base + name), Path(relative), exclude)
            ):
                real = os.path.realpath(base + name) if entry.is_symlink() else real_here + name
                found.append((relative.split("/"), relative, base + name, real))
    found.sort(key=lambda entry: entry[0])  # part by part, as Path orders them
    ignored = _git_ignored(directory, [posix for _, posix, _, _ in found])
    return [(path, real) for _, posix, path, real in found if posix not in ignored]


GIT_TIMEOUT = 60.0
"""Seconds ``git check-ignore`` may take before every file is checked as if it had not run."""


def _git_ignored(directory: Path, candidates: list[str]) -> frozenset[str]:
    """The candidates (POSIX paths relative to ``directory``) that git ignores.

    None when git is not installed, ``directory`` is not in a work tree, git fails, or the
    named directory is itself ignored (then git would ignore all of it, and it was named to
    be checked). git runs with fsmonitor off, so a repository's configuration cannot start a
    monitor program, and with optional locks off, so it writes nothing.
    """
    import shutil
    import subprocess

    git = shutil.which("git")
    if not candidates or git is None:
        return frozenset()
    query = b"".join(os.fsencode(c) + b"\0" for c in (".", *candidates))
    command = [git, "-c", "core.fsmonitor=false", "check-ignore", "--stdin", "-z"]
    try:
        result = subprocess.run(
            command,
            cwd=directory,
            input=query,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if result.returncode not in (0, 1):  # 1: nothing ignored; 128: not a work tree
        return frozenset()
    ignored = frozenset(os.fsdecode(p) for p in result.stdout.split(b"\0") if p)
    return frozenset() if "." in ignored else ignored
