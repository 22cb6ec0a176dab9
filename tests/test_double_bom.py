"""A file that starts with two byte order marks is read with the right columns, and fixed
with both marks kept (issue 17: columns were one too small, and --fix refused for a wrong
reason)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from celldose.cli import main

BOM = codecs.BOM_UTF8
YAML = (
    b"protocol: Knee\nadministrations:\n  - route: Intra-articular\n    dose: 10 million\n"
    b"    days: 2\n    total: 30 million\n"
)
CSV = b"Route,Dose,Days,Total\nIntra-articular,10000000,2,30000000\n"


@pytest.mark.parametrize("boms", [1, 2, 3])
@pytest.mark.parametrize(
    ("name", "body", "where"), [("knee.yaml", YAML, ":6:12:"), ("knee.csv", CSV, ":2:")]
)
def test_columns_do_not_move_with_the_marks(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    boms: int,
    name: str,
    body: bytes,
    where: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(BOM * boms + body)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{name}{where}" in out and "CD301" in out, out


@pytest.mark.parametrize("boms", [1, 2])
def test_fix_writes_the_total_and_keeps_the_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], boms: int
) -> None:
    path = tmp_path / "knee.yaml"
    path.write_bytes(BOM * boms + YAML)
    assert main(["check", "--fix", "--unsafe-fixes", str(path)]) == 0
    err = capsys.readouterr().err
    assert "Skipped" not in err and "Fixed 1 finding" in err, err
    fixed = path.read_bytes()
    assert fixed.startswith(BOM * boms) and not fixed.startswith(BOM * (boms + 1))
    assert fixed.endswith(b"    total: 20000000\n")
