"""The audit log: entries chain from genesis, and every kind of tampering is named."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, delete, insert, select, update

from accord.core import audit as audit_module
from accord.core.audit import GENESIS_HASH, AuditLog, compute_entry_hash
from accord.core.database import Database
from accord.core.errors import AuditChainBroken, InvalidInput
from accord.core.tables import audit_log, partners

T0 = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)


def _add_partner(connection: Connection, code: str) -> None:
    connection.execute(
        insert(partners).values(
            code=code, name=f"Partner {code}", identity_id=f"identity--{uuid.uuid4()}", created=T0
        )
    )


def _record_many(log: AuditLog, database: Database, count: int) -> None:
    with database.writing() as connection:
        for index in range(count):
            log.record(
                connection,
                actor=f"user:analyst{index % 3}",
                action="object.import",
                target=f"bundle--{index}",
                detail={"objects": index, "source": "test", "nested": {"b": 1, "a": [index]}},
            )


def _tamper(database: Database, seq: int, **values: Any) -> None:
    with database.writing() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == seq).values(**values))


def _broken(log: AuditLog, **kwargs: Any) -> AuditChainBroken:
    with pytest.raises(AuditChainBroken) as caught:
        log.verify(**kwargs)
    return caught.value


@pytest.fixture
def log(database: Database) -> AuditLog:
    return AuditLog(database)


def test_empty_log_verifies_and_its_head_is_genesis(log: AuditLog) -> None:
    assert log.verify() == 0
    assert log.head() == (0, GENESIS_HASH)


def test_entries_number_from_one_and_link_each_to_the_previous_hash(
    database: Database, log: AuditLog
) -> None:
    _record_many(log, database, 3)
    entries = log.entries()
    assert [entry.seq for entry in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[2].prev_hash == entries[1].entry_hash
    assert log.head() == (3, entries[2].entry_hash)


def test_entry_hash_is_sha256_of_sorted_compact_json_with_z_timestamp(database: Database) -> None:
    log = AuditLog(database, clock=lambda: T0)
    with database.writing() as connection:
        entry = log.record(
            connection, actor="user:root", action="node.init", target="EU", detail={"b": 2, "a": 1}
        )
    canonical = (
        '{"action":"node.init","actor":"user:root","at":"2026-01-02T03:04:05.000006Z",'
        '"detail":{"a":1,"b":2},"prev_hash":"' + GENESIS_HASH + '","seq":1,"target":"EU"}'
    )
    assert entry.entry_hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_entry_read_back_equals_entry_recorded(database: Database, log: AuditLog) -> None:
    with database.writing() as connection:
        recorded = log.record(
            connection, actor="user:a", action="export", target="x", detail={"n": 1.5}
        )
    assert log.entries() == [recorded]
    assert recorded.at.tzinfo is not None


def test_chain_of_many_entries_verifies_across_chunks(
    database: Database, log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small chunk makes verify cross many page boundaries, including an exact multiple.
    monkeypatch.setattr(audit_module, "VERIFY_CHUNK_ROWS", 7)
    _record_many(log, database, 350)
    assert log.verify() == 350


@pytest.mark.parametrize(
    "values",
    [
        {"at": T0 + timedelta(days=1)},
        {"actor": "user:someone-else"},
        {"action": "object.delete"},
        {"target": "bundle--other"},
        {"detail": '{"objects":999}'},
        {"detail": "not json"},
        {"prev_hash": "f" * 64},
        {"entry_hash": "e" * 64},
    ],
    ids=lambda values: next(iter(values)),
)
def test_editing_any_field_of_an_entry_is_detected_at_that_entry(
    database: Database, log: AuditLog, values: dict[str, Any]
) -> None:
    _record_many(log, database, 5)
    _tamper(database, 3, **values)
    assert _broken(log).sequence == 3


def test_deleting_an_entry_is_detected_naming_the_missing_seq(
    database: Database, log: AuditLog
) -> None:
    _record_many(log, database, 5)
    with database.writing() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq == 3))
    error = _broken(log)
    assert error.sequence == 3
    assert "removed" in error.reason


def test_deleting_the_first_entry_is_detected(database: Database, log: AuditLog) -> None:
    _record_many(log, database, 3)
    with database.writing() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq == 1))
    assert _broken(log).sequence == 1


def test_swapping_two_entries_contents_is_detected_at_the_first_of_them(
    database: Database, log: AuditLog
) -> None:
    _record_many(log, database, 5)
    with database.reading() as connection:
        rows = {
            row.seq: row._asdict()
            for row in connection.execute(select(audit_log).where(audit_log.c.seq.in_([3, 4])))
        }
    for seq, other in ((3, 4), (4, 3)):
        contents = {key: value for key, value in rows[other].items() if key != "seq"}
        _tamper(database, seq, **contents)
    assert _broken(log).sequence == 3


def test_first_entry_not_linked_to_genesis_is_detected(database: Database, log: AuditLog) -> None:
    _record_many(log, database, 3)
    _tamper(database, 1, prev_hash="1" * 64)
    error = _broken(log)
    assert error.sequence == 1
    assert "genesis" in error.reason


def test_truncated_tail_is_detected_only_against_an_anchor(
    database: Database, log: AuditLog
) -> None:
    _record_many(log, database, 5)
    anchor = log.head()
    with database.writing() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq > 3))
    assert log.verify() == 3  # a shorter chain is still a valid chain
    error = _broken(log, anchor=anchor)
    assert error.sequence == 5
    assert "truncated" in error.reason


def test_tail_rewritten_with_recomputed_hashes_is_detected_against_an_anchor(
    database: Database, log: AuditLog
) -> None:
    _record_many(log, database, 4)
    anchor = log.head()
    last = log.entries()[-1]
    forged = {
        "seq": last.seq,
        "at": last.at,
        "actor": "user:forger",
        "action": last.action,
        "target": last.target,
        "detail": last.detail,
        "prev_hash": last.prev_hash,
    }
    _tamper(database, 4, actor="user:forger", entry_hash=compute_entry_hash(**forged))
    assert log.verify() == 4
    assert _broken(log, anchor=anchor).sequence == 4
    assert log.verify(anchor=(2, log.entries()[1].entry_hash)) == 4


def test_entry_commits_together_with_the_change_it_records(
    database: Database, log: AuditLog
) -> None:
    with database.writing() as connection:
        _add_partner(connection, "EU")
        log.record(connection, actor="user:root", action="partner.add", target="EU")
    with database.reading() as connection:
        assert connection.execute(select(partners.c.code)).scalars().all() == ["EU"]
    assert [entry.target for entry in log.entries()] == ["EU"]


def test_entry_rolls_back_together_with_the_change_it_records(
    database: Database, log: AuditLog
) -> None:
    with pytest.raises(RuntimeError), database.writing() as connection:
        _add_partner(connection, "EU")
        log.record(connection, actor="user:root", action="partner.add", target="EU")
        raise RuntimeError("the change fails after it was recorded")
    with database.reading() as connection:
        assert connection.execute(select(partners.c.code)).scalars().all() == []
    assert log.entries() == []
    assert log.verify() == 0


def test_entries_filter_by_after_seq_limit_and_action(database: Database, log: AuditLog) -> None:
    with database.writing() as connection:
        for action in ["user.add", "token.create", "user.add", "token.revoke", "user.add"]:
            log.record(connection, actor="user:root", action=action, target="t")
    assert [entry.seq for entry in log.entries(after_seq=2)] == [3, 4, 5]
    assert [entry.seq for entry in log.entries(limit=2)] == [1, 2]
    assert [entry.seq for entry in log.entries(action="user.add")] == [1, 3, 5]
    assert [entry.seq for entry in log.entries(after_seq=1, limit=1, action="user.add")] == [3]


def test_unknown_action_is_rejected(database: Database, log: AuditLog) -> None:
    with pytest.raises(InvalidInput, match="imprt"), database.writing() as connection:
        log.record(connection, actor="user:root", action="object.imprt", target="x")


def test_detail_that_is_not_json_is_rejected(database: Database, log: AuditLog) -> None:
    with pytest.raises(InvalidInput, match="JSON"), database.writing() as connection:
        log.record(connection, actor="user:root", action="export", target="x", detail={"x": {1}})


def test_stored_detail_is_the_canonical_json(database: Database, log: AuditLog) -> None:
    with database.writing() as connection:
        log.record(connection, actor="u", action="export", target="x", detail={"b": [1], "a": "é"})
    with database.reading() as connection:
        stored = connection.execute(select(audit_log.c.detail)).scalar_one()
    assert stored == orjson.dumps({"a": "é", "b": [1]}).decode()
