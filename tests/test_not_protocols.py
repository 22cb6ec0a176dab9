"""YAML files that are not protocols (a workflow, a compose file, a pre-commit config) are
skipped by a folder walk and by ``--force-exclude`` (pre-commit's hook), and counted; a
broken protocol is never skipped; a file named without the option is checked as always."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from celldose.cli import main
from conftest import ROOT, SEED

WORKFLOW = "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
COMPOSE = "services:\n  web:\n    image: nginx\n"
HOOKS = "- id: thing\n  entry: thing\n"
TYPO_BESIDE_ROWS = "protocl: Knee\nadministrations:\n  - route: IA\n    dose: 5e7\n    days: 1\n"
BOTH_TYPOS = "Protocl: Knee\nadministraions:\n  - route: IA\n"
ROWS_AS_A_LIST = "- route: IA\n  dose: 5e7\n  days: 1\n  total: 5e7\n"


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_folder_walk_skips_yaml_that_is_not_a_protocol_and_counts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(
        tmp_path,
        {
            "knee.yaml": SEED.read_text(),
            "workflows/ci.yml": WORKFLOW,
            "compose.yaml": COMPOSE,
            "hooks.yaml": HOOKS,
            "README.md": "# Notes\n\nNo tables here.\n",
        },
    )
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "Checked 1 file (skipped 1 Markdown file and 3 YAML files that are not protocols): "
        "1 info.\n"
    )
    assert main(["check", "--format", "json", str(folder)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["skipped"] == 4 and document["files"] == [str(folder / "knee.yaml")]


def test_a_named_file_is_checked_unless_the_hook_option_asks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, {"ci.yml": WORKFLOW, "compose.yaml": COMPOSE})
    named = [str(folder / "ci.yml"), str(folder / "compose.yaml")]
    assert main(["check", *named]) == 1
    assert "CD101" in capsys.readouterr().out
    assert main(["check", "--force-exclude", *named]) == 0
    out = capsys.readouterr()
    assert (
        out.out == "Checked 0 files (skipped 2 YAML files that are not protocols): no problems.\n"
    )
    assert out.err == ""  # not "no protocol files found": two were looked at


@pytest.mark.parametrize(
    "text",
    [TYPO_BESIDE_ROWS, BOTH_TYPOS, ROWS_AS_A_LIST, "protocol: Knee\n", "protocol: [unclosed\n", ""],
    ids=["typo-beside-rows", "both-keys-misspelt", "rows-as-a-list", "no-rows", "syntax", "empty"],
)
def test_a_broken_protocol_is_never_skipped(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, {"knee.yaml": text})
    assert main(["check", str(folder)]) == 1
    assert main(["check", "--force-exclude", str(folder / "knee.yaml")]) == 1
    out = capsys.readouterr().out
    assert "skipped" not in out and out.count("Checked 1 file:") == 2


def test_the_hook_passes_a_repository_of_other_yaml_and_fails_a_bad_protocol(
    tmp_path: Path,
) -> None:
    """pre-commit try-repo, with the hook's defaults, in a scratch git repository."""
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None or shutil.which("git") is None:
        pytest.skip("pre-commit (the test extra) and git are needed to try the hook")
    repo = _folder(
        tmp_path / "repo",
        {
            ".github/workflows/ci.yml": WORKFLOW,
            ".pre-commit-config.yaml": "repos: []\n",
            "protocols/knee.yaml": SEED.read_text(),
        },
    )

    def git(*args: str, cwd: Path = repo) -> None:
        identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    hook_repo = _hook_repository(tmp_path / "hook")
    git("init", "-q", cwd=hook_repo)
    git("add", ".", cwd=hook_repo)
    git("commit", "-q", "-m", "celldose as it stands", cwd=hook_repo)
    env_home = tmp_path / "cache"

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(hook_repo), "celldose", "--all-files"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={
                "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
                "HOME": str(tmp_path),
                "PRE_COMMIT_HOME": str(env_home),
            },
        )

    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    bad = SEED.read_text().replace("total: 50,000,000", "total: 5,000,000")
    (repo / "protocols" / "knee.yaml").write_text(bad)
    git("add", ".")
    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "CD301" in failed.stdout and ".github" not in failed.stdout


def _hook_repository(target: Path) -> Path:
    """The hook's repository as this tree stands, committed (try-repo installs what a commit
    holds, and this tree may be uncommitted, or an unpacked sdist)."""
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", target / "src", ignore=skip)
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, target / name)
    return target
