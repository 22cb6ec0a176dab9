"""For machines: one JSON object, versioned. Lines and columns are 1-based.

The shape is :meth:`celldose.Report.to_dict`'s, so that a library caller and this format never
disagree; the names below stay for the formatters and modules that import them.

Strings are written as JSON escapes them. A path that is not valid UTF-8 (a file name of
other bytes, which Python keeps as lone surrogates) could not be written as JSON text: it is
written as SARIF writes every path, a percent-encoded URI reference
(:func:`celldose.escape.path_uri`: ``caf%E9.yaml``), so the output is always valid UTF-8.
"""

from celldose.diagnostics import JSON_VERSION, Diagnostic, Report, json_pointer
from celldose.formatters.context import PLAIN, RenderContext

SCHEMA_VERSION = JSON_VERSION
__all__ = ["SCHEMA_VERSION", "diagnostic_dict", "json_pointer", "render", "statistics"]


def render(report: Report, context: RenderContext = PLAIN) -> str:
    return report.to_json()


def statistics(report: Report) -> dict[str, int]:
    """Findings per rule code, in code order."""
    return report.statistics()


def diagnostic_dict(d: Diagnostic) -> dict[str, object]:
    return d.to_dict()


def tool_version() -> str:
    from celldose import __version__

    return __version__
