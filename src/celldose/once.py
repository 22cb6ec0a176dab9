"""A value computed once per process, also when many threads ask for it first at the same time.

``functools.cache`` is thread-safe only in that its table stays consistent: two threads that
miss at once both compute. For the unit registry that is wrong, not merely slow (issue 17):
32 threads checking at once built several registries, and a quantity of one could not be
compared with a unit of another ("Cannot operate with Unit and Unit of different registries").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Once(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._done = False
        self._value: T | None = None
        self.__doc__ = make.__doc__
        self.__wrapped__ = make

    def __call__(self) -> T:
        if not self._done:  # a plain read after the first call: no lock on the hot path
            with self._lock:
                if not self._done:
                    self._value = self._make()
                    self._done = True
        return self._value  # type: ignore[return-value]  # set above, before _done


def once(make: Callable[[], T]) -> Callable[[], T]:
    """``make()``, computed by the first caller while any others wait, then remembered."""
    return _Once(make)
