"""The one unit registry.

Built once, lazily, from ``cells.txt`` beside this module. pint's on-disk cache
(``cache_folder``) is deliberately not enabled: it unpickles files, so anyone who can write
that folder could run code in the user's process.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pint

DEFINITIONS = "cells.txt"


@cache
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
