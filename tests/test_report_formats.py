"""The CI and FHIR report formats, run as a user runs them: ``--format junit`` and ``fhir``.

JUnit XML is parsed with ElementTree; the OperationOutcome is parsed and validated by the
``fhir.resources`` R4B models (R4B keeps R4's OperationOutcome), read through ``Any``: strict
mypy cannot follow fhir.resources' abstract element types to their attributes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome

from conftest import PROTOCOLS, ROOT, SEED, run_cli

CASES = ROOT / "tests" / "cases"
WRONG_TOTAL = CASES / "seed-wrong-total.yaml"  # one CD301 error and one CD306 info
CLEAN = PROTOCOLS / "chronic-low-back-pain.yaml"  # no findings at all
UNKNOWN_ROUTE = "protocol: X\nadministrations:\n  - {route: Unicorn, dose: 5, days: 1, total: 5}\n"
SYSTEM = "https://github.com/celldose/celldose/blob/main/docs/rules.md"
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
RANK = {"error": 0, "warning": 1, "info": 2}


def junit(*args: str, cwd: Path | None = None) -> tuple[ET.Element, int]:
    result = run_cli("check", *args, "--format", "junit", cwd=cwd)
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert not FORBIDDEN_IN_XML.search(result.stdout)
    return SafeET.fromstring(result.stdout.encode("utf-8")), result.returncode


def outcome(*args: str, cwd: Path | None = None) -> tuple[Any, int]:
    result = run_cli("check", *args, "--format", "fhir", cwd=cwd)
    assert "Traceback" not in result.stderr
    return OperationOutcome.model_validate_json(result.stdout), result.returncode


def json_report(*args: str) -> tuple[dict[str, Any], int]:
    result = run_cli("check", *args, "--format", "json")
    report: dict[str, Any] = json.loads(result.stdout)
    return report, result.returncode


def suites(root: ET.Element) -> dict[str, ET.Element]:
    return {suite.get("name", ""): suite for suite in root.findall("testsuite")}


def failures(element: ET.Element) -> list[ET.Element]:
    return element.findall(".//testcase/failure")


def unknown_route(tmp_path: Path) -> Path:
    path = tmp_path / "unicorn.yaml"
    path.write_text(UNKNOWN_ROUTE, encoding="utf-8")
    return path


# --- junit -------------------------------------------------------------------------------------


def test_junit_a_clean_file_is_one_passing_test() -> None:
    root, code = junit(str(CLEAN))
    assert code == 0
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == str(CLEAN)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    [case] = suite.findall("testcase")
    assert case.get("classname") == str(CLEAN)
    assert list(case) == []  # passed: no failure, error or skipped child
    assert suite.find("system-out") is None


def test_junit_a_total_mismatch_is_one_failure_with_the_text_message() -> None:
    root, code = junit(str(WRONG_TOTAL))
    assert code == 1
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    [failure] = failures(suite)
    assert failure.get("type") == "CD301"
    text_output = run_cli("check", str(WRONG_TOTAL)).stdout
    line = next(x for x in text_output.splitlines() if " CD301 error: " in x)
    assert failure.get("message") == "13:12: " + line.split(" CD301 error: ", 1)[1]
    assert (failure.text or "").startswith(line + "\n  fix: ")
    assert (failure.text or "").rstrip().endswith("#cd301")
    case = suite.find("testcase")
    # The name says which finding, not where it is now: stable when lines move.
    assert case is not None and case.get("name") == "CD301 total-mismatch /administrations/1/total"
    # The CD306 info is below the default threshold: shown, not failing.
    assert "CD306 info:" in (suite.findtext("system-out") or "")


def test_junit_fail_on_warning_makes_a_warning_a_failure(tmp_path: Path) -> None:
    path = unknown_route(tmp_path)
    root, code = junit(str(path))
    assert code == 0
    assert failures(root) == []
    assert "CD307 warning: unknown route 'Unicorn'" in (root.findtext(".//system-out") or "")

    root, code = junit(str(path), "--fail-on", "warning")
    assert code == 1
    [failure] = failures(root)
    assert failure.get("type") == "CD307"
    assert root.find(".//system-out") is None
    assert (root.get("tests"), root.get("failures")) == ("1", "1")


def test_junit_has_a_suite_per_file_in_order_clean_files_included() -> None:
    report, _ = json_report(str(CLEAN), str(WRONG_TOTAL), str(SEED))
    root, code = junit(str(CLEAN), str(WRONG_TOTAL), str(SEED))
    assert code == 1
    assert [s.get("name") for s in root.findall("testsuite")] == report["files"]
    found = suites(root)
    assert [found[str(p)].get("failures") for p in (CLEAN, WRONG_TOTAL, SEED)] == ["0", "1", "0"]


@pytest.mark.parametrize("fail_on", ["error", "warning", "info"])
def test_junit_counts_agree_with_the_elements_and_the_json_report(fail_on: str) -> None:
    root, code = junit("tests/cases", "--fail-on", fail_on)
    report, json_code = json_report("tests/cases", "--fail-on", fail_on)
    assert code == json_code == 1
    suites_ = root.findall("testsuite")
    assert [s.get("name") for s in suites_] == report["files"]
    for suite in suites_:
        cases = suite.findall("testcase")
        failed = [c for c in cases if c.find("failure") is not None]
        assert suite.get("tests") == str(len(cases)) and cases
        assert suite.get("failures") == str(len(failed))
        assert (suite.get("errors"), suite.get("skipped")) == ("0", "0")
        assert all(len(c.findall("failure")) == 1 for c in failed)
        assert len(failed) == len(cases) or len(cases) == 1  # a passing case only when clean
    assert root.get("tests") == str(len(root.findall("testsuite/testcase")))
    assert root.get("failures") == str(len(failures(root)))
    assert root.get("failures") == str(sum(int(s.get("failures", "")) for s in suites_))
    wanted = [d for d in report["diagnostics"] if RANK[d["severity"]] <= RANK[fail_on]]
    got = [(f.get("type"), f.get("message")) for f in failures(root)]
    at = [f"{d['line']}:{d['column']}: " if d["line"] else "" for d in wanted]
    assert got == [(d["code"], where + d["message"]) for d, where in zip(wanted, at, strict=True)]
    below = sum(1 for d in report["diagnostics"] if RANK[d["severity"]] > RANK[fail_on])
    shown = "".join(s.findtext("system-out") or "" for s in suites_)
    assert len(re.findall(r"^\S.*: CD\d{3} (?:error|warning|info): ", shown, re.M)) == below


def test_junit_is_well_formed_whatever_the_input_quotes(tmp_path: Path) -> None:
    # A raw control character in a YAML note (a syntax error that names it), `]]>` and a
    # control character in a route and in the file names: the XML still parses.
    notes = tmp_path / "notes\x01]]>.yaml"
    notes.write_text(
        SEED.read_text(encoding="utf-8") + "    notes: a \x01 b ]]> c\n", encoding="utf-8"
    )
    escaped = tmp_path / "escaped.yaml"
    escaped.write_text(
        SEED.read_text(encoding="utf-8") + '    notes: "a \\x01 b ]]> c <&>"\n', encoding="utf-8"
    )
    sheet = tmp_path / "sheet\x02.csv"
    sheet.write_text("Route,Dose,Days,Total,Notes\nUni\x01corn]]>,5,1,6,a\x01]]>b\n")
    root, code = junit(str(notes), str(escaped), str(sheet), "--fail-on", "warning")
    assert code == 1
    names = [s.get("name") for s in root.findall("testsuite")]
    # A control character in a name is written as its escape, never dropped or obeyed.
    names_shown = [
        str(tmp_path / "notes\\x01]]>.yaml"),
        str(escaped),
        str(tmp_path / "sheet\\x02.csv"),
    ]
    assert names == names_shown
    # Each message after its position (``line:column: ``).
    messages = [(f.get("message") or "").split(": ", 1)[1] for f in failures(root)]
    assert any(m.startswith("invalid YAML: control character") for m in messages)
    assert "unknown route 'Uni\\x01corn]]>': treated as a route that delivers cells" in messages
    assert suites(root)[str(escaped)].get("failures") == "0"


def test_junit_without_files_is_an_empty_report(tmp_path: Path) -> None:
    root, code = junit(str(tmp_path))
    assert code == 0
    assert root.findall("testsuite") == []
    assert (root.get("tests"), root.get("failures")) == ("0", "0")


# --- fhir --------------------------------------------------------------------------------------


def test_fhir_clean_input_is_one_informational_issue() -> None:
    parsed, code = outcome(str(CLEAN))
    assert code == 0
    assert parsed.get_resource_type() == "OperationOutcome"
    [issue] = parsed.issue
    assert (issue.severity, issue.code) == ("information", "informational")
    assert issue.details.text == "no problems found"


def test_fhir_a_total_mismatch_is_an_error_issue_with_its_code_and_message() -> None:
    parsed, code = outcome(str(WRONG_TOTAL))
    assert code == 1
    report, _ = json_report(str(WRONG_TOTAL))
    expected = next(d for d in report["diagnostics"] if d["code"] == "CD301")
    [issue] = [i for i in parsed.issue if i.severity == "error"]
    assert issue.code == "invariant"
    [coding] = issue.details.coding
    assert (coding.system, coding.code, coding.display) == (SYSTEM, "CD301", "total-mismatch")
    assert issue.details.text == expected["message"]
    # Issue 16: the source location goes in diagnostics, not in R4's deprecated location, and
    # expression is FHIRPath into the exported PlanDefinition, where the row's total is stated.
    assert issue.diagnostics == f"{WRONG_TOTAL}:13:12: {expected['fix']}"
    assert issue.location is None
    assert issue.expression == ["PlanDefinition.contained[1].dosage[0].text"]
    assert expected["url"] == f"{coding.system}#{coding.code.lower()}"


def test_fhir_severities_and_codes_follow_the_json_report() -> None:
    parsed, _ = outcome("tests/cases")
    report, _ = json_report("tests/cases")
    severity = {"error": "error", "warning": "warning", "info": "information"}
    assert len(parsed.issue) == len(report["diagnostics"]) > 0
    for issue, d in zip(parsed.issue, report["diagnostics"], strict=True):
        assert issue.severity == severity[d["severity"]]
        assert issue.details.coding[0].code == d["code"]
        assert issue.details.text == d["message"]
        if d["severity"] == "info":
            assert issue.code == "informational"
        elif d["severity"] == "warning":
            assert issue.code == "business-rule"
        else:
            assert issue.code in ("structure", "required", "value", "invariant", "too-costly")
    assert {i.severity for i in parsed.issue} == {"error", "warning", "information"}


def test_fhir_is_deterministic_and_valid_whatever_the_input_quotes(tmp_path: Path) -> None:
    odd = tmp_path / "a\x01`b`.csv"
    odd.write_text("Route,Dose,Days,Total,Notes\nUni\x01corn]]>,5,1,6,a\x01]]>b\n")
    first = run_cli("check", str(odd), "--format", "fhir")
    assert first.stdout == run_cli("check", str(odd), "--format", "fhir").stdout
    parsed: Any = OperationOutcome.model_validate_json(first.stdout)
    assert {i.details.coding[0].code for i in parsed.issue} == {"CD301", "CD307"}
    places = [i.diagnostics for i in parsed.issue]
    assert all(place.startswith(str(tmp_path / "a`b`.csv:")) for place in places)
    assert all(i.location is None for i in parsed.issue)


@pytest.mark.parametrize("fail_on", ["error", "warning", "info"])
@pytest.mark.parametrize("source", ["clean", "seed", "wrong-total", "unknown-route", "cases"])
def test_exit_codes_are_those_of_json(tmp_path: Path, source: str, fail_on: str) -> None:
    path = {
        "clean": CLEAN,
        "seed": SEED,
        "wrong-total": WRONG_TOTAL,
        "unknown-route": unknown_route(tmp_path),
        "cases": CASES,
    }[source]
    codes = {
        output: run_cli("check", str(path), "--format", output, "--fail-on", fail_on).returncode
        for output in ("json", "junit", "fhir")
    }
    assert codes["junit"] == codes["fhir"] == codes["json"] in (0, 1)
