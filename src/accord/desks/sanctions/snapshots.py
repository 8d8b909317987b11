"""Versioned snapshots of loaded sanctions lists, and what changed between two of them.

A snapshot is one load of one list, stored under the directory the caller gives as
``<list>/<version>.jsonl.gz`` (one entity per line, gzip) beside ``<version>.json`` (list
name, version, creation time, content hash, entity count, source files). The version is
the UTC creation time plus the start of the content hash (``20261124T101500Z-3f2a…``), so
versions sort by time. The content hash is SHA-256 over the entities' canonical JSON
lines in key order, so loading the same content again adds no snapshot.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from accord.core.errors import InvalidInput, NotFound
from accord.desks.sanctions.model import Entity, Identifier

DATA_SUFFIX = ".jsonl.gz"
_LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class Snapshot:
    """One stored load of one list."""

    list_name: str
    version: str
    created_at: datetime
    content_hash: str
    entity_count: int
    files: tuple[str, ...]
    path: Path


@dataclass(frozen=True)
class EntityChange:
    """An entity present in both snapshots whose fields differ (names as in Entity)."""

    key: str
    fields: tuple[str, ...]
    old: Entity
    new: Entity


@dataclass(frozen=True)
class ListDiff:
    """Additions, removals and changes between two loads, keyed by :attr:`Entity.key`."""

    added: tuple[Entity, ...]
    removed: tuple[Entity, ...]
    changed: tuple[EntityChange, ...]

    @property
    def is_empty(self) -> bool:
        """True when the two loads hold the same entities with the same fields."""
        return not (self.added or self.removed or self.changed)


def save_snapshot(
    directory: Path,
    list_name: str,
    entities: Iterable[Entity],
    *,
    files: Sequence[str] = (),
    now: datetime | None = None,
) -> Snapshot:
    """Store a load of ``list_name`` as a new snapshot and return it.

    If a stored snapshot of the list already has the same content hash, that one is
    returned and nothing is written. Raises :class:`InvalidInput` on a list name that is
    not a safe directory name, or on two entities with the same key.
    """
    if not _LIST_NAME.match(list_name):
        raise InvalidInput(f"snapshot list name {list_name!r}: use a-z, 0-9, '.', '_', '-'")
    rows = list(entities)
    lines = [_line(entity) for entity in rows]
    digest = _content_hash(path_hint=list_name, rows=rows, lines=lines)
    for existing in list_snapshots(directory, list_name):
        if existing.content_hash == digest:
            return existing
    created = (now or datetime.now(UTC)).astimezone(UTC)
    version = f"{created:%Y%m%dT%H%M%SZ}-{digest[:12]}"
    folder = directory / list_name
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"{version}{DATA_SUFFIX}"
    _write_atomically(data, gzip.compress(b"".join(line + b"\n" for line in lines), 6))
    snapshot = Snapshot(list_name, version, created, digest, len(rows), tuple(files), data)
    _write_atomically(folder / f"{version}.json", orjson.dumps(_metadata(snapshot)))
    return snapshot


def list_snapshots(directory: Path, list_name: str | None = None) -> list[Snapshot]:
    """Stored snapshots, by list name then oldest first; all lists unless one is named."""
    pattern = f"{list_name}/*.json" if list_name else "*/*.json"
    found = [_read_metadata(path) for path in directory.glob(pattern)]
    return sorted(found, key=lambda s: (s.list_name, s.created_at, s.version))


def latest_snapshot(directory: Path, list_name: str) -> Snapshot | None:
    """The newest stored snapshot of a list, or None if it has none."""
    snapshots = list_snapshots(directory, list_name)
    return snapshots[-1] if snapshots else None


def find_snapshot(directory: Path, list_name: str, version: str | None = None) -> Snapshot:
    """The snapshot of a list whose version starts with ``version`` (the newest if None).

    Raises :class:`NotFound` if there is none, :class:`InvalidInput` if the prefix is
    ambiguous.
    """
    snapshots = list_snapshots(directory, list_name)
    if version is not None:
        snapshots = [s for s in snapshots if s.version.startswith(version)]
        if len(snapshots) > 1:
            raise InvalidInput(f"snapshot {list_name}@{version}: ambiguous, {len(snapshots)} match")
    if not snapshots:
        raise NotFound(f"no snapshot of {list_name!r}" + (f" at {version!r}" if version else ""))
    return snapshots[-1]


def read_entities(snapshot: Snapshot) -> list[Entity]:
    """The entities of a stored snapshot, in the order they were loaded."""
    content = gzip.decompress(snapshot.path.read_bytes())
    entities: list[Entity] = []
    for number, line in enumerate(content.splitlines(), start=1):
        try:
            entities.append(_entity(orjson.loads(line)))
        except (orjson.JSONDecodeError, KeyError, TypeError) as error:
            where = f"{snapshot.path.name}: line {number}"
            raise InvalidInput(f"{where}: not a stored entity: {error}") from None
    return entities


def diff(old: Iterable[Entity], new: Iterable[Entity]) -> ListDiff:
    """What changed from ``old`` to ``new``: entities added, removed, and changed.

    Tuple fields compare as sets (order is not a change), except that a new primary
    name (the first of ``names``) is a change of ``names``.
    """
    before = {entity.key: entity for entity in old}
    after = {entity.key: entity for entity in new}
    changed: list[EntityChange] = []
    for key in before.keys() & after.keys():
        differing = tuple(
            name
            for name in _COMPARED
            if _comparable(before[key], name) != _comparable(after[key], name)
        )
        if differing:
            changed.append(EntityChange(key, differing, before[key], after[key]))
    return ListDiff(
        added=tuple(after[key] for key in sorted(after.keys() - before.keys())),
        removed=tuple(before[key] for key in sorted(before.keys() - after.keys())),
        changed=tuple(sorted(changed, key=lambda change: change.key)),
    )


_COMPARED = tuple(f.name for f in fields(Entity) if f.name not in ("source", "source_id"))


def _comparable(entity: Entity, name: str) -> Any:
    value = getattr(entity, name)
    if name == "names":
        return (value[:1], frozenset(value))
    if isinstance(value, tuple):
        return frozenset(value)
    return value


def _line(entity: Entity) -> bytes:
    # Not dataclasses.asdict: its deep copy is most of the time of a large save.
    row = {f.name: getattr(entity, f.name) for f in fields(Entity)}
    row["identifiers"] = [
        {"kind": i.kind, "value": i.value, "country": i.country} for i in entity.identifiers
    ]
    return orjson.dumps(row, option=orjson.OPT_SORT_KEYS)


def _content_hash(*, path_hint: str, rows: list[Entity], lines: list[bytes]) -> str:
    keyed: dict[str, bytes] = {}
    for entity, line in zip(rows, lines, strict=True):
        if entity.key in keyed:
            raise InvalidInput(f"list {path_hint}: two entities with key {entity.key!r}")
        keyed[entity.key] = line
    digest = hashlib.sha256()
    for key in sorted(keyed):
        digest.update(keyed[key] + b"\n")
    return digest.hexdigest()


def _entity(row: dict[str, Any]) -> Entity:
    return Entity(
        source=row["source"],
        source_id=row["source_id"],
        schema=row["schema"],
        names=tuple(row["names"]),
        programmes=tuple(row["programmes"]),
        countries=tuple(row["countries"]),
        birth_dates=tuple(row["birth_dates"]),
        identifiers=tuple(Identifier(**identifier) for identifier in row["identifiers"]),
        former_names=tuple(row["former_names"]),
        listed_on=row["listed_on"],
        remarks=row["remarks"],
        extra=tuple((key, value) for key, value in row["extra"]),
    )


def _metadata(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "list_name": snapshot.list_name,
        "version": snapshot.version,
        "created_at": snapshot.created_at.isoformat().replace("+00:00", "Z"),
        "content_hash": snapshot.content_hash,
        "entity_count": snapshot.entity_count,
        "files": list(snapshot.files),
        "data": snapshot.path.name,
    }


def _read_metadata(path: Path) -> Snapshot:
    try:
        meta = orjson.loads(path.read_bytes())
        return Snapshot(
            list_name=meta["list_name"],
            version=meta["version"],
            created_at=datetime.fromisoformat(meta["created_at"]),
            content_hash=meta["content_hash"],
            entity_count=meta["entity_count"],
            files=tuple(meta["files"]),
            path=path.parent / meta["data"],
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"{path}: not snapshot metadata: {error}") from None


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)
