"""The published dose ranges in the package are the verified facts of the reference, unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from celldose.dose_ranges import product_class, studied_range
from celldose.vocabulary import RouteKind, classify
from conftest import ROOT

REFERENCE = ROOT.parent / "shared" / "reference" / "dose_ranges.yaml"
PACKAGED = ROOT / "src" / "celldose" / "data" / "dose_ranges.yaml"


def packaged() -> list[dict[str, object]]:
    entries: list[dict[str, object]] = yaml.safe_load(PACKAGED.read_text())["dose_ranges"]
    return entries


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference folder is not beside")
def test_every_entry_matches_the_reference_and_no_verified_entry_is_missing() -> None:
    reference = yaml.safe_load(REFERENCE.read_text())["dose_ranges"]
    by_key = {(e["route"], e["product"], e["study"]): e for e in reference}
    from_reference = [e for e in packaged() if "added" not in e]
    for entry in from_reference:
        study = entry.get("reference_study", entry["study"])
        source = by_key[(entry["reference_route"], entry["reference_product"], study)]
        for field in ("min_cells", "max_cells", "per_kg", "status"):
            assert entry[field] == source[field], (entry["study"], field)
        assert entry["doi"] == source.get("doi")
    not_per_injection = _not_per_injection(REFERENCE.read_text())
    assert not_per_injection, "the reference's Al-Najar note was expected"
    usable = [
        e
        for e in reference
        if e["status"] != "unverified"
        and e.get("min_cells")
        and e["study"] not in not_per_injection
    ]
    assert len(from_reference) == len(usable)
    assert not {str(e["study"]) for e in packaged()} & not_per_injection


def _not_per_injection(text: str) -> set[str]:
    """Studies whose figure the reference's comments mark as not per injection."""
    found: set[str] = set()
    for block in text.split("\n  - route:")[1:]:
        if "not per injection" in block:
            study = re.search(r'study: "([^"]+)"', block)
            assert study is not None
            found.add(study.group(1))
    return found


def test_no_unverified_entry_is_used_as_fact() -> None:
    assert {e["status"] for e in packaged()} <= {"verified_primary", "verified_secondary"}


def test_routes_are_canonical_and_bmc_is_its_own_class() -> None:
    for entry in packaged():
        routes = entry["routes"]
        assert isinstance(routes, list)
        for route in routes:
            match = classify(route)
            assert match.kind is RouteKind.CELLS and match.canonical == route
        product = entry.get("reference_product", entry["study"])
        is_bmc = "bone marrow concentrate" in str(product).lower()
        assert entry["product_class"] == ("bmc" if is_bmc else "msc")


def test_the_issue_example_span() -> None:
    """Issue 5's example: intradiscal MSC doses in the cited studies reach 51.6 million."""
    span = studied_range("intradiscal", "msc", per_kg=False)
    assert span is not None and span.high == 51_600_000 and span.low == 5_000_000
    assert studied_range("epidural", "msc", per_kg=False) is None


@pytest.mark.parametrize(
    ("product", "kind"),
    [
        ("UC-MSC", "msc"),
        ("autologous adipose MSC + HA", "msc"),
        ("BMAC", "bmc"),
        ("bone marrow concentrate (BMC)", "bmc"),
        ("Stem cells", None),
        ("PRP", None),
    ],
)
def test_product_classes(product: str, kind: str | None) -> None:
    assert product_class(product) == kind


def test_packaged_data_has_no_aliases() -> None:
    """celldose refuses aliases in protocols; its own data does without them too."""
    assert "*id" not in Path(PACKAGED).read_text()


def test_issue_16_dose_data() -> None:
    """The corrections and additions of issue 16, each with its source in the data file."""
    by_label = {str(e["label"]): e for e in packaged()}
    assert len(by_label) == len(packaged()), "labels name one study each"
    atluri = by_label["Atluri 2022"]
    assert "Pain Physician 2022;25:193-207" in str(atluri["study"])
    assert "PMID 35322978" in str(atluri["study"])
    wang = by_label["Wang 2014"]
    assert "days 0 and 7" in str(wang["study"]) and "single infusion" not in str(wang["study"])
    dhere = by_label["Dhere 2016"]
    assert dhere["sources"] == ["bone-marrow"] and "bone-marrow" in str(dhere["product"])
    assert {label for label, e in by_label.items() if e.get("planned")} == {
        "NCT03357770",
        "NCT06325566",
    }
    added = {label: e for label, e in by_label.items() if "added" in e}
    assert set(added) == {"Saleh 2021", "Hashemian 2021"}
    assert added["Saleh 2021"]["max_cells"] == 150_000_000
    assert added["Saleh 2021"]["doi"] == "10.1186/s13287-021-02483-7"
    assert added["Hashemian 2021"]["max_cells"] == 200_000_000
    assert added["Hashemian 2021"]["doi"] == "10.1186/s13287-021-02165-4"
    span = studied_range("intravenous", "msc", per_kg=False)
    assert span is not None and (span.low, span.high) == (40_000_000, 200_000_000)
    for entry in packaged():
        assert entry["sources"], entry["label"]
        if "intra-articular" in str(entry["routes"]) and entry["product_class"] == "msc":
            assert entry["sites"] == ["knee joint"], entry["label"]
