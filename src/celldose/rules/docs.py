"""The rules page, docs/rules.md, rendered from the rule catalogue (one source of truth).

Regenerate with ``python -m celldose.rules.docs > docs/rules.md``; a test fails on drift.
"""

from __future__ import annotations

import sys

from celldose.rules import ALL, Rule

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
    ]
    if rule.details is not None:
        parts.append(f"\n{rule.details()}\n")
    if rule.bad:
        parts.append(f"\nFails:\n\n```yaml\n{rule.bad}```\n")
    if rule.good:
        parts.append(f"\nPasses:\n\n```yaml\n{rule.good}```\n")
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
