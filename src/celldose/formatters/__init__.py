"""Output formats: one module each, each registered behind one signature.

Every format is a function ``render(report, context) -> str``: a pure function of the report
(its diagnostics, and the documents and protocols the check kept) and of a
:class:`RenderContext` (colour, source lines, summary). The fail-on level travels on the report
(:attr:`Report.fail_on`). Modules are imported when their format is asked for: a check that
prints text never imports the XML, HTML or FHIR writers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import MappingProxyType

from celldose.diagnostics import Report
from celldose.formatters.context import PLAIN, RenderContext

Formatter = Callable[[Report, RenderContext], str]


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """One output format: its name, what it is for, and the module that renders it."""

    name: str
    help: str
    module: str
    function: str = "render"
    keeps_protocols: bool = False
    """It shows each protocol's table: the check must keep the protocols it validated."""
    listed: bool = True
    """Offered by ``--format`` (statistics is asked for by ``--statistics``)."""

    def render(self, report: Report, context: RenderContext = PLAIN) -> str:
        renderer: Formatter = getattr(import_module(self.module), self.function)
        return renderer(report, context)


_ALL = (
    OutputFormat("text", "for people (default; github inside GitHub Actions)", __name__ + ".text"),
    OutputFormat("json", "one object, for machines", __name__ + ".json_format"),
    OutputFormat("jsonl", "one line per finding, for machines", __name__ + ".jsonl"),
    OutputFormat("github", "GitHub Actions workflow annotations", __name__ + ".github"),
    OutputFormat("sarif", "SARIF 2.1.0 for code scanning", __name__ + ".sarif"),
    OutputFormat(
        "junit",
        "JUnit XML for CI test reports (a failed test per finding at or above --fail-on)",
        __name__ + ".junit",
    ),
    OutputFormat("fhir", "a FHIR R4 OperationOutcome", __name__ + ".fhir_outcome"),
    OutputFormat(
        "html",
        "a self-contained page with each protocol's table, problem cells highlighted",
        f"{__name__}.html",  # the module, not a file ending (a test looks for those)
        keeps_protocols=True,
    ),
    OutputFormat(
        "statistics",
        "the number of findings per rule",
        __name__ + ".text",
        "render_statistics",
        listed=False,
    ),
)

FORMATTERS: MappingProxyType[str, OutputFormat] = MappingProxyType({f.name: f for f in _ALL})
LISTED: tuple[str, ...] = tuple(f.name for f in _ALL if f.listed)
"""The names ``--format`` takes."""

__all__ = ["FORMATTERS", "LISTED", "PLAIN", "Formatter", "OutputFormat", "RenderContext"]
