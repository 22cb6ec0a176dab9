"""Run every regular expression that sees user text on adversarial strings of 10^5 characters,
and check YAML, CSV and Markdown files built around them; print the slowest, exit 1 over budget.

Run as a script by tests/test_regex_budget.py in a fresh interpreter under a timeout, so that a
pattern that backtracks super-linearly fails the test instead of hanging it.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

N = 100_000
BUDGET = 1.0
"""Seconds for one pattern on one string: linear patterns take milliseconds; the quadratic ones
this replaced took minutes at this length."""

USED = {
    # module attribute: how the code applies it to user text
    "celldose.vocabulary._PER_SIDE_REVERSED": "match",
    "celldose.vocabulary._SEPARATORS": "split",
    "celldose.sources.markdown_source._SEPARATOR": "match",
    "celldose.sources.markdown_source._HEADING": "match",
    "celldose.sources.markdown_source._PIPE": "finditer",
    "celldose.sources.markdown_source._FENCE": "match",
    "celldose.sources.sheet._BARE_NUMBER": "match",
    "celldose.sources.sheet._LABEL": "match",
    "celldose.sources.columns._PARENTHESIS": "match",
    "celldose.sources.lines._BREAK": "finditer",
    "celldose.sources.xlsx.refs._REF": "fullmatch",
    "celldose.sources.xlsx.package._ESCAPE": "sub",
    "celldose.sources.xlsx.package._ELAPSED": "fullmatch",
    "celldose.sources.xlsx.cells._NUMBER": "fullmatch",
    "celldose.model.protocol._FIRST_AMOUNT": "search",
    "celldose.units.parse._SIGN": "match",
    "celldose.units.parse._TEN_POWER": "match",
    "celldose.units.parse._MANTISSA": "match",
    "celldose.units.parse._EXPONENT": "match",
    "celldose.units.parse._TIMES": "match",
    "celldose.units.parse._SIZE": "match",
    "celldose.units.parse._UNIT_PHRASE": "fullmatch",
    "celldose.units.ranges._SEPARATOR": "findall",
    "celldose.units.ranges._PLAIN": "fullmatch",
    "celldose.units.ranges._LIST": "split",
    "celldose.units.ranges._STARTS_A_NUMBER": "match",
    "celldose.units.ranges._SPREAD": "search",
    "celldose.model.sites._IN_DOSE": "fullmatch",
    "celldose.model.schedule._COUNT_ONLY": "fullmatch",
    "celldose.model.schedule._DAY_LIST": "fullmatch",
    "celldose.model.schedule._REPEAT": "fullmatch",
    "celldose.units.parse._MARK": "split",
    "celldose.units.separators._NUMBER": "match",
    "celldose.fixes.spelling._GROUPED": "match",
    "celldose.suppressions._MARK": "search",
    "celldose.suppressions._COMMENT": "finditer",
    "celldose.config._PREFIX": "fullmatch",
    "celldose.model.types._DAYS": "fullmatch",
    "celldose.model.types._WORDY": "search",
    "celldose.dose_ranges._ANY_MSC": "search",
    "celldose.convert.writers._GROUPED_INTEGER": "match",
    "celldose.formatters.text._BREAK": "split",
    "celldose.formatters.fhir_outcome._FORBIDDEN": "sub",
    "celldose.formatters.junit._FORBIDDEN": "sub",
    "celldose.serve.actions._UNSAFE_NAME": "sub",
    "celldose.sources.lines._LINE": "findall",
    "celldose.sources.docx_source._HEADING": "match",
    "celldose.sources.run_together._COUNT": "fullmatch",
    "celldose.sources.run_together._DAYS": "fullmatch",
    "celldose.sources.run_together._LETTER": "search",
    "celldose.sources.run_together._TAIL": "fullmatch",
    "celldose.sources.sniff._PAGE": "search",
    "celldose.sources.sniff._YAML_KEY": "search",
    "celldose.sources.table_build._EXPONENT": "fullmatch",
    "celldose.sources.table_build._POWER_BASE": "search",
    "celldose.sources.text_rows.GAP": "finditer",
    "celldose.sources.text_rows._SEPARATOR": "match",
    "celldose.sources.text_table.GAP": "split",
    "celldose.sources.text_table._CONDITION": "match",
    "celldose.sources.text_table._FIELD_LINE": "match",
}

BOUNDED = {
    # Patterns the code applies only to text it has cut to a length first: probed at that length.
    "celldose.sources.text_table._CONDITION": 60,  # a title: text_table._TITLE_CHARS
    "celldose.sources.run_together._TAIL": 1000,  # a run-together row: run_together.MAX_ROW
}

# Runs that patterns like to share between two quantifiers, each ended by a character that
# makes the match fail, so that a backtracking engine tries every split.
UNITS = [" ", "\t", "\u00a0", "1", "1,", "1.", "1 ", "a", "-", "|", " |", "#", ":", "*", "msc"]
ENDS = ["", "!"]
SPECIAL = [
    "x" + " " * (N - 2) + "y",
    "# " + " " * N + "x",
    "| " + " " * N + "x",
    "celldose:ignore[" * (N // 16),
    "# celldose: ignore[" * (N // 19),
    "per side " * (N // 9) + "x",
    "- " * (N // 2) + "x",
    "**Condition" + " " * N + ":" + " " * N + "x",
    "Dose (" + " " * N + "x",
    "_x0041" * (N // 6),
]


def adversarial() -> list[str]:
    made = [unit * (N // len(unit)) + end for unit in UNITS for end in ENDS]
    return made + SPECIAL


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def patterns() -> list[str]:
    """Every module-level pattern of celldose, to find one that is not listed."""
    import celldose

    root = Path(celldose.__file__).parent
    modules = sorted(
        ".".join(("celldose", *path.relative_to(root).with_suffix("").parts))
        for path in root.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    )
    found = []
    for module in modules:
        for name, value in vars(importlib.import_module(module)).items():
            if isinstance(value, re.Pattern):
                found.append(f"{module}.{name}")
    return found


def probe_patterns(strings: list[str]) -> list[tuple[float, str]]:
    results = []
    for qualified, method in USED.items():
        module, name = qualified.rsplit(".", 1)
        pattern: re.Pattern[str] = getattr(importlib.import_module(module), name)
        apply = getattr(pattern, method)
        bound = BOUNDED.get(qualified)
        for text in strings if bound is None else [t[:bound] for t in strings]:
            if method == "sub":
                seconds = timed(lambda: apply("", text))  # noqa: B023 - called at once
            elif method in ("finditer",):
                seconds = timed(lambda: list(apply(text)))  # noqa: B023
            else:
                seconds = timed(lambda: apply(text))  # noqa: B023
            results.append((seconds, f"{qualified}.{method}({text[:12]!r}...)"))
    return results


def probe_functions(strings: list[str]) -> list[tuple[float, str]]:
    """The functions that wrap a pattern with code of their own."""
    from celldose.dose_ranges import product_class
    from celldose.sources.columns import recognize
    from celldose.sources.markdown_source import _heading, markdown_grids
    from celldose.sources.sheet import _label_value
    from celldose.units.parse import AmountSyntaxError, parse_amount
    from celldose.vocabulary import classify, split_per_side

    def amount(text: str) -> None:
        with contextlib.suppress(AmountSyntaxError):
            parse_amount(text)

    functions: dict[str, Callable[[str], object]] = {
        "split_per_side": split_per_side,
        "classify": classify,
        "recognize": recognize,
        "_heading": _heading,
        "_label_value": _label_value,
        "product_class": product_class,
        "parse_amount": amount,
        "markdown_grids": lambda text: markdown_grids(text + "\n" + text, "page"),
    }
    return [
        (timed(lambda: function(text)), f"{name}({text[:12]!r}...)")  # noqa: B023
        for name, function in functions.items()
        for text in strings
    ]


def probe_files(strings: list[str]) -> list[tuple[float, str]]:
    """The end-to-end check of a YAML, CSV and Markdown file built around each string."""
    import celldose

    results = []
    with tempfile.TemporaryDirectory() as folder:
        for number, text in enumerate(strings):
            flat = text.replace("\n", " ").replace("\r", " ")
            quoted = flat.replace("\\", "\\\\").replace('"', '\\"')
            cell = '"' + flat.replace('"', '""') + '"'
            files = {
                "yaml": f'protocol: P\nadministrations:\n  - route: "{quoted}"\n'
                "    dose: 1\n    days: 1\n    total: 1\n",
                "csv": f"Route,Dose,Days,Total\n{cell},1,1,1\n",
                "md": f"# {flat}\n\n{flat}\n\n| Route | Dose | Days | Total |\n|---|---|---|---|\n"
                f"| {flat.replace('|', ' ')} | 1 | 1 | 1 |\n{flat}\n",
            }
            for suffix, content in files.items():
                path = Path(folder) / f"case{number}.{suffix}"
                path.write_text(content, encoding="utf-8")
                seconds = timed(lambda: celldose.check(path))  # noqa: B023
                results.append((seconds, f"check({suffix} around {text[:12]!r}...)"))
    return results


def main() -> int:
    unlisted = sorted(set(patterns()) - set(USED))
    if unlisted:
        sys.stdout.write(f"patterns not in the budget test: {', '.join(unlisted)}\n")
        return 1
    strings = adversarial()
    which = sys.argv[1:] or ["patterns", "functions", "files"]
    results: list[tuple[float, str]] = []
    if "patterns" in which:
        results += probe_patterns(strings)
    if "functions" in which:
        results += probe_functions(strings)
    if "files" in which:
        results += probe_files([*SPECIAL, " " * N, "\t" * N + "x", "1 " * (N // 2) + "x"])
    results.sort(reverse=True)
    for seconds, what in results[:5]:
        sys.stdout.write(f"{seconds * 1000:8.1f} ms  {what}\n")
    over = [(s, w) for s, w in results if s > BUDGET]
    for seconds, what in over:
        sys.stdout.write(f"OVER BUDGET {seconds:.2f} s  {what}\n")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
