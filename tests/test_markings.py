"""Markings: the official TLP 2.0 objects, TLP 1.0 on import, Accord's release extension."""

from __future__ import annotations

import uuid

import fastjsonschema
import orjson
import pytest
import stix2
from stix2validator import ValidationOptions, validate_instance

from accord.core.markings import (
    RELEASE_EXTENSION_ID,
    TLP2_IDS,
    Tlp,
    builtin_objects,
    release_extension_definition,
    release_list_of,
    release_marking,
    release_marking_id,
)
from accord.core.node import Node
from accord.core.queries import ObjectQuery


def test_tlp2_ids_are_the_published_oasis_ones() -> None:
    assert TLP2_IDS[Tlp.CLEAR] == "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    assert TLP2_IDS[Tlp.GREEN] == "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    assert TLP2_IDS[Tlp.AMBER] == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    assert TLP2_IDS[Tlp.AMBER_STRICT] == (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    )
    assert TLP2_IDS[Tlp.RED] == "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


@pytest.mark.parametrize("obj", builtin_objects(), ids=lambda o: o["id"])
def test_reference_objects_pass_stix2_validator_without_warnings(obj: dict[str, object]) -> None:
    result = validate_instance(obj, ValidationOptions(version="2.1"))
    assert result.is_valid
    assert not result.warnings


def test_release_marking_passes_stix2_validator_and_its_own_schema() -> None:
    marking = release_marking(["sdp-jp", "KR", "JP"])
    assert validate_instance(marking, ValidationOptions(version="2.1")).is_valid
    schema = orjson.loads(release_extension_definition()["schema"])
    fastjsonschema.compile(schema)(marking["extensions"][RELEASE_EXTENSION_ID])
    assert release_list_of(marking) == {"JP", "KR", "sdp-jp"}


def test_release_schema_rejects_an_empty_list() -> None:
    schema = orjson.loads(release_extension_definition()["schema"])
    with pytest.raises(fastjsonschema.JsonSchemaException):
        fastjsonschema.compile(schema)({"extension_type": "property-extension", "release_to": []})


def test_same_release_list_is_always_the_same_marking() -> None:
    assert release_marking_id(["KR", "JP"]) == release_marking_id(["JP", "KR", "JP"])
    assert release_marking_id(["JP"]) != release_marking_id(["KR"])
    assert uuid.UUID(release_marking_id(["JP"]).split("--")[1]).version == 4


@pytest.mark.parametrize(
    ("tlp1", "level"),
    [
        (stix2.TLP_WHITE, Tlp.CLEAR),
        (stix2.TLP_GREEN, Tlp.GREEN),
        (stix2.TLP_AMBER, Tlp.AMBER),
        (stix2.TLP_RED, Tlp.RED),
    ],
)
def test_tlp1_markings_are_read_as_their_tlp2_levels(
    node: Node, tlp1: stix2.MarkingDefinition, level: Tlp
) -> None:
    stamp = "2026-02-01T00:00:00.000Z"
    campaign = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": f"campaign--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "name": "Old-style marked campaign",
        "object_marking_refs": [tlp1.id],
    }
    node.import_objects([campaign], actor="test")
    found = node.store.objects(node.reader("EU"), ObjectQuery(ids=(campaign["id"],)))
    assert found[0].tlp is level
