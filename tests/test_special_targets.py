"""Writes never replace what is not a regular file: a device, a FIFO, a socket or a folder named
as the output is refused (exit 2) and left as it was, also behind a symlink.

Every special file here is made in the test's own folder; the machine's /dev/null is never
touched.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from celldose.cli import main
from celldose.fixes import FileFix, write
from conftest import SEED

FIFOS = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("making a device node (mknod) needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the null device, under our name


def _socket(path: Path) -> None:
    if not hasattr(socket, "AF_UNIX") or len(os.fsencode(path)) > 100:
        pytest.skip("needs a Unix socket path shorter than sun_path")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))


def _folder(path: Path) -> None:
    path.mkdir()


MAKERS: dict[str, tuple[Callable[[Path], None], Callable[[int], bool], str]] = {
    "fifo": (_fifo, stat.S_ISFIFO, "a FIFO (named pipe)"),
    "device": (_device, stat.S_ISCHR, "a character device"),
    "socket": (_socket, stat.S_ISSOCK, "a socket"),
    "folder": (_folder, stat.S_ISDIR, "a folder"),
}


def _make(kind: str, folder: Path, through_link: bool) -> tuple[Path, Path]:
    """The special file, and the path to name as the output (a symlink to it, if asked)."""
    make = MAKERS[kind][0]
    special = folder / f"out-{kind}"
    make(special)
    if not through_link:
        return special, special
    link = folder / f"link-{kind}"
    link.symlink_to(special.name)
    return special, link


def _unchanged(special: Path, kind: str) -> None:
    assert MAKERS[kind][1](special.lstat().st_mode), f"{special} is no longer {kind}"
    assert not any(p.name.endswith(".tmp") for p in special.parent.iterdir())


@FIFOS
@pytest.mark.parametrize("through_link", [False, True], ids=["named", "via-symlink"])
@pytest.mark.parametrize("kind", list(MAKERS))
def test_convert_force_refuses_a_special_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, through_link: bool
) -> None:
    special, named = _make(kind, tmp_path, through_link)
    status = main(["convert", str(SEED), str(named), "--to", "csv", "--force"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"is {MAKERS[kind][2]}, not a regular file" in err
    _unchanged(special, kind)
    if through_link:
        assert named.is_symlink()


@FIFOS
def test_convert_without_force_says_the_fifo_is_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    special, named = _make("fifo", tmp_path, through_link=False)
    assert main(["convert", str(SEED), str(named), "--to", "csv"]) == 2
    err = capsys.readouterr().err
    assert "not a regular file" in err and "--force" not in err  # --force would not help
    _unchanged(special, "fifo")


@FIFOS
@pytest.mark.parametrize("through_link", [False, True], ids=["named", "via-symlink"])
@pytest.mark.parametrize("kind", list(MAKERS))
def test_write_baseline_refuses_a_special_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, through_link: bool
) -> None:
    special, named = _make(kind, tmp_path, through_link)
    status = main(["check", str(SEED), "--write-baseline", str(named)])
    err = capsys.readouterr().err
    assert status == 2
    assert "cannot write the baseline" in err and f"is {MAKERS[kind][2]}" in err
    _unchanged(special, kind)


@FIFOS
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fix_is_not_written_over_a_special_file(tmp_path: Path, kind: str) -> None:
    # The file was a protocol when it was checked; by the time the fix is written, a FIFO or
    # a device has taken its name.
    special, _ = _make(kind, tmp_path, through_link=False)
    fix = FileFix(path=str(special), before="a", after="b", content=b"b", edits=())
    reason = write(fix)
    assert reason is not None and f"is {MAKERS[kind][2]}, not a regular file" in reason
    _unchanged(special, kind)


def test_a_regular_file_is_still_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    assert main(["convert", str(SEED), str(target), "--to", "csv", "--force"]) == 0
    assert target.read_text().startswith("Protocol")
