"""Designated vessels become STIX vessel objects the maritime desk's watch list reads."""

from __future__ import annotations

from stix2validator import ValidationOptions, validate_instance

from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.core.stix.vessel import vessel, vessel_extension_definition, vessel_id
from accord.desks.maritime.watchlist import watchlist_table
from accord.desks.sanctions.findings import designated_vessels
from accord.desks.sanctions.model import Entity, Identifier

AUTHOR = "identity--11111111-1111-4111-8111-111111111111"


def listed(source: str, source_id: str, *identifiers: Identifier, schema: str = "Vessel") -> Entity:
    return Entity(
        source=source,
        source_id=source_id,
        schema=schema,
        names=("CHON MA SAN", "ASIA BRIDGE 1"),
        programmes=("DPRK",),
        countries=("kp",),
        identifiers=identifiers,
    )


def test_a_vessel_two_lists_designate_is_one_watchlist_object() -> None:
    ofac = listed(
        "ofac-sdn", "12345", Identifier("imo", "IMO 8660313"), Identifier("call_sign", "HMZF")
    )
    un = listed("un-sc", "KPe.061", Identifier("imo", "8660313"))
    no_number = listed("eu-fsf", "EU.1", Identifier("call_sign", "X"))
    person = listed("ofac-sdn", "1", Identifier("imo", "1"), schema="Person")
    found = designated_vessels(
        [ofac, un, no_number, person], author=AUTHOR, modified="2026-11-30T12:00:00.000Z"
    )
    assert len(found) == 1
    obj = found[0]
    assert obj["id"] == vessel_id(imo=8660313)
    assert obj["labels"] == ["watchlist", "sanctions:ofac-sdn", "sanctions:un-sc"]
    assert (obj["name"], obj["call_sign"], obj["flag"]) == ("CHON MA SAN", "HMZF", "KP")
    assert [r["external_id"] for r in obj["external_references"]] == ["12345", "KPe.061"]
    assert validate_instance(obj, ValidationOptions(version="2.1")).is_valid
    assert watchlist_table(found).to_pylist()[0]["imo"] == 8660313


def test_a_designation_versions_the_vessel_the_maritime_desk_published(node: Node) -> None:
    node.import_objects([vessel_extension_definition()], actor="t")
    seen = vessel(mmsi=445123000, created_by_ref=AUTHOR, flag="KP")
    node.import_objects([seen], actor="t").raise_for_rejections()
    designation = designated_vessels(
        [listed("un-sc", "KPe.1", Identifier("mmsi", "445123000"))],
        author=AUTHOR,
        modified="2026-12-01T00:00:00.000Z",
    )
    node.import_objects(designation, actor="t").raise_for_rejections()
    latest = node.store.get(node.reader(), seen["id"]).body
    assert "watchlist" in latest["labels"]
    assert node.store.count(node.reader(), ObjectQuery(ids=(seen["id"],), versions="all")) == 2
