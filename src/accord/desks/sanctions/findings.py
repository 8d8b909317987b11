"""What the sanctions desk puts in the store: designated vessels as STIX ``vessel`` objects
labelled ``watchlist`` (the maritime desk's ``watchlist_hit`` reads them).

A vessel is named by its MMSI if the list gives one, else by its IMO number
(``accord.core.stix.vessel``), so the maritime desk's vessel of the same ship is the same
object: the designation is a new version of it (``modified`` = the list snapshot's time),
carrying the ``watchlist`` label and the designations as external references.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from accord.core.stix.canonical import format_timestamp
from accord.core.stix.identifiers import derived_id
from accord.core.stix.vessel import WATCHLIST_LABEL, vessel
from accord.desks.sanctions.model import Entity
from accord.desks.sanctions.scoring import Hit

# Confirming again makes a new version, and every version of an object keeps its `created`.
_CREATED = "2026-11-30T00:00:00.000Z"
_PARTY_SALT = b"accord-sanctions-party:4f7c1b2e-9a3d-4e6f-8b1a-2c3d4e5f6a7b:"
_LISTED_SALT = b"accord-sanctions-listed:7e2a9c4b-1d3f-4a5e-9c8b-6d7e8f9a0b1c:"
_HIT_SALT = b"accord-sanctions-hit:2b4d6f8a-0c1e-4a3b-8d5f-7a9c1e3b5d7f:"


def designated_vessels(
    entities: Iterable[Entity], *, author: str, modified: str
) -> list[dict[str, Any]]:
    """The vessel objects of the listed vessels that carry an MMSI or IMO number (others
    cannot be matched against AIS and are left out), one per ship even if several lists
    designate it."""
    by_id: dict[str, dict[str, Any]] = {}
    for entity in entities:
        if entity.schema != "Vessel":
            continue
        mmsi, imo = _number(entity, "mmsi"), _number(entity, "imo")
        if mmsi is None and imo is None:
            continue
        found = vessel(
            mmsi=mmsi,
            imo=imo,
            created_by_ref=author,
            modified=modified,
            name=entity.names[0] if entity.names else None,
            call_sign=_text(entity, "call_sign"),
            flag=entity.countries[0].upper() if entity.countries else None,
        )
        current = by_id.setdefault(found["id"], {**found, "labels": [WATCHLIST_LABEL]})
        references = current.setdefault("external_references", [])
        references.append(
            {
                "source_name": entity.source,
                "external_id": entity.source_id,
                **({"description": ", ".join(entity.programmes)} if entity.programmes else {}),
            }
        )
        label = f"sanctions:{entity.source}"
        if label not in current["labels"]:
            current["labels"].append(label)
    return list(by_id.values())


def _number(entity: Entity, kind: str) -> int | None:
    for identifier in entity.identifiers:
        if identifier.kind == kind:
            digits = "".join(ch for ch in identifier.value if ch.isdigit())
            if digits:
                return int(digits)
    return None


def _text(entity: Entity, kind: str) -> str | None:
    return next((i.value for i in entity.identifiers if i.kind == kind), None)


def confirmed_hit(
    party_id: str, party_name: str, hit: Hit, *, author: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """A hit an analyst confirmed, as findings: the screened party (an ``identity``), the
    listed entity (a ``vessel``, or an ``identity`` carrying its list entry as an external
    reference) and a ``related-to`` relationship between them that records the score and
    the explanation. Ids derive from the party and the list entry, so confirming again
    versions the same objects (``modified`` = now)."""
    stamp = format_timestamp((now or datetime.now(UTC)).astimezone(UTC))
    entity = hit.entity
    party = {
        "type": "identity",
        "spec_version": "2.1",
        "id": derived_id("identity", _PARTY_SALT, party_id),
        "created_by_ref": author,
        "created": _CREATED,
        "modified": stamp,
        "name": party_name,
        "identity_class": "individual" if entity.schema == "Person" else "organization",
        "labels": ["sanctions:screened-party"],
    }
    listed = _listed_object(entity, author, stamp)
    link = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": derived_id("relationship", _HIT_SALT, f"{party_id}|{entity.key}"),
        "created_by_ref": author,
        "created": _CREATED,
        "modified": stamp,
        "relationship_type": "related-to",
        "source_ref": party["id"],
        "target_ref": listed["id"],
        "description": f"Confirmed sanctions screening hit: {hit.explanation}",
        "confidence": min(100, round(hit.score * 100)),
        "labels": ["sanctions:confirmed-hit"],
    }
    return [party, listed, link]


def _listed_object(entity: Entity, author: str, stamp: str) -> dict[str, Any]:
    reference = {
        "source_name": entity.source,
        "external_id": entity.source_id,
        **({"description": ", ".join(entity.programmes)} if entity.programmes else {}),
    }
    if entity.schema == "Vessel" and (_number(entity, "mmsi") or _number(entity, "imo")):
        return designated_vessels([entity], author=author, modified=stamp)[0]
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": derived_id("identity", _LISTED_SALT, entity.key),
        "created_by_ref": author,
        "created": _CREATED,
        "modified": stamp,
        "name": entity.names[0] if entity.names else entity.key,
        "identity_class": "individual" if entity.schema == "Person" else "organization",
        "labels": [f"sanctions:{entity.source}"],
        "external_references": [reference],
    }
