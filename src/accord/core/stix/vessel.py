"""The ``vessel`` object: a ship as STIX 2.1 findings refer to it.

STIX 2.1 has no vessel; Accord defines one as a new SDO through an extension-definition
(STIX 2.1 §7.3). It lives in core because several desks meet on it: the sanctions desk
writes vessels of interest, the maritime desk matches AIS against them and refers to them
from its events. A vessel's id derives from its MMSI (or, without one, its IMO number), so
every desk and node names the same ship the same way.
"""

from __future__ import annotations

from typing import Any

from accord.core.markings import accord_extension_definition
from accord.core.stix.identifiers import derived_id

# The label of a vessel of interest (a designated vessel, say): the maritime desk reports
# AIS from every vessel object that carries it.
WATCHLIST_LABEL = "watchlist"
VESSEL_EXTENSION_ID = "extension-definition--8f1d3c52-6a4e-4b7f-9c0d-2e5a7b1f3d64"
_VESSEL_ID_SALT = b"accord-vessel:5b0c2a1e-8d7f-4e3a-9b6c-1f0e2d3c4b5a:"
_CREATED = "2026-11-30T00:00:00.000Z"

VESSEL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "vessel",
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The vessel's name as last reported."},
        "mmsi": {"type": "integer", "description": "Maritime Mobile Service Identity (ITU)."},
        "imo": {"type": "integer", "description": "IMO ship identification number."},
        "call_sign": {"type": "string"},
        "flag": {"type": "string", "description": "ISO 3166-1 alpha-2 flag state."},
        "ship_type": {"type": "integer", "description": "ITU-R M.1371 ship type code."},
        "length_m": {"type": "number"},
        "width_m": {"type": "number"},
    },
    "anyOf": [{"required": ["mmsi"]}, {"required": ["imo"]}],
}


def vessel_extension_definition() -> dict[str, Any]:
    """The extension-definition of the ``vessel`` SDO."""
    return accord_extension_definition(
        VESSEL_EXTENSION_ID,
        name="Accord vessel",
        description=(
            "A new SDO: a ship, known by its MMSI and/or IMO number, with its name, call "
            "sign, flag and type. Its id is derived from the MMSI (else the IMO number)."
        ),
        schema=VESSEL_SCHEMA,
        extension_type="new-sdo",
    )


def vessel_id(*, mmsi: int | None = None, imo: int | None = None) -> str:
    """The id of the vessel with this MMSI (preferred) or IMO number."""
    if mmsi is not None:
        return derived_id("vessel", _VESSEL_ID_SALT, f"mmsi:{mmsi}")
    if imo is not None:
        return derived_id("vessel", _VESSEL_ID_SALT, f"imo:{imo}")
    raise ValueError("a vessel is known by its MMSI or its IMO number")


def vessel(
    *,
    mmsi: int | None = None,
    imo: int | None = None,
    created_by_ref: str,
    created: str = _CREATED,
    modified: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """A ``vessel`` object; `details` are the schema's other properties (unset ones left
    out). A later `modified` makes a new version of the same vessel (its id stays)."""
    unknown = set(details) - set(VESSEL_SCHEMA["properties"])
    if unknown:
        raise ValueError(f"vessel has no property {min(unknown)!r}")
    known = {"mmsi": mmsi, "imo": imo, **details}
    return {
        "type": "vessel",
        "spec_version": "2.1",
        "id": vessel_id(mmsi=mmsi, imo=imo),
        "created_by_ref": created_by_ref,
        "created": created,
        "modified": modified or created,
        **{key: value for key, value in known.items() if value not in (None, "")},
        "extensions": {VESSEL_EXTENSION_ID: {"extension_type": "new-sdo"}},
    }
