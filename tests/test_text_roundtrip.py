"""A property: a protocol written by celldose's own CSV writer, rendered as the text a copy
produces (tab-separated, space-aligned, or with its columns run together) and read back, is
the same protocol, or an honest ambiguity that lists the true reading."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celldose.convert.raw import RawProtocol, from_grid
from celldose.convert.writers import to_csv
from celldose.sources.run_together import Outcome, split_row
from celldose.sources.text_table import text_grids

ROUTES = ("intravenous", "intra-articular", "Intra-articular/per side", "Myers cocktail/NAD")


@st.composite
def protocols(draw: st.DrawFn) -> RawProtocol:
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        dose = draw(st.integers(1, 2_000_000_000))
        days = draw(st.integers(1, 30))
        grouped = draw(st.booleans())
        spell = (lambda n: f"{n:,}") if grouped else str
        total = dose * days if draw(st.integers(0, 4)) else draw(st.integers(1, 10**10))
        rows.append(
            {
                "route": draw(st.sampled_from(ROUTES)),
                "dose": spell(dose),
                "days": str(days),
                "total": spell(total),
            }
        )
    return RawProtocol({"protocol": "Knee"}, rows)


def written(protocol: RawProtocol) -> tuple[list[str], list[list[str]]]:
    """The lines above the table as ``Label: value`` text, and the table's rows, as the CSV
    writer wrote them."""
    records = list(csv.reader(io.StringIO(to_csv(protocol).decode("utf-8"))))
    header = next(i for i, r in enumerate(records) if r[0] == "Route of Administration")
    above = [f"{label}: {value}" for label, value in records[:header]]
    return above, records[header:]


def read_back(text: str) -> RawProtocol | list[str]:
    (grid,) = text_grids(text, "pasted")
    return from_grid(grid)


@given(protocols())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_tab_separated_and_aligned_text_read_back_the_same_protocol(
    protocol: RawProtocol,
) -> None:
    above, rows = written(protocol)
    width = max(len(cell) for row in rows for cell in row) + 2
    for render in ("\t".join, lambda row: "".join(c.ljust(width) for c in row).rstrip()):
        text = "\n".join([*above, "", *(render(row) for row in rows)]) + "\n"
        assert read_back(text) == protocol, text


def fits(reading: tuple[str, ...]) -> bool:
    """dose x days = total, as the split search asks of a reading."""
    dose, days, total = (int(text.replace(",", "")) for text in reading)
    return dose * days == total


@given(protocols())
@settings(max_examples=150, deadline=None)
def test_run_together_rows_read_back_or_say_honestly_why_not(protocol: RawProtocol) -> None:
    fields = ("dose", "days", "total")
    expected: list[dict[str, str]] = []
    for row in protocol.rows:
        truth = tuple(row[name] for name in fields)
        split = split_row(row["route"] + "".join(truth), fields)
        assert split is not None and split.route.text == row["route"]
        chosen = tuple(p.text for p in split.chosen.pieces) if split.chosen else None
        others = [tuple(p.text for p in r.pieces) for r in split.others]
        consistent = fits(truth)
        if split.outcome is Outcome.READ and consistent:
            assert chosen == truth  # the one reading that fits is the true one
        elif split.outcome is Outcome.READ:
            # The written row was wrong, and another split of its digits fits the arithmetic
            # (12 | 11 | 2 run together reads as 12 | 1 | 12): the digits alone cannot tell,
            # so the reading is the one that fits, and its info line says how it was read.
            assert chosen is not None and fits(chosen)
        elif split.outcome is Outcome.AMBIGUOUS:
            # listed among the candidates when it fits; the row is not read either way
            assert truth in others if consistent else all(fits(o) for o in others)
        else:  # a wrong total: the closest reading, the others named, and CD301 to follow
            assert split.outcome is Outcome.INCONSISTENT and not consistent
            assert truth == chosen or truth in others or len(others) > 5
        if chosen is not None:
            expected.append({"route": row["route"], **dict(zip(fields, chosen, strict=True))})
    text = "\n".join(
        ["Route of AdministrationDoseTime (Days)Total Cells"]
        + [row["route"] + row["dose"] + row["days"] + row["total"] for row in protocol.rows]
    )
    result = read_back(text + "\n")
    if isinstance(result, RawProtocol):  # every row read, as the splits said
        assert result.rows == expected
    else:
        assert any("readings of" in reason for reason in result)  # an ambiguous row, said so


def test_a_wrong_row_whose_digits_fit_another_split_is_read_as_that_split() -> None:
    """12 | 11 | 2 (a wrong row) run together is 12112, which splits as 12 | 1 | 12, the only
    reading that fits: it is read so, and its info line says how (the written row is lost)."""
    split = split_row("intravenous12112", ("dose", "days", "total"))
    assert split is not None and split.outcome is Outcome.READ and split.chosen is not None
    assert tuple(p.text for p in split.chosen.pieces) == ("12", "1", "12")
