"""celldose against its peers, measured in one run on this machine; prints a table.

    python benchmarks/run.py [--runs 5] [--files 2000] [--make-corpus PATH]

Peers (the ``bench`` extra installs them): check-jsonschema with celldose's exported schema
(structure only; celldose does more), yamllint, and a bare loop that only parses the same files
with PyYAML's libyaml loader (the floor). Wall times are medians over ``--runs`` runs of fresh
processes; ratios compare figures from the same run, since absolute times on a shared machine
are noisy. Nothing here is a test: it prints figures and never fails on them.

It also prints floors measured in the same run: the start-up of the libraries a check stands
on (PyYAML, pydantic, pint) and of ``celldose.api``, and validation into celldose's models
without the rules. A target below its floor cannot be met by tuning celldose's own code.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "protocol.schema.json"
DEFAULT_MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
BIN = Path(sys.executable).parent

BARE_LOOP = """
import sys, yaml
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as handle:
        yaml.load(handle, Loader=yaml.CSafeLoader)
"""
DEPENDENCIES = "import yaml, pint; from pydantic import BaseModel"
"""The libraries a check stands on (the mission names them), imported and nothing else."""
FLOOR = """
import sys, yaml, pint
from pydantic import BaseModel

class Row(BaseModel):
    route: str
    dose: str | int | None = None
    days: int | str
    total: str | int | None = None

class Sheet(BaseModel):
    protocol: str
    administrations: list[Row]

with open(sys.argv[1], encoding="utf-8") as handle:
    Sheet.model_validate(yaml.load(handle, Loader=yaml.CSafeLoader))
"""
"""The one-file floor the speed decision names: Python importing PyYAML, pydantic and pint,
parsing with libyaml and validating into a small model."""
API_AS_THE_CLI = (
    "import gc; gc.set_threshold(100_000, 50, 100); import celldose.api, celldose.cli; gc.freeze()"
)
"""``import celldose.api`` the way the command runs it: collector tuned, imports frozen."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--files", type=int, default=2000, help="protocol files in the corpus")
    parser.add_argument("--protocols", type=int, default=10_000, help="in-process protocols")
    parser.add_argument(
        "--csv-rows", type=int, default=100_000, help="rows of the biggest CSV sheet (0: none)"
    )
    parser.add_argument(
        "--html-rows",
        type=int,
        default=100_000,
        help="wrong rows of the biggest sheet reported with --format html (0: none)",
    )
    parser.add_argument("--make-corpus", type=Path, default=DEFAULT_MAKE_CORPUS)
    args = parser.parse_args(argv)

    if not args.make_corpus.is_file():
        sys.stderr.write(
            f"corpus generator not found at {args.make_corpus}; "
            "pass --make-corpus PATH/TO/make_corpus.py\n"
        )
        return 2
    missing = [tool for tool in ("celldose", "check-jsonschema", "yamllint") if not _tool(tool)]
    if missing:
        sys.stderr.write(f"missing: {', '.join(missing)}; install with pip install -e '.[bench]'\n")
        return 2
    _compile_celldose()
    with tempfile.TemporaryDirectory(prefix="celldose-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run(
            [sys.executable, str(args.make_corpus), str(corpus), "--files", str(args.files)],
            check=True,
            capture_output=True,
        )
        files = sorted(str(p) for p in corpus.glob("*.yaml"))
        one = files[0]
        rows: list[tuple[str, str, float, str]] = []

        def walls(commands: dict[str, list[str]]) -> list[float]:
            medians = _median_walls(list(commands.values()), args.runs)
            for label, seconds in zip(commands, medians, strict=True):
                rows.append(("", label, seconds, "s"))
            return medians

        print(
            f"corpus: {len(files)} files; {args.runs} runs each, taken in turn; {_cores()} cores\n"
        )
        celldose, cj = _tool("celldose"), [_tool("check-jsonschema"), "--schemafile", str(SCHEMA)]
        corpus_celldose, _, corpus_cj, corpus_bare = walls(
            {
                "celldose check DIR": [celldose, "check", str(corpus)],
                "celldose check DIR --jobs 1": [celldose, "check", "-j", "1", str(corpus)],
                "check-jsonschema FILES": [*cj, *files],
                "bare libyaml parse loop": [sys.executable, "-c", BARE_LOOP, *files],
            }
        )
        one_celldose, one_cj, one_bare, one_yamllint, one_deps, one_api, one_floor = walls(
            {
                "celldose check FILE": [celldose, "check", one],
                "check-jsonschema FILE": [*cj, one],
                "bare libyaml parse FILE": [sys.executable, "-c", BARE_LOOP, one],
                "yamllint FILE": [_tool("yamllint"), one],
                "import PyYAML, pydantic, pint": [sys.executable, "-c", DEPENDENCIES],
                "import celldose.api (as the CLI)": [sys.executable, "-c", API_AS_THE_CLI],
                "floor: import, libyaml, small model": [sys.executable, "-c", FLOOR, one],
            }
        )

        rate_celldose, rate_models, rate_pydantic = _in_process(args.protocols)
        sheets = _big_sheets(args.make_corpus, Path(tmp), args.csv_rows)
        pages = _html_reports(Path(tmp), args.html_rows)

    _table(rows)
    print()
    print(f"in-process, one core: celldose.check {rate_celldose:,.0f} protocols/s; "
          f"plain pydantic model_validate {rate_pydantic:,.0f} protocols/s; "
          f"celldose's models alone (Protocol.model_validate, no rules) "
          f"{rate_models:,.0f} protocols/s")  # fmt: skip
    for count, seconds, rss in sheets:
        print(
            f"CSV sheet of {count:>7,} rows: {seconds:6.2f} s, {count / seconds:8,.0f} rows/s, "
            f"peak RSS {rss:6.1f} MB"
        )
    for count, seconds, rss in pages:
        print(
            f"HTML report, {count:>7,} wrong rows: {seconds:6.2f} s, "
            f"{count / seconds:8,.0f} rows/s, peak RSS {rss:6.1f} MB"
        )
    print()
    # The targets of the speed decision (DEVELOPERS.md): pydantic and pint stay on the check
    # path, so one file is measured against the floor they impose, in the same run.
    targets = [
        ("corpus: >= 8x faster than check-jsonschema", corpus_cj / corpus_celldose, 8, ">="),
        ("corpus: <= 2x the bare parse loop", corpus_celldose / corpus_bare, 2, "<="),
        ("one file: <= 1.15x the floor", one_celldose / one_floor, 1.15, "<="),
        ("one file: faster than check-jsonschema", one_celldose / one_cj, 1, "<"),
        ("in-process: >= 20,000 protocols/s", rate_celldose, 20_000, ">="),
    ]
    if sheets:
        count, seconds, rss = sheets[-1]
        first_count, first_seconds, _ = sheets[0]
        per_row = (seconds / count) / (first_seconds / first_count)
        targets += [
            ("big sheet: peak RSS under 200 MB", rss, 200, "<="),
            (f"big sheet: time per row, {count:,} vs {first_count:,} rows", per_row, 1.25, "<="),
        ]
    if len(pages) > 1:  # quadratic before: 5,000 rows took 3.4 s, 20,000 took 37 s
        count, seconds, _ = pages[-1]
        first_count, first_seconds, _ = pages[0]
        per_row = (seconds / count) / (first_seconds / first_count)
        targets.append(
            (f"HTML report: time per row, {count:,} vs {first_count:,}", per_row, 1.25, "<=")
        )
    print(f"{'target':48s} {'measured':>12s}  verdict")
    for name, value, bound, sense in targets:
        met = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[sense]
        print(f"{name:48s} {value:12,.2f}  {'met' if met else 'MISSED'}")
    print(f"\none file: bare parse {one_bare:.3f} s, yamllint {one_yamllint:.3f} s")
    print("\nFloors measured in this run: what celldose's own code cannot go below.")
    one_file, plain = "x check-jsonschema FILE", "x plain pydantic"
    floors = [
        ("one file: import PyYAML, pydantic, pint", one_deps / one_cj, one_file),
        ("one file: import celldose.api (as the CLI)", one_api / one_cj, one_file),
        ("one file: the floor", one_floor / one_cj, one_file),
        ("corpus: import celldose.api", one_api / corpus_celldose, "of celldose check DIR"),
        ("in-process: celldose's models, no rules", rate_pydantic / rate_models, plain),
        ("in-process: a check", rate_pydantic / rate_celldose, plain),
    ]
    for name, value, unit in floors:
        print(f"{name:48s} {value:12,.2f}  {unit}")
    return 0


_PEAK_RSS = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _big_sheets(make_corpus: Path, tmp: Path, biggest: int) -> list[tuple[int, float, float]]:
    """Rows, wall seconds and peak RSS (MB) of `celldose check` on growing CSV sheets."""
    results: list[tuple[int, float, float]] = []
    for count in sorted({biggest // 4, biggest // 2, biggest} - {0}):
        folder = tmp / f"sheet-{count}"
        subprocess.run(
            [
                sys.executable,
                str(make_corpus),
                str(folder),
                "--files",
                "0",
                "--csv-rows",
                str(count),
            ],
            check=True,
            capture_output=True,
        )
        sheet = folder / "big_sheet.csv"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS, _tool("celldose"), "check", str(sheet)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - start
        results.append((count, seconds, int(done.stdout.strip()) / 1024))
    return results


_PEAK_RSS_DISCARDED = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
"""As _PEAK_RSS, the output thrown away: an HTML page of 100,000 rows is about 100 MB."""


def _html_reports(tmp: Path, biggest: int) -> list[tuple[int, float, float]]:
    """Rows, wall seconds and peak RSS (MB) of ``celldose check --format html`` on sheets whose
    every row has a wrong total: a finding, and a marked cell, per row."""
    results: list[tuple[int, float, float]] = []
    row = 'Intra-articular,"50,000,000",2,"50,000,000"\n'
    for count in sorted({biggest // 4, biggest} - {0}):
        sheet = tmp / f"wrong-{count}.csv"
        sheet.write_text("Route,Dose,Days,Total\n" + row * count, encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS_DISCARDED, _tool("celldose"), "check", str(sheet),
             "--format", "html"],
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        results.append((count, seconds, int(done.stdout.strip()) / 1024))
    return results


def _compile_celldose() -> None:
    """Write celldose's bytecode first, as ``pip install`` does for the peers' packages.

    An editable install leaves compiling to the first import, and with PYTHONDONTWRITEBYTECODE
    set (as on some CI machines) every start would compile celldose's modules again: tens of
    milliseconds no installed user pays. py_compile writes whatever that variable says.
    """
    import compileall

    import celldose

    compileall.compile_dir(Path(celldose.__file__).parent, quiet=1)


def _tool(name: str) -> str:
    local = BIN / name
    return str(local) if local.exists() else (shutil.which(name) or "")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _median_walls(commands: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command. The commands are run in turn, round after round,
    after one untimed round (cold caches): a ratio then compares runs made under the same
    load, which on a shared machine drifts over a minute. A tool that crashes (exit other
    than 0 or 1) is no fast result."""
    times: list[list[float]] = [[] for _ in commands]
    for round_ in range(runs + 1):
        for command, taken in zip(commands, times, strict=True):
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, check=False)
            if round_:
                taken.append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{command[0]} exited {done.returncode}: {done.stderr[-500:]!r}")
    return [statistics.median(taken) for taken in times]


def _in_process(count: int) -> tuple[float, float, float]:
    """Protocols per second on one core: celldose.check, validation into celldose's models
    alone (no rules: the floor of a check), and plain pydantic validation."""
    from pydantic import BaseModel

    import celldose
    from celldose.model import Protocol

    class PlainRow(BaseModel):
        route: str
        dose: str | int | None = None
        days: int | str
        total: str | int | None = None
        per_side: bool | None = None
        product: str | None = None
        notes: str | None = None

    class PlainProtocol(BaseModel):
        protocol: str
        condition: str | None = None
        product: str | None = None
        administrations: list[PlainRow]

    spellings = ["50,000,000", "5e7", "50 million cells", "50000000", "5 x 10^7", "50M cells"]
    mappings = [
        {
            "protocol": f"Protocol {i}",
            "condition": "Sacroiliitis",
            "product": "UC-MSC",  # so that the published-range rule runs too
            "administrations": [
                {"route": "Myers cocktail/NAD", "days": "1", "total": "N/A"},
                {
                    "route": "Intra-articular/per side",
                    "dose": spellings[i % len(spellings)],
                    "days": "2",
                    "total": "100,000,000",
                },
                {"route": "Intradiscal", "dose": "20 million", "days": "1", "total": "2e7"},
            ],
        }
        for i in range(count)
    ]
    celldose.check(mappings[0])  # build the registry and caches outside the timing

    # In turn, best of five each: both are timed under the same load.
    functions: list[Callable[[Any], object]] = [
        celldose.check,
        Protocol.model_validate,
        PlainProtocol.model_validate,
    ]
    best = [float("inf")] * len(functions)
    for _ in range(5):
        for i, function in enumerate(functions):
            best[i] = min(best[i], _timed(partial(_each, function, mappings)))
    return count / best[0], count / best[1], count / best[2]


def _each(function: Callable[[Any], object], items: Sequence[object]) -> None:
    for item in items:
        function(item)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _table(rows: list[tuple[str, str, float, str]]) -> None:
    print(f"{'measurement':36s} {'median':>10s}")
    for _, label, value, unit in rows:
        print(f"{label:36s} {value:9.3f} {unit}")


if __name__ == "__main__":
    raise SystemExit(main())
