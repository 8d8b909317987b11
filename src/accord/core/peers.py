"""Peers: the partner nodes this node federates with, and where each sync with them stands.

A peer is a TAXII 2.1 API root of another partner's node, the partner that runs it (its
objects carry that partner's signature; what this node pushes there must be released to
that partner), the partner's public signing key, the collections to sync (all it shows,
if none are named), and whether to pull, push or both. The peer's bearer token is kept
encrypted with the node's federation key (``ACCORD_FEDERATION_KEY``, Fernet) and is never
written to the audit log or printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, delete, insert, select, update

from accord.core import tables
from accord.core.audit import AuditLog
from accord.core.database import Database
from accord.core.errors import AlreadyExists, InvalidInput, NotFound
from accord.core.settings import Settings
from accord.core.signing import public_key_from_text

MODES = ("pull", "push", "both")
PEER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Peers speak HTTPS; plain HTTP only to this machine (tests, a proxy on the same host).
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Peer:
    """A partner node this node syncs with (its token stays in the registry)."""

    name: str
    url: str
    partner: str
    public_key: str
    mode: str
    collections: tuple[str, ...] | None
    created: datetime

    @property
    def pulls(self) -> bool:
        return self.mode in ("pull", "both")

    @property
    def pushes(self) -> bool:
        return self.mode in ("push", "both")


@dataclass(frozen=True)
class SyncState:
    """Where one direction of one collection's sync with a peer stands."""

    peer: str
    collection: str
    direction: str
    position: str | None  # the last date_added seen (pull) or sent (push)
    last_sync: datetime | None
    objects: int
    last_error: str | None


def new_federation_key() -> str:
    """A fresh key for ``ACCORD_FEDERATION_KEY``."""
    return Fernet.generate_key().decode()


class PeerRegistry:
    """Adds, lists and removes peers; keeps their tokens encrypted; every change audited."""

    def __init__(self, database: Database, audit: AuditLog, settings: Settings):
        self._database = database
        self._audit = audit
        self._settings = settings

    def add(
        self,
        name: str,
        url: str,
        *,
        partner: str,
        public_key: str,
        token: str,
        mode: str = "both",
        collections: Sequence[str] | None = None,
        actor: str,
    ) -> Peer:
        """Register a peer; errors name the field that is wrong."""
        _check(name, url, mode, token)
        public_key_from_text(public_key)  # refuses what is no Ed25519 key
        if partner == self._settings.home_partner:
            raise InvalidInput(f"--partner {partner}: that is this node's own partner")
        sealed = self._fernet().encrypt(token.encode())
        wanted = tuple(dict.fromkeys(c.strip() for c in collections or () if c.strip())) or None
        created = datetime.now(UTC)
        with self._database.writing() as connection:
            if (
                connection.execute(
                    select(tables.partners.c.code).where(tables.partners.c.code == partner)
                ).first()
                is None
            ):
                raise NotFound(f"--partner {partner}: no such partner on this node")
            if self._row(connection, name) is not None:
                raise AlreadyExists(f"peer {name} exists already")
            connection.execute(
                insert(tables.peers).values(
                    name=name,
                    url=url.rstrip("/") + "/",
                    partner=partner,
                    public_key=public_key.strip(),
                    mode=mode,
                    collections=json.dumps(list(wanted)) if wanted else None,
                    token=sealed,
                    created=created,
                )
            )
            detail = {"url": url, "partner": partner, "mode": mode, "collections": wanted}
            self._audit.record(
                connection, actor=actor, action="peer.add", target=name, detail=detail
            )
        return self.peer(name)

    def peers(self) -> list[Peer]:
        """Every peer, by name."""
        with self._database.reading() as connection:
            rows = connection.execute(select(tables.peers).order_by(tables.peers.c.name))
            return [_peer(row) for row in rows]

    def peer(self, name: str) -> Peer:
        """One peer; NotFound names it."""
        with self._database.reading() as connection:
            row = self._row(connection, name)
        if row is None:
            raise NotFound(f"no peer {name!r} on this node")
        return _peer(row)

    def remove(self, name: str, *, actor: str) -> None:
        """Forget a peer and its sync state (objects received from it stay)."""
        with self._database.writing() as connection:
            if self._row(connection, name) is None:
                raise NotFound(f"no peer {name!r} on this node")
            connection.execute(
                delete(tables.peer_cursors).where(tables.peer_cursors.c.peer == name)
            )
            connection.execute(delete(tables.peers).where(tables.peers.c.name == name))
            self._audit.record(connection, actor=actor, action="peer.remove", target=name)

    def reset(self, name: str, *, actor: str) -> None:
        """Forget where the syncs with a peer stood, so the next round reads and sends
        everything again (what is held already is recognised): after registering a key
        that objects were refused for, say."""
        with self._database.writing() as connection:
            if self._row(connection, name) is None:
                raise NotFound(f"no peer {name!r} on this node")
            connection.execute(
                delete(tables.peer_cursors).where(tables.peer_cursors.c.peer == name)
            )
            self._audit.record(connection, actor=actor, action="peer.reset", target=name)

    def token(self, name: str) -> str:
        """The peer's token, decrypted; InvalidInput if the federation key cannot."""
        with self._database.reading() as connection:
            row = self._row(connection, name)
        if row is None:
            raise NotFound(f"no peer {name!r} on this node")
        try:
            return self._fernet().decrypt(bytes(row.token)).decode()
        except InvalidToken as exc:
            raise InvalidInput(
                f"peer {name}: ACCORD_FEDERATION_KEY cannot read its token (was the key "
                "changed? add the peer again with its token)"
            ) from exc

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        """The registered signing keys, by partner."""
        return {peer.partner: public_key_from_text(peer.public_key) for peer in self.peers()}

    def states(self, name: str | None = None) -> list[SyncState]:
        """Where the syncs stand, of one peer or all."""
        cursors = tables.peer_cursors
        query = select(cursors).order_by(cursors.c.peer, cursors.c.collection, cursors.c.direction)
        if name is not None:
            self.peer(name)
            query = query.where(cursors.c.peer == name)
        with self._database.reading() as connection:
            return [
                SyncState(
                    r.peer,
                    r.collection,
                    r.direction,
                    r.position,
                    r.last_sync,
                    r.objects,
                    r.last_error,
                )
                for r in connection.execute(query)
            ]

    def cursor(self, name: str, collection: str, direction: str) -> SyncState | None:
        """Where one direction of one collection's sync stands (None before the first)."""
        return next(
            (
                state
                for state in self.states(name)
                if (state.collection, state.direction) == (collection, direction)
            ),
            None,
        )

    def record_sync(
        self,
        name: str,
        collection: str,
        direction: str,
        *,
        position: str | None,
        objects: int = 0,
        error: str | None = None,
    ) -> None:
        """Save where a sync got to (after what it fetched or sent is safely stored), how
        many objects it moved in all, and its last error (None clears it)."""
        cursors = tables.peer_cursors
        key = (
            (cursors.c.peer == name)
            & (cursors.c.collection == collection)
            & (cursors.c.direction == direction)
        )
        now = datetime.now(UTC)
        with self._database.writing() as connection:
            row = connection.execute(select(cursors).where(key)).first()
            if row is None:
                connection.execute(
                    insert(cursors).values(
                        peer=name,
                        collection=collection,
                        direction=direction,
                        position=position,
                        last_sync=now,
                        objects=objects,
                        last_error=error,
                    )
                )
                return
            connection.execute(
                update(cursors)
                .where(key)
                .values(
                    position=position if position is not None else row.position,
                    last_sync=now,
                    objects=row.objects + objects,
                    last_error=error,
                )
            )

    def _fernet(self) -> Fernet:
        key = self._settings.federation_key
        if key is None:
            raise InvalidInput(
                "ACCORD_FEDERATION_KEY is not set: it encrypts peers' tokens "
                "(`accord peer keygen` makes one)"
            )
        try:
            return Fernet(key.get_secret_value().encode())
        except ValueError as exc:
            raise InvalidInput(
                "ACCORD_FEDERATION_KEY is no Fernet key (32 bytes, base64url; "
                "`accord peer keygen` makes one)"
            ) from exc

    @staticmethod
    def _row(connection: Connection, name: str) -> Any:
        query = select(tables.peers).where(tables.peers.c.name == name)
        return connection.execute(query).first()


def _check(name: str, url: str, mode: str, token: str) -> None:
    if not PEER_NAME.match(name):
        raise InvalidInput(f"peer name {name!r}: 1-64 lower-case letters, digits and hyphens")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(f"URL {url!r}: the peer's TAXII API root, https://host/taxii2/api/")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise InvalidInput(f"URL {url!r}: peers speak HTTPS (plain HTTP only to this machine)")
    if mode not in MODES:
        raise InvalidInput(f"--mode {mode!r}: one of {', '.join(MODES)}")
    if not token.strip():
        raise InvalidInput("--token: the peer's bearer token is empty")


def _peer(row: Any) -> Peer:
    return Peer(
        name=row.name,
        url=row.url,
        partner=row.partner,
        public_key=row.public_key,
        mode=row.mode,
        collections=tuple(json.loads(row.collections)) if row.collections else None,
        created=row.created,
    )
