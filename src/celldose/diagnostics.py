"""The values celldose reports: severities, source spans, diagnostics and the report.

Everything here is frozen. Positions are 1-based, columns count characters (not bytes), and an
end position is exclusive. A diagnostic without a span comes from data that had no file (a
mapping passed to :func:`celldose.check`); its ``pointer`` still says where in the data it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from celldose.project import rule_url

if TYPE_CHECKING:
    from celldose.engine import FileResult
    from celldose.sources.document import Document

Pointer = tuple[str | int, ...]
"""A path into a protocol's data: ``("administrations", 1, "total")``."""

JSON_VERSION = 1
"""The version of the JSON shape of :meth:`Report.to_dict` (``--format json``)."""


def json_pointer(pointer: Pointer) -> str:
    """RFC 6901: ``~`` and ``/`` inside a key are escaped as ``~0`` and ``~1``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def quote(text: object, limit: int = 40) -> str:
    """User text for a message: quoted, and cut so a megabyte of input never fills a report."""
    value = str(text)
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def describe(value: object) -> str:
    """What kind of value was found, for a message: ``a list``, ``text '...'``, ``nothing``."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"text {quote(value)}"
    return f"a value of type {type(value).__name__}"


class Severity(StrEnum):
    """How serious a finding is, ordered by that: ``ERROR > WARNING > INFO``, so ``max()`` of
    some severities is the most serious. Each is still its string (``"error"``) in JSON and
    when compared for equality; a plain string that names a severity is ordered as it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for an error, 1 for a warning, 0 for an info."""
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        return self.rank < _rank_of(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= _rank_of(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > _rank_of(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= _rank_of(other)


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def _rank_of(other: object) -> int:
    """The rank of a severity or of a string naming one; anything else cannot be ordered with
    a severity (str's own alphabetical order would say ``"error" < "info"``)."""
    if isinstance(other, str):
        try:
            return _RANK[Severity(other)]
        except ValueError:
            pass
    raise TypeError(f"a severity cannot be ordered with {other!r}")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding, placed in its file."""

    path: str
    code: str
    name: str
    severity: Severity
    message: str
    span: Span | None = None
    pointer: Pointer = ()
    fix: str | None = None
    sheet: str | None = None
    """The worksheet of a workbook, or the table of a Markdown file after its first."""

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    @property
    def url(self) -> str:
        """The documentation of the rule that found this: its explanation and examples."""
        return rule_url(self.code)

    def to_dict(self) -> dict[str, object]:
        """This diagnostic as ``--format json`` writes it: positions 1-based (``None`` for a
        diagnostic without a file), the pointer as an RFC 6901 JSON pointer."""
        from celldose.escape import json_path, utf8

        span = self.span
        return {
            "path": json_path(self.path),
            "sheet": None if self.sheet is None else utf8(self.sheet),
            "line": span.line if span else None,
            "column": span.column if span else None,
            "end_line": span.end_line if span else None,
            "end_column": span.end_column if span else None,
            "pointer": utf8(json_pointer(self.pointer)),
            "code": self.code,
            "name": utf8(self.name),
            "severity": self.severity.value,
            "message": utf8(self.message),
            "fix": None if self.fix is None else utf8(self.fix),
            "url": self.url,
        }

    def sort_key(self) -> tuple[str, str, int, int, tuple[tuple[int, int | str], ...], str]:
        """By file, sheet and position; diagnostics of a mapping (no position) by their pointer."""
        pointer = tuple((0, p) if isinstance(p, int) else (1, p) for p in self.pointer)
        return (self.path, self.sheet or "", self.line or 0, self.column or 0, pointer, self.code)


@dataclass(frozen=True, slots=True)
class Report:
    """The result of checking one or more protocols: the findings, the files they came from,
    and the lowest severity that fails the check.

    A report iterates over its diagnostics and its ``len`` is their number.
    """

    diagnostics: tuple[Diagnostic, ...] = ()
    paths: tuple[str, ...] = field(default=())
    """The sources that were checked, in the order they were read."""
    files: tuple[FileResult, ...] = field(default=(), compare=False, repr=False)
    """Each checked file's document (read once) and what its check kept: formatters show
    source lines and tables from these, never from the disk again."""
    fail_on: Severity = Severity.ERROR
    """The lowest severity that fails the check (configuration and ``--fail-on`` set it)."""

    @classmethod
    def of(
        cls,
        diagnostics: Iterable[Diagnostic],
        paths: Iterable[str],
        files: Iterable[FileResult] = (),
    ) -> Report:
        return cls(tuple(sorted(diagnostics, key=Diagnostic.sort_key)), tuple(paths), tuple(files))

    def keeping(self, kept: Iterable[Diagnostic]) -> Report:
        """This report with only ``kept``: a subsequence of its diagnostics, in their order
        (a severity may have changed), so nothing needs sorting again."""
        return Report(tuple(kept), self.paths, self.files, self.fail_on)

    def failing_on(self, severity: Severity) -> Report:
        return Report(self.diagnostics, self.paths, self.files, severity)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.diagnostics)

    def __len__(self) -> int:
        return len(self.diagnostics)

    @property
    def skipped(self) -> tuple[Document, ...]:
        """The files found that are not protocols, left unchecked (not in :attr:`paths`)."""
        return tuple(result.document for result in self.files if result.skipped)

    def documents(self) -> dict[str, Document]:
        """Each checked file's document by its path, as the check read it."""
        return {result.document.path: result.document for result in self.files}

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return self._with(Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self._with(Severity.WARNING)

    @property
    def infos(self) -> tuple[Diagnostic, ...]:
        return self._with(Severity.INFO)

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error (warnings and infos do not fail a check)."""
        return not self.errors

    @property
    def failed(self) -> bool:
        """Whether a diagnostic is at or above :attr:`fail_on` (the CLI's exit status 1)."""
        return any(d.severity >= self.fail_on for d in self.diagnostics)

    def statistics(self) -> dict[str, int]:
        """Findings per rule code, in code order."""
        counts: dict[str, int] = {}
        for d in self.diagnostics:
            counts[d.code] = counts.get(d.code, 0) + 1
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, object]:
        """This report as ``--format json`` writes it (one code path: that format calls this).
        ``version`` is the shape's version, raised only when a field changes meaning."""
        from celldose import __version__
        from celldose.escape import json_path

        return {
            "version": JSON_VERSION,
            "tool": {"name": "celldose", "version": __version__},
            "summary": {
                "files": len(self.paths),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "infos": len(self.infos),
                "ok": self.ok,
                "skipped": len(self.skipped),
            },
            "files": [json_path(path) for path in self.paths],
            "statistics": self.statistics(),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (non-ASCII characters kept), ending in a newline."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    def _with(self, severity: Severity) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is severity)
