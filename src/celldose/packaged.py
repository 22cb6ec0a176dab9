"""celldose's own data files (data/*.yaml), read once each, with libyaml when present.

These files are the package's, not user input: the bounded event reader in ``sources`` is for
protocols. libyaml parses them about eight times faster than PyYAML's pure loader, which
matters on the start-up path of every check (44 ms -> 5 ms for the three files).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def data(name: str) -> dict[str, Any]:
    """The parsed ``data/NAME``; callers must not mutate it."""
    # Imported here, not above: the model reads vocabularies through this module, and the
    # sources import the rules, which import the model.
    from celldose.sources.yaml_source import LOADER

    text = files("celldose").joinpath("data", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    return loaded
