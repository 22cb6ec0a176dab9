"""Plain data to models: pydantic errors become findings, and valid rows are kept.

A linter must not stop at the first bad row: when the protocol as a whole fails validation,
each row is validated on its own and the rows that pass still go to the rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from celldose.diagnostics import Pointer, describe, quote
from celldose.model import Administration, Protocol, ProtocolFields
from celldose.model.errors import ErrorType
from celldose.model.protocol import mark_non_cell_doses
from celldose.rules import Finding, Rule, reading, structure

_RAISED: Mapping[str, Rule] = {t.value: structure.BY_NAME[t.value] for t in ErrorType}
"""The rule of each error the value types raise (:class:`celldose.model.errors.ErrorType`)."""
_KINDS = {
    "string_type": "text",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
}


@dataclass(frozen=True, slots=True)
class Validated:
    protocol: Protocol | None
    """The whole protocol, when it validated."""
    rows: tuple[tuple[int, Administration], ...]
    """Every row that validated, with its index, whether or not the protocol did."""
    findings: tuple[Finding, ...]


def validate(data: object) -> Validated:
    """Validate plain data as a protocol; never raises for bad data."""
    if not isinstance(data, Mapping):
        what = "empty" if data is None else f"{describe(data)}, not a mapping of protocol fields"
        return Validated(
            None, (), (Finding(reading.NOT_A_PROTOCOL, f"the document is {what}", ()),)
        )
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as exc:
        findings = tuple(_findings(exc.errors(include_url=False)))
        rows = _valid_rows(data.get("administrations"), data.get("product"))
        return Validated(None, tuple(rows), findings)
    return Validated(protocol, tuple(enumerate(protocol.administrations)), ())


def validate_fields(data: Mapping[str, object]) -> tuple[ProtocolFields | None, list[Finding]]:
    """A protocol's own fields (a sheet's preamble), without rows."""
    try:
        return ProtocolFields.model_validate(data), []
    except ValidationError as exc:
        return None, list(_findings(exc.errors(include_url=False)))


def validate_row(
    index: int, row: Mapping[str, object], product: object = None
) -> tuple[Administration | None, list[Finding]]:
    """One row of a sheet on its own, reported under ``("administrations", index)``;
    ``product`` is the sheet's, for a row that names none (exosomes hold no cells)."""
    row = mark_non_cell_doses(row, product)  # type: ignore[assignment]
    try:
        return Administration.model_validate(row), []
    except ValidationError as exc:
        findings = list(_findings(exc.errors(include_url=False), ("administrations", index)))
        return _salvage(row, exc), findings


def _valid_rows(rows: object, product: object = None) -> Iterator[tuple[int, Administration]]:
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        return
    known = {f.alias or name for name, f in Administration.model_fields.items()}
    for index, row in enumerate(rows):
        if isinstance(row, Mapping):  # unknown keys are reported already; check the rest
            row = mark_non_cell_doses({k: v for k, v in row.items() if k in known}, product)
        try:
            yield index, Administration.model_validate(row)
        except ValidationError as exc:
            salvaged = _salvage(row, exc)
            if salvaged is not None:
                yield index, salvaged


def _salvage(row: object, exc: ValidationError) -> Administration | None:
    """A bad note or product is reported already and takes no part in the arithmetic: check
    the row without it rather than not at all."""
    failed = {e["loc"][0] for e in exc.errors() if e["loc"]}
    if not isinstance(row, Mapping) or not failed <= _NOT_ARITHMETIC:
        return None
    try:
        return Administration.model_validate({k: v for k, v in row.items() if k not in failed})
    except ValidationError:
        return None


_NOT_ARITHMETIC = frozenset({"notes", "product"})


def _findings(errors: list[ErrorDetails], prefix: Pointer = ()) -> Iterator[Finding]:
    for error in errors:
        pointer: Pointer = (*prefix, *error["loc"])
        kind = error["type"]
        field = str(pointer[-1]) if pointer and isinstance(pointer[-1], str) else "row"
        value = error.get("input")
        if kind == "too_short" and value:
            continue  # pydantic adds this when rows fail; they are reported one by one
        if kind == "missing":
            yield Finding(
                structure.MISSING_FIELD,
                f"missing required field {field!r}",
                pointer,
                f"add {field}:",
            )
        elif kind == "extra_forbidden":
            yield _unknown_key(pointer, field, value)
        elif kind in ("too_short", "string_too_short") or (
            value is None and kind != ErrorType.WRONG_TYPE
        ):
            yield Finding(
                structure.MISSING_FIELD, f"{field} is empty", pointer, f"write a value for {field}"
            )
        elif kind in _KINDS:
            yield Finding(
                structure.WRONG_TYPE,
                f"{field} must be {_KINDS[kind]}, found {describe(value)}",
                pointer,
                "see the protocol format in the README",
            )
        elif kind == "enum":
            expected = error.get("ctx", {}).get("expected", "")
            yield Finding(
                structure.WRONG_TYPE, f"{field} {quote(value)} must be {expected}", pointer, None
            )
        elif kind == "string_too_long":
            yield Finding(structure.WRONG_TYPE, f"{field} is too long ({error['msg']})", pointer)
        elif kind in _RAISED:
            yield Finding(_RAISED[kind], f"{field} {error['msg']}", pointer)
        else:
            yield Finding(structure.WRONG_TYPE, f"{field}: {error['msg']}", pointer)


def _unknown_key(pointer: Pointer, key: str, value: object = None) -> Finding:
    model = Protocol if len(pointer) == 1 else Administration
    fields = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    fix = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(fields)}"
    if key.isdigit() and len(key) == 3 and value is None:
        # {dose: 50,000,000} splits at its commas in a YAML flow mapping: 000 is a key, no value
        fix = 'inside {...} a comma ends a value: quote the number, as in dose: "<cells>"'
    elif key.isdigit():  # a block key such as "1:", a number where a field name belongs
        fix = f"a number is not a field name; known fields: {', '.join(fields)}"
    where = "protocol" if model is Protocol else "administration"
    return Finding(
        structure.UNKNOWN_KEY, f"unknown {where} key {quote(key)}", pointer, fix, on_key=True
    )
