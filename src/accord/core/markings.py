"""Data markings Accord reads and writes: TLP 2.0 and Accord's release-list marking.

TLP 2.0 uses the marking-definition objects OASIS publishes in cti-stix-common-objects
(extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d); the STIX 2.1 specification
itself only defines TLP 1.0, whose ids are accepted on import (WHITE maps to CLEAR).

The release list is a marking-definition carrying Accord's own property extension, defined
by the ``extension-definition`` object below (its JSON schema is part of it). A release
marking's id is derived from its sorted grantees, so the same list is always one object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

import orjson

from accord.core.stix.identifiers import derived_id


class Tlp(StrEnum):
    """TLP 2.0 levels, from most to least open."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def strictness(self) -> int:
        """0 for CLEAR up to 4 for RED: where an object carries two levels, the stricter wins."""
        return _STRICTNESS[self]


_STRICTNESS = {level: rank for rank, level in enumerate(Tlp)}


TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# STIX 2.1 specification section 7.2.1.4 (TLP 1.0); WHITE is TLP 2.0's CLEAR.
TLP1_IDS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
TLP_BY_MARKING_ID: dict[str, Tlp] = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}

ACCORD_IDENTITY_ID = "identity--e0400948-820e-4896-b666-5a79cede4614"
RELEASE_EXTENSION_ID = "extension-definition--2eabdefd-5491-44c9-b243-0342458f8a03"
_RELEASE_ID_SALT = b"accord-release-list:8178f759-2627-46a5-be2d-e95ca6286630:"
_ACCORD_CREATED = "2026-11-30T00:00:00.000Z"

RELEASE_LIST_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "accord-release-list",
    "description": (
        "The partners and sharing groups of a Security and Defence Partnership that may read "
        "the objects this marking-definition applies to."
    ),
    "type": "object",
    "properties": {
        "extension_type": {"type": "string", "enum": ["property-extension"]},
        "release_to": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
        },
    },
    "required": ["extension_type", "release_to"],
    "additionalProperties": False,
}


def tlp_marking_definition(level: Tlp) -> dict[str, Any]:
    """The official OASIS TLP 2.0 marking-definition object for `level`."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[level],
        "created": TLP2_CREATED,
        "name": f"TLP:{level.value.upper()}",
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level.value}
        },
    }


def accord_identity() -> dict[str, Any]:
    """The identity of the Accord software, creator of Accord's extension definitions."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": ACCORD_IDENTITY_ID,
        "created": _ACCORD_CREATED,
        "modified": _ACCORD_CREATED,
        "name": "Accord",
        "identity_class": "system",
        "object_marking_refs": [TLP2_IDS[Tlp.CLEAR]],
        "description": "Shared workspace software of the EU Security and Defence Partnerships.",
    }


def accord_extension_definition(
    extension_id: str,
    *,
    name: str,
    description: str,
    schema: dict[str, Any],
    extension_type: str,
) -> dict[str, Any]:
    """An extension-definition Accord publishes (STIX 2.1 §7.3): created by Accord, its JSON
    schema as the ``schema`` text, TLP:CLEAR so that every partner can read what it
    defines."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": extension_id,
        "created_by_ref": ACCORD_IDENTITY_ID,
        "created": _ACCORD_CREATED,
        "modified": _ACCORD_CREATED,
        "name": name,
        "description": description,
        "schema": orjson.dumps(schema, option=orjson.OPT_SORT_KEYS).decode(),
        "version": "1.0.0",
        "extension_types": [extension_type],
        "object_marking_refs": [TLP2_IDS[Tlp.CLEAR]],
    }


def release_extension_definition() -> dict[str, Any]:
    """The extension-definition object of Accord's release-list marking."""
    return accord_extension_definition(
        RELEASE_EXTENSION_ID,
        name="Accord release list",
        description=(
            "Property extension of a marking-definition: the partners and sharing groups an "
            "object is released to. Readers not on the list, other than the object's owner, "
            "never receive the object (TLP:CLEAR objects excepted)."
        ),
        schema=RELEASE_LIST_SCHEMA,
        extension_type="property-extension",
    )


def release_marking_id(grantees: Iterable[str]) -> str:
    """The deterministic id of the release marking for this set of grantees.

    A v4-form UUID from a hash of the sorted grantees (``stix.identifiers``).
    """
    return derived_id("marking-definition", _RELEASE_ID_SALT, ",".join(sorted(set(grantees))))


def release_marking(grantees: Iterable[str]) -> dict[str, Any]:
    """The release-list marking-definition for `grantees` (partner codes or group names)."""
    release_to = sorted(set(grantees))
    if not release_to:
        raise ValueError("a release list names at least one partner or group")
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": release_marking_id(release_to),
        "created_by_ref": ACCORD_IDENTITY_ID,
        "created": _ACCORD_CREATED,
        "name": "Release to " + ", ".join(release_to),
        "extensions": {
            RELEASE_EXTENSION_ID: {"extension_type": "property-extension", "release_to": release_to}
        },
    }


def strictest_tlp(marking_refs: Iterable[str]) -> Tlp | None:
    """The strictest TLP level among `marking_refs` (None if they name none)."""
    strictest: Tlp | None = None
    for ref in marking_refs:
        level = TLP_BY_MARKING_ID.get(ref)
        if level is not None and (strictest is None or level.strictness > strictest.strictness):
            strictest = level
    return strictest


def release_list_of(marking_definition: Mapping[str, Any]) -> frozenset[str] | None:
    """The grantees a release marking-definition names, or None if it is no release marking."""
    extension = (marking_definition.get("extensions") or {}).get(RELEASE_EXTENSION_ID)
    if not isinstance(extension, Mapping):
        return None
    return frozenset(str(grantee) for grantee in extension.get("release_to") or ())


def builtin_objects() -> list[dict[str, Any]]:
    """Reference objects every node holds and every partner reads (TLP:CLEAR to all)."""
    return [
        accord_identity(),
        release_extension_definition(),
        *(tlp_marking_definition(level) for level in Tlp),
    ]
