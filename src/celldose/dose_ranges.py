"""Doses used in published human studies (data/dose_ranges.yaml), by route and product class."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from celldose.once import once
from celldose.packaged import data
from celldose.vocabulary import normal_name


@dataclass(frozen=True, slots=True)
class Study:
    routes: tuple[str, ...]
    product_class: str
    min_cells: int
    max_cells: int
    per_kg: bool
    study: str
    doi: str | None
    status: str
    label: str = ""
    """First author and year (or the record's id): ``Lanzoni 2021``."""
    sources: tuple[str, ...] = ()
    """The MSC's tissue of origin: ``umbilical-cord``, ``bone-marrow``, ``adipose``, ..."""
    sites: tuple[str, ...] = ()
    """The joints studied (intra-articular studies): ``knee joint``."""
    planned: bool = False
    """A registry record's planned dose, not a published result."""

    @property
    def named(self) -> str:
        """``Lanzoni 2021``, or for a registry record ``NCT03357770 (..., a planned dose)``."""
        if self.planned:
            return f"{self.label} (a registry record's planned dose, not a published result)"
        return self.label

    @property
    def citation(self) -> str:
        doi = f", doi:{self.doi}" if self.doi and self.doi.startswith("10.") else ""
        planned = (
            "; a registry record's planned dose, not a published result" if self.planned else ""
        )
        return f"{self.study}{doi} ({self.status.replace('_', ' ')}{planned})"


@dataclass(frozen=True, slots=True)
class StudiedRange:
    """The span of doses across the studies of one route and product class."""

    low: int
    high: int
    studies: tuple[Study, ...]


_ANY_MSC = re.compile(r"(?<!\w)(?<!non )[a-z]*+(?:(?<=msc)|(?<=mscs))\b")
"""A word that ends in "msc" or "mscs" (possessive, then looked back on: one pass per word)."""


@once
def studies() -> tuple[Study, ...]:
    raw = data("dose_ranges.yaml")
    return tuple(
        Study(
            routes=tuple(e["routes"]),
            product_class=e["product_class"],
            min_cells=int(e["min_cells"]),
            max_cells=int(e["max_cells"]),
            per_kg=bool(e["per_kg"]),
            study=e["study"],
            doi=e.get("doi"),
            status=e["status"],
            label=e["label"],
            sources=tuple(e.get("sources", ())),
            sites=tuple(e.get("sites", ())),
            planned=bool(e.get("planned", False)),
        )
        for e in raw["dose_ranges"]
    )


MIN_STUDIES = 2
"""Fewer studies than this make no span of practice: one study's one figure is not a range."""


@cache
def studied_range(route: str, product_class: str, per_kg: bool) -> StudiedRange | None:
    """None where fewer than MIN_STUDIES studies of that route, class and basis are known."""
    found = tuple(
        s
        for s in studies()
        if route in s.routes and s.product_class == product_class and s.per_kg == per_kg
    )
    if len(found) < MIN_STUDIES:
        return None
    return StudiedRange(min(s.min_cells for s in found), max(s.max_cells for s in found), found)


@lru_cache(maxsize=1024)
def product_class(product: str) -> str | None:
    """``msc``, ``bmc``, or None for a product celldose cannot classify or that has no cells."""
    text = normal_name(product)
    classes = _product_names()
    if any(_mentions(text, word) for word in classes["not_cells"]):
        return None
    for kind in ("bmc", "msc"):
        if any(_mentions(text, name) for name in classes[kind]):
            return kind
    if _ANY_MSC.search(text):  # ADMSCs, hUCMSC, UCMSC, haMSCs
        return "msc"
    return None


@lru_cache(maxsize=1024)
def carries_cells(product: str) -> bool | None:
    """Whether a row of this product delivers cells: True for a cell product (MSC, BMC), False
    for a product that holds none (exosomes, secretome, hyaluronic acid, NAD+), None when the
    vocabulary does not know. Cells named beside a carrier ("BM-MSC + HA") carry cells; a
    product made from cells ("MSC-derived exosomes") does not."""
    text = normal_name(product)
    classes = _product_names()
    if any(_mentions(text, word) for word in classes["not_cells"]):
        return False
    if product_class(product) is not None:
        return True
    if any(_mentions(text, word) for word in classes["other_not_cells"]):
        return False
    return None


@lru_cache(maxsize=1024)
def msc_source(product: str) -> str | None:
    """The tissue an MSC product comes from (``UC-MSC`` -> ``umbilical-cord``), if it says."""
    text = normal_name(product)
    for source, names in _msc_sources().items():
        if any(_mentions(text, name) for name in names):
            return source
    return None


@cache
def _msc_sources() -> dict[str, tuple[str, ...]]:
    raw = data("products.yaml")
    return {
        source: tuple(normal_name(str(n)) for n in names)
        for source, names in raw["msc_sources"].items()
    }


def _mentions(text: str, name: str) -> bool:
    """``name`` as whole words in ``text``, and not negated ("non-MSC")."""
    return re.search(rf"(?<!\w)(?<!non ){re.escape(name)}(?!\w)", text) is not None


@once
def _product_names() -> dict[str, tuple[str, ...]]:
    raw = data("products.yaml")
    return {
        kind: tuple(normal_name(str(n)) for n in entry["names"])
        for kind, entry in raw["products"].items()
    }
