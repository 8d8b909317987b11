"""Canonical JSON and timestamps of STIX objects as the store keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

# The version key of objects that carry neither `modified` nor `created` (SCOs).
UNVERSIONED = datetime(1970, 1, 1, tzinfo=UTC)


def canonical_json(obj: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys: the same object always gives the same text."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()


def parse_timestamp(value: str) -> datetime:
    """A STIX timestamp (RFC 3339, ``Z``) as an aware UTC datetime, to the microsecond.

    Digits past the microsecond are dropped: Python and both databases stop there.
    """
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone (STIX needs Z)")
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """An aware datetime as a STIX timestamp and Z: milliseconds, or microseconds where the
    value has them (so a version posted as ``...00.000Z`` comes back in that form)."""
    precision = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    text = value.astimezone(UTC).isoformat(timespec=precision)
    return text.replace("+00:00", "Z")


def sortable_timestamp(value: datetime) -> str:
    """UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``: equal text is the same instant, text order is
    time order, and SQLite's DATETIME (as SQLAlchemy stores it) reads it as it is."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
