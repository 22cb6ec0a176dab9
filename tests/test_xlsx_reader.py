"""The bounded XLSX reader: real workbooks (openpyxl-written or hand-built zips), no mocks."""

from __future__ import annotations

import re
import struct
import time
import warnings
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.worksheet.worksheet import Worksheet

from celldose.sources.xlsx import (
    MAX_COLUMNS,
    MAX_INFLATED,
    MAX_RATIO,
    MAX_SHEETS,
    CellKind,
    XCell,
    XlsxError,
    XSheet,
    column_letter,
    column_number,
    is_date_format,
    parse_ref,
    read_workbook,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_RELS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
SHEET1 = "xl/worksheets/sheet1.xml"

Cells = dict[str, tuple[str, str, str | None]]


# --- building workbooks -------------------------------------------------------------------------


def openpyxl_book(tmp_path: Path, fill: Callable[[Worksheet], None], name: str = "b") -> Path:
    """A workbook written by openpyxl, its first sheet filled by ``fill``."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    fill(sheet)
    path = tmp_path / f"{name}.xlsx"
    book.save(path)
    return path


def rewrite_part(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Rewrite one part of a zip (as text), keeping the others."""
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    new = change(contents[part].decode())
    assert new != contents[part].decode(), "the rewrite changed nothing"
    contents[part] = new.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def sheet_xml(rows: str, tail: str = "", ns: str = MAIN) -> str:
    return f'<worksheet xmlns="{ns}"><sheetData>{rows}</sheetData>{tail}</worksheet>'


def write_package(
    path: Path,
    sheets: list[tuple[str, str]],
    *,
    shared: str | None = None,
    styles: str | None = None,
    strict: bool = False,
    parts: dict[str, str | bytes] | None = None,
) -> Path:
    """A minimal hand-built workbook: ``sheets`` are (name, worksheet XML) in order.

    Targets are relative ("worksheets/sheet1.xml"); ``parts`` adds or replaces parts verbatim.
    """
    ns, rels_ns = (STRICT, STRICT_RELS) if strict else (MAIN, OFFICE_RELS)
    sheet_entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    rels = [
        f'<Relationship Id="rId{i}" Type="{rels_ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    if shared is not None:
        rels.append(f'<Relationship Id="rS" Type="{rels_ns}/sharedStrings" Target="strings.xml"/>')
    if styles is not None:
        rels.append(f'<Relationship Id="rY" Type="{rels_ns}/styles" Target="styles.xml"/>')
    contents: dict[str, str | bytes] = {
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{rels_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}" xmlns:r="{rels_ns}">'
            f"<sheets>{sheet_entries}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}">{"".join(rels)}</Relationships>'
        ),
    }
    for i, (_, xml) in enumerate(sheets, start=1):
        contents[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared is not None:
        contents["xl/strings.xml"] = f'<sst xmlns="{ns}">{shared}</sst>'
    if styles is not None:
        contents["xl/styles.xml"] = f'<styleSheet xmlns="{ns}">{styles}</styleSheet>'
    contents.update(parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def one_sheet(
    tmp_path: Path,
    rows: str,
    tail: str = "",
    *,
    shared: str | None = None,
    styles: str | None = None,
) -> XSheet:
    """The one sheet of a hand-built workbook with these rows (and XML after ``<sheetData>``)."""
    xml = sheet_xml(rows, tail)
    path = write_package(tmp_path / "hand.xlsx", [("S", xml)], shared=shared, styles=styles)
    [sheet] = read_workbook(path)
    return sheet


def cells_of(sheet: XSheet) -> Cells:
    found: Cells = {}
    for row, cells in sheet.rows():
        assert [cell.column for cell in cells] == sorted({cell.column for cell in cells})
        for cell in cells:
            assert cell.row == row
            found[cell.ref] = (cell.kind.value, cell.text, cell.formula)
    return found


def read_all(path: Path) -> list[Cells]:
    return [cells_of(sheet) for sheet in read_workbook(path)]


# --- values -------------------------------------------------------------------------------------


def test_openpyxl_values_kinds_and_positions(tmp_path: Path) -> None:
    def fill(ws: Worksheet) -> None:
        ws.title = "Doses"
        ws["A1"] = "Product"
        ws["B2"] = 50_000_000
        ws["C2"] = 2.5
        ws["D2"] = "=B2*C2"
        ws["E2"] = True
        ws["F2"] = False
        ws["G2"] = "#DIV/0!"
        ws["H2"] = 45000
        ws["H2"].number_format = "yyyy-mm-dd"
        ws["I2"] = datetime(2024, 1, 2, 12, 0)
        ws["J2"] = 45000  # the same number without a date format
        ws.merge_cells("A3:D3")
        ws.merge_cells("F5:G9")

    [sheet] = read_workbook(openpyxl_book(tmp_path, fill))
    assert sheet.name == "Doses"
    assert sheet.merged == ((3, 1, 3, 4), (5, 6, 9, 7))
    assert cells_of(sheet) == {
        "A1": ("text", "Product", None),
        "B2": ("number", "50000000", None),
        "C2": ("number", "2.5", None),
        "D2": ("no-value", "", "=B2*C2"),
        "E2": ("bool", "TRUE", None),
        "F2": ("bool", "FALSE", None),
        "G2": ("error", "#DIV/0!", None),
        "H2": ("date", "45000", None),
        "I2": ("date", "45293.5", None),
        "J2": ("number", "45000", None),
    }
    assert sheet.beyond_columns is None
    assert sheet.beyond_columns_count == 0


def test_formula_with_a_cached_value_keeps_both(tmp_path: Path) -> None:
    def fill(ws: Worksheet) -> None:
        ws["B2"] = 10_000_000
        ws["C2"] = 5
        ws["D2"] = "=B2*C2"

    path = openpyxl_book(tmp_path, fill)
    rewrite_part(
        path,
        SHEET1,
        lambda xml: re.sub(r"<f>B2\*C2</f>\s*<v\s*/>", "<f>B2*C2</f><v>50000000</v>", xml),
    )
    [cells] = read_all(path)
    assert cells["D2"] == ("number", "50000000", "=B2*C2")


def test_numbers_are_kept_as_written(tmp_path: Path) -> None:
    sheet = one_sheet(
        tmp_path,
        '<row r="1"><c r="A1"><v>5E7</v></c><c r="B1"><v>0.1000</v></c>'
        '<c r="C1" t="n"><v> -2.5e-3 </v></c><c r="D1"><v>.5</v></c></row>',
    )
    assert cells_of(sheet) == {
        "A1": ("number", "5E7", None),
        "B1": ("number", "0.1000", None),
        "C1": ("number", "-2.5e-3", None),
        "D1": ("number", ".5", None),
    }


def test_formula_kinds(tmp_path: Path) -> None:
    rows = (
        '<row r="1">'
        '<c r="A1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="B1" t="str"><f>""</f><v></v></c>'
        '<c r="C1"><f t="shared" ref="C1:C2" si="0">A2*2</f><v>4</v></c>'
        '<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="E1" t="b"><f>TRUE()</f><v>1</v></c>'
        "</row>"
        '<row r="2"><c r="C2"><f t="shared" si="0"/><v>6</v></c>'
        '<c r="D2" t="str"><f>X()</f></c></row>'
    )
    assert cells_of(one_sheet(tmp_path, rows)) == {
        "A1": ("text", "ab", '="a"&"b"'),
        "B1": ("text", "", '=""'),
        "C1": ("number", "4", "=A2*2"),
        "D1": ("error", "#DIV/0!", "=1/0"),
        "E1": ("bool", "TRUE", "=TRUE()"),
        "C2": ("number", "6", "(shared formula)"),
        "D2": ("no-value", "", "=X()"),
    }


def test_shared_rich_and_inline_strings(tmp_path: Path) -> None:
    shared = (
        "<si><t>plain</t></si>"
        '<si><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> and rest</t></r>'
        '<rPh sb="0" eb="1"><t>フリガナ</t></rPh><phoneticPr fontId="1"/></si>'
        "<si><t>line_x000D_break, under_x005F_x0041_score</t></si>"
        "<si><t/></si>"
    )
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>'
        '<c r="B2" t="inlineStr"><is><t>µ 10⁶ cells/kg</t></is></c></row>'
    )
    assert cells_of(one_sheet(tmp_path, rows, shared=shared)) == {
        "A1": ("text", "plain", None),
        "B1": ("text", "bold and rest", None),
        "C1": ("text", "line\rbreak, under_x0041_score", None),
        "D1": ("text", "", None),
        "A2": ("text", "inline", None),
        "B2": ("text", "µ 10⁶ cells/kg", None),
    }


DATE_STYLES = (
    '<numFmts count="6"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="0.00"/>'
    '<numFmt numFmtId="166" formatCode="&quot;days&quot; 0"/>'
    '<numFmt numFmtId="167" formatCode="[h]:mm"/><numFmt numFmtId="168" formatCode="[Red]0"/>'
    '<numFmt numFmtId="169" formatCode="0 \\d"/></numFmts>'
    '<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="168"/><xf numFmtId="14"/>'
    '<xf numFmtId="169"/></cellXfs>'
)


def test_date_styles(tmp_path: Path) -> None:
    rows = '<row r="1">' + "".join(
        f'<c r="{column_letter(s + 1)}1" s="{s}"><v>45000</v></c>' for s in range(8)
    )
    rows += '<c r="I1" t="d"><v>2024-01-02T00:00:00</v></c><c r="J1" s="99"><v>1</v></c></row>'
    kinds = {
        ref: kind
        for ref, (kind, _, _) in cells_of(one_sheet(tmp_path, rows, styles=DATE_STYLES)).items()
    }
    assert kinds == {
        "A1": "number",  # General
        "B1": "date",  # yyyy-mm-dd
        "C1": "number",  # 0.00
        "D1": "number",  # "days" 0
        "E1": "date",  # [h]:mm
        "F1": "number",  # [Red]0
        "G1": "date",  # built-in 14
        "H1": "number",  # 0 \d
        "I1": "date",  # t="d"
        "J1": "number",  # a style index beyond cellXfs
    }


@pytest.mark.parametrize(
    ("code", "is_date"),
    [
        ("yyyy-mm-dd", True),
        ("d/m/yy h:mm", True),
        ("h:mm AM/PM", True),
        ("[$-409]mmmm d, yyyy", True),
        ("[hh]", True),
        ("[ss].00", True),
        ("General", False),
        ("0.00E+00", False),
        ('#,##0 "days"', False),
        ("[Red][<=100]0;[Blue]0", False),
        ("0\\h", False),
        ("0_m", False),
        ("0*s", False),
        ("@", False),
    ],
)
def test_is_date_format(code: str, is_date: bool) -> None:
    assert is_date_format(code) is is_date


def test_sheets_in_order_chart_sheets_skipped(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert isinstance(first, Worksheet)
    first.title = "First"
    first["A1"] = "one"
    book.create_chartsheet("Chart")
    second = book.create_sheet("Second")
    second["B2"] = "two"
    second.sheet_state = "hidden"
    path = tmp_path / "two.xlsx"
    book.save(path)
    sheets = read_workbook(path)
    assert [(sheet.name, sheet.state) for sheet in sheets] == [
        ("First", "visible"),
        ("Second", "hidden"),
    ]
    assert [cells_of(sheet) for sheet in sheets] == [
        {"A1": ("text", "one", None)},
        {"B2": ("text", "two", None)},
    ]


def test_strict_ooxml_and_1904_dates(tmp_path: Path) -> None:
    workbook = (
        f'<workbook xmlns="{STRICT}" xmlns:r="{STRICT_RELS}"><workbookPr date1904="1"/>'
        '<sheets><sheet name="Strict" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    path = write_package(
        tmp_path / "strict.xlsx",
        [("Strict", sheet_xml('<row r="2"><c r="C2"><v>7</v></c></row>', ns=STRICT))],
        strict=True,
        parts={"xl/workbook.xml": workbook},
    )
    [sheet] = read_workbook(path)
    assert (sheet.name, sheet.date1904) == ("Strict", True)
    assert cells_of(sheet) == {"C2": ("number", "7", None)}


def test_missing_row_and_cell_references_are_counted(tmp_path: Path) -> None:
    rows = (
        "<row><c><v>1</v></c><c><v>2</v></c></row>"
        '<row r="5"><c r="B5"><v>3</v></c><c><v>4</v></c></row>'
        "<row><c/><c><v>5</v></c></row>"
        '<row r="9" ht="30" customHeight="1"><c r="A9" s="1"/></row>'  # formatting only: no row
    )
    sheet = one_sheet(tmp_path, rows)
    assert [(row, [cell.ref for cell in cells]) for row, cells in sheet.rows()] == [
        (1, ["A1", "B1"]),
        (5, ["B5", "C5"]),
        (6, ["B6"]),
    ]


def test_empty_cells_are_omitted_cells_sorted(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c>'
        '<c r="B1" s="0"/><c r="D1"><v/></c></row>'
    )
    [(row, cells)] = list(one_sheet(tmp_path, rows).rows())
    assert (row, [cell.ref for cell in cells]) == (1, ["A1", "C1"])


def test_cells_beyond_the_column_limit_are_counted(tmp_path: Path) -> None:
    last = column_letter(MAX_COLUMNS)
    beyond = column_letter(MAX_COLUMNS + 1)
    rows = (
        f'<row r="1"><c r="A1"><v>1</v></c><c r="{last}1"><v>2</v></c>'
        f'<c r="{beyond}1"><v>3</v></c></row>'
        f'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
        f'<row r="3"><c r="ZZ3" s="1"/></row>'  # empty: not counted
    )
    sheet = one_sheet(tmp_path, rows)
    assert sheet.beyond_columns is None  # known only once the rows have been read
    assert [(row, [cell.ref for cell in cells]) for row, cells in sheet.rows()] == [
        (1, ["A1", f"{last}1"]),
        (2, []),
    ]
    assert sheet.beyond_columns == f"{beyond}1"
    assert sheet.beyond_columns_count == 2


def test_rows_can_be_read_again(tmp_path: Path) -> None:
    sheet = one_sheet(tmp_path, '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>')
    first = list(sheet.rows())
    assert list(sheet.rows()) == first
    assert sheet.beyond_columns == "XFD1"
    assert sheet.beyond_columns_count == 1


def test_many_rows_stream(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>0</v></c></row>'
        for r in range(1, 20001)
    )
    sheet = one_sheet(tmp_path, rows, shared="<si><t>x</t></si>")
    stream = sheet.rows()
    assert next(stream) == (1, [XCell(1, 1, CellKind.NUMBER, "1"), XCell(1, 2, CellKind.TEXT, "x")])
    assert sum(1 for _ in stream) == 19999


def test_sheet_without_source_has_no_rows() -> None:
    sheet = XSheet("Empty", ())
    assert list(sheet.rows()) == []
    assert sheet.beyond_columns is None


# --- references ---------------------------------------------------------------------------------


def test_column_letters_and_numbers() -> None:
    assert [column_number(x) for x in ("A", "Z", "AA", "AZ", "BL", "XFD", "xfd")] == [
        1, 26, 27, 52, 64, 16384, 16384,
    ]  # fmt: skip
    assert [column_letter(n) for n in (1, 26, 27, 52, 64, 16384)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BL",
        "XFD",
    ]
    assert all(column_number(column_letter(n)) == n for n in range(1, 16385))
    assert parse_ref("D3") == (3, 4)
    assert parse_ref("XFD1048576") == (1048576, 16384)
    assert XCell(3, 4, CellKind.TEXT, "x").ref == "D3"
    for bad in ("", "A0", "XFE1", "A1048577", "1A", "A-1", "AAAA1", "A 1", "Ä1"):
        with pytest.raises(ValueError):
            parse_ref(bad)
    for bad_number in (0, 16385, -1):
        with pytest.raises(ValueError):
            column_letter(bad_number)


@pytest.mark.parametrize("ref", ["A0", "XFE1", "A1048577", "1A", "A1:B2"])
def test_bad_cell_reference_is_refused(tmp_path: Path, ref: str) -> None:
    sheet = one_sheet(tmp_path, f'<row r="1"><c r="{ref}"><v>1</v></c></row>')
    with pytest.raises(XlsxError, match="bad cell reference"):
        list(sheet.rows())


@pytest.mark.parametrize("ref", ["A0:B2", "A1:XFE3", "B"])
def test_bad_merged_range_is_refused(tmp_path: Path, ref: str) -> None:
    with pytest.raises(XlsxError, match="bad cell reference"):
        one_sheet(tmp_path, "", f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>')


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('<row r="0"><c><v>1</v></c></row>', "outside 1 to 1048576"),
        ('<row r="1048577"><c><v>1</v></c></row>', "outside 1 to 1048576"),
        ('<row r="x"><c><v>1</v></c></row>', "bad row number"),
        ('<row r="3"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>', "must be in order"),
        ('<row r="2"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>', "must be in order"),
        ('<row r="2"><c r="A3"><v>1</v></c></row>', "inside row 2"),
        ('<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>', "appears twice"),
        ('<row r="1"><c r="A1"><v>abc</v></c></row>', "not a number"),
        ('<row r="1"><c r="A1"><v>NaN</v></c></row>', "not a number"),
        ('<row r="1"><c r="A1" t="b"><v>2</v></c></row>', "not a boolean"),
        (
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
            "shared string 0, but the workbook has 0",
        ),
        ('<row r="1"><c r="A1" t="s"><v>-1</v></c></row>', "shared-string index"),
        ('<row r="1"><c r="A1" t="zz"><v>1</v></c></row>', "unknown type"),
        ('<row r="1"><c r="A1"><v>1</v></c>', "malformed XML"),
        (
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>&bogus;</v></c></row>',
            "malformed XML",
        ),
    ],
)
def test_bad_sheet_content_is_refused_while_streaming(
    tmp_path: Path, rows: str, message: str
) -> None:
    sheet = one_sheet(tmp_path, rows)
    with pytest.raises(XlsxError, match=re.escape(message)) as caught:
        list(sheet.rows())
    assert "\n" not in str(caught.value)


def test_malformed_structure_is_refused(tmp_path: Path) -> None:
    good = [("S", sheet_xml(""))]
    cases: list[tuple[dict[str, str | bytes], str]] = [
        ({"xl/workbook.xml": "<workbook"}, "malformed XML in xl/workbook.xml"),
        ({"xl/workbook.xml": b"\xff\xfe\x00garbage"}, "malformed XML in xl/workbook.xml"),
        ({"xl/workbook.xml": f'<document xmlns="{MAIN}"/>'}, "is not a spreadsheet workbook"),
        ({"xl/_rels/workbook.xml.rels": "<Relationships><oops></Relationships>"}, "malformed XML"),
        (
            {"xl/strings.xml": f'<sst xmlns="{MAIN}"><si><t>x</si></sst>'},
            "malformed XML in xl/strings.xml",
        ),
        (
            {
                "xl/worksheets/sheet1.xml": (
                    f'<worksheet xmlns="{MAIN}"><mergeCells><mergeCell ref="A1:B2"/>'
                )
            },
            "malformed",
        ),
        ({"xl/worksheets/sheet1.xml": f'<chartsheet xmlns="{MAIN}"/>'}, "is not a worksheet"),
        (
            {
                "xl/workbook.xml": (
                    f'<workbook xmlns="{MAIN}"><sheets><sheet name="S" sheetId="1"/></sheets>'
                    "</workbook>"
                )
            },
            "refers to relationship None",
        ),
        (
            {"xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}"/>'},
            "which xl/_rels/workbook.xml.rels does not define",
        ),
    ]
    for index, (parts, message) in enumerate(cases):
        path = write_package(tmp_path / f"bad{index}.xlsx", good, shared="", parts=parts)
        with pytest.raises(XlsxError, match=re.escape(message)):
            read_all(path)


def test_missing_sheet_part_and_escaping_target(tmp_path: Path) -> None:
    rels = (
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE_RELS}/worksheet" Target="%s"/></Relationships>'
    )
    missing = write_package(
        tmp_path / "missing.xlsx",
        [("S", sheet_xml(""))],
        parts={"xl/_rels/workbook.xml.rels": rels % "nowhere.xml"},
    )
    with pytest.raises(XlsxError, match=re.escape("missing part xl/nowhere.xml (sheet 'S')")):
        read_workbook(missing)
    escaping = write_package(
        tmp_path / "escape.xlsx",
        [("S", sheet_xml(""))],
        parts={"xl/_rels/workbook.xml.rels": rels % "../../etc/passwd"},
    )
    with pytest.raises(XlsxError, match="outside the workbook"):
        read_workbook(escaping)
    # An escaping relationship that nothing uses does not matter; relative ".." inside is fine.
    harmless = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rX" Type="{OFFICE_RELS}/customXml" Target="../../../x.xml"/>'
        "</Relationships>",
    )
    usable = write_package(
        tmp_path / "usable.xlsx",
        [("S", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))],
        parts={"xl/_rels/workbook.xml.rels": harmless % "../xl/worksheets/./sheet1.xml"},
    )
    assert read_all(usable) == [{"A1": ("number", "1", None)}]


def test_too_many_sheets(tmp_path: Path) -> None:
    sheets = [(f"S{i}", sheet_xml("")) for i in range(MAX_SHEETS)]
    assert len(read_workbook(write_package(tmp_path / "max.xlsx", sheets))) == MAX_SHEETS
    sheets.append(("One more", sheet_xml("")))
    with pytest.raises(XlsxError, match=f"more than {MAX_SHEETS} worksheets"):
        read_workbook(write_package(tmp_path / "over.xlsx", sheets))


# --- hostile files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"\x8f\x12" * 5000, b"Product,Dose\nMSC,50000000\n", b"PK\x03\x04" + b"\0" * 100],
    ids=["empty", "random", "csv", "zip-signature-only"],
)
def test_not_a_zip(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(content)
    with pytest.raises(XlsxError, match=re.escape("not an XLSX workbook (not a zip archive)")):
        read_workbook(path)


def test_legacy_xls_and_unreadable_paths(tmp_path: Path) -> None:
    legacy = tmp_path / "old.xlsx"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(XlsxError, match=r"old \.xls"):
        read_workbook(legacy)
    with pytest.raises(XlsxError, match="not a regular file"):
        read_workbook(tmp_path)
    with pytest.raises(XlsxError, match="cannot read the file"):
        read_workbook(tmp_path / "absent.xlsx")


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(XlsxError, match=re.escape("missing part xl/workbook.xml")):
        read_workbook(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/workbook.bin", b"\0")
    with pytest.raises(XlsxError, match="XLSB"):
        read_workbook(path)


def test_duplicate_part_names_are_refused(tmp_path: Path) -> None:
    path = write_package(
        tmp_path / "dup.xlsx", [("S", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))]
    )
    with warnings.catch_warnings(), zipfile.ZipFile(path, "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        archive.writestr(
            "XL/Worksheets/Sheet1.xml", sheet_xml('<row r="1"><c r="A1"><v>2</v></c></row>')
        )
    with pytest.raises(XlsxError, match="twice"):
        read_workbook(path)


def bomb(path: Path, megabytes: int) -> Path:
    """A workbook whose one sheet inflates to ``megabytes`` MiB of spaces (written in chunks)."""
    rels = (
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE_RELS}/worksheet" Target="worksheets/bomb.xml"/></Relationships>'
    )
    write_package(path, [("S", sheet_xml(""))], parts={"xl/_rels/workbook.xml.rels": rels})
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/bomb.xml", "w") as handle,
    ):
        handle.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
        chunk = b" " * (1024 * 1024)
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"</sheetData></worksheet>")
    return path


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx", 200)
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/bomb.xml").file_size > MAX_INFLATED
    start = time.perf_counter()
    message = (
        "the workbook inflates to more than 64 MiB (xl/worksheets/bomb.xml: 200 MiB); "
        "refused as a possible zip bomb"
    )
    with pytest.raises(XlsxError, match=re.escape(message)):
        read_workbook(path)
    assert time.perf_counter() - start < 1.0


def test_high_ratio_part_is_refused(tmp_path: Path) -> None:
    path = bomb(tmp_path / "ratio.xlsx", 4)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/bomb.xml")
    assert MAX_RATIO * info.compress_size < info.file_size < MAX_INFLATED
    with pytest.raises(XlsxError, match=f"more than {MAX_RATIO} times.*zip bomb"):
        read_workbook(path)


def lie_about_size(path: Path, part: str, declared: int) -> None:
    """Patch the central directory so that ``part`` claims to inflate to ``declared`` bytes."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == part.encode():
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


def test_lying_size_header_does_not_inflate(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 30000))
    path = write_package(
        tmp_path / "liar.xlsx",
        [("S", sheet_xml(rows, '<mergeCells><mergeCell ref="A1:B1"/></mergeCells>'))],
    )
    lie_about_size(path, SHEET1, 100)
    assert zipfile.ZipFile(path).getinfo(SHEET1).file_size == 100
    with pytest.raises(XlsxError, match=r"sheet1\.xml"):
        read_all(path)


SECRET = "TOP-SECRET-CONTENT"  # noqa: S105 - the file an XXE would try to read


def xxe(tmp_path: Path, root: str) -> str:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>{root}'


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]>'


def test_entities_and_dtds_are_refused(tmp_path: Path) -> None:
    cases: list[dict[str, str | bytes]] = [
        {"xl/strings.xml": xxe(tmp_path, f'<sst xmlns="{MAIN}"><si><t>&e;</t></si></sst>')},
        {
            "xl/worksheets/sheet1.xml": xxe(
                tmp_path, sheet_xml('<row r="1"><c r="A1" t="str"><v>&e;</v></c></row>')
            )
        },
        {
            "xl/workbook.xml": billion_laughs()
            + f'<workbook xmlns="{MAIN}"><sheets/><x>&lol9;</x></workbook>'
        },
        {
            "xl/styles.xml": billion_laughs()
            + f'<styleSheet xmlns="{MAIN}"><x>&lol9;</x></styleSheet>'
        },
        {
            "_rels/.rels": xxe(
                tmp_path, f'<Relationships xmlns="{PACKAGE_RELS}"><x>&e;</x></Relationships>'
            )
        },
    ]
    for index, parts in enumerate(cases):
        path = write_package(
            tmp_path / f"x{index}.xlsx", [("S", sheet_xml(""))], shared="", styles="", parts=parts
        )
        start = time.perf_counter()
        with pytest.raises(XlsxError, match="declares a DTD") as caught:
            read_all(path)
        assert SECRET not in str(caught.value)
        assert next(iter(parts)) in str(caught.value)
        assert time.perf_counter() - start < 1.0


def test_lone_cell_at_xfd1048576(tmp_path: Path) -> None:
    def fill(ws: Worksheet) -> None:
        ws["XFD1048576"] = "x"

    path = openpyxl_book(tmp_path, fill)
    start = time.perf_counter()
    [sheet] = read_workbook(path)
    rows = list(sheet.rows())
    assert time.perf_counter() - start < 1.0
    assert rows == [(1048576, [])]
    assert sheet.beyond_columns == "XFD1048576"
    assert sheet.beyond_columns_count == 1


def test_changed_file_is_noticed(tmp_path: Path) -> None:
    path = write_package(
        tmp_path / "c.xlsx", [("S", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))]
    )
    [sheet] = read_workbook(path)
    write_package(path, [("S", sheet_xml('<row r="1"><c r="A1"><v>2</v></c></row>'))])
    with pytest.raises(XlsxError, match="changed"):
        list(sheet.rows())
    path.unlink()
    with pytest.raises(XlsxError, match="cannot read the file"):
        list(sheet.rows())


# --- property: what openpyxl writes comes back at the same place --------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=12
).filter(
    lambda s: (
        not s.startswith("=") and s not in ERROR_CODES and not re.search("_x[0-9A-Fa-f]{4}_", s)
    )
)
_VALUE = st.one_of(st.integers(min_value=-(10**15), max_value=10**15), _TEXT)
_GRID = st.dictionaries(
    st.tuples(st.integers(1, 40), st.integers(1, MAX_COLUMNS + 3)), _VALUE, min_size=0, max_size=25
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(grid=_GRID)
def test_openpyxl_grids_round_trip(tmp_path: Path, grid: dict[tuple[int, int], int | str]) -> None:
    def fill(ws: Worksheet) -> None:
        for (row, column), value in grid.items():
            ws.cell(row=row, column=column, value=value)

    [sheet] = read_workbook(openpyxl_book(tmp_path, fill, name="grid"))
    expected = {
        f"{column_letter(column)}{row}": (
            ("number", str(value), None) if isinstance(value, int) else ("text", value, None)
        )
        for (row, column), value in grid.items()
        if column <= MAX_COLUMNS
    }
    assert cells_of(sheet) == expected
    beyond = sorted((row, column) for row, column in grid if column > MAX_COLUMNS)
    assert sheet.beyond_columns == (
        f"{column_letter(beyond[0][1])}{beyond[0][0]}" if beyond else None
    )
    assert sheet.beyond_columns_count == len(beyond)
