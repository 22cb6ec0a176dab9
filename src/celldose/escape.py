"""Text from the input, made safe to print on a terminal or into a CI log: one function.

A file's name, a worksheet's name, a YAML key, a configuration key, a path on the command line:
any of these may hold characters that a terminal or a log reader obeys instead of showing. An
escape (``ESC [2J``) clears the screen, a carriage return or a line feed starts a line that
looks like celldose's own (``Checked 1 file: no problems.``, or GitHub's ``::error file=...``
workflow command), U+009B is a one-byte escape on some terminals, U+202E reverses the text
after it ("Trojan Source"), and a name that is not valid UTF-8 (kept by Python as lone
surrogates) cannot be written to a UTF-8 stream at all.

:func:`shown` writes each character that Python's ``str.isprintable`` rejects, other than the
space, as the backslash escape ``repr`` gives it (``\\n``, ``\\x1b``, ``\\x9b``, ``\\u202e``,
``\\udcff``): the same spelling as the quoted values in celldose's messages, so a reader sees
one convention. Every formatter that writes for people or logs passes input text through it,
and the command line passes its messages through it. Backslashes are not doubled: a Windows
path stays readable, and an escape written literally in a name can start no line and move no
cursor.

Machine formats (JSON, SARIF) escape by their own grammar instead; a path that is not valid
UTF-8 is written there as :func:`path_uri` writes it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from urllib.parse import quote


def shown(text: object) -> str:
    """``text`` with every character a terminal or log would obey written as its escape."""
    value = str(text)
    if value.isprintable():  # nearly every name and message: one pass in C
        return value
    return "".join(c if c == " " or c.isprintable() else repr(c)[1:-1] for c in value)


def path_uri(path: str) -> str:
    """A path as a URI reference: ``file://`` for an absolute path, relative otherwise, every
    byte outside the unreserved set percent-encoded. A name that is not valid UTF-8 is encoded
    from its bytes (``os.fsencode``), so the result is always ASCII, and exact."""
    pure = PurePath(path)
    if pure.is_absolute():
        return Path(path).as_uri()  # pathlib encodes the bytes (os.fsencode) itself
    return quote(os.fsencode(pure.as_posix()), safe="/")


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (a name not valid UTF-8 holds lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def utf8(text: str) -> str:
    """``text`` for a machine format that escapes by its own grammar (JSON): as it is, unless it
    cannot be written as UTF-8 (lone surrogates), then as :func:`shown` writes it."""
    return text if is_utf8(text) else shown(text)


__all__ = ["is_utf8", "path_uri", "shown", "utf8"]


def json_path(path: str) -> str:
    """The path as written, or, when it is not valid UTF-8, its percent-encoded URI reference
    (JSON text must be valid UTF-8)."""
    return path if is_utf8(path) else path_uri(path)
