"""The API is safe to call from many threads at once in a fresh process (issue 17: 32 threads
got a bogus CD103 "Cannot operate with Unit and Unit of different registries" when the unit
registry was built more than once)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import celldose
from conftest import ROOT

MAPPING = {
    "protocol": "Knee",
    "patient_weight": "70 kg",
    "administrations": [
        {"route": "Intra-articular/per side", "dose": "10 million", "days": 2,
         "total": "30 million", "laterality": "bilateral"},
        {"route": "intravenous", "dose": "1 million cells/kg", "days": 1, "total": "70 million"},
        {"route": "IV", "dose": "5 x 10^7", "days": 1, "total": "50,000,000"},
    ],
}  # fmt: skip

HAMMER = textwrap.dedent(
    """
    import json, sys, threading
    sys.setswitchinterval(1e-6)  # switch threads as often as possible during the first use
    import celldose

    mapping = json.loads(sys.argv[1])
    threads, rounds = 32, int(sys.argv[2])
    reports = []
    for _ in range(rounds):
        barrier = threading.Barrier(threads)
        out = [None] * threads

        def run(i):
            barrier.wait()
            try:
                report = celldose.check(mapping)
                out[i] = [[d.code, d.pointer, d.message] for d in report.diagnostics]
            except BaseException as exc:
                out[i] = repr(exc)

        workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        reports.extend(out)
    print(json.dumps(reports))
    """
)


def test_32_threads_checking_at_once_in_a_fresh_process_agree() -> None:
    found = [[d.code, d.pointer, d.message] for d in celldose.check(MAPPING).diagnostics]
    expected = json.loads(json.dumps(found))  # as the other process prints it
    assert [code for code, _, _ in expected] == ["CD301"]  # the per-side total is wrong
    for _ in range(3):  # each process is fresh: its first use is the race
        result = subprocess.run(
            [sys.executable, "-c", HAMMER, json.dumps(MAPPING), "3"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=True,
        )
        reports = json.loads(result.stdout)
        assert len(reports) == 32 * 3
        wrong = [r for r in reports if r != expected]
        assert not wrong, wrong[:3]
