"""Orchestration: source -> model -> rules -> Report. The public functions live here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pint

from celldose.diagnostics import Diagnostic, Pointer, Report, Span
from celldose.model import Administration, Protocol, ProtocolFields
from celldose.model.types import to_weight
from celldose.rules import BY_NAME, PROTOCOL_CHECKS, ROW_CHECKS, Finding, RowContext
from celldose.sources import Loaded, SourceMap, SourceProblem, load_yaml, read_text
from celldose.sources.text import MAX_BYTES, decode, too_large
from celldose.totals import CellSum, row_cells
from celldose.validation import validate, validate_fields, validate_row

if TYPE_CHECKING:  # sheets are imported when a sheet is read: YAML-only runs start faster
    from celldose.sources.sheet import Cell, Grid, SheetRow

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
SHEET_SUFFIXES = frozenset({".csv", ".xlsx", ".md", ".markdown"})
PROTOCOL_SUFFIXES = YAML_SUFFIXES | SHEET_SUFFIXES
MAPPING_PATH = "<mapping>"

Source: TypeAlias = "Loaded | list[Grid]"
"""A YAML document, or the protocol tables of a sheet file (a workbook's worksheets)."""


class ProtocolError(ValueError):
    """A source could not be loaded as a protocol. ``diagnostics`` says where and why."""

    def __init__(
        self, path: str, diagnostics: tuple[Diagnostic, ...], reason: str = "not a protocol"
    ) -> None:
        first = diagnostics[0] if diagnostics else None
        where = f"{path}:{first.line}:{first.column}" if first and first.span else path
        summary = f"{where}: {first.code} {first.message}" if first else f"{path}: {reason}"
        more = f" (and {len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
        super().__init__(summary + more)
        self.path = path
        self.diagnostics = diagnostics


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
    """Load every protocol of a file: one for YAML, CSV and XLSX worksheets, one per worksheet
    of a workbook and per route table of a Markdown file. Raises like :func:`load`."""
    label = os.fspath(path)
    source = _read(Path(path), explicit=True)
    runs = [_run(label, source)] if isinstance(source, Loaded) else _grid_runs(label, source, True)
    protocols = []
    for protocol, diagnostics, reading in runs:
        # A file with a duplicate key, an alias or an unreadable cell may still validate, but
        # one of its values is lost or unread: such a file is not loaded.
        errors = tuple(
            d
            for d in diagnostics
            if d.severity == "error" and (protocol is None or d.code in reading)
        )
        if protocol is None or errors:
            raise ProtocolError(label, errors or tuple(diagnostics))
        protocols.append(protocol)
    if not protocols:
        raise ProtocolError(label, (), "holds no protocol table")
    return tuple(protocols)


def check(target: str | os.PathLike[str] | Mapping[str, object]) -> Report:
    """Check a protocol file, a directory of them, or a protocol mapping already in memory.

    A mapping's diagnostics have no line or column; their ``pointer`` says where they are.
    Never raises for bad content: every problem in a file is a diagnostic in the report. A
    path that does not exist raises :class:`FileNotFoundError` (the CLI's usage error).
    """
    if isinstance(target, Mapping):
        diagnostics = _run(MAPPING_PATH, Loaded(dict(target), SourceMap()))[1]
        return Report.of(diagnostics, (MAPPING_PATH,))
    return check_paths([target])


Progress: TypeAlias = Callable[[int, int], None]
"""Told (files checked, files to check) as files are checked: after each file, in order."""


def check_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int | None = 1,
    exclude: Sequence[str] = (),
    progress: Progress | None = None,
    suppress: bool = False,
) -> Report:
    """Check files and directories (searched recursively for YAML, CSV, XLSX and Markdown).

    ``jobs`` worker processes check files in parallel (None: one per core); the report is the
    same, in the same order, whatever the number of jobs. ``exclude`` and what git ignores
    leave files out of directories (see :func:`discover`). ``progress`` is called in this
    process after each file, in order, with the number of files checked and the total.
    ``suppress`` applies each file's inline suppressions (``celldose: ignore[CODE]``) as
    ``celldose check`` does: covered findings are dropped, unused suppressions are CD009.
    """
    files = list(_discover(paths, exclude))
    labels = [f for f, _ in files]
    workers = min(jobs or available_cores(), max(1, len(files) // PARALLEL_MIN_FILES))
    if workers <= 1:
        per_file = _in_sequence(files, progress, suppress)
    else:
        per_file = _in_parallel(files, workers, progress, suppress)
    return _merged(per_file, labels)


def _merged(per_file: list[list[Diagnostic]], labels: list[str]) -> Report:
    """The report of files whose diagnostics each came sorted (by their worker, in parallel):
    the files put in path order, without sorting every diagnostic again."""
    if len(set(labels)) < len(labels):  # a file named twice: its copies interleave
        return Report.of((d for found in per_file for d in found), labels)
    order = sorted(range(len(labels)), key=labels.__getitem__)
    return Report(tuple(d for i in order for d in per_file[i]), tuple(labels))


PARALLEL_MIN_FILES = 64
"""Fewer files than this per worker and starting the worker costs more than it saves."""


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _check_file(file: tuple[str, bool], suppress: bool = False) -> list[Diagnostic]:
    label, explicit = file
    source, text = _read_with_text(label, explicit)
    return sorted(_diagnostics(label, source, text, suppress), key=Diagnostic.sort_key)


def _diagnostics(
    label: str, source: Source, text: str | None = None, suppress: bool = False
) -> list[Diagnostic]:
    """Every finding of a read source (its YAML document, or each table of a sheet); with
    ``suppress``, less those its inline suppressions cover, found in ``text`` or the tables."""
    if isinstance(source, Loaded):
        found = _run(label, source)[1]
    else:
        found = [d for _, table, _ in _grid_runs(label, source, False) for d in table]
    if suppress and (text is not None or isinstance(source, list)):
        from celldose.suppressions import filter_file

        # Here, where the text and the tables are at hand: nothing is read from disk again.
        found = filter_file(label, found, text, grids=source if isinstance(source, list) else None)
    return found


def _in_sequence(
    files: list[tuple[str, bool]], progress: Progress | None, suppress: bool = False
) -> list[list[Diagnostic]]:
    per_file: list[list[Diagnostic]] = []
    for file in files:
        per_file.append(_check_file(file, suppress))
        if progress is not None:
            progress(len(per_file), len(files))
    return per_file


def _in_parallel(
    files: list[tuple[str, bool]], workers: int, progress: Progress | None, suppress: bool
) -> list[list[Diagnostic]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    # On Linux, fork shares the parent's imports and unit registry: no start-up per worker.
    # Elsewhere (macOS, Windows) fork is unsafe or absent; the platform's default is used.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    chunk = max(1, len(files) // (workers * 8))
    per_file: list[list[Diagnostic]] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # map yields the results in the files' order, each as soon as it and those before
            # it are done: the progress follows the chunks without changing the order.
            check_file = partial(_check_file, suppress=suppress)
            for found in pool.map(check_file, files, chunksize=chunk):
                per_file.append(found)
                if progress is not None:
                    progress(len(per_file), len(files))
    except (OSError, NotImplementedError):  # no process pool here (no semaphores, a sandbox)
        return _in_sequence(files, progress, suppress)
    return per_file


def check_bytes(raw: bytes, path: str = "<stdin>", *, suppress: bool = False) -> Report:
    """Check the bytes of a protocol file (standard input), reporting locations under ``path``.

    ``path``'s suffix says the format (``.csv``, ``.xlsx``, ``.md``); YAML otherwise.
    ``suppress`` applies the inline suppressions, as in :func:`check_paths`.
    """
    suffix = Path(path).suffix.lower()
    text: str | SourceProblem | None = None
    if len(raw) > MAX_BYTES:
        source: Source = _problem(too_large())
    elif suffix == ".xlsx":
        source = _xlsx(raw, Path(path).stem)
    else:
        text = decode(raw)
        source = (
            _problem(text) if isinstance(text, SourceProblem) else _parse(text, path, suffix, True)
        )
    found = _diagnostics(path, source, text if isinstance(text, str) else None, suppress)
    return Report.of(found, (path,))


def check_text(text: str, path: str = "<text>") -> Report:
    """Check YAML text, reporting locations under ``path``."""
    return Report.of(_run(path, load_yaml(text))[1], (path,))


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
    return (Path(path) for path, _ in _discover(paths, exclude))


def _discover(
    paths: Iterable[str | os.PathLike[str]], exclude: Sequence[str] = ()
) -> Iterator[tuple[str, bool]]:
    """Like :func:`discover`, saying whether each file was named (True) or found (False)."""
    patterns = _patterns(exclude)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from ((found, False) for found in _walk(path, patterns))
        elif path.exists():
            yield os.fspath(path), True
        else:
            raise FileNotFoundError(f"no such file or directory: {os.fspath(raw)}")


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


def _walk(directory: Path, exclude: Sequence[str] = ()) -> list[str]:
    """Protocol files below ``directory``, as paths joined onto it, sorted as Paths sort.

    Paths are kept as strings: a walk and the workers that read its files handle thousands,
    and a Path costs microseconds to build, compare and send to a worker.
    """
    found: list[tuple[list[str], str, str]] = []  # (relative parts, relative POSIX, path)
    for root, dirs, files in os.walk(directory):
        here = Path(root)
        relative = here.relative_to(directory)
        base = os.fspath(here)  # spelled as Path spells it: "sub/x.yaml", not "./sub/x.yaml"
        base = "" if base == "." else base if base.endswith(os.sep) else base + os.sep
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and not (exclude and _excluded(here / d, relative / d, exclude))
        ]
        prefix = "" if relative == Path() else relative.as_posix() + "/"
        found.extend(
            ((prefix + name).split("/"), prefix + name, base + name)
            for name in files
            if not name.startswith(".")
            and _suffix(name) in PROTOCOL_SUFFIXES
            and not (exclude and _excluded(here / name, relative / name, exclude))
        )
    found.sort(key=lambda entry: entry[0])  # part by part, as Path orders them
    ignored = _git_ignored(directory, [posix for _, posix, _ in found])
    return [path for _, posix, path in found if posix not in ignored]


def _suffix(name: str) -> str:
    """``Path(name).suffix.lower()`` without building a Path (a walk asks it of every file)."""
    _, dot, extension = name.rpartition(".")
    return "." + extension.lower() if dot and _ and extension else ""


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


def read_source(path: Path) -> Source:
    """A file as its source read it: a YAML document, or a sheet's tables (not yet checked)."""
    return _read(path, explicit=True)


def _read(path: Path, explicit: bool) -> Source:
    return _read_with_text(os.fspath(path), explicit)[0]


def _read_with_text(path: str, explicit: bool) -> tuple[Source, str | None]:
    """A file's source, and its decoded text (None for a workbook or an unreadable file)."""
    suffix = _suffix(os.path.basename(path))  # noqa: PTH119 (a string: see _walk)
    if suffix == ".xlsx":
        return _xlsx(Path(path), Path(path).stem), None
    text = read_text(path)
    if isinstance(text, SourceProblem):
        return _problem(text), None
    return _parse(text, path, suffix, explicit), text


def _parse(text: str, label: str, suffix: str, explicit: bool) -> Source:
    stem = Path(label).stem
    if suffix == ".csv":
        from celldose.sources.csv_source import csv_grid

        return [csv_grid(text, stem)]
    if suffix in (".md", ".markdown"):
        from celldose.sources.markdown_source import markdown_grids

        grids = markdown_grids(text, stem)
        if grids or not explicit:  # a README found in a folder is not a protocol sheet
            return grids
        return _problem(
            SourceProblem(
                "not-a-protocol",
                "no Markdown table with a route column",
                None,
                "write the protocol as a pipe table whose header names a Route column",
            )
        )
    return load_yaml(text)


def _xlsx(source: Path | bytes, name: str) -> Source:
    from celldose.sources.xlsx_source import xlsx_grids

    grids = xlsx_grids(source, name)
    return grids if isinstance(grids, list) else _problem(grids)


def _problem(problem: SourceProblem) -> Loaded:
    return Loaded(None, SourceMap(), (problem,))


Run = tuple[Protocol | None, list[Diagnostic], frozenset[str]]
"""A checked protocol (None when invalid), its diagnostics, and the codes found while reading."""


def _run(label: str, loaded: Loaded) -> Run:
    """Validate and check one loaded document."""
    diagnostics = [
        _diagnostic(label, p.rule, p.message, p.span, (), p.fix) for p in loaded.problems
    ]
    reading = frozenset(BY_NAME[p.rule].code for p in loaded.problems)
    if loaded.data is None and loaded.problems:
        return None, diagnostics, reading
    validated = validate(loaded.data)
    findings: list[Finding] = list(validated.findings)
    weight = _protocol_weight(validated.protocol, loaded.data)
    context = RowContext(
        product=_protocol_product(validated.protocol, loaded.data),
        patient_weight=weight,
        weight_unreadable=weight is None and _weight_written(loaded.data),
    )
    for index, row in validated.rows:
        findings.extend(_row_findings(index, row, context))
    if validated.protocol is not None:  # protocol-wide sums need every row
        protocol = validated.protocol

        def sum_rows() -> CellSum:
            cells = CellSum()
            for row in protocol.administrations:
                cells.add(row_cells(row, context.patient_weight, context.product))
            return cells

        findings.extend(_protocol_findings(protocol, sum_rows))
    source_map = loaded.source_map
    unusable = {p.pointer for p in loaded.problems if p.pointer is not None}
    for finding in findings:
        if finding.pointer in unusable:
            continue  # e.g. "no total" where the total was an alias: already reported
        span = (
            source_map.key(finding.pointer) if finding.on_key else source_map.value(finding.pointer)
        )
        diagnostics.append(
            _diagnostic(label, finding.rule, finding.message, span, finding.pointer, finding.fix)
        )
    return validated.protocol, diagnostics, reading


def _row_findings(index: int, row: Administration, context: RowContext) -> list[Finding]:
    found = []
    for check in _ROW_CHECKS:  # the hot loop: ten checks on every row of every protocol
        for finding in check(row, context):
            pointer = ("administrations", index, *finding.pointer)
            found.append(
                Finding(finding.rule, finding.message, pointer, finding.fix, finding.on_key)
            )
    return found


_ROW_CHECKS = tuple(rule.check_row for rule in ROW_CHECKS if rule.check_row is not None)


def _protocol_findings(
    protocol: ProtocolFields, sum_rows: Callable[[], CellSum]
) -> Iterator[Finding]:
    """The protocol checks' findings; ``sum_rows`` is called by the checks that need it."""
    for rule in PROTOCOL_CHECKS:
        assert rule.check_protocol is not None
        yield from rule.check_protocol(protocol, sum_rows)


def _grid_runs(label: str, grids: list[Grid], keep: bool) -> list[Run]:
    return [_run_grid(label, grid, keep) for grid in grids]


def _run_grid(label: str, grid: Grid, keep: bool) -> Run:
    """Check one table, streaming its rows; ``keep`` them to return the Protocol."""
    from celldose.sources.sheet import read_sheet

    sheet = read_sheet(grid)
    findings: list[tuple[Finding, Cell | None]] = []
    kept: list[Administration] = []
    complete, fields = False, None
    if sheet.header is not None:
        fields, field_findings = validate_fields(sheet.fields)
        findings.extend(
            (f, sheet.field_cells.get(str(f.pointer[0]), sheet.header)) for f in field_findings
        )
        product = fields.product if fields else _text(sheet.fields.get("product"))
        weight = fields.patient_weight if fields else None
        context = RowContext(
            product=product,
            patient_weight=weight,
            weight_unreadable=weight is None and "patient_weight" in sheet.fields,
        )
        cells, rows, complete = CellSum(), 0, True
        unusable: set[Pointer] = set()
        seen_problems = seen_unreported = 0
        for row in sheet.rows():
            # Only the problems the reader added for this row: rescanning them all would make a
            # sheet with a problem on every row quadratic.
            new = sheet.problems[seen_problems:]
            unusable.update(p.pointer for p in new if p.pointer is not None)
            unusable.update(sheet.unreported[seen_unreported:])
            seen_problems, seen_unreported = len(sheet.problems), len(sheet.unreported)
            administration, row_errors = validate_row(row.index, row.data, product)
            complete = complete and not row_errors
            row_found = list(row_errors)
            if administration is not None:
                cells.add(row_cells(administration, weight, product))
                if keep:
                    kept.append(administration)
                row_found.extend(_row_findings(row.index, administration, context))
            findings.extend(
                (f, _cell(row, f.pointer))
                for f in row_found
                if f.pointer not in unusable and not _missing_column(sheet.missing, f.pointer)
            )
            rows += 1
        if rows == 0 and not sheet.missing and not sheet.problems:
            findings.append(
                (
                    Finding(
                        "missing-field",
                        "the table has no rows",
                        ("administrations",),
                        "add a row under the header for each administration",
                    ),
                    sheet.header,
                )
            )
        if fields is not None and complete and rows:
            findings.extend(
                (f, sheet.field_cells.get(str(f.pointer[0]), sheet.header))
                for f in _protocol_findings(fields, lambda: cells)
            )
    diagnostics = [
        _diagnostic(label, p.rule, p.message, p.span, p.pointer or (), p.fix, grid.sheet)
        for p in sheet.problems
    ]
    for finding, cell in findings:
        message = finding.message
        if cell is not None and cell.ref:
            message = f"{cell.ref}: {message}"
        if cell is not None and cell.formula:
            message += f" ({cell.ref} holds the formula {cell.formula}; its saved value was read)"
        span = cell.span if cell is not None else None
        diagnostics.append(
            _diagnostic(
                label, finding.rule, message, span, finding.pointer, finding.fix, grid.sheet
            )
        )
    reading = frozenset(BY_NAME[p.rule].code for p in sheet.problems)
    protocol = None
    if keep and sheet.header is not None and complete and fields is not None and kept:
        protocol = Protocol.model_validate({**sheet.fields, "administrations": kept})
    return protocol, diagnostics, reading


def _cell(row: SheetRow, pointer: Pointer) -> Cell:
    field = pointer[2] if len(pointer) > 2 else None
    return row.cells.get(str(field), row.first) if field is not None else row.first


def _missing_column(missing: frozenset[str], pointer: Pointer) -> bool:
    return len(pointer) == 3 and pointer[2] in missing


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _protocol_product(protocol: Protocol | None, data: object) -> str | None:
    """The protocol's product, also when the protocol failed validation but its product did not."""
    if protocol is not None:
        return protocol.product
    product = data.get("product") if isinstance(data, Mapping) else None
    return product if isinstance(product, str) and product else None


def _protocol_weight(protocol: Protocol | None, data: object) -> pint.Quantity[Any] | None:
    """The protocol's weight, also when the protocol failed validation but its weight did not."""
    if protocol is not None:
        return protocol.patient_weight
    if not isinstance(data, Mapping) or data.get("patient_weight") is None:
        return None
    try:
        return to_weight(data["patient_weight"])
    except ValueError:  # reported by validation
        return None


def _weight_written(data: object) -> bool:
    return isinstance(data, Mapping) and data.get("patient_weight") is not None


def _diagnostic(
    path: str,
    rule_name: str,
    message: str,
    span: Span | None,
    pointer: tuple[str | int, ...],
    fix: str | None,
    sheet: str | None = None,
) -> Diagnostic:
    return BY_NAME[rule_name].diagnostic(path, message, span, pointer, fix, sheet)
