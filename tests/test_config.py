"""Configuration, inline suppressions and the baseline, through the CLI as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, run_cli, run_cli_bytes, run_process

WRONG = (ROOT / "tests" / "cases" / "seed-wrong-total.yaml").read_text(encoding="utf-8")
"""The seed with a both-sides total: CD306 (info) at 7:11 and CD301 (error) at 13:12."""
UNICORN = "protocol: X\nadministrations:\n  - {route: Unicorn, dose: 5, days: 1, total: 5}\n"
"""One CD307 warning at 3:13."""
SHEET = (
    "Route of Administration,Dose,Time (Days),Total Cells,Notes\n"
    'Intra-articular,"50,000,000",1,"50,000,000",\n'
    'Intradiscal,"50,000,000",2,"50,000,000","{note}"\n'
)
"""A CSV sheet whose third line has a CD301 (total != dose x days), and a Notes column."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(tmp_path: Path, *args: str) -> list[tuple[str, str]]:
    """(path, code) of every finding of ``celldose check ARGS --format json`` in tmp_path."""
    result = run_cli("check", *args, "--format", "json", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return [(d["path"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_pyproject_select_ignore_severity_and_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path / "protocols" / "wrong.yaml", WRONG)
    write(tmp_path / "protocols" / "legacy" / "old.yaml", WRONG)
    write(tmp_path / "protocols" / "unicorn.yaml", UNICORN)
    assert len(codes(tmp_path, "protocols")) == 5  # no configuration yet
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "clinic-sheets"\n\n'
        "[tool.celldose]\n"
        'select = ["CD3"]\n'
        'ignore = ["CD306"]\n'
        'severity = {CD307 = "error"}\n\n'
        "[tool.celldose.per-file-ignores]\n"
        '"protocols/legacy/*" = ["CD301"]\n',
    )
    result = run_cli("check", "protocols", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["path"], d["code"], d["severity"]) for d in found] == [
        ("protocols/unicorn.yaml", "CD307", "error"),
        ("protocols/wrong.yaml", "CD301", "error"),
    ]
    assert json.loads(result.stdout)["summary"]["files"] == 3
    # Select a prefix that leaves only the warning-turned-error out: exit code follows.
    write(tmp_path / "pyproject.toml", '[tool.celldose]\nselect = ["CD30"]\nignore = ["CD301"]\n')
    result = run_cli("check", "protocols", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "CD307" in result.stdout and "CD301" not in result.stdout


def test_nearest_configuration_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.celldose]\nignore = ["CD306"]\n')
    write(tmp_path / "a" / "wrong.yaml", WRONG)
    write(tmp_path / "b" / "wrong.yaml", WRONG)
    write(tmp_path / "c" / "wrong.yaml", WRONG)
    # b: a celldose.toml (top-level keys) beats the pyproject.toml in the same folder.
    write(tmp_path / "b" / "celldose.toml", 'ignore = ["CD301"]\n')
    write(tmp_path / "b" / "pyproject.toml", '[tool.celldose]\nignore = ["CD3"]\n')
    # c: a pyproject.toml without [tool.celldose] does not count: the search goes on upward.
    write(tmp_path / "c" / "pyproject.toml", '[project]\nname = "c"\n')
    assert codes(tmp_path, ".") == [
        ("a/wrong.yaml", "CD301"),
        ("b/wrong.yaml", "CD306"),
        ("c/wrong.yaml", "CD301"),
    ]


def test_config_option_replaces_the_search(tmp_path: Path) -> None:
    write(tmp_path / "sheets" / "wrong.yaml", WRONG)
    write(tmp_path / "sheets" / "celldose.toml", 'ignore = ["CD301"]\n')
    write(tmp_path / "ci" / "strict.toml", 'select = ["CD301"]\n')
    write(tmp_path / "ci" / "pyproject.toml", '[tool.celldose]\nignore = ["CD3"]\n')
    assert codes(tmp_path, "sheets") == [("sheets/wrong.yaml", "CD306")]
    assert codes(tmp_path, "sheets", "--config", "ci/strict.toml") == [
        ("sheets/wrong.yaml", "CD301")
    ]
    assert codes(tmp_path, "sheets", "--config", "ci/pyproject.toml") == []
    write(tmp_path / "ci" / "pyproject.toml", '[project]\nname = "ci"\n')
    result = run_cli("check", "sheets", "--config", "ci/pyproject.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "ci/pyproject.toml: no [tool.celldose] table" in result.stderr
    missing = run_cli("check", "sheets", "--config", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.toml" in missing.stderr


def test_select_and_ignore_options_override_the_file(tmp_path: Path) -> None:
    write(tmp_path / "wrong.yaml", WRONG)
    write(tmp_path / "unicorn.yaml", UNICORN)
    write(tmp_path / "celldose.toml", 'ignore = ["CD301", "CD307"]\n')
    assert codes(tmp_path, ".") == [("wrong.yaml", "CD306")]
    # --select replaces the file's select and ignore ...
    assert codes(tmp_path, ".", "--select", "CD301,CD307") == [
        ("unicorn.yaml", "CD307"),
        ("wrong.yaml", "CD301"),
    ]
    # ... and --ignore ignores more, on top of the file and of --select.
    assert codes(tmp_path, ".", "--ignore", "CD3") == []
    assert codes(tmp_path, ".", "--select", "CD3", "--ignore", "CD30") == []
    assert codes(tmp_path, ".", "--select", "CD3", "--ignore", "CD301,CD306") == [
        ("unicorn.yaml", "CD307")
    ]
    result = run_cli("check", ".", "--ignore", "CD999", cwd=tmp_path)
    assert result.returncode == 2
    assert "--ignore: unknown rule code 'CD999'" in result.stderr


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    write(tmp_path / "unicorn.yaml", UNICORN)
    assert run_cli("check", "unicorn.yaml", cwd=tmp_path).returncode == 0
    assert run_cli("check", "unicorn.yaml", "--strict", cwd=tmp_path).returncode == 1
    write(tmp_path / "pyproject.toml", "[tool.celldose]\nstrict = true\n")
    assert run_cli("check", "unicorn.yaml", cwd=tmp_path).returncode == 1
    # An explicit --fail-on on the command line overrides the file's strict.
    assert run_cli("check", "unicorn.yaml", "--fail-on", "error", cwd=tmp_path).returncode == 0
    # A warning turned into an info by the configuration no longer fails a strict check.
    write(
        tmp_path / "pyproject.toml",
        '[tool.celldose]\nstrict = true\nseverity = {CD307 = "info"}\n',
    )
    assert run_cli("check", "unicorn.yaml", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'select = ["CD301", "CD999"]',
            "pyproject.toml: [tool.celldose] select: unknown rule code 'CD999'",
        ),
        (
            'select = "CD301"',
            "pyproject.toml: [tool.celldose] select: expected a list of rule codes, "
            "got the text 'CD301'",
        ),
        (
            'ignore = ["CD3", 301]',
            "pyproject.toml: [tool.celldose] ignore: expected a rule code such as 'CD301', "
            "got the number 301",
        ),
        ("strict = 1", "pyproject.toml: [tool.celldose] strict: expected true or false"),
        (
            'severity = {CD301 = "fatal"}',
            'pyproject.toml: [tool.celldose] severity.CD301: expected "error", "warning" or '
            "\"info\", got the text 'fatal'",
        ),
        (
            'severity = {CD3 = "info"}',
            "pyproject.toml: [tool.celldose] severity: unknown rule code 'CD3'",
        ),
        (
            'per-file-ignores = {"legacy/*" = ["CD9"]}',
            'pyproject.toml: [tool.celldose] per-file-ignores."legacy/*": '
            "unknown rule code 'CD9'",
        ),
        (
            'selct = ["CD301"]',
            "pyproject.toml: [tool.celldose] selct: unknown key; did you mean 'select'?",
        ),
        ('select = ["CD301"', "pyproject.toml: not valid TOML: "),
        (
            'normalize-counts = "commas"',
            'pyproject.toml: [tool.celldose] normalize-counts: expected "grouped" or "plain", '
            "got the text 'commas'",
        ),
        (
            "normalize-counts = true",
            'pyproject.toml: [tool.celldose] normalize-counts: expected "grouped" or "plain", '
            "got the boolean true",
        ),
        (
            'normalise-counts = "plain"',
            "pyproject.toml: [tool.celldose] normalise-counts: unknown key; "
            "did you mean 'normalize-counts'?",
        ),
    ],
)
def test_a_bad_configuration_is_a_usage_error_naming_file_and_key(
    tmp_path: Path, table: str, message: str
) -> None:
    write(tmp_path / "wrong.yaml", WRONG)
    write(tmp_path / "pyproject.toml", f"[tool.celldose]\n{table}\n")
    result = run_cli("check", "wrong.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"celldose: error: {message}"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_celldose_toml_names_its_key_without_a_table(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "wrong.yaml", WRONG)
    write(tmp_path / "sub" / "celldose.toml", "[tool.celldose]\nselect = []\n")
    result = run_cli("check", "sub", cwd=tmp_path)
    assert result.returncode == 2
    assert "celldose: error: sub/celldose.toml: tool: unknown key" in result.stderr


def test_yaml_comment_suppresses_the_codes_on_its_line(tmp_path: Path) -> None:
    suppressed = WRONG.replace(
        "    total: 100,000,000\n",
        "    total: 100,000,000  # celldose: ignore[CD301] both sides, as the clinic counts\n",
    )
    assert suppressed != WRONG
    write(tmp_path / "knee.yaml", suppressed)
    result = run_cli("check", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "CD301" not in result.stdout and "CD306" in result.stdout
    # Several codes, comma-separated; a code written in a string is not a comment.
    several = suppressed.replace(
        "    dose: 50,000,000\n    days: 1\n    total: N/A\n",
        "    dose: 50,000,000  # celldose: ignore[CD306,CD301] adjunct dose as written\n"
        '    days: 1\n    total: N/A\n    notes: "see # celldose: ignore[CD999]"\n',
        1,
    )
    assert several != suppressed
    write(tmp_path / "knee.yaml", several)
    result = run_cli("check", "knee.yaml", "--format", "json", cwd=tmp_path)
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["line"]) for d in found] == [("CD009", 7)]
    assert "no CD301 finding is reported on this line" in found[0]["message"]
    assert result.returncode == 0  # CD009 is a warning


def test_notes_cell_suppresses_the_codes_on_its_row(tmp_path: Path) -> None:
    write(tmp_path / "sheet.csv", SHEET.format(note=""))
    assert codes(tmp_path, "sheet.csv") == [("sheet.csv", "CD301")]
    write(tmp_path / "sheet.csv", SHEET.format(note="celldose: ignore[CD301] two days, one total"))
    result = run_cli("check", "sheet.csv", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "Checked 1 file: no problems.\n"
    # Standard input is read once, and still suppressed.
    stdin = run_cli(
        "check",
        "-",
        "--stdin-filename",
        "sheet.csv",
        cwd=tmp_path,
        stdin=(tmp_path / "sheet.csv").read_text(encoding="utf-8"),
    )
    assert stdin.stdout == "Checked 1 file: no problems.\n"


def test_a_workbooks_notes_cell_suppresses_its_row_and_an_unused_one_is_cd009(
    tmp_path: Path,
) -> None:
    """The same through a real workbook (openpyxl), by path and on standard input, and in a
    Markdown table: the tables the check read are the ones the suppressions are found in."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Knees"
    sheet.append(["Route of Administration", "Dose", "Time (Days)", "Total Cells", "Notes"])
    sheet.append(["Intra-articular", "50,000,000", 1, "50,000,000", "celldose: ignore[CD302]"])
    sheet.append(["Intradiscal", "50,000,000", 2, "50,000,000", "celldose: ignore[CD301] as sent"])
    book.save(tmp_path / "book.xlsx")
    write(
        tmp_path / "page.md",
        "| Route | Dose | Days | Total | Notes |\n|---|---|---|---|---|\n"
        "| Intradiscal | 50,000,000 | 2 | 50,000,000 | celldose: ignore[CD301] as sent |\n",
    )
    expected = [
        ("book.xlsx", "CD009", 2, "Knees!E2: celldose: ignore[CD302] suppresses nothing"),
    ]
    by_path = ["book.xlsx"]
    by_stdin = ["-", "--stdin-filename", "book.xlsx"]
    for target, stdin in ((by_path, None), (by_stdin, tmp_path / "book.xlsx")):
        result = run_cli_bytes(
            "check",
            *target,
            "--format",
            "json",
            stdin=stdin.read_bytes() if stdin else None,
            cwd=tmp_path,
        )
        found = json.loads(result.stdout)["diagnostics"]
        assert [
            (d["path"], d["code"], d["line"], d["message"][: len(expected[0][3])]) for d in found
        ] == expected, target
    assert codes(tmp_path, "page.md") == []


def test_the_python_api_applies_suppressions_as_the_cli_does_unless_told_not_to(
    tmp_path: Path,
) -> None:
    """As the README says: celldose.check() applies inline suppressions, as celldose check
    does; Settings.raw() keeps every finding the rules report."""
    import celldose
    from celldose.settings import Settings

    text = WRONG.replace(
        "    total: 100,000,000\n", "    total: 100,000,000  # celldose: ignore[CD301]\n"
    )
    knee = write(tmp_path / "knee.yaml", text)
    assert [d.code for d in celldose.check(knee).diagnostics] == ["CD306"]
    raw = celldose.check(knee, settings=Settings.raw())
    assert [d.code for d in raw.diagnostics] == ["CD306", "CD301"]


def test_an_unused_suppression_is_reported_as_cd009(tmp_path: Path) -> None:
    write(tmp_path / "sheet.csv", SHEET.format(note="celldose: ignore[CD301,CD302] typed so"))
    write(
        tmp_path / "clean.yaml",
        "protocol: Knee  # celldose: ignore[CD301] left over\n"
        "administrations:\n"
        "  - {route: intra-articular, dose: 5, days: 1, total: 5}\n",
    )
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["path"], d["code"], d["severity"], d["line"]) for d in found] == [
        ("clean.yaml", "CD009", "warning", 1),
        ("sheet.csv", "CD009", "warning", 3),
    ]
    assert found[0]["message"] == (
        "celldose: ignore[CD301] suppresses nothing: no CD301 finding is reported on this line"
    )
    assert found[1]["message"].startswith("CD302 in celldose: ignore[CD301,CD302] suppresses")
    assert found[0]["url"].endswith("#cd009")
    # CD009 is a rule like any other: configuration selects it, and --strict fails on it.
    assert run_cli("check", ".", "--strict", cwd=tmp_path).returncode == 1
    assert codes(tmp_path, ".", "--ignore", "CD009") == []


def test_suppressions_apply_in_parallel_workers_as_in_one_job(tmp_path: Path) -> None:
    """Each worker applies the suppressions of the files it checks: the report is the same
    with one job and with two, and the Python API applies them when asked."""
    from celldose.api import check_paths
    from celldose.settings import Settings

    suppressed = WRONG.replace(
        "    total: 100,000,000\n", "    total: 100,000,000  # celldose: ignore[CD301]\n"
    )
    for i in range(150):  # enough files for check_paths to start workers
        text = suppressed if i % 3 else WRONG
        write(tmp_path / f"p{i:03d}.yaml", text)
    write(tmp_path / "sheet.csv", SHEET.format(note="celldose: ignore[CD301,CD302] typed so"))
    # In processes of their own: --jobs 2 forks workers from the CLI's process.
    one = run_process("check", ".", "--jobs", "1", "--format", "json", cwd=tmp_path)
    two = run_process("check", ".", "--jobs", "2", "--format", "json", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    found = [(d["path"], d["code"]) for d in json.loads(two.stdout)["diagnostics"]]
    assert found.count(("p000.yaml", "CD301")) == 1 and ("p001.yaml", "CD301") not in found
    assert sum(code == "CD301" for _, code in found) == 50
    assert ("sheet.csv", "CD009") in found and ("sheet.csv", "CD301") not in found
    api = check_paths([tmp_path], jobs=2)
    assert sum(d.code == "CD301" for d in api.diagnostics) == 50
    raw = check_paths([tmp_path], jobs=2, settings=Settings.raw())
    assert sum(d.code == "CD301" for d in raw.diagnostics) == 151


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    write(tmp_path / "protocols" / "knee.yaml", WRONG)
    write(tmp_path / "protocols" / "hip.yaml", WRONG)
    written = run_cli("check", "protocols", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert "recorded 4 findings" in written.stderr
    recorded = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert {(f["code"], f["path"]) for f in recorded["findings"]} == {
        ("CD301", "protocols/knee.yaml"),
        ("CD301", "protocols/hip.yaml"),
        ("CD306", "protocols/knee.yaml"),
        ("CD306", "protocols/hip.yaml"),
    }
    assert all("line" not in f for f in recorded["findings"])
    result = run_cli("check", "protocols", "--baseline", "baseline.json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "Checked 2 files: no problems.\n"

    # An edit that moves lines keeps the old findings suppressed; a new error is reported.
    knee = tmp_path / "protocols" / "knee.yaml"
    knee.write_text("# reviewed\n# twice\n" + WRONG, encoding="utf-8")
    hip = tmp_path / "protocols" / "hip.yaml"
    hip.write_text(WRONG + _ROW, encoding="utf-8")
    result = run_cli(
        "check", "protocols", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path
    )
    assert result.returncode == 1
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["path"], d["code"], d["pointer"]) for d in found] == [
        ("protocols/hip.yaml", "CD301", "/administrations/2/total")
    ]
    # The same baseline from another folder: paths are kept relative to the baseline.
    elsewhere = write(tmp_path / "elsewhere" / ".keep", "")
    moved = run_cli(
        "check", "../protocols/knee.yaml", "--baseline", "../baseline.json", cwd=elsewhere.parent
    )
    assert moved.returncode == 0 and "no problems" in moved.stdout


_ROW = "  - {route: intradiscal, dose: 5, days: 2, total: 5}\n"
"""A row with a wrong total (CD301)."""


def test_baseline_counts_identical_findings(tmp_path: Path) -> None:
    # Unused suppressions have no pointer: two of them in a file are two identical findings.
    clean = "protocol: Knee\nadministrations:\n  - {route: IV, dose: 5, days: 1, total: 5}\n"
    leftover = "# celldose: ignore[CD301]\n"
    write(tmp_path / "x.yaml", leftover * 2 + clean)
    assert codes(tmp_path, "x.yaml") == [("x.yaml", "CD009")] * 2
    assert run_cli("check", "x.yaml", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    assert codes(tmp_path, "x.yaml", "--baseline", "b.json") == []
    write(tmp_path / "x.yaml", leftover * 3 + clean)
    result = run_cli("check", "x.yaml", "--baseline", "b.json", cwd=tmp_path)
    assert result.stdout.startswith("x.yaml:3:1: CD009 warning:"), result.stdout
    assert result.stdout.endswith("Checked 1 file: 1 warning.\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "b.json: no such baseline file"),
        ("{", "b.json: not a baseline (not JSON"),
        ('{"findings": []}', 'b.json: not a baseline: expected an object with "version": 1'),
        ('{"version": 1, "findings": {}}', 'b.json: not a baseline: "findings" is not a list'),
        ('{"version": 1, "findings": [{"code": 1}]}', "b.json: not a baseline: finding 1"),
    ],
)
def test_a_missing_or_corrupt_baseline_is_a_usage_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    write(tmp_path / "wrong.yaml", WRONG)
    if content is not None:
        write(tmp_path / "b.json", content)
    result = run_cli("check", "wrong.yaml", "--baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"celldose: error: {message}"), result.stderr
    both = run_cli(
        "check", "wrong.yaml", "--baseline", "b.json", "--write-baseline", "c.json", cwd=tmp_path
    )
    assert both.returncode == 2


def test_schema_config_prints_a_schema_that_validates_configurations(tmp_path: Path) -> None:
    result = run_cli("schema", "--config", cwd=tmp_path)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    sample = {
        "select": ["CD3", "CD401"],
        "ignore": ["CD306"],
        "severity": {"CD307": "error"},
        "per-file-ignores": {"protocols/legacy/*": ["CD401"]},
        "strict": True,
        "normalize-counts": "grouped",
    }
    validator.validate(sample)
    validator.validate({"normalize-counts": "plain"})
    for bad in (
        {"select": ["CD999"]},
        {"select": "CD301"},
        {"selct": ["CD301"]},
        {"severity": {"CD301": "fatal"}},
        {"strict": 1},
        {"normalize-counts": "commas"},
        {"normalize-counts": True},
    ):
        assert not validator.is_valid(bad), bad
    # The schema and celldose agree: the sample, written as TOML, is accepted.
    write(tmp_path / "wrong.yaml", WRONG)
    write(
        tmp_path / "celldose.toml",
        'select = ["CD3", "CD401"]\nignore = ["CD306"]\nseverity = {CD307 = "error"}\n'
        'strict = true\nnormalize-counts = "grouped"\n'
        '[per-file-ignores]\n"protocols/legacy/*" = ["CD401"]\n',
    )
    assert run_cli("check", "wrong.yaml", cwd=tmp_path).returncode == 1


def test_normalize_counts_follows_each_files_configuration(tmp_path: Path) -> None:
    """The nearest configuration decides a file's spelling; --config decides every file's;
    a bad value is a usage error before anything is written."""
    knee = "protocol: Knee\nadministrations:\n  - {route: IA, dose: 5e7, days: 1, total: 5e7}\n"
    write(tmp_path / "pyproject.toml", '[tool.celldose]\nnormalize-counts = "grouped"\n')
    grouped = write(tmp_path / "a" / "knee.yaml", knee)
    plain = write(tmp_path / "b" / "knee.yaml", knee)
    write(tmp_path / "b" / "celldose.toml", 'normalize-counts = "plain"\n')
    as_written = write(tmp_path / "c" / "knee.yaml", knee)
    write(tmp_path / "c" / "celldose.toml", 'select = ["CD3"]\n')  # no key: counts stay
    result = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert grouped.read_text() == knee.replace("5e7", '"50,000,000"')  # quoted in {...}
    assert plain.read_text() == knee.replace("5e7", "50000000")
    assert as_written.read_text() == knee
    assert result.stderr == "Fixed 0 findings, normalized 4 counts.\n"

    write(tmp_path / "ci.toml", 'normalize-counts = "plain"\n')
    result = run_cli("check", "--fix", "a", "c", "--config", "ci.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert grouped.read_text() == knee.replace("5e7", '"50000000"')  # still quoted, as written
    assert as_written.read_text() == knee.replace("5e7", "50000000")

    write(tmp_path / "c" / "celldose.toml", 'normalize-counts = "grouped "\n')
    result = run_cli("check", "--fix", "c", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        'celldose: error: c/celldose.toml: normalize-counts: expected "grouped" or "plain"'
    )
    assert as_written.read_text() == knee.replace("5e7", "50000000")
