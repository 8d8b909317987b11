"""Spread CPU-bound work over the machine's cores with forked worker processes.

Validating and preparing a large bundle is pure Python and holds the GIL, so threads do not
help; forked processes inherit the objects already in memory, so only range bounds go out
and only results come back.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Result = TypeVar("Result")

# The work of the current fan-out; forked workers inherit it, so it needs no pickling.
_work: Callable[[int, int], Any] | None = None


def available_workers() -> int:
    """How many processes a fan-out may use here: the cores, where fork exists, else one."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, os.cpu_count() or 1)


def map_ranges(work: Callable[[int, int], Result], length: int, workers: int) -> list[Result]:
    """``[work(start, stop) ...]`` over contiguous ranges covering ``range(length)``, in
    order. The first range runs in this process, the others in forked workers; a worker
    that uses the database must first drop the connections it inherited
    (:meth:`accord.core.database.Database.forget_inherited_connections`)."""
    workers = max(1, min(workers, available_workers(), length))
    bounds = [(length * n // workers, length * (n + 1) // workers) for n in range(workers)]
    if workers == 1:
        return [work(0, length)]
    global _work
    _work = work
    # Frozen objects are left out of garbage collection, whose passes would otherwise
    # write to every object and so copy the whole shared heap into each process.
    gc.freeze()
    try:
        # An executor, not a Pool: a worker that dies (killed, out of memory) raises
        # BrokenProcessPool here instead of leaving its result awaited forever.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
            pending = [pool.submit(_run, *bound) for bound in bounds[1:]]
            first = work(*bounds[0])
            return [first, *(future.result() for future in pending)]
    finally:
        _work = None
        gc.unfreeze()


def _run(start: int, stop: int) -> Any:
    assert _work is not None, "a worker runs only inside map_ranges"
    return _work(start, stop)
