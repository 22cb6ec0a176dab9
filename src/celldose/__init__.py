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
"""

from celldose.api import ProtocolError, check, check_paths, check_text, load
from celldose.diagnostics import Diagnostic, Report, Severity, Span
from celldose.model import NA, Administration, NotApplicable, Protocol

__version__ = "0.1.0"

__all__ = [
    "NA",
    "Administration",
    "Diagnostic",
    "NotApplicable",
    "Protocol",
    "ProtocolError",
    "Report",
    "Severity",
    "Span",
    "__version__",
    "check",
    "check_paths",
    "check_text",
    "load",
]
