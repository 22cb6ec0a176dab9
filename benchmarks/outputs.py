"""Record what the command line prints for every example, to prove a refactor changed nothing.

    python benchmarks/outputs.py record DIR     # write one file per command into DIR
    python benchmarks/outputs.py compare DIR    # list every command whose output differs

Each command runs in this process through ``celldose.cli.main`` (the same code the console
script runs), from the repository's root, so paths print the same on every machine. A
command's record is its exit status, its standard output and its standard error. Covered:
``check`` in every output format, ``show``, ``convert`` to every target, ``--diff`` (safe and
unsafe fixes), standard input, folders, and a few hostile files written here.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "json", "jsonl", "github", "sarif", "junit", "fhir", "html")
CONVERT_TARGETS = ("yaml", "csv", "md", "fhir")

HOSTILE = {
    "empty.yaml": b"",
    "binary.yaml": b"\x00\x01\x02protocol",
    "deep.yaml": b"[" * 5000 + b"]" * 5000,
    "latin1.yaml": b"protocol: Caf\xe9\n",
    "dotted.yaml": (
        b"protocol: Dots\nadministrations:\n  - route: intravenous\n    dose: 50.000.000\n"
        b"    days: 1\n    total: 50.000.000\n"
    ),
    "list.yaml": b"- a\n- b\n",
    "not-a-sheet.csv": b"just,some\ncsv,values\n",
    "no-table.md": b"# Title\n\nNo table here.\n",
}


def _files(hostile: Path) -> list[str]:
    found = sorted(
        p.relative_to(ROOT).as_posix()
        for folder in (ROOT / "protocols", ROOT / "tests" / "cases")
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".csv", ".md", ".xlsx")
    )
    return found + sorted(os.path.relpath(hostile / name, ROOT) for name in HOSTILE)


def _commands(hostile: Path, scratch: Path) -> Iterator[tuple[str, list[str], bytes | None]]:
    """(name, argv, standard input) for every recorded command."""
    for index, file in enumerate(_files(hostile)):
        for output in FORMATS:
            yield f"check {output} {file}", ["check", file, "--format", output], None
        yield f"check nosource {file}", ["check", file, "--no-show-source"], None
        yield f"check statistics {file}", ["check", file, "--statistics"], None
        yield f"show {file}", ["show", file], None
        yield f"diff {file}", ["check", file, "--diff"], None
        yield f"diff unsafe {file}", ["check", file, "--diff", "--unsafe-fixes"], None
        for target in CONVERT_TARGETS:
            yield f"convert {target} {file}", ["convert", file, "-", "--to", target], None
        xlsx = scratch / f"{index}.xlsx"
        yield f"convert xlsx {file}", ["convert", file, str(xlsx), "--force"], None
        yield f"convert xlsx back {file}", ["convert", str(xlsx), "-", "--to", "csv"], None
    for folder in ("protocols", "tests/cases"):
        for output in ("text", "json", "sarif"):
            yield f"check folder {output} {folder}", ["check", folder, "--format", output], None
    seed = (ROOT / "protocols" / "sacroiliitis.yaml").read_bytes()
    yield "stdin yaml", ["check", "-"], seed
    yield "stdin named", ["check", "-", "--stdin-filename", "knee.yaml"], seed
    sheet = (ROOT / "protocols" / "sacroiliitis.csv").read_bytes()
    yield "stdin csv", ["check", "-", "--stdin-filename", "s.csv", "--format", "json"], sheet
    yield "stdin diff", ["check", "-", "--stdin-filename", "s.csv", "--diff"], sheet


def _run(argv: list[str], stdin: bytes | None) -> bytes:
    from celldose.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", newline="")
    stderr = io.TextIOWrapper(err, encoding="utf-8", newline="")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    sys.stdout, sys.stderr = stdout, stderr
    try:
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
        with contextlib.suppress(ValueError):
            stdout.flush()
            stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return b"exit %d\n--- stdout\n%s\n--- stderr\n%s" % (status, out.getvalue(), err.getvalue())


def _record_all() -> dict[str, bytes]:
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as hostile_dir, tempfile.TemporaryDirectory() as scratch:
        hostile = Path(hostile_dir)
        for name, content in HOSTILE.items():
            (hostile / name).write_bytes(content)
        results = {}
        for name, argv, stdin in _commands(hostile, Path(scratch)):
            text = _run(argv, stdin)
            name = name.replace(os.path.relpath(hostile, ROOT), "<hostile>")
            # Temporary folders differ between runs: name them by role.
            text = text.replace(os.fsencode(os.path.relpath(hostile, ROOT)), b"<hostile>")
            text = text.replace(os.fsencode(str(hostile)), b"<hostile>")
            text = text.replace(os.fsencode(scratch), b"<scratch>")
            results[name] = text
        return results


def _filename(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16] + ".txt"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("record", "compare"):
        print(__doc__)
        return 2
    folder = Path(argv[1]).resolve()
    results = _record_all()
    if argv[0] == "record":
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in results.items():
            (folder / _filename(name)).write_bytes(name.encode() + b"\n" + text)
        print(f"recorded {len(results)} commands in {folder}")
        return 0
    differ = []
    for name, text in results.items():
        recorded = folder / _filename(name)
        if not recorded.exists() or recorded.read_bytes() != name.encode() + b"\n" + text:
            differ.append(name)
    for name in differ:
        print(f"differs: {name}  ({folder / _filename(name)})")
    print(f"{len(results) - len(differ)} of {len(results)} commands print the same")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
