"""``python -m celldose``."""

from celldose.cli import run

run()
