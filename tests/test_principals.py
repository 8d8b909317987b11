"""Users and API tokens: secrets stay secret, failures are refused clearly, changes audited."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, select

from accord.core.audit import AuditLog
from accord.core.database import Database
from accord.core.errors import AlreadyExists, AuthenticationFailed, InvalidInput, NotFound
from accord.core.principals import Principal, Principals, Role
from accord.core.tables import api_tokens, metadata, partners, users

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
# Cheap Argon2 parameters keep the tests fast; one test uses the defaults on purpose.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    """A settable clock for the code under test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def audit(database: Database) -> AuditLog:
    return AuditLog(database)


@pytest.fixture
def principals(database: Database, audit: AuditLog, clock: Clock) -> Principals:
    with database.writing() as connection:
        for code in ("EU", "JP"):
            connection.execute(
                insert(partners).values(
                    code=code, name=code, identity_id=f"identity--{uuid.uuid4()}", created=T0
                )
            )
    return Principals(database, audit, clock=clock, password_hasher=FAST_HASHER)


def _new_token(
    principals: Principals, *, partner: str = "EU", expires_in: timedelta | None = None
) -> str:
    _info, token = principals.create_token(
        partner=partner, role=Role.ANALYST, label="ci", actor="user:root", expires_in=expires_in
    )
    return token


def _add_alice(principals: Principals, password: str = PASSWORD) -> Principal:
    return principals.add_user(
        username="alice", partner="EU", role=Role.ANALYST, password=password, actor="user:root"
    )


def _refused(principals: Principals, token: str, now: datetime | None = None) -> str:
    with pytest.raises(AuthenticationFailed) as caught:
        principals.authenticate_token(token, now=now)
    return str(caught.value)


# --- roles -------------------------------------------------------------------------------


def test_role_allows_itself_and_lower_roles_only() -> None:
    assert Role.ADMIN.allows(Role.READER)
    assert Role.ANALYST.allows(Role.ANALYST)
    assert not Role.READER.allows(Role.ANALYST)
    assert not Role.ANALYST.allows(Role.ADMIN)


# --- tokens ------------------------------------------------------------------------------


def test_token_secret_carries_at_least_256_random_bits(principals: Principals) -> None:
    token = _new_token(principals)
    prefix, token_id, secret = token.split("_", 2)
    assert prefix == "accord"
    assert len(token_id) == 12 and int(token_id, 16) >= 0
    # base64url: 6 bits per character, so 43 characters hold 258 >= 256 bits.
    assert len(secret) * 6 >= 256
    assert _new_token(principals) != token


def test_database_holds_no_plaintext_token_secret(
    database: Database, principals: Principals
) -> None:
    token = _new_token(principals)
    secret = token.split("_", 2)[2]
    with database.reading() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                assert not any(secret in str(value) for value in row), table.name
        stored = connection.execute(select(api_tokens.c.secret_sha256)).scalar_one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()


def test_token_authenticates_as_its_partner_and_role(principals: Principals) -> None:
    info, token = principals.create_token(
        partner="JP", role=Role.READER, label="feed", actor="user:root"
    )
    principal = principals.authenticate_token(token)
    assert principal == Principal(name=info.token_id, partner="JP", role=Role.READER, kind="token")
    assert principal.actor == f"token:{info.token_id}"


def test_token_with_wrong_secret_is_refused_without_echoing_it(principals: Principals) -> None:
    token = _new_token(principals)
    forged_secret = secrets.token_urlsafe(32)
    forged = f"accord_{token.split('_', 2)[1]}_{forged_secret}"
    message = _refused(principals, forged)
    assert "wrong secret" in message
    assert forged_secret not in message


@pytest.mark.parametrize(
    "token",
    [
        "",
        "accord__",
        "Bearer something",
        "accord_0123456789ab",
        "accord_0123456789AB_" + "a" * 43,
        "accord_0123456789ab_" + "a" * 42,
        "accord_0123456789ab_" + "a" * 43 + "!",
        "xaccord_0123456789ab_" + "a" * 43,
    ],
)
def test_malformed_token_is_refused_without_echoing_it(principals: Principals, token: str) -> None:
    message = _refused(principals, token)
    assert "malformed" in message
    if token:
        assert token not in message


def test_unknown_token_is_refused(principals: Principals) -> None:
    message = _refused(principals, "accord_0123456789ab_" + secrets.token_urlsafe(32))
    assert "unknown token 0123456789ab" in message


def test_revoked_token_is_refused_and_revocation_is_audited(
    principals: Principals, audit: AuditLog
) -> None:
    info, token = principals.create_token(
        partner="EU", role=Role.ADMIN, label="x", actor="user:root"
    )
    revoked = principals.revoke_token(info.token_id, actor="user:admin")
    assert revoked.revoked == T0
    assert "revoked" in _refused(principals, token)
    [entry] = audit.entries(action="token.revoke")
    assert (entry.actor, entry.target) == ("user:admin", info.token_id)
    assert audit.verify() == 2


def test_revoking_twice_keeps_the_first_time_and_audits_once(
    principals: Principals, audit: AuditLog, clock: Clock
) -> None:
    info, _token = principals.create_token(
        partner="EU", role=Role.READER, label="x", actor="user:root"
    )
    principals.revoke_token(info.token_id, actor="user:root")
    clock.now = T0 + timedelta(hours=1)
    again = principals.revoke_token(info.token_id, actor="user:root")
    assert again.revoked == T0
    assert len(audit.entries(action="token.revoke")) == 1


def test_revoking_an_unknown_token_raises_not_found(principals: Principals) -> None:
    with pytest.raises(NotFound, match="0123456789ab"):
        principals.revoke_token("0123456789ab", actor="user:root")


def test_expired_token_is_refused(principals: Principals) -> None:
    token = _new_token(principals, expires_in=timedelta(hours=1))
    assert principals.authenticate_token(token, now=T0 + timedelta(minutes=59)).role == "analyst"
    assert "expired" in _refused(principals, token, now=T0 + timedelta(hours=1))


def test_token_for_unknown_partner_is_rejected_naming_it(
    database: Database, principals: Principals, audit: AuditLog
) -> None:
    with pytest.raises(NotFound, match="'XX'"):
        _new_token(principals, partner="XX")
    assert principals.list_tokens() == []
    assert audit.entries() == []


def test_non_positive_expiry_is_rejected(principals: Principals) -> None:
    with pytest.raises(InvalidInput, match="expires_in"):
        _new_token(principals, expires_in=timedelta(0))


def test_token_list_shows_tokens_of_a_partner_and_no_secret(principals: Principals) -> None:
    eu_token = _new_token(principals, partner="EU")
    jp_token = _new_token(principals, partner="JP", expires_in=timedelta(days=30))
    listed = principals.list_tokens()
    assert len(listed) == 2
    for token in (eu_token, jp_token):
        assert token.split("_", 2)[2] not in repr(listed)
    [jp] = principals.list_tokens(partner="JP")
    assert (jp.partner, jp.expires, jp.active(T0)) == ("JP", T0 + timedelta(days=30), True)


def test_token_creation_is_audited_without_the_secret(
    principals: Principals, audit: AuditLog
) -> None:
    token = _new_token(principals, expires_in=timedelta(days=1))
    [entry] = audit.entries(action="token.create")
    assert entry.target == token.split("_", 2)[1]
    assert entry.detail == {
        "partner": "EU",
        "role": "analyst",
        "label": "ci",
        "expires": "2026-03-02T12:00:00.000000Z",
    }
    assert token.split("_", 2)[2] not in orjson.dumps(entry.__dict__, default=str).decode()


# --- users -------------------------------------------------------------------------------


def test_user_password_is_stored_as_an_argon2_hash(
    database: Database, principals: Principals
) -> None:
    _add_alice(principals)
    with database.reading() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored


def test_user_logs_in_with_the_right_password(principals: Principals) -> None:
    _add_alice(principals)
    assert principals.authenticate_user("alice", PASSWORD) == Principal(
        name="alice", partner="EU", role=Role.ANALYST, kind="user"
    )


def test_wrong_password_and_unknown_user_are_refused_alike(principals: Principals) -> None:
    _add_alice(principals)
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        principals.authenticate_user("alice", PASSWORD + "!")
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        principals.authenticate_user("bob", PASSWORD)


def test_duplicate_username_is_rejected(principals: Principals) -> None:
    _add_alice(principals)
    with pytest.raises(AlreadyExists, match="alice"):
        _add_alice(principals)


def test_password_shorter_than_12_characters_is_rejected(principals: Principals) -> None:
    with pytest.raises(InvalidInput, match="12"):
        _add_alice(principals, password="a" * 11)
    assert principals.list_users() == []
    _add_alice(principals, password="a" * 12)


def test_user_of_unknown_partner_is_rejected(principals: Principals) -> None:
    with pytest.raises(NotFound, match="'XX'"):
        principals.add_user(
            username="bob", partner="XX", role=Role.READER, password=PASSWORD, actor="user:root"
        )


def test_disabled_user_cannot_log_in_and_disabling_is_audited(
    principals: Principals, audit: AuditLog
) -> None:
    _add_alice(principals)
    principals.disable_user("alice", actor="user:admin")
    with pytest.raises(AuthenticationFailed, match="disabled"):
        principals.authenticate_user("alice", PASSWORD)
    assert [(e.action, e.target) for e in audit.entries()] == [
        ("user.add", "alice"),
        ("user.disable", "alice"),
    ]
    assert principals.list_users()[0].disabled


def test_disabling_an_unknown_user_raises_not_found(principals: Principals) -> None:
    with pytest.raises(NotFound, match="nobody"):
        principals.disable_user("nobody", actor="user:root")


def test_weak_password_hash_is_upgraded_at_login(
    database: Database, principals: Principals, audit: AuditLog
) -> None:
    _add_alice(principals)
    stronger = Principals(database, audit, password_hasher=PasswordHasher())
    stronger.authenticate_user("alice", PASSWORD)
    with database.reading() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert not PasswordHasher().check_needs_rehash(stored)
    assert stronger.authenticate_user("alice", PASSWORD).name == "alice"


def test_user_list_filters_by_partner_and_shows_no_hash(principals: Principals) -> None:
    _add_alice(principals)
    principals.add_user(
        username="kenji", partner="JP", role=Role.READER, password=PASSWORD, actor="user:root"
    )
    assert [user.username for user in principals.list_users()] == ["alice", "kenji"]
    [kenji] = principals.list_users(partner="JP")
    assert (kenji.role, kenji.created, kenji.disabled) == (Role.READER, T0, False)
    assert "argon2" not in repr(principals.list_users())
