"""When posts are made: days and hours by a daily rhythm, and offsets within a burst."""

from __future__ import annotations

import numpy as np

from accord.desks.fimi.synthetic.vocabulary import Array

DAY_MS, HOUR_MS = 86_400_000, 3_600_000
# Fewer posts at night: a peak at 19:00 UTC nine times the trough at 07:00.
_HOURLY = 1 + 0.8 * np.cos(2 * np.pi * (np.arange(24) - 19) / 24)
_HOURLY /= _HOURLY.sum()


def times_in_span(rng: np.random.Generator, count: int, span_ms: int) -> Array:
    """Offsets (ms) in the span: any day, hours by the daily rhythm."""
    day = rng.integers(0, max(1, span_ms // DAY_MS), count)
    hour = rng.choice(24, count, p=_HOURLY)
    return day * DAY_MS + hour * HOUR_MS + rng.integers(0, HOUR_MS, count)


def burst_offsets(
    rng: np.random.Generator, count: int, most_s: float, least_s: float = 0.0
) -> list[int]:
    """Offsets (ms) of a burst's posts from its start."""
    offsets: list[int] = rng.integers(int(least_s * 1000), int(most_s * 1000), count).tolist()
    return offsets
