"""Shared helpers: where the repository is, and how to run the installed CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ROOT / "protocols"
SEED = PROTOCOLS / "sacroiliitis.yaml"


def celldose_command() -> list[str]:
    """The installed console script, as a user runs it (``python -m celldose`` if absent)."""
    script = Path(sys.executable).with_name("celldose")
    return [str(script)] if script.exists() else [sys.executable, "-m", "celldose"]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")
    }
    return subprocess.run(
        [*celldose_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**clean, **(env or {})},
        input=stdin,
        timeout=60,
        check=False,
    )


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
