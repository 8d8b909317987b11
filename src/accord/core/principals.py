"""Principals: the users and API tokens that call a node, each of one partner and one role.

Tokens look like ``accord_<token_id>_<secret>``: the id (12 hex characters) finds the row,
the secret (256 random bits) proves possession. Only the SHA-256 of the secret is stored
and the full token is returned once, at creation. Passwords are hashed with Argon2id.
Every change is written with its audit entry in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, insert, select, update

from accord.core.audit import AuditLog, format_utc
from accord.core.database import Database
from accord.core.errors import AlreadyExists, AuthenticationFailed, InvalidInput, NotFound
from accord.core.tables import api_tokens, partners, users

MIN_PASSWORD_CHARS = 12
# Argon2 hashes whatever it is given; a cap stops a megabyte "password" costing CPU.
MAX_PASSWORD_CHARS = 1024
TOKEN_PREFIX = "accord"
_TOKEN_SECRET_BYTES = 32  # 256 bits
_TOKEN_PATTERN = re.compile(r"accord_(?P<token_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
_USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
_MAX_LABEL_CHARS = 200  # the width of api_tokens.label


class Role(StrEnum):
    """What a principal may do; each role includes the ones before it."""

    READER = "reader"
    ANALYST = "analyst"
    # Another partner's node: reads what this node may pass on to its partner, signed,
    # and adds objects only with their originator's verified signature (federation).
    PEER = "peer"
    ADMIN = "admin"

    def allows(self, required: Role) -> bool:
        """Whether this role is at least ``required`` (reader < analyst < peer < admin)."""
        order = list(Role)
        return order.index(self) >= order.index(required)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user (name = username) or a token (name = token_id)."""

    name: str
    partner: str
    role: Role
    kind: Literal["user", "token"]

    @property
    def actor(self) -> str:
        """The caller as the audit log names it, e.g. ``user:alice`` or ``token:3f9a…``."""
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class TokenInfo:
    """An API token without its secret."""

    token_id: str
    partner: str
    role: Role
    label: str
    created: datetime
    expires: datetime | None
    revoked: datetime | None

    def active(self, now: datetime) -> bool:
        """Whether the token authenticates at ``now``: not revoked and not yet expired."""
        return self.revoked is None and (self.expires is None or now < self.expires)


@dataclass(frozen=True)
class UserInfo:
    """A user account without its password hash."""

    username: str
    partner: str
    role: Role
    created: datetime
    disabled: bool


class Principals:
    """Creates, lists, revokes and authenticates the node's users and API tokens."""

    def __init__(
        self,
        database: Database,
        audit: AuditLog,
        *,
        clock: Callable[[], datetime] | None = None,
        password_hasher: PasswordHasher | None = None,
    ):
        self._database = database
        self._audit = audit
        self._clock = clock or _utc_now
        self._hasher = password_hasher or PasswordHasher()

    def create_token(
        self,
        *,
        partner: str,
        role: Role,
        label: str,
        actor: str,
        expires_in: timedelta | None = None,
    ) -> tuple[TokenInfo, str]:
        """Create a token; return its info and the full token string, shown this once only."""
        if len(label) > _MAX_LABEL_CHARS:
            raise InvalidInput(f"token label longer than {_MAX_LABEL_CHARS} characters")
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidInput(f"expires_in must be positive, got {expires_in}")
        # 48 random bits of id: a collision is negligible and would fail on the primary key.
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(_TOKEN_SECRET_BYTES)
        created = self._clock()
        expires_at = created + expires_in if expires_in is not None else None
        info = TokenInfo(token_id, partner, Role(role), label, created, expires_at, revoked=None)
        with self._database.writing() as connection:
            _require_partner(connection, partner)
            connection.execute(
                insert(api_tokens).values(**_token_columns(info), secret_sha256=_sha256(secret))
            )
            expires = format_utc(info.expires) if info.expires else None
            self._audit.record(
                connection,
                actor=actor,
                action="token.create",
                target=token_id,
                detail={
                    "partner": partner,
                    "role": info.role.value,
                    "label": label,
                    "expires": expires,
                },
            )
        return info, f"{TOKEN_PREFIX}_{token_id}_{secret}"

    def list_tokens(self, *, partner: str | None = None) -> list[TokenInfo]:
        """Every token (revoked and expired ones too), oldest first; never a secret."""
        query = select(api_tokens).order_by(api_tokens.c.created, api_tokens.c.token_id)
        if partner is not None:
            query = query.where(api_tokens.c.partner == partner)
        with self._database.reading() as connection:
            return [_token_from_row(row) for row in connection.execute(query)]

    def revoke_token(self, token_id: str, *, actor: str) -> TokenInfo:
        """Revoke a token; revoking it again changes nothing and keeps the first time."""
        with self._database.writing() as connection:
            row = _token_row(connection, token_id)
            if row is None:
                raise NotFound(f"token {token_id!r} not found")
            info = _token_from_row(row)
            if info.revoked is not None:
                return info
            revoked = self._clock()
            connection.execute(
                update(api_tokens).where(api_tokens.c.token_id == token_id).values(revoked=revoked)
            )
            self._audit.record(
                connection,
                actor=actor,
                action="token.revoke",
                target=token_id,
                detail={"partner": row.partner, "label": row.label},
            )
        return replace(info, revoked=revoked)

    def authenticate_token(self, token: str, *, now: datetime | None = None) -> Principal:
        """The principal a token stands for; AuthenticationFailed says why it does not."""
        # Messages name the token_id at most: the secret must never reach a log.
        match = _TOKEN_PATTERN.fullmatch(token)
        if match is None:
            raise AuthenticationFailed("malformed token: expected accord_<12 hex>_<43 chars>")
        token_id, secret = match["token_id"], match["secret"]
        with self._database.reading() as connection:
            row = _token_row(connection, token_id)
        if row is None:
            raise AuthenticationFailed(f"unknown token {token_id}")
        # The secret is checked before revocation and expiry, so that someone holding
        # only a token_id learns nothing about the token's state.
        if not hmac.compare_digest(_sha256(secret), row.secret_sha256):
            raise AuthenticationFailed(f"wrong secret for token {token_id}")
        info = _token_from_row(row)
        at = now or self._clock()
        if info.revoked is not None:
            raise AuthenticationFailed(
                f"token {token_id} was revoked at {format_utc(info.revoked)}"
            )
        if not info.active(at):
            raise AuthenticationFailed(f"token {token_id} expired at {format_utc(row.expires)}")
        return Principal(name=token_id, partner=info.partner, role=info.role, kind="token")

    def add_user(
        self, *, username: str, partner: str, role: Role, password: str, actor: str
    ) -> Principal:
        """Add a user with an Argon2id-hashed password of at least 12 characters."""
        if _USERNAME_PATTERN.fullmatch(username) is None:
            raise InvalidInput(
                f"username {username!r}: use 1 to 128 letters, digits, '.', '_', '@' or '-'"
            )
        if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
            raise InvalidInput(
                f"password for {username!r} must be {MIN_PASSWORD_CHARS} to "
                f"{MAX_PASSWORD_CHARS} characters"
            )
        # Hash before taking the writer lock: Argon2 is slow on purpose.
        password_hash = self._hasher.hash(password)
        principal = Principal(name=username, partner=partner, role=Role(role), kind="user")
        with self._database.writing() as connection:
            _require_partner(connection, partner)
            if _user_row(connection, username) is not None:
                raise AlreadyExists(f"user {username!r} already exists")
            connection.execute(
                insert(users).values(
                    username=username,
                    partner=partner,
                    role=principal.role.value,
                    password_hash=password_hash,
                    created=self._clock(),
                    disabled=False,
                )
            )
            self._audit.record(
                connection,
                actor=actor,
                action="user.add",
                target=username,
                detail={"partner": partner, "role": principal.role.value},
            )
        return principal

    def authenticate_user(self, username: str, password: str) -> Principal:
        """The principal for a username and password; AuthenticationFailed otherwise."""
        with self._database.reading() as connection:
            row = _user_row(connection, username)
        # Verify against a dummy hash for unknown users so timing does not reveal which
        # usernames exist; the message is the same for both cases for the same reason.
        password_hash = row.password_hash if row else self._dummy_hash
        if not self._password_matches(password_hash, password) or row is None:
            raise AuthenticationFailed(f"wrong username or password for {username!r}")
        if row.disabled:
            raise AuthenticationFailed(f"user {username!r} is disabled")
        if self._hasher.check_needs_rehash(row.password_hash):
            self._rehash(username, password)
        return Principal(name=username, partner=row.partner, role=Role(row.role), kind="user")

    def disable_user(self, username: str, *, actor: str) -> None:
        """Disable a user so it can no longer log in; disabling twice changes nothing."""
        with self._database.writing() as connection:
            row = _user_row(connection, username)
            if row is None:
                raise NotFound(f"user {username!r} not found")
            if row.disabled:
                return
            connection.execute(
                update(users).where(users.c.username == username).values(disabled=True)
            )
            self._audit.record(
                connection,
                actor=actor,
                action="user.disable",
                target=username,
                detail={"partner": row.partner},
            )

    def user(self, username: str) -> UserInfo:
        """One user (never its password hash); NotFound otherwise."""
        with self._database.reading() as connection:
            row = _user_row(connection, username)
        if row is None:
            raise NotFound(f"user {username!r} not found")
        return _user_from_row(row)

    def list_users(self, *, partner: str | None = None) -> list[UserInfo]:
        """Every user (disabled ones too), by username; never a password hash."""
        query = select(users).order_by(users.c.username)
        if partner is not None:
            query = query.where(users.c.partner == partner)
        with self._database.reading() as connection:
            return [_user_from_row(row) for row in connection.execute(query)]

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))

    def _password_matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except VerificationError:
            return False
        except InvalidHashError as exc:
            raise AuthenticationFailed("stored password hash is unreadable") from exc

    def _rehash(self, username: str, password: str) -> None:
        # The hasher's parameters were raised since this password was set; upgrade it
        # while we hold the plaintext, the only moment we can.
        password_hash = self._hasher.hash(password)
        with self._database.writing() as connection:
            connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=password_hash)
            )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_partner(connection: Connection, partner: str) -> None:
    found = connection.execute(select(partners.c.code).where(partners.c.code == partner)).first()
    if found is None:
        raise NotFound(f"partner {partner!r} not found")


def _token_row(connection: Connection, token_id: str) -> Row[Any] | None:
    return connection.execute(select(api_tokens).where(api_tokens.c.token_id == token_id)).first()


def _user_row(connection: Connection, username: str) -> Row[Any] | None:
    return connection.execute(select(users).where(users.c.username == username)).first()


def _user_from_row(row: Row[Any]) -> UserInfo:
    return UserInfo(
        username=row.username,
        partner=row.partner,
        role=Role(row.role),
        created=row.created,
        disabled=row.disabled,
    )


def _token_from_row(row: Row[Any]) -> TokenInfo:
    return TokenInfo(
        token_id=row.token_id,
        partner=row.partner,
        role=Role(row.role),
        label=row.label,
        created=row.created,
        expires=row.expires,
        revoked=row.revoked,
    )


def _token_columns(info: TokenInfo) -> dict[str, Any]:
    return {
        "token_id": info.token_id,
        "partner": info.partner,
        "role": info.role.value,
        "label": info.label,
        "created": info.created,
        "expires": info.expires,
    }
