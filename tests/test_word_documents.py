"""Word documents (``.docx``): tables as sheets, cells named ``table 1, row 3, cell 2``, and
hostile documents refused with a reason. The documents are built by hand (tests/wordfile.py)."""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from pathlib import Path

import pytest

import celldose
from celldose.cli import main
from celldose.sources.docx_source import MAX_DEPTH
from wordfile import CONTENT_TYPES, RELS, document, paragraph, run, table

SEED_TEXT = (Path(__file__).parent / "data" / "sacroiliitis_pasted.txt").read_text("utf-8")
HEADER = ("Route of Administration", "Dose", "Time (Days)", "Total Cells")
SEED_ROWS = [
    HEADER,
    ("Myers cocktail/NAD", "50,000,000", "1", "N/A"),
    ("Intra-articular/per side", "50,000,000", "1", "50,000,000"),
]
TITLE = paragraph("Sacroiliitis and Stem Cells", "Heading1") + paragraph("Prose about it.")


def write(tmp_path: Path, content: bytes, name: str = "protocol.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def found(path: Path) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in celldose.check_paths([path]).diagnostics]


def test_the_seed_as_a_word_table_gives_the_pasted_protocol(tmp_path: Path) -> None:
    word = write(tmp_path, document(TITLE + table(SEED_ROWS)))
    text = tmp_path / "seed.txt"
    text.write_text(SEED_TEXT, encoding="utf-8")
    as_word = [p.model_dump(mode="json") for p in celldose.load_all(word)]
    assert as_word == [p.model_dump(mode="json") for p in celldose.load_all(text)]
    (info,) = celldose.check_paths([word]).diagnostics
    assert (info.code, info.sheet, info.line, info.column) == ("CD306", "table 1", 2, 2)
    assert info.message.startswith("table 1, row 2, cell 2: dose 50,000,000 cells")


def test_a_cell_is_named_in_text_json_and_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER, ("intravenous", "10 million", "2", "30 million")]
    path = write(tmp_path, document(paragraph("Knee", "Title") + table(rows)))
    assert main(["check", str(path)]) == 1
    text = capsys.readouterr().out
    assert f"{path}:2:4: CD301 error: table 1, row 2, cell 4: total 30,000,000 cells" in text
    assert "<w:" not in text  # the cell, never a line of XML
    main(["check", "--format", "json", str(path)])
    (finding,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert (finding["sheet"], finding["line"], finding["column"]) == ("table 1", 2, 4)
    main(["check", "--format", "sarif", str(path)])
    (result,) = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert result["message"]["text"].startswith("table 1, row 2, cell 4: ")


def test_a_superscript_run_after_10_is_a_power_of_ten(tmp_path: Path) -> None:
    dose = run("5 \u00d7 10") + run("7", superscript=True)
    rows = [HEADER, ("intravenous", dose, "1", "50,000,000")]
    path = write(tmp_path, document(table(rows)))
    assert found(path) == []
    (protocol,) = celldose.load_all(path)
    dose_read = protocol.administrations[0].cell_dose
    assert dose_read is not None and dose_read.magnitude == 50_000_000
    assert protocol.name == "protocol"  # no heading: the file's stem


def test_cells_merged_across_and_down_never_shift_a_value(tmp_path: Path) -> None:
    across = ("intravenous", '<w:gridSpan w:val="2"/>')
    down_start = ("2", '<w:vMerge w:val="restart"/>')
    down_more = ("", "<w:vMerge/>")
    rows = [
        HEADER,
        (across, "2", "20 million"),
        ("intravenous", "10 million", down_start, "20 million"),
        ("intramuscular", "10 million", down_more, "20 million"),
    ]
    path = write(tmp_path, document(table(rows)))
    assert found(path) == [
        (
            "CD008",
            "table 1, row 2, cell 2: covered by table 1, row 2, cell 1 spanning 2 columns; "
            "only its first holds a value",
        ),
        (
            "CD008",
            "table 1, row 4, cell 3: merged with the cell above; only the first cell of a "
            "merge holds its value",
        ),
    ]


def test_a_nested_table_is_read_as_its_own_and_its_cell_says_so(tmp_path: Path) -> None:
    inner = table([HEADER, ("intramuscular", "5 million", "1", "5 million")])
    rows = [HEADER, ("intravenous", inner, "2", "20 million")]
    path = write(tmp_path, document(table(rows)))
    result = celldose.check_paths([path]).diagnostics
    assert [(d.code, d.sheet) for d in result] == [("CD008", "table 1")]
    assert "holds a table of its own" in result[0].message
    assert [p.sheet for p in celldose.check_paths([path], keep=True).files[0].protocols] == [
        "table 1",
        "table 2",
    ]


def test_a_1000_deep_nested_table_stops_at_the_depth_limit(tmp_path: Path) -> None:
    body = "<w:tbl><w:tr><w:tc>" * 1000 + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * 1000
    path = write(tmp_path, document(body))
    started = time.perf_counter()
    assert found(path) == [
        ("CD004", f"tables nested more than {MAX_DEPTH} deep; the deeper ones are not read")
    ]
    assert time.perf_counter() - started < 5


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", b" " * (80 * 1024 * 1024))
    path = write(tmp_path, out.getvalue())
    started = time.perf_counter()
    ((code, message),) = found(path)
    assert time.perf_counter() - started < 2
    assert code == "CD007"
    assert message.startswith("not a readable Word document: the document inflates to more")
    assert message.endswith("refused as a possible zip bomb")


def test_an_external_entity_is_refused_never_fetched(tmp_path: Path) -> None:
    prolog = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    rows = [HEADER, ("&xxe;", "1", "1", "1")]
    raw = document(table(rows), prolog)
    path = write(tmp_path, raw.replace(b"&amp;xxe;", b"&xxe;"))
    ((code, message),) = found(path)
    assert code == "CD007"
    assert message == (
        "not a readable Word document: the document's XML declares a DTD (word/document.xml); "
        "refused"
    )


def test_not_a_zip_and_not_a_word_document(tmp_path: Path) -> None:
    path = write(tmp_path, b"plain text, named .docx")
    assert found(path) == [
        ("CD007", "not a readable Word document: not a Word document (not a zip archive)")
    ]
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("hello.txt", "hi")
    other = write(tmp_path, empty.getvalue(), "other.docx")
    assert found(other) == [
        (
            "CD007",
            "not a readable Word document: not a Word document (it has no word/document.xml)",
        )
    ]


def test_a_document_without_a_protocol_table(tmp_path: Path) -> None:
    path = write(tmp_path, document(paragraph("Minutes") + table([("Date", "Topic")])))
    assert found(path) == [("CD006", "no Word table with a route column")]


def test_standard_input_named_docx_is_read_as_a_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = document(TITLE + table(SEED_ROWS))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["check", "-", "--stdin-filename", "seed.docx"]) == 0
    assert "seed.docx:2:2: CD306 info: table 1, row 2, cell 2" in capsys.readouterr().out


def test_a_long_document_reads_quickly(tmp_path: Path) -> None:
    rows = [HEADER, *[("intravenous", f"{n:,}", "2", f"{2 * n:,}") for n in range(1, 3_001)]]
    path = write(tmp_path, document(table(rows)))
    started = time.perf_counter()
    assert found(path) == []
    assert time.perf_counter() - started < 30  # mostly checking 10,000 rows


def test_the_html_report_and_show_name_the_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER, ("intravenous", "10 million", "2", "30 million")]
    path = write(tmp_path, document(paragraph("Knee", "Heading2") + table(rows)))
    assert main(["check", "--format", "html", str(path)]) == 1
    page = capsys.readouterr().out
    assert "table 1, row 2, cell 4" in page and "<w:" not in page
    main(["show", str(path)])
    shown = capsys.readouterr().out
    assert shown.startswith("Knee (") and "MISMATCH" in shown


def test_standard_input_without_a_name_tells_a_word_document_by_its_parts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = document(TITLE + table(SEED_ROWS))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["check", "-"]) == 0
    captured = capsys.readouterr()
    assert "<stdin>:2:2: CD306 info: table 1, row 2, cell 2" in captured.out
    assert captured.err.startswith("celldose: standard input read as Word (.docx), not YAML")
