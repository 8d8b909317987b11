"""Monitoring: a stored watchlist of counterparties and vessels, re-screened against the
lists; only hits that are new, or whose score or listing changed, since the last run are
reported, so a re-run of unchanged lists says nothing.

The watchlist and what was last reported live in ``<data dir>/sanctions/watch.json``,
rewritten atomically.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from accord.core.errors import AlreadyExists, InvalidInput, NotFound
from accord.desks.sanctions.index import NameIndex
from accord.desks.sanctions.model import Identifier
from accord.desks.sanctions.scoring import DEFAULT_THRESHOLD, Hit, Query, screen_many

# A hit whose score moved by more than this since it was reported is reported again.
SCORE_CHANGE = 0.05


@dataclass(frozen=True)
class WatchEntry:
    """A counterparty or vessel to keep screening."""

    id: str
    name: str
    schema: str | None = None
    country: str | None = None
    dob: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()

    def query(self) -> Query:
        """The entry as a screening query."""
        return Query(
            name=self.name,
            schema=self.schema,
            country=self.country,
            dob=self.dob,
            identifiers=tuple(Identifier(kind, value) for kind, value in self.identifiers),
        )


@dataclass(frozen=True)
class WatchHit:
    """A hit of an entry reported by a run: new, or changed since it was last reported."""

    entry: WatchEntry
    hit: Hit
    change: str  # "new" or "changed"


@dataclass
class Watchlist:
    """The entries, and per entry the hits last reported (entity key -> score)."""

    path: Path
    entries: dict[str, WatchEntry] = field(default_factory=dict)
    reported: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Watchlist:
        """The watchlist stored at `path` (empty if none yet)."""
        if not path.exists():
            return cls(path)
        try:
            stored = orjson.loads(path.read_bytes())
            entries = {
                item["id"]: WatchEntry(
                    **{**item, "identifiers": tuple(map(tuple, item["identifiers"]))}
                )
                for item in stored["entries"]
            }
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}: not a watchlist this node wrote: {exc}") from exc
        return cls(path, entries, stored.get("reported", {}))

    def add(self, entry: WatchEntry) -> None:
        """Add an entry; its id must be new."""
        if entry.id in self.entries:
            raise AlreadyExists(f"watchlist entry {entry.id!r} exists already")
        if not entry.name.strip():
            raise InvalidInput(f"watchlist entry {entry.id!r}: the name is empty")
        self.entries[entry.id] = entry
        self._save()

    def remove(self, entry_id: str) -> None:
        """Remove an entry and what was reported for it."""
        if self.entries.pop(entry_id, None) is None:
            raise NotFound(f"no watchlist entry {entry_id!r}")
        self.reported.pop(entry_id, None)
        self._save()

    def run(self, index: NameIndex, threshold: float = DEFAULT_THRESHOLD) -> list[WatchHit]:
        """Screen every entry; report and remember the new and changed hits."""
        entries = list(self.entries.values())
        results = screen_many([entry.query() for entry in entries], index, threshold, 10)
        reported = []
        for entry, hits in zip(entries, results, strict=True):
            before = self.reported.get(entry.id, {})
            now = {hit.entity.key: round(hit.score, 3) for hit in hits}
            for hit in hits:
                previous = before.get(hit.entity.key)
                if previous is None:
                    reported.append(WatchHit(entry, hit, "new"))
                elif abs(previous - hit.score) > SCORE_CHANGE:
                    reported.append(WatchHit(entry, hit, "changed"))
            self.reported[entry.id] = now
        self._save()
        return reported

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document: dict[str, Any] = {
            "entries": [asdict(entry) for entry in self.entries.values()],
            "reported": self.reported,
        }
        partial = self.path.with_name(f".{uuid.uuid4().hex}.partial")
        partial.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        os.replace(partial, self.path)
