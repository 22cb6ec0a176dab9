"""Annotated value types for protocol fields, in the style of pydantic-extra-types.

Each type accepts what a sheet writes (text) and what a program passes (int, exact float,
a pint Quantity), and fails with a :class:`pydantic_core.PydanticCustomError` whose ``type`` is
an :class:`~celldose.model.errors.ErrorType`, the name of the celldose rule that documents the
failure. That keeps one catalogue of codes
for validation failures and rule findings alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Any, Final

import pint
from pint.facets.plain import PlainUnit
from pint.util import UnitsContainer
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from celldose.diagnostics import describe, quote
from celldose.model.errors import ErrorType
from celldose.model.schedule import Schedule, ScheduleError, parse_schedule
from celldose.units.digits import digit_problem
from celldose.units.format import format_quantity
from celldose.units.memo import by_identity
from celldose.units.parse import MAX_TEXT, Amount, AmountSyntaxError, cell_unit, parse_amount
from celldose.units.ranges import QuantityRange, mean_and_spread, parse_range, several_doses
from celldose.units.registry import quantity, registry

MAX_DAYS_DIGITS = 6
MAX_COUNT = 10**30
"""Largest count accepted from any input: a bound for safety, far above any real dose."""


class Laterality(StrEnum):
    """Which sides a per-side row treats (read in any case: ``Bilateral``)."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"

    @property
    def sides(self) -> int:
        return 2 if self is Laterality.BILATERAL else 1


class NotApplicable(Enum):
    """A total written as ``N/A``: the row states that it delivers no cells."""

    NA = "N/A"

    def __str__(self) -> str:
        return "N/A"


NA: Final = NotApplicable.NA
_NA_SPELLINGS = frozenset({"n/a", "na", "n.a.", "not applicable", "none", "-", "\u2013", "\u2014"})

_CELLS = {"[cell_count]": 1}
_CELLS_PER_MASS = {"[cell_count]": 1, "[mass]": -1}
_NUCLEATED = {"[nucleated_cell_count]": 1}
_NUCLEATED_PER_MASS = {"[nucleated_cell_count]": 1, "[mass]": -1}
_DIMENSION_NAMES: dict[frozenset[tuple[str, object]], str] = {
    frozenset({("[volume]", 1)}): "a volume",
    frozenset({("[mass]", 1)}): "a mass",
    frozenset({("[cell_count]", 1), ("[volume]", -1)}): "a concentration",
    frozenset(): "a plain number",
    frozenset({("[cell_count]", 1), ("[length]", -2)}): (
        "a dose per area, which needs the area treated to become cells"
    ),
}


def to_cell_count(value: object) -> pint.Quantity[int]:
    """Validate a cell count: a positive whole number of cells, or of cells per kilogram."""
    # Sheets repeat a few spellings thousands of times: the verdict on a text is remembered.
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        checked = _count_of_text(value)
    else:
        checked = _count(value)
    if isinstance(checked, _Refusal):
        raise PydanticCustomError(checked.kind, checked.message, checked.context)
    return quantity(*checked)


@dataclass(frozen=True, slots=True)
class _Refusal:
    """Why a value is not a cell count: a PydanticCustomError's parts, kept to raise anew."""

    kind: str
    message: str
    context: dict[str, object]


@lru_cache(maxsize=4096)
def _count_of_text(text: str) -> tuple[int, UnitsContainer] | _Refusal:
    return _count(text)


def _count(value: object) -> tuple[int, UnitsContainer] | _Refusal:
    try:
        amount = _amount(value)
    except PydanticCustomError as error:
        return _Refusal(error.type, error.message_template, error.context or {})
    what = _not_a_count(amount.unit)
    if what is not None:
        return _Refusal(
            ErrorType.NOT_A_CELL_COUNT,
            "{text} is {what}, not a cell count (expected cells or cells/kg)",
            {"text": _quote(value), "what": what},
        )
    if amount.value <= 0:
        return _Refusal(
            ErrorType.NON_POSITIVE_COUNT,
            "{text} is not a positive cell count",
            {"text": _quote(value)},
        )
    if not amount.is_integer:
        return _Refusal(
            ErrorType.INVALID_CELL_COUNT,
            "{text} is not a whole number of cells",
            {"text": _quote(value)},
        )
    if amount.value > MAX_COUNT:
        return _Refusal(
            ErrorType.INVALID_CELL_COUNT,
            "{text} is more than 10^30 cells: not a count celldose can check",
            {"text": _quote(value)},
        )
    return int(amount.value), amount.unit._units


@lru_cache(maxsize=64)
def _not_a_count(unit: PlainUnit) -> str | None:
    """None for cells and cells per mass; otherwise what the unit measures, for the message."""
    dims: dict[str, object] = dict(unit.dimensionality)
    if dims in (_CELLS, _CELLS_PER_MASS, _NUCLEATED, _NUCLEATED_PER_MASS):
        return None
    return _DIMENSION_NAMES.get(frozenset(dims.items()), f"in {unit:~}")


_MASS = {"[mass]": 1}
_VOLUME = {"[volume]": 1}
_CELLS_PER_VOLUME = {"[cell_count]": 1, "[volume]": -1}
_MEASURES: dict[str, tuple[dict[str, int], str]] = {
    "weight": (_MASS, "a weight such as 70 kg or 154 lb"),
    "volume": (_VOLUME, "a volume such as 2 mL"),
    "concentration": (_CELLS_PER_VOLUME, "a concentration such as 25 million cells/mL"),
}


def _measure(kind: str) -> Callable[[object], pint.Quantity[Any]]:
    """A validator for an exact, positive amount of one dimension (a weight, a volume)."""
    dims, example = _MEASURES[kind]

    def validate(value: object) -> pint.Quantity[Any]:
        if isinstance(value, pint.Quantity):
            amount = _amount(value)
        elif isinstance(value, str):
            try:
                amount = parse_amount(value)
            except AmountSyntaxError as exc:
                raise PydanticCustomError(
                    ErrorType.INVALID_MEASURE,
                    "{text} is not {example}: {reason}",
                    {"text": _quote(value), "example": example, "reason": exc.reason},
                ) from None
        else:
            raise PydanticCustomError(
                ErrorType.INVALID_MEASURE,
                "expected {example} (with its unit), found {kind}",
                {"example": example, "kind": describe(value)},
            )
        if dict(amount.unit.dimensionality) != dims:
            raise PydanticCustomError(
                ErrorType.INVALID_MEASURE,
                "{text} is not {example}",
                {"text": _quote(value), "example": example},
            )
        if amount.value <= 0 or amount.value > MAX_COUNT:
            raise PydanticCustomError(
                ErrorType.INVALID_MEASURE,
                "{text} is not a positive amount within bounds",
                {"text": _quote(value)},
            )
        magnitude = int(amount.value) if amount.is_integer else amount.value
        return quantity(magnitude, amount.unit._units)

    return validate


to_weight = _measure("weight")
to_volume = _measure("volume")
to_concentration = _measure("concentration")


def to_dose(value: object) -> pint.Quantity[Any] | NotApplicable | QuantityRange:
    """A dose: a cell count, ``N/A``, or an exact amount in another unit (``500 mg`` of NAD+).

    A non-cell dose is valid here because a non-cell adjunct row is dosed in milligrams or
    millilitres; on a row that delivers cells it is the rule ``not-a-cell-count``'s finding.
    """
    try:
        return to_total(value)
    except PydanticCustomError as error:
        if error.type != ErrorType.NOT_A_CELL_COUNT:
            raise
    amount = _amount(value)
    if amount.value <= 0 or amount.value > MAX_COUNT:
        raise PydanticCustomError(
            ErrorType.NON_POSITIVE_COUNT, "{text} is not a positive amount", {"text": _quote(value)}
        )
    magnitude = int(amount.value) if amount.is_integer else amount.value
    return quantity(magnitude, amount.unit._units)


def is_cells(quantity: pint.Quantity[Any]) -> bool:
    """True for cells and cells per mass: the units a cell dose may have."""
    # ``_units`` is pint's hashable units container; ``.units`` would build a Unit (~1 us) on
    # every call, and rules ask this of every row.
    return _is_cells_container(quantity._units)


@by_identity
def _is_cells_container(units: UnitsContainer) -> bool:
    return _not_a_count(registry().Unit(units)) is None


def what_unit(quantity: pint.Quantity[Any]) -> str:
    """What a non-cell unit measures, for a message: ``a mass``, ``a volume``."""
    return _not_a_count(quantity.units) or "cells"


def to_total(value: object) -> pint.Quantity[int] | NotApplicable | QuantityRange:
    """A total: a cell count, a range of counts, or ``N/A`` for a row that delivers no cells."""
    if value is NA:
        return NA
    if isinstance(value, str) and (value == "N/A" or value.strip().lower() in _NA_SPELLINGS):
        return NA
    if isinstance(value, QuantityRange):
        return value
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        counted = _range(value)
        if counted is not None:
            return counted
    return to_cell_count(value)


def _range(text: str) -> QuantityRange | None:
    """``1-2 x 10^6 cells/kg``: both ends validated as counts; None when it is no range."""
    try:
        ends = parse_range(text)
    except AmountSyntaxError as exc:
        raise PydanticCustomError(
            ErrorType.INVALID_CELL_COUNT,
            "{text} is not a range of cell counts: {reason}",
            {"text": _quote(text), "reason": exc.reason},
        ) from None
    if ends is None:
        return None
    low, high = (
        to_cell_count(quantity(end.value, end.unit._units)) for end in (ends.low, ends.high)
    )
    return QuantityRange(low, high, text)


def to_days(value: object) -> int | Schedule:
    """A positive whole number of dosing days, written as digits (``1.0`` is accepted), or a
    schedule in words (``Single``, ``twice a week for 4 weeks``: :mod:`celldose.model.schedule`).
    """
    if type(value) is str and value in _PLAIN_DAYS:  # "1", "14": most days, on a fast path
        return _PLAIN_DAYS[value]
    if isinstance(value, Schedule):
        return value
    if isinstance(value, str) and not _DAYS.fullmatch(value.strip()):
        try:
            schedule = parse_schedule(value.strip())
        except ScheduleError as exc:
            raise PydanticCustomError(
                ErrorType.UNCOUNTABLE_SCHEDULE,
                "{text}: {reason}",
                {"text": _quote(value), "reason": exc.reason},
            ) from None
        if schedule is not None:
            return schedule
    if isinstance(value, bool):
        raise _days_error(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and (match := _DAYS.fullmatch(value.strip())):
        digits = match.group(1)
        problem = digit_problem(digits)
        if problem is not None:
            raise PydanticCustomError(
                ErrorType.INVALID_DAYS,
                "{text}: {reason}",
                {"text": _quote(value), "reason": problem},
            )
        if len(digits) > 1 and digits.startswith("0"):
            raise PydanticCustomError(
                ErrorType.INVALID_DAYS,
                "{text} has a leading zero (YAML 1.1 reads it as octal); write {plain}",
                {"text": _quote(value), "plain": digits.lstrip("0") or "0"},
            )
        number = int(digits)
    else:
        raise _days_error(value)
    if not 1 <= number < 10**MAX_DAYS_DIGITS:
        raise _days_error(value)
    return number


_DAYS = re.compile(rf"(\d{{1,{MAX_DAYS_DIGITS}}})(?:\.0+)?")
_PLAIN_DAYS = {str(n): n for n in range(1, 1000)}


def _days_error(value: object) -> PydanticCustomError:
    if isinstance(value, str) and _WORDY.search(value) and value.strip().lower() not in _BOOLS:
        return PydanticCustomError(
            ErrorType.INVALID_DAYS,
            "{text} is neither a positive whole number of days nor a schedule celldose reads "
            "(Single, Twice, two infusions, days 1 and 3, every other day x 3, twice a week "
            "for 4 weeks, once a month, total 3 times)",
            {"text": _quote(value)},
        )
    return PydanticCustomError(
        ErrorType.INVALID_DAYS,
        "{text} is not a positive whole number of days",
        {"text": _quote(value)},
    )


_WORDY = re.compile(r"[A-Za-z]{3}")
"""Text with a word in it was meant as a schedule; ``no`` and ``1:30`` were not."""
_BOOLS = frozenset({"yes", "true", "false", "off"})


def to_flag(value: object) -> bool | None:
    """``true`` or ``false`` (any case); None when not written."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PydanticCustomError(
        ErrorType.WRONG_TYPE, "{text} is not true or false", {"text": _quote(value)}
    )


def _amount(value: object) -> Amount:
    if isinstance(value, bool):
        raise PydanticCustomError(
            ErrorType.INVALID_CELL_COUNT, "{text} is not a cell count", {"text": _quote(value)}
        )
    if isinstance(value, int):
        return Amount(Fraction(value), cell_unit())
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > 2**53:
            raise PydanticCustomError(
                ErrorType.INVALID_CELL_COUNT,
                "{text} is not a float that holds an exact count; pass an int or a string",
                {"text": _quote(value)},
            )
        return Amount(Fraction(value), cell_unit())
    if isinstance(value, pint.Quantity):
        if value._REGISTRY is not registry():  # its units mean nothing to celldose's registry
            raise PydanticCustomError(
                ErrorType.WRONG_TYPE,
                "{text} {unit} is a quantity of another pint unit registry: pass text such "
                "as '50 million cells' or '70 kg', or a quantity of "
                "celldose.units.registry.registry()",
                {"text": _quote(value), "unit": f"{value.units:~}"},
            )
        magnitude = value.magnitude
        if isinstance(magnitude, bool) or not isinstance(magnitude, int | float | Fraction):
            raise PydanticCustomError(
                ErrorType.INVALID_CELL_COUNT, "{text} is not a cell count", {"text": _quote(value)}
            )
        return Amount(Fraction(magnitude), value.units)
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        _refuse_several(value)
    if isinstance(value, str):
        try:
            return parse_amount(value)
        except AmountSyntaxError as exc:
            raise PydanticCustomError(
                ErrorType.INVALID_CELL_COUNT,
                "{text} is not a cell count: {reason}",
                {"text": _quote(value), "reason": exc.reason},
            ) from None
    raise PydanticCustomError(
        ErrorType.WRONG_TYPE,
        "expected a cell count such as 50,000,000, found {kind}",
        {"kind": describe(value)},
    )


def _refuse_several(text: str) -> None:
    """Several doses, or a mean and its spread, where one dose belongs."""
    several = several_doses(text)
    if several is not None:
        raise PydanticCustomError(ErrorType.SEVERAL_DOSES, "{reason}", {"reason": several})
    spread = mean_and_spread(text)
    if spread is not None:
        raise PydanticCustomError(ErrorType.MEAN_AND_SPREAD, "{reason}", {"reason": spread})


def _quote(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > 128:  # str() of huge ints is slow or fails
        return "a number of more than 38 digits"
    if isinstance(value, pint.Quantity):
        return _quote(value.magnitude) if isinstance(value.magnitude, int) else quote(value)
    return quote(value)


class _Validated:
    """Core and JSON schema hooks shared by the annotated types below."""

    function: Any
    json_schema: JsonSchemaValue

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: object, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.function,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _serialize, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(cls.json_schema)


def _serialize(value: object) -> object:
    if isinstance(value, QuantityRange):
        return value.text
    if isinstance(value, Schedule):
        return value.text
    if isinstance(value, pint.Quantity):
        return format_quantity(value, grouping=False)
    if isinstance(value, NotApplicable):
        return str(value)
    return value


_COUNT_TEXT = "A cell count: 50,000,000 / 5e7 / 50 million cells / 5 x 10^7 / 1 million cells/kg"
_RANGE_TEXT = "; or a range: 1-2 x 10^6 cells/kg / 7 x 10^5 to 1.2 x 10^6"


class _CellCount(_Validated):
    function = staticmethod(to_cell_count)
    json_schema: JsonSchemaValue = {  # noqa: RUF012 - read-only class data
        "anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "string", "minLength": 1}],
        "description": _COUNT_TEXT,
    }


class _Dose(_Validated):
    function = staticmethod(to_dose)
    json_schema: JsonSchemaValue = {  # noqa: RUF012 - read-only class data
        "anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "string", "minLength": 1}],
        "description": _COUNT_TEXT
        + _RANGE_TEXT
        + "; N/A; or, on a non-cell adjunct row, an amount such as 500 mg",
    }


class _Total(_Validated):
    function = staticmethod(to_total)
    json_schema: JsonSchemaValue = {  # noqa: RUF012 - read-only class data
        "anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "string", "minLength": 1}],
        "description": _COUNT_TEXT + _RANGE_TEXT + "; or N/A for a row that delivers no cells",
    }


class _Days(_Validated):
    function = staticmethod(to_days)
    json_schema: JsonSchemaValue = {  # noqa: RUF012 - read-only class data
        "anyOf": [
            {"type": "integer", "minimum": 1},
            # a whole number as text, or words (a schedule): one string schema, so that an
            # editor's hover shows the field once (see celldose.schema)
            {"type": "string", "pattern": r"^\s*[1-9][0-9]{0,5}(\.0+)?\s*$|[A-Za-z]"},
        ],
        "description": "Dosing days: a positive whole number; or a schedule in words that "
        "gives a count: Single / Twice / two infusions / days 1 and 3 / every other day x 3 / "
        "twice a week for 4 weeks / once a month, total 3 times",
    }


class _Flag(_Validated):
    function = staticmethod(to_flag)
    json_schema: JsonSchemaValue = {  # noqa: RUF012 - read-only class data
        "anyOf": [
            {"type": "boolean"},
            # Any case, as to_flag reads it; spelt out because editors run ECMAScript regexes,
            # which have no inline (?i) flag.
            {"type": "string", "pattern": r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\s*$"},
            {"type": "null"},
        ],
    }


def _measure_type(validator: Callable[[object], pint.Quantity[Any]], text: str) -> type[_Validated]:
    class _Measure(_Validated):
        function = staticmethod(validator)
        json_schema: JsonSchemaValue = {"type": "string", "minLength": 1, "description": text}  # noqa: RUF012

    return _Measure


Weight = Annotated[pint.Quantity[Any], _measure_type(to_weight, "A weight: 70 kg / 154 lb")]
"""The patient's weight, exact, in any mass unit (``154 lb`` is 69.85322498 kg exactly)."""
Volume = Annotated[pint.Quantity[Any], _measure_type(to_volume, "A volume: 2 mL")]
"""A volume injected, exact."""
Concentration = Annotated[
    pint.Quantity[Any],
    _measure_type(to_concentration, "Cells per volume: 25 million cells/mL"),
]
"""Cells per volume, exact."""
CellCount = Annotated[pint.Quantity[int], _CellCount]
"""A positive whole number of cells (unit ``cell``) or of cells per mass (``cell/kilogram``)."""
Dose = Annotated[pint.Quantity[Any] | NotApplicable | QuantityRange, _Dose]
"""A row's dose: a :data:`CellCount`, :data:`NA`, or an exact non-cell amount (``500 mg``)."""
Total = Annotated[pint.Quantity[int] | NotApplicable | QuantityRange, _Total]
"""A row's total: a :data:`CellCount`, or :data:`NA`."""
Days = Annotated[int | Schedule, _Days]
"""A positive whole number of dosing days, or a :class:`Schedule` read from words."""
Flag = _Flag
"""Validator for ``true`` / ``false`` (None when not written): ``Annotated[bool, Flag]``."""
