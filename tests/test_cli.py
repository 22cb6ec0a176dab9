"""The CLI as a user runs it, through ``main(argv)`` (the process itself: ``test_process.py``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import PROTOCOLS, SEED, run_cli


def test_examples_check_clean_with_exit_0() -> None:
    result = run_cli("check", "protocols/")
    assert result.returncode == 0, result.stdout + result.stderr
    seeds = [p for p in PROTOCOLS.iterdir() if p.stem.startswith("sacroiliitis")]
    files = len([p for p in PROTOCOLS.iterdir() if p.suffix in (".yaml", ".csv", ".md", ".xlsx")])
    # The seed, literal and normalized, in each format carries the Myers/NAD row's uncounted
    # dose (CD306): one info per file.
    assert result.stdout.splitlines()[-1] == f"Checked {files} files: {len(seeds)} info."
    assert "Traceback" not in result.stderr


def test_wrong_total_in_a_copy_of_the_seed_exits_1_at_the_totals_line(tmp_path: Path) -> None:
    copy = tmp_path / "seed.yaml"
    copy.write_text(SEED.read_text().replace("    total: 50,000,000", "    total: 75,000,000"))
    result = run_cli("check", str(copy))
    assert result.returncode == 1
    line = f"{copy}:13:12: CD301 error: total 75,000,000 cells != dose 50,000,000 cells x 1 day"
    assert line in result.stdout
    assert result.stdout.splitlines()[-1] == "Checked 1 file: 1 error, 1 info."


def test_json_report(tmp_path: Path) -> None:
    copy = tmp_path / "seed.yaml"
    copy.write_text(
        SEED.read_text().replace(
            "    days: 1\n    total: 50,000,000", "    days: 3\n    total: 50,000,000"
        )
    )
    result = run_cli("check", str(copy), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["version"] == 1
    assert report["summary"] == {"files": 1, "errors": 1, "warnings": 0, "infos": 1, "ok": False}
    error = next(d for d in report["diagnostics"] if d["severity"] == "error")
    assert error["path"] == str(copy)
    assert (error["line"], error["column"], error["code"]) == (13, 12, "CD301")
    assert error["message"].endswith("= 150,000,000 cells per side")
    assert error["pointer"] == "/administrations/1/total"
    assert error["url"].endswith("#cd301")
    for diagnostic in report["diagnostics"]:
        assert {"path", "line", "column", "code", "severity", "message"} <= diagnostic.keys()
        assert diagnostic["severity"] in ("error", "warning", "info")


def test_directories_recurse_into_yaml_files_only(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(SEED, nested / "one.yml")
    shutil.copy(SEED, tmp_path / "two.yaml")
    (tmp_path / "notes.txt").write_text("not a protocol")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("broken: [")
    result = run_cli("check", str(tmp_path), "--format", "json")
    assert result.returncode == 0
    files = json.loads(result.stdout)["files"]
    assert files == [str(nested / "one.yml"), str(tmp_path / "two.yaml")]


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "protocol: X\nadministrations:\n  - {route: Unicorn, dose: 5, days: 1, total: 5}\n"
    )
    result = run_cli("check", str(path))
    assert result.returncode == 0
    assert f"{path}:3:13: CD307 warning: unknown route 'Unicorn'" in result.stdout


def test_unparseable_and_binary_files_are_diagnostics_not_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "syntax.yaml").write_text("protocol: X\nadministrations:\n  - route: [IA\n")
    (tmp_path / "binary.yaml").write_bytes(b"protocol: X\n\x00\x01\x02")
    (tmp_path / "empty.yaml").write_text("")
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert f"{tmp_path / 'binary.yaml'}:2:1: CD001" in out
    assert f"{tmp_path / 'empty.yaml'}:" in out and "CD006" in out
    assert f"{tmp_path / 'syntax.yaml'}:4:1: CD002" in out


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = run_cli("check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert "no such file or directory" in missing.stderr
    assert run_cli("check").returncode == 2
    assert run_cli("check", "protocols", "--format", "xml").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_empty_directory_warns_and_exits_0(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0
    assert "no protocol files" in result.stderr


def test_help_explains_itself() -> None:
    top = run_cli("--help")
    assert top.returncode == 0
    assert "never recommends a treatment" in top.stdout
    check = run_cli("check", "--help")
    assert check.returncode == 0
    for words in (
        "exit status",
        "1  at least one finding",
        "--fail-on",
        "celldose check protocols/",
    ):
        assert words in check.stdout
    assert run_cli("--version").stdout.startswith("celldose ")


def test_schema_command_prints_the_committed_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    committed = (Path(__file__).parent.parent / "schemas" / "protocol.schema.json").read_text()
    assert json.loads(result.stdout) == json.loads(committed)


def test_json_pointer_escapes_slashes_and_tildes(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "protocol: X\nadministrations:\n"
        "  - {route: intra-articular, dose: 5, days: 1, total: 5, total/kg: 1, a~b: 2}\n"
    )
    report = json.loads(run_cli("check", str(path), "--format", "json").stdout)
    pointers = sorted(d["pointer"] for d in report["diagnostics"])
    assert pointers == ["/administrations/0/a~0b", "/administrations/0/total~1kg"]
