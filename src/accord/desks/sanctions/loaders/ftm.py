"""FollowTheMoney entity JSON lines, the format OpenSanctions publishes every list in.

Each line is one entity ``{"id", "schema", "properties": {name: [values]}, ...}``
(OpenSanctions, "FollowTheMoney-based JSON format"). In ``entities.ftm.json`` a
designation is its own ``Sanction`` entity pointing at the target through ``entity``,
and documents are ``Passport``/``Identification`` entities pointing through ``holder``;
in ``targets.nested.json`` those adjacent entities sit, as objects, inside the target's
properties (``sanctions``, ``identification``, ``addressEntity``, ...). Both are read.
Property names are those of the FtM schemata (``imoNumber``, ``mmsi``, ``callSign``,
``flag``, ``pastFlags``, ``previousName``, ``birthDate``, ``nationality``, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from accord.desks.sanctions.loaders import (
    country_codes,
    iso_dates,
    malformed,
    open_text,
    unique,
    unique_identifiers,
)
from accord.desks.sanctions.model import FTM_IDENTIFIER_PROPERTIES, Entity, Identifier

DEFAULT_SOURCE = "ftm"
# FtM schemata read as listed entities, and the desk's schema for each.
TARGET_SCHEMATA = {
    "Person": "Person",
    "Organization": "Organization",
    "PublicBody": "Organization",
    "Company": "Company",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
    "Airplane": "Airplane",
}
_COUNTRY_PROPERTIES = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
_EXTRA_PROPERTIES = {
    "gender": "gender",
    "position": "position",
    "birthPlace": "birth_place",
    "type": "vessel_type",
    "buildDate": "build_date",
    "topics": "topic",
    "model": "aircraft_model",
}
_NESTED_LINKS = {"Sanction": "entity", "Passport": "holder", "Identification": "holder"}


def load_entities(
    path: Path, *, source: str | None = None, targets_only: bool = True
) -> list[Entity]:
    """Read FtM JSON lines into entities, in file order.

    ``source`` defaults to the entity's first dataset (``gb_hmt_sanctions``), else
    ``ftm``. With ``targets_only``, entities marked ``"target": false`` (relatives,
    owners) are left out. Raises :class:`InvalidInput` naming the line and field on a
    line that is not JSON, or an entity without ``id``, ``schema`` or a name.
    """
    records: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    links: list[tuple[str, str, dict[str, Any]]] = []
    for _line, record in _records(path):
        for nested_parent, nested in _nested(record):
            links.append((nested_parent, nested.get("schema", ""), nested))
        records[record["id"]] = record
        order.append(record["id"])
    drafts = {
        entity_id: _Draft(records[entity_id])
        for entity_id in order
        if records[entity_id]["schema"] in TARGET_SCHEMATA
        and not (targets_only and records[entity_id].get("target") is False)
    }
    for record in records.values():
        link = _NESTED_LINKS.get(record["schema"])
        for target in _values(record, link) if link else []:
            links.append((target, record["schema"], record))
    for target, schema, record in links:
        if target in drafts:
            drafts[target].attach(schema, record, records)
    return [draft.entity(source) for draft in drafts.values()]


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = orjson.loads(text)
            except orjson.JSONDecodeError as error:
                raise malformed(path, f"line {number}", "json", str(error)) from None
            _check(path, f"line {number}", record)
            yield number, record


def _check(path: Path, where: str, record: Any) -> None:
    if not isinstance(record, dict):
        raise malformed(path, where, "entity", "not a JSON object")
    for key in ("id", "schema"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise malformed(path, where, key, "missing or not a string")
    properties = record.setdefault("properties", {})
    if not isinstance(properties, dict):
        raise malformed(path, where, "properties", "not an object")
    for name, values in properties.items():
        if not isinstance(values, list):
            raise malformed(path, where, f"properties.{name}", "not a list")
        for value in values:
            if isinstance(value, dict):
                _check(path, f"{where} (nested in properties.{name})", value)
    if record["schema"] in TARGET_SCHEMATA and not _values(record, "name"):
        raise malformed(path, f"{where} (id {record['id']})", "properties.name", "no name")


def _nested(record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Adjacent entities nested in a target's properties (targets.nested.json)."""
    for values in record["properties"].values():
        for value in values:
            if isinstance(value, dict):
                yield record["id"], value


def _values(record: dict[str, Any], prop: str) -> list[str]:
    """The string values of a property; a nested entity counts as its id."""
    found: list[str] = []
    for value in record["properties"].get(prop, []):
        if isinstance(value, dict):
            found.append(str(value.get("id", "")))
        elif value is not None:
            found.append(str(value))
    return [value for value in found if value]


@dataclass
class _Draft:
    record: dict[str, Any]
    programmes: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)

    def attach(self, schema: str, record: dict[str, Any], records: dict[str, Any]) -> None:
        """Fold an adjacent entity (sanction, document, address) into this target."""
        if schema == "Sanction":
            self.programmes += _values(record, "programId") or _values(record, "program")
            self.listed += [d for v in _values(record, "startDate") for d in iso_dates(v)]
            self.listed += [d for v in _values(record, "listingDate") for d in iso_dates(v)]
        elif schema in ("Passport", "Identification"):
            kind = "passport" if schema == "Passport" else "national_id"
            codes = _countries(_values(record, "country"))
            for number in _values(record, "number"):
                self.identifiers.append(Identifier(kind, number, codes[0] if codes else None))
        elif schema == "Address":
            self.countries += _countries(_values(record, "country"))
            self.extra += [("address", full) for full in _values(record, "full")]

    def entity(self, source: str | None) -> Entity:
        record = self.record
        schema = TARGET_SCHEMATA[record["schema"]]
        kinds = dict(FTM_IDENTIFIER_PROPERTIES)
        if schema == "Airplane":
            kinds["registrationNumber"] = "aircraft_registration"
        identifiers = [Identifier(k, v) for p, k in kinds.items() for v in _values(record, p)]
        flags = _countries(_values(record, "flag"))
        extra = [(name, v) for p, name in _EXTRA_PROPERTIES.items() for v in _values(record, p)]
        extra += [("flag", code) for code in flags]
        extra += [("past_flag", code) for code in _countries(_values(record, "pastFlags"))]
        extra += [("dataset", dataset) for dataset in record.get("datasets", [])]
        countries = _countries([v for p in _COUNTRY_PROPERTIES for v in _values(record, p)])
        names = [
            v for p in ("name", "alias", "weakAlias", "previousName") for v in _values(record, p)
        ]
        datasets = record.get("datasets") or [DEFAULT_SOURCE]
        return Entity(
            source=source or str(datasets[0]),
            source_id=record["id"],
            schema=schema,
            names=unique(names),
            programmes=unique([*_values(record, "program"), *self.programmes]),
            countries=unique([*countries, *flags, *self.countries]),
            birth_dates=unique(d for v in _values(record, "birthDate") for d in iso_dates(v)),
            identifiers=unique_identifiers([*identifiers, *self.identifiers]),
            former_names=unique(_values(record, "previousName")),
            listed_on=min(self.listed) if self.listed else None,
            remarks="\n".join(_values(record, "notes")) or None,
            extra=tuple(dict.fromkeys([*extra, *self.extra])),
        )


def _countries(values: list[str]) -> list[str]:
    """FtM country values are ISO codes already (``ru``); names are mapped."""
    codes: list[str] = []
    for value in values:
        if len(value) == 2 and value.isalpha():
            codes.append(value.lower())
        else:
            codes.extend(country_codes(value))
    return codes
