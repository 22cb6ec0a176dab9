"""Which files a check reads, when the paths are odd: a folder that cannot be listed, the same
file named twice or through a link, a symbolic link that loops."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import celldose
from celldose.cli import main

MISSING = (
    "protocol: Knee\n"
    "administrations:\n"
    "  - route: intra-articular\n"
    "    dose: 50,000,000\n"
    "    days: 2\n"
)
"""A protocol with a missing total: a finding with a safe fix (CD303)."""
WRONG = (
    "protocol: Knee\nadministrations:\n  - {route: intra-articular, dose: 5, days: 2, total: 100}\n"
)
NOBODY = 65534


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="celldose-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root to run the check as the unprivileged user nobody",
)
def test_an_unreadable_folder_is_a_finding_found_or_named(shared_folder: Path) -> None:
    """Run as nobody (root reads any folder): a chmod 000 folder inside the folder checked,
    and the same folder named directly, are each CD001 and counted, never "no problems"."""
    (shared_folder / "clean.yaml").write_text(
        MISSING.replace("    days: 2\n", "    days: 1\n    total: 50,000,000\n"), encoding="utf-8"
    )
    locked = shared_folder / "locked"
    locked.mkdir()
    (locked / "wrong.yaml").write_text(WRONG, encoding="utf-8")
    locked.chmod(0)
    # The interpreter may live where nobody cannot reach (root's home): it starts as root,
    # checks the folder once (importing all a check needs; root reads it all), then becomes
    # nobody.
    script = (
        "import contextlib, io, json, os, sys\n"
        "from celldose.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['check', sys.argv[1]]) == 1\n"
        f"os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})\n"
        "runs = []\n"
        "for path in sys.argv[2:]:\n"
        "    out, err = io.StringIO(), io.StringIO()\n"
        "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        "        code = main(['check', path])\n"
        "    runs.append((code, out.getvalue(), err.getvalue()))\n"
        "print(json.dumps(runs))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(shared_folder), str(shared_folder), str(locked)],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    inside, named = json.loads(result.stdout)
    for code, out, err in (inside, named):
        assert code == 1, out + err
        assert f"{locked}: CD001 error: cannot read the folder: Permission denied" in out
        assert "no problems" not in out and "no protocol files" not in err
    assert inside[1].splitlines()[-1] == "Checked 1 file (1 folder could not be read): 1 error."
    assert named[1].splitlines()[-1] == "Checked 0 files (1 folder could not be read): 1 error."


def test_the_same_file_named_three_ways_is_checked_and_fixed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("k.yaml").write_text(MISSING, encoding="utf-8")
    Path("link-to-k.yaml").symlink_to("k.yaml")
    report = celldose.check_paths(["k.yaml", "k.yaml", "link-to-k.yaml", "."])
    assert report.paths == ("k.yaml",)  # the first name it was met by
    assert [d.code for d in report] == ["CD303"]
    assert main(["check", "k.yaml", "k.yaml", "link-to-k.yaml", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["files"] == ["k.yaml"] and len(document["diagnostics"]) == 1
    assert main(["check", "--diff", "k.yaml", "link-to-k.yaml"]) == 1
    assert capsys.readouterr().out.count("+++ b/k.yaml") == 1
    assert main(["check", "--fix", "k.yaml", "k.yaml", "link-to-k.yaml"]) == 0
    captured = capsys.readouterr()
    assert "Fixed 1 finding." in captured.err
    assert captured.out.splitlines()[-1] == "Checked 1 file: no problems."
    assert "total: 100,000,000" in Path("k.yaml").read_text(encoding="utf-8")


def test_a_folder_and_a_file_in_it_are_checked_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "w.yaml").write_text(WRONG, encoding="utf-8")
    (tmp_path / "alias.yaml").symlink_to(tmp_path / "sub" / "w.yaml")
    report = celldose.check_paths([tmp_path / "sub" / "w.yaml", tmp_path])
    assert report.paths == (str(tmp_path / "sub" / "w.yaml"),)
    assert len(report) == 1


def test_a_self_looping_symbolic_link_says_it_is_a_loop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert main(["check", str(loop)]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"celldose: error: symbolic link loop: {loop} (too many levels of symbolic links)\n"
    )
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "gone.yaml")
    assert main(["check", str(dangling)]) == 2
    assert (
        f"broken symbolic link: {dangling} -> {tmp_path / 'gone.yaml'}" in capsys.readouterr().err
    )
    assert main(["check", str(tmp_path / "absent.yaml")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
