"""The text report as people read it: colour, source lines with carets, --quiet, progress on a
terminal, and which files a directory search skips (.gitignore, --exclude)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import celldose
from celldose.api import discover
from celldose.parallel import PARALLEL_MIN_FILES
from conftest import PROTOCOLS, ROOT, SEED, celldose_command, run_cli

ESC = "\x1b["
NO_FORCE = {"FORCE_COLOR": "", "TERM": "xterm"}
"""An environment in which only the option under test decides about colour."""
CLEAN = (
    "protocol: Knee\nadministrations:\n  - {route: intra-articular, dose: 5, days: 2, total: 10}\n"
)
WRONG_TOTAL_YAML = (
    "protocol: Knee\nadministrations:\n"
    "  - route: intra-articular\n    dose: 5\n    days: 2\n    total: 100\n"
)
WRONG_TOTAL_CSV = 'Route,Dose,Days,Total\nIntra-articular,"50,000,000",2,"50,000,000"\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(*args: str, cwd: Path | None = None) -> list[str]:
    """The files a check reads, from its JSON report."""
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    files: list[str] = json.loads(result.stdout)["files"]
    return files


# Colour


def test_no_colour_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    result = run_cli("check", str(path), env=NO_FORCE)
    assert result.returncode == 1
    assert ESC not in result.stdout and ESC not in result.stderr
    assert f"{path}:6:12: CD301 error: total 100 cells" in result.stdout


def test_force_color_colours_a_log_and_no_color_wins(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    forced = run_cli("check", str(path), env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31mCD301 error\x1b[0m" in forced.stdout  # red: an error
    assert f"{path}:6:12: \x1b[1;31mCD301 error\x1b[0m: total 100 cells" in forced.stdout
    assert "\x1b[1;31m" + "^" * 3 + "\x1b[0m" in forced.stdout  # the carets too
    assert forced.stdout.splitlines()[-1] == "Checked 1 file: 1 error."  # the summary is plain
    both = run_cli("check", str(path), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ESC not in both.stdout
    empty = run_cli("check", str(path), env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert ESC in empty.stdout  # an empty NO_COLOR is not set (no-color.org)
    # Without colour the text is byte for byte the same.
    plain = run_cli("check", str(path), env=NO_FORCE).stdout
    assert strip_ansi(forced.stdout) == plain


def test_color_option_overrides_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        "protocol: X\nadministrations:\n  - {route: Unicorn, dose: 5, days: 1, total: 5}\n",
    )
    always = run_cli("check", str(path), "--color", "always", env={"NO_COLOR": "1"})
    assert "\x1b[1;33mCD307 warning\x1b[0m" in always.stdout  # yellow: a warning
    never = run_cli("check", str(path), "--color", "never", env={"FORCE_COLOR": "1"})
    assert ESC not in never.stdout
    assert run_cli("check", str(path), "--color", "sometimes").returncode == 2
    info = run_cli("check", str(SEED), "--color", "always")
    assert "\x1b[1;36mCD306 info\x1b[0m" in info.stdout  # cyan: an info


def test_colour_is_only_for_text(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    for output in ("json", "jsonl", "github", "sarif"):
        result = run_cli("check", str(path), "--format", output, "--color", "always")
        assert ESC not in result.stdout, output


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# Source lines


def test_yaml_finding_shows_its_line_and_carets_under_the_value(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    result = run_cli("check", str(path), env=NO_FORCE)
    assert result.stdout == (
        f"{path}:6:12: CD301 error: total 100 cells != dose 5 cells x 2 days = 10 cells\n"
        "  6 |     total: 100\n"
        "    |            ^^^\n"
        "  fix: make the total 10 cells, or correct the dose or days\n"
        "Checked 1 file: 1 error.\n"
    )
    source, carets = result.stdout.splitlines()[1:3]
    # The carets start under the reported column (12) and span the value.
    assert source.index("|") == carets.index("|")
    offset = source.index("| ") + 2
    assert carets.index("^") - offset == 12 - 1
    assert source[carets.index("^") : carets.rindex("^") + 1] == "100"


def test_csv_finding_shows_its_row_and_carets_under_the_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "sheet.csv", WRONG_TOTAL_CSV)
    result = run_cli("check", str(path), env=NO_FORCE)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path}:2:32: CD301 error: total 50,000,000 cells != dose")
    assert lines[1] == '  2 | Intra-articular,"50,000,000",2,"50,000,000"'
    assert lines[2] == "    | " + " " * (32 - 1) + "^" * 12
    assert lines[1][lines[2].index("^") : lines[2].rindex("^") + 1] == '"50,000,000"'
    assert lines[3].startswith("  fix: ")


def test_no_show_source_gives_the_one_line_form(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    result = run_cli("check", str(path), "--no-show-source", env=NO_FORCE)
    assert result.stdout == (
        f"{path}:6:12: CD301 error: total 100 cells != dose 5 cells x 2 days = 10 cells\n"
        "  fix: make the total 10 cells, or correct the dose or days\n"
        "Checked 1 file: 1 error.\n"
    )
    full = run_cli("check", str(path), env=NO_FORCE).stdout.splitlines()
    assert [line for line in full if " | " not in line and not line.startswith("    |")] == (
        result.stdout.splitlines()
    )


def test_stdin_shows_its_own_lines_not_a_file_of_that_name(tmp_path: Path) -> None:
    write(tmp_path / "knee.yaml", "something else entirely\n" * 10)
    result = run_cli(
        "check", "-", "--stdin-filename", "knee.yaml", stdin=WRONG_TOTAL_YAML, cwd=tmp_path
    )
    assert "knee.yaml:6:12: CD301 error" in result.stdout
    assert "  6 |     total: 100\n    |            ^^^\n" in result.stdout


def test_workbooks_binaries_and_lines_without_text_show_no_source(tmp_path: Path) -> None:
    workbook = run_cli("check", str(PROTOCOLS / "sacroiliitis.xlsx"), env=NO_FORCE)
    assert "CD306 info" in workbook.stdout and " | " not in workbook.stdout
    (tmp_path / "binary.yaml").write_bytes(b"protocol: X\n\x00\x01\x02")
    binary = run_cli("check", str(tmp_path / "binary.yaml"), env=NO_FORCE)
    assert "CD001" in binary.stdout and " | " not in binary.stdout
    syntax = write(tmp_path / "syntax.yaml", "protocol: X\nadministrations:\n  - route: [IA\n")
    at_the_end = run_cli("check", str(syntax), env=NO_FORCE)  # 4:1, an empty last line
    assert ":4:1: CD002" in at_the_end.stdout and " | " not in at_the_end.stdout


def test_a_source_line_is_shown_never_obeyed(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "protocol: X\nadministrations:\n"
        '  - {route: "IA\x1b[2J\u202e", dose: 5, days: 2, total: 5}\n',
        encoding="utf-8",
    )
    result = run_cli("check", str(path), env=NO_FORCE)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "␛[2J" in result.stdout


def test_long_and_tabbed_lines_are_cut_and_expanded_with_the_carets_aligned(
    tmp_path: Path,
) -> None:
    notes = "x" * 300
    path = write(
        tmp_path / "p.yaml",
        "protocol: X\nadministrations:\n"
        f"  - {{route: IA, notes: '{notes}', dose: 5, days: 2,\ttotal: 5, notes2: '{notes}'}}\n",
    )
    result = run_cli("check", str(path), "--fail-on", "info", env=NO_FORCE)
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "CD301" in line)
    source, carets = lines[at + 1], lines[at + 2]
    assert len(source) <= 130 and source.startswith("  3 | …") and source.endswith("…")
    assert "\t" not in source
    assert source[carets.index("^") :].startswith("5, notes2")
    assert carets.count("^") == 1


@given(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=140),
    st.integers(1, 150),
    st.integers(0, 20),
    st.booleans(),
)
def test_carets_sit_under_the_span_on_a_plain_line(
    line: str, column: int, length: int, same_line: bool
) -> None:
    """Printable ASCII lines take a short path through the excerpt: the carets still cover
    exactly the span's characters, and a line cut to fit still shows them."""
    from celldose.diagnostics import Span
    from celldose.formatters.text import MAX_EXCERPT, _window

    column = min(column, len(line) + 1)  # a span starts on the line or just after it
    end = column + length
    span = Span(1, column, 1 if same_line else 2, end)
    shown, start, width = _window(line, span)
    if len(line) <= MAX_EXCERPT:
        assert shown == line and start == column - 1
    wanted = line[column - 1 : end - 1] if same_line and length else line[column - 1 : column]
    covered = shown[start : start + width]
    assert width >= 1 and (covered == wanted or not wanted)
    assert width == max(1, len(wanted))


@given(st.text(alphabet="ab \r\n\t\u2028\x0b", max_size=30), st.integers(-1, 12))
def test_a_reported_line_is_the_line_the_sources_count(text: str, number: int) -> None:
    """The text report splits a file at the breaks the readers count (\\n, \\r\\n, a lone
    \\r; not U+2028 or a vertical tab): line N is what the check called line N."""
    from celldose.formatters.text import _LastFile
    from celldose.sources.lines import LineIndex

    shown = _LastFile(lambda path: text).line("p.yaml", number)
    index = LineIndex(text)
    start = index.offset(number, 1) if number >= 1 else None
    if start is None:
        assert shown is None
    else:
        rest = text[start:]
        assert shown == rest.split("\r\n")[0].split("\r")[0].split("\n")[0]


def test_workbooks_are_told_apart_by_the_suffix_path_gives(tmp_path: Path) -> None:
    """A workbook has no text lines to show, and is found as Path's suffix finds one: a file
    named just ``.xlsx`` has no suffix, so it is text, kept as the check read it."""
    from celldose.sources.document import read_document

    for name in ("a.xlsx", "b.XLSX", "..xlsx", ".xlsx", "c.yaml", "xlsx"):
        path = write(tmp_path / name, "protocol: X\n")
        is_workbook = Path(name).suffix.lower() == ".xlsx"
        document = read_document(str(path))
        assert document.text == (None if is_workbook else "protocol: X\n"), name


# --quiet


def test_quiet_prints_only_the_findings(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    quiet = run_cli("check", str(path), "-q", env=NO_FORCE)
    assert quiet.returncode == 1
    assert quiet.stdout == run_cli("check", str(path), env=NO_FORCE).stdout.replace(
        "Checked 1 file: 1 error.\n", ""
    )
    clean = write(tmp_path / "clean" / "ok.yaml", CLEAN)
    silent = run_cli("check", str(clean), "--quiet")
    assert (silent.returncode, silent.stdout, silent.stderr) == (0, "", "")
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_cli("check", str(empty), "--quiet")
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "")
    assert "no protocol files" in run_cli("check", str(empty)).stderr
    statistics = run_cli("check", str(path), "--statistics", "-q")
    assert statistics.stdout == "     1  CD301  total-mismatch\n"


# Progress


def many_clean_files(root: Path, count: int = 60) -> Path:
    for index in range(count):
        write(root / f"p{index:03d}.yaml", CLEAN)
    return root


def run_on_a_terminal(
    *args: str, stream: str = "stderr", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the CLI with ``stream`` (stdout or stderr) on a pseudo-terminal, the other a pipe:
    the exit status, the pipe's text and the terminal's text."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: slave}
    process = subprocess.Popen(
        [*celldose_command(), *args],
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={**clean, "FORCE_COLOR": "", "TERM": "xterm", **(env or {})},
        **streams,
    )
    os.close(slave)
    terminal: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                return
            if not data:
                return
            terminal.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, err = process.communicate(timeout=60)
    reader.join(timeout=10)
    os.close(master)
    piped = (err if stream == "stdout" else out).decode("utf-8")
    return process.returncode, piped, b"".join(terminal).decode("utf-8")


def run_with_stderr_on_a_terminal(*args: str) -> tuple[int, str, str]:
    return run_on_a_terminal(*args, stream="stderr")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_auto_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", WRONG_TOTAL_YAML)
    code, _, terminal = run_on_a_terminal("check", str(path), stream="stdout")
    assert code == 1 and "\x1b[1;31mCD301 error\x1b[0m" in terminal
    _, _, plain = run_on_a_terminal("check", str(path), stream="stdout", env={"NO_COLOR": "1"})
    assert "CD301 error" in plain and ESC not in plain
    _, _, dumb = run_on_a_terminal("check", str(path), stream="stdout", env={"TERM": "dumb"})
    assert "CD301 error" in dumb and ESC not in dumb
    # Progress and colour are decided per stream: a piped stdout has no colour.
    assert ESC not in run_on_a_terminal("check", str(path))[1]


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    root = many_clean_files(tmp_path / "tree")
    code, stdout, stderr = run_with_stderr_on_a_terminal("check", str(root), "--jobs", "1")
    assert code == 0
    assert "\rchecking 1/60 files" in stderr
    assert re.search(r"\rchecking \d+/60 files\r +\r$", stderr)  # cleared at the end
    assert stdout == "Checked 60 files: no problems.\n"  # never on stdout
    # Not with --quiet; not when standard error is a pipe; not for 50 files or fewer.
    assert run_with_stderr_on_a_terminal("check", str(root), "-q")[2] == ""
    assert "checking" not in run_cli("check", str(root)).stderr
    few = many_clean_files(tmp_path / "few", 50)
    assert run_with_stderr_on_a_terminal("check", str(few))[2] == ""


def test_progress_callback_counts_every_file_in_order(tmp_path: Path) -> None:
    total = 2 * PARALLEL_MIN_FILES
    root = many_clean_files(tmp_path, total)
    for jobs in (1, 2):
        calls: list[tuple[int, int]] = []

        def record(done: int, of: int, calls: list[tuple[int, int]] = calls) -> None:
            calls.append((done, of))

        report = celldose.check_paths([root], jobs=jobs, progress=record)
        assert calls == [(done, total) for done in range(1, total + 1)], jobs
        assert len(report.paths) == total


# Which files a directory search reads


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignored_files_are_skipped_in_a_git_work_tree(tmp_path: Path) -> None:
    repo = tmp_path / "clinic"
    repo.mkdir()
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    write(repo / ".gitignore", "build/\n*.draft.yaml\n!keep.draft.yaml\n/top.csv\n")
    for name in (
        "a.yaml",
        "build/out.yaml",
        "sub/x.draft.yaml",
        "sub/keep.draft.yaml",
        "top.csv",
        "sub/top.csv",
        "tracked.draft.yaml",
    ):
        write(repo / name, CLEAN if name.endswith("yaml") else WRONG_TOTAL_CSV)
    subprocess.run([*git, "add", "-f", "tracked.draft.yaml"], check=True)
    assert found(str(repo)) == [
        str(repo / "a.yaml"),
        str(repo / "sub" / "keep.draft.yaml"),  # negated
        str(repo / "sub" / "top.csv"),  # /top.csv is anchored at the root
        str(repo / "tracked.draft.yaml"),  # a tracked file is not ignored
    ]
    # Relative paths, from inside the work tree, and from a folder in it.
    assert found(".", cwd=repo / "sub") == ["keep.draft.yaml", "top.csv"]
    assert found("sub", cwd=repo) == ["sub/keep.draft.yaml", "sub/top.csv"]
    # A file named on the command line is always checked; so is an ignored folder named.
    assert found(str(repo / "sub" / "x.draft.yaml")) == [str(repo / "sub" / "x.draft.yaml")]
    assert found(str(repo / "build")) == [str(repo / "build" / "out.yaml")]


def test_outside_a_work_tree_gitignore_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "ceiling").mkdir()
    write(tmp_path / "ceiling" / ".gitignore", "*.yaml\n")
    write(tmp_path / "ceiling" / "a.yaml", CLEAN)
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}  # no repository above tmp_path counts
    result = run_cli("check", str(tmp_path / "ceiling"), "--format", "json", env=env)
    assert json.loads(result.stdout)["files"] == [str(tmp_path / "ceiling" / "a.yaml")]


def test_exclude_skips_found_files_and_folders_but_never_named_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "drafts/b.yaml", "old/c.csv", "old/d.yaml", "deep/old/e.csv"):
        write(tmp_path / name, CLEAN if name.endswith("yaml") else WRONG_TOTAL_CSV)
    everything = found(str(tmp_path))
    assert len(everything) == 5
    assert found(str(tmp_path), "--exclude", "drafts") == [
        str(tmp_path / p) for p in ("a.yaml", "deep/old/e.csv", "old/c.csv", "old/d.yaml")
    ]
    # A glob on the path relative to the named directory, and a repeated option.
    assert found(str(tmp_path), "--exclude", "old/*.csv", "--exclude", "drafts/") == [
        str(tmp_path / p) for p in ("a.yaml", "deep/old/e.csv", "old/d.yaml")
    ]
    # A name matches at any depth; **/ is the same.
    assert found(str(tmp_path), "--exclude", "*.csv") == [
        str(tmp_path / p) for p in ("a.yaml", "drafts/b.yaml", "old/d.yaml")
    ]
    assert found(str(tmp_path), "--exclude", "**/old") == [
        str(tmp_path / p) for p in ("a.yaml", "drafts/b.yaml")
    ]
    named = tmp_path / "drafts" / "b.yaml"
    assert found(str(named), "--exclude", "*.yaml", "--exclude", "drafts") == [str(named)]


def test_exclude_matches_the_path_as_reported(tmp_path: Path) -> None:
    for name in ("protocols/a.yaml", "protocols/drafts/b.yaml"):
        write(tmp_path / name, CLEAN)
    assert found("protocols", "--exclude", "protocols/drafts", cwd=tmp_path) == ["protocols/a.yaml"]
    assert list(discover([tmp_path / "protocols"], exclude=["drafts"])) == [
        tmp_path / "protocols" / "a.yaml"
    ]
