"""Parallel checking gives the same report, and checking never writes."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import celldose
from celldose.parallel import PARALLEL_MIN_FILES
from conftest import run_cli, run_process

CASES = Path(__file__).parent / "cases"


def many_protocols(root: Path) -> Path:
    """Enough files for two workers: copies of every case, broken ones included."""
    cases = sorted(CASES.glob("*.yaml"))
    root.mkdir(parents=True, exist_ok=True)
    copies = 0
    while copies < 2 * PARALLEL_MIN_FILES + 10:
        for case in cases:
            folder = root / f"batch{copies // 50:02d}"
            folder.mkdir(exist_ok=True)
            shutil.copy(case, folder / f"{copies:04d}-{case.name}")
            copies += 1
    return root


def test_jobs_do_not_change_the_report_or_its_order(tmp_path: Path) -> None:
    root = many_protocols(tmp_path)
    # In processes of their own: --jobs 2 forks workers from the CLI's process.
    one = run_process("check", str(root), "--jobs", "1", "--format", "json")
    two = run_process("check", str(root), "--jobs", "2", "--format", "json")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert celldose.check_paths([root], jobs=2) == celldose.check_paths([root], jobs=1)


def test_the_report_is_in_the_order_a_full_sort_gives(tmp_path: Path) -> None:
    """Each worker sorts its file's findings and the files are put in path order: the same
    order as sorting every finding, for files named in any order (and one named twice), for
    walks whose order differs from path order ("a-b/" walks after "a/"), and for workbooks."""
    root = many_protocols(tmp_path / "tree")
    for name in ("a", "a-b"):
        (root / name).mkdir()
        shutil.copy(CASES / "invalid-values.yaml", root / name / "x.yaml")
    for sheet in ("sacroiliitis.xlsx", "sacroiliitis.md", "sacroiliitis.csv"):
        shutil.copy(Path("protocols") / sheet, root / sheet)
    named = sorted(root.rglob("*.yaml"))[:5]
    for paths in ([root], [*reversed(named)], [named[0], root, named[0]]):
        for jobs in (1, 2):
            report = celldose.check_paths(paths, jobs=jobs)
            resorted = celldose.Report.of(report.diagnostics, report.paths)
            assert report.diagnostics == resorted.diagnostics
            assert len(report.diagnostics) >= 10


def test_jobs_must_be_a_positive_number() -> None:
    for bad in ("0", "-1", "two"):
        result = run_cli("check", "protocols", "--jobs", bad)
        assert result.returncode == 2
        assert "positive whole number" in result.stderr or "invalid" in result.stderr


def test_check_never_writes(tmp_path: Path) -> None:
    root = many_protocols(tmp_path / "tree")
    paths_before = set(root.rglob("*"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths_before if p.is_file()}
    # Read-only, as a checkout may be; root could still write, so the comparison below decides.
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:  # a process of its own: on this many files the default --jobs forks workers
        result = run_process("check", str(root), "--format", "json")
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert after == before
    assert set(root.rglob("*")) == paths_before  # no file created anywhere, not even a cache
