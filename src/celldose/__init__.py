"""celldose: validate stem-cell treatment-protocol sheets.

celldose checks a sheet's arithmetic, units and routes and cites published ranges; it never
recommends a treatment.

>>> import celldose
>>> row = {"route": "intra-articular", "dose": "50 million cells", "days": 2, "total": "50,000,000"}
>>> report = celldose.check({"protocol": "Knee", "administrations": [row]})
>>> report.ok
False
>>> print(report.errors[0].code, report.errors[0].message)
CD301 total 50,000,000 cells != dose 50,000,000 cells x 2 days = 100,000,000 cells

The names below are imported on first use, so that ``celldose --help`` and tools that import
one submodule do not pay for pydantic and pint.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from celldose.api import (
        ProtocolError,
        check,
        check_bytes,
        check_paths,
        check_text,
        load,
        load_all,
    )
    from celldose.diagnostics import Diagnostic, Report, Severity, Span
    from celldose.model import NA, Administration, NotApplicable, Protocol
    from celldose.settings import Settings, SettingsError

__version__ = "0.1.0"

_LAZY = {
    "ProtocolError": "celldose.api",
    "check": "celldose.api",
    "check_bytes": "celldose.api",
    "check_paths": "celldose.api",
    "check_text": "celldose.api",
    "load": "celldose.api",
    "load_all": "celldose.api",
    "Diagnostic": "celldose.diagnostics",
    "Report": "celldose.diagnostics",
    "Severity": "celldose.diagnostics",
    "Span": "celldose.diagnostics",
    "NA": "celldose.model",
    "Administration": "celldose.model",
    "NotApplicable": "celldose.model",
    "Protocol": "celldose.model",
    "Settings": "celldose.settings",
    "SettingsError": "celldose.settings",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'celldose' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "NA",
    "Administration",
    "Diagnostic",
    "NotApplicable",
    "Protocol",
    "ProtocolError",
    "Report",
    "Settings",
    "SettingsError",
    "Severity",
    "Span",
    "__version__",
    "check",
    "check_bytes",
    "check_paths",
    "check_text",
    "load",
    "load_all",
]
