"""Saved web pages (``.html``, ``.htm``): each table with a route column is a protocol, located
in the page's source, and hostile pages are refused quickly with a reason."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import celldose
from celldose.cli import main
from celldose.sources.html_source import MAX_DEPTH

SEED_TEXT = (Path(__file__).parent / "data" / "sacroiliitis_pasted.txt").read_text("utf-8")
HEADER = (
    "<tr><th>Route of Administration</th><th>Dose</th><th>Time (Days)</th><th>Total Cells</th></tr>"
)
SEED_ROWS = (
    "<tr><td>Myers cocktail/NAD</td><td>50,000,000</td><td>1</td><td>N/A</td></tr>\n"
    "<tr><td>Intra-articular/per side</td><td>50,000,000</td><td>1</td><td>50,000,000</td></tr>"
)


def page(body: str, title: str = "Sacroiliitis and Stem Cells") -> str:
    return (
        "<!DOCTYPE html>\n<html><head><title>Clinic</title>"
        '<script>document.write("<table><tr><td>Route</td></tr></table>")</script></head>\n'
        f"<body>\n<h1>{title}</h1>\n<p>Prose about the condition.</p>\n{body}\n</body></html>\n"
    )


def write(tmp_path: Path, text: str, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def dumped(path: Path) -> list[dict[str, object]]:
    return [p.model_dump(mode="json") for p in celldose.load_all(path)]


def test_the_seed_saved_as_a_web_page_gives_the_pasted_protocol(tmp_path: Path) -> None:
    html = write(tmp_path, page(f"<table>\n{HEADER}\n{SEED_ROWS}\n</table>"))
    text = write(tmp_path, SEED_TEXT, "seed.txt")
    assert dumped(html) == dumped(text)
    (only,) = celldose.check_paths([html]).diagnostics
    assert (only.code, only.line, only.column) == ("CD306", 8, 36)  # the dose cell's source


def test_copying_losses_are_kept_br_entities_and_superscript_powers(tmp_path: Path) -> None:
    rows = (
        "<tr><td>Intra-articular<br>/per&nbsp;side</td>"
        "<td>5&nbsp;&times;&nbsp;10<sup>7</sup></td><td>1</td><td>50,000,000</td></tr>"
    )
    path = write(tmp_path, page(f"<table>{HEADER}{rows}</table>", "Knee"))
    assert celldose.check_paths([path]).diagnostics == ()
    (protocol,) = celldose.load_all(path)
    (row,) = protocol.administrations
    assert (row.route, row.per_side) == ("Intra-articular /per side", True)
    assert row.cell_dose is not None and row.cell_dose.magnitude == 50_000_000


def test_a_wrong_power_of_ten_is_a_wrong_total(tmp_path: Path) -> None:
    rows = (
        "<tr><td>intravenous</td><td>5 &times; 10<sup>6</sup></td><td>1</td>"
        "<td>50,000,000</td></tr>"
    )
    path = write(tmp_path, page(f"<table>{HEADER}{rows}</table>", "Knee"))
    (finding,) = celldose.check_paths([path]).diagnostics
    assert finding.code == "CD301" and "5,000,000 cells" in finding.message


def test_two_tables_are_two_protocols_named_by_their_headings(tmp_path: Path) -> None:
    body = (
        f"<table>{HEADER}{SEED_ROWS}</table>\n<h2>Knee</h2>\n"
        "<p>Condition: knee osteoarthritis</p>\n"
        f"<table>{HEADER}<tr><td>intra-articular</td><td>10 million</td><td>2</td>"
        "<td>20 million</td></tr></table>\n<table><tr><td>Opening hours</td></tr></table>"
    )
    first, second = dumped(write(tmp_path, page(body)))
    assert (first["name"], first["condition"]) == ("Sacroiliitis and Stem Cells", "Sacroiliitis")
    assert (second["name"], second["condition"]) == ("Knee", "knee osteoarthritis")


def test_a_cell_spanning_rows_is_reported_not_copied_or_shifted(tmp_path: Path) -> None:
    rows = (
        '<tr><td>intravenous</td><td>10 million</td><td rowspan="2">2</td><td>20 million</td></tr>'
        "<tr><td>intramuscular</td><td>10 million</td><td>20 million</td></tr>"
    )
    path = write(tmp_path, page(f"<table>{HEADER}{rows}</table>", "Knee"))
    found = [(d.code, d.message) for d in celldose.check_paths([path]).diagnostics]
    assert found == [("CD008", "covered by the cell spanning 2 rows; only its first holds a value")]


def test_a_cell_spanning_columns_keeps_the_next_value_in_its_column(tmp_path: Path) -> None:
    rows = '<tr><td colspan="2">intravenous</td><td>2</td><td>20 million</td></tr>'
    path = write(tmp_path, page(f"<table>{HEADER}{rows}</table>", "Knee"))
    found = [(d.code, d.message) for d in celldose.check_paths([path]).diagnostics]
    assert found == [
        ("CD008", "covered by the cell spanning 2 columns; only its first holds a value")
    ]


def test_a_nested_table_is_announced_in_its_cell(tmp_path: Path) -> None:
    rows = (
        "<tr><td>intravenous</td><td><table><tr><td>10 million</td></tr></table></td>"
        "<td>2</td><td>20 million</td></tr>"
    )
    path = write(tmp_path, page(f"<table>{HEADER}{rows}</table>", "Knee"))
    (finding,) = celldose.check_paths([path]).diagnostics
    assert finding.code == "CD008" and "holds a table of its own" in finding.message


def test_a_page_without_a_protocol_table(tmp_path: Path) -> None:
    path = write(tmp_path, page("<table><tr><td>Opening hours</td><td>9-5</td></tr></table>"))
    (finding,) = celldose.check_paths([path]).diagnostics
    assert (finding.code, finding.message) == ("CD006", "no HTML table with a route column")


def test_a_page_of_50_mb_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.htm"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("<html><body>")
        chunk = "<p>" + "x" * 1020 + "</p>"
        for _ in range(50 * 1024):
            handle.write(chunk)
    started = time.perf_counter()
    (finding,) = celldose.check_paths([path]).diagnostics
    assert time.perf_counter() - started < 2
    assert finding.code == "CD004" and "larger than 10 MiB" in finding.message


def test_ten_thousand_nested_tags_cost_nothing(tmp_path: Path) -> None:
    table = f"<table>{HEADER}<tr><td>intravenous</td><td>1</td><td>1</td><td>1</td></tr></table>"
    path = write(tmp_path, "<div>" * 10_000 + table + "</div>" * 10_000)
    started = time.perf_counter()
    assert celldose.check_paths([path]).diagnostics == ()
    assert time.perf_counter() - started < 5


def test_deeply_nested_tables_stop_at_the_depth_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "<table><tr><td>" * 10_000 + "x" + "</td></tr></table>" * 10_000)
    (finding,) = celldose.check_paths([path]).diagnostics
    assert finding.code == "CD004"
    assert (
        finding.message == f"tables nested more than {MAX_DEPTH} deep; the deeper ones are not read"
    )


def test_a_table_of_10000_columns_reads_64(tmp_path: Path) -> None:
    head = "<tr><th>Route</th><th>Dose</th><th>Days</th><th>Total</th>" + "<th>Notes</th>" * 9_996
    row = "<tr><td>intravenous</td><td>1</td><td>1</td><td>1</td></tr>"
    path = write(tmp_path, f"<table>{head}</tr>{row}</table>")
    started = time.perf_counter()
    codes = [d.code for d in celldose.check_paths([path]).diagnostics]
    assert time.perf_counter() - started < 5
    assert codes[0] == "CD004" or "CD004" in codes
    limit = next(d for d in celldose.check_paths([path]).diagnostics if d.code == "CD004")
    assert limit.message == "a table row of 10000 cells; only the first 64 are read"


def test_the_html_report_and_json_work_for_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, page(f"<table>{HEADER}{SEED_ROWS}</table>"))
    assert main(["check", "--format", "json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in report["diagnostics"]] == ["CD306"]
    assert main(["check", "--format", "html", str(path)]) == 0
    html = capsys.readouterr().out
    assert "Myers cocktail/NAD" in html and "Sacroiliitis and Stem Cells" in html


def test_standard_input_holding_a_page_is_read_as_one() -> None:
    from celldose.sources.document import document_of_bytes

    document = document_of_bytes(page(f"<table>{HEADER}{SEED_ROWS}</table>").encode(), "<stdin>")
    assert (document.format.name, document.sniffed) == ("html", True)
