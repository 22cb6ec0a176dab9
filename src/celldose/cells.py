"""Whether a row delivers cells: its route (a non-cell adjunct delivers none) and its product
(exosomes, secretome, hyaluronic acid hold none), as the vocabularies in ``data/`` say.

A row whose product carries no cells is treated like a non-cell adjunct row: its dose may be
that product's own amount (``2 mL``, ``500 mg``), and no cell dose or total is asked of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from celldose.dose_ranges import carries_cells
from celldose.vocabulary import RouteKind, classify


@dataclass(frozen=True, slots=True)
class NonCell:
    """Why a row delivers no cells, for a message: ``a non-cell adjunct (myers-cocktail)``."""

    kind: str
    """``adjunct`` (the route names a non-cell infusion) or ``product`` (the product)."""
    name: str
    """The adjunct's canonical name, or the product as written."""

    @property
    def text(self) -> str:
        if self.kind == "adjunct":
            return f"a non-cell adjunct ({self.name})"
        return f"a product that holds no cells ({self.name})"


def non_cell(route: str, product: str | None) -> NonCell | None:
    """None when the row delivers cells (or may: an unknown product is taken to)."""
    match = classify(route)
    if match.kind is RouteKind.ADJUNCT:
        return NonCell("adjunct", match.canonical or route)
    if product is not None and carries_cells(product) is False:
        return NonCell("product", product)
    return None


def delivers_cells(route: str, product: str | None) -> bool:
    return non_cell(route, product) is None
