"""Writing prepared objects to the store in batches, one transaction each.

A new version of an object another partner owns is left out (a :class:`Rejection`): only
an object's owner versions it.

Re-importing is idempotent on (id, modified), so an import cut short by a crash is completed
by running it again, without duplicates. The hot path hands rows to the driver in its own
form (COPY on PostgreSQL, executemany on SQLite): SQLAlchemy's per-value processing would
cost more than the inserts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    ARRAY,
    Connection,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from accord.core import tables
from accord.core.ingest import PreparedObject, Rejection
from accord.core.stix.canonical import sortable_timestamp

_T = TypeVar("_T")

_COLUMNS = (
    "seq", "stix_id", "type", "spec_version", "created", "modified", "date_added", "owner",
    "tlp", "release_list", "revoked", "is_latest", "has_refs", "body",
)  # fmt: skip


@dataclass(frozen=True)
class BatchResult:
    """What one batch transaction stored, and what it left out."""

    stored: int
    duplicates: int
    first_seq: int | None
    last_seq: int | None
    rejected: tuple[Rejection, ...] = ()


def write_batch(
    connection: Connection, batch: Sequence[PreparedObject], *, owner: str, now: datetime
) -> BatchResult:
    """Insert one batch in the caller's write transaction; skips (id, version) pairs already
    stored or repeated, keeps ``is_latest`` true on exactly the newest version of each id."""
    objects = tables.objects
    existing = _stored_versions(connection, {item.stix_id for item in batch})
    seen = {
        (stix_id, version) for stix_id, (_, versions) in existing.items() for version in versions
    }
    fresh: list[PreparedObject] = []
    rejected: list[Rejection] = []
    for item in batch:
        key = (item.stix_id, item.version)
        if key in seen:
            continue
        holder = existing[item.stix_id][0] if item.stix_id in existing else owner
        if holder != owner:
            # STIX: only an object's creator versions it; here, only its owner partner. The
            # owner goes unnamed: the submitter may not be allowed to read the object.
            reason = "another partner owns an object with this id; only its owner adds versions"
            rejected.append(Rejection(item.position, item.stix_id, "id", reason))
            continue
        seen.add(key)
        fresh.append(item)
    duplicates = len(batch) - len(fresh) - len(rejected)
    if not fresh:
        return BatchResult(0, duplicates, None, None, tuple(rejected))
    base_seq = connection.execute(select(func.max(objects.c.seq))).scalar() or 0
    last_added = connection.execute(select(func.max(objects.c.date_added))).scalar()
    # date_added never goes backwards with seq, even if the clock does.
    date_added = sortable_timestamp(max(now, last_added) if last_added else now)
    newest = _newest_versions(existing, fresh)
    demoted = [
        seq
        for stix_id, (_, versions) in existing.items()
        for version, seq in versions.items()
        if stix_id in newest and newest[stix_id] != version
    ]
    if demoted:
        connection.execute(
            update(objects).where(objects.c.seq.in_(demoted)).values(is_latest=False)
        )
    list_ids = _release_list_ids(connection, {item.release for item in fresh})
    sqlite = connection.dialect.name == "sqlite"
    stamp = _native_timestamp(date_added, sqlite)
    rows = [
        (
            base_seq + offset,
            item.stix_id,
            item.type,
            item.spec_version,
            _native_timestamp(item.created, sqlite),
            _native_timestamp(item.version, sqlite),
            stamp,
            owner,
            item.tlp,
            list_ids.get(item.release),
            item.revoked,
            newest[item.stix_id] == item.version,
            item.has_refs,
            item.body,
        )
        for offset, item in enumerate(fresh, start=1)
    ]
    _bulk_insert(connection, objects, _COLUMNS, rows)
    ref_rows = [
        (base_seq + offset, ref_id, mode)
        for offset, item in enumerate(fresh, start=1)
        for ref_id, mode in item.required_refs
    ]
    if ref_rows:
        _bulk_insert(
            connection, tables.object_required_refs, ("object_seq", "ref_id", "mode"), ref_rows
        )
    label_rows = [
        (base_seq + offset, label)
        for offset, item in enumerate(fresh, start=1)
        for label in item.labels
    ]
    if label_rows:
        _bulk_insert(connection, tables.object_labels, ("object_seq", "label"), label_rows)
    return BatchResult(len(fresh), duplicates, base_seq + 1, base_seq + len(fresh), tuple(rejected))


def delete_versions(connection: Connection, seqs: Sequence[int]) -> None:
    """Delete stored versions in the caller's write transaction, and mark the newest
    remaining version of each affected object as its latest."""
    objects = tables.objects
    affected: set[str] = set()
    for chunk in _chunks(sorted(seqs)):
        affected.update(
            connection.execute(
                select(objects.c.stix_id).where(objects.c.seq.in_(chunk)).distinct()
            ).scalars()
        )
        connection.execute(delete(objects).where(objects.c.seq.in_(chunk)))
    for stix_id in sorted(affected):
        newest = connection.execute(
            select(objects.c.seq)
            .where(objects.c.stix_id == stix_id)
            .order_by(objects.c.modified.desc())
            .limit(1)
        ).scalar()
        if newest is not None:
            connection.execute(
                update(objects).where(objects.c.seq == newest).values(is_latest=True)
            )


def _stored_versions(
    connection: Connection, stix_ids: Collection[str]
) -> dict[str, tuple[str, dict[str, int]]]:
    """Per id already stored: its owner, and its versions (sortable text) with their
    sequence numbers."""
    objects = tables.objects
    found: dict[str, tuple[str, dict[str, int]]] = {}
    for chunk in _chunks(sorted(stix_ids)):
        query = select(objects.c.stix_id, objects.c.owner, objects.c.modified, objects.c.seq).where(
            objects.c.stix_id.in_(_id_list(connection, chunk))
        )
        for stix_id, holder, version, seq in connection.execute(query):
            found.setdefault(stix_id, (holder, {}))[1][sortable_timestamp(version)] = seq
    return found


def _id_list(connection: Connection, ids: Sequence[str]) -> Any:
    """The ids as one bound value that the engine unpacks: a JSON array on SQLite, an array
    on PostgreSQL (thousands of separate parameters cost more than the lookup)."""
    if connection.dialect.name == "sqlite":
        values = func.json_each(orjson.dumps(list(ids)).decode()).table_valued("value")
        return select(values.c.value)
    text_array = ARRAY(String())
    return select(func.unnest(cast(literal(list(ids), text_array), text_array)))


def _newest_versions(
    existing: Mapping[str, tuple[str, Mapping[str, int]]], fresh: Sequence[PreparedObject]
) -> dict[str, str]:
    newest: dict[str, str] = {}
    for item in fresh:
        current = newest.get(item.stix_id)
        if current is None:
            stored = existing[item.stix_id][1] if item.stix_id in existing else ()
            current = max(stored, default=item.version)
        newest[item.stix_id] = max(current, item.version)
    return newest


def _native_timestamp(text: str | None, sqlite: bool) -> str | None:
    # SQLite's DATETIME, as SQLAlchemy stores it, is this very text; PostgreSQL's
    # timestamptz needs the zone said.
    return text if sqlite or text is None else text + "+00"


def _bulk_insert(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})", rows
    )


def _release_list_ids(
    connection: Connection, releases: Collection[tuple[str, ...]]
) -> dict[tuple[str, ...], int]:
    """The id of each release list, adding the lists not stored yet."""
    lists, members = tables.release_lists, tables.release_list_grantees
    keys = {release: ",".join(release) for release in releases if release}
    if not keys:
        return {}
    found = {
        text: list_id
        for list_id, text in connection.execute(
            select(lists.c.id, lists.c.grantees).where(lists.c.grantees.in_(keys.values()))
        )
    }
    missing = sorted(set(keys.values()) - set(found))
    if missing:
        next_id = (connection.execute(select(func.max(lists.c.id))).scalar() or 0) + 1
        for offset, text in enumerate(missing):
            found[text] = next_id + offset
        connection.execute(
            insert(lists), [{"id": found[text], "grantees": text} for text in missing]
        )
        connection.execute(
            insert(members),
            [
                {"list_id": found[text], "grantee": grantee}
                for text in missing
                for grantee in text.split(",")
            ],
        )
    return {release: found[text] for release, text in keys.items()}


def _chunks(items: Sequence[_T], size: int = 5000) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
