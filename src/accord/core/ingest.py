"""Turning a bundle's objects into store rows: validation, markings, versions, batch writes.

A bundle is checked whole before anything is written: one invalid object rejects the bundle
and the error names it (id, field, reason, position). Writing then goes in batches, one
transaction each; re-importing is idempotent on (id, modified), so an import cut short by a
crash is completed by running it again, without duplicates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from accord.core import tables
from accord.core.errors import InvalidStixObject
from accord.core.fanout import map_ranges
from accord.core.markings import (
    TLP2_IDS,
    TLP_BY_MARKING_ID,
    Tlp,
    release_list_of,
    release_marking,
)
from accord.core.stix import refs
from accord.core.stix.canonical import canonical_json, parse_timestamp, version_of
from accord.core.stix.validation import validate_object

# Rows per IN (...) lookup: well under SQLite's and PostgreSQL's bound-parameter limits.
_LOOKUP_CHUNK = 5000
# Below this many objects, forking workers costs more than it saves.
_PARALLEL_MIN = 4000


@dataclass(frozen=True)
class MarkingOverride:
    """Markings set at import time (``accord import --tlp --release``), replacing the
    object's own TLP and release markings; other markings stay."""

    tlp: Tlp | None = None
    release: tuple[str, ...] | None = None


@dataclass(slots=True)
class PreparedObject:
    """One validated object, ready to become a row."""

    stix_id: str
    type: str
    spec_version: str
    created: datetime | None
    version: datetime
    revoked: bool
    tlp: Tlp | None
    release: frozenset[str]
    required_refs: list[tuple[str, refs.RefMode]]
    has_refs: bool
    body: str


@dataclass(frozen=True)
class BatchResult:
    """What one batch transaction stored."""

    stored: int
    duplicates: int
    first_seq: int | None
    last_seq: int | None


def prepare(
    objects: Sequence[Mapping[str, Any]],
    *,
    override: MarkingOverride | None,
    stored_release_markings: Mapping[str, frozenset[str]],
    known_grantees: frozenset[str],
    workers: int = 1,
) -> list[PreparedObject]:
    """Validate and prepare every object, or raise for the first bad one (nothing written).

    `stored_release_markings` maps the ids of release markings already in the store to
    their grantees; the bundle's own release markings are added to it. Large bundles are
    spread over `workers` processes; the error is the same as with one.
    """
    objects = list(objects)
    if override is not None:
        objects = _apply_override(objects, override, stored_release_markings)
    release_by_marking = dict(stored_release_markings)
    for obj in objects:
        grantees = release_list_of(obj) if obj.get("type") == "marking-definition" else None
        if grantees is not None:
            release_by_marking[obj["id"]] = grantees

    def first_invalid(start: int, stop: int) -> _Failure | None:
        for index in range(start, stop):
            try:
                validate_object(objects[index], index=index)
            except InvalidStixObject as error:
                return _Failure(error.object_id, error.field, error.reason, index)
        return None

    # Validation is most of the work and its answer is small, so it is what fans out.
    workers = workers if len(objects) >= _PARALLEL_MIN else 1
    for failure in map_ranges(first_invalid, len(objects), workers):
        if failure is not None:
            raise InvalidStixObject(
                failure.object_id, failure.field, failure.reason, index=failure.index
            )
    return [
        _prepare_one(obj, index, release_by_marking, known_grantees)
        for index, obj in enumerate(objects)
    ]


@dataclass(frozen=True)
class _Failure:
    """An invalid object, as a worker process reports it (exceptions pickle poorly)."""

    object_id: str | None
    field: str
    reason: str
    index: int


def write_batch(
    connection: Connection, batch: Sequence[PreparedObject], *, owner: str, now: datetime
) -> BatchResult:
    """Insert one batch in the caller's write transaction; skips (id, version) pairs already
    stored or repeated, keeps ``is_latest`` true on exactly the newest version of each id."""
    objects = tables.objects
    existing = _existing_versions(connection, {item.stix_id for item in batch})
    seen = {(stix_id, version) for stix_id, versions in existing.items() for version, _ in versions}
    fresh: list[PreparedObject] = []
    for item in batch:
        key = (item.stix_id, item.version)
        if key not in seen:
            seen.add(key)
            fresh.append(item)
    if not fresh:
        return BatchResult(0, len(batch), None, None)
    base_seq = connection.execute(select(func.max(objects.c.seq))).scalar() or 0
    last_added = connection.execute(select(func.max(objects.c.date_added))).scalar()
    # date_added never goes backwards with seq, even if the clock does.
    date_added = max(now, last_added) if last_added else now
    newest = _newest_versions(existing, fresh)
    native = _Native(connection.dialect.name)
    stamp = native.timestamp(date_added)
    list_ids = _release_list_ids(connection, {item.release for item in fresh})
    rows = [
        _row(
            item,
            base_seq + offset,
            owner,
            stamp,
            newest[item.stix_id] == item.version,
            native,
            list_ids.get(item.release),
        )
        for offset, item in enumerate(fresh, start=1)
    ]
    demoted = [
        seq
        for stix_id, versions in existing.items()
        for version, seq in versions
        if stix_id in newest and newest[stix_id] != version
    ]
    if demoted:
        connection.execute(
            update(objects).where(objects.c.seq.in_(demoted)).values(is_latest=False)
        )
    _bulk_insert(connection, objects, rows)
    _insert_required_refs(connection, fresh, base_seq)
    return BatchResult(len(fresh), len(batch) - len(fresh), base_seq + 1, base_seq + len(fresh))


def check_ownership(connection: Connection, prepared: Sequence[PreparedObject], owner: str) -> None:
    """Reject a new version of an object another partner owns (STIX: only the creator
    versions an object). Versions already stored are fine: they will be skipped."""
    objects = tables.objects
    stored: dict[str, tuple[str, set[datetime]]] = {}
    for chunk in _chunks(sorted({item.stix_id for item in prepared})):
        query = select(objects.c.stix_id, objects.c.owner, objects.c.modified).where(
            objects.c.stix_id.in_(chunk)
        )
        for stix_id, holder, version in connection.execute(query):
            stored.setdefault(stix_id, (holder, set()))[1].add(version)
    for index, item in enumerate(prepared):
        holder, versions = stored.get(item.stix_id, (owner, set()))
        if holder != owner and item.version not in versions:
            raise InvalidStixObject(
                item.stix_id,
                "id",
                f"the object belongs to partner {holder}; only its owner adds versions",
                index=index,
            )


def _prepare_one(
    obj: Mapping[str, Any],
    index: int,
    release_by_marking: Mapping[str, frozenset[str]],
    known_grantees: frozenset[str],
) -> PreparedObject:
    stix_id = obj["id"]
    marking_refs = obj.get("object_marking_refs") or ()
    tlp = _strictest_tlp(marking_refs)
    if stix_id in TLP_BY_MARKING_ID:
        # The TLP marking-definitions are published standards; their bodies stay as OASIS
        # wrote them (unmarked), and every partner reads them.
        tlp = Tlp.CLEAR
    own_release = release_list_of(obj) if obj["type"] == "marking-definition" else None
    release = frozenset(own_release or ()).union(
        *(release_by_marking[ref] for ref in marking_refs if ref in release_by_marking)
    )
    unknown = release - known_grantees
    if unknown:
        raise InvalidStixObject(
            stix_id,
            "object_marking_refs",
            f"release list names {min(unknown)!r}, which is no partner or sharing group here",
            index=index,
        )
    created_text = obj.get("created")
    created = parse_timestamp(created_text) if isinstance(created_text, str) else None
    modified_text = obj.get("modified")
    return PreparedObject(
        stix_id=stix_id,
        type=obj["type"],
        spec_version=obj.get("spec_version", "2.1"),
        created=created,
        version=created
        if created is not None and modified_text in (None, created_text)
        else version_of(obj),
        revoked=bool(obj.get("revoked", False)),
        tlp=tlp,
        release=release,
        required_refs=refs.required_refs(obj),
        has_refs=bool(refs.redactable_refs(obj)),
        body=canonical_json(obj),
    )


def _strictest_tlp(marking_refs: Iterable[str]) -> Tlp | None:
    strictest: Tlp | None = None
    for ref in marking_refs:
        level = TLP_BY_MARKING_ID.get(ref)
        if level is not None and (strictest is None or level.strictness > strictest.strictness):
            strictest = level
    return strictest


def _apply_override(
    objects: list[Mapping[str, Any]],
    override: MarkingOverride,
    stored_release_markings: Collection[str],
) -> list[Mapping[str, Any]]:
    """Objects with the override's markings in place of their own TLP/release markings.

    Marking-definitions keep theirs: they are the markings, not findings.
    """
    release_ids = set(stored_release_markings)
    release_ids |= {obj["id"] for obj in objects if release_list_of(obj) is not None}
    replaced = set(TLP_BY_MARKING_ID) if override.tlp is not None else set()
    new_refs = [TLP2_IDS[override.tlp]] if override.tlp is not None else []
    added: list[Mapping[str, Any]] = []
    if override.release:
        replaced |= release_ids
        marking = release_marking(override.release)
        new_refs.append(marking["id"])
        if all(obj["id"] != marking["id"] for obj in objects):
            added.append(marking)
    marked = [
        obj if obj.get("type") == "marking-definition" else _remarked(obj, replaced, new_refs)
        for obj in objects
    ]
    # Added markings go last, so every object keeps its position for error messages.
    return marked + added


def _remarked(
    obj: Mapping[str, Any], replaced: Collection[str], new_refs: list[str]
) -> dict[str, Any]:
    kept = [ref for ref in obj.get("object_marking_refs") or () if ref not in replaced]
    result = {key: value for key, value in obj.items() if key != "object_marking_refs"}
    if kept + new_refs:
        result["object_marking_refs"] = kept + new_refs
    return result


def _existing_versions(
    connection: Connection, stix_ids: Collection[str]
) -> dict[str, list[tuple[datetime, int]]]:
    objects = tables.objects
    found: dict[str, list[tuple[datetime, int]]] = {}
    for chunk in _chunks(sorted(stix_ids)):
        query = select(objects.c.stix_id, objects.c.modified, objects.c.seq).where(
            objects.c.stix_id.in_(chunk)
        )
        for stix_id, version, seq in connection.execute(query):
            found.setdefault(stix_id, []).append((version, seq))
    return found


def _newest_versions(
    existing: Mapping[str, list[tuple[datetime, int]]], fresh: Sequence[PreparedObject]
) -> dict[str, datetime]:
    newest: dict[str, datetime] = {}
    for item in fresh:
        current = newest.get(item.stix_id)
        if current is None:
            current = max((v for v, _ in existing.get(item.stix_id, ())), default=item.version)
        newest[item.stix_id] = max(current, item.version)
    return newest


def _row(
    item: PreparedObject,
    seq: int,
    owner: str,
    date_added: Any,
    is_latest: bool,
    native: _Native,
    release_list: int | None,
) -> dict[str, Any]:
    created = native.timestamp(item.created)
    return {
        "seq": seq,
        "stix_id": item.stix_id,
        "type": item.type,
        "spec_version": item.spec_version,
        "created": created,
        # A first version's `modified` equals `created`: convert once.
        "modified": created if item.version == item.created else native.timestamp(item.version),
        "date_added": date_added,
        "owner": owner,
        "tlp": item.tlp.value if item.tlp else None,
        "release_list": release_list,
        "revoked": native.boolean(item.revoked),
        "is_latest": native.boolean(is_latest),
        "has_refs": native.boolean(item.has_refs),
        "body": item.body,
    }


class _Native:
    """Values in the driver's own form, for :func:`_bulk_insert`.

    SQLAlchemy's per-value bind processing costs more than the insert itself on the bulk
    path, so rows are built as the driver takes them: on SQLite, timestamps as the text
    SQLAlchemy's DATETIME stores (naive UTC) and booleans as 0/1; on PostgreSQL, aware
    datetimes and booleans as they are.
    """

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"

    def timestamp(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        # Values are UTC already (parse_timestamp and the clock give UTC).
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def boolean(self, value: bool) -> Any:
        return int(value) if self.sqlite else value


def _bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows straight through the driver, already in its native form: COPY on
    PostgreSQL, executemany on SQLite."""
    keys = list(rows[0])
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        columns = ", ".join(keys)
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(tuple(row[key] for key in keys))
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=keys)
    order = compiled.positiontup or keys
    connection.exec_driver_sql(compiled.string, [tuple(row[k] for k in order) for row in rows])


def _insert_required_refs(
    connection: Connection, fresh: Sequence[PreparedObject], base_seq: int
) -> None:
    ref_rows = [
        {"object_seq": base_seq + offset, "ref_id": ref_id, "mode": mode}
        for offset, item in enumerate(fresh, start=1)
        for ref_id, mode in item.required_refs
    ]
    if ref_rows:
        _bulk_insert(connection, tables.object_required_refs, ref_rows)


def _release_list_ids(
    connection: Connection, releases: Collection[frozenset[str]]
) -> dict[frozenset[str], int]:
    """The id of each release list, adding the lists not stored yet."""
    lists, members = tables.release_lists, tables.release_list_grantees
    keys = {release: ",".join(sorted(release)) for release in releases if release}
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


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _LOOKUP_CHUNK):
        yield items[start : start + _LOOKUP_CHUNK]
