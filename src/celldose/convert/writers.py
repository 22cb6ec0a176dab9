"""Protocols as written to YAML, CSV, Markdown and XLSX bytes.

Every writer keeps each value as the source wrote it, so the converted file checks to the same
diagnostics. Sheet writers use the seed sheet's headers (``Route of Administration``, ``Dose``,
``Time (Days)``, ``Total Cells``) and state the protocol's fields in rows above the table.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (formula
injection). CSV cells that start so are written with a leading apostrophe, the mark spreadsheets
use for "this is text", which celldose's reader removes again; XLSX cells are stored with the
string type, which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import io
import re

import yaml

from celldose.convert.raw import RawProtocol
from celldose.sources.csv_source import mark

HEADERS = {
    "route": "Route of Administration",
    "dose": "Dose",
    "days": "Time (Days)",
    "schedule": "Schedule",
    "total": "Total Cells",
    "per_side": "Per side",
    "laterality": "Laterality",
    "product": "Product",
    "volume": "Volume",
    "concentration": "Concentration",
    "sites": "Sites",
    "vials": "Vials",
    "discs": "Discs",
    "notes": "Notes",
}
LABELS = {
    "protocol": "Protocol",
    "condition": "Condition",
    "product": "Product",
    "total_cells": "Total cells",
    "patient_weight": "Patient weight",
}
_NUMBER_KEYS = frozenset({"dose", "days", "total"})
"""Columns whose plain integers are stored as numbers; every other cell stays text."""
_GROUPED_INTEGER = re.compile(r"^(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,14})$")


def to_yaml(protocol: RawProtocol) -> bytes:
    data: dict[str, object] = dict(protocol.fields)
    data["administrations"] = protocol.rows
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text.encode("utf-8")


def to_csv(protocol: RawProtocol) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # so a value's lone \r is quoted too
    for row in _table(protocol):
        writer.writerow([mark(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def to_markdown(protocols: list[RawProtocol]) -> bytes:
    parts = []
    for protocol in protocols:
        lines = [f"# {_inline(protocol.name)}", ""]
        lines += [  # the name too: a heading may not keep it exactly ('# Knee ##' is 'Knee')
            f"{LABELS.get(key, key)}: {_inline(value)}" for key, value in protocol.fields.items()
        ]
        lines.append(": ".join(DECIMAL_MARK))
        keys = protocol.row_keys()
        lines += [
            "",
            "| " + " | ".join(_cell(HEADERS.get(k, k)) for k in keys) + " |",
            "|" + "---|" * len(keys),
        ]
        lines += [
            "| " + " | ".join(_cell(row.get(k, "")) for k in keys) + " |" for row in protocol.rows
        ]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts).encode("utf-8")


def to_xlsx(protocols: list[RawProtocol]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    titles: set[str] = set()
    for protocol in protocols:
        sheet = book.create_sheet(_sheet_title(protocol.name, titles))
        counts = {i for i, key in enumerate(protocol.row_keys(), 1) if key in _NUMBER_KEYS}
        header_row = len(protocol.fields) + 2  # the fields, the decimal mark, the header
        for values in _table(protocol):
            sheet.append([None] * len(values))
            row = sheet.max_row
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column)
                if not value:
                    continue
                is_count = row > header_row and column in counts
                if is_count and _GROUPED_INTEGER.match(value):
                    cell.value = int(value.replace(",", ""))
                    cell.number_format = "#,##0"
                else:
                    cell.value = value
                    cell.data_type = "s"  # never a formula, whatever the text starts with
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def unwritable_in_markdown(protocol: RawProtocol) -> str | None:
    """Why a value would read back differently from Markdown, or None.

    A Markdown cell or ``Label: value`` line holds one line, and asterisks around a value are
    bold markup to the reader.
    """
    values = [(k, v) for k, v in protocol.fields.items()]
    values += [(k, v) for row in protocol.rows for k, v in row.items()]
    for key, value in values:
        if "\n" in value or "\r" in value:
            return f"{key} holds a line break"
        if value.strip().startswith("*") or value.strip().endswith("*"):
            return f"{key} {value!r} starts or ends with an asterisk (bold markup)"
    return None


DECIMAL_MARK = ["Decimal mark", "point"]
"""Written above every converted table: its values are spelled as in YAML (a decimal point,
a comma only for thousands), so the reader must not infer a column's convention."""


def _table(protocol: RawProtocol) -> list[list[str]]:
    rows = [[LABELS.get(key, key), value] for key, value in protocol.fields.items()]
    rows.append(list(DECIMAL_MARK))
    keys = protocol.row_keys()
    rows.append([HEADERS.get(k, k) for k in keys])
    rows += [[row.get(k, "") for k in keys] for row in protocol.rows]
    return rows


def _cell(value: str) -> str:
    return _inline(value).replace("|", "\\|")


def _inline(value: str) -> str:
    """Markdown holds a cell on one line: line breaks become spaces."""
    return " ".join(value.splitlines()) if "\n" in value or "\r" in value else value


def _sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'") or "Protocol"
    base = base[:31]
    title, number = base, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(title.lower())
    return title
