"""The types of the errors the value types raise, one per rule that documents them.

pydantic names an error by a string; each of these is the name of a structure rule (CD1xx,
CD2xx, :mod:`celldose.rules.structure`), and :mod:`celldose.validation` turns the error into a
finding of that rule. The model sits below the rules, so it names them, and a test checks that
every name here is a rule's.
"""

from enum import StrEnum


class ErrorType(StrEnum):
    WRONG_TYPE = "wrong-type"
    PER_SIDE_CONFLICT = "per-side-conflict"
    INVALID_CELL_COUNT = "invalid-cell-count"
    NON_POSITIVE_COUNT = "non-positive-count"
    NOT_A_CELL_COUNT = "not-a-cell-count"
    INVALID_DAYS = "invalid-days"
    UNCOUNTABLE_SCHEDULE = "uncountable-schedule"
    SEVERAL_DOSES = "several-doses"
    MEAN_AND_SPREAD = "mean-and-spread"
    INVALID_SITES = "invalid-sites"
    INVALID_MEASURE = "invalid-measure"
