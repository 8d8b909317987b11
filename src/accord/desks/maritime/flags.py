"""What an MMSI says: the form of the station it identifies and, where it has one, its flag.

The forms are those of Recommendation ITU-R M.585-9 (05/2022), "Assignment and use of
identities in the maritime mobile service", Annex 1 (nine digits; ``M I D`` is the
Maritime Identification Digits, ``X`` any digit):

- ``MIDXXXXXX`` ship (first digit 2-7);
- ``00MIDXXXX`` coast_station;
- ``0MIDXXXXX`` group (a group of ship stations);
- ``111MIDXXX`` sar_aircraft (aircraft in search and rescue);
- ``8MIDXXXXX`` handheld_vhf (handheld VHF transceiver with DSC and GNSS);
- ``98MIDXXXX`` craft_of_parent_ship (a craft associated with a parent ship);
- ``99MIDXXXX`` aid_to_navigation (an AIS aid to navigation);
- ``970XXYYYY`` ais_sart, ``972XXYYYY`` man_overboard, ``974XXYYYY`` epirb_ais: devices
  with free-form numbers and no flag (Annex 2).

Anything else (a negative number, ten or more digits, ``000000000``, ``1...`` other than
``111``, ``97x`` other than 970/972/974, or an embedded MID that does not start with 2-7) is
``invalid``. A well-formed number whose MID is not allocated keeps its kind, with no flag.

The MID table is the ITU's "Table of Maritime Identification Digits" (ITU-R, MARS database,
https://www.itu.int/en/ITU-R/terrestrial/fmd/Pages/mid.aspx), the
territories mapped to their ISO 3166-1 alpha-2 codes. Where the ITU allocates a MID to a
territory, the flag is the territory's own ISO code if it has one (Gibraltar GI, Bermuda BM,
the French Southern Lands TF) and its State's otherwise (Azores PT, Alaska US); MID 306,
shared by Curaçao, Sint Maarten and Bonaire/Sint Eustatius/Saba, maps to ``CW`` (a flag
column holds one code) and its country name names all three.

The vectorised forms (:func:`mmsi_identity_table`, :func:`flag_iso2_column`) work in numpy
on whole columns, since flags are joined onto millions of track points; :func:`mid_table`
gives the table itself for a SQL join.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from accord.core.errors import InvalidInput


class MmsiKind(StrEnum):
    """The station form an MMSI encodes (ITU-R M.585-9)."""

    SHIP = "ship"
    COAST_STATION = "coast_station"
    GROUP = "group"
    SAR_AIRCRAFT = "sar_aircraft"
    HANDHELD_VHF = "handheld_vhf"
    CRAFT_OF_PARENT_SHIP = "craft_of_parent_ship"
    AID_TO_NAVIGATION = "aid_to_navigation"
    AIS_SART = "ais_sart"
    MAN_OVERBOARD = "man_overboard"
    EPIRB_AIS = "epirb_ais"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class MmsiIdentity:
    """What one MMSI says. ``mid``, ``flag_iso2`` and ``country`` are None when it has none."""

    mmsi: int
    kind: MmsiKind
    mid: int | None
    flag_iso2: str | None
    country: str | None


# MID -> (ISO 3166-1 alpha-2, name). ITU Table of Maritime Identification Digits.
MID_COUNTRIES: dict[int, tuple[str, str]] = {
    # Europe (2xx)
    201: ("AL", "Albania"),
    202: ("AD", "Andorra"),
    203: ("AT", "Austria"),
    204: ("PT", "Portugal (Azores)"),
    205: ("BE", "Belgium"),
    206: ("BY", "Belarus"),
    207: ("BG", "Bulgaria"),
    208: ("VA", "Vatican City State"),
    209: ("CY", "Cyprus"),
    210: ("CY", "Cyprus"),
    211: ("DE", "Germany"),
    212: ("CY", "Cyprus"),
    213: ("GE", "Georgia"),
    214: ("MD", "Moldova"),
    215: ("MT", "Malta"),
    216: ("AM", "Armenia"),
    218: ("DE", "Germany"),
    219: ("DK", "Denmark"),
    220: ("DK", "Denmark"),
    224: ("ES", "Spain"),
    225: ("ES", "Spain"),
    226: ("FR", "France"),
    227: ("FR", "France"),
    228: ("FR", "France"),
    229: ("MT", "Malta"),
    230: ("FI", "Finland"),
    231: ("FO", "Faroe Islands (Denmark)"),
    232: ("GB", "United Kingdom"),
    233: ("GB", "United Kingdom"),
    234: ("GB", "United Kingdom"),
    235: ("GB", "United Kingdom"),
    236: ("GI", "Gibraltar (United Kingdom)"),
    237: ("GR", "Greece"),
    238: ("HR", "Croatia"),
    239: ("GR", "Greece"),
    240: ("GR", "Greece"),
    241: ("GR", "Greece"),
    242: ("MA", "Morocco"),
    243: ("HU", "Hungary"),
    244: ("NL", "Netherlands"),
    245: ("NL", "Netherlands"),
    246: ("NL", "Netherlands"),
    247: ("IT", "Italy"),
    248: ("MT", "Malta"),
    249: ("MT", "Malta"),
    250: ("IE", "Ireland"),
    251: ("IS", "Iceland"),
    252: ("LI", "Liechtenstein"),
    253: ("LU", "Luxembourg"),
    254: ("MC", "Monaco"),
    255: ("PT", "Portugal (Madeira)"),
    256: ("MT", "Malta"),
    257: ("NO", "Norway"),
    258: ("NO", "Norway"),
    259: ("NO", "Norway"),
    261: ("PL", "Poland"),
    262: ("ME", "Montenegro"),
    263: ("PT", "Portugal"),
    264: ("RO", "Romania"),
    265: ("SE", "Sweden"),
    266: ("SE", "Sweden"),
    267: ("SK", "Slovakia"),
    268: ("SM", "San Marino"),
    269: ("CH", "Switzerland"),
    270: ("CZ", "Czechia"),
    271: ("TR", "Türkiye"),
    272: ("UA", "Ukraine"),
    273: ("RU", "Russian Federation"),
    274: ("MK", "North Macedonia"),
    275: ("LV", "Latvia"),
    276: ("EE", "Estonia"),
    277: ("LT", "Lithuania"),
    278: ("SI", "Slovenia"),
    279: ("RS", "Serbia"),
    # North and Central America, Caribbean (3xx)
    301: ("AI", "Anguilla (United Kingdom)"),
    303: ("US", "United States (Alaska)"),
    304: ("AG", "Antigua and Barbuda"),
    305: ("AG", "Antigua and Barbuda"),
    306: ("CW", "Curaçao, Sint Maarten, Bonaire, Sint Eustatius and Saba (Netherlands)"),
    307: ("AW", "Aruba (Netherlands)"),
    308: ("BS", "Bahamas"),
    309: ("BS", "Bahamas"),
    310: ("BM", "Bermuda (United Kingdom)"),
    311: ("BS", "Bahamas"),
    312: ("BZ", "Belize"),
    314: ("BB", "Barbados"),
    316: ("CA", "Canada"),
    319: ("KY", "Cayman Islands (United Kingdom)"),
    321: ("CR", "Costa Rica"),
    323: ("CU", "Cuba"),
    325: ("DM", "Dominica"),
    327: ("DO", "Dominican Republic"),
    329: ("GP", "Guadeloupe (France)"),
    330: ("GD", "Grenada"),
    331: ("GL", "Greenland (Denmark)"),
    332: ("GT", "Guatemala"),
    334: ("HN", "Honduras"),
    336: ("HT", "Haiti"),
    338: ("US", "United States"),
    339: ("JM", "Jamaica"),
    341: ("KN", "Saint Kitts and Nevis"),
    343: ("LC", "Saint Lucia"),
    345: ("MX", "Mexico"),
    347: ("MQ", "Martinique (France)"),
    348: ("MS", "Montserrat (United Kingdom)"),
    350: ("NI", "Nicaragua"),
    351: ("PA", "Panama"),
    352: ("PA", "Panama"),
    353: ("PA", "Panama"),
    354: ("PA", "Panama"),
    355: ("PA", "Panama"),
    356: ("PA", "Panama"),
    357: ("PA", "Panama"),
    358: ("PR", "Puerto Rico (United States)"),
    359: ("SV", "El Salvador"),
    361: ("PM", "Saint Pierre and Miquelon (France)"),
    362: ("TT", "Trinidad and Tobago"),
    364: ("TC", "Turks and Caicos Islands (United Kingdom)"),
    366: ("US", "United States"),
    367: ("US", "United States"),
    368: ("US", "United States"),
    369: ("US", "United States"),
    370: ("PA", "Panama"),
    371: ("PA", "Panama"),
    372: ("PA", "Panama"),
    373: ("PA", "Panama"),
    374: ("PA", "Panama"),
    375: ("VC", "Saint Vincent and the Grenadines"),
    376: ("VC", "Saint Vincent and the Grenadines"),
    377: ("VC", "Saint Vincent and the Grenadines"),
    378: ("VG", "British Virgin Islands (United Kingdom)"),
    379: ("VI", "United States Virgin Islands (United States)"),
    # Asia (4xx)
    401: ("AF", "Afghanistan"),
    403: ("SA", "Saudi Arabia"),
    405: ("BD", "Bangladesh"),
    408: ("BH", "Bahrain"),
    410: ("BT", "Bhutan"),
    412: ("CN", "China"),
    413: ("CN", "China"),
    414: ("CN", "China"),
    416: ("TW", "Taiwan (Province of China)"),
    417: ("LK", "Sri Lanka"),
    419: ("IN", "India"),
    422: ("IR", "Iran"),
    423: ("AZ", "Azerbaijan"),
    425: ("IQ", "Iraq"),
    428: ("IL", "Israel"),
    431: ("JP", "Japan"),
    432: ("JP", "Japan"),
    434: ("TM", "Turkmenistan"),
    436: ("KZ", "Kazakhstan"),
    437: ("UZ", "Uzbekistan"),
    438: ("JO", "Jordan"),
    440: ("KR", "Korea (Republic of)"),
    441: ("KR", "Korea (Republic of)"),
    443: ("PS", "State of Palestine"),
    445: ("KP", "Korea (Democratic People's Republic of)"),
    447: ("KW", "Kuwait"),
    450: ("LB", "Lebanon"),
    451: ("KG", "Kyrgyzstan"),
    453: ("MO", "Macao (China)"),
    455: ("MV", "Maldives"),
    457: ("MN", "Mongolia"),
    459: ("NP", "Nepal"),
    461: ("OM", "Oman"),
    463: ("PK", "Pakistan"),
    466: ("QA", "Qatar"),
    468: ("SY", "Syrian Arab Republic"),
    470: ("AE", "United Arab Emirates"),
    471: ("AE", "United Arab Emirates"),
    472: ("TJ", "Tajikistan"),
    473: ("YE", "Yemen"),
    475: ("YE", "Yemen"),
    477: ("HK", "Hong Kong (China)"),
    478: ("BA", "Bosnia and Herzegovina"),
    # Oceania and South-East Asia (5xx)
    501: ("TF", "Adélie Land (France)"),
    503: ("AU", "Australia"),
    506: ("MM", "Myanmar"),
    508: ("BN", "Brunei Darussalam"),
    510: ("FM", "Micronesia (Federated States of)"),
    511: ("PW", "Palau"),
    512: ("NZ", "New Zealand"),
    514: ("KH", "Cambodia"),
    515: ("KH", "Cambodia"),
    516: ("CX", "Christmas Island (Australia)"),
    518: ("CK", "Cook Islands (New Zealand)"),
    520: ("FJ", "Fiji"),
    523: ("CC", "Cocos (Keeling) Islands (Australia)"),
    525: ("ID", "Indonesia"),
    529: ("KI", "Kiribati"),
    531: ("LA", "Lao People's Democratic Republic"),
    533: ("MY", "Malaysia"),
    536: ("MP", "Northern Mariana Islands (United States)"),
    538: ("MH", "Marshall Islands"),
    540: ("NC", "New Caledonia (France)"),
    542: ("NU", "Niue (New Zealand)"),
    544: ("NR", "Nauru"),
    546: ("PF", "French Polynesia (France)"),
    548: ("PH", "Philippines"),
    550: ("TL", "Timor-Leste"),
    553: ("PG", "Papua New Guinea"),
    555: ("PN", "Pitcairn Island (United Kingdom)"),
    557: ("SB", "Solomon Islands"),
    559: ("AS", "American Samoa (United States)"),
    561: ("WS", "Samoa"),
    563: ("SG", "Singapore"),
    564: ("SG", "Singapore"),
    565: ("SG", "Singapore"),
    566: ("SG", "Singapore"),
    567: ("TH", "Thailand"),
    570: ("TO", "Tonga"),
    572: ("TV", "Tuvalu"),
    574: ("VN", "Viet Nam"),
    576: ("VU", "Vanuatu"),
    577: ("VU", "Vanuatu"),
    578: ("WF", "Wallis and Futuna (France)"),
    # Africa (6xx)
    601: ("ZA", "South Africa"),
    603: ("AO", "Angola"),
    605: ("DZ", "Algeria"),
    607: ("TF", "Saint Paul and Amsterdam Islands (France)"),
    608: ("SH", "Ascension Island (United Kingdom)"),
    609: ("BI", "Burundi"),
    610: ("BJ", "Benin"),
    611: ("BW", "Botswana"),
    612: ("CF", "Central African Republic"),
    613: ("CM", "Cameroon"),
    615: ("CG", "Congo"),
    616: ("KM", "Comoros"),
    617: ("CV", "Cabo Verde"),
    618: ("TF", "Crozet Archipelago (France)"),
    619: ("CI", "Côte d'Ivoire"),
    620: ("KM", "Comoros"),
    621: ("DJ", "Djibouti"),
    622: ("EG", "Egypt"),
    624: ("ET", "Ethiopia"),
    625: ("ER", "Eritrea"),
    626: ("GA", "Gabon"),
    627: ("GH", "Ghana"),
    629: ("GM", "Gambia"),
    630: ("GW", "Guinea-Bissau"),
    631: ("GQ", "Equatorial Guinea"),
    632: ("GN", "Guinea"),
    633: ("BF", "Burkina Faso"),
    634: ("KE", "Kenya"),
    635: ("TF", "Kerguelen Islands (France)"),
    636: ("LR", "Liberia"),
    637: ("LR", "Liberia"),
    638: ("SS", "South Sudan"),
    642: ("LY", "Libya"),
    644: ("LS", "Lesotho"),
    645: ("MU", "Mauritius"),
    647: ("MG", "Madagascar"),
    649: ("ML", "Mali"),
    650: ("MZ", "Mozambique"),
    654: ("MR", "Mauritania"),
    655: ("MW", "Malawi"),
    656: ("NE", "Niger"),
    657: ("NG", "Nigeria"),
    659: ("NA", "Namibia"),
    660: ("RE", "Réunion (France)"),
    661: ("RW", "Rwanda"),
    662: ("SD", "Sudan"),
    663: ("SN", "Senegal"),
    664: ("SC", "Seychelles"),
    665: ("SH", "Saint Helena (United Kingdom)"),
    666: ("SO", "Somalia"),
    667: ("SL", "Sierra Leone"),
    668: ("ST", "Sao Tome and Principe"),
    669: ("SZ", "Eswatini"),
    670: ("TD", "Chad"),
    671: ("TG", "Togo"),
    672: ("TN", "Tunisia"),
    674: ("TZ", "Tanzania"),
    675: ("UG", "Uganda"),
    676: ("CD", "Congo (Democratic Republic of the)"),
    677: ("TZ", "Tanzania"),
    678: ("ZM", "Zambia"),
    679: ("ZW", "Zimbabwe"),
    # South America (7xx)
    701: ("AR", "Argentina"),
    710: ("BR", "Brazil"),
    720: ("BO", "Bolivia"),
    725: ("CL", "Chile"),
    730: ("CO", "Colombia"),
    735: ("EC", "Ecuador"),
    740: ("FK", "Falkland Islands (Malvinas) (United Kingdom)"),
    745: ("GF", "French Guiana (France)"),
    750: ("GY", "Guyana"),
    755: ("PY", "Paraguay"),
    760: ("PE", "Peru"),
    765: ("SR", "Suriname"),
    770: ("UY", "Uruguay"),
    775: ("VE", "Venezuela"),
}


def mmsi_identity(mmsi: int) -> MmsiIdentity:
    """Decode one MMSI: its kind, the MID it embeds and the flag that MID is allocated to."""
    if not 0 <= mmsi <= 999_999_999:
        return MmsiIdentity(mmsi, MmsiKind.INVALID, None, None, None)
    table = mmsi_identity_table(np.array([mmsi], dtype=np.int64))
    kind = MmsiKind(table["kind"][0].as_py())
    mid = table["mid"][0].as_py()
    allocation = MID_COUNTRIES.get(mid) if mid is not None else None
    return MmsiIdentity(
        mmsi=mmsi,
        kind=kind,
        mid=mid,
        flag_iso2=allocation[0] if allocation else None,
        country=allocation[1] if allocation else None,
    )


def mmsi_identity_table(mmsis: Any) -> pa.Table:
    """Decode a column of MMSIs at once: a table of ``kind``, ``mid`` and ``flag_iso2``.

    ``mmsis`` is a numpy array, a pyarrow (chunked) array, a polars Series or a sequence of
    ints; nulls give kind ``invalid``. Rows line up with the input.
    """
    numbers, present = _as_int64(mmsis)
    kind_codes, mids = _classify(numbers, present)
    kinds = pa.DictionaryArray.from_arrays(
        pa.array(kind_codes, pa.int8()), pa.array([kind.value for kind in _KIND_ORDER])
    )
    has_mid = mids >= 0
    mid_column = pa.array(mids.astype(np.int16), pa.int16(), mask=~has_mid)
    return pa.table({"kind": kinds, "mid": mid_column, "flag_iso2": _flags_of(mids, has_mid)})


def flag_iso2_column(mmsis: Any) -> pa.Array:
    """The ISO 3166-1 alpha-2 flag of each MMSI in a column; null where it has none."""
    numbers, present = _as_int64(mmsis)
    _, mids = _classify(numbers, present)
    return _flags_of(mids, mids >= 0)


def mid_table() -> pa.Table:
    """The MID allocation table (``mid``, ``flag_iso2``, ``country``), for joins in SQL."""
    mids = sorted(MID_COUNTRIES)
    return pa.table(
        {
            "mid": pa.array(mids, pa.int16()),
            "flag_iso2": [MID_COUNTRIES[mid][0] for mid in mids],
            "country": [MID_COUNTRIES[mid][1] for mid in mids],
        }
    )


# ---------------------------------------------------------------------------------------
# Helpers

_KIND_ORDER: tuple[MmsiKind, ...] = tuple(MmsiKind)
_CODE = {kind: np.int8(index) for index, kind in enumerate(_KIND_ORDER)}

# The flag of every possible MID as an index into _FLAG_CODES (-1: not allocated).
_FLAG_CODES: list[str] = sorted({iso2 for iso2, _ in MID_COUNTRIES.values()})
_FLAG_OF_MID = np.full(1000, -1, dtype=np.int16)
for _mid, (_iso2, _) in MID_COUNTRIES.items():
    _FLAG_OF_MID[_mid] = _FLAG_CODES.index(_iso2)


def _as_int64(mmsis: Any) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """The numbers as int64 and where they are present (not null)."""
    if isinstance(mmsis, pa.ChunkedArray):
        mmsis = mmsis.combine_chunks()
    if isinstance(mmsis, pa.Array):
        present = np.asarray(mmsis.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
        filled = pc.fill_null(mmsis, 0)
        return _checked_int64(filled.to_numpy(zero_copy_only=False)), present
    if isinstance(mmsis, pl.Series):
        present = np.asarray(mmsis.is_not_null().to_numpy(), dtype=np.bool_)
        return _checked_int64(mmsis.fill_null(0).to_numpy()), present
    array = np.asarray(mmsis if not isinstance(mmsis, Sequence) else list(mmsis))
    return _checked_int64(array), np.ones(array.shape, dtype=np.bool_)


def _checked_int64(array: NDArray[Any]) -> NDArray[np.int64]:
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.dtype.kind not in "iu":
        raise InvalidInput(f"MMSI column: expected integers, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def _classify(
    numbers: NDArray[np.int64], present: NDArray[np.bool_]
) -> tuple[NDArray[np.int8], NDArray[np.int64]]:
    """Kind code and embedded MID (-1: none) of each number, by ITU-R M.585-9 Annex 1."""
    nine_digits = present & (numbers >= 0) & (numbers <= 999_999_999)
    first = numbers // 100_000_000
    first_two = numbers // 10_000_000
    first_three = numbers // 1_000_000
    # (condition, kind, MID); conditions are tried in order, as in np.select.
    forms: list[tuple[NDArray[np.bool_], MmsiKind, NDArray[np.int64]]] = [
        ((first >= 2) & (first <= 7), MmsiKind.SHIP, first_three),
        (first_two == 0, MmsiKind.COAST_STATION, numbers // 10_000),
        (first == 0, MmsiKind.GROUP, numbers // 100_000),
        (first_three == 111, MmsiKind.SAR_AIRCRAFT, (numbers // 1_000) % 1_000),
        (first == 8, MmsiKind.HANDHELD_VHF, (numbers // 100_000) % 1_000),
        (first_two == 98, MmsiKind.CRAFT_OF_PARENT_SHIP, (numbers // 10_000) % 1_000),
        (first_two == 99, MmsiKind.AID_TO_NAVIGATION, (numbers // 10_000) % 1_000),
    ]
    devices = [
        (first_three == 970, MmsiKind.AIS_SART),
        (first_three == 972, MmsiKind.MAN_OVERBOARD),
        (first_three == 974, MmsiKind.EPIRB_AIS),
    ]
    none = np.full(numbers.shape, -1, dtype=np.int64)
    conditions = [nine_digits & cond for cond, _, _ in forms]
    conditions += [nine_digits & cond for cond, _ in devices]
    kinds = np.select(
        conditions,
        [_CODE[kind] for _, kind, _ in forms] + [_CODE[kind] for _, kind in devices],
        default=_CODE[MmsiKind.INVALID],
    ).astype(np.int8)
    mids = np.select(conditions, [mid for _, _, mid in forms] + [none] * len(devices), none)
    # A MID always starts with 2-7 (M.585-9 Annex 1); any other embedded MID is no MID.
    bad_mid = (mids >= 0) & ((mids < 200) | (mids > 799))
    kinds[bad_mid] = _CODE[MmsiKind.INVALID]
    mids[bad_mid] = -1
    return kinds, mids


def _flags_of(mids: NDArray[np.int64], has_mid: NDArray[np.bool_]) -> pa.Array:
    codes = np.where(has_mid, _FLAG_OF_MID[np.clip(mids, 0, 999)], -1)
    indices = pa.array(codes.astype(np.int16), pa.int16(), mask=codes < 0)
    return pc.take(pa.array(_FLAG_CODES, pa.string()), indices)
