"""Output formats: one module each, each a pure function from a Report to text."""

from collections.abc import Callable
from types import MappingProxyType

from celldose.diagnostics import Report
from celldose.formatters import github, json_format, jsonl, sarif, text

Formatter = Callable[[Report], str]

FORMATTERS: MappingProxyType[str, Formatter] = MappingProxyType(
    {
        "text": text.render,
        "json": json_format.render,
        "jsonl": jsonl.render,
        "github": github.render,
        "sarif": sarif.render,
    }
)

__all__ = ["FORMATTERS", "Formatter"]
