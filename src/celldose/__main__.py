"""``python -m celldose``."""

from celldose.cli import main

raise SystemExit(main())
