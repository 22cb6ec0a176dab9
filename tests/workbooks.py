"""Workbooks built from a YAML description: the notation of the workbook rules' examples.

::

    sheets:
      - name: Protocol
        state: hidden                       # optional: visible, hidden, veryHidden
        rows:
          - [Route, Dose, Days, Total]      # a row of cells
          - hidden: [IV, 5, 1, 5]           # a hidden row
          - [IV, {value: 5, format: "0%"}]  # a cell with a number format
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet


def build_workbook(description: str, path: Path) -> Path:
    """Write the workbook ``description`` describes to ``path``, with openpyxl."""
    spec = yaml.safe_load(description)
    book = Workbook()
    default = book.active
    assert isinstance(default, Worksheet)
    book.remove(default)
    for sheet_spec in spec["sheets"]:
        sheet = book.create_sheet(str(sheet_spec["name"]))
        sheet.sheet_state = sheet_spec.get("state", "visible")
        for number, row in enumerate(sheet_spec["rows"], start=1):
            hidden = isinstance(row, dict)
            cells: list[Any] = row["hidden"] if hidden else row
            for column, cell in enumerate(cells, start=1):
                target = sheet.cell(number, column)
                if isinstance(cell, dict):
                    target.value = cell["value"]
                    target.number_format = str(cell["format"])
                else:
                    target.value = cell
            if hidden:
                sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path
