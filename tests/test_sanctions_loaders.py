"""The sanctions list loaders on the real lists, the EU XML and FtM loaders on fixtures
written from their format documentation, malformed files, and snapshots with diff."""

from __future__ import annotations

import csv
import gzip
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest

from accord.core.errors import InvalidInput, NotFound
from accord.desks.sanctions import snapshots
from accord.desks.sanctions.loaders import (
    country_codes,
    detect_format,
    eu,
    ftm,
    iso_dates,
    load_paths,
    ofac,
    un,
)
from accord.desks.sanctions.model import Entity, Identifier
from tests.data import SHARED_DATA

LISTS = SHARED_DATA / "sanctions"


def _by_key(entities: list[Entity]) -> dict[str, Entity]:
    return {entity.source_id: entity for entity in entities}


def _extra(entity: Entity, key: str) -> list[str]:
    return [value for name, value in entity.extra if name == key]


@pytest.fixture(scope="module")
def sdn() -> dict[str, Entity]:
    return _by_key(
        ofac.load_sdn(
            LISTS / "ofac_sdn.csv.gz",
            alt=LISTS / "ofac_alt.csv.gz",
            add=LISTS / "ofac_add.csv.gz",
            comments=LISTS / "ofac_sdn_comments.csv",
        )
    )


@pytest.fixture(scope="module")
def un_list() -> dict[str, Entity]:
    return _by_key(un.load_consolidated(LISTS / "un_consolidated.xml.gz"))


@pytest.fixture(scope="module")
def journal() -> dict[str, Entity]:
    return _by_key(
        eu.load_journal(
            [LISTS / "eu_journal_consolidated.csv.gz", LISTS / "eu_journal_amendments.csv.gz"]
        )
    )


@pytest.fixture(scope="module")
def eu_vessels() -> dict[str, Entity]:
    return _by_key(eu.load_vessels(LISTS / "eu_vessels.csv"))


# --- OFAC -------------------------------------------------------------------------------


def test_ofac_loads_one_entity_per_distinct_ent_num(sdn: dict[str, Entity]) -> None:
    rows = pl.read_csv(
        LISTS / "ofac_sdn.csv.gz", has_header=False, infer_schema=False, truncate_ragged_lines=True
    )
    ent_nums = rows.filter(pl.col("column_0").str.contains(r"^\d+$")).get_column("column_0")
    assert len(sdn) == ent_nums.n_unique() == 8976
    schemata = pl.Series([e.schema for e in sdn.values()]).value_counts().rows()
    assert dict(schemata) == {"Person": 4620, "LegalEntity": 3673, "Vessel": 406, "Airplane": 277}


def test_ofac_aliases_come_from_alt_file(sdn: dict[str, Entity]) -> None:
    with gzip.open(LISTS / "ofac_alt.csv.gz", "rt", newline="") as handle:
        alt = [row for row in csv.reader(handle) if len(row) == 5]
    assert len(alt) == 11910
    for ent_num, _, _, name, _ in alt:
        assert name in sdn[ent_num].names
    fka = {(row[0], row[3]) for row in alt if row[2] == "fka"}
    assert all(name in sdn[ent_num].former_names for ent_num, name in fka)


def test_ofac_vessel_carries_imo_mmsi_call_sign_flags_and_former_names(
    sdn: dict[str, Entity],
) -> None:
    artavil = sdn["15036"]
    assert artavil.schema == "Vessel"
    assert artavil.names[0] == "ARTAVIL"
    assert Identifier("imo", "9187629") in artavil.identifiers
    assert Identifier("mmsi", "572469210") in artavil.identifiers
    assert Identifier("call_sign", "T2EU4") in artavil.identifiers
    assert _extra(artavil, "flag") == ["ir"]
    assert _extra(artavil, "past_flag") == ["mt", "tv", "tz"]
    assert "ALPHA" in artavil.former_names
    assert artavil.programmes == ("IRAN",)
    assert _extra(artavil, "vessel_type") == ["Crude/Oil Products Tanker"]
    # A former name given only as a weak f.k.a. in Remarks.
    assert sdn["4243"].former_names == ("ANA I",)
    assert _extra(sdn["4243"], "flag") == ["cy"]


def test_every_ofac_vessel_with_an_imo_in_remarks_has_it_as_identifier(
    sdn: dict[str, Entity],
) -> None:
    with gzip.open(LISTS / "ofac_sdn.csv.gz", "rt", newline="") as handle:
        rows = [row for row in csv.reader(handle) if len(row) == 12 and row[2] == "vessel"]
    expected = {
        row[0]: match.group(1)
        for row in rows
        if (match := re.search(r"Vessel Registration Identification IMO (\d+)", row[11]))
    }
    assert len(expected) == 400
    for ent_num, imo in expected.items():
        assert Identifier("imo", imo) in sdn[ent_num].identifiers


def test_ofac_person_dob_nationality_passport_and_programmes(sdn: dict[str, Entity]) -> None:
    abbas = sdn["2674"]
    assert abbas.schema == "Person"
    assert abbas.names == ("ABBAS, Abu", "ZAYDAN, Muhammad")
    assert abbas.birth_dates == ("1948-12-10",)
    assert abbas.programmes == ("SDGT",)
    bank = sdn["306"]
    assert bank.names[:2] == ("BANCO NACIONAL DE CUBA", "BNC")
    assert set(bank.countries) == {"ch", "es", "jp", "pa"}
    passports = [e for e in sdn.values() if any(i.kind == "passport" for i in e.identifiers)]
    assert len(passports) > 900
    egypt = [i for e in passports for i in e.identifiers if i.value == "1084010"]
    assert egypt == [Identifier("passport", "1084010", "eg")]


def test_ofac_comments_file_extends_remarks(sdn: dict[str, Entity]) -> None:
    remarks = sdn["28264"].remarks or ""
    assert remarks.endswith("Linked To: LAZARUS GROUP.")
    assert "blackjack1987" in sdn["28264"].names


def test_ofac_aircraft_has_tail_number_and_serial(sdn: dict[str, Entity]) -> None:
    plane = sdn["15431"]
    assert plane.schema == "Airplane"
    assert Identifier("aircraft_registration", "EP-GOM") in plane.identifiers
    assert Identifier("aircraft_msn", "1023409321") in plane.identifiers


def test_malformed_ofac_row_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text('36,"AEROCARIBBEAN",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    with path.open("a") as handle:
        handle.write('37,"BROKEN","individual"\r\n')
    with pytest.raises(InvalidInput, match=r"sdn\.csv: line 2: field 'Program'.*12 columns"):
        ofac.load_sdn(path)
    path.write_text('X1,"A",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    with pytest.raises(InvalidInput, match=r"sdn\.csv: line 1: field 'ent_num'"):
        ofac.load_sdn(path)
    path.write_text('1,"A","ship","CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    with pytest.raises(InvalidInput, match=r"line 1: field 'SDN_Type': unknown type 'ship'"):
        ofac.load_sdn(path)


def test_ofac_alias_of_unknown_entry_is_rejected(tmp_path: Path) -> None:
    sdn_file = tmp_path / "sdn.csv"
    sdn_file.write_text('1,"A",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a\r\n')
    alt_file = tmp_path / "alt.csv"
    alt_file.write_text('2,5,"aka","B",-0- \r\n')
    with pytest.raises(InvalidInput, match=r"alt\.csv: line 1: field 'ent_num': 2 is not"):
        ofac.load_sdn(sdn_file, alt=alt_file)


# --- UN ---------------------------------------------------------------------------------


def test_un_loads_every_reference_number(un_list: dict[str, Entity]) -> None:
    with gzip.open(LISTS / "un_consolidated.xml.gz") as handle:
        root = ElementTree.parse(handle).getroot()
    references = {
        (node.findtext("REFERENCE_NUMBER") or "").strip()
        for tag in ("INDIVIDUAL", "ENTITY")
        for node in root.iter(tag)
    }
    assert set(un_list) == references
    assert len(un_list) == 1003
    persons = sum(1 for e in un_list.values() if e.schema == "Person")
    assert persons == 730


def test_un_person_fields(un_list: dict[str, Entity]) -> None:
    kim = un_list["KPi.009"]
    assert kim.names == ("KIM KWANG-IL",)
    assert kim.programmes == ("DPRK",)
    assert kim.countries == ("kp",)
    assert kim.birth_dates == ("1969-09-01",)
    assert kim.listed_on == "2013-01-22"
    assert kim.identifiers == (Identifier("passport", "PS381420397", "kp"),)
    saddam = un_list["IQi.001"]
    assert saddam.names[:2] == ("SADDAM HUSSEIN AL-TIKRITI", "صدام حسين التكريتي")
    assert saddam.birth_dates == ("1937-04-28",)
    gaston = un_list["CDi.003"]
    assert "Victor Rumuri" in gaston.names
    assert gaston.birth_dates == ("1948",)
    assert set(gaston.countries) == {"rw", "cd"}


def test_un_company_imo_number_read_from_comments(un_list: dict[str, Entity]) -> None:
    omm = un_list["KPe.020"]
    assert omm.schema == "LegalEntity"
    assert Identifier("imo", "1790183") in omm.identifiers
    komid = un_list["KPe.001"]
    assert "KOMID" in komid.names


def test_malformed_un_xml_names_line_and_element(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL></INDIVIDUALS>")
    with pytest.raises(InvalidInput, match=r"un\.xml: line 1, column \d+: field 'xml'"):
        un.load_consolidated(path)
    path.write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>7</DATAID>"
        "<FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    with pytest.raises(
        InvalidInput, match=r"<INDIVIDUAL> #1 \(DATAID 7\): field 'REFERENCE_NUMBER'"
    ):
        un.load_consolidated(path)


# --- EU journal CSVs --------------------------------------------------------------------


def test_eu_journal_keeps_one_entity_per_designation(journal: dict[str, Entity]) -> None:
    consolidated = pl.read_csv(LISTS / "eu_journal_consolidated.csv.gz", infer_schema=False)
    amendments = pl.read_csv(LISTS / "eu_journal_amendments.csv.gz", infer_schema=False)
    keys = pl.concat(
        [
            consolidated.select(
                pl.col("celex").alias("act"), "annex", "recordId", "schema", "name"
            ),
            amendments.select(
                pl.col("amendedCelex").alias("act"), "annex", "recordId", "schema", "name"
            ),
        ]
    ).with_columns(
        pl.coalesce("recordId", pl.col("schema") + "|" + pl.col("name")).alias("designation")
    )
    assert len(journal) == keys.select("act", "annex", "designation").n_unique() == 8421


def test_eu_journal_vessel_and_person_fields(journal: dict[str, Entity]) -> None:
    angara = journal["32014R0833/XLII/1"]
    assert angara.schema == "Vessel"
    assert angara.names == ("Angara",)
    assert angara.identifiers == (Identifier("imo", "9179842"),)
    assert angara.programmes == ("EU-RUS",)
    assert angara.listed_on == "2024-06-25"
    assert _extra(angara, "measure") == ["Transportation restrictions"]
    kavya = journal["32014R0833/XLII/5"]
    assert kavya.former_names == ("Hana",)
    person = journal["32001R2580/II.A/1"]
    assert person.names == ("ABDOLLAHI Hamed", "Mustafa Abdullahi")
    assert person.birth_dates == ("1960-08-11",)
    assert person.identifiers == (Identifier("passport", "D9004878"),)
    assert journal["32001R2580/II.A/2"].countries == ("lb",)


def test_eu_amendment_replaces_consolidated_row_and_splits_ex_name(
    journal: dict[str, Entity],
) -> None:
    renamed = journal["32014R0833/XLII/629"]
    assert renamed.names == ("STORMBRINGER", "KRITI VIGOR")
    assert renamed.former_names == ("KRITI VIGOR",)
    assert Identifier("imo", "9290397") in renamed.identifiers
    assert _extra(renamed, "amendment_celex") == ["32026R1848"]
    avax = journal["32016R0044/V/1"]
    assert set(_extra(avax, "measure")) == {"Transportation restrictions", "Financial restrictions"}
    assert _extra(avax, "flag") == ["cm"]


def test_eu_vessels_file_gives_the_journal_vessels(
    journal: dict[str, Entity], eu_vessels: dict[str, Entity]
) -> None:
    assert len(eu_vessels) == 750
    journal_vessels = {key for key, entity in journal.items() if entity.schema == "Vessel"}
    assert set(eu_vessels) == journal_vessels
    assert all(eu_vessels[key] == journal[key] for key in eu_vessels)
    with_imo = [e for e in eu_vessels.values() if any(i.kind == "imo" for i in e.identifiers)]
    assert len(with_imo) == 749  # every vessel but the one the act prints "Does not exist" for


def test_malformed_eu_journal_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "32014R0833.csv"
    header = ",".join(eu.CONSOLIDATED_HEADER)
    row = ["32014R0833", "1", "EU-RUS", "XLII", "Asset freeze", "", "", "Ship", "X"]
    row += [""] * 36
    path.write_text(header + "\n" + ",".join(row) + "\n")
    with pytest.raises(InvalidInput, match=r"32014R0833\.csv: line 2: field 'schema'"):
        eu.load_journal([path])
    path.write_text("celex,name\n1,2\n")
    with pytest.raises(InvalidInput, match=r"line 1: field 'header'"):
        eu.load_journal([path])


# --- EU FSF XML (fixture from the format's documentation) --------------------------------

FSF_XML = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-05-08T14:10:07.000+02:00"
        globalFileId="171234">
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.27.28"
                  logicalId="13" designationDate="2003-07-07">
    <remark>UN ID: IQi.001.</remark>
    <regulation regulationType="amendment" organisationType="council"
                publicationDate="2003-07-08" entryIntoForceDate="2003-07-09"
                numberTitle="1210/2003 (OJ L169)" programme="IRQ" logicalId="3">
      <publicationUrl>https://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF</publicationUrl>
    </regulation>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Saddam" middleName="" lastName="Hussein Al-Tikriti"
               wholeName="Saddam Hussein Al-Tikriti" function="" gender="M" title=""
               nameLanguage="" strong="true" regulationLanguage="en" logicalId="17"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Abu Ali" function=""
               gender="M" title="" nameLanguage="" strong="false" logicalId="18"/>
    <citizenship region="" countryIso2Code="IQ" countryDescription="IRAQ" logicalId="19"/>
    <birthdate circa="false" calendarType="GREGORIAN" city="al-Awja, near Tikrit"
               birthdate="1937-04-28" dayOfMonth="28" monthOfYear="4" year="1937"
               countryIso2Code="IQ" countryDescription="IRAQ" logicalId="20"/>
    <identification diplomatic="false" knownExpired="false" knownFalse="false"
                    reportedLost="false" revokedByIssuer="false" number="A1234567"
                    identificationTypeCode="passport"
                    identificationTypeDescription="National passport"
                    countryIso2Code="IQ" countryDescription="IRAQ" logicalId="21"/>
  </sanctionEntity>
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.7808.66"
                  logicalId="137718">
    <regulation regulationType="amendment" organisationType="council"
                publicationDate="2023-03-14" entryIntoForceDate="2023-03-15"
                numberTitle="2023/571 (OJ L75 I)" programme="UKR" logicalId="9"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="JSC ROSOBORONEXPORT" strong="true" logicalId="30"/>
    <nameAlias wholeName="AO Рособоронэкспорт" nameLanguage="RU" strong="true"
               logicalId="31"/>
    <address city="Moscow" street="Stromynka Street 27" poBox="" zipCode="107076"
             region="" place="" asAtListingTime="false" countryIso2Code="RU"
             countryDescription="RUSSIAN FEDERATION" logicalId="32"/>
    <identification number="7718852163" identificationTypeCode="fiscalcode"
                    countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION"
                    logicalId="33"/>
  </sanctionEntity>
</export>
"""


def test_eu_fsf_xml_fixture(tmp_path: Path) -> None:
    path = tmp_path / "eu_fsf.xml"
    path.write_text(FSF_XML)
    assert detect_format(path) == "eu-fsf"
    saddam, rosoboronexport = eu.load_fsf_xml(path)
    assert saddam.key == "eu-fsf:13"
    assert saddam.schema == "Person"
    assert saddam.names == ("Saddam Hussein Al-Tikriti", "Abu Ali")
    assert saddam.programmes == ("IRQ",)
    assert saddam.countries == ("iq",)
    assert saddam.birth_dates == ("1937-04-28",)
    assert saddam.identifiers == (Identifier("passport", "A1234567", "iq"),)
    assert saddam.listed_on == "2003-07-07"
    assert ("euReferenceNumber", "EU.27.28") in saddam.extra
    assert ("gender", "male") in saddam.extra
    assert rosoboronexport.schema == "LegalEntity"
    assert rosoboronexport.names == ("JSC ROSOBORONEXPORT", "AO Рособоронэкспорт")
    assert rosoboronexport.countries == ("ru",)
    assert rosoboronexport.identifiers == (Identifier("tax_id", "7718852163", "ru"),)
    assert rosoboronexport.listed_on == "2023-03-15"


def test_malformed_eu_fsf_xml_names_the_element(tmp_path: Path) -> None:
    path = tmp_path / "eu_fsf.xml"
    path.write_text(FSF_XML.replace('<subjectType code="enterprise"', '<subjectType code="x"'))
    with pytest.raises(
        InvalidInput, match=r"<sanctionEntity> #2 \(logicalId 137718\): field 'subjectType'"
    ):
        eu.load_fsf_xml(path)
    path.write_text(FSF_XML[:900])
    with pytest.raises(InvalidInput, match=r"eu_fsf\.xml: line \d+, column \d+: field 'xml'"):
        eu.load_fsf_xml(path)


# --- FollowTheMoney JSON lines (fixture from the FtM/OpenSanctions documentation) --------


def _ftm_lines() -> list[dict[str, Any]]:
    vessel = {
        "id": "gb-hmt-14855",
        "schema": "Vessel",
        "properties": {
            "name": ["SIG"],
            "previousName": ["SEA GULL", "PERSEUS"],
            "imoNumber": ["9191474"],
            "mmsi": ["620999456"],
            "callSign": ["D6A2394"],
            "flag": ["km"],
            "pastFlags": ["pa", "lr"],
            "type": ["Crude Oil Tanker"],
            "topics": ["sanction"],
        },
        "datasets": ["gb_hmt_sanctions"],
        "target": True,
    }
    person = {
        "id": "jp-mof-kim",
        "schema": "Person",
        "properties": {
            "name": ["Kim Jong Un"],
            "alias": ["김정은", "Kim Chŏng-ŭn"],
            "birthDate": ["1984-01-08"],
            "nationality": ["kp"],
            "sanctions": [
                {
                    "id": "jp-mof-kim-sanction",
                    "schema": "Sanction",
                    "properties": {
                        "entity": ["jp-mof-kim"],
                        "program": ["North Korea"],
                        "startDate": ["2016-12-02"],
                    },
                }
            ],
        },
        "datasets": ["jp_mof_sanctions"],
        "target": True,
    }
    sanction = {
        "id": "gb-hmt-14855-sanction",
        "schema": "Sanction",
        "properties": {
            "entity": ["gb-hmt-14855"],
            "programId": ["GB-RUS"],
            "startDate": ["2024-05-09"],
        },
        "datasets": ["gb_hmt_sanctions"],
    }
    relative = {
        "id": "gb-hmt-kin",
        "schema": "Person",
        "properties": {"name": ["Not Listed"]},
        "datasets": ["gb_hmt_sanctions"],
        "target": False,
    }
    return [vessel, person, sanction, relative]


def test_ftm_lines_fixture(tmp_path: Path) -> None:
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in _ftm_lines()) + b"\n")
    assert detect_format(path) == "ftm"
    sig, kim = ftm.load_entities(path)
    assert sig.key == "gb_hmt_sanctions:gb-hmt-14855"
    assert sig.schema == "Vessel"
    assert sig.names == ("SIG", "SEA GULL", "PERSEUS")
    assert sig.former_names == ("SEA GULL", "PERSEUS")
    assert set(sig.identifiers) == {
        Identifier("imo", "9191474"),
        Identifier("mmsi", "620999456"),
        Identifier("call_sign", "D6A2394"),
    }
    assert _extra(sig, "flag") == ["km"]
    assert _extra(sig, "past_flag") == ["pa", "lr"]
    assert sig.programmes == ("GB-RUS",)
    assert sig.listed_on == "2024-05-09"
    assert kim.names == ("Kim Jong Un", "김정은", "Kim Chŏng-ŭn")
    assert kim.birth_dates == ("1984-01-08",)
    assert kim.countries == ("kp",)
    assert kim.programmes == ("North Korea",)  # from the nested (targets.nested.json) sanction


def test_malformed_ftm_line_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": \n')
    with pytest.raises(InvalidInput, match=r"bad\.ftm\.json: line 2: field 'json'"):
        ftm.load_entities(path)
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": "A"}}\n')
    with pytest.raises(InvalidInput, match=r"line 1: field 'properties\.name': not a list"):
        ftm.load_entities(path)


# --- shared helpers, detection ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Korea, North", ("kp",)),
        ("Democratic People's Republic of Korea", ("kp",)),
        ("Iran (Islamic Republic of)", ("ir",)),
        ("Russian", ("ru",)),
        ("(a) German, (b) Moroccan", ("de", "ma")),
        ("Democratic People’s Republic of Korea (DPRK)", ("kp",)),
        ("United Kingdom of Great Britain and Northern Ireland", ("gb",)),
        ("None Identified", ()),
    ],
)
def test_country_names_become_iso_codes(text: str, codes: tuple[str, ...]) -> None:
    assert country_codes(text) == codes


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("10 Dec 1948", ("1948-12-10",)),
        ("4 Apr. 1944", ("1944-04-04",)),
        ("25.6.2024", ("2024-06-25",)),
        ("circa 1955", ("1955",)),
        ("1960 to 1962", ("1960", "1961", "1962")),
        ("Feb 1970", ("1970-02",)),
        ("31.2.2001", ()),
    ],
)
def test_dates_become_iso(text: str, dates: tuple[str, ...]) -> None:
    assert iso_dates(text) == dates


def test_formats_are_detected_and_ofac_companions_found_beside_the_sdn_file(
    sdn: dict[str, Entity],
) -> None:
    formats = {
        path.name: detect_format(path)
        for path in sorted(LISTS.glob("*.*"))
        if path.suffix != ".md" and "LICENSE" not in path.name and "chpl" not in path.name
    }
    assert formats == {
        "eu_journal_amendments.csv.gz": "eu-journal",
        "eu_journal_consolidated.csv.gz": "eu-journal",
        "eu_vessels.csv": "eu-vessels",
        "ofac_add.csv.gz": "ofac-add",
        "ofac_alt.csv.gz": "ofac-alt",
        "ofac_sdn.csv.gz": "ofac-sdn",
        "ofac_sdn_comments.csv": "ofac-comments",
        "un_consolidated.xml.gz": "un-sc",
    }
    (loaded,) = load_paths([LISTS / "ofac_sdn.csv.gz"])
    assert loaded.list_name == "ofac-sdn"
    assert len(loaded.files) == 4
    assert _by_key(list(loaded.entities)) == sdn


def test_unknown_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("hello\n")
    with pytest.raises(InvalidInput, match=r"list\.txt: line 1: not a known"):
        detect_format(path)


# --- snapshots and diff -----------------------------------------------------------------


def _vessel(source_id: str, name: str, imo: str, *former: str) -> Entity:
    return Entity(
        source="test",
        source_id=source_id,
        schema="Vessel",
        names=(name, *former),
        identifiers=(Identifier("imo", imo),),
        former_names=former,
    )


def test_snapshot_round_trip_and_same_content_is_not_stored_twice(tmp_path: Path) -> None:
    entities = [_vessel("1", "SIG", "9191474", "SEA GULL"), _vessel("2", "ANGARA", "9179842")]
    first = snapshots.save_snapshot(
        tmp_path, "test", entities, files=("a.csv",), now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    assert first.version.startswith("20260102T030405Z-")
    assert first.entity_count == 2
    assert snapshots.read_entities(first) == entities
    again = snapshots.save_snapshot(tmp_path, "test", list(reversed(entities)))
    assert again == first
    assert snapshots.list_snapshots(tmp_path) == [first]
    assert snapshots.find_snapshot(tmp_path, "test", first.version[:10]) == first
    with pytest.raises(NotFound):
        snapshots.find_snapshot(tmp_path, "other")


def test_snapshots_list_oldest_first_and_diff_reports_changed_fields(tmp_path: Path) -> None:
    old = [_vessel("1", "SIG", "9191474"), _vessel("2", "ANGARA", "9179842")]
    new = [_vessel("1", "NEW SIG", "9191474", "SIG"), _vessel("3", "MARIA", "8517839")]
    first = snapshots.save_snapshot(tmp_path, "test", old, now=datetime(2026, 1, 1, tzinfo=UTC))
    second = snapshots.save_snapshot(tmp_path, "test", new, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert snapshots.list_snapshots(tmp_path, "test") == [first, second]
    assert snapshots.latest_snapshot(tmp_path, "test") == second
    change = snapshots.diff(snapshots.read_entities(first), snapshots.read_entities(second))
    assert [e.key for e in change.added] == ["test:3"]
    assert [e.key for e in change.removed] == ["test:2"]
    assert [(c.key, c.fields) for c in change.changed] == [("test:1", ("names", "former_names"))]


def test_diff_ignores_order_but_not_a_new_primary_name() -> None:
    one = _vessel("1", "A", "9191474", "B", "C")
    reordered = _vessel("1", "A", "9191474", "C", "B")
    assert snapshots.diff([one], [reordered]).is_empty
    renamed = Entity("test", "1", "Vessel", ("B", "A", "C"), identifiers=one.identifiers)
    assert snapshots.diff([one], [renamed]).changed[0].fields == ("names", "former_names")


def test_duplicate_keys_and_unsafe_list_names_are_rejected(tmp_path: Path) -> None:
    twice = [_vessel("1", "A", "9191474"), _vessel("1", "B", "9179842")]
    with pytest.raises(InvalidInput, match="two entities with key 'test:1'"):
        snapshots.save_snapshot(tmp_path, "test", twice)
    with pytest.raises(InvalidInput, match="list name"):
        snapshots.save_snapshot(tmp_path, "../x", [])


def test_real_list_snapshot_diff_shows_amendments_to_the_eu_journal(
    tmp_path: Path, journal: dict[str, Entity]
) -> None:
    amended = [e for e in journal.values() if _extra(e, "amendment_celex")]
    renamed_key = "32014R0833/XLII/629"
    before_rename = replace(journal[renamed_key], names=("KRITI VIGOR",), former_names=())
    old = [e for e in journal.values() if not _extra(e, "amendment_celex")] + [before_rename]
    first = snapshots.save_snapshot(tmp_path, "eu-journal", old)
    second = snapshots.save_snapshot(tmp_path, "eu-journal", journal.values())
    assert first.content_hash != second.content_hash
    change = snapshots.diff(snapshots.read_entities(first), snapshots.read_entities(second))
    assert not change.removed
    assert len(change.added) == len(amended) - 1
    (renamed,) = change.changed
    assert renamed.key == f"eu-journal:{renamed_key}"
    assert renamed.fields == ("names", "former_names")
