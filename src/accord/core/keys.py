"""Secrets the node makes for itself, kept in the store so every process shares them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import insert, select

from accord.core import tables
from accord.core.database import Database

_KEY_BYTES = 32  # 256 bits, for HMAC-SHA256


def node_key(database: Database, name: str) -> bytes:
    """The node's secret called `name`, made on first use; the same in every process and
    after every restart, so what it signs stays valid."""
    keys = tables.node_keys
    query = select(keys.c.secret).where(keys.c.name == name)
    with database.reading() as connection:
        found = connection.execute(query).scalar()
    if found is not None:
        return bytes(found)
    with database.writing() as connection:
        # The write lock makes check-then-insert safe between processes.
        found = connection.execute(query).scalar()
        if found is None:
            found = secrets.token_bytes(_KEY_BYTES)
            connection.execute(
                insert(keys).values(name=name, secret=found, created=datetime.now(UTC))
            )
    return bytes(found)
