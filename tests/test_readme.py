"""The README's commands and its Python example are the ones that work."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_run_and_test_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert run.endswith("celldose check protocols/")
    assert "pip install" in run and "pip install" in test and "pytest" in test
    assert README.index("<!-- run-command -->") < README.index("<!-- test-command -->") < 600


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci and 'bash -c "$command"' in ci


def test_readme_says_it_never_recommends_a_treatment() -> None:
    assert "it never recommends a treatment" in README


def test_text_examples_are_what_celldose_prints() -> None:
    blocks = re.findall(r"```text\n\$ (celldose (?:check|show) \S+)\n(.*?)```", README, flags=re.S)
    assert len(blocks) == 4
    for command, shown in blocks:
        assert run_cli(*command.split()[1:]).stdout == shown, command


def test_python_example_prints_what_the_readme_shows() -> None:
    block = re.search(r"## Python API\n\n```python\n(.*?)```", README, flags=re.S)
    assert block is not None
    code = block.group(1)
    expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    out = io.StringIO()
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    finally:
        os.chdir(cwd)
    assert out.getvalue().splitlines() == expected


def test_the_rules_table_lists_every_rule() -> None:
    from celldose.rules import ALL

    listed = set(re.findall(r"^\| (CD\d{3}) \| ([a-z-]+) \|", README, flags=re.M))
    assert listed == {(rule.code, rule.name) for rule in ALL}
