"""OFAC Specially Designated Nationals list, legacy CSV format (``sdn.csv`` with its
``alt.csv`` aliases, ``add.csv`` addresses and ``sdn_comments.csv`` remark tails).

The files have no header; ``-0-`` means empty; a DOS end-of-file byte (0x1A) may end a
file. Much of an entry (dates of birth, passports, IMO and MMSI numbers, weak a.k.a.s)
sits in the ``Remarks`` column as ``;``-separated ``Label value (Country)`` parts
(US Treasury, "SDN List Data Formats"), which :func:`load_sdn` reads into fields.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from accord.desks.sanctions.loaders import (
    country_codes,
    iso_dates,
    malformed,
    open_text,
    unique,
    unique_identifiers,
)
from accord.desks.sanctions.model import Entity, Identifier

SOURCE = "ofac-sdn"
SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_state_zip", "country", "add_remarks")
COMMENT_COLUMNS = ("ent_num", "remarks_extension")
SCHEMA_OF_TYPE = {
    "individual": "Person",
    "": "LegalEntity",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}


def load_sdn(
    sdn: Path,
    *,
    alt: Path | None = None,
    add: Path | None = None,
    comments: Path | None = None,
) -> list[Entity]:
    """Read the SDN file and its companions into entities, in file order.

    Raises :class:`InvalidInput` naming file, line and field on a row of the wrong
    width, a non-numeric ``ent_num``, an unknown ``SDN_Type``, or a companion row whose
    ``ent_num`` is not in the SDN file.
    """
    drafts: dict[str, _Draft] = {}
    for line, row in _rows(sdn, SDN_COLUMNS):
        draft = _draft_from_sdn(sdn, line, row)
        drafts[draft.ent_num] = draft
    if comments is not None:
        for line, row in _rows(comments, COMMENT_COLUMNS):
            _known(drafts, comments, line, row[0]).remarks += row[1]
    for draft in drafts.values():
        _read_remarks(draft)
    if alt is not None:
        for line, row in _rows(alt, ALT_COLUMNS):
            _add_alias(_known(drafts, alt, line, row[0]), row[2], row[3])
    if add is not None:
        for line, row in _rows(add, ADD_COLUMNS):
            draft = _known(drafts, add, line, row[0])
            draft.countries.extend(country_codes(row[4]))
            address = ", ".join(part for part in (row[2], row[3], row[4]) if part)
            if address:
                draft.extra.append(("address", address))
    return [draft.entity() for draft in drafts.values()]


def companions(sdn: Path) -> tuple[Path | None, Path | None, Path | None]:
    """The ``alt``, ``add`` and ``comments`` files beside an SDN file, where they exist
    (``ofac_sdn.csv.gz`` → ``ofac_alt.csv.gz``, ``ofac_sdn_comments.csv``, ...)."""
    found: list[Path | None] = []
    for kind in ("alt", "add", "comments"):
        stem = sdn.name.split(".", 1)[0]
        wanted = stem.replace("sdn", kind) if kind != "comments" else f"{stem}_comments"
        matches = sorted(sdn.parent.glob(f"{wanted}.csv*"))
        found.append(matches[0] if matches else None)
    return found[0], found[1], found[2]


@dataclass
class _Draft:
    ent_num: str
    schema: str
    name: str
    programmes: list[str]
    remarks: str
    names: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)

    def entity(self) -> Entity:
        return Entity(
            source=SOURCE,
            source_id=self.ent_num,
            schema=self.schema,
            names=unique([self.name, *self.names]),
            programmes=unique(self.programmes),
            countries=unique(self.countries),
            birth_dates=unique(self.birth_dates),
            identifiers=unique_identifiers(self.identifiers),
            former_names=unique(self.former_names),
            remarks=self.remarks or None,
            extra=tuple(dict.fromkeys(self.extra)),
        )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    with open_text(path) as handle:
        reader = csv.reader(handle)
        for row in reader:
            if row == ["\x1a"] or not row:
                continue
            if len(row) != len(columns):
                where = f"line {reader.line_num}"
                reason = f"expected {len(columns)} columns, found {len(row)}"
                raise malformed(path, where, columns[min(len(row), len(columns) - 1)], reason)
            cells = [_cell(value) for value in row]
            if not cells[0].isdigit():
                raise malformed(path, f"line {reader.line_num}", "ent_num", "not a number")
            yield reader.line_num, cells


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _known(drafts: dict[str, _Draft], path: Path, line: int, ent_num: str) -> _Draft:
    draft = drafts.get(ent_num)
    if draft is None:
        raise malformed(path, f"line {line}", "ent_num", f"{ent_num} is not in the SDN file")
    return draft


def _draft_from_sdn(path: Path, line: int, row: list[str]) -> _Draft:
    kind = row[2].lower()
    schema = SCHEMA_OF_TYPE.get(kind)
    if schema is None:
        raise malformed(path, f"line {line}", "SDN_Type", f"unknown type {row[2]!r}")
    if not row[1]:
        raise malformed(path, f"line {line}", "SDN_Name", "empty")
    programmes = [p.strip(" []") for p in row[3].split("] [")] if row[3] else []
    draft = _Draft(row[0], schema, row[1], programmes, row[11])
    if row[4]:
        draft.extra.append(("position", row[4]))
    if row[5]:
        draft.identifiers.append(Identifier("call_sign", row[5]))
    for key, value in (("vessel_type", row[6]), ("tonnage", row[7]), ("gross_tonnage", row[8])):
        if value:
            draft.extra.append((key, value))
    for code in country_codes(row[9]):
        draft.extra.append(("flag", code))
        draft.countries.append(code)
    if row[10]:
        draft.extra.append(("owner", row[10]))
    return draft


def _add_alias(draft: _Draft, alias_type: str, name: str) -> None:
    draft.names.append(name)
    if alias_type.lower() in ("fka", "f.k.a."):
        draft.former_names.append(name)


# Remark labels of identifiers: label → Identifier kind (US Treasury legacy CSV wording).
_ID_LABELS = {
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "National ID No.": "national_id",
    "Cedula No.": "national_id",
    "D.N.I.": "national_id",
    "Identification Number": "national_id",
    "Personal ID Card": "national_id",
    "C.U.R.P.": "national_id",
    "Credencial electoral": "national_id",
    "Electoral Registry No.": "national_id",
    "SSN": "national_id",
    "NIT #": "tax_id",
    "R.F.C.": "tax_id",
    "RFC": "tax_id",
    "RUC #": "tax_id",
    "RIF #": "tax_id",
    "Tax ID No.": "tax_id",
    "V.A.T. Number": "tax_id",
    "Italian Fiscal Code": "tax_id",
    "US FEIN": "tax_id",
    "Registration ID": "registration",
    "Registration Number": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Commercial Registry Number": "registration",
    "Matricula Mercantil No": "registration",
    "Folio Mercantil No.": "registration",
    "Business Registration Document #": "registration",
    "Government Gazette Number": "registration",
    "C.R. No.": "registration",
    "Chamber of Commerce Number": "registration",
    "Trade License No.": "registration",
    "SWIFT/BIC": "swift",
    "D-U-N-S Number": "duns",
    "Driver's License No.": "drivers_licence",
    "Vessel Registration Identification IMO": "imo",
    "IMO": "imo",
    "Company Number IMO": "imo",
    "MMSI": "mmsi",
    "Other Vessel Call Sign": "call_sign",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_msn",
    "Aircraft Tail Number": "aircraft_registration",
}
_ID_PART = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_ID_LABELS, key=len, reverse=True))
    + r")\s+(?P<value>.+?)(?:\s+\((?P<country>[^)]*)\))?(?:\s+(?:issued|expires)\b.*)?$"
)
_QUOTED = re.compile(r"'(.+)'")


def _read_remarks(draft: _Draft) -> None:
    """Move the structured parts of Remarks into fields; Remarks itself is kept whole."""
    for part in re.split(r";\s+", draft.remarks.strip().rstrip(".")):
        part = re.sub(r"^alt\.\s+", "", part.strip())
        label, _, rest = part.partition(" ")
        if label in ("a.k.a.", "f.k.a.", "n.k.a."):
            quoted = _QUOTED.search(rest)
            name = quoted.group(1) if quoted else rest
            _add_alias(draft, label.replace(".", ""), name)
        elif label == "DOB":
            draft.birth_dates.extend(iso_dates(rest))
        elif label == "POB":
            draft.extra.append(("birth_place", rest))
        elif label in ("nationality", "citizen"):
            draft.countries.extend(country_codes(rest))
        elif label == "Gender":
            draft.extra.append(("gender", rest.lower()))
        elif part.startswith(("Former Vessel Flag ", "Other Vessel Flag ")):
            for code in country_codes(part.split(" Flag ", 1)[1]):
                draft.extra.append(("past_flag" if label == "Former" else "flag", code))
        elif part.startswith("Aircraft Model "):
            draft.extra.append(("aircraft_model", part.removeprefix("Aircraft Model ")))
        else:
            _read_identifier(draft, part)
    if draft.schema == "Airplane":
        draft.identifiers.append(Identifier("aircraft_registration", draft.name))


def _read_identifier(draft: _Draft, part: str) -> None:
    match = _ID_PART.match(part)
    if match is None:
        return
    codes = country_codes(match.group("country"))
    draft.identifiers.append(
        Identifier(
            _ID_LABELS[match.group("label")], match.group("value"), codes[0] if codes else None
        )
    )
