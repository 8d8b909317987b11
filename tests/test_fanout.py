"""Fanning CPU-bound work out over forked processes."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from accord.core.fanout import available_workers, map_ranges

needs_two = pytest.mark.skipif(available_workers() < 2, reason="needs two cores and fork")


def test_ranges_cover_everything_once_in_order() -> None:
    parts = map_ranges(lambda start, stop: list(range(start, stop)), 1001, 4)
    assert [n for part in parts for n in part] == list(range(1001))


@needs_two
def test_workers_see_the_data_of_the_parent_and_run_elsewhere() -> None:
    data = list(range(10_000))
    parts = map_ranges(lambda start, stop: (os.getpid(), sum(data[start:stop])), len(data), 2)
    assert sum(total for _, total in parts) == sum(data)
    assert parts[0][0] == os.getpid() != parts[1][0]


@needs_two
def test_a_worker_that_dies_raises_instead_of_hanging() -> None:
    def die_in_worker(start: int, stop: int) -> int:
        if start:
            os._exit(3)
        return stop - start

    with pytest.raises(BrokenProcessPool):
        map_ranges(die_in_worker, 10, 2)
