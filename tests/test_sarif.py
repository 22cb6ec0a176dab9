"""SARIF as GitHub code scanning tracks it: URIs from the repository's root, fingerprints that
survive moved lines, rule help in Markdown, workbook cells as logical locations, a region for
an empty file; every document valid against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from celldose.cli import main
from celldose.rules import ALL
from conftest import ROOT, SEED

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
WRONG = SEED.read_text().replace("total: 50,000,000", "total: 5,000,000")


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    main(["check", "--format", "sarif", *args])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, SCHEMA)
    return document


def results(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["runs"][0]["results"]
    return found


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository's root (``.git`` marks it, as ``git init`` leaves it) with a subfolder."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "protocols" / "knees").mkdir(parents=True)
    (tmp_path / "protocols" / "bad.yaml").write_text(WRONG)
    return tmp_path


def test_uris_are_relative_to_the_repository_root_from_any_folder(
    repository: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repository / "protocols" / "knees")
    for named in ("../bad.yaml", str(repository / "protocols" / "bad.yaml")):
        document = sarif(capsys, named)
        (result,) = (r for r in results(document) if r["ruleId"] == "CD301")
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "protocols/bad.yaml", "uriBaseId": "%SRCROOT%"}
        base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        assert base == repository.as_uri() + "/"


def test_a_finding_keeps_its_fingerprint_when_lines_move(
    repository: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repository)
    before = {r["ruleId"]: r for r in results(sarif(capsys, "protocols/bad.yaml"))}
    (repository / "protocols" / "bad.yaml").write_text("# reviewed\n# again\n" + WRONG)
    after = {r["ruleId"]: r for r in results(sarif(capsys, "protocols/bad.yaml"))}
    assert before.keys() == after.keys() == {"CD301", "CD306"}
    for code in before:
        assert before[code]["partialFingerprints"] == after[code]["partialFingerprints"]
    region = after["CD301"]["locations"][0]["physicalLocation"]["region"]
    assert (
        region["startLine"]
        == before["CD301"]["locations"][0]["physicalLocation"]["region"]["startLine"] + 2
    )
    prints = [r["partialFingerprints"]["celldoseFinding/v1"] for r in after.values()]
    assert len(set(prints)) == 2


def test_rule_help_has_markdown_with_its_examples(capsys: pytest.CaptureFixture[str]) -> None:
    rules = sarif(capsys, str(SEED))["runs"][0]["tool"]["driver"]["rules"]
    for rule, entry in zip(ALL, rules, strict=True):
        markdown = entry["help"]["markdown"]
        assert markdown.startswith(f"## {rule.code} {rule.name}")
        assert rule.explanation.split("\n")[0] in markdown and rule.fix in markdown
        if rule.bad is not None:
            assert "\nFails" in markdown and "\nPasses" in markdown
        assert "<a id=" not in markdown


def test_a_workbook_finding_is_located_as_its_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(WRONG)
    assert main(["convert", "bad.yaml", "bad.xlsx"]) == 0
    capsys.readouterr()
    (result,) = (r for r in results(sarif(capsys, "bad.xlsx")) if r["ruleId"] == "CD301")
    (location,) = result["locations"]
    assert location["logicalLocations"] == [
        {"name": "D6", "fullyQualifiedName": "Sacroiliitis!D6", "kind": "element"}
    ]
    assert "region" not in location["physicalLocation"]  # no line and column inside a zip
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "bad.xlsx"


def test_an_empty_file_has_a_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.yaml").write_text("")
    (result,) = results(sarif(capsys, "empty.yaml"))
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_the_action_writes_sarif_as_its_step_runs(tmp_path: Path) -> None:
    """action.yml's check step, run by bash as the runner runs it, with its inputs as env."""
    import os
    import shutil
    import subprocess
    import sys

    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = {
        step.get("id") or step.get("name") or step["uses"]: step for step in action["runs"]["steps"]
    }
    assert steps["Upload to code scanning"]["uses"].startswith("github/codeql-action/upload-sarif@")
    check = steps["check"]
    if shutil.which("bash") is None:
        pytest.skip("bash runs the action's steps")
    (tmp_path / ".git").mkdir()
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "bad.yaml").write_text(WRONG)
    (tmp_path / "ci.yml").write_text("name: CI\non: [push]\n")
    outputs = tmp_path / "outputs"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "CELLDOSE_PATHS": action["inputs"]["paths"]["default"],
        "CELLDOSE_ARGS": "--fail-on warning",
        "CELLDOSE_SARIF": action["inputs"]["sarif-file"]["default"],
    }
    ran = subprocess.run(
        ["bash", "-e", "-c", check["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert outputs.read_text() == "exit-code=1\n"
    document = json.loads((tmp_path / "celldose.sarif").read_text())
    jsonschema.validate(document, SCHEMA)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(document)
    }
    assert uris == {"protocols/bad.yaml"}


def test_a_word_table_cell_is_named_as_its_reader_names_it() -> None:
    from celldose.diagnostics import Diagnostic, Severity, Span
    from celldose.formatters.cells import place_name

    def at(path: str, sheet: str) -> Diagnostic:
        span = Span(3, 2, 3, 3)
        return Diagnostic(
            path=path,
            code="CD301",
            name="n",
            severity=Severity.ERROR,
            message="m",
            span=span,
            sheet=sheet,
        )

    assert place_name(at("plan.docx", "table 1")) == "table 1, row 3, cell 2"
    assert place_name(at("plan.xlsx", "Knee L")) == "'Knee L'!B3"
    assert place_name(at("plan.yaml", "")) is None
