"""The JSON Schema of the protocol format, exported from the model, shaped for editors.

Editors run the schema in JavaScript (yaml-language-server, with ajv-like validation), so the
export must hold there exactly as celldose reads a file:

- every ``pattern`` is an ECMAScript regular expression (no inline ``(?i)``: case is spelt out
  as character classes where the models accept any case);
- a field pydantic writes as ``anyOf`` branches of distinct types (a count or its text, or
  null) becomes one schema with a list of types: type-specific keywords (``minimum`` for
  numbers, ``pattern`` for strings) apply only to their own type, so the meaning is the same,
  and an editor's hover then matches one schema and shows its title once (with ``anyOf``,
  yaml-language-server showed "Total Cells || Total Cells").

A test runs every case celldose accepts through ajv, and every case ajv rejects through
celldose (which must report it).
"""

from __future__ import annotations

from typing import Any

from celldose.model import Protocol
from celldose.project import SCHEMA_URL

SCHEMA_ID = SCHEMA_URL

_TYPED = {
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "string": {"minLength", "maxLength", "pattern", "format"},
    "boolean": set(),
    "null": set(),
}
"""The keywords that apply to one JSON type only, by type (objects and arrays are not merged)."""
_ANNOTATIONS = {"description", "title", "examples", "default"}


def protocol_schema() -> dict[str, Any]:
    schema = Protocol.model_json_schema(by_alias=True, mode="validation")
    flat = flatten(schema)
    assert isinstance(flat, dict)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **flat}


def flatten(node: object) -> object:
    """``node`` with each ``anyOf`` of distinct simple types merged into one schema."""
    if isinstance(node, list):
        return [flatten(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: flatten(value) for key, value in node.items()}
    branches = node.get("anyOf")
    if not isinstance(branches, list):
        return node
    expanded = _expanded(branches)
    merged = _merged(expanded)
    if merged is None:
        return node
    outer: dict[str, Any] = {key: value for key, value in node.items() if key != "anyOf"}
    for key in ("title", "description", "examples"):  # an inner one, where the field has none
        for branch in expanded:
            if key in branch and key not in outer:
                outer[key] = branch[key]
            elif key == "description" and key in branch and branch[key] not in outer[key]:
                outer[key] += "\n\n" + branch[key]  # the field's, then its type's spellings
    return {**merged, **outer}


def _expanded(branches: list[Any]) -> list[dict[str, Any]]:
    """Branches with a nested ``anyOf`` (a type's own alternatives) lifted into this one."""
    found: list[dict[str, Any]] = []
    for branch in branches:
        inner = branch.get("anyOf") if isinstance(branch, dict) else None
        if isinstance(inner, list) and set(branch) <= {"anyOf", "description"}:
            found += [
                {**b, **({"description": branch["description"]} if "description" in branch else {})}
                for b in inner
            ]
        else:
            found.append(branch)
    return found


def _merged(branches: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One schema meaning the same as ``anyOf: branches``, or None when there is none."""
    types: list[str] = []
    merged: dict[str, Any] = {}
    for branch in branches:
        kind = branch.get("type")
        kinds: list[str] = [k for k in (kind if isinstance(kind, list) else [kind]) if k in _TYPED]
        if not kinds or len(kinds) != (len(kind) if isinstance(kind, list) else 1):
            return None
        if set(kinds) & set(types):
            return None
        allowed = set().union(*(_TYPED[k] for k in kinds))
        keywords = set(branch) - {"type"} - _ANNOTATIONS
        if not keywords <= allowed or keywords & set(merged):
            return None  # a keyword that would constrain another type, or two of one keyword
        types += kinds
        merged.update({k: branch[k] for k in keywords})
    return {"type": types[0] if len(types) == 1 else types, **dict(sorted(merged.items()))}
