"""Command-line interface: parse arguments, call the API, print with a formatter, exit.

Exit codes: 0 nothing at or above --fail-on (default: error), 1 something is, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2

_DESCRIPTION = """\
Validate stem-cell treatment-protocol sheets: the arithmetic (total = dose x days, per side),
units that cannot mix, rows that deliver no cells, and routes. celldose checks a sheet's
consistency; it never recommends a treatment."""

_CHECK_EPILOG = """\
exit status:
  0  no errors (warnings and infos do not fail the check, unless --fail-on says so)
  1  at least one finding at or above --fail-on (default: error)
  2  usage error (unknown option, a path that does not exist)

examples:
  celldose check protocols/
  celldose check knee.yaml --format json
  celldose check - --stdin-filename knee.yaml < knee.yaml
  celldose explain CD301"""

_FORMATS = ("text", "json", "jsonl", "github", "sarif", "junit", "fhir")
_FORMAT_HELP = (
    "text for people (default; github inside GitHub Actions); json (one object) or jsonl "
    "(one line per finding) for machines; github for workflow annotations; sarif for code "
    "scanning; junit for CI test reports (a failed test per finding at or above --fail-on); "
    "fhir for a FHIR R4 OperationOutcome"
)


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
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="a protocol file, a directory, or - for stdin"
    )
    check.add_argument("--format", choices=_FORMATS, default=None, help=_FORMAT_HELP)
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default="error",
        help="the lowest severity that makes the exit status 1 (default: error)",
    )
    check.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule"
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        default="<stdin>",
        help="the path to report for - (standard input)",
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core); output is the same for any N",
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
    convert.add_argument(
        "--to", choices=("yaml", "csv", "xlsx", "md", "fhir"), help="the output format"
    )
    convert.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
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
    if args.command == "show":
        return _show(args.path)
    if args.command == "rules":
        return _rules()
    if args.command == "explain":
        return _explain(args.rule)
    if args.command == "convert":
        return _convert(args.source, args.target, args.to, args.force)
    return _check(args)


def _convert(source: str, target: str, to: str | None, force: bool) -> int:
    from celldose.convert import ConvertError, convert

    if not Path(source).is_file():
        print(f"celldose convert: error: no such file: {source}", file=sys.stderr)
        return EXIT_USAGE
    if target == "-" and to == "xlsx":
        print("celldose convert: error: an XLSX workbook is not written to stdout", file=sys.stderr)
        return EXIT_USAGE
    try:
        content = convert(source, target, to=to, force=force)
    except ConvertError as exc:
        print(f"celldose convert: error: {exc}", file=sys.stderr)
        for reason in exc.reasons:
            print(f"  {reason}", file=sys.stderr)
        return EXIT_USAGE if not exc.reasons else EXIT_ERRORS
    except FileExistsError:
        print(
            f"celldose convert: error: {target} exists; use --force to overwrite it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as exc:
        print(f"celldose convert: error: cannot write {target}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if target == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    return EXIT_OK


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _show(path: str) -> int:
    from celldose.api import ProtocolError, load_all
    from celldose.diagnostics import Report
    from celldose.formatters import show, text

    if not os.path.exists(path):  # noqa: PTH110 - a path string from the command line
        sys.stderr.write(f"celldose: error: no such file or directory: {path}\n")
        return EXIT_USAGE
    try:
        protocols = load_all(path)
    except ProtocolError as exc:
        if exc.diagnostics:
            sys.stdout.write(text.render(Report.of(exc.diagnostics, (path,))))
        else:
            sys.stderr.write(f"celldose: error: {exc}\n")
        return EXIT_ERRORS
    sys.stdout.write("\n".join(show.render(protocol, path) for protocol in protocols))
    return EXIT_OK


def _usage_problem(paths: list[str], args: argparse.Namespace, output: str) -> str | None:
    if "-" in paths and len(paths) > 1:
        return "- (standard input) cannot be mixed with paths"
    if paths == ["-"] and (sys.stdin is None or sys.stdin.closed):
        return "- reads standard input, which is closed"
    if args.stdin_filename != "<stdin>" and paths != ["-"]:
        return "--stdin-filename names standard input: use it with -"
    if args.statistics and output != "text":
        return f"--statistics prints a text table; it does not combine with --format {output}"
    return None


def _rules() -> int:
    from celldose.rules import ALL

    width = max(len(rule.name) for rule in ALL)
    for rule in ALL:
        line = f"{rule.code}  {rule.severity.value:7s}  {rule.name:{width}s}  {rule.summary}"
        sys.stdout.write(line + "\n")
    return EXIT_OK


def _explain(wanted: str) -> int:
    import difflib

    from celldose.rules import ALL
    from celldose.rules.docs import explain

    for rule in ALL:
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            sys.stdout.write(explain(rule).lstrip("\n").split("\n", 1)[1].lstrip("\n"))
            return EXIT_OK
    names = [r.code for r in ALL] + [r.name for r in ALL]
    close = difflib.get_close_matches(wanted, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; celldose rules lists them"
    sys.stderr.write(f"celldose: error: no rule {wanted!r}{hint}\n")
    return EXIT_USAGE


def _check(args: argparse.Namespace) -> int:
    from celldose.api import check_bytes, check_paths
    from celldose.diagnostics import Severity
    from celldose.formatters import FORMATTERS
    from celldose.formatters.text import render_statistics
    from celldose.sources.text import MAX_BYTES

    paths: list[str] = args.paths
    output = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    usage = _usage_problem(paths, args, output)
    if usage:
        sys.stderr.write(f"celldose: error: {usage}\n")
        return EXIT_USAGE
    try:
        if paths == ["-"]:
            # Read one byte past the limit, never more: an endless stream is refused, not held.
            report = check_bytes(sys.stdin.buffer.read(MAX_BYTES + 1), args.stdin_filename)
        else:
            report = check_paths(paths, jobs=args.jobs)
    except FileNotFoundError as exc:
        sys.stderr.write(f"celldose: error: {exc}\n")
        return EXIT_USAGE
    if not report.paths:
        sys.stderr.write(
            "celldose: warning: no protocol files (*.yaml, *.yml, *.csv, *.xlsx, *.md) found\n"
        )
    if args.statistics:
        sys.stdout.write(render_statistics(report))
    elif output == "junit":  # the one format whose content depends on --fail-on
        from celldose.formatters import junit  # imported only when asked for: XML is not free

        sys.stdout.write(junit.render(report, Severity(args.fail_on)))
    elif output == "fhir":
        from celldose.formatters import fhir_outcome

        sys.stdout.write(fhir_outcome.render(report))
    else:
        sys.stdout.write(FORMATTERS[output](report))
    order = list(Severity)  # error, warning, info: most severe first
    failing = order[: order.index(Severity(args.fail_on)) + 1]
    return EXIT_ERRORS if any(d.severity in failing for d in report.diagnostics) else EXIT_OK
