"""Countries as the sanctions lists name them (names, demonyms, prose naming several) to
ISO 3166-1 alpha-2 codes: ``pycountry`` for the standard names, a table here for the
names and demonyms it lacks ("Korea, North", "Burma", "Russian", "DPRK")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pycountry


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
    return _distinct(_lookup(m.group(0)) or "" for m in _country_pattern().finditer(prose))


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


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
