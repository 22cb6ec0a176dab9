"""For machines: one JSON object, versioned. Lines and columns are 1-based.

Strings are written as JSON escapes them. A path that is not valid UTF-8 (a file name of
other bytes, which Python keeps as lone surrogates) could not be written as JSON text: it is
written as SARIF writes every path, a percent-encoded URI reference
(:func:`celldose.escape.path_uri`: ``caf%E9.yaml``), so the output is always valid UTF-8.
"""

import json

from celldose.diagnostics import Diagnostic, Report
from celldose.escape import is_utf8, path_uri, utf8
from celldose.formatters.context import PLAIN, RenderContext
from celldose.rules import BY_CODE

SCHEMA_VERSION = 1


def render(report: Report, context: RenderContext = PLAIN) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "celldose", "version": tool_version()},
        "summary": {
            "files": len(report.paths),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "infos": len(report.infos),
            "ok": report.ok,
        },
        "files": [json_path(path) for path in report.paths],
        "statistics": statistics(report),
        "diagnostics": [diagnostic_dict(d) for d in report.diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def statistics(report: Report) -> dict[str, int]:
    """Findings per rule code, in code order."""
    counts: dict[str, int] = {}
    for d in report.diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
    return dict(sorted(counts.items()))


def diagnostic_dict(d: Diagnostic) -> dict[str, object]:
    span = d.span
    return {
        "path": json_path(d.path),
        "sheet": None if d.sheet is None else utf8(d.sheet),
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "pointer": utf8(json_pointer(d.pointer)),
        "code": d.code,
        "name": utf8(d.name),
        "severity": d.severity.value,
        "message": utf8(d.message),
        "fix": None if d.fix is None else utf8(d.fix),
        "url": BY_CODE[d.code].url,
    }


def json_path(path: str) -> str:
    """The path as written, or, when it is not valid UTF-8, its percent-encoded URI reference."""
    return path if is_utf8(path) else path_uri(path)


def json_pointer(pointer: tuple[str | int, ...]) -> str:
    """RFC 6901: ``~`` and ``/`` inside a key are escaped as ``~0`` and ``~1``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def tool_version() -> str:
    from celldose import __version__

    return __version__
