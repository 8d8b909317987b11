"""EU sanctions lists: the Financial Sanctions Files XML, and the Official Journal CSVs
transcribed by OpenSanctions (consolidated and amendment files, and ``eu_vessels.csv``).

Journal CSV (OpenSanctions ``datasets/eu/journal_sanctions/data/FORMAT.md``): a header
row; one row per designation in one legal context; every entity column except ``name``
holds ``; ``-separated values. One :class:`Entity` is kept per designation, keyed
``{framework CELEX}/{annex}/{recordId}`` (``32014R0833/XLII/1``); rows without a printed
``recordId`` are keyed by a hash of the name. Rows of a later amending act replace the
consolidated row with the same key. ``eu_vessels.csv`` rows get the same keys, so it and
the journal files describe the same entities.

FSF XML (European Commission, "Financial Sanctions Files", ``xmlFullSanctionsList_1_1``;
namespace ``http://eu.europa.ec/fpi/fsd/export``): ``export/sanctionEntity`` with the
attribute ``logicalId`` (the entity's id) and children ``regulation``, ``subjectType``,
``nameAlias``, ``citizenship``, ``birthdate``, ``identification``, ``address``,
``remark``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.etree import ElementTree

from accord.desks.sanctions.loaders import (
    country_codes,
    iso_dates,
    malformed,
    open_text,
    unique,
    unique_identifiers,
)
from accord.desks.sanctions.model import FTM_IDENTIFIER_PROPERTIES, Entity, Identifier

JOURNAL_SOURCE = "eu-journal"
FSF_SOURCE = "eu-fsf"
ENTITY_COLUMNS = [
    "recordId",
    "programKey",
    "annex",
    "measure",
    "startDate",
    "reason",
    "schema",
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "country",
    "nationality",
    "jurisdiction",
    "birthDate",
    "birthPlace",
    "position",
    "passportNumber",
    "gender",
    "appearance",
    "ethnicity",
    "fatherName",
    "motherName",
    "incorporationDate",
    "legalForm",
    "sector",
    "registrationNumber",
    "taxNumber",
    "idNumber",
    "innCode",
    "ogrnCode",
    "kppCode",
    "okpoCode",
    "leiCode",
    "swiftBic",
    "ticker",
    "imoNumber",
    "mmsi",
    "flag",
    "address",
    "phone",
    "email",
    "website",
    "notes",
]
CONSOLIDATED_HEADER = ("celex", *ENTITY_COLUMNS)
AMENDMENT_HEADER = ("amendedCelex", "amendmentCelex", *ENTITY_COLUMNS)
VESSELS_HEADER = tuple(
    [
        "source",
        "celex",
        "amendmentCelex",
        "recordId",
        "programKey",
        "annex",
        "measure",
        "startDate",
        "name",
        "alias",
        "weakAlias",
        "previousName",
        "imoNumber",
        "mmsi",
        "flag",
        "country",
        "address",
        "reason",
        "notes",
    ]
)
JOURNAL_SCHEMATA = {
    "Person": "Person",
    "LegalEntity": "LegalEntity",
    "Organization": "Organization",
    "Company": "Company",
    "Vessel": "Vessel",
    "Asset": "LegalEntity",
}
_EXTRA_COLUMNS = {
    "measure": "measure",
    "annex": "annex",
    "gender": "gender",
    "position": "position",
    "birthPlace": "birth_place",
    "legalForm": "legal_form",
    "sector": "sector",
    "address": "address",
}


def load_journal(paths: Sequence[Path]) -> list[Entity]:
    """Read EU journal consolidated and amendment CSVs into one list of designations.

    Consolidated rows come first, then amendment rows in the order of their amending
    act; a later row with the same key replaces the earlier one, while rows of one act
    with the same key (one designation under several measures) are merged.
    """
    staged: dict[tuple[str, str], list[dict[str, str]]] = {}
    for path in paths:
        for line, row in _csv_rows(path, (CONSOLIDATED_HEADER, AMENDMENT_HEADER)):
            stage = row.get("amendmentCelex", "")
            framework = row.get("celex") or row.get("amendedCelex", "")
            row["_framework"], row["_where"], row["_path"] = framework, f"line {line}", str(path)
            staged.setdefault((stage, _journal_key(row)), []).append(row)
    return _designations(staged)


def load_vessels(path: Path) -> list[Entity]:
    """Read ``eu_vessels.csv`` (the Vessel rows of the journal files) into vessels."""
    staged: dict[tuple[str, str], list[dict[str, str]]] = {}
    for line, row in _csv_rows(path, (VESSELS_HEADER,)):
        row["schema"], row["_framework"] = "Vessel", row["celex"]
        row["_where"], row["_path"] = f"line {line}", str(path)
        stage = row["amendmentCelex"] if row["source"] == "amendment" else ""
        staged.setdefault((stage, _journal_key(row)), []).append(row)
    return _designations(staged)


def load_fsf_xml(path: Path) -> list[Entity]:
    """Read the EU Financial Sanctions Files XML into entities, in file order.

    Raises :class:`InvalidInput` on XML that does not parse, and on a
    ``sanctionEntity`` without ``logicalId``, a known ``subjectType`` or a name.
    """
    with open_text(path) as handle:
        try:
            root = ElementTree.parse(handle).getroot()
        except ElementTree.ParseError as error:
            line, column = error.position
            raise malformed(path, f"line {line}, column {column}", "xml", str(error)) from None
    for node in root.iter():
        node.tag = node.tag.rsplit("}", 1)[-1]
    if root.tag != "export":
        raise malformed(path, f"element <{root.tag}>", "export", "not the root")
    return [
        _fsf_entity(path, node, f"<sanctionEntity> #{position}")
        for position, node in enumerate(root.iter("sanctionEntity"), start=1)
    ]


def _csv_rows(
    path: Path, headers: tuple[tuple[str, ...], ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header not in headers:
            raise malformed(path, "line 1", "header", f"not a known header: {header[:3]}")
        for row in reader:
            if len(row) != len(header):
                where = f"line {reader.line_num}"
                reason = f"expected {len(header)} columns, found {len(row)}"
                raise malformed(path, where, header[min(len(row), len(header) - 1)], reason)
            cells = dict(zip(header, (value.strip() for value in row), strict=True))
            for column in ("programKey", "name"):
                if not cells[column]:
                    raise malformed(path, f"line {reader.line_num}", column, "empty")
            if cells.get("schema", "Vessel") not in JOURNAL_SCHEMATA:
                reason = f"unknown schema {cells['schema']!r}"
                raise malformed(path, f"line {reader.line_num}", "schema", reason)
            yield reader.line_num, cells


def _journal_key(row: dict[str, str]) -> str:
    annex = row["annex"] or "-"
    if row["recordId"]:
        return f"{row['_framework']}/{annex}/{row['recordId']}"
    digest = hashlib.sha1(f"{row['schema']}|{row['name']}".encode()).hexdigest()[:12]
    return f"{row['_framework']}/{annex}/#{digest}"


def _designations(staged: dict[tuple[str, str], list[dict[str, str]]]) -> list[Entity]:
    latest: dict[str, Entity] = {}
    for stage, key in sorted(staged, key=lambda stage_key: stage_key[0]):
        latest[key] = _journal_entity(key, staged[stage, key])
    return list(latest.values())


def _journal_entity(key: str, rows: list[dict[str, str]]) -> Entity:
    def values(*columns: str) -> list[str]:
        return [value for row in rows for c in columns for value in _split(row, c)]

    identifiers = [
        Identifier(kind, value)
        # The journal's identifier columns carry FollowTheMoney property names.
        for column, kind in FTM_IDENTIFIER_PROPERTIES.items()
        for value in values(column)
        if kind not in ("imo", "mmsi") or value.isdigit()
    ]
    flags = [code for value in values("flag") for code in country_codes(value)]
    extra = [(name, value) for column, name in _EXTRA_COLUMNS.items() for value in values(column)]
    extra += [("flag", code) for code in flags]
    extra += [("celex", rows[0]["_framework"])]
    extra += [("amendment_celex", value) for value in values("amendmentCelex")]
    extra += [("incorporation_date", d) for v in values("incorporationDate") for d in iso_dates(v)]
    start = [d for v in values("startDate") for d in iso_dates(v)]
    reason = "\n".join(unique([*values("reason"), *values("notes")]))
    printed = _printed_names(rows[0]["name"])
    return Entity(
        source=JOURNAL_SOURCE,
        source_id=key,
        schema=JOURNAL_SCHEMATA[rows[0]["schema"]],
        names=unique([*printed, *values("alias", "weakAlias", "previousName")]),
        programmes=unique(values("programKey")),
        countries=unique(
            [
                *(
                    c
                    for v in values("country", "nationality", "jurisdiction")
                    for c in country_codes(v)
                ),
                *flags,
            ]
        ),
        birth_dates=unique(d for value in values("birthDate") for d in iso_dates(value)),
        identifiers=unique_identifiers(identifiers),
        former_names=unique([*printed[1:], *values("previousName")]),
        listed_on=min(start) if start else None,
        remarks=reason or None,
        extra=tuple(dict.fromkeys(extra)),
    )


# "STORMBRINGER (ex KRITI VIGOR)": a vessel's new name with its former one in brackets.
_EX_NAME = re.compile(r"^(?P<name>.+?)\s*\((?:ex|ex-|formerly)\s+(?P<former>[^)]+)\)$", re.I)


def _printed_names(name: str) -> tuple[str, ...]:
    """The printed name, split into (name, former name) where it says ``(ex …)``."""
    match = _EX_NAME.match(name)
    return (match.group("name"), match.group("former")) if match else (name,)


_SCALAR_COLUMNS = frozenset({"programKey", "annex", "measure", "startDate", "reason", "name"})


def _split(row: dict[str, str], column: str) -> list[str]:
    """The values of a cell: multi-valued cells decode as one ``;``-delimited CSV row."""
    cell = row.get(column, "")
    if not cell:
        return []
    if column in _SCALAR_COLUMNS or column.endswith("Celex"):
        return [cell]
    try:
        parsed = next(csv.reader([cell], delimiter=";", skipinitialspace=True))
    except csv.Error as error:
        raise malformed(Path(row["_path"]), row["_where"], column, str(error)) from None
    return [value.strip() for value in parsed if value.strip()]


_FSF_SCHEMATA = {"person": "Person", "enterprise": "LegalEntity"}
_FSF_ID_KINDS = {
    "passport": "passport",
    "id": "national_id",
    "ssn": "national_id",
    "imo": "imo",
    "swiftbic": "swift",
    "regnumber": "registration",
    "fiscalcode": "tax_id",
}


def _fsf_entity(path: Path, node: ElementTree.Element, where: str) -> Entity:
    logical_id = node.get("logicalId", "")
    if not logical_id:
        raise malformed(path, where, "logicalId", "missing or empty")
    where = f"{where} (logicalId {logical_id})"
    subject = node.find("subjectType")
    code = subject.get("code", "") if subject is not None else ""
    if code not in _FSF_SCHEMATA:
        raise malformed(path, where, "subjectType", f"unknown code {code!r}")
    names = [_fsf_name(alias) for alias in node.findall("nameAlias")]
    if not any(names):
        raise malformed(path, where, "nameAlias", "no name")
    regulations = node.findall("regulation")
    starts = [node.get("designationDate", "")] + [
        r.get("entryIntoForceDate", "") for r in regulations
    ]
    countries = [
        _fsf_country(place)
        for tag in ("citizenship", "birthdate", "address")
        for place in node.findall(tag)
    ]
    extra = [(k, v) for k in ("euReferenceNumber", "unitedNationId") if (v := node.get(k, ""))]
    extra += [("gender", _gender(a.get("gender", ""))) for a in node.findall("nameAlias")]
    extra += [("position", a.get("function", "")) for a in node.findall("nameAlias")]
    return Entity(
        source=FSF_SOURCE,
        source_id=logical_id,
        schema=_FSF_SCHEMATA[code],
        names=unique(names),
        programmes=unique(r.get("programme", "") for r in regulations),
        countries=unique(c for c in countries if c),
        birth_dates=unique(d for b in node.findall("birthdate") for d in _fsf_birth(b)),
        identifiers=unique_identifiers(_fsf_identifiers(node)),
        listed_on=min((s for s in starts if s), default=None),
        remarks="\n".join(unique(r.text or "" for r in node.findall("remark"))) or None,
        extra=tuple(dict.fromkeys((k, v) for k, v in extra if v)),
    )


def _fsf_name(alias: ElementTree.Element) -> str:
    whole = alias.get("wholeName", "").strip()
    if whole:
        return whole
    parts = (alias.get(part, "") for part in ("firstName", "middleName", "lastName"))
    return " ".join(part.strip() for part in parts if part.strip())


def _fsf_country(place: ElementTree.Element) -> str | None:
    code = place.get("countryIso2Code", "").lower()
    if len(code) == 2 and code.isalpha():
        return code
    codes = country_codes(place.get("countryDescription"))
    return codes[0] if codes else None


def _fsf_birth(birth: ElementTree.Element) -> tuple[str, ...]:
    if birth.get("birthdate"):
        return iso_dates(birth.get("birthdate"))
    year, month, day = (birth.get(k, "") for k in ("year", "monthOfYear", "dayOfMonth"))
    if not year:
        return ()
    return iso_dates("-".join(p.zfill(2) for p in (year, month, day) if p))


def _fsf_identifiers(node: ElementTree.Element) -> Iterator[Identifier]:
    for document in node.findall("identification"):
        number = document.get("number") or document.get("latinNumber") or ""
        kind = _FSF_ID_KINDS.get(document.get("identificationTypeCode", ""), "other_id")
        if number.strip():
            yield Identifier(kind, number.strip(), _fsf_country(document))


def _gender(code: str) -> str:
    return {"M": "male", "F": "female"}.get(code, code.lower())
