"""Fuzzing the loaders: whatever the input, a report comes back and no exception escapes.

``CELLDOSE_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py`` runs a longer campaign.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import celldose
from celldose.rules import BY_CODE
from celldose.rules.reading import UNREADABLE_FILE
from celldose.sources.text import decode

EXAMPLES = int(os.environ.get("CELLDOSE_FUZZ_EXAMPLES", "300"))
KEYS = ["protocol", "administrations", "route", "dose", "days", "total", "per_side", "notes", "x"]
VALUES = [
    "50,000,000", "5e7", "N/A", "1:30", "010", "no", "~", "", "[", "]", "{", "}", "*a", "&a",
    "!!python/object:os.system", "1e400", "10**10**10", "50 million mL", "\t", "'", '"', "-",
    "\u2028", "\x85", "\x00", "\x07", "\ufeff", "---", "...", "? ", ": ", "#", "|", ">",
]  # fmt: skip


def yamlish() -> st.SearchStrategy[str]:
    """Text made of the pieces protocol files and their traps are made of."""
    token = st.one_of(st.sampled_from(KEYS), st.sampled_from(VALUES), st.text(max_size=5))
    line = st.tuples(
        st.integers(min_value=0, max_value=6), st.lists(token, min_size=1, max_size=4)
    ).map(lambda t: " " * t[0] + ": ".join(t[1]))
    return st.lists(line, max_size=12).map("\n".join)


def assert_a_report(report: celldose.Report) -> None:
    for d in report.diagnostics:
        assert d.code in BY_CODE
        assert len(d.message) < 500
        if d.span is not None:
            assert d.span.line >= 1 and d.span.column >= 1


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), yamlish()))
def test_check_text_never_raises(text: str) -> None:
    assert_a_report(celldose.check_text(text, "fuzz.yaml"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=200))
def test_decode_never_raises(raw: bytes) -> None:
    result = decode(raw)
    assert isinstance(result, str) or result.rule is UNREADABLE_FILE


ROW = st.dictionaries(
    st.sampled_from(KEYS), st.one_of(st.integers(), st.floats(), st.text(max_size=12)), max_size=6
)
FIELD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.lists(ROW)
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), FIELD, max_size=6))
def test_check_a_mapping_never_raises(data: dict[str, object]) -> None:
    assert_a_report(celldose.check(data))
