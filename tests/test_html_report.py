"""``celldose check --format html``: one self-contained page, read as a browser reads it.

The page is parsed with the standard library's :mod:`html.parser` into a small tree (and its
structure checked: every element closed in order, no script, nothing loaded from elsewhere),
and opened in headless Chromium when ``/usr/bin/chromium`` is installed (Debian's ``chromium``
package; CI installs it), whose DOM and screenshot are checked too.
"""

from __future__ import annotations

import json
import struct
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import PROTOCOLS, ROOT, run_cli
from test_xlsx_sheets import HEADER, workbook

CASES = ROOT / "tests" / "cases"
WRONG_TOTAL = CASES / "seed-wrong-total.yaml"  # CD306 info on row 1's dose, CD301 on row 2's total
CHROMIUM = Path("/usr/bin/chromium")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})
HOSTILE_ROUTE = "<script>alert(1)</script>"
HOSTILE = f"""\
protocol: '"><img src=x onerror=alert(2)> & Co'
condition: "</table><script>alert(3)</script>"
administrations:
  - route: "{HOSTILE_ROUTE}"
    dose: 50,000,000
    days: 2
    total: 50,000,000
    notes: "\\" onmouseover=\\"alert(4)"
"""
TWO_TABLES = """\
# Knee

| Route | Dose | Days | Total |
|---|---|---|---|
| intra-articular | 50,000,000 | 2 | 100,000,000 |

# Hip

| Route | Dose | Days | Total |
|---|---|---|---|
| intra-articular | 50,000,000 | 1 | 60,000,000 |
"""
COLUMNS = ("num", "route", "dose", "days", "sides", "total", "computed", "verdict")


# --- a small DOM, built with html.parser -------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag and (cls is None or cls in n.classes)]

    def one(self, tag: str, cls: str | None = None) -> Node:
        [found] = self.all(tag, cls)
        return found


class TreeBuilder(HTMLParser):
    """Elements as written; in ``strict`` mode every element must be closed, in order."""

    def __init__(self, strict: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.strict = strict
        self.root = Node("#document")
        self.stack = [self.root]
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.strict:
            assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str, strict: bool = True) -> Node:
    builder = TreeBuilder(strict)
    builder.feed(page)
    builder.close()
    if strict:
        assert builder.stack == [builder.root], "unclosed: " + str([n.tag for n in builder.stack])
        assert builder.doctype is not None and builder.doctype.lower() == "doctype html"
    return builder.root


def html_report(*args: str, cwd: Path | None = None, stdin: str | None = None) -> tuple[str, int]:
    result = run_cli("check", *args, "--format", "html", cwd=cwd, stdin=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return result.stdout, result.returncode


def assert_self_contained(root: Node) -> None:
    assert root.all("script") == []
    assert {n.tag for n in root.iter()}.isdisjoint({"link", "img", "iframe", "object", "embed"})
    for node in root.iter():
        assert not any(name.startswith("on") for name in node.attrs), node
        assert "src" not in node.attrs
        if "href" in node.attrs:
            assert node.tag == "a"  # a link to a rule's documentation, or to the page itself
    [style] = root.one("head").all("style")
    assert "url(" not in style.text and "@import" not in style.text


def rows(section: Node) -> list[dict[str, Node]]:
    """A protocol table's body rows as {column: cell}."""
    body = section.one("table", "rows").one("tbody")
    found = []
    for tr in body.all("tr"):
        cells = tr.all("td")
        assert len(cells) == len(COLUMNS)
        by_column = dict(zip(COLUMNS, cells, strict=True))
        for column, cell in by_column.items():
            assert column in cell.classes
        found.append(by_column)
    return found


def texts(row: dict[str, Node]) -> list[str]:
    return [row[c].text for c in COLUMNS]


def diagnostics_by_id(root: Node) -> dict[str, Node]:
    return {li.attrs["id"]: li for li in root.all("li", "diagnostic")}


def codes_of(cell: Node, root: Node) -> list[str]:
    found = diagnostics_by_id(root)
    return [found[ref].one("a", "code").text for ref in cell.attrs["data-diagnostics"].split()]


# --- the page, parsed --------------------------------------------------------------------------


def test_every_diagnostic_is_on_the_page_with_its_rule() -> None:
    args = ("tests/cases", "protocols")
    page, code = html_report(*args)
    report = json.loads(run_cli("check", *args, "--format", "json").stdout)
    assert code == 1
    root = parse(page)
    assert_self_contained(root)
    files = root.all("section", "file")
    assert [f.one("h2").text for f in files] == report["files"]
    items = root.all("li", "diagnostic")
    order = {path: n for n, path in enumerate(report["files"])}  # by file, as they were checked
    expected = sorted(report["diagnostics"], key=lambda d: order[d["path"]])
    assert len(items) == len(expected) > 50
    for li, d in zip(items, expected, strict=True):
        where = f"{d['path']}:{d['line']}:{d['column']}"
        message = d["message"]
        if d["path"].endswith(".xlsx"):  # a workbook's cell, as a spreadsheet names it
            cell = f"{d['sheet']}!{'ABCDEFGH'[d['column'] - 1]}{d['line']}"
            where, message = f"{d['path']} {cell}", message.removeprefix(f"{cell}: ")
        assert li.one("span", "where").text == where
        link = li.one("a", "code")
        assert (link.text, link.attrs["href"]) == (d["code"], d["url"])
        assert li.one("span", "severity").text == d["severity"]
        assert f"sev-{d['severity']}" in li.classes
        assert li.one("span", "message").text == message
        assert li.one("div", "fix").text == f"fix: {d['fix']}"
    rules = root.one("section", "rules")
    explained = {dt.attrs["id"]: dt for dt in rules.all("dt")}
    assert sorted(explained) == sorted({f"rule-{d['code'].lower()}" for d in report["diagnostics"]})
    assert "The total is what a person preparing cells reads" in rules.text  # CD301's explanation
    summary = root.one("p", "summary").text
    assert summary == run_cli("check", *args).stdout.splitlines()[-1]


def test_each_row_has_its_computed_total_and_the_problem_cells_are_marked() -> None:
    page, code = html_report(str(WRONG_TOTAL))
    assert code == 1
    root = parse(page)
    [protocol] = root.all("section", "protocol")
    assert protocol.one("h3").text == "Sacroiliitis"
    myers, joint = rows(protocol)
    assert texts(myers) == [
        "1", "Myers cocktail/NAD", "50,000,000 cells", "1", "-", "N/A", "-", "no cells"
    ]  # fmt: skip
    assert texts(joint) == [
        "2", "Intra-articular/per side", "50,000,000 cells", "1", "1 or 2", "100,000,000 cells",
        "50,000,000 cells per side", "MISMATCH",
    ]  # fmt: skip
    # ("administrations", 1, "total") has the CD301 error; ("administrations", 0, "dose") CD306.
    assert {"problem", "sev-error"} <= joint["total"].classes
    assert codes_of(joint["total"], root) == ["CD301"]
    assert "CD301 error: total 100,000,000 cells" in joint["total"].attrs["title"]
    assert {"problem", "sev-info"} <= myers["dose"].classes
    assert codes_of(myers["dose"], root) == ["CD306"]
    marked = [cell for row in (myers, joint) for cell in row.values() if "problem" in cell.classes]
    assert marked == [myers["dose"], joint["total"]]
    assert "verdict-mismatch" in joint["verdict"].classes
    footer = protocol.one("tfoot")
    total = footer.one("tr", "protocol-total")
    assert total.one("td", "total-computed").text == "50,000,000 or 100,000,000 cells"
    assert total.one("td", "total-written").text == "not written"
    assert footer.one("tr", "protocol-total-words").text.startswith("Total cells: 50,000,000")


def test_computed_totals_per_side_per_kg_and_the_protocol_total(tmp_path: Path) -> None:
    path = tmp_path / "knees.yaml"
    path.write_text(
        "protocol: Knees\nproduct: UC-MSC\npatient_weight: 70 kg\ntotal_cells: 200,000,000\n"
        "administrations:\n"
        "  - {route: intra-articular, dose: 5e7, days: 3, total: '150,000,000'}\n"
        "  - {route: Intra-articular/per side, laterality: bilateral, dose: 10 million cells,"
        " days: 2, total: 20 million cells}\n"
        "  - {route: intravenous, dose: 1 million cells/kg, days: 1, total: '70,000,000'}\n",
        encoding="utf-8",
    )
    root = parse(html_report(str(path))[0])
    [protocol] = root.all("section", "protocol")
    iv_row = ["3", "intravenous", "1,000,000 cells/kg", "1", "-", "70,000,000 cells"]
    assert [texts(r) for r in rows(protocol)] == [
        ["1", "intra-articular", "50,000,000 cells", "3", "-", "150,000,000 cells",
         "150,000,000 cells", "ok"],
        ["2", "Intra-articular/per side", "10,000,000 cells", "2", "2 (bilateral)",
         "20,000,000 cells", "20,000,000 cells per side", "ok"],
        [*iv_row, "70,000,000 cells", "ok"],
    ]  # fmt: skip
    fields = {dt.text: dd.text for dt, dd in zip(root.all("dt"), root.all("dd"), strict=False)}
    assert fields["product"] == "UC-MSC" and fields["patient weight"] == "70 kg"
    total = protocol.one("tr", "protocol-total")
    # 150,000,000 + 2 x 20,000,000 + 70,000,000 = 260,000,000 cells, not the written 200,000,000.
    assert total.one("td", "total-computed").text == "260,000,000 cells"
    written = total.one("td", "total-written")
    assert written.text == "200,000,000 cells"
    assert {"problem", "sev-error"} <= written.classes
    assert codes_of(written, root) == ["CD501"]
    assert total.one("td", "verdict").text == "MISMATCH"


def test_a_route_written_with_its_site_is_shown_with_both(tmp_path: Path) -> None:
    """Issue 16, verdict 5: the HTML route cell names the route and site the sheet means."""
    path = tmp_path / "knee.yaml"
    path.write_text(
        "protocol: Knee\nadministrations:\n"
        "  - {route: knee injection, dose: 5e7, days: 1, total: '50,000,000'}\n",
        encoding="utf-8",
    )
    root = parse(html_report(str(path))[0])
    [protocol] = root.all("section", "protocol")
    [row] = [texts(r) for r in rows(protocol)]
    assert row[1] == "knee injection: intra-articular, knee joint"


def test_hostile_text_is_shown_as_text(tmp_path: Path) -> None:
    path = tmp_path / "<b>hostile&amp;.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    page, _ = html_report(str(path))
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    root = parse(page)
    assert_self_contained(root)
    [protocol] = root.all("section", "protocol")
    assert protocol.one("h3").text == '"><img src=x onerror=alert(2)> & Co'
    [row] = rows(protocol)
    assert row["route"].text == HOSTILE_ROUTE
    assert codes_of(row["route"], root) == ["CD307"]  # an unknown route: a warning on the cell
    assert "sev-warning" in row["route"].classes
    assert protocol.one("dd").text == "</table><script>alert(3)</script>"
    assert root.one("section", "file").one("h2").text == str(path)
    messages = [m.text for m in root.all("span", "message")]
    assert any(HOSTILE_ROUTE in m for m in messages)


def test_characters_html_cannot_carry_are_written_as_escapes() -> None:
    from celldose.diagnostics import Diagnostic, Report, Severity
    from celldose.formatters import html

    odd = "bad\x00\x1b\ud800</li><script>x</script>"
    diagnostic = Diagnostic(
        path="missing\x01.yaml", code="CD301", name="total-mismatch", severity=Severity.ERROR,
        message=odd, fix=odd,
    )  # fmt: skip
    page = html.render(Report.of([diagnostic], ["missing\x01.yaml"]))
    page.encode("utf-8")  # no lone surrogate left to fail the write
    assert "\x00" not in page and "\x1b" not in page and "<script" not in page
    root = parse(page)
    message = root.one("span", "message").text
    assert message == "bad\\x00\\x1b\\ud800</li><script>x</script>"
    # A report made by hand holds no checked file: nothing is read to find one.
    assert root.one("p", "not-loaded").text.startswith("Not shown as a table: the check kept")


def test_a_file_that_does_not_load_shows_its_diagnostics_only() -> None:
    path = CASES / "not-a-protocol.yaml"
    page, code = html_report(str(path), str(WRONG_TOTAL))
    assert code == 1
    root = parse(page)
    broken, loaded = root.all("section", "file")
    assert broken.all("table") == [] and broken.all("section", "protocol") == []
    assert "does not load as a protocol" in broken.one("p", "not-loaded").text
    [li] = broken.all("li", "diagnostic")
    assert li.one("a", "code").text == "CD006"
    assert len(loaded.all("section", "protocol")) == 1 and loaded.all("p", "not-loaded") == []


def test_standard_input_is_shown_from_its_own_bytes_not_a_file_of_its_name() -> None:
    # The stdin filename names a clean file on disk: its rows must not be shown for this input.
    # The check keeps what it read from standard input, so the table shows those rows.
    page, code = html_report(
        "-", "--stdin-filename", "protocols/sacroiliitis.yaml", stdin=WRONG_TOTAL.read_text()
    )
    assert code == 1
    root = parse(page)
    [table] = root.all("table")
    totals = [td.text for td in table.all("td", "total")]
    assert totals[1] == "100,000,000 cells"  # stdin's wrong total, not the file's 50,000,000
    assert root.all("p", "not-loaded") == []
    assert [a.text for a in root.all("a", "code")] == ["CD306", "CD301"]


def test_several_protocols_of_a_file_each_get_their_own_findings(tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "clinic.xlsx",
        ("Knees", [HEADER, ["Intra-articular", 50_000_000, 2, 100_000_000]]),
        ("Hips", [HEADER, ["Intra-articular", 50_000_000, 1, 60_000_000]]),
    )
    page = tmp_path / "two.md"
    page.write_text(TWO_TABLES, encoding="utf-8")
    root = parse(html_report(str(book), str(page))[0])
    workbook_file, markdown_file = root.all("section", "file")
    for section, names in ((workbook_file, ["Knees", "Hips"]), (markdown_file, ["Knee", "Hip"])):
        first, second = section.all("section", "protocol")
        assert [first.one("h3").text.split(" (")[0], second.one("h3").text.split(" (")[0]] == names
        [good], [bad] = rows(first), rows(second)
        assert not any("problem" in cell.classes for cell in good.values())
        assert {"problem", "sev-error"} <= bad["total"].classes
        assert codes_of(bad["total"], root) == ["CD301"]
        assert bad["computed"].text == "50,000,000 cells"
    assert workbook_file.all("section", "protocol")[1].one("h3").text == "Hips (worksheet Hips)"


def test_the_page_is_the_same_on_every_run_and_for_any_jobs() -> None:
    args = ("tests/cases", "protocols")
    first, _ = html_report(*args, "--jobs", "1")
    assert html_report(*args, "--jobs", "2")[0] == first
    assert html_report(*args)[0] == first


def test_a_clean_protocol_has_no_marks() -> None:
    page, code = html_report(str(PROTOCOLS / "chronic-low-back-pain.yaml"))
    assert code == 0
    root = parse(page)
    assert not [n for n in root.iter() if "problem" in n.classes]
    assert root.all("li", "diagnostic") == [] and root.all("section", "rules") == []
    assert {"summary", "ok"} <= root.one("p", "summary").classes


# --- in a browser ------------------------------------------------------------------------------


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--no-first-run",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (Debian: apt-get install chromium); "
    "the HTML report is checked with html.parser only",
)
def test_the_page_in_headless_chromium(tmp_path: Path, record_property: Any) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(HOSTILE, encoding="utf-8")
    page, _ = html_report(str(WRONG_TOTAL), str(CASES / "protocol-total-wrong.yaml"), str(hostile))
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    url = report.as_uri()
    started = time.monotonic()

    dumped = chromium("--dump-dom", url, profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr
    dom = parse(dumped.stdout, strict=False)  # the browser's DOM, as Chromium serialises it
    assert dom.all("script") == []  # nothing from the input became an element
    wrong, bilateral, odd = dom.all("section", "protocol")
    myers, joint = rows(wrong)
    assert texts(joint)[5:] == ["100,000,000 cells", "50,000,000 cells per side", "MISMATCH"]
    assert {"problem", "sev-error"} <= joint["total"].classes
    assert {"problem", "sev-info"} <= myers["dose"].classes
    assert [r["computed"].text for r in rows(bilateral)] == [
        "50,000,000 cells per side", "20,000,000 cells", "10,000,000 cells"
    ]  # fmt: skip
    assert bilateral.one("td", "total-computed").text == "130,000,000 cells"
    assert {"problem", "sev-error"} <= bilateral.one("td", "total-written").classes
    [row] = rows(odd)
    assert row["route"].text == HOSTILE_ROUTE and "sev-warning" in row["route"].classes
    assert odd.one("h3").text == '"><img src=x onerror=alert(2)> & Co'

    shot = tmp_path / "report.png"
    taken = chromium(
        f"--screenshot={shot}", "--window-size=1280,900", url, profile=tmp_path / "profile"
    )
    assert taken.returncode == 0, taken.stderr
    data = shot.read_bytes()
    assert png_size(data) == (1280, 900)
    assert len(data) > 20_000  # a blank 1280x900 page is about 5 KB; the tables make far more
    record_property("chromium_seconds", round(time.monotonic() - started, 2))


# --- links between cells and findings, captions, weights, workbook cells ------------------------

LB_WEIGHT = """\
protocol: Knee
patient_weight: 154 lb
administrations:
  - route: IV
    dose: 1 million cells/kg
    days: 2
    total: 139,706,450
  - route: intra-articular
    per_side: true
    laterality: bilateral
    dose: 0.5 million cells/kg
    days: 1
    total: 50,000,000
"""


def _in_process_page(capsys: pytest.CaptureFixture[str], *args: str) -> Node:
    from celldose.cli import main

    main(["check", "--format", "html", *args])
    return parse(capsys.readouterr().out)


def test_each_highlighted_cell_links_to_its_finding_and_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = _in_process_page(capsys, str(WRONG_TOTAL))
    items = {li.attrs["id"]: li for li in root.all("li", "diagnostic")}
    marked = [n for n in root.iter() if "problem" in n.classes]
    assert len(marked) == len(items) == 2
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    for cell in marked:
        first = cell.all("a")[0]
        target = first.attrs["href"].removeprefix("#")
        assert target in items and target in cell.attrs["data-diagnostics"].split()
        back = items[target].one("a", "back").attrs["href"].removeprefix("#")
        assert back == cell.attrs["id"] and back in ids
    for table in root.all("table", "rows"):
        elements = [c for c in table.children if isinstance(c, Node)]
        assert elements[0] == table.one("caption")  # first child, as HTML requires
        assert table.one("caption").text.startswith("Sacroiliitis")


def test_a_weight_in_pounds_shows_the_span_its_precision_allows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lb.yaml"
    path.write_text(LB_WEIGHT)
    root = _in_process_page(capsys, str(path))
    rows = root.one("table", "rows").one("tbody").all("tr")
    computed = [row.one("td", "computed").text for row in rows]
    assert computed == [
        "139,252,858 to 140,160,042 cells",
        "34,813,215 to 35,040,010 cells per side",
    ]
    verdicts = [row.one("td", "verdict").text for row in rows]
    assert verdicts == ["ok", "MISMATCH"]  # 50,000,000 is no single side of 154 lb x 0.5M/kg
    # Bilateral: both sides, each in the span of the weight's precision.
    assert root.one("td", "total-computed").text == "208,879,287 to 210,240,063 cells"
    words = root.one("tr", "protocol-total-words").text
    assert words.startswith("Total cells: 174,633,062.45 counting each per-side row once")
    assert words.endswith(
        "for the patient_weight's written precision: 208,879,287 to 210,240,063 cells"
    )
    assert "see check" not in root.text and "unknown" not in words


def test_a_workbook_finding_is_labelled_by_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from celldose.cli import main

    yaml_path, xlsx_path = tmp_path / "bad.yaml", tmp_path / "bad.xlsx"
    yaml_path.write_text(WRONG_TOTAL.read_text())
    assert main(["convert", str(yaml_path), str(xlsx_path)]) == 0
    capsys.readouterr()
    root = _in_process_page(capsys, str(xlsx_path))
    wheres = [li.one("span", "where").text for li in root.all("li", "diagnostic")]
    assert wheres == [f"{xlsx_path} Sacroiliitis!B5", f"{xlsx_path} Sacroiliitis!D6"]
    messages = [li.one("span", "message").text for li in root.all("li", "diagnostic")]
    assert not any("Sacroiliitis!" in m for m in messages)
    assert root.one("table", "rows").one("caption").text.startswith("Sacroiliitis")
