"""What a spreadsheet hides or shows differently is said, through the CLI (CD010, CD011)."""

from __future__ import annotations

from pathlib import Path

import pytest

from celldose.cli import main
from celldose.sources.xlsx import read_workbook
from celldose.sources.xlsx.display import shown_instead
from workbooks import build_workbook

HEADER = "[Route, Dose, Days, Total]"
UNHIDE_ROW = "  fix: unhide the row, or delete it if it is not part of the protocol"
PLAIN = (
    "  fix: format the cell as a plain number (General, 0 or #,##0), so that it shows the "
    "number it stores"
)


def check(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    description: str,
) -> tuple[int, list[str]]:
    """``celldose check book.xlsx`` on the workbook ``description`` describes."""
    monkeypatch.chdir(tmp_path)
    build_workbook(description, tmp_path / "book.xlsx")
    code = main(["check", "book.xlsx"])
    return code, capsys.readouterr().out.splitlines()


def protocol(*rows: str, total: str | None = None, name: str = "Protocol", state: str = "") -> str:
    lines = [f"  - name: {name}"]
    if state:
        lines.append(f"    state: {state}")
    lines.append("    rows:")
    if total is not None:
        lines.append(f"      - {total}")
    lines.extend(f"      - {row}" for row in (HEADER, *rows))
    return "\n".join(lines) + "\n"


def test_a_hidden_row_that_makes_the_total_add_up_is_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The review's workbook: 50 million visible, 50 million hidden, Total cells 100,000,000."""
    book = "sheets:\n" + protocol(
        "[intra-articular, 50000000, 1, 50000000]",
        "hidden: [intravenous, 50000000, 1, 50000000]",
        total="[Total cells, 100000000]",
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out == [
        "book.xlsx:4:1: CD010 warning: Protocol!A4: row 4 is hidden, so a spreadsheet does not "
        "show it, but celldose reads it as an administration: it is checked, and its cells "
        "count toward the protocol's totals",
        UNHIDE_ROW,
        "Checked 1 file: 1 warning.",
    ]
    assert code == 0


def test_findings_on_a_hidden_row_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = "sheets:\n" + protocol(
        "[intra-articular, 50000000, 1, 50000000]",
        "hidden: [intravenous, 50000000, 2, 50000000]",
        total="hidden: [Total cells, 100000000]",
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out == [
        "book.xlsx:1:1: CD010 warning: Protocol!A1: row 1 is hidden, so a spreadsheet does not "
        "show it, but celldose reads its total_cells ('100000000') as the protocol's",
        UNHIDE_ROW,
        "book.xlsx:1:2: CD501 error: Protocol!B1: total_cells 100,000,000 cells != the rows' "
        "dose x days x sides = 150,000,000 cells (on a hidden row)",
        "  fix: correct total_cells, or a row's dose, days or laterality",
        "book.xlsx:4:1: CD010 warning: Protocol!A4: row 4 is hidden, so a spreadsheet does not "
        "show it, but celldose reads it as an administration: it is checked, and its cells "
        "count toward the protocol's totals",
        UNHIDE_ROW,
        "book.xlsx:4:4: CD301 error: Protocol!D4: total 50,000,000 cells != dose 50,000,000 "
        "cells x 2 days = 100,000,000 cells (on a hidden row)",
        "  fix: make the total 100,000,000 cells, or correct the dose or days",
        "Checked 1 file: 2 errors, 2 warnings.",
    ]
    assert code == 1


def test_a_hidden_row_without_protocol_data_is_not_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hidden title above the table is not read, and a hidden empty row holds nothing."""
    book = (
        "sheets:\n  - name: Protocol\n    rows:\n      - hidden: [Knee protocol draft]\n"
        f"      - {HEADER}\n      - [intra-articular, 50000000, 1, 50000000]\n      - hidden: []\n"
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert (code, out) == (0, ["Checked 1 file: no problems."])


@pytest.mark.parametrize(
    ("state", "how", "note"),
    [
        ("hidden", "is hidden, so a spreadsheet shows no tab for it", "the hidden sheet"),
        (
            "veryHidden",
            "is very hidden (only a macro or the file's XML can show it)",
            "the very hidden sheet",
        ),
    ],
)
def test_a_hidden_sheet_is_warned_and_its_findings_say_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state: str,
    how: str,
    note: str,
) -> None:
    book = (
        "sheets:\n"
        + protocol("[intra-articular, 50000000, 1, 50000000]")
        + protocol("[intravenous, 50000000, 1, 70000000]", name="Extra", state=state)
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out == [
        f"book.xlsx:1:1: CD010 warning: Extra!A1: the sheet 'Extra' {how}, but celldose reads "
        "it as a protocol",
        "  fix: unhide the sheet, or delete it if it is not a protocol",
        "book.xlsx:2:4: CD301 error: Extra!D2: total 70,000,000 cells != dose 50,000,000 cells "
        f"x 1 day = 50,000,000 cells (on {note} 'Extra')",
        "  fix: make the total 50,000,000 cells, or correct the dose or days",
        "Checked 1 file: 1 error, 1 warning.",
    ]
    assert code == 1


def test_a_hidden_sheet_that_is_no_protocol_says_it_is_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = (
        "sheets:\n"
        + protocol("[intra-articular, 50000000, 1, 50000000]")
        + "  - name: Notes\n    state: hidden\n    rows:\n      - [see the clinic's folder]\n"
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out[0] == (
        "book.xlsx: CD006 error: the hidden sheet 'Notes': no table with a route column found "
        "in the first 50 rows"
    )
    assert code == 1


def test_an_unreadable_cell_on_a_hidden_row_says_it_is_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = "sheets:\n" + protocol(
        "hidden: [intra-articular, {value: 50000000, format: yyyy-mm-dd}, 1, 50000000]"
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out[2] == (
        "book.xlsx:2:2: CD008 error: Protocol!B2: the cell is formatted as a date, so a "
        "spreadsheet shows a date, not the stored number 50000000; format it as a number (on a "
        "hidden row)"
    )
    assert code == 1


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("100000000", '"50,000,000"', "50,000,000"),
        ("100000000", '0,,"M"', "100M"),
        ("100000000", '#,##0,"k"', "100,000k"),
        ("100000000", '"N/A"', "N/A"),
        ("100000000", '0" (of 50,000,000)"', "100000000 (of 50,000,000)"),
        ("123456789", "0.0E+00", "1.2E+08"),
    ],
)
def test_a_format_that_shows_another_number_is_warned(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
    code: str,
    shown: str,
) -> None:
    cell = "{value: " + value + ", format: '" + code + "'}"
    book = "sheets:\n" + protocol(f"[intra-articular, {value}, 1, {cell}]")
    exit_code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out == [
        f"book.xlsx:2:4: CD011 warning: Protocol!D2: the cell stores {value}, but its number "
        f"format {code!r} shows {shown!r}; celldose reads the stored number",
        PLAIN,
        "Checked 1 file: 1 warning.",
    ]
    assert exit_code == 0


def test_a_total_above_the_table_with_a_literal_format_is_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = "sheets:\n" + protocol(
        "[intra-articular, 50000000, 2, 100000000]",
        total="""[Total cells, {value: 100000000, format: '"50,000,000"'}]""",
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out == [
        "book.xlsx:1:2: CD011 warning: Protocol!B1: the cell stores 100000000, but its number "
        """format '"50,000,000"' shows '50,000,000'; celldose reads the stored number""",
        PLAIN,
        "Checked 1 file: 1 warning.",
    ]
    assert code == 0


def test_formats_that_show_the_stored_number_are_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = "sheets:\n" + protocol(
        "[intra-articular, {value: 50000000, format: '#,##0'}, 1, {value: 50000000, format: '0'}]",
        "[intravenous, {value: 50000000, format: '#,##0.00'}, {value: 2, format: '0'}, "
        """{value: 100000000, format: '0" cells"'}]""",
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert (code, out) == (0, ["Checked 1 file: no problems."])


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("2.5", "0", "3"),
        ("0.5", "0%", "50%"),
        ("-5", '0;"none"', "none"),
        ("-5", "0", None),
        ("0", '0;-0;"-"', "-"),
        ("100000000", "\\5\\0", "50"),
        ("100000000", "0.00E+00", None),
        ("100000000", "General", None),
        ("100000000", "[>1000]0,,;0", None),
        ("1.5", "# ?/?", None),
        ("100000000", "[Red]#,##0_);(#,##0)", None),
    ],
)
def test_what_a_format_shows(value: str, code: str, shown: str | None) -> None:
    """The cases the display check covers, and those it leaves alone (see CD011)."""
    assert shown_instead(value, code) == shown


def test_the_reader_says_which_rows_are_hidden_and_how_numbers_are_formatted(
    tmp_path: Path,
) -> None:
    book = (
        "sheets:\n  - name: V\n    rows: [[x]]\n"
        "  - name: S\n    state: veryHidden\n    rows:\n      - [a]\n"
        "      - hidden: [{value: 5, format: '0%'}, {value: 6, format: General}, 7]\n"
    )
    visible, sheet = read_workbook(build_workbook(book, tmp_path / "b.xlsx"))
    assert not visible.hidden
    rows = list(sheet.read_rows())
    assert [(row.number, row.hidden) for row in rows] == [(1, False), (2, True)]
    assert [cell.number_format for cell in rows[1].cells] == ["0%", None, None]
    assert sheet.hidden and sheet.state == "veryHidden"
    assert [number for number, _ in sheet.rows()] == [1, 2]


def test_a_hidden_header_and_decimal_mark_are_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = (
        "sheets:\n  - name: Protocol\n    rows:\n      - hidden: [Decimal mark, comma]\n"
        f"      - hidden: {HEADER}\n      - [intra-articular, 50000000, 1, 50000000]\n"
    )
    code, out = check(tmp_path, monkeypatch, capsys, book)
    assert out == [
        "book.xlsx:1:1: CD010 warning: Protocol!A1: row 1 is hidden, so a spreadsheet does not "
        "show it, but celldose reads the sheet's decimal comma from it",
        UNHIDE_ROW,
        "book.xlsx:2:1: CD010 warning: Protocol!A2: row 2 is hidden, so a spreadsheet does not "
        "show it, but celldose reads it as the table's header",
        UNHIDE_ROW,
        "Checked 1 file: 2 warnings.",
    ]
    assert code == 0
