"""The project's addresses, chosen once: ``pyproject.toml``'s ``[project.urls]`` states the same
(a test keeps the two equal), and rule links, the schema's ``$id`` and SARIF's tool entry are
built from these, never spelled again elsewhere."""

REPOSITORY = "https://github.com/celldose/celldose"
DOCUMENTATION = f"{REPOSITORY}/blob/main/docs"
ISSUES = f"{REPOSITORY}/issues"
RULES_PAGE = f"{DOCUMENTATION}/rules.md"
RULE_URL = RULES_PAGE + "#{code}"
"""A rule's entry on the rules page; ``code`` is the rule's code in lower case."""
SCHEMA_URL = "https://raw.githubusercontent.com/celldose/celldose/main/schemas/protocol.schema.json"
"""Where editors fetch the protocol schema from, and so its ``$id``."""

URLS = {
    "Homepage": REPOSITORY,
    "Documentation": DOCUMENTATION,
    "Repository": REPOSITORY,
    "Issues": ISSUES,
    "Changelog": f"{REPOSITORY}/releases",
}
"""``[project.urls]`` as pyproject.toml states it."""


def rule_url(code: str) -> str:
    """The documentation of the rule with this code."""
    return RULE_URL.format(code=code.lower())
