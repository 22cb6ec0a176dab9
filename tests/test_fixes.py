"""celldose check --fix / --unsafe-fixes / --diff: safe and unsafe fixes of YAML totals."""

from __future__ import annotations

import codecs
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celldose.api import check_bytes, check_text
from celldose.fixes import fix_bytes
from celldose.fixes.spelling import normalized, read
from conftest import run_cli, run_cli_bytes, run_process

MISSING = (
    "protocol: Knee  # the knee\n"
    "administrations:\n"
    "  # the injection\n"
    "  - route: intra-articular\n"
    "    dose: 50,000,000   # per injection\n"
    "    days: 2\n"
    "\n"
    "  - route: Myers cocktail/NAD\n"
    "    days: 1\n"
    "    total: N/A\n"
)
MISSING_FIXED = MISSING.replace("    days: 2\n", "    days: 2\n    total: 100,000,000\n", 1)
WRONG = (
    "protocol: Knee\n"
    "administrations:\n"
    "  - route: intra-articular\n"
    "    dose: 50,000,000\n"
    "    days: 2\n"
    "    total: '50,000,000'  # copied\n"
)
WRONG_FIXED = WRONG.replace("'50,000,000'", "'100,000,000'")


def _write(tmp_path: Path, name: str, text: str, *, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def test_fix_fills_a_missing_total_keeping_comments(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING)
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert path.read_bytes() == MISSING_FIXED.encode()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CD303" not in result.stdout  # the report is the re-check of the fixed file
    assert "Fixed 1 finding." in result.stderr


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING, newline="\r\n")
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == MISSING_FIXED.replace("\n", "\r\n").encode()


def test_unsafe_fix_needs_unsafe_fixes(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", WRONG)
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == WRONG.encode()
    assert "CD301" in result.stdout
    assert "Fixed 0 findings. 1 more with --unsafe-fixes." in result.stderr

    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == WRONG_FIXED.encode()
    assert "Fixed 1 finding (1 unsafe)." in result.stderr


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    missing = _write(tmp_path, "a.yaml", MISSING)
    wrong = _write(tmp_path, "b.yaml", WRONG)
    result = run_cli("check", "--diff", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "--- a/a.yaml\n+++ b/a.yaml\n@@ -4,6 +4,7 @@\n"
        "   - route: intra-articular\n"
        "     dose: 50,000,000   # per injection\n"
        "     days: 2\n"
        "+    total: 100,000,000\n"
        " \n"
        "   - route: Myers cocktail/NAD\n"
        "     days: 1\n"
    )
    result = run_cli("check", "--diff", "--unsafe-fixes", "b.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    total: '50,000,000'  # copied\n+    total: '100,000,000'  # copied\n" in (
        result.stdout
    )
    assert missing.read_bytes() == MISSING.encode()
    assert wrong.read_bytes() == WRONG.encode()
    result = run_cli("check", "--diff", "b.yaml", cwd=tmp_path)  # only an unsafe fix
    assert (result.returncode, result.stdout) == (0, "")


def test_diff_of_standard_input_and_fix_refused(tmp_path: Path) -> None:
    result = run_cli("check", "-", "--diff", "--stdin-filename", "k.yaml", stdin=MISSING)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/k.yaml\n+++ b/k.yaml\n")
    assert "+    total: 100,000,000\n" in result.stdout
    result = run_cli("check", "-", "--fix", stdin=MISSING, cwd=tmp_path)
    assert result.returncode == 2
    assert "--fix" in result.stderr


def test_unparseable_file_is_never_written(tmp_path: Path) -> None:
    text = MISSING + "    days: 3\n"  # a duplicate key (CD0xx): a value is lost
    path = _write(tmp_path, "knee.yaml", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == text.encode()
    broken = _write(tmp_path, "broken.yaml", MISSING + "  - [unclosed\n")
    run_cli("check", "--fix", "broken.yaml", cwd=tmp_path)
    assert broken.read_bytes() == (MISSING + "  - [unclosed\n").encode()


def test_fix_keeps_the_file_mode(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING)
    path.chmod(0o640)
    run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert path.read_bytes() == MISSING_FIXED.encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_flow_style_row_is_left_alone(tmp_path: Path) -> None:
    text = (
        "protocol: Knee\nadministrations:\n"
        '  - {route: intra-articular, dose: "50,000,000", days: 2}\n'
        '  - {route: IV, dose: "50,000,000", days: 2, total: "50,000,000"}\n'
    )
    path = _write(tmp_path, "knee.yaml", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == text.encode()
    assert "CD303" in result.stdout
    assert "CD301" in result.stdout


def test_bom_is_kept_and_utf16_is_not_fixed(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(codecs.BOM_UTF8 + MISSING.encode())
    assert run_cli("check", "--fix", "bom.yaml", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == codecs.BOM_UTF8 + MISSING_FIXED.encode()
    wide = tmp_path / "wide.yaml"
    wide.write_bytes(MISSING.encode("utf-16"))
    assert run_cli("check", "--fix", "wide.yaml", cwd=tmp_path).returncode == 1
    assert wide.read_bytes() == MISSING.encode("utf-16")


# Sheets: CSV and Markdown are fixed cell by cell; workbooks are never rewritten.

SHEET = (
    "Protocol,Knee\n"
    "Route of Administration,Dose,Time (Days),Total Cells,Notes\n"
    'Intradiscal,"50,000,000",2,,"left, then right"\n'
    'Intra-articular,"50,000,000",3,"50,000,000",copied\n'
)
SHEET_SAFE = SHEET.replace(',2,,"left', ',2,"100,000,000","left')
SHEET_UNSAFE = SHEET_SAFE.replace(',3,"50,000,000",', ',3,"150,000,000",')


def test_csv_fix_fills_the_empty_total_cell_then_corrects_with_unsafe_fixes(
    tmp_path: Path,
) -> None:
    # CRLF and a BOM: both stay; the filled cell is quoted, as its commas are the delimiter.
    raw = codecs.BOM_UTF8 + SHEET.replace("\n", "\r\n").encode()
    path = tmp_path / "knee.csv"
    path.write_bytes(raw)
    result = run_cli("check", "--fix", "knee.csv", cwd=tmp_path)
    assert path.read_bytes() == codecs.BOM_UTF8 + SHEET_SAFE.replace("\n", "\r\n").encode()
    assert result.returncode == 1  # the wrong total is left for --unsafe-fixes
    assert "CD303" not in result.stdout and "CD301" in result.stdout
    assert result.stderr == "Fixed 1 finding. 1 more with --unsafe-fixes.\n"
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == codecs.BOM_UTF8 + SHEET_UNSAFE.replace("\n", "\r\n").encode()
    assert result.stdout == "Checked 1 file: no problems.\n"
    assert result.stderr == "Fixed 1 finding (1 unsafe).\n"


def test_semicolon_csv_is_written_in_its_columns_decimal_comma_style(tmp_path: Path) -> None:
    text = (
        "Route;Dose;Days;Total\n"
        "IA;50.000.000;2;\n"  # a point groups thousands here: the filled total too
        'IV;"2,5 Mio";4;"10.000.000"\n'  # a quoted cell stays quoted
    )
    path = _write(tmp_path, "knee.csv", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == (
        b'Route;Dose;Days;Total\nIA;50.000.000;2;100.000.000\nIV;"2,5 Mio";4;"10.000.000"\n'
    )
    assert "Fixed 1 finding." in result.stderr  # 2.5 million x 4 is 10,000,000: right


def test_csv_plain_column_gets_digits_and_a_header_unit_is_kept(tmp_path: Path) -> None:
    plain = _write(tmp_path, "plain.csv", "Route,Dose,Days,Total\nIA,5e7,2,\nIV,5e7,1,40000000\n")
    unit = _write(
        tmp_path,
        "unit.csv",
        "Route,Dose (million cells),Days,Total (million cells)\nIA,50,2,\nIV,2.5,1,\n",
    )
    result = run_cli("check", "--fix", "--unsafe-fixes", "plain.csv", "unit.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert plain.read_text() == "Route,Dose,Days,Total\nIA,5e7,2,100000000\nIV,5e7,1,50000000\n"
    # Bare numbers count millions under this header; 2,500,000 is not a whole number of them,
    # so that value names its own unit.
    assert unit.read_text() == (
        "Route,Dose (million cells),Days,Total (million cells)\nIA,50,2,100\n"
        "IV,2.5,1,2500000 cells\n"
    )


MARKDOWN = (
    "# Knee\n\n"
    "| Route | Dose       | Days | Total        |\n"
    "|-------|------------|------|--------------|\n"
    "| IA    | 50,000,000 | 2    |              |\n"
    "| IV    | 50,000,000 | 3    | 50,000,000   |\n"
    "\n## Hip\n\n"
    "| Route | Dose | Days | Total |\n"
    "|---|---|---|---|\n"
    "| IA | 5e7 | 3 ||\n"
)


def test_markdown_fix_writes_between_the_pipes_keeping_the_padding(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.md", MARKDOWN, newline="\r\n")
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.md", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = (
        MARKDOWN.replace("| 2    |              |", "| 2    | 100,000,000  |")
        .replace("| 50,000,000   |", "| 150,000,000  |")
        .replace("| 3 ||", "| 3 | 150000000 |")  # the second table's own style: digits
    )
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode()
    assert result.stderr == "Fixed 3 findings (1 unsafe).\n"


def test_diff_of_sheets_writes_nothing(tmp_path: Path) -> None:
    csv_path = _write(tmp_path, "knee.csv", SHEET)
    md_path = _write(tmp_path, "knee.md", MARKDOWN)
    result = run_cli("check", "--diff", "knee.csv", "knee.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "--- a/knee.csv\n+++ b/knee.csv\n@@ -1,4 +1,4 @@\n"
        " Protocol,Knee\n"
        " Route of Administration,Dose,Time (Days),Total Cells,Notes\n"
        '-Intradiscal,"50,000,000",2,,"left, then right"\n'
        '+Intradiscal,"50,000,000",2,"100,000,000","left, then right"\n'
        ' Intra-articular,"50,000,000",3,"50,000,000",copied\n'
        "--- a/knee.md\n+++ b/knee.md\n"
    )
    assert "-| IA    | 50,000,000 | 2    |              |\n" in result.stdout
    assert "+| IA    | 50,000,000 | 2    | 100,000,000  |\n" in result.stdout
    assert "+| IA | 5e7 | 3 | 150000000 |\n" in result.stdout
    assert result.stderr == "Would fix 3 findings. 2 more with --unsafe-fixes.\n"
    assert csv_path.read_text() == SHEET
    assert md_path.read_text() == MARKDOWN
    stdin = run_cli("check", "-", "--diff", "--stdin-filename", "k.csv", stdin=SHEET)
    assert stdin.returncode == 1
    assert stdin.stdout.startswith("--- a/k.csv\n+++ b/k.csv\n")
    assert '+Intradiscal,"50,000,000",2,"100,000,000","left, then right"\n' in stdin.stdout


def test_sheet_without_a_total_column_is_skipped_and_the_summary_says_so(tmp_path: Path) -> None:
    text = 'Route,Dose,Days\nIA,"50,000,000",2\nIV,"50,000,000",1\n'
    path = _write(tmp_path, "knee.csv", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "CD102" in result.stdout
    assert path.read_bytes() == text.encode()
    assert result.stderr == (
        "Fixed 0 findings.\n"
        "Skipped knee.csv: no Total column for the totals of 2 rows; a fix does not add a "
        "column.\n"
    )


def test_workbook_is_never_rewritten(tmp_path: Path) -> None:
    _write(tmp_path, "knee.csv", SHEET)
    converted = run_cli("convert", "knee.csv", "knee.xlsx", cwd=tmp_path)
    assert converted.returncode == 0, converted.stderr
    book = tmp_path / "knee.xlsx"
    before = book.read_bytes()
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    assert "CD303" in result.stdout and "CD301" in result.stdout
    assert book.read_bytes() == before
    assert result.stderr == (
        "Fixed 0 findings.\n"
        "Skipped knee.xlsx: fixes apply to YAML, CSV and Markdown; workbooks are not rewritten.\n"
    )
    diff = run_cli("check", "--diff", "knee.xlsx", cwd=tmp_path)
    assert (diff.returncode, diff.stdout) == (0, "")
    assert book.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('Route,Dose,Days,Total,Total\nIA,"50,000,000",2,,\n', "CD005"),  # a second column
        ('Route,Dose,Days,Total\nIA,"50,000,000",2,\nIV,"5,1,\n', "CD007"),  # an open quote
    ],
)
def test_sheet_with_a_reading_problem_is_never_written(
    tmp_path: Path, text: str, code: str
) -> None:
    path = _write(tmp_path, "knee.csv", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert code in result.stdout and "CD303" in result.stdout
    assert path.read_bytes() == text.encode()
    assert f"Skipped knee.csv: a reading problem ({code}); a file is edited only" in result.stderr


def test_marked_and_multiline_total_cells_are_left_alone(tmp_path: Path) -> None:
    # '+50000000 is the spreadsheet's text mark; "50,000,000<LF>" spans two lines.
    text = (
        'Route,Dose,Days,Total\nIA,"50,000,000",2,\'+50000000\nIV,"50,000,000",2,"50,000,000\n"\n'
    )
    path = _write(tmp_path, "knee.csv", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.count("CD301") == 2
    assert path.read_bytes() == text.encode()


# The property: generated files, fixed in process, equal the original with the expected edit.

_COMMENT = st.sampled_from(["", "  # note", "   # dose x days?", " #"])
_DOSES = st.sampled_from([1_000_000, 25_000_000, 50_000_000, 120_000_000])


@st.composite
def _protocol(draw: st.DrawFn) -> tuple[str, str, str]:
    """(original, after --fix, after --fix --unsafe-fixes), each expected edit computed here."""
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    width = draw(st.sampled_from([2, 4]))
    pad = " " * width
    key = pad + "  "  # the keys of a row sit after "- "
    original: list[str] = [f"protocol: Knee{draw(_COMMENT)}", "administrations:"]
    safe, unsafe = list(original), list(original)
    for _ in range(draw(st.integers(1, 4))):
        dose, days = draw(_DOSES), draw(st.integers(1, 5))
        quote = draw(st.sampled_from(["", "'", '"']))
        grouped = draw(st.booleans())
        spell = f"{dose:,}" if grouped else str(dose)
        lines = [f"{pad}- route: intra-articular{draw(_COMMENT)}"]
        lines.append(f"{key}dose: {quote}{spell}{quote}{draw(_COMMENT)}")
        if draw(st.booleans()):
            lines.append(f"{pad}{draw(_COMMENT).strip() or '#'} a comment line")
        lines.append(f"{key}days: {days}{draw(_COMMENT)}")
        kind = draw(st.sampled_from(["missing", "right", "wrong"]))
        right, good = list(lines), list(lines)
        if kind == "missing":
            good = right = [*lines, f"{key}total: {dose * days:,}"]
        else:
            written = dose * days if kind == "right" else dose * (days + 1)
            tq = draw(st.sampled_from(["", "'", '"']))
            comment = draw(_COMMENT)
            text = f"{written:,}" if grouped else str(written)
            lines.append(f"{key}total: {tq}{text}{tq}{comment}")
            right = list(lines)
            fixed = f"{dose * days:,}" if grouped else str(dose * days)
            good = [*lines[:-1], f"{key}total: {tq}{fixed}{tq}{comment}"]
        blank = [""] if draw(st.booleans()) else []
        original += [*lines, *blank]
        safe += [*right, *blank]
        unsafe += [*good, *blank]
    return tuple(eol.join(part) + eol for part in (original, safe, unsafe))  # type: ignore[return-value]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_protocol())
def test_fix_changes_only_the_expected_characters(case: tuple[str, str, str]) -> None:
    original, expected_safe, expected_unsafe = case
    report = check_text(original, "p.yaml")
    for unsafe, expected in ((False, expected_safe), (True, expected_unsafe)):
        fix = fix_bytes(original.encode(), report.diagnostics, "p.yaml", unsafe=unsafe)
        assert (fix.after if fix is not None else original) == expected
    after = check_text(expected_unsafe, "p.yaml")
    assert not [d for d in after.diagnostics if d.code in ("CD301", "CD303")]
    safe_after = check_text(expected_safe, "p.yaml")
    assert not [d for d in safe_after.diagnostics if d.code == "CD303"]


def test_fix_property_example_through_the_cli(tmp_path: Path) -> None:
    original = (
        "protocol: Knee  # note\r\nadministrations:\r\n"
        "    - route: intra-articular\r\n"
        '      dose: "25000000"  # note\r\n'
        "      # a comment line\r\n"
        "      days: 3\r\n\r\n"
        "    - route: intra-articular\r\n"
        "      dose: 1000000\r\n"
        "      days: 2\r\n"
        "      total: 3000000 #\r\n"
    )
    path = _write(tmp_path, "p.yaml", original, newline="\n")
    result = run_cli("check", "--fix", "--unsafe-fixes", "p.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = original.replace("days: 3\r\n", "days: 3\r\n      total: 75,000,000\r\n")
    expected = expected.replace("total: 3000000 #", "total: 2000000 #")
    assert path.read_bytes() == expected.encode()
    assert "Fixed 2 findings (1 unsafe)." in result.stderr


# normalize-counts: respelling counts is opt-in, and only ever to the same amount and unit.

SPELLINGS = (
    "protocol: Knee\n"
    "total_cells: 5 x 10^7\n"
    "administrations:\n"
    "  - route: intra-articular\n"
    "    dose: 5e7   # per injection\n"
    "    days: 1\n"
    '    total: "50M cells"\n'
    "  - {route: IV, dose: 1 million cells/kg, days: 2, total: '2 million cells/kg'}\n"
    "  - route: Myers cocktail/NAD\n"
    "    dose: 500 mg\n"
    "    days: 1\n"
    "    total: N/A\n"
)
"""Counts in four spellings, a per-kg row in flow style, and an adjunct's own amount."""
SPELLINGS_GROUPED = (
    SPELLINGS.replace("5 x 10^7", "50,000,000")
    .replace("dose: 5e7 ", "dose: 50,000,000 ")
    .replace('"50M cells"', '"50,000,000"')
    # in {...} a plain comma would end the value: the grouped count is quoted
    .replace("dose: 1 million cells/kg,", 'dose: "1,000,000 cells/kg",')
    .replace("'2 million cells/kg'", "'2,000,000 cells/kg'")
)
SPELLINGS_PLAIN = (
    SPELLINGS.replace("5 x 10^7", "50000000")
    .replace("dose: 5e7 ", "dose: 50000000 ")
    .replace('"50M cells"', '"50000000"')
    .replace("dose: 1 million cells/kg,", "dose: 1000000 cells/kg,")
    .replace("'2 million cells/kg'", "'2000000 cells/kg'")
)


def test_normalize_counts_is_opt_in(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", SPELLINGS)
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert path.read_bytes() == SPELLINGS.encode()  # no configuration: nothing is respelled
    assert result.stderr == "Fixed 0 findings.\n"
    assert run_cli("check", "--diff", "knee.yaml", cwd=tmp_path).stdout == ""
    (tmp_path / "pyproject.toml").write_text('[tool.celldose]\nselect = ["CD3"]\n')
    run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert path.read_bytes() == SPELLINGS.encode()  # a configuration without the key: same


@pytest.mark.parametrize(
    ("spelling", "expected"), [("grouped", SPELLINGS_GROUPED), ("plain", SPELLINGS_PLAIN)]
)
def test_normalize_counts_respells_yaml_counts(
    tmp_path: Path, spelling: str, expected: str
) -> None:
    path = _write(tmp_path, "knee.yaml", SPELLINGS)
    (tmp_path / "pyproject.toml").write_text(f'[tool.celldose]\nnormalize-counts = "{spelling}"\n')
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == expected.encode()
    assert result.stderr == "Fixed 0 findings, normalized 5 counts.\n"
    assert result.stdout == "Checked 1 file: no problems.\n"  # the same amounts, read back
    again = run_cli("check", "--diff", "knee.yaml", cwd=tmp_path)  # nothing left to respell
    assert (again.returncode, again.stdout) == (0, "")


def test_normalize_counts_spells_the_fixed_totals_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING.replace("50,000,000 ", "50 million "))
    (tmp_path / "celldose.toml").write_text('normalize-counts = "plain"\n')
    result = run_cli("check", "--diff", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    dose: 50 million   # per injection\n" in result.stdout
    assert "+    dose: 50000000   # per injection\n" in result.stdout
    assert "+    total: 100000000\n" in result.stdout
    assert result.stderr == "Would fix 1 finding, normalize 1 count.\n"
    assert path.read_text() == MISSING.replace("50,000,000 ", "50 million ")


def test_normalize_counts_respells_sheet_cells(tmp_path: Path) -> None:
    (tmp_path / "celldose.toml").write_text('normalize-counts = "grouped"\n')
    comma = _write(tmp_path, "comma.csv", "Route,Dose,Days,Total\r\nIA,5e7,2,1e8\r\n")
    semicolon = _write(tmp_path, "semicolon.csv", "Route;Dose;Days;Total\nIA;50 Mio;2;1e8\n")
    table = "| Route | Dose | Days | Total       |\n|-|-|-|-|\n"
    markdown = _write(tmp_path, "knee.md", table + "| IA | 5e7 | 2 | 1e8 |\n")
    unit = _write(tmp_path, "unit.csv", "Route,Dose (million cells),Days,Total\nIA,50,2,1e8\n")
    result = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # A comma-delimited file quotes the commas; a semicolon one groups with a point, as its
    # decimal mark is a comma; a Markdown cell keeps its padding.
    assert comma.read_bytes() == b'Route,Dose,Days,Total\r\nIA,"50,000,000",2,"100,000,000"\r\n'
    assert semicolon.read_text() == "Route;Dose;Days;Total\nIA;50.000.000;2;100.000.000\n"
    assert markdown.read_text() == table + "| IA | 50,000,000 | 2 | 100,000,000 |\n"
    # Under Dose (million cells) a bare 50 counts millions: that column is not respelled.
    assert unit.read_text() == 'Route,Dose (million cells),Days,Total\nIA,50,2,"100,000,000"\n'
    assert result.stderr == "Fixed 0 findings, normalized 7 counts.\n"


def test_a_sheet_fix_writes_with_the_delimiter_the_reader_chose() -> None:
    """The writer is told the delimiter the CSV reader chose: a tab-delimited file's comma
    needs no quotes, and a record of one field (a row with only its dose) is respelled too."""
    raw = b"Dose\tRoute\tDays\tTotal\n5e7\n5e7\tintra-articular\t1\t5e7\n"
    report = check_bytes(raw, "knee.csv")
    fixed = fix_bytes(raw, report.diagnostics, "knee.csv", unsafe=False, normalize="grouped")
    assert fixed is not None and fixed.skipped == ()
    assert fixed.after == (
        "Dose\tRoute\tDays\tTotal\n50,000,000\n50,000,000\tintra-articular\t1\t50,000,000\n"
    )


@pytest.mark.parametrize(
    ("written", "grouped", "plain"),
    [
        ("5e7", "50,000,000", "50000000"),
        ("50 million", "50,000,000", "50000000"),
        ("5 x 10^7", "50,000,000", "50000000"),
        ("50M cells", "50,000,000", "50000000"),
        ("50,000,000 cells", "50,000,000", "50000000"),
        ("1 million cells/kg", "1,000,000 cells/kg", "1000000 cells/kg"),
        ("2.5e6 cells per kg", "2,500,000 cells/kg", "2500000 cells/kg"),
        ("50,000,000", None, "50000000"),  # already grouped
        ("999", None, None),  # nothing to group, nothing to drop
        ("500 mg", None, None),  # an adjunct's own amount: not a cell count
        ("25 million cells/mL", None, None),  # a concentration
        ("1.5 cells", None, None),  # not a whole number of cells
        ("50.000", None, None),  # ambiguous: not read, so not respelled
        ("N/A", None, None),
    ],
)
def test_normalized_spellings_read_back_as_the_same_amount(
    written: str, grouped: str | None, plain: str | None
) -> None:
    amount = read(written)
    assert normalized(amount, written, "grouped") == grouped
    assert normalized(amount, written, "plain") == plain


# The sheet property: generated CSV files, fixed in process, equal the original with only the
# expected cells rewritten, and check again without the fixed findings.

_NOTES = st.sampled_from(["", "note", "a, b; c", "'=1+1"])


@st.composite
def _sheet(draw: st.DrawFn) -> tuple[bytes, bytes, bytes]:
    """(original, after --fix, after --fix --unsafe-fixes) as bytes, each edit computed here:
    a comma or semicolon delimiter, LF or CRLF, a BOM or none, digits or grouped counts (a
    comma groups under a comma delimiter, quoted; a point under a semicolon), quoted or bare
    cells, and a Notes column after the total or none."""
    delimiter = draw(st.sampled_from([",", ";"]))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    grouped = draw(st.booleans())
    with_notes = draw(st.booleans())

    def count(n: int) -> str:
        return f"{n:,}".replace(",", "," if delimiter == "," else ".") if grouped else str(n)

    def cell(text: str, quoted: bool) -> str:
        return f'"{text}"' if quoted or delimiter in text or ";" in text else text

    rows = draw(
        st.lists(
            st.tuples(_DOSES, st.integers(1, 5), st.sampled_from(["missing", "right", "wrong"])),
            min_size=1,
            max_size=5,
        )
    )
    # A filled total copies the style of the column's first written total (digits if none).
    styled = any(kind != "missing" for _, _, kind in rows)
    header = ["Route", "Dose", "Days", "Total", *(["Notes"] if with_notes else [])]
    original, safe, unsafe = [delimiter.join(header)], [delimiter.join(header)], []
    unsafe.append(original[0])
    for dose, days, kind in rows:
        quoted = draw(st.booleans())
        left = ["intra-articular", cell(count(dose), draw(st.booleans())), str(days)]
        right = [cell(draw(_NOTES), False)] if with_notes else []
        expected = dose * days
        if kind == "missing":
            written = '""' if quoted else ""
            fill = count(expected) if styled else str(expected)
            filled = cell(fill, quoted)
            safe_cell = unsafe_cell = filled
        else:
            total = expected if kind == "right" else dose * (days + 1)
            written = cell(count(total), quoted)
            safe_cell = written
            unsafe_cell = cell(count(expected), quoted)
        original.append(delimiter.join([*left, written, *right]))
        safe.append(delimiter.join([*left, safe_cell, *right]))
        unsafe.append(delimiter.join([*left, unsafe_cell, *right]))
    return tuple(bom + (eol.join(lines) + eol).encode() for lines in (original, safe, unsafe))  # type: ignore[return-value]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheet())
def test_sheet_fix_changes_only_the_expected_cells(case: tuple[bytes, bytes, bytes]) -> None:
    original, expected_safe, expected_unsafe = case
    report = check_bytes(original, "p.csv")
    for unsafe, expected in ((False, expected_safe), (True, expected_unsafe)):
        fixed = fix_bytes(original, report.diagnostics, "p.csv", unsafe=unsafe)
        assert (fixed.content if fixed is not None else original) == expected
    assert [d.code for d in check_bytes(expected_unsafe, "p.csv").diagnostics] == []
    wrong = [d.code for d in report.diagnostics if d.code == "CD301"]
    assert [d.code for d in check_bytes(expected_safe, "p.csv").diagnostics] == wrong


# Hostile input: each case below once changed a byte it should not have, wrote a file it should
# not have, hung, or raised a traceback.


def test_a_count_past_the_digit_limit_is_left_without_a_traceback(tmp_path: Path) -> None:
    # dose 1e30 x 2 days has 31 digits: more than the grammar reads, so no total is written.
    yaml = _write(tmp_path, "knee.yaml", "protocol: Knee\nadministrations:\n")
    yaml.write_text(yaml.read_text() + "  - route: IA\n    dose: 1e30\n    days: 2\n")
    sheet = _write(tmp_path, "knee.csv", "Route,Dose,Days,Total\nIA,1e30,2,\nIV,1e30,2,1\n")
    before = yaml.read_bytes(), sheet.read_bytes()
    (tmp_path / "celldose.toml").write_text('normalize-counts = "plain"\n')
    result = run_cli("check", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert (yaml.read_bytes(), sheet.read_bytes()) == before
    assert result.stdout.count("CD303") == 2 and "CD301" in result.stdout


def test_fix_writes_through_a_symlink(tmp_path: Path) -> None:
    real = _write(tmp_path, "knee.csv", "Route,Dose,Days,Total\nIA,50000000,2,\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    result = run_cli("check", "--fix", "link.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert link.is_symlink()  # still a link, to the file that was fixed
    assert real.read_text() == "Route,Dose,Days,Total\nIA,50000000,2,100000000\n"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away"
)
def test_fix_keeps_the_owner_and_group_of_the_file(tmp_path: Path) -> None:
    """Root fixing a user's file (a CI job in a container) must not leave it owned by root."""
    path = _write(tmp_path, "knee.csv", "Route,Dose,Days,Total\nIA,50000000,2,\n")
    os.chown(path, 65534, 65534)
    result = run_cli("check", "--fix", "knee.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_text() == "Route,Dose,Days,Total\nIA,50000000,2,100000000\n"
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can plant a user's link"
)
def test_fix_refuses_a_symlink_another_user_planted_in_a_shared_folder(tmp_path: Path) -> None:
    """In a sticky world-writable folder (/tmp), root must not write through a link another
    user made: it could name any file (Linux's fs.protected_symlinks refuses the same)."""
    victim = tmp_path / "victim.csv"
    victim.write_text("Route,Dose,Days,Total\nIA,50000000,2,\n")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    link = shared / "knee.csv"
    link.symlink_to(victim)
    os.lchown(link, 65534, 65534)
    before = victim.read_bytes()
    result = run_cli("check", "--fix", str(link))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not writing through a symlink another user owns in a shared folder" in result.stderr
    assert victim.read_bytes() == before
    assert link.is_symlink()


def test_fix_refuses_a_read_only_file(tmp_path: Path) -> None:
    text = "Route,Dose,Days,Total\nIA,50000000,2,\n"
    path = _write(tmp_path, "knee.csv", text)
    path.chmod(0o444)
    result = run_cli("check", "--fix", "knee.csv", cwd=tmp_path)
    assert result.returncode == 2  # a fix asked for and not written fails the run
    assert "Traceback" not in result.stderr
    assert "celldose: error: cannot write knee.csv: the file is read-only\n" in result.stderr
    assert path.read_text() == text
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    # Also when the only edit is a respelling, which leaves no finding behind to fail the run.
    path.chmod(0o644)
    path.write_text("Route,Dose,Days,Total\nIA,5e7,2,100000000\n")
    path.chmod(0o444)
    (tmp_path / "celldose.toml").write_text('normalize-counts = "plain"\n')
    respelled = run_cli("check", "--fix", "knee.csv", cwd=tmp_path)
    assert respelled.returncode == 2, respelled.stderr
    assert "cannot write knee.csv" in respelled.stderr


@pytest.mark.parametrize("select", [(), ("--select", "CD3")])
def test_a_file_too_large_to_check_is_never_written(
    tmp_path: Path, select: tuple[str, ...]
) -> None:
    # The check refuses a file over 10 MiB (CD004); the fix must not read what it refused,
    # even when --select leaves the CD004 finding out of the report.
    row = "IA,5e7,2,1e8," + "x" * 200 + "\n"
    text = "Route,Dose,Days,Total,Notes\n" + row * (11 * 1024 * 1024 // len(row))
    path = _write(tmp_path, "knee.csv", text)
    (tmp_path / "celldose.toml").write_text('normalize-counts = "grouped"\n')
    result = run_cli("check", "--fix", *select, "knee.csv", cwd=tmp_path)
    assert path.read_text() == text
    assert "normalized" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_fix_does_not_read_a_named_pipe(tmp_path: Path) -> None:
    # Reading a FIFO blocks until someone writes to it: the check says "not a regular file".
    os.mkfifo(tmp_path / "knee.csv")
    (tmp_path / "celldose.toml").write_text('normalize-counts = "grouped"\n')
    # A process of its own, whose timeout ends the test if a read hangs here.
    result = run_process("check", "--fix", "knee.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "CD001" in result.stdout
    assert "normalized" not in result.stderr and "Fixed 0 findings" in result.stderr


def test_csv_total_in_the_first_column_is_fixed(tmp_path: Path) -> None:
    # The first field of a record has no delimiter before it: the one after it says which.
    text = 'Total;Route;Dose;Days\r\n;IA;"2,5 Mio";2\r\n1;IV;2,5 Mio;2\r\n"";IV;2,5 Mio;1\r\n'
    path = _write(tmp_path, "knee.csv", text, newline="\n")
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == (
        b'Total;Route;Dose;Days\r\n5000000;IA;"2,5 Mio";2\r\n5000000;IV;2,5 Mio;2\r\n'
        b'"2500000";IV;2,5 Mio;1\r\n'
    )
    assert result.stderr == "Fixed 3 findings (1 unsafe).\n"


def test_yaml_anchor_on_a_value_is_kept(tmp_path: Path) -> None:
    # An anchor is not part of the scalar: the fix writes inside the quotes after it.
    text = (
        "protocol: Knee\nadministrations:\n"
        "  - route: IA\n    dose: &d 5e7\n    days: 2\n    total: &t '1'  # copied\n"
    )
    path = _write(tmp_path, "knee.yaml", text)
    (tmp_path / "celldose.toml").write_text('normalize-counts = "grouped"\n')
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_text() == text.replace("&d 5e7", "&d 50,000,000").replace(
        "&t '1'", "&t '100,000,000'"
    )


def test_a_fix_left_out_is_named_with_its_line_and_reason(tmp_path: Path) -> None:
    """Each finding whose fix promises a total that --fix cannot place gets a Skipped line,
    so that a finding still reported after --fix is never a silent mystery."""
    head = "protocol: Knee\nadministrations:\n"
    empty = head + "  - route: IA\n    dose: 5e7\n    days: 2\n    total:\n"
    short = "Route,Dose,Days,Total\nIA,50000000,2\nIV,50000000,1,\n"
    markdown = (
        "| Route | Dose | Days | Total |\n|---|---|---|---|\n| IA | 5e7 | 2 |\n| IV | 5e7 | 1 | |\n"
    )
    wrong_flow = head + "  - {route: IV, dose: 5e7, days: 1, total: 6e7}\n"
    quoted_break = 'Route,Dose,Days,Total\nIA,50000000,2,"\n"\n'
    # The total added to IV moves the empty `total:` of IM from line 9 to line 10: the
    # summary names the line of the fixed file, which the check after --fix reports on.
    moved = head + (
        "  - route: IV\n    dose: 5e7\n    days: 1\n"
        "  - route: IM\n    dose: 5e7\n    days: 1\n    total:\n"
    )
    for name, text in [
        ("a.yaml", empty),
        ("b.csv", short),
        ("c.md", markdown),
        ("d.yaml", wrong_flow),
        ("e.csv", quoted_break),
        ("f.yaml", moved),
    ]:
        _write(tmp_path, name, text)
    result = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert result.returncode == 1  # the findings left are still reported
    assert "Traceback" not in result.stderr
    short_row = (
        "the row has fewer cells than its header, and no Total cell; write the total by hand"
    )
    lines = result.stderr.splitlines()
    empty_total = "the total is written without a value; write the value by hand"
    assert lines[0] == "Fixed 3 findings."  # the IV rows of b.csv, c.md and f.yaml
    assert sorted(lines[1:]) == [
        f"Skipped a.yaml: CD303 on line 6 not fixed: {empty_total}.",
        f"Skipped b.csv: CD303 on line 2 not fixed: {short_row}.",
        f"Skipped c.md: CD303 on line 3 not fixed: {short_row}.",
        "Skipped e.csv: CD303 on line 2 not fixed: "
        "the Total cell cannot be edited in place (its quoting or escapes); edit it by hand.",
        f"Skipped f.yaml: CD303 on line 10 not fixed: {empty_total}.",
    ]  # d.yaml's fix is unsafe and was not asked for: not explained
    assert "f.yaml:10:11: CD303" in result.stdout
    assert (tmp_path / "a.yaml").read_text() == empty  # nothing guessed into `total:`
    assert (tmp_path / "b.csv").read_text() == short.replace("1,\n", "1,50000000\n")
    unsafe = run_cli("check", "--fix", "--unsafe-fixes", "d.yaml", cwd=tmp_path)
    assert unsafe.stderr == (
        "Fixed 0 findings.\n"
        "Skipped d.yaml: CD301 on line 3 not fixed: the row is written in flow style ({...}); "
        "fixes edit block-style rows only.\n"
    )
    assert (tmp_path / "d.yaml").read_text() == wrong_flow


def test_yaml_anchored_flow_row_is_left_alone_and_the_others_are_fixed(tmp_path: Path) -> None:
    text = (
        "protocol: Knee\nadministrations:\n"
        "  - &r {route: IA, dose: 5e7, days: 2}\n"
        "  - &s {route: IA, dose: 5e7, days: 2, total: 1}\n"
        "  - route: IV\n    dose: 5e7\n    days: 2\n"
    )
    path = _write(tmp_path, "knee.yaml", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert path.read_text() == text + "    total: 100,000,000\n"
    flow = "the row is written in flow style ({...}); fixes edit block-style rows only"
    assert result.stderr == (
        "Fixed 1 finding.\n"
        f"Skipped knee.yaml: CD303 on line 3 not fixed: {flow}.\n"
        f"Skipped knee.yaml: CD301 on line 4 not fixed: {flow}.\n"
    )


def test_diff_breaks_lines_only_at_line_feeds(tmp_path: Path) -> None:
    # As git: a lone CR, a form feed or U+2028 inside a cell is text, not the end of a line
    # (str.splitlines would mark "No newline at end of file" in the middle of the file).
    _write(tmp_path, "cr.csv", "Route,Dose,Days,Total\rIA,5e7,2,\r")
    _write(
        tmp_path, "ls.csv", "Route,Dose,Days,Total,Notes\nIA,5e7,2,,a\u2028b\x0cc\nIV,5e7,1,,d\n"
    )
    # The output as bytes: a text-mode pipe would read each CR as a line break.
    result = run_cli_bytes("check", "--diff", "cr.csv", "ls.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.decode() == (
        "--- a/cr.csv\n+++ b/cr.csv\n@@ -1 +1 @@\n"
        "-Route,Dose,Days,Total\rIA,5e7,2,\r\n\\ No newline at end of file\n"
        "+Route,Dose,Days,Total\rIA,5e7,2,100000000\r\n\\ No newline at end of file\n"
        "--- a/ls.csv\n+++ b/ls.csv\n@@ -1,3 +1,3 @@\n"
        " Route,Dose,Days,Total,Notes\n"
        "-IA,5e7,2,,a\u2028b\x0cc\n-IV,5e7,1,,d\n"
        "+IA,5e7,2,100000000,a\u2028b\x0cc\n+IV,5e7,1,50000000,d\n"
    )


def test_total_cells_above_a_decimal_comma_table_is_respelled(tmp_path: Path) -> None:
    text = "Protocol;Knee\nTotal cells;2,5e7\nRoute;Dose;Days;Total\nIA;2,5e7;1;\n"
    path = _write(tmp_path, "knee.csv", text)
    (tmp_path / "celldose.toml").write_text('normalize-counts = "grouped"\n')
    result = run_cli("check", "--fix", "knee.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_text() == (
        "Protocol;Knee\nTotal cells;25.000.000\nRoute;Dose;Days;Total\nIA;25.000.000;1;25.000.000\n"
    )
    assert result.stderr == "Fixed 1 finding, normalized 2 counts.\n"


@pytest.mark.parametrize("name", ["knee.yaml", "knee.csv"])
def test_fix_killed_mid_write_leaves_the_original_intact(name: str, tmp_path: Path) -> None:
    """`celldose check --fix`, killed after the fixed text is written to its temporary file
    and before the rename, leaves the original file as it was (issue 6: nothing lost)."""
    original = (
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n"
        "    dose: 50,000,000\n    days: 2\n"
        if name.endswith(".yaml")
        else "Route,Dose,Days,Total\nIA,50000000,2,\n"
    )
    target = tmp_path / name
    target.write_text(original, encoding="utf-8")
    script = (
        "import os, signal, sys\n"
        "from celldose.convert import atomic\n"
        "from celldose.cli import main\n"
        "atomic.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "sys.exit(main(['check', '--fix', sys.argv[1]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, name],
        capture_output=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert target.read_text(encoding="utf-8") == original
    # The kill leaves the temporary file (nothing can remove it), never a half-written target.
    for leftover in tmp_path.iterdir():
        assert leftover.name == name or re.fullmatch(
            rf"\.{re.escape(name)}\..+\.tmp", leftover.name
        )
    # Without the kill, the same command fixes the file.
    assert run_cli("check", "--fix", name, cwd=tmp_path).returncode == 0
    fixed = target.read_text(encoding="utf-8")
    assert "100,000,000" in fixed or "100000000" in fixed
