"""Every rule explains itself, and its examples are true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import celldose
from celldose.model.errors import ErrorType
from celldose.rules import ALL, BY_CODE, BY_NAME, FixSafety, Rule, structure
from celldose.rules.base import Example, example_bytes
from celldose.rules.docs import render


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len(BY_CODE) == len(ALL) and len(BY_NAME) == len(ALL)
    for rule in ALL:
        assert re.fullmatch(r"CD\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.summary and rule.explanation and rule.fix


def check_example(example: Example, rule: Rule, tmp_path: Path) -> set[str]:
    """The codes ``celldose check`` reports for an example saved as a file of its format
    (suppressions applied, so that CD009 can fire)."""
    path = tmp_path / f"example{rule.example_suffix}"
    path.write_bytes(example_bytes(example))
    return {d.code for d in celldose.check_paths([path]).diagnostics}


def test_every_rule_has_a_bad_and_a_good_example() -> None:
    assert [r.code for r in ALL if r.bad is None or r.good is None] == []


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_bad_example_fires_exactly_this_rule(rule: Rule, tmp_path: Path) -> None:
    assert rule.bad is not None
    assert check_example(rule.bad, rule, tmp_path) == {rule.code}


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_good_example_is_clean(rule: Rule, tmp_path: Path) -> None:
    assert rule.good is not None
    assert check_example(rule.good, rule, tmp_path) == set()


def test_the_model_raises_only_errors_a_rule_documents() -> None:
    """pydantic names errors by string: each error type of the value types is a rule's name
    (findings and reading problems carry their rule object, which mypy checks)."""
    assert {t.value for t in ErrorType} <= set(structure.BY_NAME)


def test_fix_safety_is_what_fix_applies() -> None:
    fixable = {r.code: r.fix_safety for r in ALL if r.fix_safety is not FixSafety.NONE}
    assert fixable == {"CD301": FixSafety.UNSAFE, "CD303": FixSafety.SAFE}


def test_rules_page_is_generated_from_the_catalogue() -> None:
    committed = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), "regenerate: python -m celldose.rules.docs > docs/rules.md"
    for rule in ALL:
        assert f'<a id="{rule.code.lower()}"></a>' in committed
        assert rule.url.endswith(f"docs/rules.md#{rule.code.lower()}")
