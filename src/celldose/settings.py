"""Settings: everything that narrows or grades a report, as one value the API applies.

The configuration files (``[tool.celldose]`` in ``pyproject.toml``, ``celldose.toml``; see
:mod:`celldose.config`), the command line's ``--select``, ``--ignore``, ``--strict`` and
``--fail-on``, the inline suppressions (:mod:`celldose.suppressions`) and a baseline
(:mod:`celldose.baseline`). ``celldose check`` builds a :class:`Settings` from its options and
hands it to :func:`celldose.check_paths`, so a tool that imports celldose and passes the same
settings gets exactly the findings the command line prints.

Order: each file's inline suppressions as it is checked, then the configuration (selection,
per-file ignores, severities), then the baseline. ``fail_on`` is the lowest severity that fails
the check: ``error`` unless said otherwise, ``warning`` under ``strict`` (a configuration's
``strict`` lowers it only when ``fail_on`` is not given).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from celldose.diagnostics import Severity

if TYPE_CHECKING:
    from celldose.baseline import Baseline
    from celldose.config import Config, CountSpelling, Overrides, Resolver
    from celldose.diagnostics import Report


class SettingsError(ValueError):
    """A configuration or baseline file that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What applies to a check besides the files. The default finds each file's configuration
    and applies inline suppressions, as ``celldose check`` does; :meth:`raw` applies nothing."""

    configuration: bool = True
    """Use the nearest configuration file above each checked file."""
    config_file: Path | None = None
    """One configuration file for every file instead (``--config``)."""
    select: tuple[str, ...] | None = None
    """Codes or prefixes to report; replaces the configuration's select and ignore."""
    ignore: tuple[str, ...] = ()
    """Codes or prefixes not to report, on top of the configuration's."""
    strict: bool = False
    """Warnings fail too (``fail_on`` warning)."""
    fail_on: Severity | None = None
    """The lowest severity that fails the check; None: error, or warning when strict."""
    baseline: Path | None = None
    """Report only the findings this baseline file does not hold."""
    suppress: bool = True
    """Apply inline suppressions (``celldose: ignore[CODE]``), reporting unused ones (CD009)."""

    @classmethod
    def discover(cls) -> Settings:
        """What ``celldose check`` applies with no options: the nearest configuration above
        each file, and inline suppressions."""
        return cls()

    @classmethod
    def raw(cls) -> Settings:
        """Every finding as the rules report it: no configuration, no suppressions."""
        return cls(configuration=False, suppress=False)

    def prepare(self, cwd: Path | None = None) -> Prepared:
        """Read the configuration file and baseline named here (before any protocol is read, so
        that a usage error comes first). Raises :class:`SettingsError`."""
        from celldose import baseline, config

        try:
            explicit = config.load(self.config_file) if self.config_file else None
            accepted = baseline.load(self.baseline, cwd) if self.baseline else None
        except (config.ConfigError, baseline.BaselineError) as exc:
            raise SettingsError(str(exc)) from None
        resolver = config.Resolver(explicit, cwd, search=self.configuration)
        overrides = config.Overrides(select=self.select, ignore=self.ignore, strict=self.strict)
        return Prepared(self, resolver, overrides, accepted)


@dataclass(frozen=True, slots=True)
class Prepared:
    """Settings with their files read: what applies them to a report."""

    settings: Settings
    resolver: Resolver
    overrides: Overrides
    baseline: Baseline | None

    def prepare(self, cwd: Path | None = None) -> Prepared:
        """Itself: settings already prepared (the CLI prepares them before reading input)."""
        return self

    def apply(self, report: Report) -> Report:
        """The report narrowed by the configuration and the baseline, with its ``fail_on``.
        Raises :class:`SettingsError` for a bad configuration file found on the way."""
        from celldose import config

        try:
            applied = config.apply(report, self.resolver, self.overrides)
        except config.ConfigError as exc:
            raise SettingsError(str(exc)) from None
        narrowed = applied.report
        if self.baseline is not None:
            narrowed = self.baseline.new(narrowed)
        given = self.settings.fail_on
        fail_on = given or Severity.ERROR
        if applied.strict and (self.settings.strict or given is None) and fail_on is Severity.ERROR:
            fail_on = Severity.WARNING
        return narrowed.failing_on(fail_on)

    def config_for(self, path: str) -> Config | None:
        return self.resolver.for_file(path)

    def spelling(self, path: str) -> CountSpelling | None:
        """The ``normalize-counts`` setting of the file reported as ``path``."""
        found = self.resolver.for_file(path)
        return found.normalize_counts if found is not None else None
