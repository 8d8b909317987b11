"""What a read asks of the store, and the one SELECT every read path is built from.

Rows come back in ``seq`` order. ``date_added`` never decreases as ``seq`` grows (the batch
writer holds it back if the clock steps back), so this is also (date_added, seq) order: a
page cursor is a ``seq`` and pages never skip or repeat a row however many are added
between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, FromClause, Select, and_, func, or_, select

from accord.core import policy, tables
from accord.core.markings import Tlp
from accord.core.policy import Reader
from accord.core.stix.canonical import UNVERSIONED


@dataclass(frozen=True)
class VersionMatch:
    """Which versions of each object (TAXII ``match[version]``); the parts are OR-ed.

    ``at`` holds exact versions. An object without versions (an SCO) has its
    ``date_added`` as its version, as TAXII 2.1 §3.4.2 says.
    """

    first: bool = False
    last: bool = False
    at: tuple[datetime, ...] = ()


# Which versions a query reads: the newest, all, or a TAXII version match.
Versions = Literal["latest", "all"] | VersionMatch


@dataclass(frozen=True)
class ObjectQuery:
    """What to read. Every field narrows; the reader's releasability always applies."""

    types: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    owner: str | None = None
    tlp: Tlp | None = None
    added_after: datetime | None = None
    after_seq: int = 0
    versions: Versions = "latest"
    spec_versions: tuple[str, ...] = ()
    # Objects carrying this label (a collection's view, e.g. "area:maritime").
    label: str | None = None
    # Objects whose release list names this partner or sharing group.
    audience: str | None = None
    text: str | None = None
    limit: int | None = None


# The default read: the newest version of everything the reader may see.
EVERYTHING = ObjectQuery()


def select_objects(
    reader: Reader, query: ObjectQuery, *, holder: str | None = None, columns: Any = None
) -> Select[Any]:
    """The rows of `query` that `reader` may see (with `holder`: that partner may pass on
    to the reader), oldest first; all columns unless `columns` picks some."""
    row = tables.objects.alias("o")
    allowed = (
        policy.visible(reader, row) if holder is None else policy.exportable(reader, holder, row)
    )
    picked = columns(row) if columns is not None else (row,)
    statement = select(*picked).where(allowed, row.c.seq > query.after_seq)
    statement = statement.where(*_narrowing(row, query))
    statement = statement.order_by(row.c.seq)
    return statement.limit(query.limit) if query.limit else statement


def _narrowing(row: FromClause, query: ObjectQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.versions == "latest":
        conditions.append(row.c.is_latest)
    elif isinstance(query.versions, VersionMatch):
        conditions.append(_version_match(row, query.versions))
    if query.types:
        conditions.append(row.c.type.in_(query.types))
    if query.ids:
        conditions.append(row.c.stix_id.in_(query.ids))
    if query.spec_versions:
        conditions.append(row.c.spec_version.in_(query.spec_versions))
    if query.owner:
        conditions.append(row.c.owner == query.owner)
    if query.tlp:
        conditions.append(row.c.tlp == query.tlp.value)
    if query.added_after:
        conditions.append(row.c.date_added > query.added_after)
    if query.label is not None:
        labels = tables.object_labels
        conditions.append(
            row.c.seq.in_(select(labels.c.object_seq).where(labels.c.label == query.label))
        )
    if query.audience is not None:
        members = tables.release_list_grantees
        conditions.append(
            row.c.release_list.in_(
                select(members.c.list_id).where(members.c.grantee == query.audience)
            )
        )
    if query.text:
        conditions.append(row.c.body.contains(query.text, autoescape=True))
    return conditions


def _version_match(row: FromClause, match: VersionMatch) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if match.last:
        parts.append(row.c.is_latest)
    if match.first:
        other = tables.objects.alias("first_version")
        earliest = (
            select(func.min(other.c.modified))
            .where(other.c.stix_id == row.c.stix_id)
            .scalar_subquery()
        )
        parts.append(row.c.modified == earliest)
    if match.at:
        parts.append(row.c.modified.in_(match.at))
        parts.append(and_(row.c.modified == UNVERSIONED, row.c.date_added.in_(match.at)))
    return or_(*parts) if parts else row.c.is_latest
