"""Accord's TAXII 2.1 server, through the OASIS client over real HTTP, on objects one by
one: the manifest, an object's versions and the object itself, deleting it; and whether
every object Accord emits over TAXII is valid STIX 2.1 (stix2-validator), a report partly
released to a partner included.

Every test talks to this module's live ``accord serve`` (``tests/taxii_support.py``).
Section numbers are those of OASIS TAXII 2.1 (10 June 2021).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance
from taxii2client.exceptions import AccessError

from accord.core.collections import collection_id
from tests.data import indicator, stix_example_files
from tests.live_server import LiveServer
from tests.taxii_support import (
    SHARED_EXAMPLES,
    STIX,
    FilterObjects,
    Tokens,
    added,
    assert_taxii_error,
    envelope,
    every_page,
    fixture_filter_objects,  # noqa: F401 (a fixture, found by pytest here)
    fixture_server,  # noqa: F401 (a fixture, found by pytest here)
    fixture_tokens,  # noqa: F401 (a fixture, found by pytest here)
    http,
    http_status,
    instant,
    objects_of,
    taxii_collection,
)

# stix2-validator itself catches a jsonschema class that is deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:stix2validator")


# -- manifest, versions, one object (§5.5, §5.6, §5.8) -----------------------------------


def test_manifest_describes_each_latest_version(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    entries = collection.get_manifest()["objects"]
    assert {entry["id"] for entry in entries} == filter_objects.latest_ids
    for entry in entries:
        assert set(entry) >= {"id", "date_added", "version", "media_type"}
        assert entry["media_type"] == STIX
        assert instant(entry["date_added"]) >= instant(filter_objects.first_envelope_added)
    [a] = [entry for entry in entries if entry["id"] == filter_objects.a1["id"]]
    assert instant(a["version"]) == instant(filter_objects.a2["modified"])
    assert len(collection.get_manifest(version="all")["objects"]) == len(entries) + 1


def test_object_versions_lists_every_version_oldest_first(
    server: LiveServer, tokens: Tokens
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-versions")
    first = indicator(7)
    second = {**first, "modified": "2026-04-01T08:30:00.000Z", "description": "Still active."}
    added([first], collection)
    added([second], collection)

    versions = collection.object_versions(first["id"])

    assert versions["more"] is False
    assert [instant(v) for v in versions["versions"]] == [
        instant(first["modified"]),
        instant(second["modified"]),
    ]
    latest = collection.get_object(first["id"])["objects"]
    assert [obj["modified"] for obj in latest] == [second["modified"]]
    every = collection.get_object(first["id"], version="all")["objects"]
    assert [obj["modified"] for obj in every] == [first["modified"], second["modified"]]
    oldest = collection.get_object(first["id"], version="first")["objects"]
    assert oldest == [{**first, "labels": ["interop:versions"]}]
    assert http_status(lambda: collection.object_versions(f"indicator--{uuid.uuid4()}")) == 404


def test_object_not_released_to_the_caller_is_404_never_403(
    server: LiveServer, tokens: Tokens
) -> None:
    owners_only = indicator(11)  # no release list: the owner (EU) alone reads it
    added([owners_only], taxii_collection(server, tokens.eu_analyst, "all"))
    collection = taxii_collection(server, tokens.jp_analyst, "all")
    assert http_status(lambda: collection.get_object(owners_only["id"])) == 404
    assert http_status(lambda: collection.object_versions(owners_only["id"])) == 404
    assert "objects" not in collection.get_objects(id=owners_only["id"])
    assert "objects" not in collection.get_manifest(id=owners_only["id"])


# -- delete (§5.7) -----------------------------------------------------------------------


def test_owner_analyst_deletes_an_object_which_is_then_gone(
    server: LiveServer, tokens: Tokens
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-deletes")
    doomed, kept = indicator(21), indicator(22)
    added([doomed, kept], collection)

    collection.delete_object(doomed["id"])

    assert http_status(lambda: collection.get_object(doomed["id"])) == 404
    assert [entry["id"] for entry in collection.get_manifest()["objects"]] == [kept["id"]]
    assert http_status(lambda: collection.delete_object(doomed["id"])) == 404


def test_delete_with_match_version_removes_only_that_version(
    server: LiveServer, tokens: Tokens
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-deletes")
    first = indicator(26)
    second = {**first, "modified": "2026-05-01T00:00:00.000Z"}
    added([first], collection)
    added([second], collection)

    collection.delete_object(first["id"], version=first["modified"])

    versions = collection.object_versions(first["id"])["versions"]
    assert [instant(version) for version in versions] == [instant(second["modified"])]
    kept = collection.get_object(first["id"], version="all")["objects"]
    assert [obj["modified"] for obj in kept] == [second["modified"]]


def test_analyst_of_another_partner_may_not_delete_an_object_released_to_it(
    server: LiveServer, tokens: Tokens
) -> None:
    shared = indicator(23)  # released to sdp-jp (EU, JP) by the collection
    added([shared], taxii_collection(server, tokens.eu_analyst, "group-sdp-jp"))
    as_jp = taxii_collection(server, tokens.jp_analyst, "group-sdp-jp")
    assert as_jp.get_object(shared["id"])["objects"][0]["id"] == shared["id"]

    assert http_status(lambda: as_jp.delete_object(shared["id"])) == 403

    still = taxii_collection(server, tokens.eu_analyst, "group-sdp-jp").get_object(shared["id"])
    assert [obj["id"] for obj in still["objects"]] == [shared["id"]]


def test_deleting_an_object_not_released_to_the_caller_is_404(
    server: LiveServer, tokens: Tokens
) -> None:
    owners_only = indicator(24)
    added([owners_only], taxii_collection(server, tokens.eu_analyst, "all"))
    with http(server, tokens.jp_analyst) as client:
        assert_taxii_error(client.delete(f"collections/all/objects/{owners_only['id']}/"), 404)


def test_reader_role_may_not_delete(server: LiveServer, tokens: Tokens) -> None:
    target = indicator(25)
    added([target], taxii_collection(server, tokens.eu_analyst, "interop-deletes"))
    path = f"collections/{collection_id('interop-deletes')}/objects/{target['id']}/"
    with http(server, tokens.eu_reader) as client:
        assert_taxii_error(client.delete(path), 403)
        assert client.get(path).status_code == 200
    # taxii2-client believes the collection's can_write and does not even send it.
    with pytest.raises(AccessError):
        taxii_collection(server, tokens.eu_reader, "interop-deletes").delete_object(target["id"])


# -- what Accord emits is valid STIX 2.1 -------------------------------------------------


def test_every_object_emitted_over_taxii_passes_stix2_validator(
    server: LiveServer, tokens: Tokens
) -> None:
    examples = {path.stem: json.loads(path.read_text()) for path in stix_example_files()}
    labelled = taxii_collection(server, tokens.eu_analyst, "interop-emitted")
    for name in (
        "apt1",
        "sighting-of-observed-data",
        "threat-actor-leveraging-attack-patterns-and-malware",
    ):
        added(examples[name]["objects"], labelled)
    shared = taxii_collection(server, tokens.eu_analyst, "group-sdp-jp")
    for name in ("indicators-for-C2-with-COA", "using-granular-markings", "infrastructure"):
        added(examples[name]["objects"], shared)
    _post_report_partly_released_to_jp(server, tokens)

    as_owner = taxii_collection(server, tokens.eu_analyst, "all")
    as_partner = taxii_collection(server, tokens.jp_analyst, "all")
    emitted = [
        *objects_of(every_page(as_owner.get_objects, version="all")),
        *objects_of(every_page(as_partner.get_objects)),  # with references redacted
    ]

    assert len(emitted) > 100
    assert {"report", "relationship", "sighting", "observed-data", "marking-definition"} <= {
        obj["type"] for obj in emitted
    }
    options = ValidationOptions(version="2.1")
    invalid = {
        obj["id"]: [str(error) for error in result.errors]
        for obj in emitted
        if not (result := validate_instance(obj, options)).is_valid
    }
    assert not invalid


def test_marking_definitions_posted_to_an_area_collection_are_stored_unchanged(
    server: LiveServer, tokens: Tokens
) -> None:
    # STIX 2.1 §7.2.1: a marking-definition has no `labels` and is never versioned, so an
    # area's label cannot be added to it (TLP 1.0 ones must match the spec's text exactly).
    example = json.loads((SHARED_EXAMPLES / "using-marking-definitions.json").read_text())
    markings = [obj for obj in example["objects"] if obj["type"] == "marking-definition"]
    status = taxii_collection(server, tokens.eu_analyst, "cyber").add_objects(envelope(markings))
    assert (status.success_count, status.failure_count) == (2, 0), status.failures
    everything = taxii_collection(server, tokens.eu_analyst, "all")
    for marking in markings:
        assert everything.get_object(marking["id"])["objects"] == [marking]


def test_report_partly_released_to_a_partner_shows_it_only_the_released_references(
    server: LiveServer, tokens: Tokens
) -> None:
    report, released, withheld = _post_report_partly_released_to_jp(server, tokens)
    as_jp = taxii_collection(server, tokens.jp_analyst, "group-sdp-jp")
    [seen] = as_jp.get_object(report["id"])["objects"]
    assert seen["object_refs"] == [released["id"]]
    assert withheld["id"] not in json.dumps(seen)
    assert validate_instance(seen, ValidationOptions(version="2.1")).is_valid


def _post_report_partly_released_to_jp(
    server: LiveServer, tokens: Tokens
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    withheld, released = indicator(31), indicator(32)
    added([withheld], taxii_collection(server, tokens.eu_analyst, "all"))  # EU only
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid4()}",
        "created": "2026-03-01T12:00:00.000Z",
        "modified": "2026-03-01T12:00:00.000Z",
        "name": "C2 infrastructure seen by two partners",
        "published": "2026-03-01T12:00:00.000Z",
        "report_types": ["indicator"],
        "object_refs": [withheld["id"], released["id"]],
    }
    added([released, report], taxii_collection(server, tokens.eu_analyst, "group-sdp-jp"))
    return report, released, withheld
