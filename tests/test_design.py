"""What the architecture promises, tested as a user meets it.

* a check reads each file once, whatever the output format (the report carries each file's
  document: suppressions, source lines, the HTML tables and the fixes come from it);
* the API and the command line give the same findings for the same files and configuration;
* the format table is the one place that knows file endings.
"""

from __future__ import annotations

import builtins
import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from celldose.cli import main
from conftest import PROTOCOLS

WRONG = """\
protocol: Knee
administrations:
  - route: Intra-articular/per side
    dose: 50,000,000
    days: 1
    total: 100,000,000
  - route: intravenous
    dose: 10,000,000
    days: 2
    total: 20,000,000  # celldose: ignore[CD301] nothing to suppress here
"""
SHEET = """\
Route,Dose,Days,Total,Notes
Intra-articular/per side,"50,000,000",1,"100,000,000",
intravenous,"10,000,000",2,,celldose: ignore[CD302] left over
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "knee.yaml").write_text(WRONG, encoding="utf-8")
    (tmp_path / "sheet.csv").write_text(SHEET, encoding="utf-8")
    for name in ("sacroiliitis.md", "sacroiliitis.xlsx"):
        (tmp_path / name).write_bytes((PROTOCOLS / name).read_bytes())
    return tmp_path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Iterator[Counter[str]]:
    """How many times each file of ``folder`` is opened (by builtins.open, io.open, os.open)."""
    counts: Counter[str] = Counter()

    def counting(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, str | bytes | os.PathLike):
                path = Path(os.fsdecode(file)).resolve()
                if path.parent == folder.resolve():
                    counts[path.name] += 1
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", counting(builtins.open))
    monkeypatch.setattr(io, "open", counting(io.open))
    monkeypatch.setattr(os, "open", counting(os.open))
    yield counts


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--format", "html"],
        ["--format", "json"],
        ["--statistics"],
        ["--diff", "--unsafe-fixes"],
    ],
)
def test_a_check_opens_each_file_once(
    folder: Path,
    opened: Counter[str],
    options: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(folder)
    status = main(["check", ".", *options])
    out = capsys.readouterr().out
    assert status == 1
    assert "CD301" in out or "100,000,000" in out or "total-mismatch" in out
    assert set(opened) == {"knee.yaml", "sheet.csv", "sacroiliitis.md", "sacroiliitis.xlsx"}
    assert max(opened.values()) == 1, opened


def test_the_api_and_the_cli_give_the_same_findings(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Configuration, per-file ignores, severities and suppressions apply through the API:
    celldose.check_paths(paths) returns what celldose check prints."""
    import celldose
    from celldose.settings import Settings

    (folder / "pyproject.toml").write_text(
        "[tool.celldose]\n"
        'ignore = ["CD306"]\n'
        'severity = { CD009 = "info" }\n'
        'per-file-ignores = { "sheet.csv" = ["CD303"] }\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(folder)
    assert main(["check", ".", "--format", "json"]) == 1
    printed = json.loads(capsys.readouterr().out)["diagnostics"]
    report = celldose.check_paths(["."])
    api = [(d.path, d.code, d.severity.value, d.line, d.message) for d in report]
    cli = [(d["path"], d["code"], d["severity"], d["line"], d["message"]) for d in printed]
    assert api == cli
    codes = {d.code for d in report}
    assert "CD306" not in codes and ("sheet.csv", "CD303") not in {(d.path, d.code) for d in report}
    assert any(d.code == "CD009" and d.severity.value == "info" for d in report)
    assert len(report) == len(printed) and report.failed
    raw = celldose.check_paths(["."], settings=Settings.raw())
    assert {"CD306", "CD303"} <= {d.code for d in raw}


def test_select_on_the_command_line_is_a_setting_of_the_api(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import celldose
    from celldose.settings import Settings

    monkeypatch.chdir(folder)
    main(["check", ".", "--select", "CD3", "--ignore", "CD306", "--format", "json"])
    printed = [d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]]
    report = celldose.check_paths(["."], settings=Settings(select=("CD3",), ignore=("CD306",)))
    assert [d.code for d in report] == printed
    assert printed and all(code.startswith("CD3") and code != "CD306" for code in printed)


def test_every_file_ending_comes_from_the_format_table() -> None:
    """No module but celldose.formats spells a file ending of an input format to decide
    anything. (A rule's examples name the file they are saved as: rules/ is data there.)"""
    from celldose.formats import BY_SUFFIX

    package = Path(__file__).resolve().parent.parent / "src" / "celldose"
    allowed = {package / "formats.py"}
    found = []
    for path in package.rglob("*.py"):
        if path in allowed or path.parent.name == "rules":
            continue
        text = path.read_text(encoding="utf-8")
        for suffix in BY_SUFFIX:
            for quote in ('"', "'"):
                if f"{quote}{suffix}{quote}" in text:
                    found.append(f"{path.relative_to(package)}: {suffix}")
    assert found == []
