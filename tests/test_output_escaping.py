"""Terminal and CI-log injection: text from the input is shown, never obeyed, on every output.

A file name, a worksheet name, a YAML key, a configuration key or a path on the command line
may hold an escape sequence, a carriage return or a line feed followed by a line that looks
like celldose's own (``Checked 1 file: no problems.``) or like a GitHub workflow command
(``::error file=...::``), U+009B (a one-byte escape), U+202E (reverses what follows), or bytes
that are not UTF-8. Each is written as its backslash escape (``\\x1b``) by one function,
:func:`celldose.escape.shown`; machine formats escape by their own grammar and stay valid.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET
from openpyxl import Workbook

from celldose.cli import main
from celldose.diagnostics import Diagnostic, Report, Severity, Span
from celldose.escape import shown
from celldose.formatters import FORMATTERS, RenderContext

FORGED = "Checked 1 file: no problems."
HOSTILE = (
    "k\x1b[2J\x1b]0;owned\x07\x08\r\n"
    f"{FORGED}\n::error file=x.yaml,line=1::forged\r\n\x9b31m\u202eevil\u2028\udcff"
)
"""Every kind of character a terminal or a log reader obeys, and a name that is not UTF-8."""
WRONG = (
    "protocol: Knee\nadministrations:\n  - {route: intra-articular, dose: 5, days: 2, total: 100}\n"
)
WRONG_BLOCK = (
    "protocol: Knee\nadministrations:\n"
    "  - route: intra-articular\n    dose: 5\n    days: 2\n    total: 100\n"
)
MACHINE = {"json", "jsonl", "sarif", "fhir"}
"""Formats that escape by their own grammar (JSON): they must parse and be valid UTF-8."""


def printable_lines(output: str) -> list[str]:
    """The output's lines, each asserted free of anything a terminal or log would obey."""
    lines = output.split("\n")
    for line in lines:
        assert line.isprintable(), f"unescaped control character in {line!r}"
    return lines


def assert_not_forged(output: str, annotations: int | None = None) -> None:
    lines = printable_lines(output)
    assert FORGED not in lines
    if annotations is not None:  # GitHub: only celldose's own workflow commands start a line
        assert sum(1 for line in lines if line.startswith("::")) == annotations


def hostile_report() -> Report:
    """Two findings with a hostile text in every field a formatter prints."""
    located = Diagnostic(
        path=HOSTILE + ".yaml",
        code="CD301",
        name=HOSTILE,
        severity=Severity.ERROR,
        message=HOSTILE,
        span=Span(3, 5, 3, 9),
        pointer=("administrations", 0, HOSTILE),
        fix=HOSTILE,
        sheet=HOSTILE,
    )
    unlocated = Diagnostic(
        path=HOSTILE + ".csv",
        code="CD307",
        name="unknown-route",
        severity=Severity.WARNING,
        message=HOSTILE,
        pointer=(HOSTILE, 1),
        fix=HOSTILE,
        sheet=HOSTILE,
    )
    return Report.of([located, unlocated], [located.path, unlocated.path])


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_every_formatter_escapes_a_hostile_text_in_every_field(name: str) -> None:
    report = hostile_report()
    output = FORMATTERS[name].render(report, RenderContext())
    output.encode("utf-8")  # no lone surrogate left: the output can be written at all
    if name in MACHINE:
        documents = (
            [json.loads(line) for line in output.splitlines()]
            if name == "jsonl"
            else [json.loads(output)]
        )
        assert documents
        if name in ("json", "jsonl"):  # the path is exact: percent-encoded bytes, as SARIF's
            paths = [d["path"] for d in documents] if name == "jsonl" else documents[0]["files"]
            assert all("%FF" in path and "%1B" in path for path in paths)
        return
    assert_not_forged(output, annotations=2 if name == "github" else None)
    if name == "junit":
        assert SafeET.fromstring(output.encode("utf-8")).tag == "testsuites"
    if name in ("text", "github", "statistics"):
        assert "\\x1b[2J" in output  # shown as its escape, not dropped


def test_shown_uses_the_escapes_of_a_quoted_value() -> None:
    assert shown("a\x1b[2J\nb\u202e\x9b c\t\udcff") == "a\\x1b[2J\\nb\\u202e\\x9b c\\t\\udcff"
    assert shown("C:\\protocols\\knee.yaml") == "C:\\protocols\\knee.yaml"  # backslashes kept
    assert shown("ordinary café, 50 000 cells") == "ordinary café, 50 000 cells"
    assert shown(shown(HOSTILE)) == shown(HOSTILE)  # escaping twice changes nothing


# Through the command line, as a user or a CI job meets it


def hostile_file(folder: Path) -> Path:
    name = "k\x1b[2J\n" + FORGED + "\n::error file=x::forged\r\x9b\u202e.yaml"
    path = folder / name
    path.write_text(WRONG_BLOCK, encoding="utf-8")
    return path


@pytest.mark.parametrize("output", ["text", "github", "junit", "html"])
def test_a_file_name_cannot_forge_a_summary_or_a_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    hostile_file(tmp_path)
    assert main(["check", str(tmp_path), "--format", output]) == 1
    captured = capsys.readouterr()
    assert_not_forged(captured.out, annotations=1 if output == "github" else None)
    assert "\\x1b[2J\\nChecked 1 file" in captured.out
    lines = captured.out.splitlines()
    if output in ("text", "github"):
        assert lines[-1] == "Checked 1 file: 1 error."


def test_statistics_and_diff_name_a_hostile_file_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = hostile_file(tmp_path)
    assert main(["check", str(path), "--statistics"]) == 1
    assert_not_forged(capsys.readouterr().out)
    assert main(["check", str(path), "--diff", "--unsafe-fixes"]) == 1
    captured = capsys.readouterr()
    assert_not_forged(captured.err)
    headers = [line for line in captured.out.splitlines() if line.startswith(("---", "+++"))]
    assert len(headers) == 2 and all("\\x1b[2J\\n" in line for line in headers)


def test_a_name_that_is_not_utf8_keeps_json_and_jsonl_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / os.fsdecode(b"caf\xe9.yaml")).write_text(WRONG, encoding="utf-8")
    for output in ("json", "jsonl", "sarif"):
        assert main(["check", str(tmp_path), "--format", output]) == 1
        out = capsys.readouterr().out
        out.encode("utf-8")  # strict: a lone surrogate would fail here
        text = json.dumps(json.loads(out.splitlines()[0] if output == "jsonl" else out))
        assert "caf%E9.yaml" in text and "\\udce9" not in text
    assert main(["check", str(tmp_path)]) == 1
    assert "caf\\udce9.yaml:3:55: CD301 error" in capsys.readouterr().out


def test_worksheet_names_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title in ("Knee", "Hip"):
        sheet = book.create_sheet(title)
        sheet.append(["Route", "Dose", "Days", "Total"])
        sheet.append(["Intra-articular", 5, 2, 100])
    path = tmp_path / "book.xlsx"
    book.save(path)
    # A worksheet name may hold any character XML can: CR, LF, U+009B, a workflow command.
    from test_xlsx_reader import rewrite_part

    hostile = "Hip&#13;&#10;::error file=x::forged&#10;" + FORGED + "&#x9b;&#x202e;"
    rewrite_part(
        path, "xl/workbook.xml", lambda xml: xml.replace('name="Hip"', f'name="{hostile}"')
    )
    for output in ("text", "github", "junit", "html", "statistics"):
        args = ["--statistics"] if output == "statistics" else ["--format", output]
        assert main(["check", str(path), *args]) == 1
        assert_not_forged(capsys.readouterr().out, annotations=2 if output == "github" else None)
    assert main(["check", str(path), "--format", "json"]) == 1
    sheets = {d["sheet"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert "Hip\r\n::error file=x::forged\n" + FORGED + "\x9b\u202e" in sheets  # exact in JSON


def test_show_prints_a_protocol_shown_never_obeyed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "k\x1b[31m.yaml"
    path.write_text(
        'protocol: "Knee\\e]0;title\\a\\b\\r\\u202e"\nadministrations:\n'
        '  - {route: "intra\\e[2J\\u009b", dose: 5, days: 2, total: 10}\n',
        encoding="utf-8",
    )
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    printable_lines(out)
    assert out.startswith("Knee\\x1b]0;title\\x07\\x08\\r\\u202e (")
    assert "k\\x1b[31m.yaml)" in out.splitlines()[0]
    assert "intra\\x1b[2J\\x9b" in out


def test_errors_on_standard_error_escape_what_they_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / ("gone\x1b[2J\n::error file=x::forged\n" + FORGED))
    assert main(["check", missing]) == 2
    err = capsys.readouterr().err
    assert_not_forged(err)
    assert err.startswith("celldose: error: no such file or directory: ")
    # A configuration key from pyproject.toml is quoted in its error, escaped.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.celldose]\n"x\\u001b[2J\\n::error::forged\\n' + FORGED + '" = 1\n',
        encoding="utf-8",
    )
    (tmp_path / "k.yaml").write_text(WRONG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "k.yaml"]) == 2
    err = capsys.readouterr().err
    assert_not_forged(err)
    assert "x\\x1b[2J\\n::error::forged" in err and "unknown key" in err
    # argparse quotes an unknown option as given: escaped too.
    with pytest.raises(SystemExit):
        main(["check", "k.yaml", "--\x1b[2J\n::error::forged"])
    err = capsys.readouterr().err
    assert_not_forged(err)
    assert "unrecognized arguments: --\\x1b[2J\\n::error::forged" in err
