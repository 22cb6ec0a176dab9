"""The linter's surfaces, run as a user runs them: rules, explain, formats, stdin, hooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from celldose.rules import ALL, Rule
from conftest import ROOT, SEED, run_cli

WRONG_SEED = (Path(__file__).parent / "cases" / "seed-wrong-total.yaml").read_text()


def test_rules_lists_every_rule() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [rule.code for rule in ALL]
    assert "CD301  error    total-mismatch" in result.stdout


@pytest.mark.parametrize("rule", [r for r in ALL if isinstance(r.bad, str)], ids=lambda r: r.code)
def test_each_failing_example_fires_exactly_its_rule_through_the_cli(rule: Rule) -> None:
    assert isinstance(rule.bad, str)
    name = f"example{rule.example_suffix}"
    result = run_cli("check", "-", "--stdin-filename", name, "--format", "json", stdin=rule.bad)
    codes = {d["code"] for d in json.loads(result.stdout)["diagnostics"]}
    assert codes == {rule.code}
    assert result.returncode == (1 if rule.severity.value == "error" else 0)


def test_explain_prints_the_explanation_and_both_examples() -> None:
    for wanted in ("CD301", "cd301", "total-mismatch"):
        result = run_cli("explain", wanted)
        assert result.returncode == 0
        assert result.stdout.startswith("## CD301 total-mismatch (error)")
        assert "Fails:" in result.stdout and "Passes:" in result.stdout
        assert "total: 100,000,000" in result.stdout


def test_explain_an_unknown_rule_is_a_usage_error() -> None:
    result = run_cli("explain", "CD39")
    assert result.returncode == 2
    assert "no rule 'CD39'" in result.stderr and "did you mean" in result.stderr


def test_fail_on_sets_the_threshold(tmp_path: Path) -> None:
    warning_only = tmp_path / "w.yaml"
    warning_only.write_text(
        "protocol: X\nadministrations:\n  - {route: Unicorn, dose: 5, days: 1, total: 5}\n"
    )
    assert run_cli("check", str(warning_only)).returncode == 0
    assert run_cli("check", str(warning_only), "--fail-on", "warning").returncode == 1
    assert run_cli("check", str(SEED), "--fail-on", "warning").returncode == 0
    assert run_cli("check", str(SEED), "--fail-on", "info").returncode == 1  # the seed's CD306


def test_statistics_counts_findings_per_rule() -> None:
    result = run_cli("check", "tests/cases", "--statistics")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    counted = {line.split()[1]: int(line.split()[0]) for line in lines[:-1]}
    report = json.loads(run_cli("check", "tests/cases", "--format", "json").stdout)
    assert counted == report["statistics"]
    assert lines[-1].startswith("Checked ")


def test_jsonl_is_one_json_object_per_finding() -> None:
    jsonl = run_cli("check", "tests/cases", "--format", "jsonl").stdout.splitlines()
    report = json.loads(run_cli("check", "tests/cases", "--format", "json").stdout)
    assert [json.loads(line) for line in jsonl] == report["diagnostics"]


def test_github_annotations_are_chosen_in_github_actions(tmp_path: Path) -> None:
    odd = tmp_path / "a,b:c.yaml"
    odd.write_text(WRONG_SEED)
    result = run_cli("check", str(odd), env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    error = next(line for line in result.stdout.splitlines() if line.startswith("::error "))
    escaped = str(odd).replace(":", "%3A").replace(",", "%2C")
    assert error.startswith(f"::error file={escaped},line=13,col=12,endLine=13,")
    assert "title=CD301 total-mismatch::total 100,000,000 cells is the both-sides figure" in error
    assert any(line.startswith("::notice ") for line in result.stdout.splitlines())
    assert run_cli("check", str(odd), "--format", "text").stdout.startswith(str(odd))


def test_sarif_validates_against_the_official_schema() -> None:
    result = run_cli("check", "tests/cases", "--format", "sarif")
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in ALL]
    assert rules[run["results"][0]["ruleIndex"]]["id"] == run["results"][0]["ruleId"]
    mismatch = next(r for r in run["results"] if r["ruleId"] == "CD301")
    region = mismatch["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert mismatch["level"] == "error"


def test_stdin_with_a_filename_for_locations() -> None:
    result = run_cli("check", "-", "--stdin-filename", "knee.yaml", stdin=WRONG_SEED)
    assert result.returncode == 1
    assert "knee.yaml:13:12: CD301 error" in result.stdout
    assert run_cli("check", "-", "protocols").returncode == 2


def test_pre_commit_hook_entry_checks_the_staged_protocols(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "celldose" and hook["language"] == "python"
    repo = tmp_path / "clinic"
    (repo / "protocols").mkdir(parents=True)
    shutil.copy(SEED, repo / "protocols" / "sacroiliitis.yaml")
    entry = hook["entry"].split()
    assert entry[0] == "celldose"
    # pre-commit runs the entry with the matching files appended, from the repository's root.
    clean = run_cli(*entry[1:], "protocols/sacroiliitis.yaml", cwd=repo)
    assert clean.returncode == 0, clean.stdout
    (repo / "protocols" / "broken.yaml").write_text(WRONG_SEED)
    broken = run_cli(*entry[1:], "protocols/sacroiliitis.yaml", "protocols/broken.yaml", cwd=repo)
    assert broken.returncode == 1
    assert "protocols/broken.yaml:13:12: CD301" in broken.stdout
    # Sheets are hooked too; a README is not, unless a project adds .md pages itself.
    import re

    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ("a.yaml", "b.yml", "c.csv", "d.xlsx"))
    assert not pattern.search("README.md")
    (repo / "protocols" / "sheet.csv").write_text(
        'Route,Dose,Days,Total\nIV,"50,000,000",2,"50,000,000"\n', encoding="utf-8"
    )
    sheet = run_cli(*entry[1:], "protocols/sheet.csv", cwd=repo)
    assert sheet.returncode == 1 and "protocols/sheet.csv:2:19: CD301" in sheet.stdout


def test_sarif_locations_are_uris_and_columns_are_code_points(tmp_path: Path) -> None:
    odd = tmp_path / "emoji file#1.yaml"
    odd.write_text(
        "protocol: X\nadministrations:\n"
        "  - {route: intra-articular, notes: '🙂🙂', dose: 5, days: 2, total: 5}\n",
        encoding="utf-8",
    )
    absolute = json.loads(run_cli("check", str(odd), "--format", "sarif").stdout)["runs"][0]
    assert absolute["columnKind"] == "unicodeCodePoints"
    (result,) = absolute["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == odd.as_uri()
    assert "%20" in odd.as_uri() and "%23" in odd.as_uri()
    line = odd.read_text(encoding="utf-8").splitlines()[2]
    assert location["region"]["startColumn"] == line.index("total: 5") + len("total: ") + 1
    relative = json.loads(run_cli("check", odd.name, "--format", "sarif", cwd=tmp_path).stdout)[
        "runs"
    ][0]
    assert (
        relative["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "emoji%20file%231.yaml"
    )


def test_stdin_is_read_only_up_to_the_limit() -> None:
    result = run_cli("check", "-", stdin="# " + "x" * (11 * 1024 * 1024) + "\n")
    assert result.returncode == 1
    assert "CD004 error: file is larger than 10 MiB" in result.stdout


def test_options_that_would_be_ignored_are_usage_errors() -> None:
    stray = run_cli("check", "protocols", "--stdin-filename", "x.yaml")
    assert stray.returncode == 2 and "use it with -" in stray.stderr
    stats = run_cli("check", "protocols", "--statistics", "--format", "json")
    assert stats.returncode == 2 and "--statistics" in stats.stderr
