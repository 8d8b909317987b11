"""What every list loader produces and every matcher reads: listed entities, one shape for
all lists (the FollowTheMoney schema names, so OpenSanctions data maps without loss)."""

from __future__ import annotations

from dataclasses import dataclass, field

# FollowTheMoney schemata the desk keeps apart (anything else is a LegalEntity).
SCHEMATA = ("Person", "Organization", "Company", "Vessel", "Airplane", "LegalEntity")
# Identifier kinds that decide a match on their own.
STRONG_IDENTIFIERS = ("imo", "mmsi", "passport", "national_id", "registration", "swift")
# FollowTheMoney identifier properties (also the EU journal's column names, and what yente
# clients send) and the Identifier kind each becomes.
FTM_IDENTIFIER_PROPERTIES = {
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "passportNumber": "passport",
    "idNumber": "national_id",
    "registrationNumber": "registration",
    "taxNumber": "tax_id",
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "kppCode": "kpp",
    "okpoCode": "okpo",
    "leiCode": "lei",
    "swiftBic": "swift",
    "serialNumber": "aircraft_msn",
}


@dataclass(frozen=True)
class Identifier:
    """An identifier of a listed entity: its kind (``imo``, ``mmsi``, ``passport``,
    ``call_sign``, ``national_id``, ``registration``, ...), value and issuing country."""

    kind: str
    value: str
    country: str | None = None


@dataclass(frozen=True)
class Entity:
    """One listed person, organisation, vessel or aircraft.

    ``names`` holds the primary name first, then aliases (weak aliases and former names
    included, as the list gives them; ``former_names`` repeats the latter). Countries are
    ISO 3166-1 alpha-2, lower case; dates are ISO 8601, possibly partial (``1984`` or
    ``1984-01``). ``source`` is the list (``ofac-sdn``, ``un-sc``, ``eu-fsf``, ...) and
    ``source_id`` the entity's id there (OFAC ``ent_num``, UN reference number, EU id).
    """

    source: str
    source_id: str
    schema: str
    names: tuple[str, ...]
    programmes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    former_names: tuple[str, ...] = ()
    listed_on: str | None = None
    remarks: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def key(self) -> str:
        """The entity's key across lists: ``<source>:<source_id>``."""
        return f"{self.source}:{self.source_id}"
