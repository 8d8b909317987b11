"""What the sanctions desk puts in the store: designated vessels as STIX ``vessel`` objects
labelled ``watchlist`` (the maritime desk's ``watchlist_hit`` reads them).

A vessel is named by its MMSI if the list gives one, else by its IMO number
(``accord.core.stix.vessel``), so the maritime desk's vessel of the same ship is the same
object: the designation is a new version of it (``modified`` = the list snapshot's time),
carrying the ``watchlist`` label and the designations as external references.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accord.core.stix.vessel import WATCHLIST_LABEL, vessel
from accord.desks.sanctions.model import Entity


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
