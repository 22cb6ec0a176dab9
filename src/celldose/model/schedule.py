"""How many times a row's dose is given, and when, as clinics and papers write it.

A sheet's "Time (Days)" column holds a number of dosing days (``2``) or words: ``Single``,
``Twice``, ``two infusions``, ``days 1 and 3``, ``every other day x 3``, ``weekly for 4
weeks``, ``twice a week for 4 weeks``, ``once a month, total 3 times``. Each is read into a
:class:`Schedule`: a count of administrations, and the timing where the words state one.

Nothing is guessed. Words that state a frequency but no count or duration (``twice a week``)
cannot be multiplied into a total: :class:`ScheduleError` says so and asks for the duration or
the count. A duration in other units than the frequency's period is converted only where that
is exact (``weekly for 28 days`` is 4 weeks; ``twice a week for a month`` is not a count).

Grammar (case-insensitive; spaces, commas and a final period are free)::

    schedule   := count-only | day-list | repeat [duration] [total]
    count-only := "single" ["dose"] | "once" | "twice" | "thrice"
                | number ("dose" | "doses" | "times" | "infusions" | "injections" | ...)
    day-list   := ("day" | "days") integer ("," integer)* [("and" | "&" | ",") integer]
    repeat     := "daily" | "weekly" | "monthly" | "every other day" | "every N days|weeks"
                | times ("a" | "per" | "each") ("day" | "week" | "month") | times "weekly" ...
    times      := "once" | "twice" | "thrice" | number ["times"]
    duration   := "for" number ("days" | "weeks" | "months")
    total      := "x" number | "total" number ["times" | "doses"] | "for" number "doses"
                  (the multiplication sign reads as "x")
    number     := digits | "one" ... "twelve"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

MAX_TEXT = 120
MAX_COUNT = 10**5
"""More administrations than this is no schedule a clinic writes; refused as a misreading."""


class Period(StrEnum):
    """The unit of a schedule's period or duration, with its FHIR ``UnitsOfTime`` code."""

    DAY = "d"
    WEEK = "wk"
    MONTH = "mo"

    @property
    def word(self) -> str:
        return {"d": "day", "wk": "week", "mo": "month"}[self.value]

    def amount(self, n: int) -> str:
        return f"{n} {self.word}{'' if n == 1 else 's'}"


class ScheduleError(ValueError):
    """Schedule words that cannot be read into a count; ``reason`` says why, for a person."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Schedule:
    """A count of administrations, read from words, with the timing they state."""

    text: str
    """The words as written: a converted sheet writes them back unchanged."""
    count: int
    """Administrations over the course: the total is dose x count (x sides)."""
    frequency: int | None = None
    """Administrations per ``period`` (2 in twice a week)."""
    period: int | None = None
    """The period's length in ``period_unit`` (1 in twice a week, 2 in every other day)."""
    period_unit: Period | None = None
    duration: int | None = None
    """The course's length in ``duration_unit`` (4 in for 4 weeks)."""
    duration_unit: Period | None = None
    on_days: tuple[int, ...] = ()
    """The days named (days 1 and 3), as written."""

    @property
    def reading(self) -> str:
        """``twice a week for 4 weeks -> 8 administrations``: how celldose read the words."""
        return f"{self.text} \u2192 {self.administrations}"

    @property
    def administrations(self) -> str:
        return f"{self.count} administration{'' if self.count == 1 else 's'}"

    def __str__(self) -> str:
        return self.text


_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_NUM = r"(?:\d{1,5}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?P<{name}>days?|weeks?|months?)"
_UNITS = {"day": Period.DAY, "week": Period.WEEK, "month": Period.MONTH}
_ADJECTIVES = {"daily": Period.DAY, "weekly": Period.WEEK, "monthly": Period.MONTH}
_GIVINGS = r"(?:doses?|times|infusions?|injections?|administrations?|treatments?|sessions?)"

_COUNT_ONLY = re.compile(
    rf"(?:single(?: dose| infusion| injection)?|(?P<word>once|twice|thrice)"
    rf"|(?P<n>{_NUM}) {_GIVINGS})"
)
_DAY_LIST = re.compile(r"days? (?P<list>\d{1,4}(?:(?: ?, ?| and | ?& ?| ?, and )\d{1,4})+)")
_REPEAT = re.compile(
    rf"(?:(?P<adjective>daily|weekly|monthly)"
    rf"|every other (?P<other>day|week)"
    rf"|every (?P<every>{_NUM}) (?P<every_unit>days|weeks)"
    rf"|(?P<times>once|twice|thrice|{_NUM}(?: times)?)"
    rf" (?:(?:a|per|each|every) (?P<per>day|week|month)|(?P<per_adj>daily|weekly|monthly)))"
    rf"(?: ?,? for (?P<for>{_NUM}) {_UNIT.format(name='for_unit')})?"
    rf"(?: ?,? ?(?:x ?(?P<x>{_NUM})"
    rf"|(?:in )?total(?: of)? (?P<total>{_NUM})(?: {_GIVINGS})?"
    rf"|for (?P<for_doses>{_NUM}) {_GIVINGS}))?"
)


def parse_schedule(text: str) -> Schedule | None:
    """The schedule ``text`` states; None when it is not schedule words at all.

    Raises :class:`ScheduleError` for schedule words without a count (``twice a week``).
    """
    return _parse(text)


@lru_cache(maxsize=1024)
def _parse(text: str) -> Schedule | None:
    if len(text) > MAX_TEXT:  # no schedule is this long; the patterns see short text only
        return None
    words = " ".join(text.replace("\u00d7", " x ").lower().split()).rstrip(".")
    if match := _COUNT_ONLY.fullmatch(words):
        if match.group("word"):
            return _checked(Schedule(text, _TIMES_WORDS[match.group("word")]), text)
        if match.group("n"):
            return _checked(Schedule(text, _number(match.group("n"))), text)
        return Schedule(text, 1)
    if match := _DAY_LIST.fullmatch(words):
        days = tuple(int(d) for d in re.findall(r"\d+", match.group("list")))
        if len(set(days)) != len(days) or list(days) != sorted(days):
            raise ScheduleError(text, "the days named are not in order, or one is named twice")
        return Schedule(text, len(days), on_days=days)
    if match := _REPEAT.fullmatch(words):
        return _checked(_repeat(text, match), text)
    return None


def _repeat(text: str, match: re.Match[str]) -> Schedule:
    frequency, period, unit = _frequency(match)
    stated = match.group("x") or match.group("total") or match.group("for_doses")
    duration = _number(match.group("for")) if match.group("for") else None
    duration_unit = _UNITS[match.group("for_unit").rstrip("s")] if duration else None
    timing = {
        "frequency": frequency,
        "period": period,
        "period_unit": unit,
        "duration": duration,
        "duration_unit": duration_unit,
    }
    from_duration = _from_duration(frequency, period, unit, duration, duration_unit)
    if stated is not None:
        count = _number(stated)
        if from_duration is not None and from_duration != count:
            raise ScheduleError(
                text,
                f"states {count} administrations, but {frequency} {_per(period, unit)} for "
                f"{duration_unit.amount(duration or 0) if duration_unit else ''} is "
                f"{from_duration}",
            )
        return Schedule(text, count, **timing)  # type: ignore[arg-type]
    if duration is None or duration_unit is None:
        raise ScheduleError(
            text,
            "gives how often but not for how long, so the number of administrations is "
            f"unknown: add the duration ('{text} for 4 weeks') or the count ('8 times')",
        )
    if from_duration is None:
        raise ScheduleError(
            text,
            f"{frequency} {_per(period, unit)} for {duration_unit.amount(duration)} is not "
            "a whole number of administrations: give the duration in the period's unit, or "
            "the count ('8 times')",
        )
    return Schedule(text, from_duration, **timing)  # type: ignore[arg-type]


def _frequency(match: re.Match[str]) -> tuple[int, int, Period]:
    """(administrations, per this many, units)."""
    if adjective := match.group("adjective"):
        return 1, 1, _ADJECTIVES[adjective]
    if other := match.group("other"):
        return 1, 2, _UNITS[other]
    if every := match.group("every"):
        return 1, _number(every), _UNITS[match.group("every_unit").rstrip("s")]
    times = match.group("times").removesuffix(" times")
    frequency = _TIMES_WORDS.get(times) or _number(times)
    per = match.group("per")
    unit = _UNITS[per] if per else _ADJECTIVES[match.group("per_adj")]
    return frequency, 1, unit


_DAYS_IN = {Period.DAY: 1, Period.WEEK: 7}


def _from_duration(
    frequency: int, period: int, unit: Period, duration: int | None, duration_unit: Period | None
) -> int | None:
    """frequency x duration / period, where it is a whole number and the units convert exactly."""
    if duration is None or duration_unit is None:
        return None
    if duration_unit is unit:
        length = duration
    elif unit in _DAYS_IN and duration_unit in _DAYS_IN:  # weeks and days convert; months do not
        days = duration * _DAYS_IN[duration_unit]
        if days % _DAYS_IN[unit]:
            return None
        length = days // _DAYS_IN[unit]
    else:
        return None
    if (frequency * length) % period:
        return None
    return frequency * length // period


def _per(period: int, unit: Period) -> str:
    return f"per {unit.word}" if period == 1 else f"per {unit.amount(period)}"


def _number(text: str) -> int:
    return _NUMBER_WORDS.get(text) or int(text)


def _checked(schedule: Schedule, text: str) -> Schedule:
    if not 1 <= schedule.count <= MAX_COUNT:
        raise ScheduleError(
            text, f"{schedule.count:,} administrations is not a count a schedule can have"
        )
    return schedule


def schedule_as_days(data: object, validate: Callable[[object], object]) -> object:
    """A row that gives ``schedule:`` and no ``days`` counts its administrations by it.

    ``validate`` is the days validator: a schedule it refuses is reported once, at
    ``schedule``, so ``days`` gets a placeholder that never outlives the failed row.
    """
    if not isinstance(data, Mapping) or data.get("schedule") is None:
        return data
    if data.get("days") is not None:
        return data
    try:
        validate(data["schedule"])
    except ValueError:  # PydanticCustomError is a ValueError
        return {**data, "days": 1}
    return {**data, "days": data["schedule"]}
