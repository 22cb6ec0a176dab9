"""For CI test reports: JUnit XML, the schema Jenkins, GitLab, Azure DevOps and others read.

The mapping, chosen so that every CI reader counts the same thing:

- ``<testsuites name="celldose">`` holds one ``<testsuite>`` per checked file, named by its
  path, in the order the files were read; a file with no findings is there too, so CI lists it
  as passed.
- Each finding at or above ``--fail-on`` (default: error) is one ``<testcase>`` with exactly one
  ``<failure>``: ``classname`` is the path, ``name`` is ``CODE rule-name at line:column`` (the
  worksheet first, for a workbook), ``type`` is the rule code, ``message`` is the message, and
  the text is ``path:line:col: CODE severity: message``, the fix and the rule's URL. One failure
  per test case, because readers count and show failures per test case (several ``<failure>``
  elements in one test case are shown as one by most of them).
- A file with no finding at or above the threshold has one passing ``<testcase>``, ``classname``
  the path and ``name`` ``no findings at or above SEVERITY``.
- Findings below the threshold (warnings and infos by default) are listed in the suite's
  ``<system-out>``, one text-format line each, with its fix: shown, never failing.
- ``tests`` and ``failures`` count those test cases; ``errors`` and ``skipped`` are always 0
  (celldose reports an unreadable file as a finding, never as an error of its own).

Output is UTF-8 with an XML declaration, built with ElementTree (which escapes ``<``, ``&``,
``>`` and quotes, so ``]]>`` in a message is harmless), deterministic: no times, no hostnames.
Text from the input (paths, worksheets, keys, messages, which quote the input) is escaped by
:func:`celldose.escape.shown`: control and bidirectional characters and lone surrogates are
written as ``\\x1b``-style escapes, which also leaves nothing XML 1.0 forbids.
"""

import re
import xml.etree.ElementTree as ET

from celldose.diagnostics import Diagnostic, Report, Severity
from celldose.escape import shown
from celldose.formatters.context import PLAIN, RenderContext
from celldose.rules import BY_CODE

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render(report: Report, context: RenderContext = PLAIN) -> str:
    fail_on = report.fail_on
    order = list(Severity)  # error, warning, info: most severe first, as the CLI's exit status
    failing = set(order[: order.index(fail_on) + 1])
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.paths}
    for d in report.diagnostics:  # a finding for a path not in paths still gets its suite
        by_path.setdefault(d.path, []).append(d)
    root = ET.Element("testsuites", {"name": "celldose"})
    for path, diagnostics in by_path.items():
        root.append(_suite(path, diagnostics, failing, fail_on))
    _count(root, root.findall("testsuite/testcase"))
    ET.indent(root, space="  ")
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow in a document."""
    return _FORBIDDEN.sub("", text)


def _input(text: str) -> str:
    """A value from the input (a path, a sheet, a key, a message), its control and
    bidirectional characters written as escapes: a CI page shows a report's text, and a log
    view obeys an escape sequence."""
    return shown(text)


def _suite(
    path: str, diagnostics: list[Diagnostic], failing: set[Severity], fail_on: Severity
) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _input(path)})
    failures = [d for d in diagnostics if d.severity in failing]
    for d in failures:
        case = ET.SubElement(suite, "testcase", _case(path, f"{d.code} {d.name}{_at(d)}"))
        failure = ET.SubElement(
            case, "failure", {"message": _input(d.message), "type": _input(d.code)}
        )
        failure.text = xml_text(_details(d) + f"\n  see: {BY_CODE[d.code].url}\n")
    if not failures:
        ET.SubElement(suite, "testcase", _case(path, f"no findings at or above {fail_on.value}"))
    below = [_details(d) for d in diagnostics if d.severity not in failing]
    if below:
        ET.SubElement(suite, "system-out").text = xml_text("\n".join(below) + "\n")
    _count(suite, suite.findall("testcase"))
    return suite


def _case(path: str, name: str) -> dict[str, str]:
    return {"classname": _input(path), "name": _input(name)}


def _count(element: ET.Element, cases: list[ET.Element]) -> None:
    failed = sum(1 for case in cases if case.find("failure") is not None)
    element.attrib.update(
        {"tests": str(len(cases)), "failures": str(failed), "errors": "0", "skipped": "0"}
    )


def _at(d: Diagnostic) -> str:
    place = [d.sheet] if d.sheet else []
    if d.span is not None:
        place += [str(d.span.line), str(d.span.column)]
    elif d.pointer:
        place.append("/" + "/".join(str(p) for p in d.pointer))  # escaped with the name
    return f" at {':'.join(place)}" if place else ""


def _details(d: Diagnostic) -> str:
    """The text format's lines: ``path:line:col: CODE severity: message`` and the fix."""
    if d.span is not None:
        where = f"{d.path}:{d.span.line}:{d.span.column}"
    else:
        pointer = "/".join(str(p) for p in d.pointer)
        where = f"{d.path}:/{pointer}" if pointer else d.path
    line = _input(f"{where}: {d.code} {d.severity.value}: {d.message}")
    return line + (f"\n  fix: {_input(d.fix)}" if d.fix else "")
