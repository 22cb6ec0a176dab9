"""For GitHub Actions: workflow commands that annotate the pull request's lines.

https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from celldose.diagnostics import Diagnostic, Report, Severity
from celldose.escape import shown
from celldose.formatters.context import PLAIN, RenderContext
from celldose.formatters.text import summary

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, context: RenderContext = PLAIN) -> str:
    lines = [_annotation(d) for d in report.diagnostics]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _annotation(d: Diagnostic) -> str:
    properties = [f"file={_property(d.path)}"]
    if d.span is not None:
        properties += [
            f"line={d.span.line}",
            f"col={d.span.column}",
            f"endLine={d.span.end_line}",
            f"endColumn={d.span.end_column}",
        ]
    properties.append(f"title={_property(f'{d.code} {d.name}')}")
    message = d.message + (f" (fix: {d.fix})" if d.fix else "")
    return f"::{_COMMAND[d.severity]} {','.join(properties)}::{_data(message)}"


def _data(text: str) -> str:
    """Text for a workflow command: escaped first (a line feed or an escape from the input
    could start a forged ``::error`` line, or colour the log), then as GitHub decodes it."""
    return shown(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
