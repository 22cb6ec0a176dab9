"""Routes, sites, adjuncts and their codes: data checked against the project's reference."""

from __future__ import annotations

import pytest
import yaml

from celldose.vocabulary import EDQM, SNOMED, RouteKind, classify, route_codes
from conftest import ROOT

REFERENCE = ROOT.parent / "shared" / "reference" / "route_codes.yaml"
PACKAGED = ROOT / "src" / "celldose" / "data" / "routes.yaml"


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference folder is not beside")
def test_every_code_in_the_package_is_the_references() -> None:
    reference = yaml.safe_load(REFERENCE.read_text())["route_codes"]
    assert reference["system_snomed"] == SNOMED and reference["system_edqm"] == EDQM
    routes = yaml.safe_load(PACKAGED.read_text())["routes"]
    checked = 0
    for canonical in routes:
        for code in route_codes(canonical):
            table = reference["snomed"] if code.system == SNOMED else reference["edqm"]
            assert table[canonical] == {"code": code.code, "display": code.display}
            checked += 1
    # Every route the reference codes is in the package with that code.
    for system, table in ((SNOMED, reference["snomed"]), (EDQM, reference["edqm"])):
        for route in table:
            if route in routes:
                assert any(c.system == system for c in route_codes(route)), route
    assert checked >= 20


@pytest.mark.parametrize(
    ("written", "canonical", "site", "kind"),
    [
        ("IV", "intravenous", None, RouteKind.CELLS),
        ("I.V.", "intravenous", None, RouteKind.CELLS),
        ("IA", "intra-articular", None, RouteKind.CELLS),
        ("intra articular", "intra-articular", None, RouteKind.CELLS),
        ("Intra-articular/per side", "intra-articular", None, RouteKind.CELLS),
        ("SI joint", "intra-articular", "sacroiliac joint", RouteKind.CELLS),
        ("Facet joint/per side", "intra-articular", "facet joint", RouteKind.CELLS),
        ("Myers cocktail/NAD", "myers-cocktail", None, RouteKind.ADJUNCT),
        ("NAD+ infusion", "nad", None, RouteKind.ADJUNCT),
        ("saline", "saline", None, RouteKind.ADJUNCT),
        ("Hyaluronic acid", "hyaluronic-acid", None, RouteKind.ADJUNCT),
        ("PRP", "prp", None, RouteKind.ADJUNCT),
        ("exosomes", "exosomes", None, RouteKind.ADJUNCT),
    ],
)
def test_routes_as_sheets_write_them(
    written: str, canonical: str, site: str | None, kind: RouteKind
) -> None:
    match = classify(written)
    assert (match.kind, match.canonical, match.site) == (kind, canonical, site)
