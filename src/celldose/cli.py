"""Command-line interface: parse arguments, call the API, print with a formatter, exit.

Exit codes: 0 nothing at or above --fail-on (default: error), 1 something is, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn, TextIO

if TYPE_CHECKING:  # imported when used: a plain check starts faster
    from celldose.baseline import Baseline
    from celldose.config import CountSpelling, Overrides, Resolver
    from celldose.diagnostics import Report, Severity
    from celldose.fixes import FileFix

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2

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

_FORMATS = ("text", "json", "jsonl", "github", "sarif", "junit", "fhir", "html")
_FORMAT_HELP = (
    "text for people (default; github inside GitHub Actions); json (one object) or jsonl "
    "(one line per finding) for machines; github for workflow annotations; sarif for code "
    "scanning; junit for CI test reports (a failed test per finding at or above --fail-on); "
    "fhir for a FHIR R4 OperationOutcome; html for a self-contained page with each protocol's "
    "table, problem cells highlighted"
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
    convert.add_argument(
        "--to", choices=("yaml", "csv", "xlsx", "md", "fhir"), help="the output format"
    )
    convert.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
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


def run() -> NoReturn:
    """The ``celldose`` command: :func:`main` in a process of its own.

    A check makes many objects that live until the process exits, so the garbage collector is
    told to look less often (mypy does the same), and, once everything is imported, to leave
    the imported modules out of its passes for good (``gc.freeze``; workers forked from this
    process then also share those pages instead of copying them). About 7% of a 2,000-file
    check. Only here: a program that calls :func:`main` keeps its own collector settings.
    """
    import gc

    gc.set_threshold(100_000, 50, 100)
    raise SystemExit(main(freeze_imports=True))


def main(argv: Sequence[str] | None = None, *, freeze_imports: bool = False) -> int:
    """Run the command line ``argv``; the exit status. ``freeze_imports``: see :func:`run`."""
    args = build_parser().parse_args(argv)
    if args.command == "schema":
        from celldose.config import config_schema
        from celldose.schema import protocol_schema

        schema = config_schema() if args.config else protocol_schema()
        sys.stdout.write(json.dumps(schema, indent=2) + "\n")
        return EXIT_OK
    if args.command == "show":
        return _show(args.path)
    if args.command == "rules":
        return _rules()
    if args.command == "explain":
        return _explain(args.rule)
    if args.command == "convert":
        return _convert(args.source, args.target, args.to, args.force)
    return _check(args, freeze_imports)


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
    if args.fix and paths == ["-"] and not args.diff:
        return "--fix writes files: it does not combine with - (use --diff)"
    if args.unsafe_fixes and not (args.fix or args.diff):
        return "--unsafe-fixes applies with --fix or --diff"
    if (args.fix or args.diff) and args.write_baseline:
        return "--fix and --diff do not combine with --write-baseline"
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


def _check(args: argparse.Namespace, freeze_imports: bool = False) -> int:
    from celldose.api import check_bytes
    from celldose.diagnostics import Severity
    from celldose.formatters import FORMATTERS
    from celldose.formatters.text import render_statistics
    from celldose.sources.text import MAX_BYTES

    if freeze_imports:  # everything a check needs is imported: collect none of it (see run)
        import gc

        gc.freeze()

    paths: list[str] = args.paths
    output = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    usage = _usage_problem(paths, args, output)
    filters = _filters(args)
    if usage or isinstance(filters, str):
        sys.stderr.write(f"celldose: error: {usage or filters}\n")
        return EXIT_USAGE
    stdin: tuple[str, bytes] | None = None
    try:
        if paths == ["-"]:
            # Read one byte past the limit, never more: an endless stream is refused, not held.
            stdin = (args.stdin_filename, sys.stdin.buffer.read(MAX_BYTES + 1))
            report = check_bytes(stdin[1], args.stdin_filename, suppress=True)
        else:
            report = _check_paths(paths, args)
    except FileNotFoundError as exc:
        sys.stderr.write(f"celldose: error: {exc}\n")
        return EXIT_USAGE
    if not report.paths and not args.quiet:
        sys.stderr.write(
            "celldose: warning: no protocol files (*.yaml, *.yml, *.csv, *.xlsx, *.md) found\n"
        )
    filtered = _filter(report, filters, args)
    if isinstance(filtered, str):
        sys.stderr.write(f"celldose: error: {filtered}\n")
        return EXIT_USAGE
    report, fail_on = filtered
    if args.diff:
        return _diff(report, args, stdin, filters.resolver)
    unwritten = False
    if args.fix:
        fixed = _fix(report, fail_on, args, filters)
        if isinstance(fixed, str):
            sys.stderr.write(f"celldose: error: {fixed}\n")
            return EXIT_USAGE
        report, fail_on, unwritten = fixed
    if args.write_baseline:
        return _write_baseline(report, args.write_baseline)
    if args.statistics:
        sys.stdout.write(render_statistics(report, with_summary=not args.quiet))
    elif output == "junit":  # the one format whose content depends on --fail-on
        from celldose.formatters import junit  # imported only when asked for: XML is not free

        sys.stdout.write(junit.render(report, fail_on))
    elif output == "fhir":
        from celldose.formatters import fhir_outcome

        sys.stdout.write(fhir_outcome.render(report))
    elif output == "html":  # reads each file again for its tables; standard input only once
        from celldose.formatters import html

        sys.stdout.write(html.render(report, load=paths != ["-"]))
    elif output == "text":
        sys.stdout.write(_text(report, args, stdin))
    else:
        sys.stdout.write(FORMATTERS[output](report))
    if unwritten:  # a fix that was asked for and could not be written fails the run
        return EXIT_USAGE
    order = list(Severity)  # error, warning, info: most severe first
    failing = order[: order.index(fail_on) + 1]
    return EXIT_ERRORS if any(d.severity in failing for d in report.diagnostics) else EXIT_OK


def _diff(
    report: Report,
    args: argparse.Namespace,
    stdin: tuple[str, bytes] | None,
    resolver: Resolver,
) -> int:
    """--diff: what --fix would change, as a unified diff on stdout; nothing is written."""
    from celldose import fixes

    spellings = _spellings(resolver)
    if stdin is not None:
        one = fixes.fix_bytes(
            stdin[1],
            report.diagnostics,
            stdin[0],
            unsafe=args.unsafe_fixes,
            normalize=spellings(stdin[0]),
        )
        planned = [one] if one is not None else []
    else:
        planned = fixes.fix_report(report, unsafe=args.unsafe_fixes, normalize=spellings)
    changed = [f for f in planned if f.edits]
    for fix in changed:
        sys.stdout.write(fixes.unified_diff(fix.path, fix.before, fix.after))
    if not args.quiet:
        sys.stderr.write(_fix_summary(planned, done=False))
    return EXIT_ERRORS if changed else EXIT_OK


def _fix(
    report: Report, fail_on: Severity, args: argparse.Namespace, filters: _Filters
) -> tuple[Report, Severity, bool] | str:
    """--fix: write the fixes, then check the paths again; the new report and threshold, and
    whether a file could not be written. ``filters`` are the check's: every configuration
    they name has been read without error already."""
    from celldose import fixes

    spellings = _spellings(filters.resolver)
    planned = fixes.fix_report(report, unsafe=args.unsafe_fixes, normalize=spellings)
    written: list[fixes.FileFix] = []
    unwritten = False
    for fix in planned:
        if not fix.edits:
            continue
        problem = fixes.write(fix)
        if problem is not None:
            sys.stderr.write(f"celldose: error: cannot write {fix.path}: {problem}\n")
            unwritten = True
            continue
        written.append(fix)
    if not args.quiet:
        untouched = [f for f in planned if not f.edits]
        sys.stderr.write(_fix_summary([*written, *untouched], done=True))
    if not written:
        return report, fail_on, unwritten
    rechecked = _filter(_check_paths(args.paths, args), filters, args)
    return rechecked if isinstance(rechecked, str) else (*rechecked, unwritten)


def _spellings(resolver: Resolver) -> Callable[[str], CountSpelling | None]:
    """Each file's ``normalize-counts`` setting, from the configuration that applies to it
    (``--config``, or the nearest one above the file), as the report's filters found it."""

    def spelling(path: str) -> CountSpelling | None:
        config = resolver.for_file(path)
        return config.normalize_counts if config is not None else None

    return spelling


def _fix_summary(planned: Sequence[FileFix], *, done: bool) -> str:
    """``Fixed 2 findings (1 unsafe).``, the counts respelled, the unsafe fixes left for
    --unsafe-fixes, and a line for each file whose fixes were left out, with the reason."""
    count = sum(f.fixed for f in planned)
    unsafe = sum(1 for f in planned for e in f.edits if e.unsafe)
    respelled = sum(f.normalized for f in planned)
    left = sum(f.skipped_unsafe for f in planned)
    line = f"{'Fixed' if done else 'Would fix'} {count} finding{'s' if count != 1 else ''}"
    if unsafe:
        line += f" ({unsafe} unsafe)"
    if respelled:
        verb = "normalized" if done else "normalize"
        line += f", {verb} {respelled} count{'s' if respelled != 1 else ''}"
    line += "."
    if left:
        line += f" {left} more with --unsafe-fixes."
    lines = [line]
    for fix in planned:
        lines.extend(f"Skipped {fix.path}: {reason}." for reason in fix.skipped)
    return "\n".join(lines) + "\n"


def _check_paths(paths: list[str], args: argparse.Namespace) -> Report:
    """Check files and directories, with --exclude, and a progress line on a terminal."""
    from celldose.api import check_paths

    progress = _Progress() if not args.quiet and _is_terminal(sys.stderr) else None
    try:
        return check_paths(
            paths, jobs=args.jobs, exclude=args.exclude, progress=progress, suppress=True
        )
    finally:
        if progress is not None:
            progress.clear()


def _text(report: Report, args: argparse.Namespace, stdin: tuple[str, bytes] | None) -> str:
    """The text report: coloured per --color, with source lines unless --no-show-source."""
    from celldose.formatters import text

    source = None
    if args.show_source:
        source = text.read_source if stdin is None else text.source_of_bytes(*stdin)
    return text.render(
        report, color=_use_color(args.color), source=source, with_summary=not args.quiet
    )


def _use_color(choice: str) -> bool:
    """--color always or never; auto: NO_COLOR (any value but empty) turns colour off,
    FORCE_COLOR (likewise) on, for a CI log; otherwise colour when stdout is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return os.environ.get("TERM") != "dumb" and _is_terminal(sys.stdout)


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed, or detached
        return False


class _Progress:
    """``checking 120/2000 files`` on one line of standard error, rewritten in place (at most
    ten times a second) and cleared at the end; only for more than :data:`MIN_FILES` files."""

    MIN_FILES = 50

    def __init__(self) -> None:
        self._width = 0  # characters on the line now
        self._last: float | None = None

    def __call__(self, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if total <= self.MIN_FILES or (self._last is not None and now - self._last < 0.1):
            return
        self._last = now
        line = f"checking {done}/{total} files"
        self._write("\r" + line.ljust(self._width))
        self._width = len(line)

    def clear(self) -> None:
        if self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0

    def _write(self, text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed terminal: the check goes on without it
            self._last = float("inf")


class _Filters(NamedTuple):
    """What narrows a report: configuration files, command-line selection, a baseline."""

    resolver: Resolver
    overrides: Overrides
    baseline: Baseline | None


def _filters(args: argparse.Namespace) -> _Filters | str:
    """The command line's selection, --config and --baseline, read before checking: a usage
    error is reported before any file is read."""
    from celldose import baseline, config

    if args.baseline and args.write_baseline:
        return "--baseline and --write-baseline do not combine: --write-baseline records all"
    try:
        overrides = config.Overrides(
            select=None if args.select is None else config.parse_codes(args.select, "--select"),
            ignore=config.parse_codes(args.ignore, "--ignore") if args.ignore else (),
            strict=args.strict,
        )
        explicit = config.load(Path(args.config)) if args.config else None
        accepted = baseline.load(Path(args.baseline)) if args.baseline else None
    except (config.ConfigError, baseline.BaselineError) as exc:
        return str(exc)
    return _Filters(config.Resolver(explicit), overrides, accepted)


def _filter(
    report: Report, filters: _Filters, args: argparse.Namespace
) -> tuple[Report, Severity] | str:
    """Configuration, then the baseline (inline suppressions were applied as each file was
    checked); and the --fail-on threshold (a configuration's strict lowers it to warning unless
    --fail-on is given)."""
    from celldose import config
    from celldose.diagnostics import Severity

    try:
        applied = config.apply(report, filters.resolver, filters.overrides)
    except config.ConfigError as exc:
        return str(exc)
    report = applied.report
    if filters.baseline is not None:
        report = filters.baseline.new(report)
    fail_on = Severity(args.fail_on or "error")
    if applied.strict and (args.strict or args.fail_on is None) and fail_on is Severity.ERROR:
        fail_on = Severity.WARNING
    return report, fail_on


def _write_baseline(report: Report, target: str) -> int:
    from celldose.baseline import BaselineError, write

    try:
        count = write(Path(target), report)
    except BaselineError as exc:
        sys.stderr.write(f"celldose: error: {exc}\n")
        return EXIT_USAGE
    findings = "finding" if count == 1 else "findings"
    sys.stderr.write(f"celldose: recorded {count} {findings} in the baseline {target}\n")
    return EXIT_OK
