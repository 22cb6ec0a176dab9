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


def render_statistics(report: Report) -> str:
    """Findings per rule, most frequent first, then the summary line."""
    counts: dict[tuple[str, str], int] = {}
    for d in report.diagnostics:
        counts[(d.code, d.name)] = counts.get((d.code, d.name), 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{n:6d}  {code}  {name}" for (code, name), n in ordered]
    return "\n".join([*lines, summary(report)]) + "\n"


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
