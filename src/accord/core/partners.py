"""Partners of the partnership and named sharing groups of partners.

A partner is a STIX ``identity`` (organization) with a short code (EU, JP, ...). A sharing
group names a set of partners (``sdp-jp`` = EU + JP); release lists may name either. Codes
are upper case and group names lower case, so a release-list entry is never ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from accord.core import tables
from accord.core.audit import AuditLog
from accord.core.database import Database
from accord.core.errors import AlreadyExists, InvalidInput, NotFound
from accord.core.markings import TLP2_IDS, Tlp
from accord.core.policy import Reader
from accord.core.stix.identifiers import derived_id

PARTNER_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
_IDENTITY_SALT = b"accord-partner-identity:"
_IDENTITY_CREATED = "2026-11-30T00:00:00.000Z"


@dataclass(frozen=True)
class Partner:
    """A party of the partnership."""

    code: str
    name: str
    identity_id: str


@dataclass(frozen=True)
class SharingGroup:
    """A named set of partners that release lists can name."""

    name: str
    description: str
    members: frozenset[str]


def partner_identity(code: str, name: str) -> dict[str, Any]:
    """The STIX identity of a partner; its id is derived from the code, so every node
    gives the same partner the same id."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": derived_id("identity", _IDENTITY_SALT, code),
        "created": _IDENTITY_CREATED,
        "modified": _IDENTITY_CREATED,
        "name": name,
        "identity_class": "organization",
        "sectors": ["government-national"] if len(code) == 2 else ["government"],
        "x_accord_partner_code": code,
        "object_marking_refs": [TLP2_IDS[Tlp.CLEAR]],
    }


class PartnerDirectory:
    """Reads and changes partners and sharing groups; every change is audited."""

    def __init__(self, database: Database, audit: AuditLog):
        self._database = database
        self._audit = audit

    def add_partner(self, code: str, name: str, *, actor: str) -> Partner:
        """Register a partner; its code is 2-8 upper-case letters or digits."""
        if not PARTNER_CODE.match(code):
            raise InvalidInput(f"partner code {code!r}: use 2-8 upper-case letters or digits")
        if not name.strip():
            raise InvalidInput(f"partner {code}: the name is empty")
        identity = partner_identity(code, name)
        with self._database.writing() as connection:
            if self._partner_row(connection, code) is not None:
                raise AlreadyExists(f"partner {code} exists already")
            connection.execute(
                insert(tables.partners).values(
                    code=code, name=name, identity_id=identity["id"], created=datetime.now(UTC)
                )
            )
            self._audit.record(
                connection, actor=actor, action="partner.add", target=code, detail={"name": name}
            )
        return Partner(code, name, identity["id"])

    def partners(self) -> list[Partner]:
        """Every partner, by code."""
        query = select(tables.partners).order_by(tables.partners.c.code)
        with self._database.reading() as connection:
            return [Partner(r.code, r.name, r.identity_id) for r in connection.execute(query)]

    def partner(self, code: str) -> Partner:
        """One partner; NotFound names the unknown code."""
        with self._database.reading() as connection:
            row = self._partner_row(connection, code)
        if row is None:
            raise NotFound(f"no partner {code!r} on this node")
        return Partner(row.code, row.name, row.identity_id)

    def create_group(
        self, name: str, description: str, members: Iterable[str], *, actor: str
    ) -> SharingGroup:
        """Create a sharing group of existing partners."""
        if not GROUP_NAME.match(name):
            raise InvalidInput(
                f"group name {name!r}: use 2-64 lower-case letters, digits and hyphens"
            )
        member_set = frozenset(members)
        with self._database.writing() as connection:
            if connection.execute(
                select(tables.sharing_groups.c.name).where(tables.sharing_groups.c.name == name)
            ).first():
                raise AlreadyExists(f"sharing group {name} exists already")
            self._require_partners(connection, member_set)
            connection.execute(
                insert(tables.sharing_groups).values(
                    name=name, description=description, created=datetime.now(UTC)
                )
            )
            if member_set:
                connection.execute(
                    insert(tables.group_members),
                    [{"group_name": name, "partner": code} for code in sorted(member_set)],
                )
            self._audit.record(
                connection,
                actor=actor,
                action="group.create",
                target=name,
                detail={"members": sorted(member_set), "description": description},
            )
        return SharingGroup(name, description, member_set)

    def add_member(self, group: str, partner: str, *, actor: str) -> SharingGroup:
        """Add a partner to a group: it then reads what was released to the group."""
        with self._database.writing() as connection:
            current = self._group(connection, group)
            self._require_partners(connection, {partner})
            if partner not in current.members:
                connection.execute(
                    insert(tables.group_members).values(group_name=group, partner=partner)
                )
                self._audit.record(
                    connection,
                    actor=actor,
                    action="group.member.add",
                    target=group,
                    detail={"partner": partner},
                )
            return self._group(connection, group)

    def remove_member(self, group: str, partner: str, *, actor: str) -> SharingGroup:
        """Remove a partner from a group: it no longer reads what only the group was given."""
        members = tables.group_members
        with self._database.writing() as connection:
            current = self._group(connection, group)
            if partner not in current.members:
                raise NotFound(f"partner {partner!r} is not a member of group {group}")
            connection.execute(
                delete(members).where(members.c.group_name == group, members.c.partner == partner)
            )
            self._audit.record(
                connection,
                actor=actor,
                action="group.member.remove",
                target=group,
                detail={"partner": partner},
            )
            return self._group(connection, group)

    def groups(self) -> list[SharingGroup]:
        """Every sharing group with its members, by name."""
        with self._database.reading() as connection:
            names = connection.execute(
                select(tables.sharing_groups.c.name).order_by(tables.sharing_groups.c.name)
            ).scalars()
            return [self._group(connection, name) for name in list(names)]

    def group(self, name: str) -> SharingGroup:
        """One sharing group; NotFound names the unknown group."""
        with self._database.reading() as connection:
            return self._group(connection, name)

    def reader(self, code: str) -> Reader:
        """The reader for a partner: its code and the groups it belongs to."""
        self.partner(code)
        members = tables.group_members
        query = select(members.c.group_name).where(members.c.partner == code)
        with self._database.reading() as connection:
            return Reader(code, frozenset(connection.execute(query).scalars()))

    def grantees(self) -> frozenset[str]:
        """Every name a release list may hold: partner codes and group names."""
        with self._database.reading() as connection:
            codes = connection.execute(select(tables.partners.c.code)).scalars().all()
            names = connection.execute(select(tables.sharing_groups.c.name)).scalars().all()
        return frozenset(codes) | frozenset(names)

    def _partner_row(self, connection: Connection, code: str) -> Any:
        query = select(tables.partners).where(tables.partners.c.code == code)
        return connection.execute(query).first()

    def _require_partners(self, connection: Connection, codes: Iterable[str]) -> None:
        for code in sorted(codes):
            if self._partner_row(connection, code) is None:
                raise NotFound(f"no partner {code!r} on this node")

    def _group(self, connection: Connection, name: str) -> SharingGroup:
        row = connection.execute(
            select(tables.sharing_groups).where(tables.sharing_groups.c.name == name)
        ).first()
        if row is None:
            raise NotFound(f"no sharing group {name!r} on this node")
        members = tables.group_members
        codes = connection.execute(
            select(members.c.partner).where(members.c.group_name == name)
        ).scalars()
        return SharingGroup(row.name, row.description, frozenset(codes))
