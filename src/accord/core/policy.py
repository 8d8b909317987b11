"""Releasability: who may read, and who may pass on, each object. The one place of the rule.

Accord's rule table (stricter than TLP 2.0, see the README):

=================  ==============================================================
marking            who reads the object on this node
=================  ==============================================================
owner              always reads its own objects, whatever the marking
TLP:CLEAR          every partner on the node
TLP:GREEN          partners on the release list (directly or through a group)
TLP:AMBER          partners on the release list
TLP:AMBER+STRICT   partners on the release list; never passed on by a recipient
TLP:RED            the owner only; never leaves the node
no TLP marking     partners on the release list (treated as AMBER)
no release list    the owner only (unless TLP:CLEAR)
=================  ==============================================================

A reader sees a reference id only if it may read the target (by the table above). So a
non-owner sees an object only if it may read the targets of the references the object
cannot exist without (``stix.refs``: a relationship's ends, a sighting's subject, at least
one entry of a report's ``object_refs``); other references it may not read are removed from
its copy. A reference to an object that is not in the store is treated as unreadable.

Every read path builds its query from :func:`visible` (or :func:`exportable`) and renders
with :func:`redacted_view`; nothing reads the object tables around this module.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)

from accord.core import tables
from accord.core.markings import Tlp
from accord.core.stix import refs

# Outweighs any number of visible list entries in the required-reference score below.
_SINK = 1_000_000_000
_RELEASE_GOVERNED = (Tlp.GREEN.value, Tlp.AMBER.value, Tlp.AMBER_STRICT.value)


@dataclass(frozen=True)
class Reader:
    """A partner reading the store, with the sharing groups it belongs to."""

    partner: str
    groups: frozenset[str] = frozenset()

    @property
    def grantees(self) -> frozenset[str]:
        """Every release-list entry that names this reader."""
        return self.groups | {self.partner}


def may_read(reader: Reader, owner: str, tlp: Tlp | None, release: Collection[str]) -> bool:
    """The rule table for one object, ignoring its references."""
    if reader.partner == owner:
        return True
    if tlp is Tlp.CLEAR:
        return True
    if tlp is Tlp.RED:
        return False
    return not reader.grantees.isdisjoint(release)


def may_pass_on(
    holder: str, owner: str, tlp: Tlp | None, recipient: Reader, release: Collection[str]
) -> bool:
    """Whether `holder` may send an object to `recipient` off this node (export, TAXII
    to a peer, federation push).

    RED never leaves the node. AMBER+STRICT leaves only from its owner. Otherwise the
    recipient must be allowed to read it by the rule table.
    """
    if tlp is Tlp.RED:
        return False
    if tlp is Tlp.AMBER_STRICT and holder != owner:
        return False
    return may_read(recipient, owner, tlp, release)


def readable(reader: Reader, row: FromClause) -> ColumnElement[bool]:
    """SQL for :func:`may_read` on the rows of `row` (an alias of ``stix_objects``)."""
    members = tables.release_list_grantees
    # Uncorrelated: the database finds the reader's release lists once per statement.
    readers_lists = select(members.c.list_id).where(members.c.grantee.in_(sorted(reader.grantees)))
    released = row.c.release_list.in_(readers_lists)
    return or_(
        row.c.owner == reader.partner,
        row.c.tlp == Tlp.CLEAR.value,
        and_(or_(row.c.tlp.is_(None), row.c.tlp.in_(_RELEASE_GOVERNED)), released),
    )


def visible(reader: Reader, row: FromClause) -> ColumnElement[bool]:
    """SQL: the reader may see the row: it owns it, or may read it and the targets of its
    required references."""
    others_may_see = and_(readable(reader, row), _required_refs_readable(reader, row))
    return or_(row.c.owner == reader.partner, others_may_see)


def exportable(reader: Reader, holder: str, row: FromClause) -> ColumnElement[bool]:
    """SQL for :func:`may_pass_on` plus :func:`visible`: what `holder` may send `reader`."""
    return and_(
        visible(reader, row),
        row.c.tlp.is_distinct_from(Tlp.RED.value),
        or_(row.c.tlp.is_distinct_from(Tlp.AMBER_STRICT.value), row.c.owner == holder),
    )


def readable_ids(reader: Reader, candidate_ids: Collection[str]) -> Select[str]:
    """SQL selecting which of `candidate_ids` have a latest version the reader may read:
    the references the reader may see."""
    target = tables.objects.alias("ref_target")
    return select(target.c.stix_id).where(
        target.c.stix_id.in_(sorted(candidate_ids)), target.c.is_latest, readable(reader, target)
    )


def redacted_view(
    reader: Reader, owner: str, body: Mapping[str, Any], visible_refs: Collection[str]
) -> dict[str, Any]:
    """The copy of a visible object the reader receives: the owner gets it whole; others
    lose references to targets outside `visible_refs`."""
    if reader.partner == owner:
        return dict(body)
    return refs.redact(body, visible_refs)


def _required_refs_readable(reader: Reader, row: FromClause) -> ColumnElement[bool]:
    ref = tables.object_required_refs.alias()
    target = tables.objects.alias()
    target_ok = exists().where(
        target.c.stix_id == ref.c.ref_id, target.c.is_latest, readable(reader, target)
    )
    # One score per object, so the target test appears once in the statement: an
    # unreadable "all" target sinks the score below zero; each readable "any" target adds
    # one, and an object with "any" references needs at least one.
    is_list = ref.c.mode == "any"
    weight = case((target_ok, case((is_list, 1), else_=0)), else_=case((is_list, 0), else_=-_SINK))
    per_object = (
        select(
            func.sum(weight).label("score"),
            func.sum(case((is_list, 1), else_=0)).label("lists"),
        )
        .where(ref.c.object_seq == row.c.seq)
        .correlate(row)
        .subquery()
    )
    failed = or_(per_object.c.score < 0, and_(per_object.c.lists > 0, per_object.c.score == 0))
    verdict = select(case((failed, 0), else_=1)).select_from(per_object).scalar_subquery()
    return verdict == 1
