"""The protocol schema as editors run it: in JavaScript, with ajv (yaml-language-server
validates with the same ECMAScript regular expressions).

Both directions, over every YAML case in tests/cases/ and protocols/, and a few spellings
written here: every document celldose accepts (no error reading it, in its shape or in a field
value: CD0xx-CD2xx) validates against schemas/protocol.schema.json, and every document the
schema rejects gets an error from celldose. Skipped, saying why, where node or npm is absent;
ajv is installed into tests/js/ from its package-lock.json on first run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from celldose import Settings, Severity, check_text
from conftest import PROTOCOLS, ROOT

JS = ROOT / "tests" / "js"
SCHEMA = ROOT / "schemas" / "protocol.schema.json"
ROW = "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 5e7\n"
SPELLINGS = {
    "per-side-upper-case": ROW + "    days: 1\n    total: 5e7\n    per_side: 'TRUE'\n",
    "per-side-spaced": ROW + "    days: 1\n    total: 5e7\n    per_side: ' false '\n",
    "laterality-capitalised": ROW
    + "    days: 1\n    total: 1e8\n    per_side: true\n    laterality: Bilateral\n",
    "laterality-upper-case": ROW
    + "    days: 1\n    total: 5e7\n    per_side: true\n    laterality: 'LEFT '\n",
    "days-as-text": ROW + "    days: '2'\n    total: 1e8\n",
    "per-side-yes": ROW + "    days: 1\n    total: 5e7\n    per_side: 'yes'\n",
    "laterality-both": ROW
    + "    days: 1\n    total: 5e7\n    per_side: true\n    laterality: both\n",
    "days-zero": ROW + "    days: 0\n    total: 5e7\n",
    "unknown-key": ROW + "    days: 1\n    total: 5e7\n    colour: red\n",
}


def ajv() -> Path:
    """tests/js/ with ajv installed, or a skip that says why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the schema in JavaScript (ajv)")
    if not (JS / "node_modules" / "ajv").is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if installed.returncode != 0:
            pytest.skip(f"npm could not install ajv: {installed.stderr.strip()[-300:]}")
    return JS


def documents() -> dict[str, str]:
    found = {
        f"{path.parent.name}/{path.name}": path.read_text(encoding="utf-8")
        for path in [
            *sorted((ROOT / "tests" / "cases").glob("*.yaml")),
            *sorted(PROTOCOLS.glob("*.yaml")),
        ]
    }
    return found | {f"spelling/{name}": text for name, text in SPELLINGS.items()}


def celldose_accepts(name: str, text: str) -> tuple[bool, list[str]]:
    """Whether celldose reads the document as a valid protocol, and its error codes."""
    report = check_text(text, name, settings=Settings.raw())
    errors = [d.code for d in report if d.severity is Severity.ERROR]
    return not any(code < "CD300" for code in errors), errors


def test_javascript_and_celldose_agree_on_every_case() -> None:
    folder = ajv()
    lines, compared = [], {}
    for name, text in documents().items():
        try:
            data = yaml.safe_load(text)
            line = json.dumps({"name": name, "data": data})
        except (yaml.YAMLError, TypeError, ValueError):
            continue  # not plain data (a syntax error, a date): nothing an editor validates
        lines.append(line)
        compared[name] = celldose_accepts(name, text)
    ran = subprocess.run(
        ["node", str(folder / "validate.mjs"), str(SCHEMA)],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr  # the schema compiles in strict ECMAScript
    verdicts = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(verdicts) == len(compared) > 40
    disagreements = []
    for verdict in verdicts:
        accepted, errors = compared[verdict["name"]]
        if accepted and not verdict["valid"]:
            disagreements.append(f"{verdict['name']}: celldose accepts, ajv: {verdict['errors']}")
        if not verdict["valid"] and not errors:
            disagreements.append(f"{verdict['name']}: ajv rejects, celldose reports nothing")
    assert disagreements == []
    by_name = {v["name"]: v["valid"] for v in verdicts}
    for name in (
        "per-side-upper-case",
        "per-side-spaced",
        "laterality-capitalised",
        "days-as-text",
    ):
        assert by_name[f"spelling/{name}"] is True, name
    for name in ("per-side-yes", "laterality-both", "days-zero", "unknown-key"):
        assert by_name[f"spelling/{name}"] is False, name


def test_every_pattern_is_written_for_ecmascript() -> None:
    """No inline flags or other Python-only syntax, whatever node says."""
    text = SCHEMA.read_text(encoding="utf-8")
    for python_only in ("(?i", "(?P<", "(?#", "\\A", "\\Z"):
        assert python_only not in text


def test_hover_titles_come_from_one_schema_per_field() -> None:
    """yaml-language-server shows one title per matching schema: a field written as ``anyOf``
    branches showed "Total Cells || Total Cells". Every field is one schema, with a title and
    a description (laterality's too)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    fields = {**schema["properties"], **schema["$defs"]["Administration"]["properties"]}
    for name, field in fields.items():
        if name == "administrations":
            continue
        assert "anyOf" not in field and "$ref" not in field, name
        assert field["title"] and field["description"], name
    assert fields["laterality"]["examples"] == ["left", "right", "bilateral"]
