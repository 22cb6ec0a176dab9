"""Schedules in words: exact counts of administrations, timing only where stated, FHIR Timing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.plandefinition import PlanDefinition
from hypothesis import given
from hypothesis import strategies as st

from celldose.api import load
from celldose.cli import main
from celldose.fhir import to_fhir_json
from celldose.model.schedule import Period, ScheduleError, parse_schedule

CASES = Path(__file__).parent / "cases"
TIMES = {1: "once", 2: "twice", 3: "3 times"}


@given(st.sampled_from(sorted(TIMES)), st.integers(min_value=1, max_value=52))
def test_times_a_week_for_weeks_is_their_product(per_week: int, weeks: int) -> None:
    text = f"{TIMES[per_week]} a week for {weeks} week{'s' if weeks > 1 else ''}"
    schedule = parse_schedule(text)
    assert schedule is not None
    assert schedule.count == per_week * weeks
    assert (schedule.frequency, schedule.period, schedule.period_unit) == (
        per_week,
        1,
        Period.WEEK,
    )
    assert (schedule.duration, schedule.duration_unit) == (weeks, Period.WEEK)
    count = per_week * weeks
    assert schedule.reading == f"{text} \u2192 {count} administration{'s' if count > 1 else ''}"


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=8, unique=True))
def test_named_days_count_one_administration_each(days: list[int]) -> None:
    days.sort()
    text = "days " + ", ".join(str(d) for d in days[:-1]) + f" and {days[-1]}"
    schedule = parse_schedule(text)
    assert schedule is not None
    assert schedule.count == len(days)
    assert schedule.on_days == tuple(days)
    assert schedule.frequency is None


@given(st.integers(min_value=1, max_value=99))
def test_every_other_day_x_n_is_n(n: int) -> None:
    schedule = parse_schedule(f"every other day x {n}")
    assert schedule is not None
    assert (schedule.count, schedule.period, schedule.period_unit) == (n, 2, Period.DAY)


@pytest.mark.parametrize(
    "text", ["twice a week", "daily", "weekly", "every other day", "once a month"]
)
def test_how_often_without_how_long_is_refused(text: str) -> None:
    with pytest.raises(ScheduleError, match="duration"):
        parse_schedule(text)


@pytest.mark.parametrize("text", ["14", "sometimes", "1:30", ""])
def test_what_is_not_schedule_words_is_not_a_schedule(text: str) -> None:
    assert parse_schedule(text) is None


def timing_of(path: Path) -> list[Any]:
    plan: Any = PlanDefinition.model_validate_json(to_fhir_json(load(path)))
    return [resource.dosage[0].timing for resource in plan.contained or []]


def test_ryoncil_as_the_label_says_exports_twice_a_week_for_4_weeks() -> None:
    (timing,) = timing_of(CASES / "ryoncil-label.yaml")
    repeat = timing.repeat
    assert (repeat.frequency, repeat.period, repeat.periodUnit) == (2, 1, "wk")
    assert (repeat.boundsDuration.value, repeat.boundsDuration.code) == (4, "wk")
    assert repeat.count == 8


def test_a_count_alone_exports_no_invented_frequency(tmp_path: Path) -> None:
    protocol = tmp_path / "p.yaml"
    protocol.write_text(
        "protocol: P\nadministrations:\n  - route: intravenous\n    dose: 1 million\n"
        "    days: days 1 and 3\n    total: 2 million\n",
        encoding="utf-8",
    )
    (timing,) = timing_of(protocol)
    assert timing.repeat.count == 2
    assert timing.repeat.frequency is None
    assert timing.code.text == "days 1 and 3"


def test_show_prints_how_each_schedule_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(CASES / "schedule-words.yaml")]) == 0
    out = capsys.readouterr().out
    assert "twice a week for 4 weeks \u2192 8 administrations" in out
    assert "once a month, total 3 times \u2192 3 administrations" in out
    assert "Single \u2192 1 administration " in out


def test_convert_keeps_the_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for suffix in ("csv", "md", "xlsx", "yaml"):
        out = tmp_path / f"out.{suffix}"
        assert main(["convert", str(CASES / "schedule-words.yaml"), str(out)]) == 0
        days = [row.days for row in load(out).administrations]
        assert days == [row.days for row in load(CASES / "schedule-words.yaml").administrations]
    fhir = tmp_path / "out.fhir.json"
    assert main(["convert", str(CASES / "ryoncil-label.yaml"), str(fhir)]) == 0
    text = json.loads(fhir.read_text(encoding="utf-8"))["contained"][0]["dosage"][0]["text"]
    assert text.startswith("2 million cells/kg, twice a week for 4 weeks (8 administrations)")
