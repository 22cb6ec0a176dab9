"""``check --fix`` and ``check --diff``: fixes planned from the check's own report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from celldose.escape import shown

if TYPE_CHECKING:
    from celldose.diagnostics import Report
    from celldose.fixes import FileFix
    from celldose.settings import Prepared


def diff(report: Report, prepared: Prepared, *, unsafe: bool, quiet: bool) -> bool:
    """Print what --fix would change as a unified diff; whether anything would change."""
    from celldose import fixes

    planned = fixes.fix_report(report, unsafe=unsafe, normalize=prepared.spelling)
    changed = [f for f in planned if f.edits]
    for fix in changed:
        # The headers name the file escaped; the lines are the file's own, as in a patch.
        sys.stdout.write(fixes.unified_diff(shown(fix.path), fix.before, fix.after))
    if not quiet:
        sys.stderr.write(summary(planned, done=False))
    return bool(changed)


def fix(report: Report, prepared: Prepared, *, unsafe: bool, quiet: bool) -> tuple[int, bool]:
    """Write the fixes; the number of files written, and whether one could not be written."""
    from celldose import fixes

    planned = fixes.fix_report(report, unsafe=unsafe, normalize=prepared.spelling)
    written: list[FileFix] = []
    unwritten = False
    for planned_fix in planned:
        if not planned_fix.edits:
            continue
        problem = fixes.write(planned_fix)
        if problem is not None:
            where = shown(planned_fix.path)
            sys.stderr.write(f"celldose: error: cannot write {where}: {shown(problem)}\n")
            unwritten = True
            continue
        written.append(planned_fix)
    if not quiet:
        untouched = [f for f in planned if not f.edits]
        sys.stderr.write(summary([*written, *untouched], done=True))
    return len(written), unwritten


def summary(planned: Sequence[FileFix], *, done: bool) -> str:
    """``Fixed 2 findings (1 unsafe).``, the counts respelled, the unsafe fixes left for
    --unsafe-fixes, and a line for each file whose fixes were left out, with the reason."""
    count = sum(f.fixed for f in planned)
    unsafe = sum(1 for f in planned for e in f.edits if e.unsafe)
    respelled = sum(f.normalized for f in planned)
    left = sum(f.skipped_unsafe for f in planned)
    line = f"{'Fixed' if done else 'Would fix'} {count} finding{'s' if count != 1 else ''}"
    if unsafe:
        line += f" ({unsafe} unsafe)"
    if respelled:
        verb = "normalized" if done else "normalize"
        line += f", {verb} {respelled} count{'s' if respelled != 1 else ''}"
    line += "."
    if left:
        line += f" {left} more with --unsafe-fixes."
    lines = [line]
    for planned_fix in planned:
        where = shown(planned_fix.path)
        lines.extend(f"Skipped {where}: {shown(reason)}." for reason in planned_fix.skipped)
    return "\n".join(lines) + "\n"
