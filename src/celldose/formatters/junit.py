"""For CI test reports: JUnit XML, the schema Jenkins, GitLab, Azure DevOps and others read.

The mapping, chosen so that every CI reader counts the same thing, and so that the report is
valid against Jenkins xunit's ``junit-10.xsd`` (the strictest common schema):

- ``<testsuites name="celldose">`` holds one ``<testsuite>`` per checked file, named by its
  path (also its ``file``), in the order the files were read; a file with no findings is there
  too, so CI lists it as passed.
- Each finding at or above ``--fail-on`` (default: error) is one ``<testcase>`` with exactly one
  ``<failure>``: ``classname`` is the path, ``name`` is ``CODE rule-name`` and, to tell apart
  the findings of one rule in a file, the data pointer (``/administrations/0/total``) and the
  worksheet: never the line and column, so that a test case keeps its identity when lines
  move. ``type`` is the rule code; ``message`` starts with the position (``13:12``, or the
  cell ``Sheet!D6`` of a workbook); the text is ``path:line:col: CODE severity: message``, the
  fix and the rule's URL. One failure per test case, because readers count and show failures
  per test case. (The schema has no ``file`` or ``line`` on a test case: the position lives in
  the message and text.)
- A file with no finding at or above the threshold has one passing ``<testcase>``, ``classname``
  the path and ``name`` ``no findings at or above SEVERITY``.
- Findings below the threshold (warnings and infos by default) are listed in the suite's
  ``<system-out>``, one text-format line each, with its fix: shown, never failing.
- ``tests`` and ``failures`` count those test cases; each ``<testsuite>`` has ``errors`` and
  ``skipped`` 0 (celldose reports an unreadable file as a finding, never as an error of its
  own); ``<testsuites>`` has no ``skipped``, which the schema does not allow there.
- ``time`` is the seconds each file's check took (on its suite and its passing test case; a
  finding takes no time of its own), and their sum on ``<testsuites>``.

Output is UTF-8 with an XML declaration, built with ElementTree (which escapes ``<``, ``&``,
``>`` and quotes, so ``]]>`` in a message is harmless). Characters XML 1.0 forbids (C0
controls other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF) are removed from every
value, since messages and paths quote the input.
"""

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace

from celldose.diagnostics import Diagnostic, Report, Severity, json_pointer
from celldose.escape import shown
from celldose.formatters.cells import place_name
from celldose.formatters.context import PLAIN, RenderContext

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render(report: Report, context: RenderContext = PLAIN) -> str:
    fail_on = report.fail_on
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.paths}
    for d in report.diagnostics:  # a finding for a path not in paths still gets its suite
        by_path.setdefault(d.path, []).append(_shown(d))
    seconds = {shown(r.document.path): r.seconds for r in report.files}
    by_path = {shown(path): found for path, found in by_path.items()}
    root = ET.Element("testsuites", {"name": "celldose"})
    total = 0.0
    for path, diagnostics in by_path.items():
        taken = seconds.get(path, 0.0)
        total += taken
        root.append(_suite(path, diagnostics, fail_on, taken))
    cases = root.findall("testsuite/testcase")
    root.attrib.update({**_counts(cases), "time": _time(total)})
    ET.indent(root, space="  ")
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _shown(d: Diagnostic) -> Diagnostic:
    """The diagnostic with every text from the input escaped (:func:`celldose.escape.shown`:
    a CI page shows the report, and a log view obeys an escape sequence or a line break), so
    the report's own line breaks are the only ones left."""
    return replace(
        d,
        path=shown(d.path),
        name=shown(d.name),
        message=shown(d.message),
        fix=None if d.fix is None else shown(d.fix),
        sheet=None if d.sheet is None else shown(d.sheet),
        pointer=tuple(shown(p) if isinstance(p, str) else p for p in d.pointer),
    )


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow in a document."""
    return _FORBIDDEN.sub("", text)


def _suite(path: str, diagnostics: list[Diagnostic], fail_on: Severity, taken: float) -> ET.Element:
    suite = ET.Element("testsuite", {"name": xml_text(path)})
    failures = [d for d in diagnostics if d.severity >= fail_on]
    named: Counter[str] = Counter()
    for d in failures:
        name = _name(d)
        named[name] += 1
        unique = name if named[name] == 1 else f"{name} #{named[name]}"
        case = ET.SubElement(suite, "testcase", _case(path, unique, 0.0))
        position = _position(d)
        message = d.message  # a workbook's message starts with its cell already
        if position and not message.startswith(position + ":"):
            message = f"{position}: {message}"
        failure = ET.SubElement(
            case, "failure", {"message": xml_text(message), "type": xml_text(d.code)}
        )
        failure.text = xml_text(_details(d) + f"\n  see: {d.url}\n")
    if not failures:
        name = f"no findings at or above {fail_on.value}"
        ET.SubElement(suite, "testcase", _case(path, name, taken))
    shown = [_details(d) for d in diagnostics if d.severity < fail_on]
    if shown:
        ET.SubElement(suite, "system-out").text = xml_text("\n".join(shown) + "\n")
    counts = _counts(suite.findall("testcase"))
    suite.attrib.update({**counts, "skipped": "0", "time": _time(taken), "file": xml_text(path)})
    return suite


def _case(path: str, name: str, taken: float) -> dict[str, str]:
    return {"classname": xml_text(path), "name": xml_text(name), "time": _time(taken)}


def _counts(cases: list[ET.Element]) -> dict[str, str]:
    failed = sum(1 for case in cases if case.find("failure") is not None)
    return {"tests": str(len(cases)), "failures": str(failed), "errors": "0"}


def _time(seconds: float) -> str:
    """Seconds with three decimals: the schema's time allows digits and one decimal point."""
    return f"{max(seconds, 0.0):.3f}"


def _name(d: Diagnostic) -> str:
    """``CODE rule-name`` and where in the data: stable when lines move."""
    place = [d.sheet] if d.sheet else []
    if d.pointer:
        place.append(json_pointer(d.pointer))
    return f"{d.code} {d.name}" + (f" {' '.join(place)}" if place else "")


def _position(d: Diagnostic) -> str:
    """``13:12``; a workbook's cell ``Sheet!D6``; empty without a position."""
    if d.span is None:
        return ""
    return place_name(d) or f"{d.span.line}:{d.span.column}"


def _details(d: Diagnostic) -> str:
    """The text format's lines: ``path:line:col: CODE severity: message`` and the fix."""
    if d.span is not None:
        where = f"{d.path}:{d.span.line}:{d.span.column}"
    else:
        pointer = "/".join(str(p) for p in d.pointer)
        where = f"{d.path}:/{pointer}" if pointer else d.path
    line = f"{where}: {d.code} {d.severity.value}: {d.message}"
    return line + (f"\n  fix: {d.fix}" if d.fix else "")
