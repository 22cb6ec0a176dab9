"""The protocol models: typed, frozen, and free of rule logic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import pint
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from celldose.cells import non_cell
from celldose.diagnostics import quote
from celldose.model.errors import ErrorType
from celldose.model.schedule import schedule_as_days
from celldose.model.sites import SITE_FIELDS, sites_from_dose, to_sites
from celldose.model.types import (
    NA,
    CellCount,
    Concentration,
    Days,
    Dose,
    Flag,
    Laterality,
    NotApplicable,
    Total,
    Volume,
    Weight,
    is_cells,
    to_days,
    to_dose,
    what_unit,
)
from celldose.units.ranges import QuantityRange
from celldose.vocabulary import RouteKind, classify, has_sides, split_per_side

Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


def _lowercase(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class _ProductAmount:
    """A dose on a row whose product holds no cells, as written: ``2 mL``, ``NAD+ 500 mg``.

    The product is validated after the dose, so a row's ``model_validator`` marks the dose
    before the fields are read, and the dose's validator accepts the product's own amount."""

    written: object


# The first amount in a non-cell product's dose: "2 ml hyaluronic acid (20 mg)" -> "2 ml",
# "NAD+ 500 mg" -> "500 mg". One pass, no nested repetition: linear in the text's length.
_FIRST_AMOUNT = re.compile(
    r"(?<![\w.,])\d[\d,]*(?:\.\d+)?\s?(?:mL|ml|L|uL|µL|mg|g|mcg|ug|µg|IU)(?!\w)", re.IGNORECASE
)


def _product_amount(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """A non-cell row's dose: the amount as written, or the first amount inside its text."""
    try:
        return handler(value)
    except ValidationError as error:
        unreadable = [e["type"] for e in error.errors()] == ["invalid-cell-count"]
        if not unreadable or not isinstance(value, str):
            raise
        found = _FIRST_AMOUNT.search(value)
        if found is None:
            raise
        return to_dose(found.group(0))


def mark_non_cell_doses(data: object, product: object = None) -> object:
    """A row mapping with its dose marked as a product amount when the row's product (or,
    for a row without one, ``product``: the protocol's) holds no cells."""
    if not isinstance(data, Mapping) or data.get("dose") is None:
        return data
    if isinstance(data["dose"], _ProductAmount):
        return data
    route, own = data.get("route"), data.get("product", product)
    if not isinstance(route, str) or not isinstance(own, str) or non_cell(route, own) is None:
        return data
    return {**data, "dose": _ProductAmount(data["dose"])}


class Administration(BaseModel):
    """One row of a protocol sheet: a route, a dose per injection, days, and a total."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    route: Text = Field(
        description="The route as written on the sheet, e.g. 'Intra-articular/per side'."
    )
    dose: Dose | None = Field(
        default=None,
        description=(
            "Cells per injection (per side on a per-side row), or per kg; N/A for none; on a "
            "non-cell row (an adjunct, or a product that holds no cells), an amount such as "
            "500 mg."
        ),
    )
    days: Days = Field(
        description=(
            "Number of dosing days (the dose is given once on each day), or a schedule in "
            "words that gives a count of administrations: 'twice a week for 4 weeks'."
        )
    )
    schedule: Days | None = Field(
        default=None,
        description=(
            "The schedule in words (twice a week for 4 weeks), in place of days; with days, "
            "the two must give the same number of administrations."
        ),
    )
    total: Total | None = Field(
        default=None,
        description="Cells over all days (per side on a per-side row), or N/A for a non-cell row.",
    )
    per_side: Annotated[bool, Flag] = Field(
        default=None,  # not written: the route's per-side suffix decides
        validate_default=True,
        description="Dose and total count one side; set by a '/per side' suffix on the route.",
    )
    laterality: Annotated[Laterality, BeforeValidator(_lowercase)] | None = Field(
        default=None,
        description="On a per-side row: left, right or bilateral (both sides treated).",
    )
    product: Text | None = Field(default=None, description="The cell product, e.g. UC-MSC.")
    volume: Volume | None = Field(default=None, description="Volume per injection, e.g. 2 mL.")
    concentration: Concentration | None = Field(
        default=None,
        description="Cells per volume, e.g. 25 million cells/mL; with volume, it implies the dose.",
    )
    sites: Annotated[int, BeforeValidator(to_sites)] | None = Field(
        default=None,
        description="Sites or injections per session, each given the dose: total = dose x "
        "sites x administrations x sides.",
    )
    vials: Annotated[int, BeforeValidator(to_sites)] | None = Field(
        default=None, description="Vials per session, for a dose per vial (as sites)."
    )
    discs: Annotated[int, BeforeValidator(to_sites)] | None = Field(
        default=None, description="Discs per session, for a dose per disc (as sites)."
    )
    notes: Text | None = Field(default=None, description="Free text; not checked.")

    @model_validator(mode="before")
    @classmethod
    def _mark_product_amount(cls, data: object) -> object:
        return mark_non_cell_doses(sites_from_dose(schedule_as_days(data, to_days)))

    @model_validator(mode="after")
    def _days_agree_with_schedule(self) -> Administration:
        schedule = self.schedule
        if schedule is None or schedule is self.days:
            return self
        count = schedule if isinstance(schedule, int) else schedule.count
        if count != self.times:
            raise PydanticCustomError(
                ErrorType.INVALID_DAYS,
                "gives days {days} and schedule {schedule} ({count} administrations): write one",
                {"days": str(self.days), "schedule": quote(str(schedule)), "count": count},
            )
        return self

    @model_validator(mode="after")
    def _one_site_count(self) -> Administration:
        given = [key for key in SITE_FIELDS if getattr(self, key) is not None]
        if len(given) > 1:
            raise PydanticCustomError(
                ErrorType.INVALID_SITES,
                "gives both {first} and {second}: a dose is given per site, per vial or per "
                "disc, so write one of them",
                {"first": given[0], "second": given[1]},
            )
        return self

    @field_validator("dose", mode="wrap")
    @classmethod
    def _cells_unless_adjunct(
        cls, value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> object:
        """A non-cell dose (``500 mg``) belongs on a non-cell row only: a non-cell adjunct, or
        a product that holds no cells (marked by :func:`mark_non_cell_doses`)."""
        route = info.data.get("route")
        if isinstance(value, _ProductAmount) or (
            isinstance(route, str) and classify(route).kind is RouteKind.ADJUNCT
        ):
            return _product_amount(getattr(value, "written", value), handler)
        dose = handler(value)
        if not isinstance(dose, pint.Quantity) or is_cells(dose):
            return dose
        raise PydanticCustomError(
            ErrorType.NOT_A_CELL_COUNT,
            "{text} is {what}, not a cell count (expected cells or cells/kg)",
            {"text": quote(value), "what": what_unit(dose)},
        )

    @field_validator("per_side", mode="after")
    @classmethod
    def _per_side_from_route(cls, value: bool | None, info: ValidationInfo) -> bool:
        route = info.data.get("route")
        suffix = isinstance(route, str) and split_per_side(route)[1]
        if value is False and suffix:
            raise PydanticCustomError(
                ErrorType.PER_SIDE_CONFLICT,
                "is false but the route '{route}' says per side",
                {"route": route},
            )
        return bool(value) or bool(suffix)

    @property
    def route_name(self) -> str:
        """The route without its per-side suffix: ``Intra-articular``."""
        return split_per_side(self.route)[0]

    @property
    def has_total(self) -> bool:
        """True when the row states a cell total (neither missing nor N/A), or a range."""
        return isinstance(self.total, pint.Quantity | QuantityRange)

    @property
    def sides(self) -> int | None:
        """Sides treated: 1 unless per side; on a per-side row, from its laterality, if given.
        None (one side or two: both readings are kept) where the route has no sides, so that a
        per-side suffix on ``IV`` never doubles a total silently (CD310 says so)."""
        if not self.per_side:
            return 1
        if not has_sides(self.route):
            return None
        return self.laterality.sides if self.laterality is not None else None

    @property
    def has_dose(self) -> bool:
        """True when the row states a dose (neither missing nor N/A), in cells or not."""
        return isinstance(self.dose, pint.Quantity | QuantityRange)

    @property
    def cell_dose(self) -> pint.Quantity[int] | None:
        """The dose when it counts cells (cells, or cells per mass); None otherwise."""
        dose = self.dose
        return dose if isinstance(dose, pint.Quantity) and is_cells(dose) else None

    @property
    def per_session(self) -> int:
        """Sites, vials or discs each given the dose in one session (1 when none is stated)."""
        return self.sites or self.vials or self.discs or 1

    @property
    def injections(self) -> int:
        """Doses given over the course: sites x administrations (one side of a per-side row)."""
        return self.per_session * self.times

    @property
    def times(self) -> int:
        """How many times the dose is given: the dosing days, or the schedule's count."""
        return self.days if isinstance(self.days, int) else self.days.count

    @property
    def course(self) -> str:
        """``2 days`` or ``8 administrations (twice a week for 4 weeks)``, for a message."""
        days = self.days
        if isinstance(days, int):
            course = f"{days} day{'s' if days != 1 else ''}"
        else:
            course = f"{days.administrations} ({days.text})"
        for key in SITE_FIELDS:
            count = getattr(self, key)
            if count is not None:
                return f"{count} {key if count != 1 else key.removesuffix('s')} x {course}"
        return course

    @property
    def expected_total(self) -> pint.Quantity[int] | None:
        """dose x days (or the schedule's administrations), exactly; None without a cell dose."""
        dose = self.cell_dose
        return dose * self.injections if dose is not None else None


class ProtocolFields(BaseModel):
    """A protocol's own fields, without its rows: what a sheet states above its table."""

    # No populate_by_name: `name:` in a file must be an unknown key, not a synonym of `protocol:`.
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text = Field(alias="protocol", description="The protocol's name.")
    condition: Text | None = Field(default=None, description="The condition it is for.")
    product: Text | None = Field(default=None, description="The cell product of every row.")
    total_cells: CellCount | None = Field(
        default=None,
        description="Cells over the whole protocol: the sum of dose x days x sides over the rows.",
    )
    patient_weight: Weight | None = Field(
        default=None,
        description="The patient's weight (70 kg, 154 lb): turns a per-kg dose into cells.",
    )


class Protocol(ProtocolFields):
    """A treatment protocol sheet: its name and its rows."""

    administrations: tuple[Administration, ...] = Field(
        min_length=1, description="The rows, in the order the sheet gives them."
    )

    @model_validator(mode="before")
    @classmethod
    def _mark_product_amounts(cls, data: object) -> object:
        """Rows without a product of their own take the protocol's: exosomes hold no cells."""
        if not isinstance(data, Mapping):
            return data
        rows, product = data.get("administrations"), data.get("product")
        if not isinstance(product, str) or not isinstance(rows, list | tuple):
            return data
        return {**data, "administrations": [mark_non_cell_doses(r, product) for r in rows]}


__all__ = ["NA", "Administration", "NotApplicable", "Protocol", "ProtocolFields"]
