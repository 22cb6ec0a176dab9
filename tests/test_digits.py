"""Digits from other scripts are refused with their code points; ASCII and full-width digits
are read, one kind per number (issue 17: Bengali 14 read as 14, and 1 with a Bengali 4 as 18)."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import celldose
from celldose.cli import main
from celldose.units.digits import FULL_WIDTH
from celldose.units.parse import AmountSyntaxError, parse_amount

DECIMALS = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isdecimal()]
FOREIGN = [c for c in DECIMALS if not c.isascii() and ord(c) not in FULL_WIDTH]


def _row(dose: str, days: object = 1) -> dict[str, object]:
    return {"protocol": "P", "administrations": [
        {"route": "IV", "dose": dose, "days": days, "total": dose}
    ]}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    foreign=st.sampled_from(FOREIGN),
    before=st.text("0123456789", max_size=3),
    after=st.text("0123456789", max_size=3),
)
def test_a_digit_of_another_script_is_refused_with_its_code_point(
    foreign: str, before: str, after: str
) -> None:
    text = before + foreign + after
    with pytest.raises(AmountSyntaxError) as caught:
        parse_amount(text)
    named = f"U+{ord(foreign):04X} {unicodedata.name(foreign)}"
    assert named in caught.value.reason
    plain = before + str(unicodedata.decimal(foreign)) + after
    assert f"write {plain}" in caught.value.reason


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_full_width_digits_read_as_their_ascii_twins(number: int) -> None:
    wide = "".join(chr(0xFF10 + int(d)) for d in str(number))
    assert parse_amount(wide).value == number == parse_amount(str(number)).value


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=10, max_value=10**12), st.data())
def test_mixing_ascii_and_full_width_digits_is_refused(number: int, data: st.DataObject) -> None:
    digits = str(number)
    at = data.draw(st.integers(min_value=0, max_value=len(digits) - 1))
    mixed = digits[:at] + chr(0xFF10 + int(digits[at])) + digits[at + 1 :]
    with pytest.raises(AmountSyntaxError) as caught:
        parse_amount(mixed)
    assert "mixes ASCII digits with full-width U+FF1" in caught.value.reason


@pytest.mark.parametrize(
    ("dose", "shown"),
    [
        ("\u09e7\u09ea", "U+09E7 BENGALI DIGIT ONE, U+09EA BENGALI DIGIT FOUR"),
        ("1\u09ea", "U+09EA BENGALI DIGIT FOUR"),
        ("5\u09e6,000,000", "U+09E6 BENGALI DIGIT ZERO"),
        ("\u0665\u0660 million", "U+0665 ARABIC-INDIC DIGIT FIVE"),
        ("5\uff10", "full-width U+FF10 FULLWIDTH DIGIT ZERO"),
    ],
)
def test_the_cli_refuses_the_dose_under_cd201(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dose: str, shown: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        f"protocol: P\nadministrations:\n  - route: IV\n    dose: {dose}\n    days: 1\n"
        "    total: 50,000,000\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "CD201" in out and shown in out


def test_days_in_another_script_are_refused() -> None:
    codes = [(d.code, d.message) for d in celldose.check(_row("10", "\u09e7")).diagnostics]
    assert codes and codes[0][0] == "CD204" and "U+09E7 BENGALI DIGIT ONE" in codes[0][1]


def test_full_width_counts_still_check() -> None:
    wide = "\uff15\uff10,\uff10\uff10\uff10,\uff10\uff10\uff10"  # 50,000,000
    assert celldose.check(_row(wide)).diagnostics == ()
