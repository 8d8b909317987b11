"""The audit log: an append-only, hash-chained record of every write and every share.

Each entry carries the hash of the entry before it, so editing, removing or reordering
an entry breaks the chain at that point and :meth:`AuditLog.verify` names it. Entries are
written inside the caller's write transaction, so an entry commits if and only if the
change it records commits.

The action vocabulary (``action`` is always one of :data:`ACTIONS`):

- ``node.init``: the node was initialised.
- ``object.import``: STIX objects entered the store.
- ``object.share``: an object's release list or marking changed.
- ``object.delete``: an object was deleted from the store.
- ``export``: objects left the node in a file or bundle.
- ``token.create``, ``token.revoke``: an API token was created or revoked.
- ``user.add``, ``user.disable``: a user was added or disabled.
- ``partner.add``: a partner was added to the node.
- ``group.create``, ``group.member.add``, ``group.member.remove``: sharing-group changes.
- ``collection.declare``, ``collection.remove``: a collection was added, changed or removed.
- ``api.request``: a request to the API (who, what, the answer, how many objects left).
- ``peer.add``, ``peer.remove``: a federation peer was registered or forgotten (never with
  its token); ``peer.reset``: where its syncs stood was forgotten.
- ``federation.receive``: verified objects from a peer node entered the store (owner: the
  signer).
- ``federation.send``: objects left for a peer node (pushed, or pulled by it).
- ``federation.refuse``: objects a peer delivered were refused (forged, altered, not
  released to this node), with the reasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Row, insert, select

from accord.core.database import Database
from accord.core.errors import AuditChainBroken, InvalidInput
from accord.core.tables import audit_log

GENESIS_HASH = "0" * 64

ACTIONS: frozenset[str] = frozenset(
    {
        "node.init",
        "peer.add",
        "peer.remove",
        "peer.reset",
        "federation.receive",
        "federation.send",
        "federation.refuse",
        "object.import",
        "object.share",
        "object.delete",
        "export",
        "token.create",
        "token.revoke",
        "user.add",
        "user.disable",
        "partner.add",
        "group.create",
        "group.member.add",
        "group.member.remove",
        "collection.declare",
        "collection.remove",
        "api.request",
    }
)

# Rows fetched per query while verifying: bounds memory however long the log grows.
VERIFY_CHUNK_ROWS = 5000

_MAX_ACTOR_CHARS = 200  # the width of audit_log.actor


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log; ``entry_hash`` covers every other field."""

    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str


def format_utc(at: datetime) -> str:
    """ISO 8601 UTC with microseconds and ``Z``, the form timestamps take in the chain."""
    return _as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_entry_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    detail: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 hex of the canonical (sorted-key, compact JSON) form of an entry."""
    canonical = orjson.dumps(
        {
            "seq": seq,
            "at": format_utc(at),
            "actor": actor,
            "action": action,
            "target": target,
            "detail": detail,
            "prev_hash": prev_hash,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


class AuditLog:
    """Appends to, reads and verifies the node's audit log."""

    def __init__(self, database: Database, *, clock: Callable[[], datetime] | None = None):
        self._database = database
        self._clock = clock or _utc_now

    def record(
        self,
        connection: Connection,
        *,
        actor: str,
        action: str,
        target: str,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an entry inside the caller's write transaction (from ``Database.writing()``).

        ``detail`` must be JSON-serialisable with string keys; it is stored and hashed in
        its JSON form, so the entry returned holds exactly what ``verify`` will recompute.
        """
        _check_fields(actor, action)
        detail_json = _detail_json(detail or {}, action)
        # The caller's writing() transaction holds the writer lock, so no other writer can
        # append between this read and the insert; the seq primary key backs that up.
        last_seq, prev_hash = _last_entry(connection)
        fields: dict[str, Any] = {
            "seq": last_seq + 1,
            "at": _as_utc(self._clock()),
            "actor": actor,
            "action": action,
            "target": target,
            "detail": orjson.loads(detail_json),
            "prev_hash": prev_hash,
        }
        entry = AuditEntry(**fields, entry_hash=compute_entry_hash(**fields))
        connection.execute(
            insert(audit_log).values(
                {**fields, "detail": detail_json.decode(), "entry_hash": entry.entry_hash}
            )
        )
        return entry

    def entries(
        self, *, after_seq: int = 0, limit: int | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        """Entries with seq greater than ``after_seq``, oldest first, optionally one action."""
        if limit is not None and limit < 0:
            raise InvalidInput(f"limit must be >= 0, got {limit}")
        query = select(audit_log).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        if limit is not None:
            query = query.limit(limit)
        with self._database.reading() as connection:
            return [_entry_from_row(row) for row in connection.execute(query)]

    def verify(self, *, anchor: tuple[int, str] | None = None) -> int:
        """Recompute the whole chain in seq order; return the number of entries verified.

        Raises :class:`AuditChainBroken` naming the first bad seq: an edited entry (hash
        mismatch), a removed one (gap in seq, or prev_hash not the previous entry_hash),
        reordered entries, or a first entry not linked to genesis. Given an ``anchor`` (a
        ``head()`` written down earlier), also checks that the log still reaches it with
        that hash, which is the only way to notice a truncated or rewritten tail.
        """
        expected_seq, expected_prev = 1, GENESIS_HASH
        anchor_hash: str | None = None
        with self._database.reading() as connection:
            for row in _stream_rows(connection):
                _check_link(row, expected_seq, expected_prev)
                entry = _entry_from_row(row)
                if compute_entry_hash(**_hashed_fields(entry)) != entry.entry_hash:
                    raise AuditChainBroken(entry.seq, "contents edited: hash does not match")
                if anchor is not None and entry.seq == anchor[0]:
                    anchor_hash = entry.entry_hash
                expected_seq, expected_prev = entry.seq + 1, entry.entry_hash
        if anchor is not None:
            _check_anchor(anchor, anchor_hash, expected_seq - 1)
        return expected_seq - 1

    def head(self) -> tuple[int, str]:
        """The last (seq, entry_hash); ``(0, GENESIS_HASH)`` for an empty log.

        The chain proves that nothing was edited, removed or reordered *before* its last
        entry, but dropping entries from the end leaves a valid shorter chain. Writing the
        head down somewhere else (a ticket, a partner's node, paper) and passing it to
        ``verify(anchor=...)`` later is what detects a truncated or rewritten tail.
        """
        with self._database.reading() as connection:
            return _last_entry(connection)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput(f"naive datetime {at!r}: audit timestamps must be UTC-aware")
    return at.astimezone(UTC)


def _stream_rows(connection: Connection) -> Iterator[Row[Any]]:
    # Keyset pages rather than one result set: memory stays flat on a million entries,
    # and it behaves the same on SQLite and PostgreSQL drivers.
    after = 0
    while True:
        rows = connection.execute(
            select(audit_log)
            .where(audit_log.c.seq > after)
            .order_by(audit_log.c.seq)
            .limit(VERIFY_CHUNK_ROWS)
        ).all()
        yield from rows
        if len(rows) < VERIFY_CHUNK_ROWS:
            return
        after = rows[-1].seq


def _last_entry(connection: Connection) -> tuple[int, str]:
    last = connection.execute(
        select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.entry_hash) if last else (0, GENESIS_HASH)


def _check_fields(actor: str, action: str) -> None:
    if action not in ACTIONS:
        raise InvalidInput(
            f"unknown audit action {action!r}: use one of {sorted(ACTIONS)} "
            "or add it to ACTIONS in accord.core.audit"
        )
    if not actor or len(actor) > _MAX_ACTOR_CHARS:
        raise InvalidInput(f"audit actor must be 1 to {_MAX_ACTOR_CHARS} characters: {actor!r}")


def _detail_json(detail: Mapping[str, Any], action: str) -> bytes:
    try:
        return orjson.dumps(dict(detail), option=orjson.OPT_SORT_KEYS)
    except TypeError as exc:  # orjson.JSONEncodeError derives from TypeError
        raise InvalidInput(f"audit detail for {action!r} is not JSON-serialisable: {exc}") from exc


def _check_link(row: Row[Any], expected_seq: int, expected_prev: str) -> None:
    if row.seq != expected_seq:
        raise AuditChainBroken(
            expected_seq, f"entry removed: the log jumps from {expected_seq - 1} to {row.seq}"
        )
    if row.prev_hash != expected_prev:
        if expected_seq == 1:
            raise AuditChainBroken(row.seq, "first entry is not linked to the genesis hash")
        raise AuditChainBroken(
            row.seq,
            f"prev_hash is not entry {expected_seq - 1}'s hash: entries removed or reordered",
        )


def _check_anchor(anchor: tuple[int, str], found_hash: str | None, last_seq: int) -> None:
    anchor_seq, expected_hash = anchor
    if found_hash is None:
        raise AuditChainBroken(
            anchor_seq, f"log truncated: it ends at {last_seq}, before the anchor {anchor_seq}"
        )
    if found_hash != expected_hash:
        raise AuditChainBroken(anchor_seq, "hash differs from the anchor: log rewritten")


def _entry_from_row(row: Row[Any]) -> AuditEntry:
    try:
        detail = orjson.loads(row.detail)
    except orjson.JSONDecodeError as exc:
        raise AuditChainBroken(row.seq, "contents edited: detail is not valid JSON") from exc
    if not isinstance(detail, dict):
        raise AuditChainBroken(row.seq, "contents edited: detail is not a JSON object")
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        detail=detail,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
