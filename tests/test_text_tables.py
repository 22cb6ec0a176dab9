"""Pasted text (``.txt`` and standard input): the protocol table inside a page of prose, in each
shape copying produces, checked as a user runs it."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest

import celldose
from celldose.cli import main
from celldose.sources.document import document_of_bytes, document_of_text, parse
from celldose.sources.run_together import MAX_RUN, Outcome, header_columns, split_row
from conftest import run_process

SEED = Path(__file__).parent / "data" / "sacroiliitis_pasted.txt"
"""The reference protocol as a web page copied as text (the seed, unchanged)."""
SEED_TEXT = SEED.read_text(encoding="utf-8")
RECOVERED = [
    (
        "CD015",
        "columns ran together; read as route 'Myers cocktail/NAD' | dose 50,000,000 | days 1 "
        "| total N/A",
    ),
    (
        "CD306",
        "dose 50,000,000 cells on the non-cell adjunct row 'Myers cocktail/NAD' is not counted: "
        "its total says no cells are delivered",
    ),
    (
        "CD015",
        "columns ran together; read as route 'Intra-articular/per side' | dose 50,000,000 | "
        "days 1 | total 50,000,000",
    ),
]
PROSE = "Sacroiliitis and Stem Cells\n\nA paragraph of prose. It says nothing: of use.\n\n"
ROWS = [
    ("Route of Administration", "Dose", "Time (Days)", "Total Cells"),
    ("Myers cocktail/NAD", "50,000,000", "1", "N/A"),
    ("Intra-articular/per side", "50,000,000", "1", "50,000,000"),
]


def findings(path: Path) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in celldose.check_paths([path]).diagnostics]


def protocol_of(path: Path) -> dict[str, object]:
    (protocol,) = celldose.load_all(path)
    return protocol.model_dump(mode="json")


def test_the_seed_as_text_gives_its_two_rows_and_how_they_were_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "seed.txt"
    path.write_bytes(SEED_TEXT.encode())
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "seed.txt:18:1: CD015 info: columns ran together" in out
    assert findings(path) == RECOVERED
    protocol = protocol_of(path)
    assert protocol["name"] == "Sacroiliitis and Stem Cells"
    assert protocol["condition"] == "Sacroiliitis"
    rows = protocol["administrations"]
    assert isinstance(rows, list) and len(rows) == 2


def test_the_seed_piped_on_standard_input_is_told_from_yaml_by_its_content() -> None:
    result = run_process("check", "-", stdin=SEED_TEXT)  # a real pipe, into a real process
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("CD015 info") == 2 and result.stdout.count("CD306 info") == 1
    assert "<stdin>:18:1: CD015 info: columns ran together" in result.stdout
    assert "Checked 1 file: 3 info." in result.stdout
    assert result.stderr == (
        "celldose: standard input read as text (.txt), not YAML; --stdin-filename NAME says "
        "which format it is\n"
    )


def stdin_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    status = main(["check", "-", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_seed_on_standard_input_named_as_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = stdin_check(monkeypatch, capsys, SEED_TEXT, "--stdin-filename", "s.txt")
    assert (status, err) == (0, "")  # named: nothing was guessed
    assert "s.txt:19:1: CD015 info" in out and "Checked 1 file: 3 info." in out


@pytest.mark.parametrize(
    ("data", "chosen"),
    [
        ("protocol: Knee\nadministrations: []\n", None),
        ("Route\tDose\tDays\tTotal\nintravenous\t1\t1\t1\n", "text"),
        ("just some prose, no table\n", None),
        ("- route: intravenous\n", None),
    ],
)
def test_standard_input_without_a_name_says_when_it_is_not_read_as_yaml(
    data: str,
    chosen: str | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, err = stdin_check(monkeypatch, capsys, data)
    assert err == (
        ""
        if chosen is None
        else f"celldose: standard input read as {chosen} (.txt), not YAML; --stdin-filename "
        "NAME says which format it is\n"
    )
    _, _, quiet = stdin_check(monkeypatch, capsys, data, "--quiet")
    assert quiet == ""


def test_a_document_of_standard_input_records_that_its_content_chose_the_format() -> None:
    document = document_of_bytes(SEED_TEXT.encode(), "<stdin>")
    assert (document.format.name, document.sniffed) == ("txt", True)
    named = document_of_bytes(SEED_TEXT.encode(), "notes")
    assert (named.format.name, named.sniffed) == ("yaml", False)  # a name decides, as before


def test_the_seed_converts_to_yaml_that_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = tmp_path / "seed.txt", tmp_path / "seed.yaml"
    source.write_text(SEED_TEXT, encoding="utf-8")
    assert main(["convert", str(source), str(target)]) == 0
    written = target.read_text(encoding="utf-8")
    assert written.startswith("protocol: Sacroiliitis and Stem Cells\ncondition: Sacroiliitis\n")
    assert [d.code for d in celldose.check_paths([target]).diagnostics] == ["CD306"]


@pytest.mark.parametrize(
    ("shape", "render"),
    [
        ("tabs", lambda row: "\t".join(row)),
        ("aligned", lambda row: "".join(cell.ljust(28) for cell in row).rstrip()),
        ("pipes", lambda row: "| " + " | ".join(row) + " |"),
    ],
)
def test_each_shape_of_pasted_table_gives_the_seed_protocol(
    shape: str, render: object, tmp_path: Path
) -> None:
    assert callable(render)
    table = "\n".join(render(row) for row in ROWS)
    path = tmp_path / "page.txt"
    path.write_text(PROSE + table + "\n\nReferences follow. 20 Aug. 2020.\n", encoding="utf-8")
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED_TEXT, encoding="utf-8")
    assert protocol_of(path) == protocol_of(seed)
    assert [code for code, _ in findings(path)] == ["CD306"]  # nothing recovered: no CD015


def test_a_pipe_table_keeps_its_separator_line_out_of_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Knee\n\n| Route | Dose | Days | Total |\n|---|---|---|---|\n"
        "| intra-articular | 10 million | 2 | 20 million |\n",
        encoding="utf-8",
    )
    assert findings(path) == []
    assert protocol_of(path)["name"] == "Knee"


def test_an_aligned_row_with_an_empty_cell_is_placed_by_its_position(tmp_path: Path) -> None:
    path = tmp_path / "pdf.txt"
    path.write_text(
        "Route            Dose         Days   Total        Notes\n"
        "intra-articular  10 million   2      20 million\n"
        "intravenous      5 million    1      5 million    slow push\n"
        "intravenous                   1      5 million\n",
        encoding="utf-8",
    )
    result = findings(path)
    assert [code for code, _ in result] == ["CD304"], result  # the dose is missing, not shifted
    assert "dose" in result[0][1]


def test_an_aligned_row_whose_cells_share_a_column_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pdf.txt"
    path.write_text(
        "Route            Dose         Days   Total\n"
        "intra-articular  10 million   2      20 million\n"
        "intravenous  5  million  1  5 million\n",
        encoding="utf-8",
    )
    (problem,) = celldose.check_paths([path]).diagnostics
    assert (problem.code, problem.line) == ("CD017", 3)
    assert "do not stand under distinct columns" in problem.message


def test_a_wrong_run_together_total_is_cd301_with_the_other_readings_named(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Route of AdministrationDoseTime (Days)Total Cells\nIntra-articular1111\n", encoding="utf-8"
    )
    result = findings(path)
    assert [code for code, _ in result] == ["CD015", "CD301"]
    assert result[0][1] == (
        "columns ran together, and no reading makes total = dose x days; read as route "
        "'Intra-articular' | dose 1 | days 1 | total 11 (the closest); other readings: "
        "dose 1 | days 11 | total 1; dose 11 | days 1 | total 1"
    )


def test_an_ambiguous_run_together_row_lists_its_readings_and_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Route of AdministrationDoseTime (Days)Total Cells\nIntra-articular1011N/A\n"
        "intravenous10,000,000110,000,000\n",
        encoding="utf-8",
    )
    result = findings(path)
    assert result[0] == (
        "CD016",
        "columns ran together, and 2 readings of '1011N/A' fit: dose 10 | days 11 | total N/A; "
        "dose 101 | days 1 | total N/A; the row is not read",
    )
    assert [code for code, _ in result] == ["CD016", "CD015"]
    with pytest.raises(celldose.ProtocolError):
        celldose.load_all(path)  # an unread row: the protocol does not load


def test_a_run_together_row_without_valid_grouping_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Route of AdministrationDoseTime (Days)Total Cells\nKnee5,00,00\n", encoding="utf-8"
    )
    (problem,) = celldose.check_paths([path]).diagnostics
    assert problem.code == "CD017"
    assert "no split of '5,00,00' into dose, days, total has valid thousands grouping" in (
        problem.message
    )


def test_a_run_of_200_digits_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Route of AdministrationDoseTime (Days)Total Cells\nKnee" + "1" * 200 + "\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    (problem,) = celldose.check_paths([path]).diagnostics
    assert time.perf_counter() - started < 2
    assert problem.code == "CD004"
    assert f"at most {MAX_RUN} are split" in problem.message


def test_the_longest_run_searched_stays_fast() -> None:
    started = time.perf_counter()
    split = split_row("Knee" + "1" * MAX_RUN, ("dose", "days", "total"))
    assert split is not None and split.outcome is not Outcome.TOO_LONG
    assert time.perf_counter() - started < 1


def test_a_text_file_of_one_5_mb_line_is_not_a_protocol(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Route Dose Days Total " + "x" * 5_000_000, encoding="utf-8")
    started = time.perf_counter()
    (problem,) = celldose.check_paths([path]).diagnostics
    assert time.perf_counter() - started < 5
    assert (problem.code, problem.message) == ("CD006", "no text table with a route column")


def test_prose_mentioning_a_route_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Route of administration  varies by clinic.\n", encoding="utf-8")
    assert [code for code, _ in findings(path)] == ["CD006"]


def test_two_tables_on_a_page_are_two_protocols(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Knee\n\nRoute\tDose\tDays\tTotal\nintra-articular\t10 million\t2\t20 million\n\n\n"
        "Hip\n\nRoute\tDose\tDays\tTotal\nintra-articular\t5 million\t1\t5 million\n",
        encoding="utf-8",
    )
    names = [p.name for p in celldose.load_all(path)]
    assert names == ["Knee", "Hip"]


def test_a_stated_condition_wins_over_the_title(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Sacroiliitis and Stem Cells\n\nCondition: SI joint dysfunction\n"
        "Route\tDose\tDays\tTotal\nintra-articular\t10 million\t2\t20 million\n",
        encoding="utf-8",
    )
    protocol = protocol_of(path)
    assert (protocol["name"], protocol["condition"]) == (
        "Sacroiliitis and Stem Cells",
        "SI joint dysfunction",
    )


def test_without_a_title_the_file_name_names_the_protocol(tmp_path: Path) -> None:
    path = tmp_path / "knee-protocol.txt"
    path.write_text(
        "The protocol we use, as given to patients, is as follows in the table below.\n"
        "Route\tDose\tDays\tTotal\nintra-articular\t10 million\t2\t20 million\n",
        encoding="utf-8",
    )
    assert protocol_of(path)["name"] == "knee-protocol"


def test_json_output_places_the_recovered_row_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")
    assert main(["check", "--format", "json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    lines = [(d["code"], d["line"], d["severity"]) for d in report["diagnostics"]]
    table = SEED_TEXT.splitlines().index("Myers cocktail/NAD50,000,0001N/A") + 1
    assert lines == [
        ("CD015", table, "info"),
        ("CD306", table, "info"),
        ("CD015", table + 1, "info"),
    ]


def test_a_run_together_header_needs_the_route_first_and_the_three_numbers() -> None:
    assert header_columns("DoseRoute of AdministrationTime (Days)Total Cells") is None
    assert header_columns("RouteDoseTotal") is None
    found = header_columns("RouteTotal CellsDoseDays")
    assert found is not None and [c.field for _, c in found] == ["route", "total", "dose", "days"]


def test_a_text_document_in_memory_reads_like_a_file() -> None:
    document = document_of_text("Route\tDose\tDays\tTotal\nIV\t1\t1\t1\n", "<paste>.txt")
    assert len(parse(document).tables) == 1


def test_fix_leaves_pasted_text_as_it_is_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paste.txt"
    path.write_text("Route\tDose\tDays\tTotal\nintravenous\t1\t2\t3\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["check", "--fix", "--unsafe-fixes", str(path)]) == 1
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "fixes apply to YAML, CSV and Markdown; text files are not rewritten" in said
    assert path.read_bytes() == before
