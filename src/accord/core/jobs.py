"""Import jobs: objects submitted over the API, kept until processed, then their outcome.

A submission is stored (objects and all) before it is acknowledged, so a restart loses no
acknowledged submission: the server processes unfinished jobs when it starts. The outcome
lists every object as a success or a failure with its reason, which TAXII's status
resource reports.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from sqlalchemy import insert, select, update

from accord.core import tables
from accord.core.database import Database
from accord.core.errors import NotFound
from accord.core.stix.canonical import format_timestamp


@dataclass(frozen=True)
class ObjectOutcome:
    """What became of one submitted object (TAXII 2.1 status-details)."""

    id: str
    version: str
    message: str | None = None


@dataclass(frozen=True)
class ImportJob:
    """A submission and, once processed, its outcome."""

    id: str
    partner: str
    actor: str
    collection_id: str | None
    requested: datetime
    finished: datetime | None
    total: int
    federated: bool = False  # from a peer node: verified, stored as the signers'
    successes: tuple[ObjectOutcome, ...] = field(default=())
    failures: tuple[ObjectOutcome, ...] = field(default=())

    @property
    def status(self) -> Literal["pending", "complete"]:
        """TAXII's status: complete once every object has an outcome."""
        return "complete" if self.finished else "pending"

    @property
    def pending_count(self) -> int:
        """Objects still waiting for an outcome."""
        return self.total - len(self.successes) - len(self.failures)


class ImportJobs:
    """The node's import jobs."""

    def __init__(self, database: Database):
        self._database = database

    def submit(
        self,
        objects: Sequence[Mapping[str, Any]],
        *,
        partner: str,
        actor: str,
        collection_id: str | None,
        federated: bool = False,
    ) -> ImportJob:
        """Store a submission durably; it waits until :meth:`finish` records its outcome."""
        job = ImportJob(
            id=str(uuid.uuid4()),
            partner=partner,
            actor=actor,
            collection_id=collection_id,
            requested=datetime.now(UTC),
            finished=None,
            total=len(objects),
            federated=federated,
        )
        with self._database.writing() as connection:
            connection.execute(
                insert(tables.import_jobs).values(
                    id=job.id,
                    partner=partner,
                    actor=actor,
                    collection_id=collection_id,
                    requested=job.requested,
                    total=job.total,
                    federated=federated,
                    payload=orjson.dumps(list(objects)),
                )
            )
        return job

    def objects(self, job_id: str) -> list[Any]:
        """The objects of a job that waits (empty once it is finished)."""
        jobs = tables.import_jobs
        with self._database.reading() as connection:
            payload = connection.execute(select(jobs.c.payload).where(jobs.c.id == job_id)).scalar()
        return list(orjson.loads(payload)) if payload else []

    def finish(
        self, job_id: str, successes: Sequence[ObjectOutcome], failures: Sequence[ObjectOutcome]
    ) -> None:
        """Record a job's outcome and drop its objects (they are in the store now)."""
        outcome = {
            "successes": [_outcome_json(item) for item in successes],
            "failures": [_outcome_json(item) for item in failures],
        }
        jobs = tables.import_jobs
        with self._database.writing() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(
                    finished=datetime.now(UTC), payload=None, outcome=orjson.dumps(outcome).decode()
                )
            )

    def job(self, job_id: str, *, partner: str | None = None) -> ImportJob:
        """One job; with `partner`, only that partner's (NotFound for any other's)."""
        jobs = tables.import_jobs
        query = select(*(c for c in jobs.c if c.name != "payload")).where(jobs.c.id == job_id)
        with self._database.reading() as connection:
            row = connection.execute(query).first()
        if row is None or (partner is not None and row.partner != partner):
            raise NotFound(f"no status {job_id!r}")
        outcome = orjson.loads(row.outcome) if row.outcome else {}
        return ImportJob(
            id=row.id,
            partner=row.partner,
            actor=row.actor,
            collection_id=row.collection_id,
            requested=row.requested,
            finished=row.finished,
            total=row.total,
            federated=row.federated,
            successes=tuple(ObjectOutcome(**item) for item in outcome.get("successes", ())),
            failures=tuple(ObjectOutcome(**item) for item in outcome.get("failures", ())),
        )

    def unfinished(self) -> list[str]:
        """Jobs acknowledged but not processed (a restart cut them short), oldest first."""
        jobs = tables.import_jobs
        query = select(jobs.c.id).where(jobs.c.finished.is_(None)).order_by(jobs.c.requested)
        with self._database.reading() as connection:
            return list(connection.execute(query).scalars())


def outcomes(
    objects: Sequence[Any],
    rejected: Mapping[int, str],
    *,
    requested: datetime,
    dates_added: Mapping[str, datetime] | None = None,
) -> tuple[list[ObjectOutcome], list[ObjectOutcome]]:
    """Successes and failures of submitted objects, given the reasons of the rejected ones
    by position and the ``date_added`` of stored objects without versions: TAXII uses it as
    their version (for one never stored, the time of the request)."""
    successes, failures = [], []
    for index, obj in enumerate(objects):
        stix_id, version = _identity(obj, index, dates_added or {}, requested)
        if index in rejected:
            failures.append(ObjectOutcome(stix_id, version, rejected[index]))
        else:
            successes.append(ObjectOutcome(stix_id, version))
    return successes, failures


def _identity(
    obj: Any, index: int, dates_added: Mapping[str, datetime], requested: datetime
) -> tuple[str, str]:
    if not isinstance(obj, Mapping):
        return f"(object #{index})", format_timestamp(requested)
    stix_id = str(obj.get("id") or f"(object #{index})")
    version = obj.get("modified") or obj.get("created")
    if isinstance(version, str):
        return stix_id, version
    return stix_id, format_timestamp(dates_added.get(stix_id, requested))


def _outcome_json(item: ObjectOutcome) -> dict[str, Any]:
    found = {"id": item.id, "version": item.version}
    return found if item.message is None else {**found, "message": item.message}
