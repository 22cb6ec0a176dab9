"""Routes and adjuncts, read from ``data/routes.yaml`` once and then immutable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from celldose.once import once
from celldose.packaged import data

# "/per side", "(per side)", ", each side", " - per-side": the word "per" or "each", then "side".
# The pattern reads the route backwards from its end: a search for a suffix anchored at "$"
# retries from every position and rescans the spaces after it (36 s on "x", 1,998 spaces and
# "y", issue 17); an anchored match from the end reads each character once.
_PER_SIDE_REVERSED = re.compile(
    r"\s*+\)?\s*+edis[\s-]*+(?:rep|hcae)\b\s*+[/(,-]?\s*+", re.IGNORECASE
)
_SEPARATORS = re.compile(r" ?(?:/|\+|&|,|\band\b|\bwith\b) ?", re.IGNORECASE)
"""Between the adjuncts of a name as :func:`normal_name` leaves it (single spaces)."""


class RouteKind(StrEnum):
    CELLS = "cells"
    """A route that delivers cells (intra-articular, intradiscal, ...)."""
    ADJUNCT = "adjunct"
    """A non-cell infusion or injection (Myers cocktail, NAD+) that delivers no cells."""
    AMBIGUOUS = "ambiguous"
    """An abbreviation that names more than one route (``IA``): cells, but no route is coded."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RouteMatch:
    kind: RouteKind
    canonical: str | None
    """The canonical route or adjunct name, e.g. ``intra-articular`` or ``myers-cocktail``."""
    site: str | None = None
    """The body site a route name implies: ``SI joint`` is intra-articular, sacroiliac joint."""
    meanings: tuple[str, ...] = ()
    """The routes an ambiguous abbreviation may mean: ``IA`` is intra-articular or -arterial."""


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str


SNOMED = "http://snomed.info/sct"
EDQM = "http://standardterms.edqm.eu"


def route_codes(canonical: str) -> tuple[Code, ...]:
    """The route's SNOMED CT and EDQM codes, where known."""
    entry = _data()["routes"].get(canonical, {})
    return tuple(
        Code(system, str(entry[key]["code"]), str(entry[key]["display"]))
        for key, system in (("snomed", SNOMED), ("edqm", EDQM))
        if key in entry
    )


def has_sides(route: str) -> bool:
    """False for a known cell route whose entry does not say ``sides: true`` (intravenous,
    intrathecal, intradiscal): per side and laterality mean nothing there. Joints and the
    routes that say so have sides; an adjunct or unknown route is not judged (True)."""
    match = classify(route)
    if match.kind is not RouteKind.CELLS or match.canonical is None:
        return True
    return bool(_data()["routes"][match.canonical].get("sides", False))


def site_code(canonical: str, site: str) -> Code | None:
    """The site's SNOMED CT body-structure code, where the vocabulary has a verified one."""
    entry = _data()["routes"].get(canonical, {}).get("site_codes", {}).get(site)
    return None if entry is None else Code(SNOMED, str(entry["code"]), str(entry["display"]))


@lru_cache(maxsize=1024)
def split_per_side(route: str) -> tuple[str, bool]:
    """``"Intra-articular/per side"`` -> ``("Intra-articular", True)``."""
    match = _PER_SIDE_REVERSED.match(route[::-1])
    if match and match.end() < len(route):
        return route[: len(route) - match.end()], True
    return route, False


@lru_cache(maxsize=1024)
def classify(route: str) -> RouteMatch:
    """What a route as written names. A trailing per-side suffix is ignored."""
    return _classify(normal_name(split_per_side(route)[0]))


def _classify(name: str) -> RouteMatch:
    names = _names()
    if name in names:
        return names[name]
    parts = [p for p in _SEPARATORS.split(name) if p]
    matches = [names.get(p) for p in parts]
    if parts and all(m is not None and m.kind is RouteKind.ADJUNCT for m in matches):
        first = matches[0]
        assert first is not None
        return first
    return _route_and_site(name) or RouteMatch(RouteKind.UNKNOWN, None)


# Words after a route that name how it is given, not another route: "IV push", "knee injection".
_FORMS = frozenset({"injection", "injections", "infusion", "infusions", "drip", "push", "route"})
_MAX_WORDS = 8
"""A route with its site is a few words; a longer text is not searched for one."""


def _route_and_site(name: str) -> RouteMatch | None:
    """A route written with its form, as an adverb or with its site: ``intrathecally``,
    ``knee injection``, ``intra-articular (knee)``, ``intra-articular knee``. Word lookups
    only (no pattern over the text), at most ``_MAX_WORDS`` words."""
    words = name.replace("(", " ").replace(")", " ").split()
    if not words or len(words) > _MAX_WORDS:
        return None
    if len(words) > 1 and words[-1] in _FORMS:
        words = words[:-1]
    if words[-1].endswith("ly") and len(words[-1]) > 4:  # intravenously, intrathecally
        words = [*words[:-1], words[-1][:-2]]
    names = _names()
    whole = names.get(" ".join(words))
    if whole is not None:
        return whole
    for cut in range(1, len(words)):
        route, site = names.get(" ".join(words[:cut])), names.get(" ".join(words[cut:]))
        if (
            route is not None
            and site is not None
            and route.kind is RouteKind.CELLS
            and route.site is None
            and site.site is not None
            and site.canonical == route.canonical
        ):
            return site
    return None


def normal_name(text: str) -> str:
    """A name as matched: case, hyphens, typographic apostrophes and spacing ignored."""
    return " ".join(text.replace("-", " ").replace("\u2019", "'").lower().split())


def _data() -> dict[str, Any]:
    return data("routes.yaml")


@once
def _names() -> MappingProxyType[str, RouteMatch]:
    raw = _data()
    table: dict[str, RouteMatch] = {}
    for section, kind in (("routes", RouteKind.CELLS), ("adjuncts", RouteKind.ADJUNCT)):
        for canonical, entry in raw[section].items():
            for name in (canonical, *entry["names"]):
                table[normal_name(str(name))] = RouteMatch(kind, canonical)
            for site, names in entry.get("sites", {}).items():
                for name in names:
                    table[normal_name(str(name))] = RouteMatch(kind, canonical, site)
    for name, meanings in raw.get("ambiguous", {}).items():
        table[normal_name(str(name))] = RouteMatch(RouteKind.AMBIGUOUS, None, None, tuple(meanings))
    return MappingProxyType(table)
