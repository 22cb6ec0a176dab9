"""Command-line interface: options -> Settings -> the API -> a formatter -> an exit status.

The grammar is in :mod:`celldose.cli.parser`; the other commands in
:mod:`celldose.cli.commands`; ``--fix`` and ``--diff`` in :mod:`celldose.cli.fixing`. What a
check finds is decided by the API with the :class:`~celldose.settings.Settings` built here, so
``celldose check`` prints what :func:`celldose.check_paths` returns with the same settings.

Exit codes: 0 nothing at or above --fail-on (default: error), 1 something is, 2 usage error
(or the output could not be written), 130 interrupted (Ctrl-C), 141 the output's reader
went away.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from celldose.cli import commands, completion, fixing
from celldose.cli.errors import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError
from celldose.cli.parser import build_parser
from celldose.cli.terminal import Progress, is_terminal, use_color
from celldose.escape import shown

if TYPE_CHECKING:  # imported when used: a plain check starts faster
    from celldose.diagnostics import Report
    from celldose.settings import Prepared

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_USAGE", "UsageError", "build_parser", "main", "run"]


def run() -> NoReturn:
    """The ``celldose`` command: :func:`main` in a process of its own.

    A check makes many objects that live until the process exits, so the garbage collector is
    told to look less often (mypy does the same), and, once everything is imported, to leave
    the imported modules out of its passes for good (``gc.freeze``; workers forked from this
    process then also share those pages instead of copying them). About 7% of a 2,000-file
    check. Only here: a program that calls :func:`main` keeps its own collector settings.

    Ctrl-C, a closed pipe and a full disk end it with one line and a known status
    (:mod:`celldose.cli.process`), never a traceback.
    """
    import gc

    from celldose.cli.process import guarded

    gc.set_threshold(100_000, 50, 100)
    raise SystemExit(guarded(lambda: main(freeze_imports=True)))


def main(argv: Sequence[str] | None = None, *, freeze_imports: bool = False) -> int:
    """Run the command line ``argv``; the exit status. ``freeze_imports``: see :func:`run`."""
    parser = build_parser()
    completion.offer(parser)
    args = parser.parse_args(argv)
    try:
        return _dispatch(args, freeze_imports)
    except UsageError as exc:
        sys.stderr.write(f"{exc.prefix}: error: {shown(str(exc))}\n")
        return EXIT_USAGE


def _dispatch(args: argparse.Namespace, freeze_imports: bool) -> int:
    if args.command == "schema":
        return commands.schema(args.config)
    if args.command == "show":
        return commands.show(args.path)
    if args.command == "rules":
        return commands.rules()
    if args.command == "explain":
        return commands.explain(args.rule)
    if args.command == "serve":
        return commands.serve(args.host, args.port, args.open)
    if args.command == "convert":
        return commands.convert(args.source, args.target, args.to, args.force)
    return _check(args, freeze_imports)


def _check(args: argparse.Namespace, freeze_imports: bool) -> int:
    from celldose.formatters import FORMATTERS, RenderContext
    from celldose.settings import SettingsError

    if freeze_imports:  # everything a check needs is imported: collect none of it (see run)
        import gc

        gc.freeze()
    paths: list[str] = args.paths
    output = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _check_usage(paths, args, output)
    prepared = _settings(args)
    formatter = FORMATTERS["statistics" if args.statistics else output]
    try:
        report = _run_check(paths, args, prepared, keep=formatter.keeps_protocols)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except SettingsError as exc:  # a configuration file found on the way
        raise UsageError(str(exc)) from None
    if not report.paths and not report.skipped and not args.quiet:
        from celldose.formats import described

        sys.stderr.write(f"celldose: warning: no protocol files ({described()}) found\n")
    if args.diff:
        changed = fixing.diff(report, prepared, unsafe=args.unsafe_fixes, quiet=args.quiet)
        return EXIT_ERRORS if changed else EXIT_OK
    unwritten = False
    if args.fix:
        written, unwritten = fixing.fix(
            report, prepared, unsafe=args.unsafe_fixes, quiet=args.quiet
        )
        if written:  # what remains, checked again from the files as written
            report = _run_check(paths, args, prepared, keep=formatter.keeps_protocols)
    if args.write_baseline:
        return _write_baseline(report, args.write_baseline)
    context = RenderContext(
        color=use_color(args.color), show_source=args.show_source, with_summary=not args.quiet
    )
    sys.stdout.write(formatter.render(report, context))
    if unwritten:  # a fix that was asked for and could not be written fails the run
        return EXIT_USAGE
    return EXIT_ERRORS if report.failed else EXIT_OK


def _run_check(
    paths: list[str], args: argparse.Namespace, prepared: Prepared, keep: bool
) -> Report:
    """Check standard input, or files and folders with a progress line on a terminal."""
    from celldose.api import check_bytes, check_paths
    from celldose.sources.text import MAX_BYTES

    if paths == ["-"]:
        # Read one byte past the limit, never more: an endless stream is refused, not held.
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        report = check_bytes(raw, args.stdin_filename, settings=prepared, keep=keep)
        document = report.files[0].document if report.files else None
        if document is not None and document.sniffed and not args.quiet:
            sys.stderr.write(
                f"celldose: standard input read as {document.format.label} "
                f"({document.format.suffixes[0]}), not YAML; --stdin-filename NAME says which "
                "format it is\n"
            )
        return report
    progress = Progress() if not args.quiet and is_terminal(sys.stderr) else None
    try:
        return check_paths(
            paths,
            settings=prepared,
            jobs=args.jobs,
            exclude=args.exclude,
            force_exclude=args.force_exclude,
            progress=progress,
            keep=keep,
        )
    finally:
        if progress is not None:
            progress.clear()


def _check_usage(paths: list[str], args: argparse.Namespace, output: str) -> None:
    problem = _usage_problem(paths, args, output)
    if problem is not None:
        raise UsageError(problem)


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
    if args.baseline and args.write_baseline:
        return "--baseline and --write-baseline do not combine: --write-baseline records all"
    return None


def _settings(args: argparse.Namespace) -> Prepared:
    """The options as Settings, with their files read before any protocol is: a usage error
    is reported first."""
    from celldose import config
    from celldose.diagnostics import Severity
    from celldose.settings import Settings, SettingsError

    try:
        select = None if args.select is None else config.parse_codes(args.select, "--select")
        ignore = config.parse_codes(args.ignore, "--ignore") if args.ignore else ()
        settings = Settings(
            config_file=Path(args.config) if args.config else None,
            select=select,
            ignore=ignore,
            strict=args.strict,
            fail_on=Severity(args.fail_on) if args.fail_on else None,
            baseline=Path(args.baseline) if args.baseline else None,
        )
        return settings.prepare()
    except (config.ConfigError, SettingsError) as exc:
        raise UsageError(str(exc)) from None


def _write_baseline(report: Report, target: str) -> int:
    from celldose.baseline import BaselineError, write

    try:
        count = write(Path(target), report)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    findings = "finding" if count == 1 else "findings"
    sys.stderr.write(f"celldose: recorded {count} {findings} in the baseline {shown(target)}\n")
    return EXIT_OK
