"""Workbooks checked from the CLI: built with openpyxl here, as Excel users save them."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

import celldose
from conftest import PROTOCOLS, run_cli, run_cli_bytes
from test_xlsx_reader import bomb, rewrite_part

HEADER: list[object] = ["Route of Administration", "Dose", "Time (Days)", "Total Cells"]


def workbook(path: Path, *sheets: tuple[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets:
        sheet: Worksheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def save_formula_values(path: Path, part: str, values: dict[str, str]) -> None:
    """Write the saved value a calculating spreadsheet stores beside each formula."""

    def change(xml: str) -> str:
        for ref, value in values.items():
            start = xml.index(f'<c r="{ref}"')
            end = xml.index("</c>", start)
            xml = xml[:end] + f"<v>{value}</v>" + xml[end:]
        return xml

    rewrite_part(path, part, change)


def diagnostics(path: Path) -> list[dict[str, object]]:
    result = run_cli("check", "--format", "json", str(path))
    assert result.returncode in (0, 1), result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)["diagnostics"]
    return found


def test_the_seed_as_a_workbook_checks_like_its_yaml(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "seed.xlsx",
        (
            "Sacroiliitis",
            [
                HEADER,
                ["Myers cocktail/NAD", 50_000_000, 1, "N/A"],
                ["Intra-articular/per side", 50_000_000, 1, 50_000_000],
            ],
        ),
    )
    yaml = celldose.check(PROTOCOLS / "sacroiliitis.yaml")
    for book in (path, PROTOCOLS / "sacroiliitis.xlsx"):  # the committed twin states its fields
        report = celldose.check(book)
        assert [d.code for d in report.diagnostics] == [d.code for d in yaml.diagnostics]
    [info] = celldose.check(path).diagnostics
    assert info.message.startswith("Sacroiliitis!B2: dose 50,000,000 cells")
    assert (info.line, info.column, info.sheet) == (2, 2, "Sacroiliitis")


def test_an_excel_workbook_with_a_formula_total_and_two_sheets(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "clinic.xlsx",
        (
            "Knees",
            [
                ["Protocol", "Knee osteoarthritis"],
                ["Condition", "Osteoarthritis"],
                HEADER,
                ["Intra-articular/per side", "50,000,000", 2, "=B4*C4"],  # a number as text
                ["Intra-articular/per side", 50_000_000, 2, "=B5*C5"],
            ],
        ),
        ("Discs", [HEADER, ["Intradiscal", 6_000_000, 1, 6_000_000]]),
    )
    part = "xl/worksheets/sheet1.xml"
    save_formula_values(path, part, {"D4": "100000000", "D5": "50000000"})  # D5 is wrong
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert (
        f"{path}:5:4: CD301 error: Knees!D5: total 50,000,000 cells != dose 50,000,000 cells "
        "x 2 days = 100,000,000 cells per side (Knees!D5 holds the formula =B5*C5; its saved "
        "value was read)"
    ) in result.stdout
    assert "Checked 1 file: 1 error." in result.stdout
    assert [p.name for p in celldose.load_all(path)] == ["Knee osteoarthritis", "Discs"]


def test_what_a_spreadsheet_hides_is_reported_at_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in (
        HEADER,
        ["IV", 50_000_000, 1, "=B2*C2"],  # openpyxl saves formulas without values
        ["Day 2"],
        ["IV", datetime.datetime(2024, 1, 2), 1, 50_000_000],
        ["IV", 50_000_000, 1, "#DIV/0!"],
    ):
        sheet.append(row)
    sheet.merge_cells("A3:D3")
    sheet["D5"].data_type = "e"
    book.save(path)
    found = {(d["line"], d["column"]): d for d in diagnostics(path)}
    assert found[(2, 4)]["code"] == "CD008"
    assert "Sheet1!D2: the formula =B2*C2 has no saved value" in str(found[(2, 4)]["message"])
    assert "merged cells A3:D3" in str(found[(3, 2)]["message"])
    assert [k for k in found if k[0] == 3] == [(3, 2)]  # a merged row is reported once
    assert "formatted as a date" in str(found[(4, 2)]["message"])
    assert "#DIV/0!" in str(found[(5, 4)]["message"])
    assert all(d["code"] == "CD008" for d in found.values())


def test_a_lone_cell_at_the_last_row_and_column_is_read_at_once(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (HEADER, ["IV", 5, 1, 5]):
        sheet.append(row)
    sheet["XFD1048576"] = "x"
    book.save(path)
    started = time.perf_counter()
    found = diagnostics(path)
    assert time.perf_counter() - started < 20
    assert any("beyond column BL" in str(d["message"]) for d in found)


@pytest.mark.parametrize("kind", ["bomb", "xxe", "not-a-zip"])
def test_a_hostile_workbook_is_refused_with_a_diagnostic(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.xlsx"
    if kind == "bomb":
        workbook(path, ("Sheet1", [HEADER]))
        bomb(path, 200)
    elif kind == "xxe":
        workbook(path, ("Sheet1", [HEADER, ["IV", 5, 1, 5]]))
        rewrite_part(
            path,
            "xl/worksheets/sheet1.xml",
            lambda xml: xml.replace(
                "<worksheet",
                '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet',
                1,
            ),
        )
    else:
        path.write_text("Route,Dose,Days,Total\n", encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("check", str(path))
    assert time.perf_counter() - started < 20
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "CD007 error:" in result.stdout and "CD006" not in result.stdout


def test_an_empty_second_sheet_is_skipped(tmp_path: Path) -> None:
    path = workbook(tmp_path / "two.xlsx", ("Sheet1", [HEADER, ["IV", 5, 1, 5]]), ("Sheet2", []))
    assert celldose.check(path).diagnostics == ()


def test_stdin_reads_a_workbook_by_its_stdin_filename(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", ("S", [HEADER, ["IV", 5, 2, 5]]))
    result = run_cli_bytes("check", "-", "--stdin-filename", "in.xlsx", stdin=path.read_bytes())
    assert result.returncode == 1
    assert b"in.xlsx:2:4: CD301 error: S!D2: total 5 cells" in result.stdout
