"""The FHIR export: every example protocol parses as an R4B PlanDefinition with the right values.

R4B keeps R4's Dosage, so ``fhir.resources.R4B`` parses what ``celldose.fhir`` writes as R4.
The parsed models are read through ``Any``: fhir.resources types its fields as abstract
element types that strict mypy cannot follow to their attributes.
"""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pint
import pytest
import yaml
from fhir.resources.R4B.activitydefinition import ActivityDefinition
from fhir.resources.R4B.plandefinition import PlanDefinition

from celldose.api import load
from celldose.fhir import LATERALITY_EXTENSION, UCUM, to_fhir, to_fhir_json
from celldose.model import Administration, Protocol
from celldose.vocabulary import EDQM, SNOMED, RouteKind, classify, route_codes
from conftest import PROTOCOLS, ROOT, SEED, run_cli

REFERENCE = ROOT.parent / "shared" / "reference" / "route_codes.yaml"
EXAMPLES = sorted(p for p in PROTOCOLS.iterdir() if p.suffix in (".yaml", ".csv", ".md", ".xlsx"))


def parse(protocol: Protocol) -> Any:
    """The export, through json.dumps, parsed and validated by fhir.resources' R4B models."""
    return PlanDefinition.model_validate_json(json.dumps(to_fhir(protocol)))


def activities(plan: Any) -> list[Any]:
    found = list(plan.contained or [])
    assert all(isinstance(a, ActivityDefinition) for a in found)
    return found


def dosage_of(activity: Any) -> Any:
    assert len(activity.dosage) == 1
    return activity.dosage[0]


def cells(quantity: Any) -> Decimal:
    """A parsed Quantity as a count (of cells, or cells per kg), its unit's 10^6 applied."""
    assert quantity.system == UCUM
    scale = 10**6 if quantity.code.startswith("10*6") else 1
    return Decimal(quantity.value) * scale


def reference_codes() -> dict[str, dict[str, dict[str, str]]]:
    """route -> {system: {code, display}} from the project's reference, else the package."""
    if REFERENCE.exists():
        reference = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["route_codes"]
        table: dict[str, dict[str, dict[str, str]]] = {}
        for key, system in (("snomed", SNOMED), ("edqm", EDQM)):
            for route, code in reference[key].items():
                table.setdefault(route, {})[system] = code
        return table
    return {}


def write(tmp_path: Path, text: str) -> Protocol:
    path = tmp_path / "protocol.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load(path)


def check_row(
    row: Administration, activity: Any, codes: dict[str, dict[str, dict[str, str]]]
) -> None:
    dosage = dosage_of(activity)
    assert activity.kind == "MedicationRequest" and activity.status == "draft"
    # Route: the sheet's words, and the canonical route's codes.
    match = classify(row.route)
    assert dosage.route.text == row.route
    coding = {c.system: c for c in dosage.route.coding or []}
    if match.kind is RouteKind.CELLS and match.canonical is not None:
        expected = (codes.get(match.canonical) if match.canonical in codes else None) or {
            c.system: {"code": c.code, "display": c.display} for c in route_codes(match.canonical)
        }
        assert set(coding) == set(expected)
        for system, code in expected.items():
            assert (coding[system].code, coding[system].display) == (code["code"], code["display"])
        assert coding[SNOMED].code  # every cell route the package knows has its SNOMED code
    else:
        assert not coding
    # Dose, days and total.
    if isinstance(row.dose, pint.Quantity) and match.kind is not RouteKind.ADJUNCT:
        assert cells(dosage.doseAndRate[0].doseQuantity) == row.dose.magnitude
    else:
        assert dosage.doseAndRate is None  # an adjunct row carries no cell dose
    # A count of dosing days, and no invented frequency, period or span.
    repeat = dosage.timing.repeat
    assert repeat.count == row.days
    assert (repeat.frequency, repeat.period, repeat.periodUnit, repeat.boundsDuration) == (
        (None,) * 4
    )
    assert dosage.maxDosePerLifetime is None  # a row's total is not a lifetime maximum
    if isinstance(row.total, pint.Quantity) and row.sides is not None:
        assert cells(activity.quantity) == row.total.magnitude * row.sides
    else:
        assert activity.quantity is None
    if row.per_side:
        assert "per side" in dosage.text
        assert any("per side" in i.text for i in dosage.additionalInstruction)
    else:
        assert "per side" not in dosage.text
    if match.kind is RouteKind.ADJUNCT:
        assert "delivers no cells" in dosage.text


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_protocol_exports_valid_fhir(path: Path) -> None:
    protocol = load(path)
    plan = parse(protocol)
    assert plan.status == "draft" and plan.title == protocol.name
    assert plan.type.coding[0].code == "clinical-protocol"
    assert "not a treatment recommendation" in plan.description
    if protocol.condition is not None:
        assert plan.useContext[0].valueCodeableConcept.text == protocol.condition
    found = activities(plan)
    assert len(found) == len(plan.action) == len(protocol.administrations)
    codes = reference_codes()
    for index, (row, activity, action) in enumerate(
        zip(protocol.administrations, found, plan.action, strict=True), 1
    ):
        assert activity.id == f"row-{index}"
        assert action.definitionCanonical == f"#row-{index}"
        check_row(row, activity, codes)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_convert_writes_valid_fhir_from_the_cli(path: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.fhir.json"
    result = run_cli("convert", str(path), str(target))
    assert result.returncode == 0, result.stderr
    plan = PlanDefinition.model_validate_json(target.read_text(encoding="utf-8"))
    assert plan.action is not None
    assert len(plan.action) == len(load(path).administrations)


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 5 and SEED in EXAMPLES


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference folder is not beside")
def test_route_codes_come_from_the_reference() -> None:
    codes = reference_codes()
    assert codes["intra-articular"][SNOMED] == {
        "code": "12130007",
        "display": "Intra-articular route",
    }
    assert codes["intradiscal"][SNOMED]["code"] == "372465003"
    assert codes["epidural"][SNOMED]["code"] == "404820008"


def test_the_seed_protocol() -> None:
    plan = parse(load(SEED))
    adjunct, joint = (dosage_of(a) for a in activities(plan))

    # Row 2: 50,000,000 cells per side, intra-articular, over 1 day, total 50,000,000 per side.
    assert [(c.system, c.code) for c in joint.route.coding] == [
        (SNOMED, "12130007"),
        (EDQM, "20024000"),
    ]
    assert joint.route.text == "Intra-articular/per side"
    dose = joint.doseAndRate[0].doseQuantity
    assert (dose.value, dose.code, dose.unit) == (50, "10*6{cells}", "million cells")
    assert cells(dose) == 50_000_000
    assert joint.maxDosePerLifetime is None
    assert joint.timing.repeat.count == 1
    assert joint.text.startswith("50 million cells per side, on 1 dosing day")
    assert "total 50 million cells per side" in joint.text
    assert joint.site is None  # no joint named and no laterality: nothing to say about the site

    # Row 1: the Myers cocktail/NAD adjunct: its written cell dose is in the text only, never a
    # structured dose (issue 16), and never totalled.
    assert adjunct.route.coding is None and adjunct.route.text == "Myers cocktail/NAD"
    assert adjunct.maxDosePerLifetime is None and adjunct.doseAndRate is None
    assert activities(plan)[0].quantity is None
    assert "not counted in the protocol's cell total" in adjunct.text
    assert any("not counted" in i.text for i in adjunct.additionalInstruction)


def test_bilateral_si_joint_and_a_non_million_dose(tmp_path: Path) -> None:
    protocol = write(
        tmp_path,
        """\
        protocol: Inline bilateral
        condition: Sacroiliitis
        product: UC-MSC
        total_cells: 6,000,000
        administrations:
          - route: SI joint/per side
            laterality: bilateral
            dose: 1,500,000
            days: 2
            total: 3,000,000
        """,
    )
    plan = parse(protocol)
    (si,) = (dosage_of(a) for a in activities(plan))
    assert si.route.coding[0].code == "12130007"
    assert si.site.text == "sacroiliac joint, both sides"
    (extension,) = si.site.extension
    assert extension.url == LATERALITY_EXTENSION
    assert (
        extension.valueCodeableConcept.coding[0].system,
        extension.valueCodeableConcept.coding[0].code,
    ) == (
        SNOMED,
        "51440002",
    )
    dose = si.doseAndRate[0].doseQuantity
    assert (dose.value, dose.code) == (Decimal("1.5"), "10*6{cells}")
    # Issue 16: what the row delivers, both sides counted, as the activity's quantity.
    delivered = activities(plan)[0].quantity
    assert (delivered.value, delivered.code) == (6, "10*6{cells}")
    assert si.maxDosePerLifetime is None
    assert (si.timing.repeat.count, si.timing.repeat.boundsDuration) == (2, None)
    assert si.site.coding[0].code == "39723000"  # sacroiliac joint structure
    assert "1.5 million cells per side, on 2 dosing days; on both sides" in si.text
    assert "total 3 million cells per side (6 million cells over both sides)" in si.text
    assert "both sides are treated" in si.additionalInstruction[0].text
    assert "The sheet states 6 million cells in all." in plan.description
    text = to_fhir_json(protocol)
    assert '"value": 1.5,' in text  # exact, not 1.5000000000000002


def test_one_side_unknown_route_per_kg_and_exact_counts(tmp_path: Path) -> None:
    protocol = write(
        tmp_path,
        """\
        protocol: Inline mixed
        product: BM-MSC
        administrations:
          - route: knee/per side
            laterality: left
            dose: 1,234,567
            days: 3
            total: 3,703,701
          - route: intranasal spray
            dose: 2 million cells
            days: 1
          - route: IV
            dose: 1 million cells/kg
            days: 1
            total: 1 million cells/kg
            product: Remestemcel-L
          - route: NAD+ infusion
            days: 2
            total: N/A
        """,
    )
    plan = parse(protocol)
    assert plan.useContext is None  # no condition written
    knee, unknown, iv, nad = (dosage_of(a) for a in activities(plan))

    assert knee.site.text == "left knee joint"
    assert knee.site.extension[0].valueCodeableConcept.coding[0].code == "7771000"
    dose = knee.doseAndRate[0].doseQuantity
    assert (dose.value, dose.code, dose.unit) == (1_234_567, "{cells}", "cells")
    knee_quantity = activities(plan)[0].quantity
    assert (knee_quantity.value, knee_quantity.code) == (3_703_701, "{cells}")
    assert knee.site.coding[0].code == "49076000"  # knee joint
    assert knee.text.startswith("1,234,567 cells per side, on 3 dosing days; on the left side")

    assert unknown.route.coding is None and unknown.route.text == "intranasal spray"
    assert unknown.site is None
    assert "route not recognised by celldose" in unknown.text
    assert activities(plan)[1].quantity is None and "total not stated" in unknown.text

    assert [(c.system, c.code) for c in iv.route.coding] == [
        (SNOMED, "47625008"),
        (EDQM, "20045000"),
    ]
    per_kg = iv.doseAndRate[0].doseQuantity
    assert (per_kg.value, per_kg.code, per_kg.unit) == (1, "10*6{cells}/kg", "million cells/kg")
    assert activities(plan)[2].quantity.code == "10*6{cells}/kg"
    assert "per kg; the sheet states no patient weight" in iv.text

    assert nad.doseAndRate is None and activities(plan)[3].quantity is None
    assert nad.route.coding is None
    assert nad.text == "dose not stated, on 2 dosing days; total N/A (no cells); " + (
        "an adjunct, which delivers no cells"
    )

    knee_def, unknown_def, iv_def, nad_def = activities(plan)
    assert knee_def.productCodeableConcept.text == "BM-MSC"
    assert unknown_def.productCodeableConcept.text == "BM-MSC"  # not an adjunct: a cell row
    assert iv_def.productCodeableConcept.text == "Remestemcel-L"  # the row's own product
    assert nad_def.productCodeableConcept is None  # an adjunct is not the cell product


def _one_row(dose: object, total: object = "N/A") -> Protocol:
    return Protocol.model_validate(
        {
            "protocol": "Counts",
            "administrations": [{"route": "intradiscal", "dose": dose, "days": 1, "total": total}],
        }
    )


@pytest.mark.parametrize(
    ("count", "value", "code"),
    [
        (50_000_000, 50, "10*6{cells}"),
        (1_500_000, Decimal("1.5"), "10*6{cells}"),
        (1_250_000, Decimal("1.25"), "10*6{cells}"),
        (500_000, Decimal("0.5"), "10*6{cells}"),
        (1_234_567, 1_234_567, "{cells}"),
        (1_230_000, Decimal("1.23"), "10*6{cells}"),
        (1_234_000, 1_234_000, "{cells}"),  # three decimals of millions: the exact count
        (10**24, 10**18, "10*6{cells}"),  # whole millions stay exact at any size
        (10**24 + 10**4, 10**24 + 10**4, "{cells}"),  # a float would lose the last digits
        (7, 7, "{cells}"),
    ],
)
def test_counts_are_exact(count: int, value: Decimal | int, code: str) -> None:
    plan = parse(_one_row(count, count))
    dosage = dosage_of(activities(plan)[0])
    dose = dosage.doseAndRate[0].doseQuantity
    assert (dose.value, dose.code) == (value, code)
    assert cells(dose) == count == cells(activities(plan)[0].quantity)
    # The JSON text has the exact decimal too, never a float's approximation.
    number = json.loads(to_fhir_json(_one_row(count)), parse_float=Decimal)
    written = number["contained"][0]["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"]
    assert written == value


def test_no_dose_and_a_stated_na_dose() -> None:
    protocol = Protocol.model_validate(
        {
            "protocol": "No doses",
            "administrations": [
                {"route": "saline", "dose": "N/A", "days": 1, "total": "N/A"},
                {"route": "epidural", "days": 4},
            ],
        }
    )
    saline, epidural = (dosage_of(a) for a in activities(parse(protocol)))
    assert saline.doseAndRate is None and saline.text.startswith("no cell dose (N/A)")
    assert epidural.doseAndRate is None and epidural.text.startswith(
        "dose not stated, on 4 dosing days"
    )
    assert epidural.route.coding[0].code == "404820008"


def test_output_is_deterministic_plain_json() -> None:
    protocol = load(SEED)
    first, second = to_fhir(protocol), to_fhir(load(SEED))
    assert first == second
    assert to_fhir_json(protocol) == to_fhir_json(protocol)
    assert json.loads(to_fhir_json(protocol)) == first  # only JSON types, nothing lost
    text = to_fhir_json(protocol)
    assert '"date"' not in text and '"meta"' not in text and text.endswith("}\n")


def test_issue_16_export_says_only_what_the_sheet_says(tmp_path: Path) -> None:
    protocol = write(
        tmp_path,
        """\
        protocol: Knees and more (v2)
        product: UC-MSC
        patient_weight: 154 lb
        administrations:
          - route: Intra-articular (knee)/per side
            laterality: bilateral
            volume: 2 mL
            concentration: 25 million cells/mL
            dose: 50 million
            days: 1
            total: 50 million
          - route: intravenous
            product: exosomes
            dose: 50 million
            days: 1
            total: N/A
          - route: IV
            dose: 2 million cells/kg
            days: 3
            total: 6 million cells/kg
          - route: IA
            dose: 10 million
            days: 1
            total: 10 million
          - route: IV/per side
            laterality: bilateral
            dose: 10 million
            days: 1
            total: 10 million
        """,
    )
    plan = parse(protocol)
    # Identified: url, computable name, version, status.
    assert plan.url.startswith("urn:uuid:") and plan.name == "KneesAndMoreV2"
    assert plan.status == "draft" and len(plan.version) == 12
    assert parse(protocol).version == plan.version  # deterministic
    assert "patient weight of 154 lb" in plan.description
    knee_def, exosome_def, iv_def, ia_def, sideless_def = activities(plan)
    assert ia_def.quantity.value == 10  # an ambiguous route still delivers cells
    knee, exosomes, iv, ia, sideless = (dosage_of(a) for a in activities(plan))

    # Route plus site: intra-articular, knee joint, with its body-structure code.
    assert knee.route.coding[0].code == "12130007"
    assert (knee.site.coding[0].system, knee.site.coding[0].code) == (SNOMED, "49076000")
    assert knee.site.text == "knee joint, both sides"
    # The row delivers both sides: 100 million, as the activity's quantity, not a lifetime max.
    assert cells(knee_def.quantity) == 100_000_000 and knee.maxDosePerLifetime is None
    assert "volume 2 mL per injection" in knee.text
    assert "concentration 25,000,000 cells/mL" in knee.text

    # A product that holds no cells carries no cell dose and no quantity.
    assert exosomes.doseAndRate is None and exosome_def.quantity is None
    assert "holds no cells" in exosomes.text

    # A per-kg dose: exported per kg, with the weight it is for; no cell total invented.
    assert iv.doseAndRate[0].doseQuantity.code == "10*6{cells}/kg"
    assert iv_def.quantity.code == "10*6{cells}/kg"
    assert "per kg of a patient weight of 154 lb" in iv.text
    assert (iv.timing.repeat.count, iv.timing.repeat.frequency) == (3, None)

    # IA is not coded until it is written out.
    assert ia.route.coding is None and "may mean intra-articular or intra-arterial" in ia.text

    # Per side on a route without sides: no doubling, so no quantity is claimed.
    assert sideless_def.quantity is None
    assert any("not doubled" in i.text for i in sideless.additionalInstruction)
