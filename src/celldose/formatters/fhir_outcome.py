"""For FHIR systems: the report as one FHIR R4 OperationOutcome resource (JSON).

https://hl7.org/fhir/R4/operationoutcome.html

One ``issue`` per finding, in the report's order:

- ``severity``: error is ``error``, warning ``warning``, info ``information``.
- ``code``, from the IssueType value set (https://hl7.org/fhir/R4/valueset-issue-type.html),
  by the rule's family:

  ===================================== ===========================================
  findings                              ``code``
  ===================================== ===========================================
  CD0xx: the file cannot be read as a   ``structure`` (CD004, over an input limit:
  protocol (YAML or sheet syntax)       ``too-costly``; CD008, a workbook cell
                                        without a readable number: ``value``)
  CD1xx: fields unknown, of the wrong   ``structure`` (CD102, a required field
  type, or in conflict                  missing: ``required``; CD104: ``invariant``)
  CD2xx: a value that cannot be read    ``value``
  CD3xx, CD5xx errors: arithmetic,      ``invariant`` (CD303 and CD304, a total or
  units or volumes that do not agree    dose not stated: ``required``)
  warnings (CD305, CD307, CD308, CD401) ``business-rule``: the row may be right
  infos (CD306)                         ``informational``
  ===================================== ===========================================

- ``details.coding``: ``system`` the rule catalogue's URL (the rule's page is the system, ``#``
  and the code in lower case), ``code`` the rule code, ``display`` the rule's name;
  ``details.text`` the message.
- ``diagnostics``: where in the source file (``path:line:col`` as in the text format,
  ``path:/pointer`` without a line), then the fix when the rule has one.
- ``expression``: FHIRPath into the exported PlanDefinition (``celldose convert --to fhir``)
  where the export carries the field (``PlanDefinition.contained[1].dosage[0].text`` for a
  row's total); omitted otherwise. R4's ``location`` (deprecated, XPath) is not written: a
  YAML key is not a path into a FHIR resource.

A report without findings is one ``information`` issue, code ``informational``, text ``no
problems found``: an OperationOutcome has at least one issue. The output does not depend on
``--fail-on`` and has no id, time or version, so the same input gives the same bytes. Control
characters FHIR strings may not hold (below U+0020 other than tab, LF and CR) and lone
surrogates are removed from every value, since messages and paths quote the input.
"""

import json
import re

from celldose.diagnostics import Diagnostic, Report, Severity
from celldose.fhir import export_path
from celldose.formatters.context import PLAIN, RenderContext
from celldose.rules.base import DOCS_URL

SYSTEM = DOCS_URL.partition("#")[0]
_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "information"}
_FAMILY = {
    "CD0": "structure",
    "CD1": "structure",
    "CD2": "value",
    "CD3": "invariant",
    "CD5": "invariant",
}
_RULE = {
    "CD004": "too-costly",
    "CD008": "value",
    "CD102": "required",
    "CD104": "invariant",
    "CD303": "required",
    "CD304": "required",
}
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
NO_PROBLEMS: dict[str, object] = {
    "severity": "information",
    "code": "informational",
    "details": {"text": "no problems found"},
}


def render(report: Report, context: RenderContext = PLAIN) -> str:
    document = {
        "resourceType": "OperationOutcome",
        "issue": [_issue(d) for d in report.diagnostics] or [NO_PROBLEMS],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def issue_type(d: Diagnostic) -> str:
    """The IssueType code of a finding (the table in the module's docstring)."""
    if d.severity is Severity.INFO:
        return "informational"
    if d.severity is Severity.WARNING:
        return "business-rule"
    return _RULE.get(d.code) or _FAMILY.get(d.code[:3], "invalid")


def _issue(d: Diagnostic) -> dict[str, object]:
    coding = {"system": SYSTEM, "code": d.code, "display": _text(d.name)}
    issue: dict[str, object] = {
        "severity": _SEVERITY[d.severity],
        "code": issue_type(d),
        "details": {"coding": [coding], "text": _text(d.message)},
    }
    where = _where(d)
    issue["diagnostics"] = _text(f"{where}: {d.fix}" if d.fix else where)
    expression = export_path(d.pointer)
    if expression is not None:
        issue["expression"] = [expression]
    return issue


def _where(d: Diagnostic) -> str:
    if d.span is not None:
        return f"{d.path}:{d.span.line}:{d.span.column}"
    pointer = "/".join(str(p) for p in d.pointer)
    return f"{d.path}:/{pointer}" if pointer else d.path


def _text(value: str) -> str:
    return _FORBIDDEN.sub("", value)
