"""The one table of file formats: what each kind of file is, and how celldose reads and writes it.

Every other module asks this table: the folder walk (which endings to pick up), the reader
(:mod:`celldose.sources.document`), suppressions and the text report (text or not), the fixes
(which planner, or why a format is never rewritten) and ``celldose convert`` (which writer).
Adding an input format is one :class:`Format` entry here and one reader module in
:mod:`celldose.sources`.

Readers are imported when a file of their format is read: a check of YAML files never imports
the CSV, Markdown or workbook readers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from celldose.config import CountSpelling
    from celldose.convert.raw import RawProtocol
    from celldose.diagnostics import Diagnostic
    from celldose.fixes.edits import Planned
    from celldose.sources.problems import SourceProblem
    from celldose.sources.sheet import Grid
    from celldose.sources.text import Loaded


class Shape(Enum):
    """How a format holds a protocol: a tree of fields (YAML) or tables of cells (sheets)."""

    TREE = "tree"
    TABLES = "tables"


TableReader = Callable[["str | bytes", str], "list[Grid] | SourceProblem"]
"""A sheet reader: (the file's text, or a binary file's bytes; the file's stem) -> its
protocol tables, or why it cannot be read."""
TreeReader = Callable[[str], "Loaded"]
"""A tree reader: the file's text -> plain data with its source map and problems."""
FixPlanner = Callable[
    [str, "Format", str, "Sequence[Diagnostic]", "CountSpelling | None"], "Planned"
]
"""(text, its format, the file's stem, its findings, the count spelling) -> the planned edits."""
Writer = Callable[["list[RawProtocol]"], bytes]
"""Protocols as written -> the bytes of a file of this format."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One kind of file."""

    name: str
    """The name ``celldose convert --to`` takes (``yaml``, ``csv``, ``xlsx``, ``md``)."""
    label: str
    """The name people know it by, for messages (``Markdown``)."""
    suffixes: tuple[str, ...]
    """File endings, lower case, the first the usual one."""
    shape: Shape
    binary: bool = False
    """Read as bytes (a workbook), not as text: it has no source lines to show or search."""
    read_tree: TreeReader | None = None
    read_tables: TableReader | None = None
    table_required: bool = False
    """A file found in a folder counts only if it holds a protocol table (a README does not)."""
    plan_fixes: FixPlanner | None = None
    """How fixes are planned; None: files of this format are never rewritten."""
    write: Writer | None = None
    """How ``convert`` writes it; None: not a target."""
    holds_one: bool = False
    """A file holds one protocol (YAML, CSV), not several (worksheets, Markdown tables)."""
    in_folders: bool = True
    """Picked up by a folder walk (otherwise only when named)."""

    @property
    def editable(self) -> bool:
        return self.plan_fixes is not None


# Readers and writers, imported on first use -------------------------------------------------


def _yaml_tree(text: str) -> Loaded:
    from celldose.sources.yaml_source import load_yaml

    return load_yaml(text)


def _csv_tables(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    from celldose.sources.csv_source import csv_grid

    assert isinstance(source, str)
    return [csv_grid(source, name)]


def _markdown_tables(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    from celldose.sources.markdown_source import markdown_grids

    assert isinstance(source, str)
    return markdown_grids(source, name)


def _xlsx_tables(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    from celldose.sources.xlsx_source import xlsx_grids

    assert not isinstance(source, str)
    return xlsx_grids(source, name)


def _text_tables(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    from celldose.sources.text_table import text_grids

    assert isinstance(source, str)
    return text_grids(source, name)


def _html_tables(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    from celldose.sources.html_source import html_grids

    assert isinstance(source, str)
    return html_grids(source, name)


def _docx_tables(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    from celldose.sources.docx_source import docx_grids

    return docx_grids(source, name)


def _plan_yaml(
    text: str,
    form: Format,
    name: str,
    diagnostics: Sequence[Diagnostic],
    spelling: CountSpelling | None,
) -> Planned:
    from celldose.fixes.yaml_fixes import plan_yaml

    return plan_yaml(text, diagnostics, spelling)


def _plan_sheet(
    text: str,
    form: Format,
    name: str,
    diagnostics: Sequence[Diagnostic],
    spelling: CountSpelling | None,
) -> Planned:
    from celldose.fixes.sheet_fixes import plan_sheet

    return plan_sheet(text, form, name, diagnostics, spelling)


def _write_yaml(protocols: list[RawProtocol]) -> bytes:
    from celldose.convert.writers import to_yaml

    return to_yaml(protocols[0])


def _write_csv(protocols: list[RawProtocol]) -> bytes:
    from celldose.convert.writers import to_csv

    return to_csv(protocols[0])


def _write_markdown(protocols: list[RawProtocol]) -> bytes:
    from celldose.convert.writers import to_markdown

    return to_markdown(protocols)


def _write_xlsx(protocols: list[RawProtocol]) -> bytes:
    from celldose.convert.writers import to_xlsx

    return to_xlsx(protocols)


# The table -----------------------------------------------------------------------------------

YAML = Format(
    name="yaml",
    label="YAML",
    suffixes=(".yaml", ".yml"),
    shape=Shape.TREE,
    read_tree=_yaml_tree,
    plan_fixes=_plan_yaml,
    write=_write_yaml,
    holds_one=True,
)
CSV = Format(
    name="csv",
    label="CSV",
    suffixes=(".csv",),
    shape=Shape.TABLES,
    read_tables=_csv_tables,
    plan_fixes=_plan_sheet,
    write=_write_csv,
    holds_one=True,
)
XLSX = Format(
    name="xlsx",
    label="XLSX",
    suffixes=(".xlsx",),
    shape=Shape.TABLES,
    binary=True,
    read_tables=_xlsx_tables,
    write=_write_xlsx,
)
MARKDOWN = Format(
    name="md",
    label="Markdown",
    suffixes=(".md", ".markdown"),
    shape=Shape.TABLES,
    read_tables=_markdown_tables,
    table_required=True,
    plan_fixes=_plan_sheet,
    write=_write_markdown,
)

TEXT = Format(
    name="txt",
    label="text",
    suffixes=(".txt",),
    shape=Shape.TABLES,
    read_tables=_text_tables,
    table_required=True,
    in_folders=False,  # notes and READMEs are not protocols: a folder walk reads them if configured
)

HTML = Format(
    name="html",
    label="HTML",
    suffixes=(".html", ".htm"),
    shape=Shape.TABLES,
    read_tables=_html_tables,
    table_required=True,
    in_folders=False,  # a repository's web pages are not protocols unless configured
)

DOCX = Format(
    name="docx",
    label="Word",
    suffixes=(".docx",),
    shape=Shape.TABLES,
    binary=True,
    read_tables=_docx_tables,
    table_required=True,
    in_folders=False,  # documents are not protocols unless configured
)

INPUTS: tuple[Format, ...] = (YAML, CSV, XLSX, MARKDOWN, TEXT, HTML, DOCX)
"""Every format celldose reads, in the order help texts list them."""
FHIR_SUFFIX = ".fhir.json"
"""A FHIR export (``convert`` only): written from checked protocols, never read."""

BY_SUFFIX: MappingProxyType[str, Format] = MappingProxyType(
    {suffix: form for form in INPUTS for suffix in form.suffixes}
)
BY_NAME: MappingProxyType[str, Format] = MappingProxyType({f.name: f for f in INPUTS})
FOLDER_SUFFIXES = frozenset(s for f in INPUTS if f.in_folders for s in f.suffixes)
"""The endings a folder walk picks up."""


def suffix_of(name: str) -> str:
    """``Path(name).suffix.lower()`` without building a Path (a walk asks it of every file)."""
    _, dot, extension = name.rpartition(".")
    return "." + extension.lower() if dot and _ and extension else ""


def for_path(path: str | os.PathLike[str]) -> Format:
    """The format a file name says; YAML for any other ending (and for ``<stdin>``)."""
    name = os.fspath(path)
    return BY_SUFFIX.get(suffix_of(os.path.basename(name)), YAML)  # noqa: PTH119


def described(forms: Sequence[Format] = INPUTS) -> str:
    """``*.yaml, *.yml, *.csv, *.xlsx, *.md, *.markdown``, for help and messages."""
    return ", ".join(f"*{suffix}" for form in forms for suffix in form.suffixes)
