"""``celldose convert``: a converted file checks to the same diagnostics as its source, formula
starts are neutralized, targets are written atomically and never overwritten without --force,
and sources that would lose a value are refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import celldose
from celldose.convert import ConvertError, convert, read_raw
from celldose.convert.writers import unwritable_in_markdown
from conftest import PROTOCOLS, ROOT, SEED, run_cli

EXAMPLES = int(os.environ.get("CELLDOSE_CONVERT_EXAMPLES", "40"))
"""Round-trip examples: ``CELLDOSE_CONVERT_EXAMPLES=1000 pytest tests/test_convert.py``."""
SHEETS = ("csv", "md", "xlsx")
FORMATS = ("yaml", *SHEETS)
_CELL_REF = re.compile(r"^[^:]*![A-Z]+\d+: ")
_FORMULA_NOTE = re.compile(r" \([^()]*holds the formula[^()]*\)$")

Signature = list[tuple[str, str, str]]


def signature(path: Path) -> Signature:
    """A file's diagnostics as (code, severity, message), without what differs by design: the
    position, a workbook's cell reference (``Sheet1!D3: ``) and a formula note."""
    return sorted(
        (d.code, d.severity.value, _FORMULA_NOTE.sub("", _CELL_REF.sub("", d.message)))
        for d in celldose.check(path).diagnostics
    )


def as_yaml(path: Path) -> dict[str, Any]:
    """A converted file read back through a YAML conversion, as plain data."""
    data = yaml.safe_load(convert(path, "-", to="yaml"))
    assert isinstance(data, dict)
    return data


def first_row(path: Path) -> dict[str, str]:
    rows = as_yaml(path)["administrations"]
    assert isinstance(rows, list)
    row = rows[0]
    assert isinstance(row, dict)
    return row


def q(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(value, ensure_ascii=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and ".tmp" in p.name)


# 1. Round trip: every conversion, and every chain of them, checks to the source's diagnostics.

DOSES: list[tuple[str, int | None]] = [
    ("50,000,000", 50_000_000),
    ("5e7", 50_000_000),
    ("50 million cells", 50_000_000),
    ("5 x 10^7", 50_000_000),
    ("2.5 million", 2_500_000),
    ("10 million cells", 10_000_000),
    ("6 × 10^6", 6_000_000),  # noqa: RUF001 - the multiplication sign is a spelling celldose reads
    ("5×10⁷", 50_000_000),  # noqa: RUF001
    ("50.000.000", 50_000_000),  # with no ambiguous 50.000 or 2,5 beside it: the xfail below
    ("50'000'000", 50_000_000),
    ("50 000 000", 50_000_000),
    ("50M cells", 50_000_000),
    ("1.5 cells", None),
    ("50 million mL", None),
    ("1 million cells/kg", None),
    ("N/A", None),
    ("5-6 × 10^7", None),  # noqa: RUF001 - a range, read at both ends
    ("0.6\u20131.8 × 10^8 cells", None),  # noqa: RUF001
    ("2, 5, 10 × 10^6/kg", None),  # noqa: RUF001 - several doses: an error that converts as written
]
DAYS = [(1, 1), (2, 2), (5, 5), ("Twice", 2), ("twice a week for 4 weeks", 8)]
DAYS += [("every other day x 3", 3), ("once a month, total 3 times", 3), ("twice a week", 0)]
ROUTES = [
    "Intra-articular/per side",
    "IV",
    "Myers cocktail/NAD",
    "intradiscal",
    "epidural",
    "Zorbing",
]
NAMES = ["Knee", "Sacroiliitis", "Back, lumbar", 'Hip "L"', "=SUM(A1)", "@x"]
TEXTS = ["UC-MSC", "BMAC", '=HYPERLINK("http://x","y")', "+1", "-5", "@x", "Knee OA, both"]
NOTE_STARTS = ["", "=cmd", "+1", "-5", "@x", "a"]
NOTE_BODY = st.text(alphabet=st.sampled_from(list("ab XY,;:\"'|\\#*_!=\n")), max_size=16)


@st.composite
def protocols(draw: st.DrawFn) -> str:
    """The YAML text of a protocol, in the spellings celldose reads."""
    lines = [f"protocol: {q(draw(st.sampled_from(NAMES)))}"]
    if draw(st.booleans()):
        lines.append(f"condition: {q(draw(st.sampled_from(TEXTS)))}")
    if draw(st.booleans()):
        lines.append(f"product: {q(draw(st.sampled_from(TEXTS)))}")
    rows: list[str] = []
    cells = 0
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        dose, value = draw(st.sampled_from(DOSES))
        written_days, days = draw(st.sampled_from(DAYS))
        row = [f"route: {q(draw(st.sampled_from(ROUTES)))}", f"dose: {q(dose)}"]
        days_key = (
            "schedule" if not isinstance(written_days, int) and draw(st.booleans()) else "days"
        )
        row.append(f"{days_key}: {q(str(written_days))}")
        sites_key, sites = draw(st.sampled_from([(None, 1), (None, 1), ("sites", 4), ("vials", 2)]))
        if sites_key:
            row.append(f"{sites_key}: {sites}")
        totals = ["N/A", "", "50,000,000"]
        if value is not None:
            right = value * days * sites
            cells += right
            totals = [f"{right:,}", f"{right} cells", f"{right + 1_000_000:,}", f"{2 * right:,}"]
            totals += ["N/A", ""]
        total = draw(st.sampled_from(totals))
        if total:
            row.append(f"total: {q(total)}")
        if draw(st.booleans()):
            row.append(f"laterality: {draw(st.sampled_from(['left', 'right', 'bilateral']))}")
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            row.append(f"per_side: {draw(st.sampled_from(['true', 'false']))}")
        if draw(st.booleans()):
            row.append(f"product: {q(draw(st.sampled_from(TEXTS)))}")
        if draw(st.booleans()):
            # Never blank: an empty (or all-space) notes is an error a sheet cannot hold, as
            # an empty cell means no value (the xfail test below).
            notes = draw(st.sampled_from(NOTE_STARTS)) + draw(NOTE_BODY)
            notes = notes if notes.strip() else "b"
            row.append(f"notes: {q(notes)}")
        rows.append("  - " + "\n    ".join(row))
    if draw(st.booleans()):
        total_cells = draw(st.sampled_from([f"{cells:,}", f"{cells + 1:,}", "1.5e8", "N/A"]))
        lines.append(f"total_cells: {q(total_cells)}")
    return "\n".join([*lines, "administrations:", *rows]) + "\n"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    text=protocols(),
    chain=st.lists(st.sampled_from(FORMATS), min_size=1, max_size=4),
)
def test_conversions_check_to_the_diagnostics_of_their_source(text: str, chain: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = write(Path(folder) / "p.yaml", text)
        expected = signature(source)
        markdown_refuses = unwritable_in_markdown(read_raw(source)[0]) is not None
        for fmt in SHEETS:  # each sheet format, and back to YAML
            sheet = Path(folder) / f"direct.{fmt}"
            if fmt == "md" and markdown_refuses:  # a line break or bold markup: refused, said
                with pytest.raises(ConvertError, match="Markdown"):
                    convert(source, sheet)
                continue
            convert(source, sheet)
            assert signature(sheet) == expected, (fmt, sheet.read_bytes())
            back = Path(folder) / f"direct-{fmt}.yaml"
            convert(sheet, back)
            assert signature(back) == expected, (fmt, back.read_text())
        current = source
        for number, fmt in enumerate([*chain, "yaml"]):  # e.g. yaml -> csv -> xlsx -> md -> yaml
            if fmt == "md" and markdown_refuses:
                continue
            target = Path(folder) / f"chain{number}.{fmt}"
            convert(current, target)
            assert signature(target) == expected, ([*chain, "yaml"][: number + 1], text)
            current = target


def test_the_property_covers_a_wrong_total_a_missing_one_and_an_unknown_route(
    tmp_path: Path,
) -> None:
    """A fixed example of what the property generates, converted by the CLI a user runs."""
    source = write(
        tmp_path / "p.yaml",
        "protocol: Knee\ncondition: '=cmd'\ntotal_cells: 5e7\nadministrations:\n"
        "  - {route: Intra-articular/per side, dose: 5 x 10^7, days: 1, total: '100,000,000'}\n"
        "  - {route: Zorbing, dose: 2.5 million, days: 2, notes: '@x, \"q\" | -5'}\n"
        "  - {route: Myers cocktail/NAD, dose: '50,000,000', days: 1, total: N/A}\n",
    )
    expected = signature(source)
    assert {code for code, _, _ in expected} >= {"CD301", "CD303", "CD306", "CD307"}
    previous = source
    for fmt in ("csv", "xlsx", "md", "yaml"):
        target = tmp_path / f"out-{fmt}.{fmt}"
        result = run_cli("convert", str(previous), str(target))
        assert result.returncode == 0, result.stderr
        assert signature(target) == expected, fmt
        previous = target


# 2. Formula injection: no spreadsheet runs a converted cell as a formula.

FORMULAS = {
    "route": "=1+1",
    "product": "+SUM(A1:A2)",
    "notes": '=HYPERLINK("http://evil.example","click"), then -5 | @x',
    "laterality": "-5",
}


@pytest.fixture
def formula_protocol(tmp_path: Path) -> Path:
    row = "\n".join(f"    {key}: {q(value)}" for key, value in FORMULAS.items())
    return write(
        tmp_path / "f.yaml",
        f"protocol: {q('@Knee')}\ncondition: {q('-3')}\nadministrations:\n"
        f"  - dose: 5e7\n    days: 1\n    total: 5e7\n{row}\n",
    )


def test_csv_cells_that_start_a_formula_start_with_an_apostrophe(
    formula_protocol: Path, tmp_path: Path
) -> None:
    target = tmp_path / "f.csv"
    result = run_cli("convert", str(formula_protocol), str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    cells = [cell for record in csv.reader(io.StringIO(text)) for cell in record]
    for value in [*FORMULAS.values(), "@Knee", "-3"]:
        assert "'" + value in cells, (value, text)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], text
    # Back to YAML: the apostrophes are gone and every value is the one written.
    data = yaml.safe_load(run_cli("convert", str(target), "-", "--to", "yaml").stdout)
    assert data["protocol"] == "@Knee"
    assert data["condition"] == "-3"
    row = data["administrations"][0]
    assert {key: row[key] for key in FORMULAS} == FORMULAS
    assert signature(target) == signature(formula_protocol)


def test_xlsx_cells_that_start_a_formula_are_plain_strings(
    formula_protocol: Path, tmp_path: Path
) -> None:
    target = tmp_path / "f.xlsx"
    result = run_cli("convert", str(formula_protocol), str(target))
    assert result.returncode == 0, result.stderr
    book = load_workbook(target)
    values: list[object] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                values.append(cell.value)
    for value in [*FORMULAS.values(), "@Knee", "-3"]:
        assert value in values, value
    assert as_yaml(target)["administrations"] == [
        {"dose": "5e7", "days": "1", "total": "5e7", **FORMULAS}
    ]
    assert signature(target) == signature(formula_protocol)


def test_a_tab_start_is_neutralized_in_csv_and_read_back(tmp_path: Path) -> None:
    source = write(
        tmp_path / "t.yaml",
        "protocol: T\nadministrations:\n"
        '  - {route: IV, dose: 5e7, days: 1, total: 5e7, notes: "\\t=1+1", product: "\\t@x"}\n',
    )
    target = tmp_path / "t.csv"
    convert(source, target)
    assert "'\t=1+1" in target.read_text(encoding="utf-8")
    row = first_row(target)
    assert (row["notes"], row["product"]) == ("\t=1+1", "\t@x")
    assert signature(target) == signature(source)


@pytest.mark.parametrize("notes", ["\r=2", "line one\rline two"])
def test_a_carriage_return_in_a_value_survives_csv(notes: str, tmp_path: Path) -> None:
    source = write(
        tmp_path / "r.yaml",
        "protocol: T\nadministrations:\n"
        f"  - {{route: IV, dose: 5e7, days: 1, total: 5e7, notes: {q(notes)}}}\n",
    )
    assert signature(source) == []
    target = tmp_path / "r.csv"
    convert(source, target)
    assert signature(target) == []  # not CD102 'days' missing on a row split in two
    row = first_row(target)
    assert row["notes"] == notes


@pytest.mark.parametrize("fmt", SHEETS)
def test_a_value_that_starts_with_an_apostrophe_and_a_formula_start_survives(
    fmt: str, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "a.yaml",
        "protocol: A\nadministrations:\n"
        '  - {route: "\'=x", dose: 5e7, days: 1, total: 5e7, notes: "\'-5"}\n',
    )
    target = tmp_path / f"a.{fmt}"
    convert(source, target)
    row = first_row(target)
    assert (row["route"], row["notes"]) == ("'=x", "'-5")
    assert signature(target) == signature(source)  # unknown route "'=x", not '=x'


# 3. Never overwrite without --force; keep the permissions.


def test_an_existing_target_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"precious\n")
    result = run_cli("convert", str(SEED), str(target))
    assert result.returncode == 2
    assert "exists" in result.stderr
    assert "--force" in result.stderr
    assert target.read_bytes() == b"precious\n"
    assert leftovers(tmp_path) == []


def test_force_replaces_the_target_and_keeps_its_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    result = run_cli("convert", str(SEED), str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == convert(SEED, "-", to="csv")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_force_writes_through_a_symlink_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    result = run_cli("convert", str(SEED), str(link), "--force")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()  # the link is the user's too: it still leads to real.csv
    assert real.read_bytes() == convert(SEED, "-", to="csv")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("leads_to", "refusal"),
    [
        ("missing.csv", "not writing through a dangling symlink"),
        ("link.csv", "too many levels of symbolic links"),  # a loop
    ],
)
def test_force_refuses_a_symlink_that_leads_to_no_file(
    leads_to: str, refusal: str, tmp_path: Path
) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(leads_to)
    result = run_cli("convert", str(SEED), str(link), "--force")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert refusal in result.stderr
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["link.csv"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away"
)
def test_force_keeps_the_owner_and_group_of_the_replaced_file(tmp_path: Path) -> None:
    """Root converting over a user's file must not leave the file owned by root."""
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    os.chown(target, 65534, 65534)
    target.chmod(0o2750)  # set-group-ID: a chown after the chmod would clear it
    result = run_cli("convert", str(SEED), str(target), "--force")
    assert result.returncode == 0, result.stderr
    owned = target.stat()
    assert (owned.st_uid, owned.st_gid) == (65534, 65534)
    assert stat.S_IMODE(owned.st_mode) == 0o2750


@pytest.mark.parametrize(
    "refusals",
    [
        [PermissionError(1, "Operation not permitted")],  # another owner: keep the group
        [PermissionError(1, "x"), PermissionError(1, "x")],  # neither: the writer's file
        [OSError(22, "Invalid argument"), OSError(22, "x")],  # unmapped in a user namespace
    ],
)
def test_an_owner_that_cannot_be_kept_does_not_stop_the_write(
    refusals: list[OSError], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a user who is not root sees: the file is written, owned as the system allows."""
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    existing = target.stat()
    calls: list[tuple[int, int]] = []

    def chown(path: object, uid: int, gid: int) -> None:
        calls.append((uid, gid))
        if refusals:
            raise refusals.pop(0)

    monkeypatch.setattr(os, "stat", _other_owner(os.stat, target, existing))
    monkeypatch.setattr(os, "chown", chown)
    convert(SEED, target, force=True)
    monkeypatch.undo()
    assert target.read_bytes() == convert(SEED, "-", to="csv")
    assert calls[0] == (existing.st_uid + 1, existing.st_gid + 1)  # owner and group first
    if len(calls) > 1:
        assert calls[1] == (-1, existing.st_gid + 1)  # then the group alone
    assert leftovers(tmp_path) == []


def _other_owner(
    real_stat: Callable[..., os.stat_result], target: Path, existing: os.stat_result
) -> Callable[..., os.stat_result]:
    """os.stat, but ``target`` seems to belong to another user and group."""

    def fake(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)
        if os.fspath(path) != os.fspath(target):
            return result
        fields = list(result)
        fields[4], fields[5] = existing.st_uid + 1, existing.st_gid + 1
        return os.stat_result(fields)

    return fake


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_a_new_target_gets_the_permissions_of_the_umask(mask: int, tmp_path: Path) -> None:
    target = tmp_path / "new.md"
    with umask(mask):  # as the CLI's process inherits it
        result = run_cli("convert", str(SEED), str(target))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0o600


# 4. Atomic: a failure while writing leaves the original and no temporary file.


@pytest.mark.parametrize("force", [True, False])
def test_a_write_that_fails_midway_leaves_the_original_intact(
    force: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(fd: int) -> None:
        raise OSError(28, "No space left on device")

    target = tmp_path / "out.yaml"
    if force:
        target.write_bytes(b"original\n")
    monkeypatch.setattr(os, "fsync", fail)  # as celldose.convert.atomic calls it
    with pytest.raises(OSError, match="No space left"):
        convert(SEED, target, force=force)
    monkeypatch.undo()
    if force:
        assert target.read_bytes() == b"original\n"
    else:
        assert not target.exists()
    assert leftovers(tmp_path) == []


def test_a_rename_that_fails_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"original workbook")

    def fail(self: Path, other: object) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(PermissionError):
        convert(SEED, target, force=True)
    monkeypatch.undo()
    assert target.read_bytes() == b"original workbook"
    assert leftovers(tmp_path) == []


def test_a_process_killed_mid_write_leaves_the_original_intact(tmp_path: Path) -> None:
    """The writer is killed after the temporary file is written, before the rename."""
    target = tmp_path / "out.csv"
    target.write_bytes(b"original\n")
    script = (
        "import os, signal, sys\n"
        "from celldose.convert import atomic, convert\n"
        "atomic.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "convert(sys.argv[1], sys.argv[2], force=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(SEED), str(target)],
        capture_output=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"original\n"
    # A kill leaves the temporary file (nothing can remove it), never a half-written target.
    for name in leftovers(tmp_path):
        assert re.fullmatch(r"\.out\.csv\..+\.tmp", name)


# 5. Refusals, FHIR and standard output.


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (
            "dup.yaml",
            "protocol: X\nprotocol: Y\nadministrations:\n"
            "  - {route: IV, dose: 5e7, days: 1, total: 5e7}\n",
            "duplicate key 'protocol'",
        ),
        (
            "alias.yaml",
            "protocol: X\nadministrations:\n  - {route: IV, dose: &d 5e7, days: 1, total: *d}\n",
            "alias",
        ),
        (
            "quote.csv",
            'Route,Dose,Days,Total\nIV,5e7,1,5e7\nIV,"5e7,1,5e7\n',
            "a quote is opened and never closed",
        ),
        (
            "mixed.csv",
            "Route,Dose,Days,Total\nIV,2.5 million,1,2.5 million\n"
            'IV,"2,5 million",1,"2,5 million"\nIV,"50,000",1,"50,000"\n',
            "ambiguous",
        ),
    ],
)
def test_a_source_that_would_lose_a_value_is_refused(
    name: str, text: str, reason: str, tmp_path: Path
) -> None:
    source = write(tmp_path / name, text)
    target = tmp_path / "out.md"
    result = run_cli("convert", str(source), str(target))
    assert result.returncode == 1, result.stderr
    assert "cannot be converted" in result.stderr
    assert reason in result.stderr
    assert not target.exists()
    for fmt in FORMATS:  # the other formats, in-process
        with pytest.raises(ConvertError):
            convert(source, tmp_path / f"out.{fmt}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_unknown_target_suffix_without_to_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    result = run_cli("convert", str(SEED), str(target))
    assert result.returncode == 2
    assert "--to" in result.stderr
    assert not target.exists()
    result = run_cli("convert", str(SEED), str(target), "--to", "csv")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == convert(SEED, "-", to="csv")


def test_fhir_is_refused_for_a_protocol_with_an_error(tmp_path: Path) -> None:
    source = write(
        tmp_path / "wrong.yaml",
        SEED.read_text(encoding="utf-8").replace("    total: 50,000,000", "    total: 75,000,000"),
    )
    assert "CD301" in {code for code, _, _ in signature(source)}
    target = tmp_path / "wrong.fhir.json"
    result = run_cli("convert", str(source), str(target))
    assert result.returncode == 1
    assert "CD301" in result.stderr
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_fhir_of_the_seed_is_a_plan_definition(tmp_path: Path) -> None:
    by_suffix = tmp_path / "seed.fhir.json"
    result = run_cli("convert", str(SEED), str(by_suffix))
    assert result.returncode == 0, result.stderr
    assert json.loads(by_suffix.read_text(encoding="utf-8"))["resourceType"] == "PlanDefinition"
    by_option = tmp_path / "seed.json"
    result = run_cli("convert", str(SEED), str(by_option), "--to", "fhir")
    assert result.returncode == 0, result.stderr
    assert by_option.read_bytes() == by_suffix.read_bytes()


@pytest.mark.parametrize("fmt", ["yaml", "csv", "md"])
def test_out_dash_writes_to_standard_output(fmt: str, tmp_path: Path) -> None:
    result = run_cli("convert", str(SEED), "-", "--to", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # CSV lines end in CRLF; the text-mode pipe reads them as LF.
    assert result.stdout == convert(SEED, "-", to=fmt).decode("utf-8").replace("\r\n", "\n")
    assert list(tmp_path.iterdir()) == []  # no file named '-'
    saved = write(tmp_path / f"saved.{fmt}", result.stdout)
    assert signature(saved) == signature(SEED)


def test_xlsx_to_standard_output_is_refused(tmp_path: Path) -> None:
    result = run_cli("convert", str(SEED), "-", "--to", "xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "XLSX" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_api_refuses_like_the_cli(tmp_path: Path) -> None:
    with pytest.raises(ConvertError, match="--to"):
        convert(SEED, tmp_path / "out.txt")
    copy = tmp_path / "seed.yaml"
    shutil.copy(SEED, copy)
    with pytest.raises(FileExistsError):
        convert(copy, copy)
    assert copy.read_bytes() == SEED.read_bytes()
    assert list(tmp_path.iterdir()) == [copy]


# 6. The example protocols convert to every format and check the same.

EXAMPLE_FILES = sorted(
    p for p in PROTOCOLS.iterdir() if p.suffix in (".yaml", ".yml", ".csv", ".md", ".xlsx")
)


@pytest.mark.parametrize("source", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_converts_to_every_format_and_checks_the_same(
    source: Path, tmp_path: Path
) -> None:
    expected = signature(source)
    for fmt in FORMATS:
        target = tmp_path / f"{source.stem}.{fmt}"
        result = run_cli("convert", str(source), str(target))
        assert result.returncode == 0, result.stderr
        assert signature(target) == expected, (fmt, target.read_bytes())
        back = tmp_path / f"{source.stem}-from-{fmt}.yaml"
        convert(target, back)
        assert signature(back) == expected, (fmt, back.read_text(encoding="utf-8"))


def test_a_copied_example_folder_checks_the_same_in_every_format(tmp_path: Path) -> None:
    """``celldose check`` on a folder of converted sheets says what it says on the YAML."""
    copies = tmp_path / "yaml"
    copies.mkdir()
    for example in PROTOCOLS.glob("*.yaml"):
        shutil.copy(example, copies)
    for fmt in SHEETS:
        folder = tmp_path / fmt
        folder.mkdir()
        for source in sorted(copies.glob("*.yaml")):
            convert(source, folder / f"{source.stem}.{fmt}")
        yaml_report = run_cli("check", str(copies), "--format", "json")
        sheet_report = run_cli("check", str(folder), "--format", "json")
        assert sheet_report.returncode == yaml_report.returncode, sheet_report.stderr
        expected, found = json.loads(yaml_report.stdout), json.loads(sheet_report.stdout)
        assert found["summary"] == expected["summary"], fmt
        assert found["statistics"] == expected["statistics"], fmt


# Values a sheet could mistake for something else.


def test_a_text_field_that_looks_like_a_number_keeps_its_spelling_in_xlsx(
    tmp_path: Path,
) -> None:
    source = write(
        tmp_path / "n.yaml",
        "protocol: N\nadministrations:\n"
        "  - {route: '1,000', dose: 5e7, days: 1, total: 5e7, product: '2,000'}\n",
    )
    target = tmp_path / "n.xlsx"
    convert(source, target)
    row = first_row(target)
    assert (row["route"], row["product"]) == ("1,000", "2,000")
    assert signature(target) == signature(source)  # unknown route '1,000', not '1000'
    route = load_workbook(target).worksheets[0]["A4"]  # below Protocol, Decimal mark, header
    assert (route.value, route.data_type) == ("1,000", "s")


@pytest.mark.parametrize("fmt", SHEETS)
def test_a_protocol_named_route_converts_to_a_sheet(fmt: str, tmp_path: Path) -> None:
    source = write(
        tmp_path / "r.yaml",
        "protocol: Route\nadministrations:\n  - {route: IV, dose: 5e7, days: 1, total: 5e7}\n",
    )
    assert signature(source) == []
    target = tmp_path / f"r.{fmt}"
    convert(source, target)
    assert signature(target) == []


# Bugs found while writing these tests: each xfail shows one still open, and fails once it is
# fixed; the fixed ones are ordinary tests now.


@pytest.mark.parametrize(
    "name",
    [
        "C#",
        "C # sharp",
        "Knee ##",  # a closing sequence to CommonMark: the Protocol line keeps the name
    ],
)
def test_markdown_keeps_a_protocol_name_with_hashes(name: str, tmp_path: Path) -> None:
    source = write(
        tmp_path / "h.yaml",
        f"protocol: {q(name)}\nadministrations:\n"
        "  - {route: IV, dose: 5e7, days: 1, total: 5e7}\n",
    )
    target = tmp_path / "h.md"
    convert(source, target)
    assert as_yaml(target)["protocol"] == name


@pytest.mark.parametrize(
    "yaml_text",
    [
        "protocol: C\ncondition: '**bold**'\n",
        "protocol: 'Knee*'\n",
        "protocol: C\n",  # with the row's notes holding a line break
    ],
)
def test_markdown_refuses_what_it_would_read_back_differently(
    yaml_text: str, tmp_path: Path
) -> None:
    rows = "administrations:\n  - {route: IV, dose: 5e7, days: 1, total: 5e7"
    text = yaml_text + rows + (', notes: "line1\\nline2"}\n' if "**" not in yaml_text else "}\n")
    source = write(tmp_path / "c.yaml", text)
    target = tmp_path / "c.md"
    with pytest.raises(ConvertError, match="Markdown"):
        convert(source, target)
    assert not target.exists()


def test_an_unknown_key_is_not_converted_into_a_field(tmp_path: Path) -> None:
    source = write(
        tmp_path / "u.yaml",
        "protocol: U\nPatient Weight: 70 kg\nadministrations:\n"
        "  - {route: IV, dose: 1 million cells/kg, days: 1, total: 70 million}\n",
    )
    for fmt in SHEETS:
        with pytest.raises(ConvertError, match="CD101"):
            convert(source, tmp_path / f"u.{fmt}")


def test_a_control_character_is_refused_by_xlsx(tmp_path: Path) -> None:
    source = write(
        tmp_path / "b.yaml",
        "protocol: B\nadministrations:\n  - {route: IV, dose: 5e7, days: 1, total: 5e7, "
        'notes: "bell\\u0007 here"}\n',
    )
    with pytest.raises(ConvertError, match="XLSX"):
        convert(source, tmp_path / "b.xlsx")


@pytest.mark.parametrize("fmt", SHEETS)
def test_an_empty_value_is_not_silently_dropped(fmt: str, tmp_path: Path) -> None:
    """Every sheet format refuses: YAML keeps condition: "" as written (CD102, an error), but a
    sheet's empty cell means no value, so the sheet could not hold it as written."""
    source = write(
        tmp_path / "e.yaml",
        'protocol: E\ncondition: ""\nadministrations:\n'
        '  - {route: IV, dose: 5e7, days: 1, total: 5e7, notes: "", product: ""}\n',
    )
    assert [code for code, _, _ in signature(source)] == ["CD102"] * 3
    target = tmp_path / f"e.{fmt}"
    with pytest.raises(ConvertError, match="empty condition, which a sheet cannot hold"):
        convert(source, target)
    assert not target.exists()


@pytest.mark.parametrize("fmt", SHEETS)
def test_an_all_space_value_is_refused_like_an_empty_one(fmt: str, tmp_path: Path) -> None:
    """YAML keeps notes: " " as written; a sheet's cell of spaces reads as no value, so the
    conversion would drop it (found by the round-trip property)."""
    source = write(
        tmp_path / "s.yaml",
        "protocol: S\nadministrations:\n"
        '  - {route: IV, dose: 5e7, days: 1, total: 5e7, notes: " "}\n',
    )
    target = tmp_path / f"s.{fmt}"
    with pytest.raises(ConvertError, match="row 1 has an empty notes"):
        convert(source, target)
    assert not target.exists()


# A converted sheet states "Decimal mark: point" above its table, so its columns are read as
# YAML reads them, whatever conventions their numbers seem to show.
COUNT_CASES = {
    # valid YAML spellings (README: 50.000.000 is 50,000,000; 50,000 groups thousands)
    "grouped-50,000": ([("50.000.000", "50,000,000"), ("50,000", "50,000")], []),
    # YAML refuses a decimal comma; a sheet must not turn the error into a number
    "decimal-comma": ([("2,5 million", "2,500,000")], ["CD201"]),
    "ambiguous-50.000": ([("50.000.000", "50,000,000"), ("50.000", "50,000")], ["CD201"]),
}


@pytest.mark.parametrize(
    ("rows", "expected", "fmt"),
    [
        pytest.param(rows, expected, fmt, id=f"{name}-{fmt}")
        for name, (rows, expected) in COUNT_CASES.items()
        for fmt in SHEETS
    ],
)
def test_a_count_reads_as_the_yaml_source_wrote_it(
    rows: list[tuple[str, str]], expected: list[str], fmt: str, tmp_path: Path
) -> None:
    """Every sheet format converts each case, the counts YAML refuses (CD201) included: they
    are carried over as written, and the sheet checks to the same errors."""
    lines = [f"  - {{route: IV, dose: {q(d)}, days: 1, total: {q(t)}}}" for d, t in rows]
    source = write(tmp_path / "c.yaml", "protocol: C\nadministrations:\n" + "\n".join(lines) + "\n")
    assert [code for code, _, _ in signature(source)] == expected
    target = tmp_path / f"c.{fmt}"
    convert(source, target)
    assert signature(target) == signature(source)
    doses = [row["dose"] for row in as_yaml(target)["administrations"]]
    assert "50.0" not in doses
