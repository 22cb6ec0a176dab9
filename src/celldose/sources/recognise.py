"""Is this YAML file meant to be a protocol? The folder walk (and ``--force-exclude``,
for pre-commit, which names every file) skips a YAML file that is not: a workflow, a
``.pre-commit-config.yaml``, a compose file.

The rule leans one way on purpose: a broken protocol must never be skipped silently, so a
file is skipped only when nothing in it points to a protocol. It is a protocol candidate when
its top level (or, for a top-level list, one of its items) has a key that is, or nearly is
(a typo such as ``protocl:`` or ``Administration:``), one of :data:`MARKERS`. A file that
could not be read as data at all (a syntax error, an empty file) is checked: there is nothing
to tell it by, and its problem is reported.
"""

from __future__ import annotations

from difflib import SequenceMatcher

MARKERS = ("protocol", "administrations")
"""The top-level keys of a protocol; either one makes a file a protocol candidate."""
ROW_MARKERS = ("route", "dose", "days", "total")
"""The keys of an administration row: a top-level list of rows is a protocol written wrong."""
_CLOSE = 0.8
"""How alike a key must be to a marker to count as a typo of it (difflib's ratio): ``protocl``
and ``administration`` are; ``repos``, ``jobs``, ``services``, ``version`` are not."""


def is_protocol_candidate(data: object) -> bool:
    """Whether a YAML document's data may be a protocol (then it is checked)."""
    if data is None:
        return True
    if isinstance(data, dict):
        return _has_marker(data, MARKERS)
    if isinstance(data, list):
        return any(isinstance(item, dict) and _has_marker(item, ROW_MARKERS) for item in data)
    return False  # a lone scalar: text, a number


def _has_marker(mapping: dict[object, object], markers: tuple[str, ...]) -> bool:
    return any(isinstance(key, str) and _near(key, markers) for key in mapping)


def _near(key: str, markers: tuple[str, ...]) -> bool:
    folded = key.strip().lower().replace("-", "_")
    for marker in markers:
        if folded == marker or SequenceMatcher(None, folded, marker).ratio() >= _CLOSE:
            return True
    return False
