"""CSV and Markdown sheets, checked from the CLI as a user runs it, and their hostile forms."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import celldose
from celldose.rules.reading import SHEET_SYNTAX
from celldose.sources.csv_source import csv_grid
from celldose.sources.sheet import Cell, read_sheet
from celldose.units.separators import Convention, ambiguous, evidence, to_point
from conftest import PROTOCOLS, run_cli

SEED_CSV = (
    "Route of Administration,Dose,Time (Days),Total Cells\n"
    'Myers cocktail/NAD,"50,000,000",1,N/A\n'
    'Intra-articular/per side,"50,000,000",1,"50,000,000"\n'
)


def codes(report: celldose.Report) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in report.diagnostics]


def test_the_seed_sheet_checks_alike_as_yaml_csv_and_markdown() -> None:
    yaml_report = celldose.check(PROTOCOLS / "sacroiliitis.yaml")
    for twin in ("sacroiliitis.csv", "sacroiliitis.md"):
        assert codes(celldose.check(PROTOCOLS / twin)) == codes(yaml_report), twin


def test_an_excel_csv_export_with_bom_crlf_and_semicolons(tmp_path: Path) -> None:
    sheet = tmp_path / "export.csv"
    sheet.write_bytes(
        b"\xef\xbb\xbfRoute;Dose;Time (days);Total\r\n"
        b"Intra-articular/per side;50.000.000;2;100.000.000\r\n"
        b"IV;2,5 Mio;1;2,5 Mio\r\n"
        b"IV;2,5 Mio;2;6 Mio\r\n"
    )
    result = run_cli("check", "--format", "json", str(sheet))
    assert result.returncode == 1
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["code"] == "CD301"
    assert (diagnostic["line"], diagnostic["column"]) == (4, 14)
    assert "5,000,000 cells" in diagnostic["message"]  # 2,5 Mio x 2 days, read with a comma


def test_a_wrong_total_is_reported_at_its_cell(tmp_path: Path) -> None:
    sheet = tmp_path / "seed.csv"
    sheet.write_text(SEED_CSV.replace('1,"50,000,000"', '2,"50,000,000"'), encoding="utf-8")
    result = run_cli("check", str(sheet))
    assert result.returncode == 1
    assert f"{sheet}:3:41: CD301 error: total 50,000,000 cells != dose" in result.stdout


def test_a_header_unit_applies_to_bare_numbers_only(tmp_path: Path) -> None:
    sheet = tmp_path / "millions.csv"
    sheet.write_text(
        "Route,Dose (million cells),Days,Total (million cells)\nIV,50,2,100\nIV,50 cells,1,50\n",
        encoding="utf-8",
    )
    [mismatch] = celldose.check(sheet).diagnostics
    assert mismatch.code == "CD301" and mismatch.line == 3
    assert "total 50,000,000 cells != dose 50 cells" in mismatch.message


def test_missing_and_unknown_columns_name_what_was_found(tmp_path: Path) -> None:
    sheet = tmp_path / "odd.csv"
    sheet.write_text("Route,Amount,Days\nIV,5e7,1\n", encoding="utf-8")
    result = run_cli("check", str(sheet))
    assert result.returncode == 1
    assert "unknown column 'Amount'" in result.stdout
    assert "no dose column; the header has: Route, Amount, Days" in result.stdout
    assert "no total column" in result.stdout


def test_a_sheet_without_a_header_is_not_a_protocol(tmp_path: Path) -> None:
    sheet = tmp_path / "numbers.csv"
    sheet.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run_cli("check", str(sheet))
    assert result.returncode == 1 and "CD006" in result.stdout


def test_stdin_takes_its_format_from_the_stdin_filename() -> None:
    result = run_cli("check", "-", "--stdin-filename", "sheet.csv", stdin=SEED_CSV)
    assert result.returncode == 0, result.stdout
    assert "sheet.csv:2:20: CD306" in result.stdout


def test_directories_hold_sheets_and_a_readme_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "knee.csv").write_text(SEED_CSV, encoding="utf-8")
    (tmp_path / "README.md").write_text("# Notes\n\nNo table here.\n", encoding="utf-8")
    (tmp_path / "page.md").write_text(
        "| Route | Dose | Days | Total |\n|---|---|---|---|\n| IV | 5e7 | 2 | 5e7 |\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 1
    assert "Checked 2 files (skipped 1 Markdown file that is not a protocol)" in result.stdout
    assert "README.md" not in result.stdout
    assert f"{tmp_path / 'page.md'}:3:18: CD301" in result.stdout
    # Named on the command line, a Markdown file without a table is reported.
    named = run_cli("check", str(tmp_path / "README.md"))
    assert named.returncode == 1 and "CD006" in named.stdout


def test_load_reads_a_sheet_into_the_same_protocol_as_yaml() -> None:
    from_csv = celldose.load(PROTOCOLS / "sacroiliitis.csv")
    from_yaml = celldose.load(PROTOCOLS / "sacroiliitis.yaml")
    assert from_csv.administrations == from_yaml.administrations
    assert from_csv.name == "sacroiliitis"  # the file's stem, as the sheet names none
    assert celldose.load(PROTOCOLS / "sacroiliitis.md").name == "Sacroiliitis"  # its heading


def test_a_markdown_page_with_two_tables_is_two_protocols(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    table = "| Route | Dose | Days | Total |\n|---|---|---|---|\n| IV | 5e7 | 1 | 5e7 |\n"
    page.write_text(f"# Knees\n\n{table}\n# Hips\n\n{table}", encoding="utf-8")
    assert [p.name for p in celldose.load_all(page)] == ["Knees", "Hips"]
    with pytest.raises(celldose.ProtocolError, match="holds 2 protocols"):
        celldose.load(page)


# Hostile sheets: each gives a diagnostic, quickly.


def _check_quickly(path: Path) -> celldose.Report:
    started = time.perf_counter()
    report = celldose.check(path)
    assert time.perf_counter() - started < 10, "a hostile sheet must not take long"
    return report


def test_an_unterminated_quote_does_not_swallow_the_rows(tmp_path: Path) -> None:
    sheet = tmp_path / "quote.csv"
    sheet.write_text('Route,Dose,Days,Total\nIV,5e7,1,"5e7\nIV,5e7,1,5e7\n', encoding="utf-8")
    [problem] = _check_quickly(sheet).diagnostics
    assert problem.code == "CD007" and "never closed" in problem.message


def test_a_thousand_columns_are_bounded(tmp_path: Path) -> None:
    sheet = tmp_path / "wide.csv"
    sheet.write_text(
        "Route,Dose,Days,Total\n" + "IV,5e7,1,5e7" + ",x" * 1000 + "\n", encoding="utf-8"
    )
    found = {d.code for d in _check_quickly(sheet).diagnostics}
    assert "CD004" in found  # the row is cut at 64 cells, and says so


def test_a_megabyte_cell_is_refused(tmp_path: Path) -> None:
    sheet = tmp_path / "big-cell.csv"
    sheet.write_text('Route,Dose,Days,Total\nIV,5e7,1,"' + "9" * 1_000_000 + '"\n')
    [problem] = _check_quickly(sheet).diagnostics
    assert problem.code == "CD007" and "longer than" in problem.message


def test_a_one_column_file_is_not_split_at_the_letter_e(tmp_path: Path) -> None:
    sheet = tmp_path / "one.csv"  # csv.Sniffer picks "e" as this file's delimiter
    sheet.write_text("Route\nintravenous\nintrathecal\n", encoding="utf-8")
    messages = [d.message for d in _check_quickly(sheet).diagnostics]
    assert any("no dose column" in m for m in messages)
    assert not any("without a header" in m for m in messages)


def test_nul_bytes_and_bad_utf8_in_a_sheet_are_located(tmp_path: Path) -> None:
    sheet = tmp_path / "binary.csv"
    sheet.write_bytes(b"Route,Dose,Days,Total\nIV,5e7,1,\xff\n")
    [problem] = _check_quickly(sheet).diagnostics
    assert problem.code == "CD001" and problem.line == 2


def test_a_formula_injection_mark_is_read_as_text(tmp_path: Path) -> None:
    sheet = tmp_path / "marked.csv"
    sheet.write_text("Route,Dose,Days,Total\nIV,'-5,1,'-5\n", encoding="utf-8")
    found = {d.code for d in celldose.check(sheet).diagnostics}
    assert found == {"CD202"}  # -5 is read, and is not a positive count


# The decimal convention of a column.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5", Convention.POINT),
        ("50,000,000", Convention.POINT),
        ("1,234.5", Convention.POINT),
        ("0.001", Convention.POINT),
        ("2,5 Mio", Convention.COMMA),
        ("50.000.000", Convention.COMMA),
        ("1.234,5", Convention.COMMA),
        ("50.000", None),
        ("50,000", None),
        ("50000000", None),
        ("N/A", None),
    ],
)
def test_evidence_of_a_convention(text: str, expected: Convention | None) -> None:
    assert evidence(text) is expected


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
@settings(max_examples=200)
def test_one_mark_and_three_digits_is_always_ambiguous(head: int, tail: int) -> None:
    for mark in ".,":
        text = f"{head}{mark}{tail:03d}"
        assert ambiguous(text) and evidence(text) is None


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=9999))
@settings(max_examples=300)
def test_a_decimal_comma_number_reads_as_its_value(whole: int, fraction: int) -> None:
    from fractions import Fraction

    from celldose.units.parse import parse_amount

    grouped = f"{whole:,}".replace(",", ".")
    decimals = f"{fraction:04d}"
    text = f"{grouped},{decimals}"
    expected = whole + Fraction(int(decimals), 10**4)
    assert parse_amount(to_point(text)).value == expected


def test_an_ambiguous_number_in_a_mixed_column_shows_both_readings(tmp_path: Path) -> None:
    sheet = tmp_path / "mixed.csv"
    sheet.write_text(
        'Route,Dose,Days,Total\nIV,"2,5 million",1,"2.5 million"\nIV,"50,000",1,"50,000"\n'
        'IV,"5,000,000",1,"5,000,000"\n',
        encoding="utf-8",
    )
    dose = [d for d in celldose.check(sheet).diagnostics if d.pointer[-1] == "dose"]
    assert len(dose) == 1
    assert "'50,000' is ambiguous: 50,000 or 50" in dose[0].message


def test_the_reader_passes_twice_but_reports_once(tmp_path: Path) -> None:
    grid = csv_grid('Route,Dose,Days,Total\nIV,5e7,1,"5e7\n', "x")
    sheet = read_sheet(grid)
    rows = list(sheet.rows())
    assert rows == [] and [p.rule for p in sheet.problems] == [SHEET_SYNTAX]


def test_cells_of_quoted_records_are_located_lazily_and_exactly() -> None:
    text = 'Notes,Route,Dose,Days,Total\n"a, ""b""\nc",IV,5e7,1,5e7\n'
    rows = [r for r in csv_grid(text, "x").rows() if not isinstance(r, Exception)]
    record = rows[1]
    assert isinstance(record, list)
    cell: Cell = record[4]
    assert cell.text == "5e7"
    assert cell.span is not None and (cell.span.line, cell.span.column) == (3, 13)


# Found by review: each of these once read a number wrongly or located it wrongly.


def test_a_stated_decimal_comma_refuses_a_decimal_point(tmp_path: Path) -> None:
    sheet = tmp_path / "dm.csv"
    sheet.write_text(
        "Decimal mark,comma\nRoute,Dose,Days,Total\nIV,2.5 million,1,25 million\n",
        encoding="utf-8",
    )
    [problem] = celldose.check(sheet).diagnostics
    assert problem.code == "CD201" and "states its decimal mark is a comma" in problem.message


def test_a_header_unit_applies_to_a_number_written_with_a_size_word(tmp_path: Path) -> None:
    sheet = tmp_path / "kg.csv"
    sheet.write_text(
        "Patient weight,70 kg\nRoute,Dose (cells/kg),Days,Total\nIV,1 million,2,140 million\n",
        encoding="utf-8",
    )
    assert celldose.check(sheet).diagnostics == ()
    [row] = celldose.load(sheet).administrations
    assert row.dose is not None and str(row.dose) == "1000000 cell / kilogram"


def test_volume_and_fields_above_the_table_follow_a_decimal_comma(tmp_path: Path) -> None:
    sheet = tmp_path / "vol.csv"
    sheet.write_text(
        "Total cells;1.250.000\nRoute;Dose;Days;Total;Volume;Concentration\n"
        "IV;;1;1.250.000;1,25 mL;1 Mio cells/mL\nIV;;1;1.250.000;1,25 mL;1 Mio cells/mL\n",
        encoding="utf-8",
    )
    found = [d.message for d in celldose.check(sheet).diagnostics]
    assert found == [
        "total_cells 1,250,000 cells != the rows' dose x days x sides = 2,500,000 cells"
    ]


def test_the_rounding_span_does_not_depend_on_the_number_of_days(tmp_path: Path) -> None:
    protocol = tmp_path / "w.yaml"
    protocol.write_text(
        "protocol: W\npatient_weight: 154 lb\nadministrations:\n"
        "  - {route: IV, dose: 1 million cells/kg, days: 50, total: '3,492,661,250'}\n"
        "  - {route: IV, dose: 1 million cells/kg, days: 50, total: '3,500,000,000'}\n",
        encoding="utf-8",
    )
    assert celldose.check(protocol).diagnostics == ()  # 154 lb is 153.5 to 154.5 lb


def test_a_markdown_row_is_cut_at_64_cells_quickly(tmp_path: Path) -> None:
    page = tmp_path / "wide.md"
    page.write_text(
        "| Route | Dose | Days | Total |\n|---|---|---|---|\n" + "| 1 " * 300_000 + "|\n",
        encoding="utf-8",
    )
    report = _check_quickly(page)
    assert "CD004" in {d.code for d in report.diagnostics}
    assert len(report.diagnostics) < 10


def test_a_table_in_a_code_fence_is_an_example_not_a_protocol(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Format\n\n```\n| Route | Dose | Days | Total |\n|---|---|---|---|\n"
        "| IV | 5 | 2 | 5 |\n```\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0
    assert "Checked 0 files (skipped 1 Markdown file that is not a protocol)" in result.stdout


def test_columns_after_a_marked_cell_or_a_quote_inside_a_field(tmp_path: Path) -> None:
    sheet = tmp_path / "cols.csv"
    sheet.write_text(
        "Route,Notes,Dose,Days,Total\nIV,'=x,50,2,50\nIV,5\" needle,50,2,50\n", encoding="utf-8"
    )
    places = [(d.line, d.column) for d in celldose.check(sheet).diagnostics]
    assert places == [(2, 13), (3, 19)]  # each total, after '=x and after 5" needle


def test_show_prints_every_protocol_of_a_page(tmp_path: Path) -> None:
    page = tmp_path / "two.md"
    table = "| Route | Dose | Days | Total |\n|---|---|---|---|\n| IV | 5e7 | 1 | 5e7 |\n"
    page.write_text(f"# Knees\n\n{table}\n# Hips\n\n{table}", encoding="utf-8")
    result = run_cli("show", str(page))
    assert result.returncode == 0
    assert "Knees (" in result.stdout and "Hips (" in result.stdout
