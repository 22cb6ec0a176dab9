"""The one unit registry.

Built once, lazily, from ``cells.txt`` beside this module, under a lock: threads that ask for
it first at the same moment get the same registry (two registries' units cannot be compared).
pint's on-disk cache (``cache_folder``) is deliberately not enabled: it unpickles files, so
anyone who can write that folder could run code in the user's process.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from celldose.once import once

if TYPE_CHECKING:
    import pint
    from pint.util import UnitsContainer

DEFINITIONS = "cells.txt"


@once
def registry() -> pint.UnitRegistry[Any]:
    """Return the process-wide registry (the only mutable global celldose keeps)."""
    import pint  # imported here: pint costs ~150 ms to import and not every command needs it

    reg: pint.UnitRegistry[Any] = pint.UnitRegistry(
        filename=None,
        cache_folder=None,
        on_redefinition="raise",
        autoconvert_offset_to_baseunit=False,
    )
    text = files(__package__).joinpath(DEFINITIONS).read_text(encoding="utf-8")
    reg.load_definitions(text.splitlines())
    return reg


def quantity(magnitude: object, units: UnitsContainer) -> pint.Quantity[Any]:
    """A Quantity of an already validated magnitude in a unit from this registry.

    pint's constructor re-checks its arguments (~3 us); every count celldose reads becomes a
    Quantity, so this builds one directly (~0.2 us) when pint's Quantity is still the plain
    pair of ``_magnitude`` and ``_units`` it was when this was written (checked once), and
    falls back to the constructor otherwise.
    """
    return _maker()(magnitude, units)


@once
def _maker() -> Callable[[object, UnitsContainer], pint.Quantity[Any]]:
    build = registry().Quantity
    probe = build(1, registry().parse_units("cell")._units)
    if set(vars(probe)) != {"_magnitude", "_units"}:
        return build  # pint's layout changed: use its constructor

    def make(magnitude: object, units: UnitsContainer) -> pint.Quantity[Any]:
        made: pint.Quantity[Any] = object.__new__(build)
        made._magnitude = magnitude
        made._units = units
        return made

    return make
