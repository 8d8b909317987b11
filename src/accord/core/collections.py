"""Collections: named views on the store, which TAXII serves.

A collection is never a copy. It narrows the store by STIX type, by label (a cooperation
area such as ``area:maritime``) and by audience (objects released to one partner or
sharing group), and what a caller sees in it is still filtered by releasability on every
read. Only its audience reads a collection that has one.

Collections come from ``accord init`` (one for everything, one per cooperation area, one
per sharing group), from ``accord collection add``, and from the TOML file named by
``ACCORD_COLLECTIONS_FILE``, which ``accord init`` and ``accord serve`` apply.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, delete, insert, select, update

from accord.core import tables
from accord.core.audit import AuditLog
from accord.core.database import Database
from accord.core.errors import ConfigurationError, InvalidInput, NotFound
from accord.core.policy import Reader
from accord.core.principals import Principal, Role
from accord.core.queries import ObjectQuery

# The partnership's cooperation areas; findings carry the label "area:<area>".
COOPERATION_AREAS = ("maritime", "sanctions", "fimi", "cyber", "industry", "space", "operations")
_AREA_TITLES = {"fimi": "FIMI (information manipulation)"}
ALIAS = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Collection ids are UUIDv5 of the alias, so a collection keeps its id when it is
# declared again (another node, a config file applied twice).
_ID_NAMESPACE = uuid.UUID("5e0c6c1e-7f0a-4d53-9a55-0ac0bd0c0a11")


@dataclass(frozen=True)
class Collection:
    """A view on the store."""

    id: str
    alias: str
    title: str
    description: str
    types: tuple[str, ...] = ()
    label: str | None = None
    audience: str | None = None
    writable: bool = True

    def query(self) -> ObjectQuery:
        """The narrowing this view applies to every read."""
        return ObjectQuery(types=self.types, label=self.label, audience=self.audience)

    def can_read(self, reader: Reader) -> bool:
        """Whether the reader's partner may read the view (its audience, if it has one)."""
        return self.audience is None or self.audience in {reader.partner, *reader.groups}

    def can_write(self, reader: Reader, principal: Principal) -> bool:
        """Whether the caller may add objects: an analyst or admin of a partner that
        reads the view, if the view takes writes at all."""
        return self.writable and self.can_read(reader) and principal.role.allows(Role.ANALYST)


class CollectionSpec(BaseModel):
    """One collection as a config file or the CLI declares it."""

    model_config = ConfigDict(extra="forbid")

    alias: str = Field(pattern=ALIAS.pattern)
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    types: list[str] = []
    label: str | None = Field(default=None, max_length=250)
    audience: str | None = None
    writable: bool = True


def collection_id(alias: str) -> str:
    """The id of the collection with this alias, on every node."""
    return str(uuid.uuid5(_ID_NAMESPACE, alias))


def default_collections(groups: Iterable[str]) -> list[CollectionSpec]:
    """The views a new node starts with: everything, each area, each sharing group."""
    specs = [
        CollectionSpec(
            alias="all",
            title="Everything you may read",
            description="Every finding on this node that your partner may read.",
        )
    ]
    specs += [
        CollectionSpec(
            alias=area,
            title=f"{_AREA_TITLES.get(area, area.capitalize())} cooperation",
            description=f"Findings labelled area:{area}.",
            label=f"area:{area}",
        )
        for area in COOPERATION_AREAS
    ]
    specs += [
        CollectionSpec(
            alias=f"group-{group}",
            title=f"Released to {group}",
            description=f"Findings released to the sharing group {group}; its members only.",
            audience=group,
        )
        for group in groups
    ]
    return specs


def read_collections_file(path: Path) -> list[CollectionSpec]:
    """The ``[[collection]]`` tables of a TOML file; errors name the file and entry."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read collections: {exc}") from exc
    entries = document.get("collection", [])
    if not isinstance(entries, list):
        raise ConfigurationError(f"{path}: 'collection' must be an array of tables")
    specs = []
    for number, entry in enumerate(entries, start=1):
        try:
            specs.append(CollectionSpec.model_validate(entry))
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"]) or "entry"
            raise ConfigurationError(
                f"{path}: collection #{number}, field {where}: {problem['msg']}"
            ) from exc
    return specs


class CollectionDirectory:
    """The node's collections."""

    def __init__(self, database: Database, audit: AuditLog):
        self._database = database
        self._audit = audit

    def declare(
        self, specs: Iterable[CollectionSpec], *, grantees: frozenset[str], actor: str
    ) -> list[Collection]:
        """Add each collection, or update the one with the same alias; audited."""
        declared = []
        with self._database.writing() as connection:
            for spec in specs:
                if spec.audience is not None and spec.audience not in grantees:
                    raise InvalidInput(
                        f"collection {spec.alias}: audience {spec.audience!r} "
                        "is no partner or sharing group here"
                    )
                declared.append(self._upsert(connection, spec, actor))
        return declared

    def remove(self, alias: str, *, actor: str) -> None:
        """Remove a view (the objects stay in the store)."""
        table = tables.collections
        with self._database.writing() as connection:
            found = connection.execute(delete(table).where(table.c.alias == alias)).rowcount
            if not found:
                raise NotFound(f"no collection {alias!r} on this node")
            self._audit.record(connection, actor=actor, action="collection.remove", target=alias)

    def collections(self) -> list[Collection]:
        """Every collection, by alias."""
        with self._database.reading() as connection:
            rows = connection.execute(
                select(tables.collections).order_by(tables.collections.c.alias)
            )
            return [_from_row(row) for row in rows]

    def collection(self, key: str) -> Collection:
        """One collection by id or alias; NotFound otherwise."""
        table = tables.collections
        query = select(table).where((table.c.id == key) | (table.c.alias == key))
        with self._database.reading() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFound(f"no collection {key!r} on this node")
        return _from_row(row)

    def _upsert(self, connection: Connection, spec: CollectionSpec, actor: str) -> Collection:
        table = tables.collections
        values: dict[str, Any] = {
            "title": spec.title,
            "description": spec.description,
            "types": ",".join(spec.types),
            "label": spec.label,
            "audience": spec.audience,
            "writable": spec.writable,
        }
        current = connection.execute(select(table).where(table.c.alias == spec.alias)).first()
        if current is None:
            connection.execute(
                insert(table).values(
                    id=collection_id(spec.alias),
                    alias=spec.alias,
                    created=datetime.now(UTC),
                    **values,
                )
            )
        elif any(getattr(current, key) != value for key, value in values.items()):
            connection.execute(update(table).where(table.c.alias == spec.alias).values(**values))
        else:
            return _from_row(current)
        self._audit.record(
            connection, actor=actor, action="collection.declare", target=spec.alias, detail=values
        )
        row = connection.execute(select(table).where(table.c.alias == spec.alias)).one()
        return _from_row(row)


def _from_row(row: Any) -> Collection:
    return Collection(
        id=row.id,
        alias=row.alias,
        title=row.title,
        description=row.description,
        types=tuple(kind for kind in row.types.split(",") if kind),
        label=row.label,
        audience=row.audience,
        writable=row.writable,
    )
