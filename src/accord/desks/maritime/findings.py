"""Events as STIX 2.1 findings: a ``maritime-event`` (a new SDO, defined by the
extension-definition below) per event, referring to the ``vessel`` objects involved and to
a standard ``location``, with the evidence positions; labelled ``area:maritime`` so the
maritime collection holds them.

Ids derive from what each object stands for (an event from its type, vessels and start),
so publishing the same events again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

import duckdb
import pyarrow as pa

from accord.core.markings import Tlp, accord_extension_definition
from accord.core.node import Node
from accord.core.stix.canonical import format_timestamp
from accord.core.stix.identifiers import derived_id
from accord.core.stix.vessel import vessel, vessel_extension_definition, vessel_id
from accord.core.store import ImportReport
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.flags import mmsi_identity

EVENT_EXTENSION_ID = "extension-definition--c4a6e2d8-1f3b-4a5c-9e7d-6b8a0c2e4f19"
_EVENT_ID_SALT = b"accord-maritime-event:0e6b9d2c-4a1f-4c8e-b3d5-7f2a9c1e6b40:"
_LOCATION_ID_SALT = b"accord-maritime-location:93d1b7e4-2c5a-4f6b-8e0d-1a3c5e7b9d2f:"
_CREATED = "2026-11-30T00:00:00.000Z"
# At most this many positions of each vessel go into an event's evidence (thinned evenly).
EVIDENCE_POSITIONS = 60
_EVIDENCE_MARGIN = timedelta(hours=1)

# The rule behind each event type, for the findings' external references.
RULE_SOURCES = {
    "gap": (
        "Global Fishing Watch: AIS disabling events",
        "https://globalfishingwatch.org/faqs/what-is-an-ais-disabling-event/",
    ),
    "encounter": (
        "Global Fishing Watch: encounters",
        "https://globalfishingwatch.org/datasets-and-code-vessel-encounters/",
    ),
    "loitering": (
        "Accord loitering rule (after Global Fishing Watch loitering)",
        "https://globalfishingwatch.org/datasets-and-code-loitering/",
    ),
    "spoof_jump": ("Accord rule: a lone report implying over 50 kn from both neighbours", None),
    "identity_clash": ("Accord rule: one MMSI in two places at once, repeatedly", None),
    "watchlist_hit": (
        "Accord rule: AIS from a vessel of interest (a vessel labelled watchlist)",
        None,
    ),
    "port_visit": (
        "Global Fishing Watch: port visits (3 km entry, 4 km exit, a stop)",
        "https://globalfishingwatch.org/datasets-and-code-port-visits/",
    ),
}

EVENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "maritime-event",
    "type": "object",
    "required": ["event_type", "vessel_refs", "first_observed", "last_observed", "location_ref"],
    "properties": {
        "event_type": {"enum": sorted(RULE_SOURCES)},
        "vessel_refs": {"type": "array", "items": {"type": "string", "pattern": "^vessel--"}},
        "first_observed": {"type": "string", "format": "date-time"},
        "last_observed": {"type": "string", "format": "date-time"},
        "location_ref": {"type": "string", "pattern": "^location--"},
        "score": {
            "type": "number",
            "description": "How far past its rule's threshold (1 = at it).",
        },
        "evidence": {"type": "object", "description": "The measurements behind the event."},
        "evidence_positions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["mmsi", "time", "latitude", "longitude"],
                "properties": {
                    "mmsi": {"type": "integer"},
                    "time": {"type": "string", "format": "date-time"},
                    "latitude": {"type": "number"},
                    "longitude": {"type": "number"},
                },
            },
        },
    },
}


def event_extension_definition() -> dict[str, Any]:
    """The extension-definition of the ``maritime-event`` SDO."""
    return accord_extension_definition(
        EVENT_EXTENSION_ID,
        name="Accord maritime event",
        description=(
            "A new SDO: what a maritime detector found in AIS (a gap, an encounter, loitering, "
            "a spoofed jump, an identity clash, a port visit), when and where, with the "
            "vessels involved and the evidence positions."
        ),
        schema=EVENT_SCHEMA,
        extension_type="new-sdo",
    )


def event_findings(
    records: Sequence[Mapping[str, Any]], archive: AisArchive, *, author: str
) -> list[dict[str, Any]]:
    """The STIX objects of events (``outputs.event_records``): the extension definitions,
    each vessel once, and per event its location and ``maritime-event``. `author` is the
    identity id of the publishing partner."""
    objects: dict[str, dict[str, Any]] = {}
    for definition in (vessel_extension_definition(), event_extension_definition()):
        objects[definition["id"]] = definition
    evidence = _evidence_positions(archive, records)
    for record, positions in zip(records, evidence, strict=True):
        for mmsi in record["mmsi"]:
            found = _vessel(mmsi, author)
            objects.setdefault(found["id"], found)
        place = _location(record, author)
        objects[place["id"]] = place
        event = _event(record, place["id"], positions, author)
        objects[event["id"]] = event
    return list(objects.values())


def publish_events(
    node: Node,
    records: Sequence[Mapping[str, Any]],
    archive: AisArchive,
    *,
    actor: str,
    tlp: Tlp,
    release: Sequence[str] | None,
) -> ImportReport:
    """Store events as findings of the node's home partner, marked `tlp` and released to
    `release`. The extension-definitions go in as TLP:CLEAR: every partner must be able
    to read what a maritime-event or a vessel is. Raises on any rejected object."""
    author = node.home_identity_id()
    objects = event_findings(records, archive, author=author)
    definitions = [o for o in objects if o["type"] == "extension-definition"]
    findings = [o for o in objects if o["type"] != "extension-definition"]
    node.import_objects(definitions, actor=actor).raise_for_rejections()
    report = node.import_objects(findings, actor=actor, tlp=tlp, release=release)
    report.raise_for_rejections()
    return report


def _vessel(mmsi: int, author: str) -> dict[str, Any]:
    identity = mmsi_identity(mmsi)
    return vessel(mmsi=mmsi, created_by_ref=author, flag=identity.flag_iso2)


def _location(record: Mapping[str, Any], author: str) -> dict[str, Any]:
    lat, lon = round(record["lat"], 5), round(record["lon"], 5)
    return {
        "type": "location",
        "spec_version": "2.1",
        "id": derived_id("location", _LOCATION_ID_SALT, f"{lat},{lon}"),
        "created_by_ref": author,
        "created": _CREATED,
        "modified": _CREATED,
        "latitude": lat,
        "longitude": lon,
    }


def _event(
    record: Mapping[str, Any], location_id: str, positions: list[dict[str, Any]], author: str
) -> dict[str, Any]:
    kind, vessels = record["type"], sorted(record["mmsi"])
    start, end = (format_timestamp(datetime.fromisoformat(record[k])) for k in ("start", "end"))
    key = f"{kind}|{','.join(map(str, vessels))}|{start}"
    source_name, url = RULE_SOURCES[kind]
    # STIX needs a url, description or external id beside the source name.
    reference = {
        "source_name": source_name,
        **({"url": url} if url else {"description": "docs in the Accord README, Maritime desk"}),
    }
    return {
        "type": "maritime-event",
        "spec_version": "2.1",
        "id": derived_id("maritime-event", _EVENT_ID_SALT, key),
        "created_by_ref": author,
        # The event's start, not the time of publishing: the finding stays the same object
        # (id and version) however often it is published.
        "created": start,
        "modified": start,
        "name": f"{kind.replace('_', ' ')}: {' and '.join(f'MMSI {m}' for m in vessels)}",
        "labels": ["area:maritime", f"maritime:{kind}"],
        # A score of 1 (at the rule's threshold) is 50, twice the threshold or more 100.
        "confidence": min(100, round(50 * record["score"])),
        "external_references": [reference],
        "event_type": kind,
        "vessel_refs": [vessel_id(mmsi=mmsi) for mmsi in vessels],
        "first_observed": start,
        "last_observed": end,
        "location_ref": location_id,
        "score": record["score"],
        "evidence": record["evidence"],
        "evidence_positions": positions,
        "extensions": {EVENT_EXTENSION_ID: {"extension_type": "new-sdo"}},
    }


def _evidence_positions(
    archive: AisArchive, records: Sequence[Mapping[str, Any]]
) -> list[list[dict[str, Any]]]:
    """Per event, its vessels' positions from an hour before to an hour after, thinned
    evenly to at most ``EVIDENCE_POSITIONS`` per vessel; one query for all events."""
    windows = pa.Table.from_pylist(
        [
            {
                "event": index,
                "mmsi": mmsi,
                "low": datetime.fromisoformat(record["start"]) - _EVIDENCE_MARGIN,
                "high": datetime.fromisoformat(record["end"]) + _EVIDENCE_MARGIN,
            }
            for index, record in enumerate(records)
            for mmsi in record["mmsi"]
        ],
        schema=pa.schema(
            [
                ("event", pa.int64()),
                ("mmsi", pa.int64()),
                ("low", pa.timestamp("us", tz="UTC")),
                ("high", pa.timestamp("us", tz="UTC")),
            ]
        ),
    )
    query = (
        "SELECT w.event, p.mmsi, p.ts, p.lat, p.lon "
        "FROM read_parquet(?, hive_partitioning = true) AS p "
        "JOIN windows AS w ON p.mmsi = w.mmsi AND p.ts BETWEEN w.low AND w.high "
        "ORDER BY w.event, p.mmsi, p.ts"
    )
    found: list[list[dict[str, Any]]] = [[] for _ in records]
    with duckdb.connect() as db:
        db.register("windows", windows)
        rows = db.execute(query, [archive.positions_glob]).fetchall()
    for (event, mmsi), group in groupby(rows, key=lambda row: (row[0], row[1])):
        track = list(group)
        step = max(1, -(-len(track) // EVIDENCE_POSITIONS))
        found[event] += [
            {"mmsi": mmsi, "time": format_timestamp(ts), "latitude": lat, "longitude": lon}
            for _, _, ts, lat, lon in track[::step]
        ]
    return found
