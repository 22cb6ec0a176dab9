"""Every rule explains itself, and its examples are true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import celldose
from celldose.rules import ALL, BY_CODE, BY_NAME, Rule
from celldose.rules.docs import render
from celldose.sources import yaml_source


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len(BY_CODE) == len(ALL) and len(BY_NAME) == len(ALL)
    for rule in ALL:
        assert re.fullmatch(r"CD\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.summary and rule.explanation and rule.fix


@pytest.mark.parametrize("rule", [r for r in ALL if r.bad], ids=lambda r: r.code)
def test_bad_example_fires_exactly_this_rule(rule: Rule) -> None:
    assert rule.bad is not None
    codes = {d.code for d in celldose.check_text(rule.bad, "bad.yaml").diagnostics}
    assert codes == {rule.code}


@pytest.mark.parametrize("rule", [r for r in ALL if r.good], ids=lambda r: r.code)
def test_good_example_is_clean(rule: Rule) -> None:
    assert rule.good is not None
    assert celldose.check_text(rule.good, "good.yaml").diagnostics == ()


def test_every_rule_name_raised_anywhere_exists() -> None:
    """Sources, value types and rules name rules by string; a misspelt name must fail here."""
    package = Path(yaml_source.__file__).parent.parent
    raised = re.compile(r'(?:SourceProblem|PydanticCustomError|Finding)\(\s*"([a-z-]+)"')
    used = {m for f in package.rglob("*.py") for m in raised.findall(f.read_text("utf-8"))}
    assert len(used) > 10
    assert used <= set(BY_NAME)


def test_rules_page_is_generated_from_the_catalogue() -> None:
    committed = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), "regenerate: python -m celldose.rules.docs > docs/rules.md"
    for rule in ALL:
        assert f'<a id="{rule.code.lower()}"></a>' in committed
        assert rule.url.endswith(f"docs/rules.md#{rule.code.lower()}")
