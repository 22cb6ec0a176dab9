"""schemas/protocol.schema.json is exported from the model and must not drift.

Regenerate with ``celldose schema > schemas/protocol.schema.json``.
"""

from __future__ import annotations

import json

from celldose.schema import protocol_schema
from conftest import ROOT


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads((ROOT / "schemas" / "protocol.schema.json").read_text(encoding="utf-8"))
    assert committed == protocol_schema(), (
        "regenerate: celldose schema > schemas/protocol.schema.json"
    )


def test_schema_names_every_field_and_forbids_unknown_keys() -> None:
    schema = protocol_schema()
    assert set(schema["properties"]) == {
        "protocol",
        "condition",
        "product",
        "total_cells",
        "patient_weight",
        "administrations",
    }
    assert schema["required"] == ["protocol", "administrations"]
    assert schema["additionalProperties"] is False
    row = schema["$defs"]["Administration"]
    assert set(row["properties"]) == {
        "route",
        "dose",
        "days",
        "schedule",
        "total",
        "per_side",
        "laterality",
        "product",
        "volume",
        "concentration",
        "sites",
        "vials",
        "discs",
        "notes",
    }
    assert row["additionalProperties"] is False


def test_the_readme_shows_the_editor_schema_line_for_the_committed_schema() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("# yaml-language-server:"))
    assert line.endswith("/schemas/protocol.schema.json")
    assert (ROOT / "schemas" / "protocol.schema.json").is_file()
