"""The commands besides ``check``: ``show``, ``rules``, ``explain``, ``convert``, ``serve``,
``schema``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from celldose.cli.errors import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError
from celldose.escape import shown


def schema(config: bool) -> int:
    from celldose.config import config_schema
    from celldose.schema import protocol_schema

    document = config_schema() if config else protocol_schema()
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    return EXIT_OK


def convert(source: str, target: str, to: str | None, force: bool) -> int:
    from celldose.convert import ConvertError
    from celldose.convert import convert as run_convert

    prefix = "celldose convert"
    if not Path(source).is_file():
        raise UsageError(f"no such file: {source}", prefix)
    if target == "-" and to == "xlsx":
        raise UsageError("an XLSX workbook is not written to stdout", prefix)
    try:
        content = run_convert(source, target, to=to, force=force)
    except ConvertError as exc:
        print(f"{prefix}: error: {shown(str(exc))}", file=sys.stderr)
        for reason in exc.reasons:
            print(f"  {shown(reason)}", file=sys.stderr)
        return EXIT_USAGE if not exc.reasons else EXIT_ERRORS
    except FileExistsError:
        raise UsageError(f"{target} exists; use --force to overwrite it", prefix) from None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc}", prefix) from None
    if target == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    return EXIT_OK


def serve(host: str, port: int, open_browser: bool) -> int:
    """Serve the page until Ctrl+C; its address, token included, on a line of its own."""
    import threading
    import webbrowser

    from celldose.serve import Server, address_of, is_loopback

    prefix = "celldose serve"
    try:
        server = Server((host, port))
    except OSError as exc:  # the port is taken, or the host is not this machine's
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", prefix) from None
    if not is_loopback(host):
        print(
            f"{prefix}: warning: listening on {host}, not only on this computer: anyone on the "
            "network who has the address below can use the page",
            file=sys.stderr,
            flush=True,
        )
    address = address_of(server)
    print(f"{prefix}: open this address in your browser (it holds the page's key):")
    print(address)
    print("Press Ctrl+C to stop.", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"{prefix}: stopped.")
    finally:
        server.server_close()
    return EXIT_OK


def show(path: str) -> int:
    from celldose.api import ProtocolError, load_all
    from celldose.diagnostics import Report
    from celldose.formatters import show as show_format
    from celldose.formatters import text

    if not os.path.exists(path):  # noqa: PTH110 - a path string from the command line
        raise UsageError(f"no such file or directory: {path}")
    try:
        protocols = load_all(path)
    except ProtocolError as exc:
        if exc.diagnostics:
            sys.stdout.write(text.render(Report.of(exc.diagnostics, (path,))))
        else:
            sys.stderr.write(f"celldose: error: {shown(str(exc))}\n")
        return EXIT_ERRORS
    sys.stdout.write("\n".join(show_format.render(protocol, path) for protocol in protocols))
    return EXIT_OK


def rules() -> int:
    from celldose.rules import ALL

    width = max(len(rule.name) for rule in ALL)
    for rule in ALL:
        line = f"{rule.code}  {rule.severity.value:7s}  {rule.name:{width}s}  {rule.summary}"
        sys.stdout.write(line + "\n")
    return EXIT_OK


def explain(wanted: str) -> int:
    import difflib

    from celldose.rules import ALL
    from celldose.rules.docs import explain as explained

    for rule in ALL:
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            sys.stdout.write(explained(rule).lstrip("\n").split("\n", 1)[1].lstrip("\n"))
            return EXIT_OK
    names = [r.code for r in ALL] + [r.name for r in ALL]
    close = difflib.get_close_matches(wanted, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; celldose rules lists them"
    raise UsageError(f"no rule {wanted!r}{hint}")
