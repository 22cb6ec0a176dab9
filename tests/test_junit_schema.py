"""The JUnit report against Jenkins xunit's ``junit-10.xsd``, and test case names that survive
moved lines.

The schema's text is not copied here: :data:`SCHEMA` restates, element by element, what
``junit-10.xsd`` allows (jenkinsci/xunit-plugin,
src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd): the children an
element may have, the attributes it may carry, those it must, and the pattern of ``time``
(``SUREFIRE_TIME``). A validator then walks the report. The constraint that failed before is
the one the issue names: ``skipped`` is not an attribute of ``<testsuites>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from celldose.cli import main
from conftest import ROOT, SEED


@dataclass(frozen=True)
class Element:
    children: frozenset[str]
    attributes: frozenset[str]
    required: frozenset[str] = frozenset()
    text: bool = False
    """Mixed content or a string type: text is allowed."""


def _element(children: str, attributes: str, required: str = "", text: bool = False) -> Element:
    return Element(
        frozenset(children.split()),
        frozenset(attributes.split()),
        frozenset(required.split()),
        text,
    )


_RERUN = _element("stackTrace system-out system-err", "message type", "type", text=True)
_OUTCOME = _element("", "type message", text=True)
SCHEMA = {
    "testsuites": _element("testsuite", "name time tests failures errors"),
    "testsuite": _element(
        "testsuite properties testcase system-out system-err",
        "name tests failures errors group time skipped timestamp hostname id package file log url",
        "name tests failures errors",
    ),
    "testcase": _element(
        "skipped error failure rerunFailure rerunError flakyFailure flakyError system-out "
        "system-err",
        "name time classname group",
        "name",
    ),
    "failure": _OUTCOME,
    "error": _OUTCOME,
    "skipped": _OUTCOME,
    "properties": _element("property", ""),
    "property": _element("", "name value", "name value"),
    "system-out": _element("", "", text=True),
    "system-err": _element("", "", text=True),
    "stackTrace": _element("", "", text=True),
    "rerunFailure": _RERUN,
    "rerunError": _RERUN,
    "flakyFailure": _RERUN,
    "flakyError": _RERUN,
}
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
TIMED = {"testsuites", "testsuite"}  # where time is SUREFIRE_TIME; a testcase's is any string


def violations(element: ET.Element, path: str = "") -> list[str]:
    where = f"{path}/{element.tag}"
    rule = SCHEMA.get(element.tag)
    if rule is None:
        return [f"{where}: element not in the schema"]
    found = [
        f"{where}: attribute {a!r} not allowed" for a in element.attrib if a not in rule.attributes
    ]
    found += [
        f"{where}: attribute {a!r} required" for a in rule.required if a not in element.attrib
    ]
    time = element.attrib.get("time")
    if element.tag in TIMED and time is not None and not SUREFIRE_TIME.fullmatch(time):
        found.append(f"{where}: time {element.attrib['time']!r} is not SUREFIRE_TIME")
    if not rule.text and (element.text or "").strip():
        found.append(f"{where}: text not allowed")
    for child in element:
        if child.tag not in rule.children:
            found.append(f"{where}: child <{child.tag}> not allowed")
        found += violations(child, where)
    return found


def junit(capsys: pytest.CaptureFixture[str], *args: str) -> ET.Element:
    main(["check", "--format", "junit", *args])
    return fromstring(capsys.readouterr().out.encode("utf-8"))


def test_the_validator_rejects_what_the_schema_rejects() -> None:
    report = fromstring('<testsuites skipped="0"><testsuite name="a"/></testsuites>')
    assert sorted(violations(report)) == [
        "/testsuites/testsuite: attribute 'errors' required",
        "/testsuites/testsuite: attribute 'failures' required",
        "/testsuites/testsuite: attribute 'tests' required",
        "/testsuites: attribute 'skipped' not allowed",
    ]
    case = fromstring('<testcase name="x" line="3"/>')
    assert violations(case) == ["/testcase: attribute 'line' not allowed"]


@pytest.mark.parametrize("fail_on", ["error", "info"])
def test_the_report_is_valid_against_junit_10_xsd(
    fail_on: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    root = junit(capsys, "tests/cases", "protocols", "--fail-on", fail_on)
    assert violations(root) == []
    assert root.findall("testsuite/testcase/failure")
    for element in (root, *root.iter("testsuite"), *root.iter("testcase")):
        assert SUREFIRE_TIME.fullmatch(element.get("time", "missing"))
    suites_time = sum(float(s.get("time", "")) for s in root.iter("testsuite"))
    assert abs(float(root.get("time", "")) - suites_time) < 0.01


def test_test_case_names_do_not_move_with_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = SEED.read_text().replace("total: 50,000,000", "total: 5,000,000")
    path = tmp_path / "knee.yaml"
    path.write_text(wrong)
    before = junit(capsys, str(path), "--fail-on", "info")
    path.write_text("# reviewed\n# again\n" + wrong)
    after = junit(capsys, str(path), "--fail-on", "info")
    names = [c.get("name") for c in before.iter("testcase")]
    assert names == [c.get("name") for c in after.iter("testcase")]
    assert len(set(names)) == len(names) == 2
    assert not any(re.search(r"\d+:\d+", name or "") for name in names)
    moved = [f.get("message", "") for f in after.iter("failure")]
    assert [m.split(":", 2)[:2] for m in moved] == [["9", "11"], ["15", "12"]]


def test_a_workbook_failure_names_its_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(SEED.read_text().replace("total: 50,000,000", "total: 5e6"))
    assert main(["convert", "bad.yaml", "bad.xlsx"]) == 0
    capsys.readouterr()
    root = junit(capsys, "bad.xlsx")
    assert violations(root) == []
    (failure,) = root.iter("failure")
    assert failure.get("message", "").startswith("Sacroiliitis!D6: ")
    assert failure.get("message", "").count("Sacroiliitis!D6") == 1
