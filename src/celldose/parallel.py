"""Checking many files: one after another, or in worker processes, in the same order.

The report is the same, in the same order, whatever the number of workers: results are
collected in the files' order, and each file's diagnostics come sorted from its worker.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TypeAlias

from celldose.engine import FileResult, check_document
from celldose.sources.document import read_document

Progress: TypeAlias = Callable[[int, int], None]
"""Told (files checked, files to check) as files are checked: after each file, in order."""

PARALLEL_MIN_FILES = 64
"""Fewer files than this per worker and starting the worker costs more than it saves."""

File = tuple[str, bool]
"""A path to check, and whether it was named (True) or found in a folder (False)."""


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def workers_for(files: int, jobs: int | None) -> int:
    """Worker processes for ``files`` files: ``jobs`` (None: one per core), no more than the
    cores this process may use, and none when the files are too few to pay for them."""
    return min(jobs or available_cores(), available_cores(), max(1, files // PARALLEL_MIN_FILES))


def check_files(
    files: list[File],
    *,
    jobs: int | None,
    suppress: bool,
    keep: bool = False,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Each file's result, in the files' order. ``keep`` (the protocols, for the HTML report)
    checks in this process: a pint quantity does not travel between processes."""
    workers = 1 if keep else workers_for(len(files), jobs)
    if workers <= 1:
        return _in_sequence(files, suppress, keep, progress)
    return _in_parallel(files, workers, suppress, progress)


def check_file(file: File, suppress: bool = False, keep: bool = False) -> FileResult:
    path, explicit = file
    return check_document(read_document(path, explicit=explicit), suppress=suppress, keep=keep)


def _in_sequence(
    files: list[File], suppress: bool, keep: bool, progress: Progress | None
) -> list[FileResult]:
    results: list[FileResult] = []
    for file in files:
        results.append(check_file(file, suppress, keep))
        if progress is not None:
            progress(len(results), len(files))
    return results


def _in_parallel(
    files: list[File], workers: int, suppress: bool, progress: Progress | None
) -> list[FileResult]:
    """The files checked by a pool of worker processes, in the files' order.

    Ctrl-C reaches every process of the terminal's group. The workers ignore it (else each
    prints a traceback of its own); this process stops them at once (``terminate``, which
    ``multiprocessing.Pool`` has and ``ProcessPoolExecutor`` has not: its shutdown waits for
    the running chunks, and a second Ctrl-C during that wait left the process hanging), and
    ignores a second Ctrl-C while it does, then raises :class:`KeyboardInterrupt` on.
    """
    import multiprocessing

    _warm()
    # On Linux, fork shares the parent's imports and unit registry: no start-up per worker.
    # Elsewhere (macOS, Windows) fork is unsafe or absent; the platform's default is used.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    chunk = max(1, len(files) // (workers * 8))
    results: list[FileResult] = []
    # Ctrl-C is held back while the pool starts: a worker forked meanwhile would raise
    # KeyboardInterrupt before its initializer ran, and Pool() itself, interrupted halfway,
    # leaves the workers it started running. Held back, not lost: it arrives in the try below.
    blocked = _hold_interrupts()
    try:
        pool = context.Pool(workers, initializer=_ignore_interrupts)
    except (OSError, NotImplementedError):  # no process pool here (no semaphores, a sandbox)
        _release_interrupts(blocked)
        return _in_sequence(files, suppress, False, progress)
    try:
        _release_interrupts(blocked)
        # imap yields the results in the files' order, each as soon as it and those before it
        # are done: the progress follows the chunks without changing the order.
        for result in pool.imap(partial(check_file, suppress=suppress), files, chunksize=chunk):
            results.append(result)
            if progress is not None:
                progress(len(results), len(files))
        pool.close()
    except KeyboardInterrupt:
        with _interrupts_ignored():
            pool.terminate()
            pool.join()
        raise
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return results


def _hold_interrupts() -> bool:
    """Block SIGINT in this thread (the workers and the pool's threads inherit the mask);
    whether it was blocked here, to be released by :func:`_release_interrupts`."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        return False
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return signal.SIGINT not in held


def _release_interrupts(blocked: bool) -> None:
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is for the process that started it, which stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """A second Ctrl-C while the workers are being stopped is the same request: ignored."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: no signal reaches this one
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _warm() -> None:
    """Build the unit registry and the count parser's caches before the workers fork, so
    that each worker inherits them instead of building its own."""
    from celldose.engine import check_mapping

    row = {"route": "intravenous", "dose": "1 million cells/kg", "days": 1, "total": "N/A"}
    check_mapping({"protocol": "warm", "administrations": [row]}, "<warm>")
