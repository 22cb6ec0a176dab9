"""Data-driven rule cases: ``cases/NAME.yaml`` and the diagnostics it must give, ``NAME.expected``.

A case is a YAML protocol, a CSV sheet or a Markdown page; adding one means adding two files.
Each line of an ``.expected`` file is ``LINE:COLUMN CODE severity: message`` followed by its
indented fix hint; an empty file means the protocol is clean.
Regenerate after a deliberate change with ``CELLDOSE_UPDATE_GOLDENS=1 pytest tests/test_cases.py``
and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import celldose

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("CELLDOSE_UPDATE_GOLDENS") == "1"


def render(report: celldose.Report) -> str:
    lines = []
    for d in report.diagnostics:
        lines.append(f"{d.line}:{d.column} {d.code} {d.severity.value}: {d.message}\n")
        lines.append(f"    fix: {d.fix}\n")
    return "".join(lines)


SUFFIXES = (".yaml", ".csv", ".md")


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix in SUFFIXES)


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    actual = render(celldose.check(case))
    expected_file = case.with_suffix(".expected")
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), (
        f"{expected_file.name} is missing: run with CELLDOSE_UPDATE_GOLDENS=1"
    )
    assert actual == expected_file.read_text(encoding="utf-8")


def test_every_expected_file_has_its_case() -> None:
    orphans = [
        p.name
        for p in CASES.glob("*.expected")
        if not any(p.with_suffix(suffix).exists() for suffix in SUFFIXES)
    ]
    assert orphans == []
