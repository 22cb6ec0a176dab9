"""docs/api.md is true: its examples run, every name it heads is importable, every public name
has its entry, and a client typed with ``mypy --strict`` against the API type-checks."""

from __future__ import annotations

import doctest
import importlib
import json
import re
from pathlib import Path

import pytest

import celldose
from conftest import ROOT, SEED

API_PAGE = ROOT / "docs" / "api.md"
_NAME = re.compile(r"`(celldose(?:\.\w+)+)")


def documented_names() -> list[str]:
    """The names in the page's entry headings (``### `celldose.check(...)```)."""
    lines = API_PAGE.read_text(encoding="utf-8").splitlines()
    return [name for line in lines if line.startswith("### ") for name in _NAME.findall(line)]


def test_every_example_of_the_reference_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(API_PAGE), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15
    assert result.failed == 0


def test_every_documented_name_exists() -> None:
    names = documented_names()
    assert len(names) >= 20
    for dotted in names:
        value: object = importlib.import_module("celldose")
        for part in dotted.split(".")[1:]:
            value = getattr(value, part)  # AttributeError names what the page invents


def test_every_public_name_is_documented() -> None:
    documented = {name.split(".")[1] for name in documented_names()}
    assert set(celldose.__all__) <= documented


def test_report_and_diagnostic_serialise_as_the_json_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from celldose.cli import main

    monkeypatch.chdir(ROOT)
    main(["check", "--format", "json", str(SEED.relative_to(ROOT))])
    printed = capsys.readouterr().out
    report = celldose.check(SEED.relative_to(ROOT))
    assert report.to_json() == printed
    assert json.loads(printed) == report.to_dict()
    (info,) = report
    assert info.to_dict() == json.loads(printed)["diagnostics"][0]
    assert (
        info.to_dict()["url"]
        == info.url
        == "https://github.com/celldose/celldose/blob/main/docs/rules.md#cd306"
    )


def test_severities_are_ordered_and_stay_strings() -> None:
    error, warning, info = celldose.Severity
    assert error > warning > info and info < warning <= warning < error
    assert max([info, error, warning]) is error
    assert sorted([error, info, warning]) == [info, warning, error]
    assert json.dumps([error, info]) == '["error", "info"]'
    assert error == "error" and error > "warning"
    with pytest.raises(TypeError):
        _ = error < "fatal"


def test_a_strict_mypy_client_of_the_api_type_checks(tmp_path: Path) -> None:
    mypy_api = pytest.importorskip("mypy.api")
    client = tmp_path / "client.py"
    client.write_text(
        '''"""A tool that imports celldose, as its users write one."""

import json
from pathlib import Path

import celldose
from celldose import Diagnostic, Report, Settings, Severity


def worst(report: Report) -> Severity | None:
    return max((d.severity for d in report), default=None)


def lines(report: Report) -> list[str]:
    out: list[str] = []
    for d in report:
        where = f"{d.line}:{d.column}" if d.span is not None else "/".join(map(str, d.pointer))
        out.append(f"{d.path}:{where} {d.code} {d.severity} {d.message} ({d.url})")
    return out


def main(folder: Path) -> int:
    settings = Settings(select=("CD3",), fail_on=Severity.WARNING)
    report: Report = celldose.check_paths([folder], settings=settings, jobs=None)
    first: Diagnostic | None = next(iter(report), None)
    payload: dict[str, object] = report.to_dict()
    text: str = report.to_json(indent=None)
    if first is not None:
        json.dumps(first.to_dict())
    protocol: celldose.Protocol = celldose.load(folder / "a.yaml")
    total = protocol.administrations[0].expected_total
    print(len(report), worst(report), lines(report), payload, text, protocol.name, total)
    return 1 if report.failed else 0
''',
        encoding="utf-8",
    )
    out, err, status = mypy_api.run(
        [
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",  # celldose's own code is checked by its gate, not here
            "--config-file=",
            str(client),
        ]
    )
    assert status == 0, out + err
