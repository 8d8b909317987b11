"""Sanctions list loaders: each reads one published format into :class:`Entity` rows.

Formats: OFAC SDN legacy CSV (:mod:`.ofac`), the UN Security Council consolidated XML
(:mod:`.un`), the EU Financial Sanctions Files XML and the EU Official Journal CSVs
(:mod:`.eu`), and FollowTheMoney entity JSON lines (:mod:`.ftm`). :func:`load_paths`
sniffs each file and returns one :class:`LoadedList` per list. This module also holds
what the loaders share: opening (gzip or not), country names to ISO codes, dates to ISO
8601, and the error every loader raises on a malformed file.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from accord.core.errors import InvalidInput
from accord.desks.sanctions.loaders.countries import country_codes
from accord.desks.sanctions.model import Entity, Identifier

__all__ = [
    "LoadedList",
    "country_codes",
    "detect_format",
    "iso_dates",
    "load_paths",
    "malformed",
    "open_text",
]


@dataclass(frozen=True)
class LoadedList:
    """The entities of one list read from one or more files."""

    list_name: str
    entities: tuple[Entity, ...]
    files: tuple[Path, ...]


def detect_format(path: Path) -> str:
    """The format of a list file, from its first bytes: ``ofac-sdn``, ``ofac-alt``,
    ``ofac-add``, ``ofac-comments``, ``un-sc``, ``eu-fsf``, ``eu-journal``, ``eu-vessels``
    or ``ftm``; raises :class:`InvalidInput` if it is none of them."""
    with open_text(path) as handle:
        head = handle.read(4096)
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    if "<CONSOLIDATED_LIST" in head:
        return "un-sc"
    if "fpi/fsd/export" in head or re.search(r"<(\w+:)?export\b", head):
        return "eu-fsf"
    if first.startswith(("celex,recordId,", "amendedCelex,amendmentCelex,")):
        return "eu-journal"
    if first.startswith("source,celex,amendmentCelex,"):
        return "eu-vessels"
    if first.startswith("{"):
        return "ftm"
    ofac = _OFAC_SHAPE.match(first)
    if ofac:
        name = path.name.lower()
        for kind in ("alt", "add", "comments"):
            if kind in name:
                return f"ofac-{kind}"
        return "ofac-sdn"
    raise InvalidInput(f"{path}: line 1: not a known sanctions list format: {first[:60]!r}")


def load_paths(paths: Sequence[Path]) -> list[LoadedList]:
    """Load list files, one :class:`LoadedList` per list.

    OFAC ``alt``/``add``/``comments`` files join the SDN file given with them; if none
    is given, those beside the SDN file are read (:func:`ofac.companions`). EU journal
    consolidated and amendment files given together make one list, amendments last.
    """
    import accord.desks.sanctions.loaders.eu as eu
    import accord.desks.sanctions.loaders.ftm as ftm
    import accord.desks.sanctions.loaders.ofac as ofac
    import accord.desks.sanctions.loaders.un as un

    by_format: dict[str, list[Path]] = {}
    for path in paths:
        by_format.setdefault(detect_format(path), []).append(path)
    loaded: list[LoadedList] = []
    for sdn in by_format.get("ofac-sdn", []):
        given = [_first(by_format.get(f"ofac-{kind}")) for kind in ("alt", "add", "comments")]
        alt, add, comments = given if any(given) else ofac.companions(sdn)
        entities = tuple(ofac.load_sdn(sdn, alt=alt, add=add, comments=comments))
        files = tuple(path for path in (sdn, alt, add, comments) if path is not None)
        loaded.append(LoadedList(ofac.SOURCE, entities, files))
    for path in by_format.get("un-sc", []):
        loaded.append(LoadedList(un.SOURCE, tuple(un.load_consolidated(path)), (path,)))
    for path in by_format.get("eu-fsf", []):
        loaded.append(LoadedList(eu.FSF_SOURCE, tuple(eu.load_fsf_xml(path)), (path,)))
    journal = by_format.get("eu-journal", [])
    if journal:
        entities = tuple(eu.load_journal(journal))
        loaded.append(LoadedList(eu.JOURNAL_SOURCE, entities, tuple(journal)))
    for path in by_format.get("eu-vessels", []):
        loaded.append(LoadedList(eu.JOURNAL_SOURCE, tuple(eu.load_vessels(path)), (path,)))
    for path in by_format.get("ftm", []):
        entities = tuple(ftm.load_entities(path))
        name = entities[0].source if entities else ftm.DEFAULT_SOURCE
        loaded.append(LoadedList(name, entities, (path,)))
    return loaded


def open_text(path: Path) -> IO[str]:
    """Open a list file as UTF-8 text, gunzipping ``*.gz``; CSV-safe (``newline=""``)."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def malformed(path: Path, where: str, field: str, reason: str) -> InvalidInput:
    """The error a loader raises: names the file, the line or element, and the field."""
    return InvalidInput(f"{path.name}: {where}: field '{field}': {reason}")


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty stripped values, first occurrence kept, order kept."""
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


def unique_identifiers(values: Iterable[Identifier]) -> tuple[Identifier, ...]:
    """Identifiers without repeats, order kept."""
    return tuple(dict.fromkeys(values))


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "janvier", "enero"),
            ("feb", "february", "fevrier", "febrero"),
            ("mar", "march", "mars", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "junio"),
            ("jul", "july", "juillet", "julio"),
            ("aug", "august", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "decembre", "diciembre"),
        ],
        start=1,
    )
    for name in names
}
_DATE = re.compile(
    r"(?P<d1>\d{1,2})[./](?P<m1>\d{1,2})[./](?P<y1>\d{4})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})(?:-(?P<d2>\d{2}))?"
    r"|(?:(?P<d3>\d{1,2})\s+)?(?P<mon3>[A-Za-z]{3,9})\.?,?\s+(?P<y3>\d{4})"
    r"|(?P<y4>\d{4})"
)
_RANGE = re.compile(r"(?:between\s+|from\s+)?(\d{4})\s*(?:to|and|-|–)\s*(\d{4})", re.I)
_MAX_RANGE_YEARS = 15


def iso_dates(text: str | None) -> tuple[str, ...]:
    """ISO 8601 dates (``1948-12-10``, ``1948-12`` or ``1948``) written in a cell.

    Reads ``10 Dec 1948``, ``10.12.1948``, ``1948-12-10``, ``Dec 1948``, ``circa 1955``
    and year ranges (``1960 to 1962``, ``between 1965 and 1969``: every year, at most
    15). Impossible days or months are skipped.
    """
    if not text:
        return ()
    found: list[str] = []
    span = _RANGE.search(text)
    if span and text[: span.start()].strip(" ,;:").lower() in {"", "circa", "approximately"}:
        first, last = int(span.group(1)), int(span.group(2))
        if 0 <= last - first <= _MAX_RANGE_YEARS:
            found.extend(str(year) for year in range(first, last + 1))
            text = text[span.end() :]
    for match in _DATE.finditer(text):
        iso = _iso_date(match)
        if iso:
            found.append(iso)
    return unique(found)


def _iso_date(match: re.Match[str]) -> str | None:
    if match.group("y1"):
        return _checked(match.group("y1"), match.group("m1"), match.group("d1"))
    if match.group("y2"):
        return _checked(match.group("y2"), match.group("m2"), match.group("d2"))
    if match.group("y3"):
        month = _MONTHS.get(match.group("mon3").lower())
        if month is None:
            return _checked(match.group("y3"), None, None)
        return _checked(match.group("y3"), str(month), match.group("d3"))
    return _checked(match.group("y4"), None, None)


def _checked(year: str, month: str | None, day: str | None) -> str | None:
    if not 1800 <= int(year) <= 2100:
        return None
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{int(month):02d}"
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _first(paths: list[Path] | None) -> Path | None:
    return paths[0] if paths else None


# ent_num first (then add_num or alt_num in add.csv and alt.csv), then a quoted cell or -0-.
_OFAC_SHAPE = re.compile(r'^\d+,(\d+,)?("|-0-)')
