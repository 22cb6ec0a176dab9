"""For people: ``path:line:col: CODE severity: message``, a fix hint, then a summary line."""

from celldose.diagnostics import Diagnostic, Report


def render(report: Report) -> str:
    lines: list[str] = []
    for d in report.diagnostics:
        lines.append(f"{_where(d)}: {d.code} {d.severity.value}: {d.message}")
        if d.fix:
            lines.append(f"  fix: {d.fix}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    files = len(report.paths)
    checked = f"Checked {files} file{'' if files == 1 else 's'}"
    counts = [
        _count(len(report.errors), "error"),
        _count(len(report.warnings), "warning"),
        _count(len(report.infos), "info"),
    ]
    shown = [c for c in counts if c]
    return f"{checked}: {', '.join(shown) if shown else 'no problems'}."


def _where(d: Diagnostic) -> str:
    if d.span is None:
        pointer = "/".join(str(p) for p in d.pointer)
        return f"{d.path}:/{pointer}" if pointer else d.path
    return f"{d.path}:{d.span.line}:{d.span.column}"


def _count(n: int, noun: str) -> str:
    if not n:
        return ""
    return f"{n} {noun}{'' if n == 1 or noun == 'info' else 's'}"
