"""The public API as another program uses it: load(), check(), the models and the Report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pint
import pydantic
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import celldose
from conftest import PROTOCOLS, SEED


def test_load_returns_a_typed_immutable_protocol_with_quantities() -> None:
    protocol = celldose.load(SEED)
    assert isinstance(protocol, celldose.Protocol)
    assert protocol.name == "Sacroiliitis"
    myers, joint = protocol.administrations
    assert myers.total is celldose.NA
    assert joint.per_side is True
    assert joint.route_name == "Intra-articular"
    assert isinstance(joint.dose, pint.Quantity)
    assert joint.dose.magnitude == 50_000_000
    assert isinstance(joint.dose.magnitude, int)
    assert str(joint.dose.units) == "cell"
    with pytest.raises(pydantic.ValidationError):
        joint.days = 2  # type: ignore[misc]


def test_literal_and_normalized_seed_are_the_same_protocol() -> None:
    literal = celldose.load(PROTOCOLS / "sacroiliitis.yaml")
    normal = celldose.load(PROTOCOLS / "sacroiliitis-normalized.yaml")
    for a, b in zip(literal.administrations, normal.administrations, strict=True):
        assert (a.dose, a.days, a.total, a.per_side) == (b.dose, b.days, b.total, b.per_side)


def test_the_seed_is_checked_not_merely_accepted(tmp_path: Path) -> None:
    report = celldose.check(SEED)
    assert report.ok and not report.warnings
    assert [d.code for d in report.infos] == ["CD306"]
    wrong = tmp_path / "seed.yaml"
    wrong.write_text(SEED.read_text().replace("total: 50,000,000", "total: 5,000,000"))
    errors = celldose.check(wrong).errors
    assert [(e.code, e.line, e.column) for e in errors] == [("CD301", 13, 12)]
    assert "50,000,000 cells" in errors[0].message and "5,000,000 cells" in errors[0].message


def test_load_raises_protocol_error_with_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("protocol: X\nadministrations:\n  - route: IA\n    days: zero\n")
    with pytest.raises(celldose.ProtocolError) as caught:
        celldose.load(bad)
    assert caught.value.diagnostics[0].code == "CD204"
    assert str(caught.value).startswith(f"{bad}:4:11: CD204")


def test_load_does_not_run_rules(tmp_path: Path) -> None:
    """A loaded protocol may be inconsistent; check() is where the verdict is."""
    path = tmp_path / "p.yaml"
    path.write_text("protocol: X\nadministrations:\n  - {route: IA, dose: 5, days: 2, total: 5}\n")
    assert celldose.load(path).administrations[0].expected_total is not None
    assert [d.code for d in celldose.check(path).errors] == ["CD301"]


def test_check_a_mapping_gives_pointers_not_lines() -> None:
    report = celldose.check(
        {
            "protocol": "X",
            "administrations": [{"route": "IA", "dose": 5e7, "days": 3, "total": 1.5e8}],
        }
    )
    assert report.ok
    report = celldose.check(
        {
            "protocol": "X",
            "administrations": [{"route": "IA", "dose": 5e7, "days": 3, "total": 1e8}],
        }
    )
    (error,) = report.errors
    assert error.line is None and error.pointer == ("administrations", 0, "total")
    assert error.message.endswith("= 150,000,000 cells")


def test_check_a_directory_and_text() -> None:
    report = celldose.check(PROTOCOLS)
    assert report.ok
    sheets = [p for p in PROTOCOLS.iterdir() if p.suffix in (".yaml", ".csv", ".md", ".xlsx")]
    assert len(report.paths) == len(sheets)
    assert celldose.check_text("protocol: X\n", "x.yaml").errors[0].path == "x.yaml"


def test_exact_arithmetic_fifty_million_times_three() -> None:
    report = celldose.check(
        {
            "protocol": "X",
            "administrations": [{"route": "IA", "dose": "5e7", "days": 3, "total": "150,000,000"}],
        }
    )
    assert report.ok
    protocol = celldose.Protocol.model_validate(
        {
            "protocol": "X",
            "administrations": [{"route": "IA", "dose": "5e7", "days": 3, "total": "1.5e8"}],
        }
    )
    total = protocol.administrations[0].expected_total
    assert total is not None and total.magnitude == 150_000_000 and isinstance(total.magnitude, int)


@given(
    dose=st.integers(min_value=1, max_value=10**12),
    days=st.integers(min_value=1, max_value=1000),
    delta=st.integers(min_value=-(10**6), max_value=10**6),
    per_side=st.booleans(),
)
def test_total_rule_agrees_with_integer_arithmetic(
    dose: int, days: int, delta: int, per_side: bool
) -> None:
    total = dose * days + delta
    row = {"route": "intra-articular", "dose": f"{dose:,}", "days": str(days), "per_side": per_side}
    row["total"] = f"{total:,}"
    report = celldose.check({"protocol": "X", "administrations": [row]})
    codes = [d.code for d in report.diagnostics]
    if total <= 0:
        assert codes == ["CD202"]
    elif delta == 0:
        assert codes == []
    else:
        assert codes == ["CD301"]
        assert f"= {dose * days:,} cells" in report.diagnostics[0].message


def test_report_order_is_by_file_then_position_then_pointer() -> None:
    mapping = {
        "protocol": "X",
        "administrations": [
            {"route": "intra-articular", "dose": 5, "days": 2, "total": 5},
            {"route": "intra-articular", "dose": 5, "days": 1},
        ],
    }
    codes = [(d.code, d.pointer) for d in celldose.check(mapping).diagnostics]
    assert codes == [
        ("CD301", ("administrations", 0, "total")),
        ("CD303", ("administrations", 1, "total")),
    ]
    report = celldose.check(Path(__file__).parent / "cases")
    paths = [d.path for d in report.diagnostics]
    assert paths == sorted(paths) and len(set(paths)) > 5


def test_load_refuses_a_file_that_loses_a_value(tmp_path: Path) -> None:
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text(
        "protocol: X\nadministrations:\n  - route: IA\n    days: 1\n"
        "    total: 100 million\n    total: 50 million\n"
    )
    alias = tmp_path / "alias.yaml"
    alias.write_text("protocol: X\nadministrations:\n  - {route: &r IA, days: 1, notes: *r}\n")
    for path, code in ((duplicate, "CD005"), (alias, "CD003")):
        with pytest.raises(celldose.ProtocolError) as caught:
            celldose.load(path)
        assert [d.code for d in caught.value.diagnostics] == [code]


def test_floats_that_cannot_hold_an_exact_count_are_refused() -> None:
    row = {"route": "IA", "dose": 1e23, "days": 1, "total": 1e23}
    report = celldose.check({"protocol": "X", "administrations": [row]})
    assert [d.code for d in report.errors] == ["CD201", "CD201"]
    assert "exact" in report.errors[0].message


@given(st.text(alphabet="ab.Yy_ ", max_size=8) | st.sampled_from(["yaml", ".yaml", "a.", "..md"]))
def test_the_walks_suffix_is_paths_suffix(name: str) -> None:
    """Discovery reads a file name's suffix without building a Path: the same answer."""
    from celldose.formats import suffix_of

    assume(name and "/" not in name and name not in (".", ".."))
    assert suffix_of(name) == Path(name).suffix.lower()


_PART = st.text(alphabet="aAb-_0", min_size=1, max_size=3)


@settings(deadline=None)  # each example runs git check-ignore: slow on a loaded machine
@given(st.lists(st.lists(_PART, min_size=1, max_size=3), min_size=1, max_size=8))
def test_the_walk_finds_and_orders_files_as_paths_would(tree: list[list[str]]) -> None:
    """The walk keeps paths as strings: they read and sort as the Paths they stand for, both
    below a named directory and below ``.`` (``sub/x.yaml``, never ``./sub/x.yaml``)."""
    import contextlib
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp) / "protocols"
        wanted: list[Path] = []
        for parts in tree:
            file = top.joinpath(*parts[:-1], parts[-1] + ".yaml")
            if file.exists() or any(p.is_file() for p in (file.parent, *file.parent.parents)):
                continue
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text("protocol: X\n", encoding="utf-8")
            wanted.append(file)
        assert list(celldose.api.discover([top])) == sorted(wanted)
        with contextlib.chdir(top):
            assert list(celldose.api.discover(["."])) == sorted(p.relative_to(top) for p in wanted)
            labels = [d.path for d in celldose.check_paths(["."]).diagnostics]
            assert set(labels) <= {str(p.relative_to(top)) for p in wanted}


def test_a_quantity_of_another_pint_registry_is_refused_clearly() -> None:
    """pint's own registry has no cells, and its units cannot mix with celldose's: such a
    value is a clear wrong-type finding at its field, never pint's internal error."""
    other: pint.UnitRegistry[Any] = pint.UnitRegistry()
    report = celldose.check(
        {
            "protocol": "X",
            "patient_weight": other.Quantity(70, "kg"),
            "administrations": [
                {
                    "route": "intra-articular",
                    "dose": other.Quantity(5, "meter"),
                    "days": 1,
                    "total": other.Quantity(5, "meter"),
                }
            ],
        }
    )
    found = {(d.code, d.pointer[-1]): d.message for d in report.diagnostics}
    assert set(found) == {("CD103", "patient_weight"), ("CD103", "dose"), ("CD103", "total")}
    assert found[("CD103", "dose")].startswith("dose '5' m is a quantity of another pint unit")
    assert "registry()" in found[("CD103", "total")]
