"""The STIX store: every version of every object, read only through the sharing policy."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from accord.core import policy, tables
from accord.core.audit import AuditLog
from accord.core.batches import BatchResult, delete_versions, write_batch
from accord.core.database import Database
from accord.core.errors import NotFound, PermissionDenied
from accord.core.fanout import map_ranges
from accord.core.ingest import MarkingOverride, PreparedObject, Rejection, open_bundle
from accord.core.markings import Tlp, release_list_of
from accord.core.policy import Reader
from accord.core.queries import EVERYTHING, ObjectQuery, select_objects
from accord.core.stix import refs
from accord.core.stix.canonical import format_timestamp

Progress = Callable[[int], None]


@dataclass(frozen=True)
class StoredObject:
    """One version of an object as a reader receives it (references already redacted)."""

    seq: int
    stix_id: str
    type: str
    version: datetime
    date_added: datetime
    owner: str
    tlp: Tlp | None
    revoked: bool
    body: dict[str, Any]
    redacted: bool = False  # references the reader may not read were removed


@dataclass(frozen=True)
class ManifestEntry:
    """One version of an object, without its body (TAXII manifests and version lists)."""

    seq: int
    stix_id: str
    version: datetime
    date_added: datetime
    spec_version: str


@dataclass
class ImportReport:
    """What an import stored, and what it left out."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    batches: int = 0
    seq_ranges: list[tuple[int, int]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def raise_for_rejections(self) -> None:
        """Raise the error of the first rejected object, if any (for imports that must
        store everything, such as the node's own reference objects)."""
        if self.rejected:
            raise self.rejected[0].error()


class Store:
    """Writes bundles and reads objects for a reader, through :mod:`accord.core.policy`."""

    def __init__(
        self, database: Database, audit: AuditLog, *, batch_size: int = 10_000, workers: int = 1
    ):
        self._database = database
        self._audit = audit
        self._batch_size = batch_size
        self._workers = workers

    # -- writing ---------------------------------------------------------------------------

    def import_objects(
        self,
        objects: Sequence[Mapping[str, Any]],
        *,
        owner: str,
        actor: str,
        grantees: frozenset[str],
        override: MarkingOverride | None = None,
        progress: Progress | None = None,
        action: str = "object.import",
    ) -> ImportReport:
        """Validate and store the objects in batches, one transaction each.

        Each object stands on its own: an invalid one, or a new version of an object that
        another partner owns, is left out and listed in the report's ``rejected`` (with its
        position, id, field and reason); the rest is stored. Idempotent on (id, modified).
        Large bundles are validated, prepared and written by several processes at once.
        """
        bundle = open_bundle(
            objects,
            override=override,
            stored_release_markings=self.release_markings(),
            known_grantees=grantees,
            workers=self._workers,
        )
        # At least one batch per worker process, so a bundle smaller than two batches
        # still keeps every core busy.
        share = -(-len(bundle.objects) // bundle.parallel_workers())
        size = max(1, min(self._batch_size, share))
        ranges = [
            (start, min(start + size, len(bundle.objects)))
            for start in range(0, len(bundle.objects), size)
        ]
        workers = min(bundle.parallel_workers(), max(1, len(ranges)))

        def write_share(worker: int, _: int) -> list[BatchResult]:
            # Each process checks, prepares and writes every `workers`-th batch; the write
            # lock queues their transactions, so one works while the other writes.
            if worker:
                self._database.forget_inherited_connections()
            results = []
            for start, stop in ranges[worker::workers]:
                prepared, rejected = bundle.prepare_range(start, stop)
                result = self._write(prepared, rejected, owner=owner, actor=actor, action=action)
                results.append(replace(result, rejected=(*rejected, *result.rejected)))
                if progress is not None and not worker:
                    progress(stop - start)
            return results

        shares = map_ranges(write_share, workers, workers)
        report = ImportReport(received=len(bundle.objects))
        for result in (result for share in shares for result in share):
            report.stored += result.stored
            report.duplicates += result.duplicates
            report.batches += 1
            report.rejected.extend(result.rejected)
            if result.first_seq is not None and result.last_seq is not None:
                report.seq_ranges.append((result.first_seq, result.last_seq))
        report.seq_ranges.sort()
        report.rejected.sort(key=lambda rejection: rejection.index)
        if progress is not None and workers > 1:
            progress(len(bundle.objects) - sum(stop - start for start, stop in ranges[::workers]))
        return report

    def _write(
        self,
        batch: Sequence[PreparedObject],
        invalid: Sequence[Rejection],
        *,
        owner: str,
        actor: str,
        action: str,
    ) -> BatchResult:
        """One batch in one transaction, with its audit entry (which also counts the
        batch's objects that failed validation)."""
        if not batch:
            return BatchResult(0, 0, None, None)
        with self._database.writing() as connection:
            result = write_batch(connection, batch, owner=owner, now=datetime.now(UTC))
            if result.stored:
                self._audit.record(
                    connection,
                    actor=actor,
                    action=action,
                    target=f"seq {result.first_seq}-{result.last_seq}",
                    detail={
                        "owner": owner,
                        "stored": result.stored,
                        "duplicates": result.duplicates,
                        "rejected": len(invalid) + len(result.rejected),
                    },
                )
        return result

    # -- reading ---------------------------------------------------------------------------

    def objects(
        self, reader: Reader, query: ObjectQuery = EVERYTHING, *, holder: str | None = None
    ) -> list[StoredObject]:
        """The objects of `query` the reader may see, in the order they were added (with
        `holder`: only what that partner may pass on to the reader)."""
        with self._database.reading() as connection:
            rows = connection.execute(select_objects(reader, query, holder=holder)).all()
            return self._render(connection, reader, rows)

    def iter_objects(
        self,
        reader: Reader,
        query: ObjectQuery = EVERYTHING,
        *,
        chunk: int = 5000,
        holder: str | None = None,
    ) -> Iterator[StoredObject]:
        """Like :meth:`objects`, streamed in chunks so any store size fits in memory.

        With `holder`, only what that partner may pass on to the reader (exports).
        """
        after = query.after_seq
        while True:
            page = replace(query, after_seq=after, limit=chunk)
            with self._database.reading() as connection:
                rows = connection.execute(select_objects(reader, page, holder=holder)).all()
                if not rows:
                    return
                yield from self._render(connection, reader, rows)
            after = rows[-1].seq

    def manifest(
        self, reader: Reader, query: ObjectQuery = EVERYTHING, *, holder: str | None = None
    ) -> list[ManifestEntry]:
        """Like :meth:`objects`, without the bodies: what versions the reader may see."""
        statement = select_objects(reader, query, holder=holder, columns=_manifest_columns)
        with self._database.reading() as connection:
            return [ManifestEntry(*row) for row in connection.execute(statement)]

    def count(self, reader: Reader, query: ObjectQuery = EVERYTHING) -> int:
        """How many objects of `query` the reader may see (never more)."""
        inner = select_objects(reader, replace(query, limit=None)).subquery()
        with self._database.reading() as connection:
            return int(connection.execute(select(func.count()).select_from(inner)).scalar_one())

    def count_by_type(self, reader: Reader) -> dict[str, int]:
        """Latest objects the reader may see, per STIX type."""
        row = tables.objects.alias("o")
        query = (
            select(row.c.type, func.count())
            .where(row.c.is_latest, policy.visible(reader, row))
            .group_by(row.c.type)
            .order_by(row.c.type)
        )
        with self._database.reading() as connection:
            return {kind: int(n) for kind, n in connection.execute(query)}

    def get(self, reader: Reader, stix_id: str, version: datetime | None = None) -> StoredObject:
        """One object (its newest version, or `version`); NotFound if the reader may not
        see it, exactly as if it did not exist."""
        query = ObjectQuery(ids=(stix_id,), versions="all" if version else "latest")
        found = [o for o in self.objects(reader, query) if version is None or o.version == version]
        if not found:
            raise NotFound(f"no object {stix_id}" + (f" version {version}" if version else ""))
        return found[-1]

    def versions(self, reader: Reader, stix_id: str) -> list[datetime]:
        """The versions of an object the reader may see, oldest first."""
        found = self.objects(reader, ObjectQuery(ids=(stix_id,), versions="all"))
        if not found:
            raise NotFound(f"no object {stix_id}")
        return sorted(o.version for o in found)

    def release_of(self, reader: Reader, stix_id: str) -> frozenset[str]:
        """The release list of the newest version, for a reader that may see the object."""
        visible = self.get(reader, stix_id)
        objects, members = tables.objects, tables.release_list_grantees
        query = (
            select(members.c.grantee)
            .join(objects, objects.c.release_list == members.c.list_id)
            .where(objects.c.seq == visible.seq)
        )
        with self._database.reading() as connection:
            return frozenset(connection.execute(query).scalars())

    # -- deleting --------------------------------------------------------------------------

    def delete(self, reader: Reader, query: ObjectQuery, *, actor: str) -> list[ManifestEntry]:
        """Delete the versions `query` selects, for the reader's partner, which must own
        them; returns what was deleted, and records it in the audit log.

        NotFound if the reader sees none of them (as if they did not exist);
        PermissionDenied, deleting nothing, if any belongs to another partner.
        """
        statement = select_objects(reader, query, columns=_owned_manifest_columns)
        with self._database.writing() as connection:
            rows = connection.execute(statement).all()
            if not rows:
                raise NotFound(f"no object {', '.join(query.ids) or 'matches the request'}")
            others = sorted({row.owner for row in rows} - {reader.partner})
            if others:
                raise PermissionDenied(
                    f"{rows[0].stix_id} belongs to partner {others[0]}; "
                    "only its owner partner deletes it"
                )
            deleted = [ManifestEntry(*row[:5]) for row in rows]
            delete_versions(connection, [entry.seq for entry in deleted])
            for stix_id in sorted({entry.stix_id for entry in deleted}):
                versions = [format_timestamp(e.version) for e in deleted if e.stix_id == stix_id]
                self._audit.record(
                    connection,
                    actor=actor,
                    action="object.delete",
                    target=stix_id,
                    detail={"owner": reader.partner, "versions": versions},
                )
        return deleted

    # -- helpers ---------------------------------------------------------------------------

    def _render(
        self, connection: Connection, reader: Reader, rows: Sequence[Any]
    ) -> list[StoredObject]:
        bodies = [orjson.loads(row.body) for row in rows]
        # References each body shows a non-owner; only those need the reader's check.
        shown = [
            refs.redactable_refs(body) if row.has_refs and row.owner != reader.partner else None
            for row, body in zip(rows, bodies, strict=True)
        ]
        readable = self._readable_refs(connection, reader, set().union(*filter(None, shown)))
        return [
            StoredObject(
                seq=row.seq,
                stix_id=row.stix_id,
                type=row.type,
                version=row.modified,
                date_added=row.date_added,
                owner=row.owner,
                tlp=Tlp(row.tlp) if row.tlp else None,
                revoked=row.revoked,
                body=policy.redacted_view(reader, row.owner, body, readable) if cut else body,
                redacted=cut,
            )
            for row, body, ids in zip(rows, bodies, shown, strict=True)
            for cut in (ids is not None and not ids <= readable,)
        ]

    @staticmethod
    def _readable_refs(connection: Connection, reader: Reader, ids: set[str]) -> set[str]:
        ordered = sorted(ids)
        readable: set[str] = set()
        for start in range(0, len(ordered), 5000):
            chunk = ordered[start : start + 5000]
            readable.update(connection.execute(policy.readable_ids(reader, chunk)).scalars())
        return readable

    def release_markings(self) -> dict[str, frozenset[str]]:
        """The release-list markings in the store: id -> grantees."""
        objects = tables.objects
        query = select(objects.c.stix_id, objects.c.body).where(
            objects.c.type == "marking-definition", objects.c.is_latest
        )
        found: dict[str, frozenset[str]] = {}
        with self._database.reading() as connection:
            for stix_id, body in connection.execute(query):
                grantees = release_list_of(orjson.loads(body))
                if grantees is not None:
                    found[stix_id] = grantees
        return found


def _manifest_columns(row: Any) -> tuple[Any, ...]:
    return (row.c.seq, row.c.stix_id, row.c.modified, row.c.date_added, row.c.spec_version)


def _owned_manifest_columns(row: Any) -> tuple[Any, ...]:
    return (*_manifest_columns(row), row.c.owner)
