"""Answers about pint unit containers, remembered by the container's identity.

Rules ask what unit a value is in (``cell``? per kg?) several times for every row. pint's
``UnitsContainer`` is hashable, but its ``__hash__`` and ``__eq__`` are Python methods, so a
plain cache lookup costs about as much as the question. Counts share a few container objects
(the parser builds one per unit word), so the answer is looked up by ``id`` first; the entry
keeps its container alive, so an ``id`` is never reused while its answer is remembered.

Threads may share a memo without a lock: each step is one dict operation (atomic under the
GIL), an entry is checked against its own container before it is used, and two threads that
miss at once both compute the same answer (a pure function of the container). What must never
be built twice is the registry the containers come from; see :mod:`celldose.once`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from pint.util import UnitsContainer

T = TypeVar("T")
MAX_ENTRIES = 256
"""Entries kept per question; a program that makes more distinct containers starts afresh."""


def by_identity(answer: Callable[[UnitsContainer], T]) -> Callable[[UnitsContainer], T]:
    """``answer`` for a container, computed once per container object."""
    memo: dict[int, tuple[UnitsContainer, T]] = {}

    def remembered(units: UnitsContainer) -> T:
        hit = memo.get(id(units))
        if hit is not None and hit[0] is units:
            return hit[1]
        value = answer(units)
        if len(memo) >= MAX_ENTRIES:
            memo.clear()
        memo[id(units)] = (units, value)
        return value

    remembered.__doc__ = answer.__doc__
    return remembered
