"""The command line's grammar: every command, option and help text, and nothing else."""

from __future__ import annotations

import argparse
import textwrap
from typing import NoReturn

from celldose.escape import shown
from celldose.formats import INPUTS, described
from celldose.formatters import FORMATTERS, LISTED

CONVERT_TARGETS = tuple(form.name for form in INPUTS if form.write is not None)

_DESCRIPTION = """\
Validate stem-cell treatment-protocol sheets: the arithmetic (total = dose x days, per side),
units that cannot mix, rows that deliver no cells, and routes. celldose checks a sheet's
consistency; it never recommends a treatment."""

_CHECK_EPILOG = """\
exit status:
  0  no errors (warnings and infos do not fail the check, unless --fail-on or --strict says so)
  1  at least one finding at or above --fail-on (default: error)
  2  usage error (unknown option, a path that does not exist, a bad configuration or baseline)

examples:
  celldose check protocols/
  celldose check knee.yaml --format json
  celldose check sheets/ --exclude 'legacy/*' --strict
  celldose check protocols/ --write-baseline celldose-baseline.json
  celldose check - --stdin-filename knee.yaml < knee.yaml
  celldose check protocols/ --fix
  celldose check protocols/ --diff --unsafe-fixes
  celldose explain CD301"""


class _Parser(argparse.ArgumentParser):
    """argparse, with the words it quotes from the command line escaped in its errors."""

    def error(self, message: str) -> NoReturn:
        super().error(shown(message))


def build_parser() -> argparse.ArgumentParser:
    from celldose import __version__

    parser = _Parser(
        prog="celldose",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"celldose {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser(
        "check",
        help="check protocol files and directories",
        description=textwrap.fill(
            f"Check protocol files, and directories (searched for "
            f"{described([f for f in INPUTS if f.in_folders])}; "
            f"{described([f for f in INPUTS if not f.in_folders])} where the configuration's "
            "include names them).",
            79,
        ),
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="a protocol file, a directory, or - for stdin"
    )
    check.add_argument("--format", choices=LISTED, default=None, help=_format_help())
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default=None,
        help="the lowest severity that makes the exit status 1 (default: error)",
    )
    check.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule"
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        default="<stdin>",
        help=(
            "the path to report for - (standard input); its ending names the format. Without "
            "it the content decides (YAML, pasted text, a web page, a Word document or a "
            "workbook), and stderr says when not YAML"
        ),
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core); output is the same for any N",
    )
    check.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="in directories, skip the files and folders whose name, path relative to the "
        "directory, or path matches this glob (drafts, 'old/*.csv'); repeatable. Files that "
        "git ignores are skipped too; a file named on the command line is always checked",
    )
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="treat files named on the command line as a directory search treats what it "
        "finds (for pre-commit, which names every changed file): --exclude applies, .txt, "
        ".html and .docx are read only when the configuration's include names them, and a "
        "file that is not a protocol (no protocol table; YAML with neither a protocol: nor an "
        "administrations: key, nor a near miss of one) is skipped and counted",
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output: auto (default) on a terminal, unless NO_COLOR is set "
        "(FORCE_COLOR colours a log)",
    )
    check.add_argument(
        "--show-source",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="print each finding's source line with carets under the value (default); "
        "--no-show-source prints one line per finding",
    )
    check.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the findings: no summary line, no warning when no file is found, "
        "no progress",
    )
    check.add_argument(
        "--select",
        metavar="CODES",
        help="report only these rule codes or prefixes, comma-separated (CD3,CD401); "
        "replaces the configuration's select and ignore",
    )
    check.add_argument(
        "--ignore",
        metavar="CODES",
        help="do not report these rule codes or prefixes, comma-separated",
    )
    check.add_argument(
        "--config",
        metavar="FILE",
        help="use this pyproject.toml ([tool.celldose]) or celldose.toml for every file, "
        "instead of the nearest one above each file",
    )
    check.add_argument(
        "--strict", action="store_true", help="warnings fail too (same as --fail-on warning)"
    )
    check.add_argument(
        "--baseline", metavar="FILE", help="report only the findings that are not in FILE"
    )
    check.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record today's findings in FILE as the baseline, print nothing else, exit 0",
    )
    check.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes to YAML, CSV and Markdown files (a missing total, CD303; "
        "counts respelled as the configuration's normalize-counts says), then report what "
        "remains; workbooks (XLSX) are not rewritten",
    )
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, also apply the unsafe fixes (a total that differs from "
        "dose x days, CD301: the dose may be the wrong number)",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print what --fix would change as a unified diff, write nothing; exit 1 if "
        "anything would change",
    )

    show = commands.add_parser(
        "show",
        help="print a protocol as a table with computed totals",
        description=(
            "Print a protocol as a table: each row's computed total beside the written one, "
            "and the protocol's total cells, per side and for all sides."
        ),
    )
    show.add_argument("path", metavar="FILE")
    commands.add_parser(
        "rules",
        help="list every rule: code, severity, name, summary",
        description="List every rule celldose checks.",
    )
    explain = commands.add_parser(
        "explain",
        help="explain a rule, with a failing example and its fix",
        description="Explain a rule (by code, e.g. CD301, or name, e.g. total-mismatch).",
    )
    explain.add_argument("rule", metavar="CODE")
    convert = commands.add_parser(
        "convert",
        help="convert a protocol between YAML, CSV, XLSX, Markdown and FHIR",
        description=(
            "Convert a protocol file to another format, chosen by OUT's ending (.yaml, .csv, "
            ".xlsx, .md, .fhir.json) or by --to. Values are carried over as written, so the "
            "result checks to the same diagnostics; a source with an unreadable value is not "
            "converted. FHIR (a PlanDefinition, R4) is written only for a protocol that checks "
            "without errors. OUT is written atomically and never overwritten without --force; "
            "OUT - writes to standard output."
        ),
    )
    convert.add_argument("source", metavar="IN", help="a protocol file")
    convert.add_argument("target", metavar="OUT", help="the file to write, or - for stdout")
    convert.add_argument("--to", choices=(*CONVERT_TARGETS, "fhir"), help="the output format")
    convert.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    serve = commands.add_parser(
        "serve",
        help="start a page in your browser to drop a sheet and see its report",
        description=(
            "Start a local web page: drop or paste a sheet, see each problem on its cell, "
            "download the corrected or converted sheet. It listens only on this computer "
            "(127.0.0.1) unless --host says otherwise, and its address carries a key (a "
            "token) that every request must present. Ctrl+C stops it."
        ),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1, this computer only; any other "
        "prints a warning)",
    )
    serve.add_argument("--port", type=_port, default=0, help="the port (default: a free one)")
    serve.add_argument("--open", action="store_true", help="also open the page in the browser")
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the protocol format",
        description="Print the JSON Schema exported from celldose's protocol model.",
    )
    schema.add_argument(
        "--config",
        action="store_true",
        help="print the JSON Schema of the configuration ([tool.celldose], celldose.toml)",
    )
    return parser


def _format_help() -> str:
    return "; ".join(f"{name}: {FORMATTERS[name].help}" for name in LISTED)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return int(text)
