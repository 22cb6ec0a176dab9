"""Pasted text, web pages and Word documents are read in folders (and by the pre-commit hook)
only where ``[tool.celldose] include`` names them: a repository's notes and pages are not
protocols by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import celldose
from celldose.cli import main
from celldose.config import ConfigError, config_schema, load
from conftest import ROOT
from wordfile import document, paragraph, table

TABS = "Knee\n\nRoute\tDose\tDays\tTotal\nintra-articular\t10 million\t2\t30 million\n"
PAGE = (
    "<h1>Hip</h1><table><tr><th>Route</th><th>Dose</th><th>Days</th><th>Total</th></tr>"
    "<tr><td>intravenous</td><td>5 million</td><td>1</td><td>6 million</td></tr></table>"
)


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """A repository with a protocol in each new format, and notes and pages that are not."""
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "knee.txt").write_text(TABS, encoding="utf-8")
    (tmp_path / "protocols" / "hip.html").write_text(PAGE, encoding="utf-8")
    word = document(table([("Route", "Dose", "Days", "Total"), ("oral", "1", "1", "2")]))
    (tmp_path / "protocols" / "oral.docx").write_bytes(word)
    (tmp_path / "notes.txt").write_text("Call the lab on Monday.\n", encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>Welcome</p>", encoding="utf-8")
    return tmp_path


def checked(folder: Path, *args: str) -> list[str]:
    report = celldose.check_paths([folder, *args])
    return sorted({Path(d.path).name for d in report.diagnostics})


def test_a_folder_walk_skips_the_new_formats_unless_included(clinic: Path) -> None:
    assert checked(clinic) == []
    (clinic / "pyproject.toml").write_text(
        '[tool.celldose]\ninclude = ["protocols/*.txt", "*.html", "*.docx"]\n', encoding="utf-8"
    )
    assert checked(clinic) == ["hip.html", "knee.txt", "oral.docx"]  # each with its CD301
    # site/index.html is included by *.html, but holds no protocol table: skipped silently.


def test_the_hook_reads_named_files_as_a_walk_finds_them(
    clinic: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = hook["entry"].split()[1:]
    monkeypatch.chdir(clinic)
    named = ["notes.txt", "site/index.html", "protocols/knee.txt", "protocols/oral.docx"]
    assert main([*entry, *named]) == 0  # nothing included yet: nothing read
    capsys.readouterr()
    (clinic / "celldose.toml").write_text('include = ["protocols/*"]\n', encoding="utf-8")
    assert main([*entry, *named]) == 1
    out = capsys.readouterr().out
    assert "protocols/knee.txt:4:" in out and "protocols/oral.docx:2:4:" in out
    assert "notes.txt" not in out and "index.html" not in out
    assert main(["check", "notes.txt"]) == 1  # named without the flag: always checked
    assert "CD006" in capsys.readouterr().out


def test_include_must_be_a_list_of_globs(tmp_path: Path) -> None:
    path = tmp_path / "celldose.toml"
    path.write_text('include = "*.txt"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="include: expected a list of file globs"):
        load(path)
    path.write_text('include = ["*.txt"]\n', encoding="utf-8")
    assert load(path).include == ("*.txt",)
    assert "include" in config_schema()["properties"]
    assert json.dumps(config_schema())  # the schema stays plain JSON


@pytest.mark.parametrize("target", ["yaml", "csv", "xlsx", "md", "fhir.json"])
def test_every_new_input_converts_to_every_output(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = (ROOT / "tests" / "data" / "sacroiliitis_pasted.txt").read_text(encoding="utf-8")
    rows = [
        ("Route of Administration", "Dose", "Time (Days)", "Total Cells"),
        ("Myers cocktail/NAD", "50,000,000", "1", "N/A"),
        ("Intra-articular/per side", "50,000,000", "1", "50,000,000"),
    ]
    sources = {
        "seed.txt": seed.encode(),
        "seed.html": (
            "<h1>Sacroiliitis and Stem Cells</h1><table>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
            + "</table>"
        ).encode(),
        "seed.docx": document(paragraph("Sacroiliitis and Stem Cells", "Heading1") + table(rows)),
    }
    written = []
    for name, content in sources.items():
        source = tmp_path / name
        source.write_bytes(content)
        out = tmp_path / f"{source.stem}-{source.suffix[1:]}.{target}"
        assert main(["convert", str(source), str(out)]) == 0, capsys.readouterr().err
        written.append(out.read_bytes())
    if target != "xlsx":  # a workbook's zip carries its time of writing
        assert written[0] == written[1] == written[2]
    if target != "fhir.json":
        back = [celldose.load_all(tmp_path / f"seed-{kind}.{target}") for kind in ("txt",)]
        assert back[0][0].name == "Sacroiliitis and Stem Cells"
