"""Orchestration: source -> model -> rules -> Report. The public functions live here."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from celldose.diagnostics import Diagnostic, Report, Span
from celldose.model import Protocol
from celldose.rules import BY_NAME, PROTOCOL_CHECKS, ROW_CHECKS, Finding, RowContext
from celldose.sources import Loaded, SourceMap, SourceProblem, load_yaml, read_text
from celldose.sources.text import MAX_BYTES, decode, too_large
from celldose.validation import validate

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
MAPPING_PATH = "<mapping>"


class ProtocolError(ValueError):
    """A source could not be loaded as a protocol. ``diagnostics`` says where and why."""

    def __init__(self, path: str, diagnostics: tuple[Diagnostic, ...]) -> None:
        first = diagnostics[0] if diagnostics else None
        where = f"{path}:{first.line}:{first.column}" if first and first.span else path
        summary = f"{where}: {first.code} {first.message}" if first else f"{path}: not a protocol"
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
    label = os.fspath(path)
    loaded = _read(Path(path))
    protocol, diagnostics = _run(label, loaded)
    reading = {BY_NAME[p.rule].code for p in loaded.problems}
    # A file with a duplicate key or an alias may still validate, but one of its values is
    # lost or unread: such a file is not loaded.
    errors = tuple(
        d for d in diagnostics if d.severity == "error" and (protocol is None or d.code in reading)
    )
    if protocol is None or errors:
        raise ProtocolError(label, errors or tuple(diagnostics))
    return protocol


def check(target: str | os.PathLike[str] | Mapping[str, object]) -> Report:
    """Check a protocol file, a directory of them, or a protocol mapping already in memory.

    A mapping's diagnostics have no line or column; their ``pointer`` says where they are.
    Never raises for bad content: every problem in a file is a diagnostic in the report. A
    path that does not exist raises :class:`FileNotFoundError` (the CLI's usage error).
    """
    if isinstance(target, Mapping):
        _, diagnostics = _run(MAPPING_PATH, Loaded(dict(target), SourceMap()))
        return Report.of(diagnostics, (MAPPING_PATH,))
    return check_paths([target])


def check_paths(paths: Iterable[str | os.PathLike[str]], *, jobs: int | None = 1) -> Report:
    """Check files and directories (searched recursively for ``*.yaml`` and ``*.yml``).

    ``jobs`` worker processes check files in parallel (None: one per core); the report is the
    same, in the same order, whatever the number of jobs.
    """
    files = list(discover(paths))
    labels = [os.fspath(f) for f in files]
    workers = min(jobs or available_cores(), max(1, len(files) // PARALLEL_MIN_FILES))
    per_file = [_check_file(f) for f in files] if workers <= 1 else _in_parallel(files, workers)
    return Report.of((d for found in per_file for d in found), labels)


PARALLEL_MIN_FILES = 64
"""Fewer files than this per worker and starting the worker costs more than it saves."""


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _check_file(file: Path) -> list[Diagnostic]:
    return _run(os.fspath(file), _read(file))[1]


def _in_parallel(files: list[Path], workers: int) -> list[list[Diagnostic]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # On Linux, fork shares the parent's imports and unit registry: no start-up per worker.
    # Elsewhere (macOS, Windows) fork is unsafe or absent; the platform's default is used.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    chunk = max(1, len(files) // (workers * 8))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_check_file, files, chunksize=chunk))
    except (OSError, NotImplementedError):  # no process pool here (no semaphores, a sandbox)
        return [_check_file(f) for f in files]


def check_bytes(raw: bytes, path: str = "<stdin>") -> Report:
    """Check the bytes of a protocol file (standard input), reporting locations under ``path``."""
    if len(raw) > MAX_BYTES:
        return Report.of(_run(path, _problem(too_large()))[1], (path,))
    text = decode(raw)
    loaded = _problem(text) if isinstance(text, SourceProblem) else load_yaml(text)
    return Report.of(_run(path, loaded)[1], (path,))


def check_text(text: str, path: str = "<text>") -> Report:
    """Check YAML text, reporting locations under ``path``."""
    return Report.of(_run(path, load_yaml(text))[1], (path,))


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named directly, and protocol files below named directories sorted by path.

    Hidden files and directories (``.git``, ``.venv``) below a named directory are skipped.
    A path that does not exist raises :class:`FileNotFoundError`.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"no such file or directory: {os.fspath(raw)}")


def _walk(directory: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root) / name
            for name in files
            if not name.startswith(".") and Path(name).suffix.lower() in YAML_SUFFIXES
        )
    return sorted(found)


def _read(path: Path) -> Loaded:
    text = read_text(path)
    return _problem(text) if isinstance(text, SourceProblem) else load_yaml(text)


def _problem(problem: SourceProblem) -> Loaded:
    return Loaded(None, SourceMap(), (problem,))


def _run(label: str, loaded: Loaded) -> tuple[Protocol | None, list[Diagnostic]]:
    """Validate and check one loaded document."""
    diagnostics = [
        _diagnostic(label, p.rule, p.message, p.span, (), p.fix) for p in loaded.problems
    ]
    if loaded.data is None and loaded.problems:
        return None, diagnostics
    validated = validate(loaded.data)
    findings: list[Finding] = list(validated.findings)
    context = RowContext(product=_protocol_product(validated.protocol, loaded.data))
    for index, row in validated.rows:
        for rule in ROW_CHECKS:
            assert rule.check_row is not None
            for finding in rule.check_row(row, context):
                pointer = ("administrations", index, *finding.pointer)
                findings.append(
                    Finding(finding.rule, finding.message, pointer, finding.fix, finding.on_key)
                )
    if validated.protocol is not None:  # protocol-wide sums need every row
        for rule in PROTOCOL_CHECKS:
            assert rule.check_protocol is not None
            findings.extend(rule.check_protocol(validated.protocol))
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
    return validated.protocol, diagnostics


def _protocol_product(protocol: Protocol | None, data: object) -> str | None:
    """The protocol's product, also when the protocol failed validation but its product did not."""
    if protocol is not None:
        return protocol.product
    product = data.get("product") if isinstance(data, Mapping) else None
    return product if isinstance(product, str) and product else None


def _diagnostic(
    path: str,
    rule_name: str,
    message: str,
    span: Span | None,
    pointer: tuple[str | int, ...],
    fix: str | None,
) -> Diagnostic:
    rule = BY_NAME[rule_name]
    return Diagnostic(
        path=path,
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        span=span,
        pointer=pointer,
        fix=fix or rule.fix,
    )
