"""Sources: both YAML parsers give the same diagnostics, and the unit registry stays safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import celldose
from celldose.rules.reading import INPUT_LIMIT
from celldose.sources import yaml_source
from celldose.sources.text import MAX_BYTES, read_text
from celldose.units.registry import registry

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def located(report: celldose.Report) -> list[tuple[int | None, int | None, str, str]]:
    return [(d.line, d.column, d.code, d.message) for d in report.diagnostics]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_pure_python_parser_gives_the_same_diagnostics(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_libyaml = located(celldose.check(case))
    monkeypatch.setattr(yaml_source, "_Loader", yaml.SafeLoader)
    assert located(celldose.check(case)) == with_libyaml


def test_deep_nesting_is_refused_by_the_pure_parser_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "_Loader", yaml.SafeLoader)
    report = celldose.check_text("a: " + "[" * 30_000 + "]" * 30_000 + "\n")
    assert [(d.code, d.line) for d in report.diagnostics] == [("CD004", 1)]


def test_unit_registry_has_no_disk_cache() -> None:
    """pint's cache_folder unpickles files: anyone who can write it could run code here."""
    assert getattr(registry(), "_diskcache", None) is None
    assert registry() is registry()


def test_the_size_limit_is_exact_and_a_growing_file_is_still_bounded(tmp_path: Path) -> None:
    """read_text asks for the size stat reports (not a 10 MiB buffer per file): a file of
    exactly the limit reads, one byte more is refused, and so is a file that grows past the
    limit between the stat and the read."""
    from unittest import mock

    from celldose.sources.problems import SourceProblem

    path = tmp_path / "edge.yaml"
    path.write_bytes(b"#" * MAX_BYTES)
    assert read_text(path) == "#" * MAX_BYTES
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    refused = read_text(path)
    assert isinstance(refused, SourceProblem) and refused.rule is INPUT_LIMIT
    # stat says 10 bytes; the file holds more than the limit by the time it is read.
    small = mock.Mock(st_mode=0o100644, st_size=10)
    with mock.patch.object(Path, "stat", return_value=small):
        grown = read_text(path)
    assert isinstance(grown, SourceProblem) and grown.rule is INPUT_LIMIT
    path.write_bytes(b"protocol: grew\n")
    with mock.patch.object(Path, "stat", return_value=mock.Mock(st_mode=0o100644, st_size=3)):
        assert read_text(path) == "protocol: grew\n"


@given(st.text(alphabet="ab\r\n", max_size=40), st.data())
def test_a_line_index_offset_is_the_inverse_of_locate(text: str, data: st.DataObject) -> None:
    """Fixes turn a reader's (line, column) back into a character offset with the same index
    the readers use to locate it."""
    from celldose.sources.lines import LineIndex

    index = data.draw(st.integers(min_value=0, max_value=len(text)))
    lines = LineIndex(text)
    assert lines.offset(*lines.locate(index)) == index
