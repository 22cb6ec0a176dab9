"""A baseline: the findings a project has accepted for now, so that only new ones are reported.

``celldose check --write-baseline FILE PATHS...`` records today's findings; ``--baseline FILE``
then reports only the findings not in it. A finding is recorded by its rule code, its file's
path (relative to the baseline's folder, in posix form), the worksheet, its data pointer and
its message: never by line or column, so an edit that moves lines does not make old findings
new. Identical findings are counted: with two recorded and three found, one is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from celldose.diagnostics import Diagnostic, Report
from celldose.formatters.json_format import json_pointer
from celldose.paths import relative

VERSION = 1
_FIELDS = ("code", "path", "pointer", "message")

Key = tuple[str, str, str, str, str]
"""code, path, sheet ("" for none), pointer, message."""


class BaselineError(ValueError):
    """A baseline file that cannot be read or written; the message names the file."""


class Baseline:
    """The findings of a baseline file, counted."""

    def __init__(self, folder: Path, counts: Counter[Key]) -> None:
        self.folder = folder
        self.counts = counts

    def new(self, report: Report, cwd: Path | None = None) -> Report:
        """The report without the findings the baseline holds (each counted once)."""
        remaining = Counter(self.counts)
        base = cwd or Path.cwd()
        kept: list[Diagnostic] = []
        for diagnostic in report.diagnostics:
            key = key_of(diagnostic, self.folder, base)
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                kept.append(diagnostic)
        return report.keeping(kept)


def key_of(diagnostic: Diagnostic, folder: Path, cwd: Path) -> Key:
    return (
        diagnostic.code,
        diagnostic.path if _no_file(diagnostic.path) else relative(diagnostic.path, folder, cwd),
        diagnostic.sheet or "",
        json_pointer(diagnostic.pointer),
        diagnostic.message,
    )


def _no_file(path: str) -> bool:
    """``<stdin>``, ``<mapping>``: a label, not a file."""
    return path.startswith("<")


def _folder(path: Path, cwd: Path) -> Path:
    return Path(os.path.normpath(cwd / path)).parent


def write(path: Path, report: Report, cwd: Path | None = None) -> int:
    """Record ``report``'s findings in ``path`` (atomically); returns their number."""
    base = cwd or Path.cwd()
    folder = _folder(path, base)
    keys = sorted(key_of(d, folder, base) for d in report.diagnostics)
    document = {
        "version": VERSION,
        "tool": "celldose",
        "findings": [_entry(key) for key in keys],
    }
    content = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    from celldose.convert.atomic import write_atomic  # only when a baseline is written

    try:
        write_atomic(path, content.encode("utf-8"), force=True)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(keys)


def _entry(key: Key) -> dict[str, str]:
    code, path, sheet, pointer, message = key
    entry = {"code": code, "path": path}
    if sheet:
        entry["sheet"] = sheet
    entry.update(pointer=pointer, message=message)
    return entry


def load(path: Path, cwd: Path | None = None) -> Baseline:
    """Read a baseline file; raises :class:`BaselineError` when it is missing or not one."""
    base = cwd or Path.cwd()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a baseline (not JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise BaselineError(f'{path}: not a baseline: expected an object with "version": {VERSION}')
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f'{path}: not a baseline: "findings" is not a list')
    return Baseline(_folder(path, base), Counter(_keys(path, findings)))


def _keys(path: Path, findings: Iterable[object]) -> Iterable[Key]:
    for number, entry in enumerate(findings, start=1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(name), str) for name in _FIELDS
        ):
            fields = ", ".join(_FIELDS)
            raise BaselineError(
                f"{path}: not a baseline: finding {number} is not an object with text {fields}"
            )
        sheet = entry.get("sheet", "")
        if not isinstance(sheet, str):
            raise BaselineError(f'{path}: not a baseline: finding {number}: "sheet" is not text')
        yield entry["code"], entry["path"], sheet, entry["pointer"], entry["message"]
