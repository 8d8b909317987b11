"""Durations as people type them on the command line: ``60``, ``60s``, ``5m``, ``1h``."""

from __future__ import annotations

import re

from accord.core.errors import InvalidInput

_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3_600}
_DURATION = re.compile(r"(\d+(?:\.\d*)?)\s*([smh]?)")


def duration_seconds(text: str, option: str) -> float:
    """`text` in seconds; InvalidInput naming `option` unless it is a positive duration."""
    found = _DURATION.fullmatch(text.strip())
    seconds = float(found[1]) * _UNIT_SECONDS[found[2]] if found else 0.0
    if seconds <= 0:
        raise InvalidInput(f"{option} {text!r}: a positive time, e.g. 60, 60s, 5m or 1h")
    return seconds
