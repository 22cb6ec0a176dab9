"""The rules page, docs/rules.md, rendered from the rule catalogue (one source of truth).

Regenerate with ``python -m celldose.rules.docs > docs/rules.md``; a test fails on drift.
"""

from __future__ import annotations

import sys

from celldose.rules import ALL, FixSafety, Rule
from celldose.rules.base import Example, Workbook

_HEADER = """\
# celldose rules

Generated from the rule catalogue in `src/celldose/rules/` by
`python -m celldose.rules.docs > docs/rules.md`; do not edit by hand.

Codes are stable and never reused: CD0xx reading the file, CD1xx the protocol's shape, CD2xx
field values, CD3xx the consistency of a row, CD4xx comparison with published studies, CD5xx the
consistency of a whole protocol. By default errors make `celldose check` exit 1 and warnings and
infos do not; `--fail-on warning` or `--fail-on info` lowers that threshold.

| code | name | severity | summary |
|---|---|---|---|
"""


def render() -> str:
    table = "".join(
        f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity.value} | {r.summary} |\n"
        for r in ALL
    )
    return _HEADER + table + "".join(explain(r) for r in ALL)


def explain(rule: Rule) -> str:
    """A rule's documentation: what ``celldose explain CODE`` prints and docs/rules.md holds."""
    parts = [
        f'\n<a id="{rule.code.lower()}"></a>\n## {rule.code} {rule.name} ({rule.severity.value})\n',
        f"\n{rule.summary}\n\n{rule.explanation}\n\n**Fix:** {rule.fix}\n",
        f"\n**Fix safety:** {_SAFETY[rule.fix_safety]}\n",
    ]
    if rule.details is not None:
        parts.append(f"\n{rule.details()}\n")
    if rule.bad is not None:
        parts.append(_example("Fails", rule.bad, rule.example_suffix))
    if rule.good is not None:
        parts.append(_example("Passes", rule.good, rule.example_suffix))
    return "".join(parts)


_SAFETY = {
    FixSafety.SAFE: "safe: `celldose check --fix` writes the fix.",
    FixSafety.UNSAFE: (
        "unsafe: written only with `--unsafe-fixes` (and `--fix` or `--diff`), as the fix may "
        "not be the right correction."
    ),
    FixSafety.NONE: "none: no automatic fix.",
}


def _example(verdict: str, example: Example, suffix: str) -> str:
    """An example file as the page shows it: text in a code block, bytes with each byte that
    is not UTF-8 escaped, a workbook as a table of its cells."""
    if isinstance(example, Workbook):
        header, *rows = example.rows
        lines = [_row(header), _row(("---",) * len(header)), *(_row(r) for r in rows)]
        table = "".join(line + "\n" for line in lines)
        formula = any(isinstance(c, str) and c.startswith("=") for r in rows for c in r)
        note = "; each formula saved without its value" if formula else ""
        if example.hidden_rows:
            note += "; hidden: row " + ", ".join(str(n) for n in example.hidden_rows)
        for ref, code in example.formats:
            note += f"; {ref} has the number format `{code}`"
        return f"\n{verdict} (a workbook; worksheet {example.sheet!r}{note}):\n\n{table}"
    language = suffix.lstrip(".")
    if isinstance(example, bytes):
        text = example.decode("utf-8", "backslashreplace")
        note = f" (as bytes, a {suffix} file; `\\xNN` is one byte)"
        return f"\n{verdict}{note}:\n\n```{language}\n{text}```\n"
    note = "" if suffix == ".yaml" else f" (a {suffix} file)"
    return f"\n{verdict}{note}:\n\n```{language}\n{example}```\n"


def _row(cells: tuple[str | int, ...]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


if __name__ == "__main__":
    sys.stdout.write(render())
