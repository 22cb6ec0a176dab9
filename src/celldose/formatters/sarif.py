"""SARIF 2.1.0, for code scanning (GitHub and others), with every rule's metadata.

https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

import json

from celldose.diagnostics import Diagnostic, Report, Severity
from celldose.escape import path_uri, utf8
from celldose.formatters.context import PLAIN, RenderContext
from celldose.formatters.json_format import tool_version
from celldose.rules import ALL

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INDEX = {rule.code: index for index, rule in enumerate(ALL)}


def render(report: Report, context: RenderContext = PLAIN) -> str:
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "celldose",
                        "version": tool_version(),
                        "informationUri": "https://github.com/celldose/celldose",
                        "rules": [
                            {
                                "id": rule.code,
                                "name": _pascal(rule.name),
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.explanation},
                                "help": {"text": f"{rule.explanation}\n\nFix: {rule.fix}"},
                                "helpUri": rule.url,
                                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
                            }
                            for rule in ALL
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",  # celldose counts characters, not UTF-16 units
                "results": [_result(d) for d in report.diagnostics],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _result(d: Diagnostic) -> dict[str, object]:
    location: dict[str, object] = {"artifactLocation": {"uri": artifact_uri(d.path)}}
    if d.span is not None:
        location["region"] = {
            "startLine": d.span.line,
            "startColumn": d.span.column,
            "endLine": d.span.end_line,
            "endColumn": max(d.span.end_column, d.span.column + 1)
            if d.span.end_line == d.span.line
            else d.span.end_column,
        }
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": _INDEX[d.code],
        "level": _LEVEL[d.severity],
        "message": {"text": utf8(d.message + (f" Fix: {d.fix}" if d.fix else ""))},
        "locations": [{"physicalLocation": location}],
    }
    return result


def artifact_uri(path: str) -> str:
    """A URI reference: file:// for an absolute path, percent-encoded relative otherwise; a
    name that is not valid UTF-8 is encoded from its bytes."""
    return path_uri(path)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
