"""What the page does with a sheet, apart from HTTP: check it, correct it, convert it.

Nothing is kept between requests: a sheet is checked with :func:`celldose.api.check_bytes`
under the file's own name (its ending says the format, as the one format table decides;
pasted text is ``pasted.txt``), and the checked file travels back with the result page, so a
download needs no state on the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import PurePosixPath

from celldose.api import check_bytes
from celldose.convert import FORMATS as CONVERT_TARGETS
from celldose.convert import ConvertError, convert_bytes, format_for
from celldose.diagnostics import Report, Severity
from celldose.fixes import fix_bytes
from celldose.formats import BY_NAME, FHIR_SUFFIX, for_path
from celldose.serve.page import Offer, plain_page, report_page
from celldose.settings import Settings
from celldose.sources.text import MAX_BYTES

PASTED = "pasted.txt"
SETTINGS = Settings(configuration=False)
"""No configuration file is looked for: an upload has no folder. Inline suppressions apply."""
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True, slots=True)
class Answer:
    """A page to show, or a file to download."""

    status: HTTPStatus
    page: str = ""
    attachment: bytes | None = None
    filename: str = ""


def nothing() -> Answer:
    """The form was sent with no file and no pasted text."""
    message = "Choose a file, drop one here, or paste a table, then press Check the sheet."
    return Answer(HTTPStatus.BAD_REQUEST, plain_page("Nothing to check", message))


def check(name: str, raw: bytes) -> Answer:
    """The report page of a sheet (``name`` says its format), with what to take away."""
    if len(raw) > MAX_BYTES:
        return Answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, plain_page("Too large", too_large()))
    report = check_bytes(raw, name, settings=SETTINGS, keep=True)
    again = raw.decode("utf-8", "replace") if name == PASTED else ""
    return Answer(
        HTTPStatus.OK, report_page(report, name, raw, offer(report, name, raw), pasted=again)
    )


def download(name: str, raw: bytes, wanted: str) -> Answer:
    """The sheet with its safe fixes (``fixed``), or converted to a ``convert`` target."""
    if len(raw) > MAX_BYTES:
        return Answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, plain_page("Too large", too_large()))
    if wanted == "fixed":
        report = check_bytes(raw, name, settings=SETTINGS)
        fixed = fix_bytes(raw, report.diagnostics, name, unsafe=False)
        if fixed is None or not fixed.edits:
            message = "This sheet has nothing celldose can correct by itself."
            return Answer(HTTPStatus.OK, plain_page("Nothing to correct", message))
        return Answer(HTTPStatus.OK, attachment=fixed.content, filename=name)
    if wanted not in CONVERT_TARGETS:
        return Answer(HTTPStatus.BAD_REQUEST, plain_page("Not understood", "Unknown download."))
    try:
        content = convert_bytes(raw, name, wanted)
    except ConvertError as exc:
        reasons = "; ".join(exc.reasons)
        message = f"This sheet cannot be converted: {exc}" + (f" ({reasons})." if reasons else ".")
        return Answer(HTTPStatus.UNPROCESSABLE_ENTITY, plain_page("Not converted", message))
    return Answer(HTTPStatus.OK, attachment=content, filename=converted_name(name, wanted))


def offer(report: Report, name: str, raw: bytes) -> Offer:
    """Whether the corrected sheet can be downloaded, and the words that say what to do."""
    if for_path(name).binary:
        return Offer(
            False,
            f"celldose cannot write corrections into {_a(for_path(name).label)} file. Correct the "
            "highlighted cells in your spreadsheet program, save, and drop the file here again.",
        )
    fixed = fix_bytes(raw, report.diagnostics, name, unsafe=False)
    if fixed is not None and fixed.edits:
        return Offer(
            True,
            "celldose can correct part of this sheet itself (for example a missing total): "
            "download the corrected sheet, then check the rest of the findings below.",
        )
    if any(d.severity is not Severity.INFO for d in report.diagnostics):
        return Offer(
            False,
            "The findings below need a person to decide. Correct the highlighted cells in your "
            "sheet, save it, and drop it here again.",
        )
    return Offer(False, "Nothing here needs correcting.")


def _a(label: str) -> str:
    return ("an " if label[0] in "AEFHILMNORSX" else "a ") + label


def clean_name(name: str) -> str:
    """A file name a browser sent, without folders or characters a header cannot carry."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")[:200]
    return cleaned or "sheet"


def converted_name(name: str, target: str) -> str:
    """``knee.xlsx`` converted to YAML is ``knee.yaml``; to FHIR, ``knee.fhir.json``."""
    stem = name.rsplit(".", 1)[0] if format_for(name) is not None else name
    suffix = FHIR_SUFFIX if target == "fhir" else BY_NAME[target].suffixes[0]
    return stem + suffix


def too_large() -> str:
    megabytes = MAX_BYTES // (1024 * 1024)
    return (
        f"This file is larger than {megabytes} MB, the most celldose reads. "
        "Check a smaller sheet, or split this one."
    )
