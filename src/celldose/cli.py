"""Command-line interface: parse arguments, call the API, print with a formatter, exit.

Exit codes: 0 no error (warnings and infos do not fail), 1 at least one error, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2

_DESCRIPTION = """\
Validate stem-cell treatment-protocol sheets: the arithmetic (total = dose x days, per side),
units that cannot mix, rows that deliver no cells, and routes. celldose checks a sheet's
consistency; it never recommends a treatment."""

_CHECK_EPILOG = """\
exit status:
  0  no errors (warnings and infos do not fail the check)
  1  at least one error
  2  usage error (unknown option, a path that does not exist)

examples:
  celldose check protocols/
  celldose check knee.yaml --format json"""


def build_parser() -> argparse.ArgumentParser:
    from celldose import __version__

    parser = argparse.ArgumentParser(
        prog="celldose",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"celldose {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser(
        "check",
        help="check protocol files and directories",
        description="Check protocol files, and directories (searched for *.yaml and *.yml).",
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="a protocol file or a directory")
    check.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core); output is the same for any N",
    )
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default); json for machines (1-based line and column)",
    )

    commands.add_parser(
        "schema",
        help="print the JSON Schema of the protocol format",
        description="Print the JSON Schema exported from celldose's protocol model.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "schema":
        from celldose.schema import protocol_schema

        sys.stdout.write(json.dumps(protocol_schema(), indent=2) + "\n")
        return EXIT_OK
    return _check(args.paths, args.format, args.jobs)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _check(paths: list[str], output: str, jobs: int | None) -> int:
    from celldose.api import check_paths
    from celldose.formatters import FORMATTERS

    try:
        report = check_paths(paths, jobs=jobs)
    except FileNotFoundError as exc:
        sys.stderr.write(f"celldose: error: {exc}\n")
        return EXIT_USAGE
    if not report.paths:
        sys.stderr.write("celldose: warning: no protocol files (*.yaml, *.yml) found\n")
    sys.stdout.write(FORMATTERS[output](report))
    return EXIT_OK if report.ok else EXIT_ERRORS
