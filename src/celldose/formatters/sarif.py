"""SARIF 2.1.0, for code scanning (GitHub and others), with every rule's metadata.

https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

What lets GitHub track a finding:

- artifact URIs are relative to the repository's root (the nearest folder above the current
  one that holds ``.git``; else the current folder) with ``uriBaseId: "%SRCROOT%"``, whatever
  folder celldose ran from; a file outside it keeps its absolute ``file://`` URI;
- ``partialFingerprints`` holds the baseline's key (code, path, worksheet, data pointer,
  message: never a line), hashed, so a finding keeps its identity when lines move;
- a workbook's finding is located as its cell (``Sheet!B4``) in a logical location, never as a
  line and column inside the zip archive;
- a finding in a text file without a position (an empty file) gets the region of line 1.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path, PurePath
from urllib.parse import quote

from celldose.diagnostics import Diagnostic, Report, Severity, json_pointer
from celldose.escape import utf8
from celldose.formats import for_path
from celldose.formatters.cells import place_name
from celldose.formatters.context import PLAIN, RenderContext
from celldose.formatters.json_format import tool_version
from celldose.project import REPOSITORY
from celldose.rules import ALL, Rule
from celldose.rules.docs import explain

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "celldoseFinding/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INDEX = {rule.code: index for index, rule in enumerate(ALL)}


def render(report: Report, context: RenderContext = PLAIN) -> str:
    cwd = Path.cwd()
    root = repository_root(cwd)
    seen: Counter[str] = Counter()
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "celldose",
                        "version": tool_version(),
                        "informationUri": REPOSITORY,
                        "rules": [_rule(rule) for rule in ALL],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",  # celldose counts characters, not UTF-16 units
                "results": [_result(d, root, cwd, seen) for d in report.diagnostics],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def repository_root(cwd: Path) -> Path:
    """The nearest folder at or above ``cwd`` holding ``.git`` (a folder, or a worktree's
    file); ``cwd`` itself outside a repository."""
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return cwd


def _rule(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": _pascal(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": f"{rule.explanation}\n\nFix: {rule.fix}", "markdown": _markdown(rule)},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
    }


def _markdown(rule: Rule) -> str:
    """The rules page's entry (explanation, fix, a failing and a passing example), without
    its HTML anchor: what GitHub shows under "Show more"."""
    lines = explain(rule).strip("\n").splitlines()
    return "\n".join(line for line in lines if not line.startswith("<a id=")).strip() + "\n"


def _result(d: Diagnostic, root: Path, cwd: Path, seen: Counter[str]) -> dict[str, object]:
    artifact = artifact_location(d.path, root, cwd)
    location: dict[str, object] = {"physicalLocation": {"artifactLocation": artifact}}
    cell = place_name(d)
    if cell is not None:
        location["logicalLocations"] = [
            {
                "name": utf8(cell.rpartition("!")[2]),
                "fullyQualifiedName": utf8(cell),
                "kind": "element",
            }
        ]
    elif d.span is not None:
        location["physicalLocation"] = {"artifactLocation": artifact, "region": _region(d)}
    elif not d.path.startswith("<") and not for_path(d.path).binary:  # e.g. an empty file
        location["physicalLocation"] = {"artifactLocation": artifact, "region": {"startLine": 1}}
    key = fingerprint(d, str(artifact["uri"]))
    seen[key] += 1
    return {
        "ruleId": d.code,
        "ruleIndex": _INDEX[d.code],
        "level": _LEVEL[d.severity],
        "message": {"text": utf8(d.message + (f" Fix: {d.fix}" if d.fix else ""))},
        "locations": [location],
        # The same finding twice in one file: the second is told apart by its count.
        "partialFingerprints": {FINGERPRINT: key if seen[key] == 1 else f"{key}:{seen[key]}"},
    }


def _region(d: Diagnostic) -> dict[str, int]:
    assert d.span is not None
    span = d.span
    one_line = span.end_line == span.line
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": max(span.end_column, span.column + 1) if one_line else span.end_column,
    }


def fingerprint(d: Diagnostic, uri: str) -> str:
    """The baseline's key of a finding (with the path as the URI from the root), hashed."""
    key = "\0".join((d.code, uri, d.sheet or "", json_pointer(d.pointer), d.message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def artifact_location(path: str, root: Path, cwd: Path) -> dict[str, str]:
    """Relative to the repository root, under ``%SRCROOT%``; ``<stdin>`` as it is; a file
    outside the root as its absolute ``file://`` URI."""
    if path.startswith("<"):
        return {"uri": quote(os.fsencode(path))}
    absolute = Path(os.path.normpath(cwd / path))
    try:
        inside = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    # a name that is not valid UTF-8 is encoded from its bytes: the URI is exact and ASCII
    return {"uri": quote(os.fsencode(PurePath(inside).as_posix())), "uriBaseId": SRCROOT}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
