"""Exit statuses, and the one exception that means "the command line is wrong"."""

from __future__ import annotations

EXIT_OK = 0
"""Nothing at or above --fail-on (default: error)."""
EXIT_ERRORS = 1
"""Something is."""
EXIT_USAGE = 2
"""A usage error: an unknown option, a path that does not exist, a bad configuration."""


class UsageError(Exception):
    """A command line that cannot be carried out; :func:`celldose.cli.main` prints it as
    ``PREFIX: error: MESSAGE`` on standard error and exits with :data:`EXIT_USAGE`."""

    def __init__(self, message: str, prefix: str = "celldose") -> None:
        super().__init__(message)
        self.prefix = prefix
