"""Hostile and broken files: each gives a clear diagnostic, quickly, and never a traceback.

Every case writes a real file under ``tmp_path`` and checks it with :func:`celldose.check_paths`
(a few also through the CLI in a subprocess, where a segfault would show as a negative exit
code). Assertions name the code and the 1-based line and column a user would be sent to.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pint
import pytest
import yaml

import celldose
from celldose import Diagnostic, Report, Severity
from celldose.sources import yaml_source

BASE = (
    "protocol: Knee\n"
    "administrations:\n"
    "  - route: intra-articular\n"
    "    dose: 50,000,000\n"
    "    days: 1\n"
    "    total: 50,000,000\n"
)
"""A valid protocol. Lines: 3 route (value at column 12), 4 dose (11), 5 days (11), 6 total (12)."""

FAST = 5.0
"""Seconds. Generous: every bounded case here takes milliseconds; a blow-up takes minutes."""

MAX_MESSAGE = 500
"""A diagnostic message quotes what was written, shortened; it never echoes a huge value."""

_C_LOADER = getattr(yaml, "CSafeLoader", None)
LOADERS = [
    pytest.param(
        "libyaml", marks=pytest.mark.skipif(_C_LOADER is None, reason="PyYAML without libyaml")
    ),
    "pure-python",
]
"""celldose reads events from libyaml's C parser when PyYAML has it, from PyYAML's otherwise."""


# --------------------------------------------------------------------------- helpers


def use_loader(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make celldose read with libyaml's parser or with PyYAML's pure-Python one."""
    loader = _C_LOADER if name == "libyaml" else yaml.SafeLoader
    monkeypatch.setattr(yaml_source, "_Loader", loader)


def write(tmp_path: Path, content: str | bytes, name: str = "protocol.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def check(path: Path, *, limit: float | None = FAST) -> Report:
    """Check one file in-process; with ``limit``, it must finish within that many seconds."""
    start = time.perf_counter()
    report = celldose.check_paths([path])
    elapsed = time.perf_counter() - start
    if limit is not None:
        assert elapsed < limit, f"checking took {elapsed:.1f} s"
    assert report.paths == (os.fspath(path),)
    return report


def where(report: Report) -> list[tuple[str, int | None, int | None]]:
    """Each diagnostic as (code, line, column), in report order."""
    return [(d.code, d.line, d.column) for d in report.diagnostics]


def only(report: Report, code: str) -> Diagnostic:
    """The single diagnostic with ``code``."""
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, where(report)
    return found[0]


def run_cli(path: Path, *, timeout: float = 60) -> list[dict[str, object]]:
    """Run ``celldose check PATH --format json``: exit 1, no traceback; return the diagnostics."""
    result = subprocess.run(
        [sys.executable, "-m", "celldose", "check", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    # A crash in C (libyaml's recursion) is a negative return code: -11 for SIGSEGV.
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["ok"] is False
    diagnostics: list[dict[str, object]] = document["diagnostics"]
    return diagnostics


def with_row(old: str, new: str) -> str:
    """BASE with one line's text replaced (the old text must be there)."""
    assert old in BASE
    return BASE.replace(old, new, 1)


def billion_laughs(levels: int = 9) -> str:
    """Anchors &a..&i, each a list of nine aliases of the one before: 9**9 strings if expanded."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * 9) + "]"]
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


FLOW_NESTING = "a: " + "[" * 30_000 + "]" * 30_000 + "\n"
BLOCK_SEQUENCE_NESTING = "- " * 30_000 + "x\n"
"""30,000 block sequences, each the first item of the one before (compact nested ``- ``)."""
BLOCK_MAPPING_LEVELS = 4_000
"""Indented mappings need O(levels**2) bytes: 4,000 levels is 8 MB, under the 10 MiB limit."""
BLOCK_MAPPING_NESTING = "".join(" " * i + "k:\n" for i in range(BLOCK_MAPPING_LEVELS))
DEPTH = yaml_source.MAX_DEPTH


# --------------------------------------------------------------------------- nesting


LIBYAML_FLOW_LIMIT = 1000
"""libyaml 0.2.5 stops at its 1,001st "[": after "a: " that is column 3 + 1,000."""


@pytest.mark.parametrize("loader", LOADERS)
def test_30000_deep_flow_nesting_is_an_input_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, FLOW_NESTING))
    # The collection that is one level too deep: the MAX_DEPTH-th "[" after "a: ". The libyaml
    # of PyYAML 6.0.4 stops flow nesting itself at 1,000 levels while scanning ahead, first.
    assert where(report) in (
        [("CD004", 1, len("a: ") + DEPTH)],
        [("CD004", 1, len("a: ") + LIBYAML_FLOW_LIMIT)],
    )
    assert "nesting deeper than" in report.diagnostics[0].message


@pytest.mark.parametrize("loader", LOADERS)
def test_30000_deep_block_sequences_are_an_input_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, BLOCK_SEQUENCE_NESTING))
    # The top-level sequence is depth 0 at column 1; depth d starts at column 2d + 1.
    assert where(report) == [("CD004", 1, 2 * DEPTH + 1)]


@pytest.mark.parametrize("loader", LOADERS)
def test_deep_indented_block_mappings_are_an_input_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, BLOCK_MAPPING_NESTING))
    # The mapping at depth d starts on line d + 1, indented d spaces.
    assert where(report) == [("CD004", DEPTH + 1, DEPTH + 1)]


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        pytest.param(FLOW_NESTING, 1, len("a: ") + DEPTH, id="flow"),
        pytest.param(BLOCK_SEQUENCE_NESTING, 1, 2 * DEPTH + 1, id="block-sequences"),
    ],
)
def test_deep_nesting_through_the_cli_exits_1_without_crashing(
    tmp_path: Path, content: str, line: int, column: int
) -> None:
    # PyYAML's own composer (and libyaml's) recurses per level and segfaults near 25,000 levels;
    # in a subprocess that would be returncode -11, not 1.
    diagnostics = run_cli(write(tmp_path, content))
    found = [(d["code"], d["line"], d["column"]) for d in diagnostics]
    # (PyYAML 6.0.4's libyaml stops flow nesting itself, at 1,000 levels: see above.)
    assert found in ([("CD004", line, column)], [("CD004", line, len("a: ") + LIBYAML_FLOW_LIMIT)])


def test_more_than_max_nodes_is_an_input_limit(tmp_path: Path) -> None:
    content = "a: [" + ", ".join(["1"] * (yaml_source.MAX_NODES + 1)) + "]\n"
    report = check(write(tmp_path, content))
    diagnostic = only(report, "CD004")
    assert diagnostic.line == 1
    assert "nodes" in diagnostic.message


# --------------------------------------------------------------------------- aliases, tags, keys


@pytest.mark.parametrize("loader", LOADERS)
def test_billion_laughs_is_refused_alias_by_alias_without_expanding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, billion_laughs()))
    aliases = [d for d in report.diagnostics if d.code == "CD003"]
    # Lines 2..9 each hold nine aliases, at columns 8, 12, ..., 40: each reported where written.
    expected = [(line, 8 + 4 * i) for line in range(2, 10) for i in range(9)]
    assert [(d.line, d.column) for d in aliases] == expected
    assert all(d.message.startswith("alias *") for d in aliases)
    # The rest is about the (non-protocol) keys, never about millions of expanded strings.
    assert len(report.diagnostics) < 100


def test_billion_laughs_through_the_cli(tmp_path: Path) -> None:
    diagnostics = run_cli(write(tmp_path, billion_laughs()), timeout=60)
    assert sum(d["code"] == "CD003" for d in diagnostics) == 8 * 9


def test_alias_used_as_a_total_is_reported_at_the_alias(tmp_path: Path) -> None:
    content = with_row("dose: 50,000,000", "dose: &d 50,000,000").replace(
        "total: 50,000,000", "total: *d"
    )
    report = check(write(tmp_path, content))
    alias = only(report, "CD003")
    assert (alias.line, alias.column) == (6, 12)
    assert alias.span is not None
    assert (alias.span.end_line, alias.span.end_column) == (6, 14)
    assert "*d" in alias.message
    assert report.errors  # the file fails


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_run(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    content = BASE + f'    notes: {tag} ["touch {marker}"]\n'
    report = check(write(tmp_path, content))
    refused = only(report, "CD003")
    assert (refused.line, refused.column) == (7, 12)
    assert "python/" in refused.message
    assert not marker.exists()


def test_python_tag_through_the_cli_is_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    content = BASE + f'    notes: !!python/object/apply:os.system ["touch {marker}"]\n'
    diagnostics = run_cli(write(tmp_path, content))
    assert ("CD003", 7, 12) in [(d["code"], d["line"], d["column"]) for d in diagnostics]
    assert not marker.exists()


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("? [a, b]\n: 1\n", id="list-key"),
        pytest.param("? {a: 1}\n: 2\n", id="mapping-key"),
    ],
)
def test_complex_key_is_unsupported(tmp_path: Path, key: str) -> None:
    content = BASE.replace("protocol: Knee\n", "protocol: Knee\n" + key)
    report = check(write(tmp_path, content))
    # The key's collection starts after "? " on line 2.
    assert where(report) == [("CD003", 2, 3)]
    assert "key" in report.diagnostics[0].message


@pytest.mark.parametrize("loader", LOADERS)
def test_second_yaml_document_is_unsupported_at_its_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, "---\n" + BASE + "---\n" + BASE))
    # Line 1 is the first "---", lines 2-7 the first protocol, line 8 the second "---".
    assert where(report) == [("CD003", 8, 1)]
    assert "second YAML document" in report.diagnostics[0].message


@pytest.mark.parametrize("loader", LOADERS)
def test_duplicate_key_is_reported_at_the_second_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, BASE + "    total: 60,000,000\n"))
    assert where(report) == [("CD005", 7, 5)]
    assert "first at line 6" in report.diagnostics[0].message


@pytest.mark.parametrize(
    ("newline", "bom"),
    [("\r\n", b""), ("\r", b""), ("\n", b"\xef\xbb\xbf")],
    ids=["crlf", "cr", "utf8-bom"],
)
def test_duplicate_key_location_survives_line_endings_and_bom(
    tmp_path: Path, newline: str, bom: bytes
) -> None:
    content = (BASE + "    total: 60,000,000\n").replace("\n", newline)
    report = check(write(tmp_path, bom + content.encode()))
    assert where(report) == [("CD005", 7, 5)]


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    # Each emoji is one character (four UTF-8 bytes): the second key is at character 16.
    report = check(write(tmp_path, "{protocol: \U0001f600\U0001f600, protocol: x}\n"))
    assert ("CD005", 1, 16) in where(report)


def test_line_separator_in_a_quoted_value_does_not_shift_later_lines(tmp_path: Path) -> None:
    content = with_row("    total: 50,000,000\n", '    notes: "a\u2028b"\n    total: 50,000,000\n')
    report = check(write(tmp_path, content + "    total: 60,000,000\n"))
    assert where(report) == [("CD005", 8, 5)]
    assert "first at line 7" in report.diagnostics[0].message


# --------------------------------------------------------------------------- bytes and encodings


def test_nul_byte_is_an_unreadable_file_at_its_position(tmp_path: Path) -> None:
    content = BASE.encode().replace(b"intra-articular", b"intra\x00-articular")
    report = check(write(tmp_path, content))
    # "  - route: intra" is 16 characters: the NUL is at line 3, column 17.
    assert where(report) == [("CD001", 3, 17)]
    assert "NUL" in report.diagnostics[0].message


def test_nul_byte_through_the_cli(tmp_path: Path) -> None:
    content = BASE.encode().replace(b"intra-articular", b"intra\x00-articular")
    diagnostics = run_cli(write(tmp_path, content))
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("CD001", 3, 17)]


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        pytest.param(
            BASE.encode().replace(b"intra-articular", b"intra\xff-articular"), 3, 17, id="ascii"
        ),
        pytest.param(
            "protocol: Knee\nadministrations:\n  - route: \u00e9".encode() + b"\xff\n",
            3,
            13,
            id="after-a-two-byte-character",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + BASE.encode().replace(b"intra-articular", b"intra\xff-articular"),
            3,
            17,
            id="utf8-bom-line-3",
        ),
        pytest.param(
            b"\xef\xbb\xbfprotocol: K\xffnee\n",
            1,
            12,
            id="utf8-bom-line-1",
        ),
    ],
)
def test_invalid_utf8_is_an_unreadable_file_at_its_line_and_column(
    tmp_path: Path, content: bytes, line: int, column: int
) -> None:
    report = check(write(tmp_path, content))
    assert where(report) == [("CD001", line, column)]
    assert "UTF-8" in report.diagnostics[0].message


@pytest.mark.parametrize(
    ("bom", "encoding", "surrogate"),
    [(b"\xff\xfe", "utf-16-le", b"\x00\xd8"), (b"\xfe\xff", "utf-16-be", b"\xd8\x00")],
    ids=["utf-16-le", "utf-16-be"],
)
def test_invalid_utf16_is_reported_at_its_character_column(
    tmp_path: Path, bom: bytes, encoding: str, surrogate: bytes
) -> None:
    before = "protocol: Knee\nadministrations:\n  - route: ab".encode(encoding)
    content = bom + before + surrogate + "c\n".encode(encoding)
    report = check(write(tmp_path, content))
    assert where(report) == [("CD001", 3, 14)]


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"],
)
def test_valid_protocol_with_a_bom_checks_clean(tmp_path: Path, bom: bytes, encoding: str) -> None:
    path = write(tmp_path, bom + BASE.encode(encoding))
    report = check(path)
    assert report.diagnostics == ()
    protocol = celldose.load(path)
    assert protocol.name == "Knee"
    assert protocol.administrations[0].route == "intra-articular"


@pytest.mark.parametrize(
    ("content", "line", "column", "loader"),
    [
        pytest.param(
            "protocol: Knee\nadministrations:\n  - route: ab\x07c\n",
            3,
            14,
            "libyaml",
            id="bell-libyaml",
            marks=pytest.mark.skipif(_C_LOADER is None, reason="PyYAML without libyaml"),
        ),
        pytest.param(
            "protocol: Knee\nadministrations:\n  - route: ab\x07c\n",
            3,
            14,
            "pure-python",
            id="bell-pure-python",
        ),
        pytest.param(
            "protocol: Kn\u00e9\u00e9\nadministrations:\n  - route: \u00e9\u00e9\x07c\n",
            3,
            14,
            "libyaml",
            id="bell-after-non-ascii-libyaml",
            marks=[
                pytest.mark.skipif(_C_LOADER is None, reason="PyYAML without libyaml"),
            ],
        ),
        pytest.param(
            "protocol: Kn\u00e9\u00e9\nadministrations:\n  - route: \u00e9\u00e9\x07c\n",
            3,
            14,
            "pure-python",
            id="bell-after-non-ascii-pure-python",
        ),
    ],
)
def test_control_character_is_a_syntax_error_at_its_position(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    line: int,
    column: int,
    loader: str,
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, content))
    assert where(report) == [("CD002", line, column)]


@pytest.mark.parametrize(
    "loader",
    [
        pytest.param(
            "libyaml", marks=pytest.mark.skipif(_C_LOADER is None, reason="PyYAML without libyaml")
        ),
        pytest.param(
            "pure-python",
        ),
    ],
)
@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le")],
    ids=["utf-8-bom", "utf-16-le"],
)
def test_nul_in_a_file_with_a_bom_is_reported_at_its_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str, bom: bytes, encoding: str
) -> None:
    use_loader(monkeypatch, loader)
    text = "protocol: Knee\nadministrations:\n  - route: ab\x00c\n"
    report = check(write(tmp_path, bom + text.encode(encoding)))
    # Either "not a text file" or "not valid YAML" is clear; the place must be exact.
    assert len(report.diagnostics) == 1
    assert where(report)[0] in (("CD001", 3, 14), ("CD002", 3, 14))


def test_check_text_with_a_lone_surrogate_reports_instead_of_raising() -> None:
    report = celldose.check_text("protocol: Knee\nadministrations:\n  - route: ab\udcffc\n")
    assert [d.code for d in report.diagnostics] in (["CD001"], ["CD002"])
    assert (report.diagnostics[0].line, report.diagnostics[0].column) == (3, 14)


# ------------------------------------------------------------------ not YAML, not a protocol


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param("protocol: Knee\nadministrations:\n\t- route: intra-articular\n", 3, id="row"),
        pytest.param(with_row("    dose:", "\t dose:"), 4, id="field"),
    ],
)
def test_tab_indentation_is_a_syntax_error_at_the_tab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str, content: str, line: int
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, content))
    assert where(report) == [("CD002", line, 1)]
    assert report.diagnostics[0].message.startswith("invalid YAML")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"   \n\n# just a comment\n  \n", id="whitespace-and-comment"),
        pytest.param(b"# only a comment", id="comment-without-newline"),
        pytest.param(b"\xef\xbb\xbf", id="utf8-bom-only"),
        pytest.param(b"\xff\xfe", id="utf16-bom-only"),
    ],
)
def test_empty_file_is_not_a_protocol(tmp_path: Path, content: bytes) -> None:
    report = check(write(tmp_path, content))
    assert [d.code for d in report.diagnostics] == ["CD006"]
    assert "empty" in report.diagnostics[0].message


@pytest.mark.parametrize(
    ("content", "what"),
    [
        pytest.param("- route: intra-articular\n  dose: 50,000,000\n", "a list", id="list"),
        pytest.param("Knee\n", "text", id="scalar"),
        pytest.param("50,000,000\n", "text", id="number"),
        pytest.param("[protocol, Knee]\n", "a list", id="flow-list"),
    ],
)
def test_top_level_that_is_not_a_mapping_is_not_a_protocol(
    tmp_path: Path, content: str, what: str
) -> None:
    report = check(write(tmp_path, content))
    assert where(report) == [("CD006", 1, 1)]
    assert what in report.diagnostics[0].message


def test_file_over_10_mib_is_an_input_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    line = "# " + "x" * 1021 + "\n"  # 1 KiB
    with path.open("w", encoding="ascii") as handle:
        for _ in range(11):
            handle.write(line * 1024)  # 1 MiB at a time
    assert path.stat().st_size == 11 * 1024 * 1024
    report = check(path, limit=None)
    assert where(report) == [("CD004", 1, 1)]
    assert "10 MiB" in report.diagnostics[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_in_a_directory_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    reports: list[Report] = []
    worker = threading.Thread(
        target=lambda: reports.append(celldose.check_paths([tmp_path])), daemon=True
    )
    worker.start()
    worker.join(timeout=2)
    hung = worker.is_alive()
    if hung:  # unblock the reader (a writer opens and closes the pipe) so the thread ends
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=5)
    assert not hung, "check_paths blocked on a named pipe"
    assert all(d.code == "CD001" for d in reports[0].diagnostics)


# --------------------------------------------------------------------------- YAML 1.1 traps


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column", "quoted"),
    [
        pytest.param("days: 1", "days: 1:30", "CD204", 5, 11, "'1:30'", id="sexagesimal-days"),
        pytest.param("days: 1", "days: 010", "CD204", 5, 11, "'010'", id="octal-days"),
        pytest.param("days: 1", "days: .inf", "CD204", 5, 11, "'.inf'", id="inf-days"),
        pytest.param("days: 1", "days: .nan", "CD204", 5, 11, "'.nan'", id="nan-days"),
        pytest.param("days: 1", "days: 0x1F", "CD204", 5, 11, "'0x1F'", id="hex-days"),
        pytest.param("days: 1", "days: 0o17", "CD204", 5, 11, "'0o17'", id="octal-0o-days"),
        pytest.param("days: 1", "days: 0b11", "CD204", 5, 11, "'0b11'", id="binary-days"),
        pytest.param("days: 1", "days: 1_0", "CD204", 5, 11, "'1_0'", id="underscore-days"),
        pytest.param("days: 1", "days: yes", "CD204", 5, 11, "'yes'", id="bool-days"),
        pytest.param("dose: 50,000,000", "dose: .inf", "CD201", 4, 11, "'.inf'", id="inf-dose"),
        pytest.param(
            "dose: 50,000,000", "dose: -.inf", "CD201", 4, 11, "'-.inf'", id="minus-inf-dose"
        ),
        pytest.param("dose: 50,000,000", "dose: .NaN", "CD201", 4, 11, "'.NaN'", id="nan-dose"),
        pytest.param(
            "dose: 50,000,000", "dose: 50_000_000", "CD201", 4, 11, "'50_000_000'", id="underscores"
        ),
        pytest.param(
            "total: 50,000,000", "total: 190:30:00", "CD201", 6, 12, "'190:30:00'", id="sexagesimal"
        ),
    ],
)
def test_yaml_11_number_spellings_are_read_as_written(
    tmp_path: Path, old: str, new: str, code: str, line: int, column: int, quoted: str
) -> None:
    report = check(write(tmp_path, with_row(old, new)))
    assert where(report) == [(code, line, column)]
    assert quoted in report.diagnostics[0].message


def test_sexagesimal_days_is_not_ninety(tmp_path: Path) -> None:
    report = check(write(tmp_path, with_row("days: 1", "days: 1:30")))
    message = only(report, "CD204").message
    assert "90" not in message


def test_leading_zero_days_is_not_octal_eight(tmp_path: Path) -> None:
    report = check(write(tmp_path, with_row("days: 1", "days: 010")))
    message = only(report, "CD204").message
    assert "leading zero" in message
    assert "octal" in message
    assert "8" not in message


def test_per_side_no_is_a_wrong_type_not_false(tmp_path: Path) -> None:
    report = check(write(tmp_path, BASE + "    per_side: no\n"))
    assert where(report) == [("CD103", 7, 15)]
    assert "'no'" in report.diagnostics[0].message
    assert "False" not in report.diagnostics[0].message


def test_route_no_stays_the_string_no(tmp_path: Path) -> None:
    path = write(tmp_path, with_row("route: intra-articular", "route: no"))
    report = check(path)
    assert where(report) == [("CD307", 3, 12)]
    assert report.diagnostics[0].severity is Severity.WARNING
    assert "'no'" in report.diagnostics[0].message
    assert report.ok
    assert celldose.load(path).administrations[0].route == "no"


@pytest.mark.parametrize("dose", ["5e7", "5.0e+7", "5E7", "5.0E+07"])
def test_exponent_doses_read_as_fifty_million(tmp_path: Path, dose: str) -> None:
    path = write(tmp_path, with_row("dose: 50,000,000", f"dose: {dose}"))
    report = check(path)
    assert report.diagnostics == ()
    row = celldose.load(path).administrations[0]
    assert isinstance(row.dose, pint.Quantity)
    assert row.dose.magnitude == 50_000_000
    assert isinstance(row.dose.magnitude, int)
    assert row.expected_total is not None
    assert row.expected_total.magnitude == 50_000_000


def test_exponent_total_matches_plain_dose(tmp_path: Path) -> None:
    content = with_row("dose: 50,000,000", "dose: 5e7").replace(
        "total: 50,000,000", "total: 5.0e+7"
    )
    report = check(write(tmp_path, content))
    assert report.diagnostics == ()


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [
        pytest.param("total: 50,000,000", "total: ~", "CD303", 6, 12, id="total-tilde"),
        pytest.param("total: 50,000,000", "total: null", "CD303", 6, 12, id="total-null"),
        pytest.param("total: 50,000,000", "total:", "CD303", 6, 11, id="total-empty"),
        pytest.param("dose: 50,000,000", "dose: null", "CD304", 4, 11, id="dose-null"),
    ],
)
def test_plain_null_is_not_stated(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    loader: str,
    old: str,
    new: str,
    code: str,
    line: int,
    column: int,
) -> None:
    use_loader(monkeypatch, loader)
    report = check(write(tmp_path, with_row(old, new)))
    assert where(report) == [(code, line, column)]


# --------------------------------------------------------------------------- huge numbers


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [
        pytest.param("dose: 50,000,000", "dose: " + "9" * 10_000, "CD201", 4, 11, id="dose"),
        pytest.param("total: 50,000,000", "total: " + "9" * 10_000, "CD201", 6, 12, id="total"),
        pytest.param("days: 1", "days: " + "9" * 10_000, "CD204", 5, 11, id="days"),
        pytest.param(
            "dose: 50,000,000", "dose: 1" + ",000" * 2_500, "CD201", 4, 11, id="grouped-dose"
        ),
    ],
)
def test_ten_thousand_digit_number_is_refused_quickly(
    tmp_path: Path, old: str, new: str, code: str, line: int, column: int
) -> None:
    # int() of more than 4,300 digits raises ValueError (sys.int_info.str_digits_check_threshold)
    report = check(write(tmp_path, with_row(old, new)))
    assert where(report) == [(code, line, column)]
    assert len(report.diagnostics[0].message) < MAX_MESSAGE
    assert "int_max_str_digits" not in report.diagnostics[0].message


@pytest.mark.parametrize(
    "dose",
    [
        "10**10**10 cells",
        "10^10^10 cells",
        "1e400 cells",
        "1e999999999",
        "5 x 10^999999 cells",
    ],
)
def test_astronomical_dose_is_refused_without_evaluating_it(tmp_path: Path, dose: str) -> None:
    report = check(write(tmp_path, with_row("dose: 50,000,000", f"dose: {dose}")))
    assert where(report) == [("CD201", 4, 11)]
    assert "inf" not in report.diagnostics[0].message.replace("'", "")


def test_power_tower_dose_through_the_cli(tmp_path: Path) -> None:
    path = write(tmp_path, with_row("dose: 50,000,000", "dose: 10**10**10 cells"))
    diagnostics = run_cli(path, timeout=60)
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("CD201", 4, 11)]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("dose", 10**10_000, "CD201"), ("days", 10**10_000, "CD204")],
    ids=["dose", "days"],
)
def test_huge_int_in_a_mapping_is_reported_not_raised(field: str, value: int, code: str) -> None:
    row: dict[str, object] = {
        "route": "intra-articular",
        "dose": 50_000_000,
        "days": 1,
        "total": 50_000_001,
    }
    row[field] = value
    report = celldose.check({"protocol": "Knee", "administrations": [row]})
    assert code in [d.code for d in report.diagnostics]


# --------------------------------------------------------------------------- huge text


MEGABYTE = 1_000_000


def test_megabyte_route_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, with_row("route: intra-articular", "route: " + "x" * MEGABYTE))
    report = check(path)
    assert ("CD103", 3, 12) in where(report)
    assert all(len(d.message) < MAX_MESSAGE for d in report.diagnostics), [
        len(d.message) for d in report.diagnostics
    ]
    assert all(d.fix is None or len(d.fix) < MAX_MESSAGE for d in report.diagnostics)


_ECHO_BUG = "BUG: the diagnostic message echoes the whole {what} ({size} characters); {fix}"


@pytest.mark.parametrize(
    ("content", "code", "line", "column"),
    [
        pytest.param(
            with_row("protocol: Knee", "protocol: " + "n" * MEGABYTE), "CD103", 1, 11, id="name"
        ),
        pytest.param(
            with_row("dose: 50,000,000", "dose: " + "d" * MEGABYTE), "CD201", 4, 11, id="dose"
        ),
        pytest.param(with_row("days: 1", "days: " + "d" * MEGABYTE), "CD204", 5, 11, id="days"),
        pytest.param(BASE + "    per_side: " + "p" * MEGABYTE + "\n", "CD103", 7, 15, id="flag"),
        pytest.param("t" * MEGABYTE + "\n", "CD006", 1, 1, id="top-level-scalar"),
        pytest.param("protocol: [" + "s" * MEGABYTE + "\n", "CD002", 2, 1, id="syntax-error"),
        pytest.param(
            BASE + "? " + "k" * MEGABYTE + "\n: 1\n",
            "CD101",
            7,
            3,
            id="unknown-key",
        ),
        pytest.param(
            BASE + "? " + "k" * MEGABYTE + "\n: 1\n? " + "k" * MEGABYTE + "\n: 2\n",
            "CD005",
            9,
            3,
            id="duplicate-key",
        ),
        pytest.param(
            with_row("total: 50,000,000", "total: 50,000,000\n    notes: *" + "a" * MEGABYTE),
            "CD003",
            7,
            12,
            id="alias-name",
        ),
        pytest.param(
            with_row("total: 50,000,000", "total: !" + "t" * MEGABYTE + " 50,000,000"),
            "CD003",
            6,
            12,
            id="tag",
        ),
    ],
)
def test_megabyte_text_anywhere_is_not_echoed(
    tmp_path: Path, content: str, code: str, line: int, column: int
) -> None:
    report = check(write(tmp_path, content))
    assert (code, line, column) in where(report)
    sizes = [len(d.message) for d in report.diagnostics]
    assert all(size < MAX_MESSAGE for size in sizes), sizes


def test_long_unknown_route_is_shortened_in_the_warning(tmp_path: Path) -> None:
    report = check(write(tmp_path, with_row("route: intra-articular", "route: " + "z" * 1999)))
    warning = only(report, "CD307")
    assert (warning.line, warning.column) == (3, 12)
    assert len(warning.message) < MAX_MESSAGE


@pytest.mark.parametrize(
    "text",
    ["1," * 1500 + "x", "1" * 3000 + " x", "9 " * 1500, "knee " * 1000 + "injection"],
)
def test_non_cell_amounts_and_routes_with_sites_read_in_linear_time(text: str) -> None:
    """Issue 16: the amount found in a non-cell dose and a route read with its site are word
    lookups and one linear pattern: long hostile text is refused or read in milliseconds."""
    protocol = {
        "protocol": "X",
        "administrations": [
            {"route": "intravenous", "product": "exosomes", "dose": text, "days": 1},
            {"route": text, "dose": 5, "days": 1, "total": 5},
        ],
    }
    started = time.perf_counter()
    report = celldose.check(protocol)
    assert time.perf_counter() - started < 1.0
    assert report.diagnostics  # each is refused with its reason, never a hang
