"""Packaging and the command line as users meet them: the sdist, the licence and addresses,
``check --help``, shell completion and FORCE_COLOR."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from celldose.cli import main
from celldose.formats import INPUTS
from celldose.project import URLS
from conftest import ROOT, SEED, celldose_command

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED_FOLDERS = ("tests/cases", "tests/data", "protocols", "docs", "schemas")


def test_the_licence_and_addresses_are_stated_once() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert project["urls"] == URLS
    requires = PYPROJECT["build-system"]["requires"]
    assert requires == ["setuptools>=77"]  # the first to read `license = "MIT"` (PEP 639)


def test_the_sdist_ships_what_its_tests_read(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="the sdist is built with `build` (the test extra)")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (sdist,) = tmp_path.glob("celldose-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        info = archive.extractfile(next(n for n in archive.getnames() if n.endswith("/PKG-INFO")))
        assert info is not None
        metadata = info.read().decode("utf-8")
    expected = {
        path.relative_to(ROOT).as_posix()
        for folder in SHIPPED_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert expected and expected <= names, sorted(expected - names)
    assert {
        "LICENSE",
        "README.md",
        ".ci/run",
        ".pre-commit-hooks.yaml",
        "tests/conftest.py",
    } <= names
    assert "License-Expression: MIT" in metadata
    assert "Project-URL: Repository, https://github.com/celldose/celldose" in metadata


def test_check_help_names_every_format_a_folder_walk_reads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    searched, configured = shown.split("(searched for ", 1)[1].split(";", 1)
    for form in INPUTS:
        for suffix in form.suffixes:  # walked by default, or where the configuration says
            assert f"*{suffix}" in (searched if form.in_folders else configured)


@pytest.mark.parametrize(("force", "coloured"), [("0", False), ("false", False), ("1", True)])
def test_force_color_zero_does_not_force_colour(
    force: str,
    coloured: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SEED.read_text().replace("total: 50,000,000", "total: 5,000,000"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("FORCE_COLOR", force)
    assert main(["check", str(bad)]) == 1
    assert ("\x1b[" in capsys.readouterr().out) is coloured


def test_completion_answers_a_shell_as_argcomplete_asks(tmp_path: Path) -> None:
    pytest.importorskip("argcomplete", reason="completion is the `completion` extra")
    answer = tmp_path / "answer"
    line = "celldose check --form"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
    }
    subprocess.run(celldose_command(), env=env, timeout=60, check=False, capture_output=True)
    assert answer.read_text().split() == ["--format"]
    line = "celldose check --format s"
    env |= {"COMP_LINE": line, "COMP_POINT": str(len(line))}
    subprocess.run(celldose_command(), env=env, timeout=60, check=False, capture_output=True)
    assert answer.read_text().split() == ["sarif"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_registers_in_each_shell(shell: str) -> None:
    argcomplete = pytest.importorskip("argcomplete", reason="the `completion` extra")
    script = argcomplete.shellcode(["celldose"], shell=shell)
    assert "celldose" in script
    if shell == "bash" and shutil.which("bash"):  # the script the README has bash source
        checked = subprocess.run(
            ["bash", "-n"], input=script, text=True, capture_output=True, check=False
        )
        assert checked.returncode == 0, checked.stderr
