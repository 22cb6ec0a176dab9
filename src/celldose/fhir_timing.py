"""A schedule read from words as a FHIR R4 ``Timing``: only what the words state.

``twice a week for 4 weeks`` is ``repeat`` frequency 2 per 1 ``wk``, ``boundsDuration`` 4
weeks and ``count`` 8; ``every other day x 3`` is frequency 1 per 2 ``d`` and count 3;
``Twice`` and ``days 1 and 3`` are a count alone, with the words in ``code.text``. Nothing is
invented: a schedule that names no frequency gets none.
"""

from __future__ import annotations

from celldose.model.schedule import Schedule

UCUM = "http://unitsofmeasure.org"


def schedule_timing(schedule: Schedule) -> dict[str, object]:
    repeat: dict[str, object] = {}
    if schedule.duration is not None and schedule.duration_unit is not None:
        repeat["boundsDuration"] = {
            "value": schedule.duration,
            "unit": schedule.duration_unit.word + ("" if schedule.duration == 1 else "s"),
            "system": UCUM,
            "code": schedule.duration_unit.value,
        }
    repeat["count"] = schedule.count
    if schedule.frequency is not None and schedule.period_unit is not None:
        repeat["frequency"] = schedule.frequency
        repeat["period"] = schedule.period
        repeat["periodUnit"] = schedule.period_unit.value
    return {"repeat": repeat, "code": {"text": schedule.text}}


def schedule_text(schedule: Schedule) -> str:
    """``twice a week for 4 weeks (8 administrations)``, for a Dosage's text."""
    return f"{schedule.text} ({schedule.administrations})"
