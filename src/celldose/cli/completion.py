"""Shell completion for bash, zsh and fish, by argcomplete (the ``completion`` extra).

Why argcomplete and not shtab: shtab writes a static script from the parser, with no cost at
completion time, but it has no fish; argcomplete completes bash, zsh and fish from the one
argparse parser, so options and ``--format`` choices can never drift from the grammar. Its
cost is this process starting on each Tab press; the import of ``celldose.cli`` stays small
(the checker is imported only when a check runs). A shell registers it once with
``register-python-argcomplete celldose`` (see the README's "Shell completion").
"""

from __future__ import annotations

import argparse
import os


def offer(parser: argparse.ArgumentParser) -> None:
    """When a shell asks for completions (``_ARGCOMPLETE`` set), answer and exit; otherwise
    nothing, and argcomplete is not even imported."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:  # the extra is not installed: no completions, never a traceback
        return
    argcomplete.autocomplete(parser)
