"""A total that counts a course's doses where ``days`` holds the course's length, or the
sites of one session where the row states none.

RYONCIL's label gives 2 million MSC/kg twice a week for 4 weeks: 8 doses. Typed as
``days: 28``, the row multiplies by 28. When a written total is the dose times a whole number
of doses that fits the days as weeks (8 doses in 28 days is twice a week for 4 weeks), CD301's
fix line names that schedule, so the user can write it instead of changing the total.
"""

from __future__ import annotations

from fractions import Fraction

from celldose.model import Administration

MAX_SITES_HINTED = 50
"""More sites than this in one session (24 intramuscular injections is a real one) is more
likely a wrong total than a count of sites: no hint."""
_TIMES = {1: "once", 2: "twice", 3: "three times"}


def course_hint(row: Administration, doses: Fraction) -> str:
    """``; if 28 days is the course's length, ...``, or nothing when no schedule fits."""
    return _sites_hint(row, doses) or _schedule_hint(row, doses)


def _sites_hint(row: Administration, doses: Fraction) -> str:
    """A one-day row whose total is k doses: k sites, vials or discs in one session?"""
    if row.days != 1 or row.per_session != 1 or doses.denominator != 1:
        return ""
    if not 1 < doses <= MAX_SITES_HINTED:
        return ""
    count = doses.numerator
    return (
        f"; if the dose is given at {count} sites (or from {count} vials) in one session, "
        f"write sites: {count} (or vials: {count})"
    )


def _schedule_hint(row: Administration, doses: Fraction) -> str:
    days = row.days
    if not isinstance(days, int) or days % 7 or doses.denominator != 1:
        return ""
    count, weeks = doses.numerator, days // 7
    if count <= 0 or count >= days or count % weeks:
        return ""
    per_week = count // weeks
    often = _TIMES.get(per_week, f"{per_week} times")
    return (
        f"; if {days} days is the course's length and the total counts {count} doses, write "
        f"the schedule: days: {often} a week for {weeks} week{'s' if weeks != 1 else ''}"
    )
