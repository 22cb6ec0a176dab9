"""Configuration: which rules run, at which severity, on which files. The one home of it.

A configuration is the ``[tool.celldose]`` table of a ``pyproject.toml``, or the top level of a
``celldose.toml``. Each checked file uses the nearest one, searched upward from its folder: a
``celldose.toml`` beats a ``pyproject.toml`` in the same folder, and a ``pyproject.toml``
without ``[tool.celldose]`` does not count (the search goes on upward). ``--config FILE``
names one for every file instead. Command-line flags (:class:`Overrides`) apply on top.

Keys:

* ``select``: rule codes or code prefixes (``"CD3"``) to report; default all;
* ``ignore``: codes or prefixes not to report (they win over ``select``);
* ``severity``: a table of code -> ``"error"`` | ``"warning"`` | ``"info"``;
* ``per-file-ignores``: a table of glob -> codes or prefixes; the glob is matched with
  :func:`fnmatch.fnmatchcase` against the file's path relative to the configuration's folder,
  in posix form (a glob without ``/`` is also matched against the file's name);
* ``strict``: warnings fail the check (like ``--fail-on warning``);
* ``normalize-counts``: ``"grouped"`` or ``"plain"``: ``check --fix`` respells the file's cell
  counts written otherwise (``5e7``, ``50 million``) as ``50,000,000`` or ``50000000``. Opt-in:
  a spelling is the user's to choose, so without the key no count is respelled;
* ``include``: globs (matched as ``per-file-ignores`` globs are) of more files a folder walk
  reads: pasted text (``.txt``), web pages (``.html``, ``.htm``) and Word documents
  (``.docx``) are read in folders only when included, because a repository's notes and pages
  are not protocols by default (``include = ["clinic/*.html", "*.docx"]``). A file included
  that holds no protocol table is skipped, as a README is.

A bad configuration is a usage error (:class:`ConfigError`), never silently ignored: a
misspelt key or code would otherwise leave a rule on, or off, without anyone knowing.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePath
from typing import Any, Literal, get_args

from celldose.diagnostics import Diagnostic, Report, Severity
from celldose.paths import relative
from celldose.rules import ALL, BY_CODE

CONFIG_NAME = "celldose.toml"
PYPROJECT_NAME = "pyproject.toml"
KEYS = (
    "select",
    "ignore",
    "severity",
    "per-file-ignores",
    "strict",
    "normalize-counts",
    "include",
)
CountSpelling = Literal["grouped", "plain"]
"""How ``normalize-counts`` spells a count: ``50,000,000`` (grouped) or ``50000000`` (plain)."""
COUNT_SPELLINGS: tuple[CountSpelling, ...] = get_args(CountSpelling)
_PREFIX = re.compile(r"CD\d{0,3}")
_SEVERITIES = tuple(s.value for s in Severity)


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class Config:
    """One configuration file, validated."""

    path: Path
    """The file, as an absolute path."""
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    strict: bool = False
    normalize_counts: CountSpelling | None = None
    """The spelling ``--fix`` respells cell counts in; None: counts stay as written."""
    include: tuple[str, ...] = ()
    """Globs of files a folder walk reads besides the formats it reads everywhere."""

    @property
    def folder(self) -> Path:
        return self.path.parent


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line says, on top of any file: ``--select``, ``--ignore``, ``--strict``.

    ``--select`` replaces the file's ``select`` and ``ignore``; ``--ignore`` ignores more on top.
    ``per-file-ignores`` and ``severity`` of the file still apply.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    strict: bool = False


def parse_codes(text: str, option: str) -> tuple[str, ...]:
    """Comma-separated codes or prefixes from the command line (``--select CD3,CD401``)."""
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    for code in codes:
        _check_code(code, option)
    return codes


def load(path: Path) -> Config:
    """Load a configuration file named by the user (``--config``); raises :class:`ConfigError`."""
    shown = os.fspath(path)
    if not path.is_file():
        raise ConfigError(f"{shown}: no such configuration file")
    config = _load(path, shown)
    if config is None:
        raise ConfigError(f"{shown}: no [tool.celldose] table")
    return config


class Resolver:
    """Finds each checked file's configuration: the nearest one upward, or the one given."""

    def __init__(
        self, explicit: Config | None = None, cwd: Path | None = None, *, search: bool = True
    ) -> None:
        self._explicit = explicit
        self._search = search
        self._cwd = (cwd or Path.cwd()).absolute()
        self._folders: dict[Path, Config | None] = {}
        self._by_dirname: dict[str, Config | None] = {}

    def for_file(self, path: str) -> Config | None:
        """The configuration of the file reported as ``path`` (stdin: by its name's folder)."""
        if self._explicit is not None or not self._search:
            return self._explicit
        # Files come by the thousand from a few folders: remember each folder as reported.
        dirname = os.path.split(path)[0]  # Path(path).parent, without building a Path
        if dirname not in self._by_dirname:
            self._by_dirname[dirname] = self._for_folder(self._absolute(path).parent)
        return self._by_dirname[dirname]

    def _absolute(self, path: str) -> Path:
        return Path(os.path.normpath(self._cwd / path))

    def _for_folder(self, folder: Path) -> Config | None:
        visited: list[Path] = []
        found: Config | None = None
        current = folder
        while True:
            if current in self._folders:
                found = self._folders[current]
                break
            visited.append(current)
            found = self._in_folder(current)
            if found is not None or current.parent == current:
                break
            current = current.parent
        for seen in visited:
            self._folders[seen] = found
        return found

    def _in_folder(self, folder: Path) -> Config | None:
        for name in (CONFIG_NAME, PYPROJECT_NAME):
            candidate = folder / name
            if candidate.is_file():
                config = _load(candidate, self._label(candidate))
                if config is not None:
                    return config
        return None

    def _label(self, path: Path) -> str:
        try:
            return path.relative_to(self._cwd).as_posix()
        except ValueError:
            return os.fspath(path)

    def relative(self, path: str, config: Config) -> str:
        """``path`` relative to ``config``'s folder, in posix form, for per-file-ignores."""
        return relative(path, config.folder, self._cwd)

    def included(self, path: str) -> bool:
        """Whether the configuration of the file at ``path`` includes it (``include``)."""
        config = self.for_file(path)
        if config is None or not config.include:
            return False
        posix = self.relative(path, config)
        name = PurePath(posix).name
        return any(_glob(pattern, posix, name) for pattern in config.include)


@dataclass(frozen=True, slots=True)
class Applied:
    """A report filtered and re-graded by configuration, and whether warnings must fail."""

    report: Report
    strict: bool


def apply(report: Report, resolver: Resolver, overrides: Overrides) -> Applied:
    """Drop the findings no configuration selects, and set the severities configured.

    Raises :class:`ConfigError` for a bad configuration file found on the way.
    """
    configs = {path: resolver.for_file(path) for path in report.paths}
    kept: list[Diagnostic] = []
    for diagnostic in report.diagnostics:
        path = diagnostic.path
        if path not in configs:
            configs[path] = resolver.for_file(path)
        config = configs[path]
        if not _enabled(diagnostic.code, path, config, overrides, resolver):
            continue
        severity = dict(config.severity).get(diagnostic.code) if config is not None else None
        if severity is not None and severity != diagnostic.severity:
            diagnostic = dataclasses.replace(diagnostic, severity=severity)
        kept.append(diagnostic)
    strict = overrides.strict or any(c.strict for c in configs.values() if c is not None)
    return Applied(report.keeping(kept), strict)


def _enabled(
    code: str, path: str, config: Config | None, overrides: Overrides, resolver: Resolver
) -> bool:
    enabled = True
    if config is not None:
        if config.select is not None:
            enabled = _matches(code, config.select)
        if _matches(code, config.ignore):
            enabled = False
    if overrides.select is not None:
        enabled = _matches(code, overrides.select)
    if _matches(code, overrides.ignore):
        enabled = False
    if enabled and config is not None and config.per_file_ignores:
        relative = resolver.relative(path, config)
        name = PurePath(relative).name
        for pattern, codes in config.per_file_ignores:
            if _matches(code, codes) and _glob(pattern, relative, name):
                return False
    return enabled


def _glob(pattern: str, relative: str, name: str) -> bool:
    """The file's path relative to the configuration matches, or its name (a glob without /)."""
    return fnmatchcase(relative, pattern) or ("/" not in pattern and fnmatchcase(name, pattern))


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def _load(path: Path, label: str) -> Config | None:
    """A file's configuration; None for a pyproject.toml without ``[tool.celldose]``."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    if path.name == PYPROJECT_NAME:
        tool = document.get("tool")
        if not isinstance(tool, dict) or "celldose" not in tool:
            return None
        table, where = tool["celldose"], f"{label}: [tool.celldose]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table, got {_kind(table)}")
    else:
        table, where = document, f"{label}:"
    return _validate(table, path, where)


def _validate(table: Mapping[str, Any], path: Path, where: str) -> Config:
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the keys are {', '.join(KEYS)}"
            raise ConfigError(f"{where} {key}: unknown key{hint}")
    select = _codes(table["select"], f"{where} select") if "select" in table else None
    ignore = _codes(table.get("ignore", []), f"{where} ignore")
    severity = _severity(table.get("severity", {}), f"{where} severity")
    per_file = _per_file(table.get("per-file-ignores", {}), f"{where} per-file-ignores")
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{where} strict: expected true or false, got {_kind(strict)}")
    spelling = _spelling(table.get("normalize-counts"), f"{where} normalize-counts")
    include = _globs(table.get("include", []), f"{where} include")
    return Config(
        path=path.absolute(),
        select=select,
        ignore=ignore,
        severity=severity,
        per_file_ignores=per_file,
        strict=strict,
        normalize_counts=spelling,
        include=include,
    )


def _globs(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
        raise ConfigError(f"{where}: expected a list of file globs, got {_kind(value)}")
    return tuple(value)


def _spelling(value: object, where: str) -> CountSpelling | None:
    """``normalize-counts``: absent (None), or one of :data:`COUNT_SPELLINGS`."""
    if value is None:
        return None
    for spelling in COUNT_SPELLINGS:
        if value == spelling:
            return spelling
    names = " or ".join(f'"{s}"' for s in COUNT_SPELLINGS)
    raise ConfigError(f"{where}: expected {names}, got {_kind(value)}")


def _codes(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of rule codes, got {_kind(value)}")
    for code in value:
        _check_code(code, where)
    return tuple(value)


def _check_code(code: object, where: str) -> None:
    if not isinstance(code, str):
        raise ConfigError(f"{where}: expected a rule code such as 'CD301', got {_kind(code)}")
    if not _PREFIX.fullmatch(code) or not any(known.startswith(code) for known in BY_CODE):
        raise ConfigError(f"{where}: unknown rule code {code!r}")


def _severity(value: object, where: str) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of rule code = severity, got {_kind(value)}")
    pairs: list[tuple[str, Severity]] = []
    for code, level in value.items():
        if code not in BY_CODE:
            raise ConfigError(f"{where}: unknown rule code {code!r}")
        if level not in _SEVERITIES:
            raise ConfigError(
                f'{where}.{code}: expected "error", "warning" or "info", got {_kind(level)}'
            )
        pairs.append((code, Severity(level)))
    return tuple(pairs)


def _per_file(value: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of glob = [rule codes], got {_kind(value)}")
    return tuple((glob, _codes(codes, f'{where}."{glob}"')) for glob, codes in value.items())


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) <= 40 else "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def config_schema() -> dict[str, Any]:
    """The JSON Schema of a configuration: ``[tool.celldose]``, or a ``celldose.toml``."""
    codes = [rule.code for rule in ALL]
    prefixes = sorted({code[:n] for code in codes for n in range(2, len(code) + 1)})
    code_list = {
        "type": "array",
        "items": {"enum": prefixes},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "celldose configuration",
        "description": (
            "The [tool.celldose] table of a pyproject.toml, or the top level of a celldose.toml. "
            "Codes may be prefixes: CD3 is every CD3xx rule."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "select": {
                **code_list,
                "description": "Rule codes or prefixes to report (default: every rule).",
            },
            "ignore": {
                **code_list,
                "description": "Rule codes or prefixes not to report; they win over select.",
            },
            "severity": {
                "type": "object",
                "description": "A rule's severity instead of its default.",
                "propertyNames": {"enum": codes},
                "additionalProperties": {"enum": list(_SEVERITIES)},
            },
            "per-file-ignores": {
                "type": "object",
                "description": (
                    "Glob (fnmatch, posix, relative to the configuration's folder) -> rule "
                    "codes or prefixes not to report in the files it matches."
                ),
                "additionalProperties": code_list,
            },
            "strict": {
                "type": "boolean",
                "description": "Warnings fail the check, like --fail-on warning.",
                "default": False,
            },
            "include": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": (
                    "Globs (fnmatch, posix, relative to the configuration's folder; a glob "
                    "without / also matches the name) of more files a folder walk reads: "
                    "pasted text (.txt), web pages (.html, .htm) and Word documents (.docx) are "
                    "read in folders only when included."
                ),
            },
            "normalize-counts": {
                "enum": list(COUNT_SPELLINGS),
                "description": (
                    "check --fix respells cell counts written otherwise (5e7, 50 million): "
                    "grouped as 50,000,000, plain as 50000000; a unit other than cells is kept "
                    "(1,000,000 cells/kg). Absent: counts stay as written."
                ),
            },
        },
    }
