"""Codes for the shape of a protocol and the values of its fields (CD1xx, CD2xx).

Emitted by model validation: each value type raises an error whose type is one of these names
(:class:`celldose.model.errors.ErrorType`).
"""

from types import MappingProxyType

from celldose.diagnostics import Severity
from celldose.rules.base import Rule

_ROW = "protocol: Knee\nadministrations:\n  - route: intra-articular\n"
_GOOD = _ROW + "    dose: 10 million\n    days: 2\n    total: 20 million\n"

UNKNOWN_KEY = Rule(
    code="CD101",
    name="unknown-key",
    severity=Severity.ERROR,
    summary="A key that is not a protocol or administration field.",
    explanation=(
        "Unknown keys are reported, never dropped: a misspelt `totl:` would otherwise leave "
        "the row without a total and its number unchecked. Fields of a protocol: protocol, "
        "condition, product, administrations. Fields of an administration: route, dose, days, "
        "total, per_side, product, notes."
    ),
    fix="Correct the key's spelling, or move free text into `notes`.",
    bad=_ROW + "    dose: 10 million\n    days: 2\n    totl: 20 million\n    total: 20 million\n",
    good=_GOOD,
)

MISSING_FIELD = Rule(
    code="CD102",
    name="missing-field",
    severity=Severity.ERROR,
    summary="A required field is missing or empty.",
    explanation=(
        "A protocol needs `protocol` (its name) and at least one administration; an "
        "administration needs `route` and `days`. A missing field is reported at the first "
        "line of the mapping it belongs in. (Dose and total have rules of their own: CD303, "
        "CD304.)"
    ),
    fix="Add the field.",
    bad=_ROW + "    dose: 10 million\n    total: 20 million\n",
    good=_GOOD,
)

WRONG_TYPE = Rule(
    code="CD103",
    name="wrong-type",
    severity=Severity.ERROR,
    summary="A field holds the wrong kind of value (a list where text belongs, say).",
    explanation="Each field has one kind of value; see the protocol format in the README.",
    fix="Write the field as the format describes.",
    bad=_ROW + "    dose: 10 million\n    days: 2\n    total: 20 million\n    per_side: maybe\n",
    good=_GOOD,
)

PER_SIDE_CONFLICT = Rule(
    code="CD104",
    name="per-side-conflict",
    severity=Severity.ERROR,
    summary="`per_side: false` on a route written with a per-side suffix.",
    explanation=(
        "A route such as `Intra-articular/per side` says the dose and total count one side. "
        "`per_side: false` says the opposite; celldose cannot tell which is meant."
    ),
    fix="Remove `per_side: false`, or the `/per side` suffix.",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: Intra-articular/per side\n"
        "    dose: 10 million\n    days: 1\n    total: 10 million\n    per_side: false\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: Intra-articular/per side\n"
        "    dose: 10 million\n    days: 1\n    total: 10 million\n"
    ),
)

INVALID_CELL_COUNT = Rule(
    code="CD201",
    name="invalid-cell-count",
    severity=Severity.ERROR,
    summary="A dose or total that is not a number celldose can read exactly.",
    explanation=(
        "Counts are read by a strict grammar: 50,000,000 / 50000000 / 5e7 / 2.5e7 / "
        "50 million cells / 50M cells / 5 x 10^7 / 5×10⁷ / 50'000'000 / 50.000.000. "
        "Anything else is refused rather than guessed: `5,0` (a comma is only a thousands "
        "separator), `50.000` (50 or 50,000?), `010` (octal in YAML 1.1), exponents beyond "
        "±30, a fraction of a cell."
    ),
    fix="Write the count as digits (<cells> or <number> million cells), or N/A for no cells.",
    bad=_ROW + "    dose: 50.000 million\n    days: 1\n    total: 50.000 million\n",
    good=_ROW + "    dose: 50 million\n    days: 1\n    total: 50 million\n",
)

NON_POSITIVE_COUNT = Rule(
    code="CD202",
    name="non-positive-count",
    severity=Severity.ERROR,
    summary="A dose or total of zero or fewer cells.",
    explanation=(
        "A row that delivers cells delivers at least one; a row that delivers none says N/A."
    ),
    fix="Correct the number, or write N/A for a row that delivers no cells.",
    bad=_ROW + "    dose: 0\n    days: 1\n    total: 0\n",
    good=_ROW + "    dose: 10 million\n    days: 1\n    total: 10 million\n",
)

NOT_A_CELL_COUNT = Rule(
    code="CD203",
    name="not-a-cell-count",
    severity=Severity.ERROR,
    summary="A dose or total in a unit that is not cells or cells per kilogram.",
    explanation=(
        "Cells are their own dimension: `50 million mL` is a volume and `25 million cells/mL` "
        "a concentration; neither is a number of cells, and units that cannot mix are never "
        "converted into each other. A total always counts cells. A dose in another unit is "
        "what a non-cell adjunct row states (`NAD+`, `500 mg`) and is accepted there; on any "
        "other row it is this error, which says what the unit measures (a volume and a "
        "concentration go in `volume:` and `concentration:`)."
    ),
    fix="Write the number of cells (or cells/kg).",
    bad=_ROW + "    dose: 2 mL\n    days: 1\n    total: 2 mL\n",
    good=_ROW + "    dose: 10 million cells\n    days: 1\n    total: 10 million cells\n",
)

INVALID_DAYS = Rule(
    code="CD204",
    name="invalid-days",
    severity=Severity.ERROR,
    summary="`days` is not a positive whole number.",
    explanation=(
        "`days` counts dosing days; the total is dose x days. `0`, `1.5`, `1:30` or `no` "
        "cannot be multiplied into a cell count (YAML 1.1 would read `1:30` as 90 and `no` "
        "as false; celldose reads what was written). Words that are a schedule (`Single`, "
        "`twice a week for 4 weeks`) are read as one (CD210 when they give no count)."
    ),
    fix="Write the number of dosing days as a whole number: days: <number of days>.",
    bad=_ROW + "    dose: 10 million\n    days: 0\n    total: 10 million\n",
    good=_ROW + "    dose: 10 million\n    days: 1\n    total: 10 million\n",
)

UNCOUNTABLE_SCHEDULE = Rule(
    code="CD210",
    name="uncountable-schedule",
    severity=Severity.ERROR,
    summary="A schedule in words that gives no count of administrations.",
    explanation=(
        "`days` may hold a schedule in words: `Single`, `once`, `Twice`, `two infusions`, "
        "`3 times`, `days 1 and 3`, `every other day x 3`, `weekly for 4 weeks`, `twice a "
        "week for 4 weeks`, `once a month, total 3 times`. The total is dose x the number of "
        "administrations x sides, so the words must give that number. `twice a week` says how "
        "often but not for how long, and celldose does not guess a duration; `twice a week for "
        "1 month` is not a whole number (a month is not a whole number of weeks); `twice a week "
        "for 4 weeks, total 9 times` contradicts itself."
    ),
    fix="Add the duration (twice a week for 4 weeks) or the count (8 times).",
    bad=_ROW + "    dose: 10 million\n    days: twice a week\n    total: 80 million\n",
    good=_ROW + "    dose: 10 million\n    days: twice a week for 4 weeks\n    total: 80 million\n",
)

SEVERAL_DOSES = Rule(
    code="CD211",
    name="several-doses",
    severity=Severity.ERROR,
    summary="Several doses in one cell: a study's arms, not one row's dose.",
    explanation=(
        "Review tables list a trial's arms in one cell: `2, 5, 10 x 10^6/kg`, `6 or 18 M`, "
        "`125 M IT, 48 M IM`. A protocol row gives one dose, and its total is that dose times "
        "its administrations; celldose does not pick one. A thousands comma has no space after "
        "it, so `50,000,000` is one number and `5,000, 10,000` two. A range (`1-2 x 10^6/kg`) "
        "is one dose written with its bounds and is read as such."
    ),
    fix="Write one row per dose, or one protocol per study arm.",
    bad=_ROW + "    dose: 2, 5, 10 million\n    days: 1\n    total: 10 million\n",
    good=_ROW + "    dose: 10 million\n    days: 1\n    total: 10 million\n",
)

MEAN_AND_SPREAD = Rule(
    code="CD212",
    name="mean-and-spread",
    severity=Severity.ERROR,
    summary="A dose written as a mean and its spread (`100 ± 20 M`).",
    explanation=(
        "A mean with its standard deviation reports the doses a study's patients received; it "
        "is not a dose anyone can prepare, and celldose cannot multiply it into a total."
    ),
    fix="Write the dose one administration gives (or a range, 80-120 million).",
    bad=_ROW + "    dose: 100 ± 20 million\n    days: 1\n    total: 100 million\n",
    good=_ROW + "    dose: 100 million\n    days: 1\n    total: 100 million\n",
)

INVALID_SITES = Rule(
    code="CD213",
    name="invalid-sites",
    severity=Severity.ERROR,
    summary="`sites`, `vials` or `discs` is not a positive whole number, or they disagree.",
    explanation=(
        "A row may give its dose at several sites in one session (`sites: 4`, `vials: 4`, "
        "`discs: 2`, or `30 million cells x 4 injections` in the dose): the total is dose x "
        "sites x administrations x sides. The count is a positive whole number; a row gives "
        "one of the three, and a count in the dose must agree with the field."
    ),
    fix="Write one whole number of sites, vials or discs.",
    bad=_ROW + "    dose: 30 million\n    days: 1\n    sites: 4.5\n    total: 120 million\n",
    good=_ROW + "    dose: 30 million\n    days: 1\n    sites: 4\n    total: 120 million\n",
)

INVALID_MEASURE = Rule(
    code="CD205",
    name="invalid-measure",
    severity=Severity.ERROR,
    summary="A weight, volume or concentration is not a positive amount in its kind of unit.",
    explanation=(
        "`patient_weight` is a mass (`70 kg`, `154 lb`), `volume` a volume (`2 mL`), and "
        "`concentration` cells per volume (`25 million cells/mL`). Each is read exactly, with "
        "the same number grammar as cell counts, and must carry its unit: a bare `70` could "
        "be kilograms or pounds."
    ),
    fix="Write the amount with its unit: patient_weight: 70 kg, volume: 2 mL, "
    "concentration: 25 million cells/mL.",
    bad=(
        "protocol: GvHD\npatient_weight: 70\nadministrations:\n  - route: intravenous\n"
        "    dose: 1 million cells/kg\n    days: 1\n    total: 70 million\n"
    ),
    good=(
        "protocol: GvHD\npatient_weight: 70 kg\nadministrations:\n  - route: intravenous\n"
        "    dose: 1 million cells/kg\n    days: 1\n    total: 70 million\n"
    ),
)

RULES = (
    UNKNOWN_KEY,
    MISSING_FIELD,
    WRONG_TYPE,
    PER_SIDE_CONFLICT,
    INVALID_CELL_COUNT,
    NON_POSITIVE_COUNT,
    NOT_A_CELL_COUNT,
    INVALID_DAYS,
    INVALID_MEASURE,
    UNCOUNTABLE_SCHEDULE,
    SEVERAL_DOSES,
    MEAN_AND_SPREAD,
    INVALID_SITES,
)
BY_NAME: MappingProxyType[str, Rule] = MappingProxyType({r.name: r for r in RULES})
"""The rules by the names that pydantic errors of the value types carry."""
