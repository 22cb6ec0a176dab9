"""For people with a browser: one self-contained HTML page (``celldose check --format html``).

The page has, for each checked file, and each protocol in it that loads (as
:func:`celldose.load_all` would load it, from what the check kept: nothing is read or checked
again), the table of ``celldose show``: route, dose, days, sides, the
written and the computed total (dose x days, per side on a per-side row) and a verdict, with
the protocol's total cells below it. A cell whose data pointer has a diagnostic (the written
total for ``("administrations", 1, "total")``) gets the class ``problem`` and ``sev-error``,
``sev-warning`` or ``sev-info`` for its most severe finding; a pointer to a row field without a
column (notes, product) marks the row's number cell. A highlighted cell's text links to its
diagnostic (a second finding's by a number after it), and the diagnostic links back to the
cell ("in the table"); each table has a ``<caption>``. A file that does not load as a protocol
(a syntax error, a missing column) shows its diagnostics only. Then each file's diagnostics
(``path:line:col``, the code linking to its rule's documentation, severity, message, fix), and
once per rule that occurs, its explanation.

Safe with hostile input: every piece of text from a file (routes, names, paths, messages, which
quote the input) passes through :func:`celldose.escape.shown` (control and bidirectional
characters, and lone surrogates, are written as escapes such as ``\\x1b``) and then
:func:`html.escape`, and the page has no script and no external resource: a
Content-Security-Policy forbids both. Deterministic: no times, no host names, no random ids.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pint

from celldose import escape
from celldose.diagnostics import Diagnostic, Pointer, Report, Severity
from celldose.engine import CheckedProtocol, FileResult, ProtocolError, protocols_of
from celldose.formatters.cells import place_name
from celldose.formatters.context import PLAIN, RenderContext
from celldose.formatters.show import computed_total, total_verdict
from celldose.formatters.show import summary as show_summary
from celldose.formatters.show import table_row as show_row
from celldose.formatters.text import summary
from celldose.model import Protocol
from celldose.rules import BY_CODE
from celldose.totals import ProtocolCells, protocol_cells
from celldose.units.format import format_quantity

# The table's columns: a key, the header, and the row fields whose findings mark the cell.
_COLUMNS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("route", "route", frozenset({"route"})),
    ("dose", "dose", frozenset({"dose", "volume", "concentration"})),
    ("days", "days", frozenset({"days"})),
    ("sides", "sides", frozenset({"per_side", "laterality"})),
    ("total", "total (written)", frozenset({"total"})),
    ("computed", "total (computed)", frozenset()),
    ("verdict", "verdict", frozenset()),
)
_FIELD_COLUMN = {field: key for key, _, fields in _COLUMNS for field in fields}
_PROTOCOL_FIELDS = (
    ("condition", "condition"),
    ("product", "product"),
    ("patient_weight", "patient weight"),
)

_STYLE = """
:root { --error: #b3261e; --error-bg: #fde7e6; --warning: #8a5a00; --warning-bg: #fff3cd;
  --info: #1d5fa6; --info-bg: #e3eefb; --ok: #1e6b34; --line: #d0d4da; --muted: #5b6470; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 75rem; padding: 1.5rem; color: #1b1f24; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 0 0 .75rem; overflow-wrap: anywhere; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; overflow-wrap: anywhere; }
h3.problem { padding: .2rem .4rem; }
code, .where { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: .92em; }
.summary { margin: 0 0 .75rem; font-weight: 600; }
.summary.ok { color: var(--ok); } .summary.failed { color: var(--error); }
.legend { margin: 0 0 1.5rem; color: var(--muted); }
.legend span { display: inline-block; padding: 0 .5rem; margin-right: .35rem; }
.file { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem;
  margin: 0 0 1.5rem; }
.note { color: var(--muted); }
.fields { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0 0 .5rem; }
.fields div { display: flex; gap: .4rem; } .fields dt { color: var(--muted); }
.fields dd { margin: 0; overflow-wrap: anywhere; }
table.rows { border-collapse: collapse; width: 100%; margin: 0 0 .5rem; }
table.rows th, table.rows td { border: 1px solid var(--line); padding: .35rem .5rem;
  text-align: left; vertical-align: top; overflow-wrap: break-word; }
table.rows thead th { background: #f3f5f7; font-weight: 600; white-space: nowrap; }
table.rows td.num { color: var(--muted); text-align: right; width: 2.5rem; }
table.rows td.route { overflow-wrap: anywhere; }
table.rows td.verdict { white-space: nowrap; }
table.rows tfoot th { background: #f8f9fa; text-align: right; }
table.rows tfoot tr.protocol-total-words td { color: var(--muted); background: #f8f9fa; }
td.computed { font-weight: 600; }
.verdict-ok { color: var(--ok); } .verdict-mismatch { color: var(--error); font-weight: 700; }
.verdict-no-cells, .verdict-not-checked, .verdict-see-check { color: var(--muted); }
.problem.sev-error, .sev-error.swatch { background: var(--error-bg);
  box-shadow: inset 0 0 0 2px var(--error); }
.problem.sev-warning, .sev-warning.swatch { background: var(--warning-bg);
  box-shadow: inset 0 0 0 2px var(--warning); }
.problem.sev-info, .sev-info.swatch { background: var(--info-bg);
  box-shadow: inset 0 0 0 2px var(--info); }
.problem a { color: inherit; text-decoration: underline dotted; }
.problem a.more { font-size: .8em; vertical-align: super; }
:target { outline: 3px solid var(--info); outline-offset: -3px; }
table.rows caption { text-align: left; color: var(--muted); padding: 0 0 .35rem; }
ol.diagnostics { list-style: none; padding: 0; margin: 0; }
ol.diagnostics li { border-left: 4px solid var(--line); padding: .35rem .75rem;
  margin: 0 0 .5rem; background: #fafbfc; overflow-wrap: anywhere; }
ol.diagnostics li.sev-error { border-color: var(--error); }
ol.diagnostics li.sev-warning { border-color: var(--warning); }
ol.diagnostics li.sev-info { border-color: var(--info); }
.severity { font-weight: 700; text-transform: uppercase; font-size: .8em; }
li.sev-error .severity { color: var(--error); } li.sev-warning .severity { color: var(--warning); }
li.sev-info .severity { color: var(--info); }
.fix { color: #30363d; } .label { color: var(--muted); }
.rules dt { font-weight: 600; margin-top: .75rem; }
.rules dd { margin: .25rem 0 0 1.25rem; }
footer { color: var(--muted); font-size: .85em; margin-top: 2rem; }
"""


@dataclass(frozen=True, slots=True)
class _Table:
    """A protocol of a file, and which of the file's diagnostics are its own."""

    protocol: Protocol
    label: str | None
    """The worksheet, for a workbook."""
    owns: Callable[[Diagnostic], bool]


def render(report: Report, context: RenderContext = PLAIN) -> str:
    """The page: each file's protocols as the check kept them (``keep``), never read again."""
    results = {result.document.path: result for result in report.files}
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.paths}
    for d in report.diagnostics:  # a finding for a path not in paths still gets its section
        by_path.setdefault(d.path, []).append(d)
    from celldose import __version__

    state = "ok" if report.ok else "failed"
    page = context.page
    policy = "default-src 'none'; style-src 'unsafe-inline'"
    if page is not None and page.script is not None:
        policy += "; script-src 'self'"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        f"<title>celldose report: {_e(summary(report))}</title>",
        f"<style>{_STYLE}{page.style if page else ''}</style>",
        *([f'<script src="{_e(page.script)}" defer></script>'] if page and page.script else []),
        "</head>",
        "<body>",
        *([page.before] if page and page.before else []),
        "<header>",
        "<h1>celldose report</h1>",
        f'<p class="summary {state}">{_e(summary(report))}</p>',
        '<p class="legend">Highlighted cells have a finding: '
        '<span class="swatch sev-error">error</span>'
        '<span class="swatch sev-warning">warning</span>'
        '<span class="swatch sev-info">info</span> '
        "celldose checks a sheet's arithmetic and consistency; it never recommends a "
        "treatment.</p>",
        "</header>",
        "<main>",
    ]
    for number, (path, diagnostics) in enumerate(by_path.items(), 1):
        parts.extend(_file(number, path, diagnostics, results.get(path)))
    parts.extend(_rules(report.diagnostics))
    parts += [
        "</main>",
        f"<footer>celldose {_e(__version__)}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    """Text for HTML content or a quoted attribute: control, bidirectional and other characters
    a reader would not see written as escapes (:func:`celldose.escape.shown`, which leaves
    nothing HTML cannot carry), then HTML-escaped."""
    return html.escape(escape.shown(text), quote=True)


def _file(
    number: int, path: str, diagnostics: list[Diagnostic], result: FileResult | None
) -> list[str]:
    ids = _Anchors({id(d): f"d{number}-{i}" for i, d in enumerate(diagnostics, 1)})
    counts = _counts(diagnostics)
    parts = [
        f'<section class="file" id="file-{number}">',
        f"<h2><code>{_e(path)}</code></h2>",
        f'<p class="note">{_e(counts)}</p>',
    ]
    tables: list[_Table] = []
    note: str | None = "the check kept no protocols to show"
    if result is not None:
        tables, problem = _tables(result)
        note = None
        if problem is not None:
            below = "its diagnostics are listed below" if diagnostics else problem
            note = f"the file does not load as a protocol: {below}"
    if note is not None:
        parts.append(f'<p class="note not-loaded">Not shown as a table: {_e(note)}.</p>')
    for index, table in enumerate(tables, 1):
        owned = [d for d in diagnostics if table.owns(d)]
        parts.extend(_protocol(f"file-{number}-protocol-{index}", table, owned, ids))
    if diagnostics:
        parts.append("<h3>Diagnostics</h3>")
        parts.append('<ol class="diagnostics">')
        parts.extend(
            _diagnostic(d, ids.diagnostic[id(d)], ids.cell.get(id(d))) for d in diagnostics
        )
        parts.append("</ol>")
    parts.append("</section>")
    return parts


def _counts(diagnostics: list[Diagnostic]) -> str:
    if not diagnostics:
        return "No findings."
    counted = []
    for severity in Severity:
        n = sum(1 for d in diagnostics if d.severity is severity)
        if n:
            plural = "" if n == 1 or severity is Severity.INFO else "s"
            counted.append(f"{n} {severity.value}{plural}")
    return ", ".join(counted) + "."


def _tables(result: FileResult) -> tuple[list[_Table], str | None]:
    """The file's protocols, each with the test for its own diagnostics; or why there are none."""
    try:
        protocols = protocols_of(result)
    except ProtocolError as exc:
        return [], str(exc)
    if len(protocols) == 1:
        return [_Table(protocols[0], None, lambda d: True)], None
    return [_Table(p.protocol, p.sheet, _owner(p)) for p in result.protocols if p.protocol], None


def _owner(checked: CheckedProtocol) -> Callable[[Diagnostic], bool]:
    """For a file of several tables, which diagnostics are each table's: a workbook's by their
    worksheet, a Markdown page's by the lines of its table (and the text above it)."""
    if checked.sheet is not None:
        return _on_sheet(checked.sheet)
    if checked.lines is not None:
        return _in_lines(*checked.lines)
    return _nothing


def _nothing(d: Diagnostic) -> bool:
    return False


def _on_sheet(sheet: str) -> Callable[[Diagnostic], bool]:
    return lambda d: d.sheet == sheet


def _in_lines(first: int, last: int) -> Callable[[Diagnostic], bool]:
    return lambda d: d.line is not None and first <= d.line <= last


def _protocol(
    anchor: str, table: _Table, diagnostics: list[Diagnostic], ids: _Anchors
) -> list[str]:
    """A protocol's fields, its rows' table and its total; a diagnostic whose pointer has no
    cell here (the protocol's name, or a finding about the whole file) marks the heading."""
    protocol = table.protocol
    placed: set[int] = set()

    def at(found: Iterable[Diagnostic]) -> list[Diagnostic]:
        found = list(found)
        placed.update(id(d) for d in found)
        return found

    fields = [
        f"<div><dt>{_e(label)}</dt>"
        + _cell("field", _field_text(value), at(_on(diagnostics, (key,))), ids, tag="dd")
        + "</div>"
        for key, label in _PROTOCOL_FIELDS
        if (value := getattr(protocol, key)) is not None
    ]
    headers = "".join(f'<th scope="col">{_e(header)}</th>' for _, header, _ in _COLUMNS)
    where = f", worksheet {table.label}" if table.label else ""
    caption = f"<caption>{_e(protocol.name)}{_e(where)}: administrations and totals</caption>"
    rows = [
        '<table class="rows">',
        caption,
        f'<thead><tr><th scope="col">#</th>{headers}</tr></thead>',
    ]
    rows.append("<tbody>")
    cells, weight = protocol_cells(protocol), protocol.patient_weight
    by_row = _by_row(diagnostics)
    for index, row in enumerate(cells.rows):
        texts = dict(zip((key for key, _, _ in _COLUMNS), show_row(row, weight), strict=True))
        by_column: dict[str, list[Diagnostic]] = {}
        for d in at(by_row.get(index, ())):
            field = d.pointer[2] if len(d.pointer) > 2 else None
            by_column.setdefault(_FIELD_COLUMN.get(str(field), "#"), []).append(d)
        row_cells = [_cell("num", str(index + 1), by_column.get("#", []), ids)]
        for key, _, _ in _COLUMNS:
            classes = key
            if key == "verdict":
                classes += " verdict-" + re.sub("[^a-z]+", "-", texts[key].lower()).strip("-")
            row_cells.append(_cell(classes, texts[key], by_column.get(key, []), ids))
        rows.append(f'<tr id="{anchor}-row-{index + 1}">{"".join(row_cells)}</tr>')
    rows.append("</tbody>")
    rows.extend(_totals(protocol, cells, at(_on(diagnostics, ("total_cells",))), ids))
    rows.append("</table>")
    rest = [d for d in diagnostics if id(d) not in placed]
    sheet = f' <span class="note">(worksheet {_e(table.label)})</span>' if table.label else ""
    heading = _cell("name", protocol.name, rest, ids, tag="h3").replace("</h3>", sheet + "</h3>")
    parts = [f'<section class="protocol" id="{anchor}">', heading]
    if fields:
        parts += ['<dl class="fields">', *fields, "</dl>"]
    return [*parts, *rows, "</section>"]


def _by_row(diagnostics: list[Diagnostic]) -> dict[int, list[Diagnostic]]:
    """The diagnostics of each row (``("administrations", index, ...)``), gathered in one pass:
    a sheet of 20,000 wrong rows took 37 s when each row looked through every diagnostic."""
    rows: dict[int, list[Diagnostic]] = {}
    for d in diagnostics:
        pointer = d.pointer
        if len(pointer) >= 2 and pointer[0] == "administrations" and type(pointer[1]) is int:
            rows.setdefault(pointer[1], []).append(d)
    return rows


def _on(diagnostics: list[Diagnostic], pointer: Pointer) -> list[Diagnostic]:
    return [d for d in diagnostics if d.pointer == pointer]


def _cell(classes: str, text: str, found: list[Diagnostic], ids: _Anchors, tag: str = "td") -> str:
    """An element holding ``text``; with findings, marked by the most severe one's class, with
    their messages as its title and their ids in ``data-diagnostics``, its text a link to the
    first finding (and a numbered link to each other one), and an id the findings link back to."""
    if not found:
        return f'<{tag} class="{classes}">{_e(text)}</{tag}>'
    worst = max(d.severity for d in found)
    classes += f" problem sev-{worst.value}"
    title = "&#10;".join(_e(f"{d.code} {d.severity.value}: {d.message}") for d in found)
    refs = [ids.diagnostic[id(d)] for d in found]
    here = f"at-{refs[0]}"
    for d in found:
        ids.cell[id(d)] = here
    links = f'<a href="#{refs[0]}">{_e(text)}</a>' + "".join(
        f' <a class="more" href="#{ref}">{n}</a>' for n, ref in enumerate(refs[1:], 2)
    )
    attributes = f' id="{here}" title="{title}" data-diagnostics="{" ".join(refs)}"'
    return f'<{tag} class="{classes}"{attributes}>{links}</{tag}>'


@dataclass(slots=True)
class _Anchors:
    """The ids of one file's diagnostics, and of the cell each was placed in (filled as the
    tables are written, read when the diagnostics are): each links to the other."""

    diagnostic: dict[int, str]
    cell: dict[int, str] = field(default_factory=dict)


def _field_text(value: object) -> str:
    if isinstance(value, pint.Quantity):
        return format_quantity(value)
    return str(value)


def _totals(
    protocol: Protocol, cells: ProtocolCells, found: list[Diagnostic], ids: _Anchors
) -> list[str]:
    """The protocol's total cells under the rows' total columns: as written (``total_cells``),
    as computed (dose x days x sides over the rows that deliver cells), the verdict; then the
    computed total in words, as ``celldose show`` says it."""
    total = cells.sum
    short = computed_total(total)
    written = protocol.total_cells
    shown, verdict = "not written", ""
    if written is not None:
        shown = format_quantity(written)
        verdict = total_verdict(written, total)
    slug = re.sub("[^a-z]+", "-", verdict.lower()).strip("-")
    label = 'colspan="5" scope="row">protocol total cells'  # under #, route, dose, days, sides
    words = show_summary(cells.rows, total.low, total.high, total.complete)
    return [
        "<tfoot>",
        f'<tr class="protocol-total"><th {label}</th>'
        + _cell("total total-written", shown, found, ids)
        + _cell("computed total-computed", short, [], ids)
        + _cell(f"verdict verdict-{slug}" if slug else "verdict", verdict, [], ids)
        + "</tr>",
        f'<tr class="protocol-total-words"><td colspan="{len(_COLUMNS) + 1}">{_e(words)}</td></tr>',
        "</tfoot>",
    ]


def _diagnostic(d: Diagnostic, anchor: str, cell: str | None) -> str:
    fix = f'<div class="fix"><span class="label">fix:</span> {_e(d.fix)}</div>' if d.fix else ""
    back = f' <a class="back" href="#{cell}">(in the table)</a>' if cell else ""
    where, message = _where(d)
    return (
        f'<li id="{anchor}" class="diagnostic sev-{d.severity.value}">'
        f'<span class="where">{_e(where)}</span>: '
        f'<a class="code" href="{_e(d.url)}">{_e(d.code)}</a> '
        f'<span class="severity">{_e(d.severity.value)}</span> '
        f'<span class="message">{_e(message)}</span> '
        f'<a class="rule" href="#rule-{_e(d.code.lower())}">({_e(d.name)})</a>'
        f"{back}{fix}</li>"
    )


def _where(d: Diagnostic) -> tuple[str, str]:
    """Where, as the text format writes it (``path:line:col``, or the pointer without a line;
    a workbook's cell as ``path Sheet!B4``), and the message (without the cell it repeats)."""
    if d.span is None:
        pointer = "/".join(str(p) for p in d.pointer)
        return (f"{d.path}:/{pointer}" if pointer else d.path), d.message
    cell = place_name(d)
    if cell is not None:
        return f"{d.path} {cell}", d.message.removeprefix(f"{cell}: ")
    return f"{d.path}:{d.span.line}:{d.span.column}", d.message


def _rules(diagnostics: Iterable[Diagnostic]) -> list[str]:
    """Once per rule that occurs, in code order: its summary, explanation and fix."""
    codes = sorted({d.code for d in diagnostics})
    if not codes:
        return []
    parts = ['<section class="rules">', "<h2>Rules</h2>", "<dl>"]
    for code in codes:
        rule = BY_CODE[code]
        parts += [
            f'<dt id="rule-{_e(code.lower())}"><a href="{_e(rule.url)}">{_e(code)}</a> '
            f"{_e(rule.name)} ({_e(rule.severity.value)})</dt>",
            f"<dd><p><strong>{_e(rule.summary)}</strong></p>",
            f"<p>{_markup(rule.explanation)}</p>",
            f'<p class="fix"><span class="label">fix:</span> {_markup(rule.fix)}</p></dd>',
        ]
    parts += ["</dl>", "</section>"]
    return parts


def _markup(text: str) -> str:
    """A rule's text, escaped, with its `backtick` spans as code."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unpaired backtick: no code spans
        return _e(text)
    return "".join(
        f"<code>{_e(piece)}</code>" if odd else _e(piece)
        for odd, piece in ((i % 2 == 1, p) for i, p in enumerate(pieces))
    )
