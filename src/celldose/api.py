"""The public functions: load protocols, and check files, folders, bytes, text or a mapping.

Each check takes a :class:`~celldose.settings.Settings` (default: what ``celldose check``
applies with no options: each file's configuration found above it, and inline suppressions),
so a tool that imports celldose gets the findings the command line prints. The work is done
elsewhere: :mod:`celldose.discovery` finds the files, :mod:`celldose.parallel` runs
:func:`celldose.engine.check_document` on each, and the settings narrow the result.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from celldose.diagnostics import Report
from celldose.discovery import discover, discover_files
from celldose.engine import (
    FileResult,
    ProtocolError,
    check_document,
    check_mapping,
    protocols_of,
)
from celldose.model import Protocol
from celldose.parallel import Progress, check_files
from celldose.settings import Prepared, Settings, SettingsError
from celldose.sources.document import document_of_bytes, document_of_text, read_document

MAPPING_PATH = "<mapping>"
_DEFAULT = Settings.discover()

__all__ = [
    "MAPPING_PATH",
    "ProtocolError",
    "Settings",
    "SettingsError",
    "check",
    "check_bytes",
    "check_paths",
    "check_text",
    "discover",
    "load",
    "load_all",
]


def load(path: str | os.PathLike[str]) -> Protocol:
    """Load one protocol file into a typed, immutable :class:`Protocol`.

    Raises :class:`ProtocolError` when the file cannot be read, is not a valid protocol, or
    loses a value while being read (a duplicate key, an alias). It does not run the
    consistency rules: a loaded protocol may still have a wrong total. Use :func:`check` for
    the verdict.
    """
    protocols = load_all(path)
    if len(protocols) != 1:
        raise ProtocolError(
            os.fspath(path), (), f"holds {len(protocols)} protocols; use load_all() for each"
        )
    return protocols[0]


def load_all(path: str | os.PathLike[str]) -> tuple[Protocol, ...]:
    """Load every protocol of a file: one for YAML and CSV, one per worksheet of a workbook
    and per route table of a Markdown file. Raises like :func:`load`."""
    label = os.fspath(path)
    return protocols_of(check_document(read_document(label), keep=True))


def check(
    target: str | os.PathLike[str] | Mapping[str, object],
    *,
    settings: Settings | Prepared | None = None,
) -> Report:
    """Check a protocol file, a directory of them, or a protocol mapping already in memory.

    A mapping's diagnostics have no line or column; their ``pointer`` says where they are.
    A mapping has no folder, so no configuration file is found for it: ``settings`` apply
    as given (``config_file`` names one).
    Never raises for bad content: every problem in a file is a diagnostic in the report. A
    path that does not exist raises :class:`FileNotFoundError` (the CLI's usage error), and
    a configuration or baseline that cannot be used raises :class:`SettingsError`.
    """
    if isinstance(target, Mapping):
        report = Report.of(check_mapping(target, MAPPING_PATH), (MAPPING_PATH,))
        if settings is None or settings == _DEFAULT:
            return report  # the hot path of a service: nothing to look up or narrow
        if isinstance(settings, Settings):  # a mapping has no folder: no configuration found
            settings = replace(settings, configuration=False)
        return settings.prepare().apply(report)
    return check_paths([target], settings=settings)


def check_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    settings: Settings | Prepared | None = None,
    jobs: int | None = 1,
    exclude: Sequence[str] = (),
    progress: Progress | None = None,
    keep: bool = False,
    force_exclude: bool = False,
) -> Report:
    """Check files and directories (searched recursively for every format celldose reads;
    pasted text, web pages and Word documents where the configuration's ``include`` says).

    ``settings`` (default :meth:`Settings.discover`) apply configuration, suppressions and a
    baseline as ``celldose check`` does. ``jobs`` worker processes check files in parallel
    (None: one per core); the report is the same, in the same order, whatever the number of
    jobs. ``exclude`` and what git ignores leave files out of directories (see
    :func:`discover`). ``progress`` is called in this process after each file, in order, with
    the number of files checked and the total. ``keep`` keeps each file's protocols in the
    report (``report.files``), for a formatter that shows them. ``force_exclude`` treats named
    files as a folder walk treats what it finds (pre-commit names every changed file).
    """
    prepared = (settings or Settings.discover()).prepare()  # usage errors before any file
    files = list(
        discover_files(paths, exclude, prepared.resolver.included, force_exclude=force_exclude)
    )
    results = check_files(
        files, jobs=jobs, suppress=prepared.settings.suppress, keep=keep, progress=progress
    )
    return prepared.apply(_merged(results, [path for path, _ in files]))


def check_bytes(
    raw: bytes,
    path: str = "<stdin>",
    *,
    settings: Settings | Prepared | None = None,
    keep: bool = False,
) -> Report:
    """Check the bytes of a protocol file (standard input), reporting locations under ``path``,
    whose ending says the format (YAML for any other)."""
    prepared = (settings or Settings.discover()).prepare()
    document = document_of_bytes(raw, path)
    result = check_document(document, suppress=prepared.settings.suppress, keep=keep)
    return prepared.apply(Report(result.diagnostics, (path,), (result,)))


def check_text(
    text: str, path: str = "<text>", *, settings: Settings | Prepared | None = None
) -> Report:
    """Check a protocol's text, reporting locations under ``path`` (YAML unless its ending
    says another text format)."""
    prepared = (settings or Settings.discover()).prepare()
    result = check_document(document_of_text(text, path), suppress=prepared.settings.suppress)
    return prepared.apply(Report(result.diagnostics, (path,), (result,)))


def _merged(results: list[FileResult], labels: list[str]) -> Report:
    """The report of files whose diagnostics each came sorted: the files put in path order,
    without sorting every diagnostic again."""
    if len(set(labels)) < len(labels):  # a file named twice: its copies interleave
        return Report.of((d for r in results for d in r.diagnostics), labels, results)
    order = sorted(range(len(labels)), key=labels.__getitem__)
    diagnostics = tuple(d for i in order for d in results[i].diagnostics)
    return Report(diagnostics, tuple(labels), tuple(results))
