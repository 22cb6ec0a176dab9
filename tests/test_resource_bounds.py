"""Work that grows with the input grows linearly, and the workers started are bounded.

No test here times anything (a shared CI machine makes timings flaky): the HTML report's work
is counted, as the number of times it looks at a diagnostic's pointer, and the benchmark
(``benchmarks/run.py --html-rows``) prints the time a 100,000-row sheet takes.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import SupportsIndex, overload

import pytest

import celldose
from celldose import parallel
from celldose.diagnostics import Report
from celldose.formatters import FORMATTERS

WRONG_ROW = 'Intra-articular,"50,000,000",2,"50,000,000"\n'


class CountedPointer(tuple[str | int, ...]):
    """A diagnostic's pointer that counts how often it is looked at."""

    looks = 0

    @overload
    def __getitem__(self, index: SupportsIndex) -> str | int: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str | int, ...]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> str | int | tuple[str | int, ...]:
        CountedPointer.looks += 1
        return super().__getitem__(index)

    def __eq__(self, other: object) -> bool:
        CountedPointer.looks += 1
        return super().__eq__(other)

    def __hash__(self) -> int:
        return super().__hash__()

    def __len__(self) -> int:
        CountedPointer.looks += 1
        return super().__len__()


def html_looks(tmp_path: Path, rows: int) -> tuple[int, int]:
    """How often the HTML report looks at a pointer for a sheet of ``rows`` wrong rows, and the
    number of diagnostics."""
    path = tmp_path / f"rows{rows}.csv"
    path.write_text("Route,Dose,Days,Total\n" + WRONG_ROW * rows, encoding="utf-8")
    report = celldose.check_paths([path], keep=True)
    counted = tuple(replace(d, pointer=CountedPointer(d.pointer)) for d in report.diagnostics)
    report = Report(counted, report.paths, report.files, report.fail_on)
    CountedPointer.looks = 0
    page = FORMATTERS["html"].render(report)
    assert page.count('class="total problem sev-error"') == rows  # each wrong total marked
    return CountedPointer.looks, len(report)


def test_the_html_report_looks_at_each_finding_a_bounded_number_of_times(
    tmp_path: Path,
) -> None:
    """20,000 wrong rows took 37 s and 100,000 never finished: each row looked through every
    finding. The work per finding must not grow with the sheet."""
    small, small_findings = html_looks(tmp_path, 50)
    large, large_findings = html_looks(tmp_path, 400)
    assert large_findings == 8 * small_findings
    assert large / large_findings <= small / small_findings + 1
    assert large / large_findings < 20


def test_jobs_are_capped_at_the_usable_cores_and_the_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--jobs 10000 on 20,000 files started 312 processes (12.7 GB); one per usable core at
    most, and none that the files are too few to keep busy."""
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    else:
        monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert parallel.available_cores() == 3
    assert parallel.workers_for(20_000, 10_000) == 3
    assert parallel.workers_for(20_000, None) == 3
    assert parallel.workers_for(20_000, 2) == 2
    assert parallel.workers_for(2 * parallel.PARALLEL_MIN_FILES, 10_000) == 2
    assert parallel.workers_for(10, 10_000) == 1  # a worker would cost more than it saves


def test_the_same_report_whatever_the_jobs_asked_for(tmp_path: Path) -> None:
    for number in range(3):
        (tmp_path / f"p{number}.csv").write_text(
            "Route,Dose,Days,Total\n" + WRONG_ROW, encoding="utf-8"
        )
    one = celldose.check_paths([tmp_path], jobs=1)
    many = celldose.check_paths([tmp_path], jobs=10_000)
    assert one == many and len(one) == 3
