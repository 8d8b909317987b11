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
from functools import cache
from pathlib import Path
from typing import IO

import pycountry

from accord.core.errors import InvalidInput
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


def country_codes(text: str | None) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes (lower case) of the countries a list cell names.

    A cell may be a name (``Korea, North``, ``Iran (Islamic Republic of)``), a
    demonym (``Russian``) or prose naming several (``(a) German, (b) Moroccan``);
    names the table does not know give nothing.
    """
    if not text:
        return ()
    whole = _lookup(text)
    if whole:
        return (whole,)
    prose = text.replace("’", "'")
    return unique(_lookup(m.group(0)) or "" for m in _country_pattern().finditer(prose))


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

# Names and demonyms the lists use that ISO 3166 (pycountry) does not know, by code.
_COUNTRY_VARIANTS = """
af Afghan|Afgan
al Albanian
dz Algerian
am Armenian
au Australian
at Austrian
az Azerbaijani
bh Bahraini
by Belarusian|Belarussian|Belorussian
be Belgian
ba Bosnian
br Brazilian
bg Bulgarian
bf Burkinabe
mm Burma|Myanmar/Burma|Myanmar/ Burma|Burmese
bi Burundian
kh Cambodian
cm Cameroonian
ca Canadian
cv Cape Verde
cf Central African
td Chadian
cn Chinese
co Colombian
km Comorian
cd Congo, Democratic Republic of the|Democratic Republic of the Congo|DRC|Congolese (DRC)
cg Congo, Republic of the|Republic of the Congo|Congolese
ci Ivory Coast|Cote d'Ivoire|Ivorian
hr Croatian
cu Cuban
cy Cypriot
cz Czech
dk Danish
do Dominican
ec Ecuadorian
eg Egyptian
sv Salvadoran
gq Equatorial Guinean
er Eritrean
ee Estonian
et Ethiopian
fi Finnish
fr French
gm The Gambia|Gambian
ge Georgian
de German
gh Ghanaian
gr Greek
gt Guatemalan
gn Guinean
ht Haitian
hn Honduran
hk China, Hong Kong Special Administrative Region
in Indian
id Indonesian
ir Iran (Islamic Republic of)|Iranian
iq Iraqi
ie Irish
il Israeli
it Italian
jp Japanese
jo Jordanian
kz Kazakh|Kazakhstani
ke Kenyan
kp Korea, North|North Korean|DPRK|Democratic People's Republic of Korea
kr Korea, South|South Korean
xk Kosovo|Kosovar
kw Kuwaiti
kg Kyrgyz|Kyrgyzstani
la Lao|Laotian
lv Latvian
lb Lebanese
lr Liberian
ly Libyan
lt Lithuanian
mk Macedonia, The Former Yugoslav Republic of|Macedonia|Macedonian
my Malaysian
mv Maldivian
ml Malian
mt Maltese
mr Mauritanian
mx Mexican
md Moldova|Moldovan|of the Republic of Moldova
mn Mongolian
me Montenegrin
ma Moroccan
mz Mozambican
nl Dutch
nz New Zealander
ni Nicaraguan
ne Nigerien
ng Nigerian
no Norwegian
om Omani
pk Pakistani
ps Palestinian|State of Palestine|Palestinian Territories|Gaza Strip|West Bank
pa Panamanian
py Paraguayan
pe Peruvian
ph Filipino|Philippine
pl Polish
pt Portuguese
qa Qatari
ro Romanian
ru Russia|Russian
rw Rwandan
kn St. Kitts & Nevis|St. Kitts and Nevis|Kittitian
vc St. Vincent and the Grenadines
sa Saudi Arabian|Saudi
sn Senegalese
rs Serbian
sc Seychellois
sl Sierra Leonean
sg Singaporean
sk Slovak
si Slovenian
so Somali
za South African
ss South Sudanese
es Spanish
lk Sri Lankan
sd Sudanese
se Swedish
ch Swiss
sy Syrian
tw Taiwanese
tj Tajik|Tajikistani
tz Tanzanian
th Thai
tg Togolese
tt Trinidadian
tn Tunisian
tr Turkey|Turkish
tm Turkmen
ug Ugandan
ua Ukrainian
ae Emirati|UAE
gb British|UK|Great Britain
us American|USA|US
uy Uruguayan
uz Uzbek|Uzbekistani
ve Venezuelan
vn Vietnamese
ye Yemeni
zm Zambian
zw Zimbabwean
"""
# Words that are no country but that prose scanning would otherwise read as one.
_NOT_COUNTRIES = frozenset({"none identified", "unknown", "us"})


@cache
def _variants() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _COUNTRY_VARIANTS.strip().splitlines():
        code, names = line.split(" ", 1)
        for name in names.split("|"):
            table[_fold(name)] = code
    return table


@cache
def _lookup(name: str) -> str | None:
    folded = _fold(name)
    if not folded or folded in _NOT_COUNTRIES - {"us"}:
        return None
    code = _variants().get(folded)
    if code:
        return code
    try:
        country = pycountry.countries.lookup(folded)
    except LookupError:
        return None
    return str(country.alpha_2).lower()


@cache
def _country_pattern() -> re.Pattern[str]:
    names = set(_variants()) - _NOT_COUNTRIES
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(_fold(value))
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _fold(name: str) -> str:
    return " ".join(name.replace("’", "'").strip(" .;,").split()).lower()
