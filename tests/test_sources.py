"""Sources: both YAML parsers give the same diagnostics, and the unit registry stays safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import celldose
from celldose.sources import yaml_source
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
