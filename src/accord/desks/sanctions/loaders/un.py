"""UN Security Council consolidated sanctions list, XML format
(schema https://www.un.org/sc/resources/sc-sanctions.xsd).

``CONSOLIDATED_LIST`` holds ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``; each has a
``REFERENCE_NUMBER`` (``KPi.009``), name parts ``FIRST_NAME`` … ``FOURTH_NAME``, the
committee in ``UN_LIST_TYPE``, aliases with a ``QUALITY`` (Good, Low, a.k.a., f.k.a.),
documents, dates and places of birth and addresses. The list has no vessel entries;
companies' IMO numbers appear only in ``COMMENTS1`` prose and are read from there.
"""

from __future__ import annotations

import re
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
from accord.desks.sanctions.model import Entity, Identifier

SOURCE = "un-sc"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_IMO_IN_PROSE = re.compile(r"\bIMO\)?\s*(?:number|No\.?)?\s*:?\s*(\d{7})\b", re.IGNORECASE)


def load_consolidated(path: Path) -> list[Entity]:
    """Read the UN consolidated XML into entities, individuals first, in file order.

    Raises :class:`InvalidInput` on XML that does not parse (with its line and column)
    and on an entry without ``REFERENCE_NUMBER`` or name (with its position and
    ``DATAID``).
    """
    with open_text(path) as handle:
        try:
            root = ElementTree.parse(handle).getroot()
        except ElementTree.ParseError as error:
            line, column = error.position
            raise malformed(path, f"line {line}, column {column}", "xml", str(error)) from None
    if root.tag != "CONSOLIDATED_LIST":
        raise malformed(path, f"element <{root.tag}>", "CONSOLIDATED_LIST", "not the root")
    entities: list[Entity] = []
    for tag, schema in (("INDIVIDUAL", "Person"), ("ENTITY", "LegalEntity")):
        for position, node in enumerate(root.iter(tag), start=1):
            entities.append(_entity(path, node, schema, f"<{tag}> #{position}"))
    return entities


def list_date(path: Path) -> str | None:
    """The list's ``dateGenerated`` attribute (ISO 8601), the natural snapshot version."""
    with open_text(path) as handle:
        for _, node in ElementTree.iterparse(handle, events=("start",)):
            generated: str | None = node.get("dateGenerated")
            return generated
    return None


def _entity(path: Path, node: ElementTree.Element, schema: str, where: str) -> Entity:
    where = f"{where} (DATAID {_text(node, 'DATAID') or '?'})"
    reference = _text(node, "REFERENCE_NUMBER")
    if not reference:
        raise malformed(path, where, "REFERENCE_NUMBER", "missing or empty")
    name = " ".join(filter(None, (_text(node, part) for part in _NAME_PARTS)))
    if not name:
        raise malformed(path, where, "FIRST_NAME", "no name part")
    names, former = _aliases(node)
    original = _text(node, "NAME_ORIGINAL_SCRIPT")
    countries = [
        *_values(node, "NATIONALITY/VALUE"),
        *(_text(a, "COUNTRY") for a in node.findall(f"{_prefix(node)}_ADDRESS")),
    ]
    comments = _text(node, "COMMENTS1")
    identifiers = [*_documents(node)]
    identifiers += [Identifier("imo", number) for number in _IMO_IN_PROSE.findall(comments)]
    extra = [("position", value) for value in _values(node, "DESIGNATION/VALUE")]
    extra += [("title", value) for value in _values(node, "TITLE/VALUE")]
    if _text(node, "GENDER"):
        extra.append(("gender", _text(node, "GENDER").lower()))
    return Entity(
        source=SOURCE,
        source_id=reference,
        schema=schema,
        names=unique([name, original, *names]),
        programmes=unique([_text(node, "UN_LIST_TYPE")]),
        countries=unique(code for text in countries for code in country_codes(text)),
        birth_dates=_birth_dates(node),
        identifiers=unique_identifiers(identifiers),
        former_names=former,
        listed_on=_text(node, "LISTED_ON") or None,
        remarks=comments or None,
        extra=tuple(dict.fromkeys(extra)),
    )


def _prefix(node: ElementTree.Element) -> str:
    return "INDIVIDUAL" if node.tag == "INDIVIDUAL" else "ENTITY"


def _aliases(node: ElementTree.Element) -> tuple[list[str], tuple[str, ...]]:
    names: list[str] = []
    former: list[str] = []
    for alias in node.findall(f"{_prefix(node)}_ALIAS"):
        name = _text(alias, "ALIAS_NAME").strip('"')
        if not name:
            continue
        names.append(name)
        if _text(alias, "QUALITY").lower() == "f.k.a.":
            former.append(name)
    return names, unique(former)


def _documents(node: ElementTree.Element) -> list[Identifier]:
    identifiers: list[Identifier] = []
    for document in node.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(document, "NUMBER")
        if not number:
            continue
        kind_text = _text(document, "TYPE_OF_DOCUMENT").lower()
        # English, French and Spanish labels: Passport, passeport, pasaporte.
        kind = "passport" if re.search(r"pass|pasa", kind_text) else "national_id"
        issuer = _text(document, "ISSUING_COUNTRY") or _text(document, "COUNTRY_OF_ISSUE")
        codes = country_codes(issuer)
        identifiers.append(Identifier(kind, number, codes[0] if codes else None))
    return identifiers


def _birth_dates(node: ElementTree.Element) -> tuple[str, ...]:
    dates: list[str] = []
    for birth in node.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        if _text(birth, "DATE"):
            dates.extend(iso_dates(_text(birth, "DATE")))
        elif _text(birth, "YEAR"):
            dates.extend(iso_dates(_text(birth, "YEAR")))
        elif _text(birth, "FROM_YEAR") and _text(birth, "TO_YEAR"):
            span = f"{_text(birth, 'FROM_YEAR')} to {_text(birth, 'TO_YEAR')}"
            dates.extend(iso_dates(span))
    return unique(dates)


def _text(node: ElementTree.Element, path: str) -> str:
    return " ".join((node.findtext(path) or "").split())


def _values(node: ElementTree.Element, path: str) -> list[str]:
    return [" ".join((value.text or "").split()) for value in node.findall(path) if value.text]
