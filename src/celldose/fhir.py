"""A protocol as a FHIR R4 resource: one PlanDefinition holding an ActivityDefinition per row.

Shape
-----
The export is one ``PlanDefinition`` (status ``draft``, type ``clinical-protocol``, title = the
protocol's name, the condition as a ``focus`` use context), identified by a ``url`` (a
``urn:uuid:`` derived from the protocol's name, so the same protocol keeps its url), a
computable ``name`` made of the title's letters and digits, and a ``version`` that is a digest of
the exported content (a changed sheet is a new version). Its ``contained`` list holds one
``ActivityDefinition`` per row of the sheet, in the sheet's order, with ids ``row-1``,
``row-2``, ...; ``action[i].definitionCanonical`` refers to them as ``#row-1``, ``#row-2``.
A contained resource, not a Bundle: the rows have no identity outside their protocol, so one
self-contained resource validates as a unit, needs no server-assigned ids or ``fullUrl``, and
keeps the sheet's order in ``action``.

Each ActivityDefinition has kind ``MedicationRequest``, status ``draft``, the product as
``productCodeableConcept.text`` (the row's product, else the protocol's for a row that
delivers cells; an adjunct row takes only its own product: the protocol's cell product is not
what a Myers' cocktail is), the row's notes as its ``description``, and one ``Dosage``:

``route``
    The SNOMED CT and EDQM codes of the canonical route (:func:`celldose.vocabulary.route_codes`)
    and, as text, the route as the sheet writes it. An adjunct or an unrecognised route is text
    only: no route is guessed.
``site``
    The joint a route name implies (``SI joint``, ``Intra-articular (knee)``) and the row's
    laterality, as text; the joint coded with its SNOMED CT body-structure code where
    ``data/routes.yaml`` has a verified one (knee, hip, sacroiliac joint); the laterality is
    coded with the SNOMED qualifiers 7771000 Left, 24028007 Right and 51440002 Right and left,
    in HL7's published R4 laterality-qualifier
    extension for a CodeableConcept (mCODE ``mcode-laterality-qualifier``): R4's Dosage has no
    laterality element, and a laterality coding in ``site.coding`` would claim the site *is*
    "left". A bilateral per-side row is one Dosage (the dose given to each side), not two.
``doseAndRate[0].doseQuantity``
    The dose per injection as a UCUM quantity (system ``http://unitsofmeasure.org``):
    ``10*6{cells}`` with the value in millions when that takes at most two decimals (50, 1.5,
    2.25), else ``{cells}`` with the exact count; per kg ``10*6{cells}/kg`` or ``{cells}/kg``
    (also ``/g`` and ``/[lb_av]``). Values are JSON integers, or floats only where the float
    prints as the exact decimal: no digit is ever lost. Omitted when the dose is missing or N/A,
    and on a row that delivers no cells (an adjunct, or a product such as exosomes) when the
    dose counts cells: such a row carries no cell dose; its own amount (``500 mg``) is exported,
    uncoded. A range of doses is ``doseRange`` (low and high, each such a quantity).
``timing``
    ``repeat.count`` = the number of dosing days, and nothing else: a sheet's ``days`` says how
    many, not how often, so no daily frequency, period or span is invented. A schedule in
    words gets only the timing its words state (:mod:`celldose.fhir_timing`): twice a week for
    4 weeks is frequency 2 per 1 wk, boundsDuration 4 wk, count 8.
``quantity`` (of the ActivityDefinition)
    What the row delivers over its days, counting both sides of a bilateral per-side row:
    the sheet's total times the sides its laterality says. Omitted where that is not known (a
    per-side row without a laterality, a route without sides, a cell total for a per-kg dose
    with no weight) and on a row that delivers no cells. Not ``maxDosePerLifetime``: a row's
    total is not a lifetime limit.
``text`` and ``additionalInstruction``
    The dosage in words ("50 million cells per side, once a day for 1 day; ..."); per side,
    which sides, the volume and concentration, the patient weight a per-kg dose is for, and for
    a non-cell row that its amount is not counted in the protocol's total.

The protocol's ``total_cells`` and ``patient_weight``, when written, are stated in the
PlanDefinition's description (a sum of the rows' totals is not a FHIR goal, and a
PlanDefinition has no patient). Every text is a transcription of what the sheet
states, never a recommendation. The output is deterministic: no timestamps, no random ids.

Adding a field to the model (a patient weight, a row's volume or concentration) means one more
entry in the function that builds that element, and, for a new unit, one entry in ``_UNITS``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

import pint

from celldose.cells import non_cell
from celldose.fhir_timing import schedule_text, schedule_timing
from celldose.model import Administration, Laterality, Protocol
from celldose.model.types import is_cells
from celldose.units.format import format_quantity, unit_name
from celldose.units.ranges import QuantityRange
from celldose.vocabulary import (
    SNOMED,
    RouteKind,
    RouteMatch,
    classify,
    has_sides,
    route_codes,
    site_code,
)

UCUM: Final = "http://unitsofmeasure.org"
LATERALITY_EXTENSION: Final = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
)
PLAN_DEFINITION_TYPE: Final = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
USAGE_CONTEXT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/usage-context-type"

JSONObject = dict[str, object]

_LATERALITY: Final[dict[Laterality, tuple[str, str, str]]] = {
    # laterality: SNOMED CT qualifier code, its display, and how the text names the side(s)
    Laterality.LEFT: ("7771000", "Left", "left side"),
    Laterality.RIGHT: ("24028007", "Right", "right side"),
    Laterality.BILATERAL: ("51440002", "Right and left", "both sides"),
}


@dataclass(frozen=True, slots=True)
class _Unit:
    code: str
    """The UCUM code of the unit: ``{cells}/kg``."""
    label: str
    """How people write it: ``cells/kg``."""
    in_millions: bool = False
    """Counts of cells: written in millions (``10*6`` before the code) when round enough."""


_UNITS: Final[dict[str, _Unit]] = {
    # pint's unit name (celldose.units.format.unit_name) -> UCUM
    "cell": _Unit("{cells}", "cells", in_millions=True),
    "cell / kilogram": _Unit("{cells}/kg", "cells/kg", in_millions=True),
    "cell / gram": _Unit("{cells}/g", "cells/g", in_millions=True),
    "cell / pound": _Unit("{cells}/[lb_av]", "cells/lb", in_millions=True),
}
_MILLION: Final = 10**6
_MILLIONS_DECIMALS: Final = 2
"""A count is written in millions when that takes at most this many decimals (1.25 million)."""


@dataclass(frozen=True, slots=True)
class _Amount:
    """A FHIR Quantity's parts, and the same in words."""

    value: int | float
    unit: str
    code: str | None

    def json(self) -> JSONObject:
        quantity: JSONObject = {"value": self.value, "unit": self.unit}
        if self.code is not None:
            quantity.update(system=UCUM, code=self.code)
        return quantity

    @property
    def text(self) -> str:
        number = f"{self.value:,}" if isinstance(self.value, int) else str(self.value)
        return f"{number} {self.unit}"


def to_fhir(protocol: Protocol) -> dict[str, object]:
    """The protocol as a FHIR R4 JSON object (plain dicts/lists/str/int/bool), ready for json.dumps.

    A number that is not whole (1.5 million cells) is a float only where it prints as the exact
    decimal; otherwise the count is written whole, in ``{cells}``.

    A PlanDefinition whose contained ActivityDefinitions are the rows: see the module's
    docstring for every element and why.
    """
    rows = [_Row(index, row, protocol) for index, row in enumerate(protocol.administrations, 1)]
    plan: JSONObject = {
        "resourceType": "PlanDefinition",
        "contained": [row.activity() for row in rows],
        "url": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'celldose:protocol:' + protocol.name)}",
        "name": _computable_name(protocol.name),
        "status": "draft",
        "type": {
            "coding": [
                {
                    "system": PLAN_DEFINITION_TYPE,
                    "code": "clinical-protocol",
                    "display": "Clinical Protocol",
                }
            ]
        },
        "title": protocol.name,
        "description": _plan_description(protocol),
    }
    if protocol.condition is not None:
        plan["useContext"] = [
            {
                "code": {
                    "system": USAGE_CONTEXT_TYPE,
                    "code": "focus",
                    "display": "Clinical Focus",
                },
                "valueCodeableConcept": {"text": protocol.condition},
            }
        ]
    plan["action"] = [row.action() for row in rows]
    digest = hashlib.sha256(json.dumps(plan, sort_keys=True).encode("utf-8")).hexdigest()
    return {**plan, "version": digest[:12]}  # FHIR's element order is not JSON's: any order


def _computable_name(title: str) -> str:
    """``Sacroiliitis (knee) 2`` -> ``Sacroiliitisknee2``: FHIR's ``[A-Z]([A-Za-z0-9_]){0,254}``."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    name = "".join(w[:1].upper() + w[1:] for w in words)[:200]
    return name if name[:1].isalpha() else f"Protocol{name}"


def to_fhir_json(protocol: Protocol) -> str:
    """:func:`to_fhir` as JSON text (indented, UTF-8 characters kept, a final newline)."""
    return json.dumps(to_fhir(protocol), indent=2, ensure_ascii=False) + "\n"


def _plan_description(protocol: Protocol) -> str:
    about = f" for {protocol.condition}" if protocol.condition is not None else ""
    parts = [
        f'Transcribed by celldose from the protocol sheet "{protocol.name}"{about}: one activity '
        "per row, in the sheet's order, with each dose, number of days and total as the sheet "
        "writes them.",
    ]
    if protocol.total_cells is not None:
        parts.append(f"The sheet states {_amount(protocol.total_cells).text} in all.")
    if protocol.patient_weight is not None:
        parts.append(
            f"Its per-kg doses are for a patient weight of "
            f"{format_quantity(protocol.patient_weight)}."
        )
    parts.append(
        "A transcription of a protocol sheet, not a treatment recommendation; "
        "`celldose check` reports whether its numbers agree."
    )
    return " ".join(parts)


class _Row:
    """One administration and what its FHIR elements need to know about it."""

    def __init__(self, index: int, row: Administration, protocol: Protocol) -> None:
        self.index = index
        self.row = row
        self.match: RouteMatch = classify(row.route)
        self.adjunct = self.match.kind is RouteKind.ADJUNCT
        self.product = row.product or (None if self.adjunct else protocol.product)
        self.non_cell = non_cell(row.route, row.product or protocol.product) is not None
        self.weight = protocol.patient_weight

    @property
    def id(self) -> str:
        return f"row-{self.index}"

    @property
    def title(self) -> str:
        return f"Row {self.index}: {self.row.route}"

    def action(self) -> JSONObject:
        return {
            "title": self.title,
            "description": self.dosage_text(),
            "definitionCanonical": f"#{self.id}",
        }

    def activity(self) -> JSONObject:
        activity: JSONObject = {
            "resourceType": "ActivityDefinition",
            "id": self.id,
            "status": "draft",
            "title": self.title,
        }
        if self.row.notes is not None:
            activity["description"] = self.row.notes
        activity["kind"] = "MedicationRequest"
        if self.product is not None:
            activity["productCodeableConcept"] = {"text": self.product}
        delivered = self.delivered()
        if delivered is not None:
            activity["quantity"] = _amount(delivered).json()
        activity["dosage"] = [self.dosage()]
        return activity

    def delivered(self) -> pint.Quantity[int] | None:
        """The row's total over all its sides, where the sheet says how many sides."""
        row, total = self.row, self.row.total
        if self.non_cell or not isinstance(total, pint.Quantity) or row.sides is None:
            return None
        dose_per_kg = row.cell_dose is not None and unit_name(row.cell_dose) != "cell"
        if dose_per_kg and unit_name(total) == "cell" and self.weight is None:
            return None  # a cell total the sheet cannot have computed: no weight
        delivered: pint.Quantity[int] = total * row.sides
        return delivered

    def dosage(self) -> JSONObject:
        dosage: JSONObject = {"sequence": 1, "text": self.dosage_text()}
        instructions = self.instructions()
        if instructions:
            dosage["additionalInstruction"] = [{"text": text} for text in instructions]
        days = self.row.days
        dosage["timing"] = (
            {"repeat": {"count": days}} if isinstance(days, int) else schedule_timing(days)
        )
        site = self.site()
        if site is not None:
            dosage["site"] = site
        dosage["route"] = self.route()
        dose = self.row.dose
        if isinstance(dose, pint.Quantity) and not (self.non_cell and is_cells(dose)):
            dosage["doseAndRate"] = [{"doseQuantity": _amount(dose).json()}]
        elif isinstance(dose, QuantityRange) and not self.non_cell:
            low, high = (_amount(end).json() for end in (dose.low, dose.high))
            dosage["doseAndRate"] = [{"doseRange": {"low": low, "high": high}}]
        return dosage

    def route(self) -> JSONObject:
        canonical = self.match.canonical
        codes = route_codes(canonical) if canonical and self.match.kind is RouteKind.CELLS else ()
        route: JSONObject = {}
        if codes:
            route["coding"] = [
                {"system": code.system, "code": code.code, "display": code.display}
                for code in codes
            ]
        route["text"] = self.row.route
        return route

    def site(self) -> JSONObject | None:
        joint, laterality = self.match.site, self.row.laterality
        if joint is None and laterality is None:
            return None
        site: JSONObject = {"text": _site_text(joint, laterality)}
        body = site_code(self.match.canonical, joint) if joint and self.match.canonical else None
        if body is not None:
            site["coding"] = [{"system": body.system, "code": body.code, "display": body.display}]
        if laterality is not None:
            code, display, _ = _LATERALITY[laterality]
            site["extension"] = [
                {
                    "url": LATERALITY_EXTENSION,
                    "valueCodeableConcept": {
                        "coding": [{"system": SNOMED, "code": code, "display": display}],
                        "text": laterality.value,
                    },
                }
            ]
        return site

    def dosage_text(self) -> str:
        """``50 million cells per side, once a day for 1 day; ...; total ... per side``."""
        row = self.row
        per_side = " per side" if row.per_side else ""
        if isinstance(row.dose, pint.Quantity):
            dose = _amount(row.dose).text + per_side
        elif isinstance(row.dose, QuantityRange):
            dose = _range_text(row.dose) + per_side
        else:
            dose = "no cell dose (N/A)" if row.dose is not None else "dose not stated"
        days = row.days
        given = f"on {_days(days)}" if isinstance(days, int) else schedule_text(days)
        if row.per_session > 1:
            given = f"at each of {row.per_session} {_site_word(row)}, {given}"
        parts = [f"{dose}, {given}"]
        if row.per_side or row.laterality is not None:
            parts.append(_sides_text(row.laterality))
        if row.volume is not None:
            parts.append(f"volume {format_quantity(row.volume)} per injection")
        if row.concentration is not None:
            parts.append(f"concentration {format_quantity(row.concentration)}")
        dose_per_kg = row.cell_dose is not None and unit_name(row.cell_dose) != "cell"
        if dose_per_kg:
            parts.append(
                f"per kg of a patient weight of {format_quantity(self.weight)}"
                if self.weight is not None
                else "per kg; the sheet states no patient weight"
            )
        parts.append(self.total_text())
        if self.adjunct:
            parts.append(
                "not counted in the protocol's cell total (an adjunct, which delivers no cells)"
                if row.has_dose
                else "an adjunct, which delivers no cells"
            )
        elif self.non_cell:
            parts.append("a product that holds no cells: not counted in the protocol's cell total")
        elif self.match.kind is RouteKind.UNKNOWN:
            parts.append("route not recognised by celldose")
        elif self.match.kind is RouteKind.AMBIGUOUS:
            parts.append(f"route may mean {' or '.join(self.match.meanings)}: not coded")
        return "; ".join(parts)

    def total_text(self) -> str:
        row = self.row
        if isinstance(row.total, QuantityRange):
            return f"total {_range_text(row.total)}" + (" per side" if row.per_side else "")
        if not isinstance(row.total, pint.Quantity):
            return "total N/A (no cells)" if row.total is not None else "total not stated"
        text = f"total {_amount(row.total).text}"
        if not row.per_side:
            return text
        if row.laterality is Laterality.BILATERAL:
            both = _amount(row.total * Laterality.BILATERAL.sides).text
            return f"{text} per side ({both} over both sides)"
        return f"{text} per side"

    def instructions(self) -> list[str]:
        row = self.row
        found: list[str] = []
        if row.per_side:
            where = {
                None: "the sheet does not say which sides are treated",
                Laterality.LEFT: "the left side is treated",
                Laterality.RIGHT: "the right side is treated",
                Laterality.BILATERAL: "both sides are treated",
            }[row.laterality]
            found.append(f"Dose and total are per side; {where}.")
        if self.adjunct:
            found.append(
                "An adjunct, which delivers no cells: this cell dose is not counted in the "
                "protocol's cell total."
                if row.has_dose
                else "An adjunct, which delivers no cells."
            )
        elif self.non_cell:
            found.append("A product that holds no cells: its amount is not a cell dose.")
        elif self.match.kind is RouteKind.UNKNOWN:
            found.append("The route as written is not one celldose recognises; it is not coded.")
        elif self.match.kind is RouteKind.AMBIGUOUS:
            found.append(
                f"The route as written may mean {' or '.join(self.match.meanings)}; it is not "
                "coded until the sheet writes it out."
            )
        if row.per_side and not has_sides(row.route):
            found.append("The route has no sides: the per-side dose is not doubled.")
        return found


def _site_word(row: Administration) -> str:
    return "vials" if row.vials else "discs" if row.discs else "sites"


def _range_text(value: QuantityRange) -> str:
    return f"{_amount(value.low).text} to {_amount(value.high).text}"


def _days(days: int) -> str:
    return "1 dosing day" if days == 1 else f"{days:,} dosing days"


def _site_text(joint: str | None, laterality: Laterality | None) -> str:
    if laterality is None:
        assert joint is not None
        return joint
    sides = _LATERALITY[laterality][2]
    if joint is None:
        return sides
    if laterality is Laterality.BILATERAL:
        return f"{joint}, {sides}"
    return f"{laterality.value} {joint}"


def _sides_text(laterality: Laterality | None) -> str:
    if laterality is None:
        return "sides not stated"
    return f"on the {_LATERALITY[laterality][2]}" if laterality.sides == 1 else "on both sides"


def _amount(quantity: pint.Quantity[int]) -> _Amount:
    """A quantity's FHIR value, UCUM code and unit: exact, in millions when round enough."""
    magnitude = Fraction(quantity.magnitude)
    unit = _UNITS.get(unit_name(quantity))
    if unit is None:  # not a unit celldose reads today; kept, uncoded, rather than guessed
        return _Amount(_exact(magnitude, quantity), f"{quantity.units:~}", None)
    if unit.in_millions:
        millions = magnitude / _MILLION
        value = _json_number(millions)
        if value is not None and (millions * 10**_MILLIONS_DECIMALS).denominator == 1:
            return _Amount(value, f"million {unit.label}", f"10*6{unit.code}")
    return _Amount(_exact(magnitude, quantity), unit.label, unit.code)


def _exact(value: Fraction, quantity: pint.Quantity[int]) -> int | float:
    number = _json_number(value)
    if number is None:
        raise ValueError(f"{quantity} has no exact decimal form for FHIR")
    return number


def _json_number(value: Fraction) -> int | float | None:
    """``value`` as a JSON number that is exactly it (an int, or a float that prints exactly)."""
    if value.denominator == 1:
        return value.numerator
    for places in range(1, 16):
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole, fraction = divmod(abs(scaled.numerator), 10**places)
            sign = "-" if value < 0 else ""
            decimal = f"{sign}{whole}.{fraction:0{places}d}"
            number = float(decimal)
            return number if repr(number) == decimal else None
    return None


_PROTOCOL_PATHS: Final = {
    "protocol": "PlanDefinition.title",
    "condition": "PlanDefinition.useContext[0].valueCodeableConcept",
    "total_cells": "PlanDefinition.description",
    "patient_weight": "PlanDefinition.description",
}
_ROW_PATHS: Final = {
    # a row's field -> where the export states it, under PlanDefinition.contained[i]
    "route": "dosage[0].route",
    "dose": "dosage[0].doseAndRate[0].doseQuantity",
    "days": "dosage[0].timing.repeat.count",
    "total": "dosage[0].text",
    "per_side": "dosage[0].text",
    "laterality": "dosage[0].site",
    "product": "productCodeableConcept",
    "volume": "dosage[0].text",
    "concentration": "dosage[0].text",
    "notes": "description",
}


def export_path(pointer: tuple[str | int, ...]) -> str | None:
    """Where a field of the protocol is in the export, as FHIRPath on the PlanDefinition:
    ``("administrations", 1, "total")`` -> ``PlanDefinition.contained[1].dosage[0].text``.
    None for what the export does not carry (an unknown key, the whole document)."""
    if len(pointer) == 1 and isinstance(pointer[0], str):
        return _PROTOCOL_PATHS.get(pointer[0])
    if len(pointer) < 2 or pointer[0] != "administrations" or not isinstance(pointer[1], int):
        return None
    row = f"PlanDefinition.contained[{pointer[1]}]"
    if len(pointer) == 2:
        return row
    field = _ROW_PATHS.get(str(pointer[2])) if len(pointer) == 3 else None
    return None if field is None else f"{row}.{field}"


__all__ = ["export_path", "to_fhir", "to_fhir_json"]
