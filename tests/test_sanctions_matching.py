"""Matching core of the sanctions desk: cross-script names, identifiers, features, and the
names that must not match (issue 6, items 3 and 4)."""

from __future__ import annotations

import pytest

from accord.desks.sanctions.index import NameIndex
from accord.desks.sanctions.model import Entity, Identifier
from accord.desks.sanctions.names import (
    hangul_romanizations,
    korean_keys,
    name_forms,
    normalize_name,
)
from accord.desks.sanctions.scoring import Query, screen

KIM_JONG_UN = Entity(
    source="un-sc", source_id="KPi.999", schema="Person",
    names=("KIM JONG UN",), countries=("kp",), birth_dates=("1984-01-08",),
)  # fmt: skip
PUTIN = Entity(
    source="ofac-sdn", source_id="1", schema="Person",
    names=("PUTIN, Vladimir Vladimirovich",), countries=("ru",), birth_dates=("1952-10-07",),
    identifiers=(Identifier("passport", "100000001", "ru"),),
)  # fmt: skip
XI = Entity(source="test", source_id="2", schema="Person", names=("习近平",), countries=("cn",))
CHOE = Entity(
    source="un-sc", source_id="KPi.100", schema="Person", names=("Choe Ryong Hae",)
)  # fmt: skip
RIYONGGIL = Entity(source="un-sc", source_id="KPi.101", schema="Person", names=("리영길",))
BIN_SALMAN = Entity(
    source="test", source_id="3", schema="Person", names=("Mohammed bin Salman Al Saud",)
)  # fmt: skip
MULLER = Entity(
    source="eu-fsf", source_id="4", schema="Person", names=("Jürgen Müller-Lüdenscheidt",)
)  # fmt: skip
ROSNEFT = Entity(
    source="eu-fsf", source_id="5", schema="Company",
    names=("Rosneft Oil Company PJSC", "ПАО НК Роснефть"), countries=("ru",),
)  # fmt: skip
# A vessel renamed twice: listed under its current name, the two former ones kept.
VESSEL = Entity(
    source="ofac-sdn", source_id="6", schema="Vessel",
    names=("OCEAN GLORY", "SEA PEARL", "NORTHERN STAR"),
    former_names=("SEA PEARL", "NORTHERN STAR"),
    identifiers=(Identifier("imo", "9123456"), Identifier("mmsi", "273123456")),
)  # fmt: skip
OTHER_VESSEL = Entity(
    source="ofac-sdn", source_id="7", schema="Vessel", names=("OCEAN GLORIA",),
    identifiers=(Identifier("imo", "9654321"),),
)  # fmt: skip
COMMON = [
    Entity(source="test", source_id="10", schema="Person", names=("Mohammad Ali Hassan",)),
    Entity(source="test", source_id="11", schema="Person", names=("John Michael Smith",)),
    Entity(source="test", source_id="12", schema="Person", names=("Maria Garcia Lopez",)),
    Entity(source="test", source_id="13", schema="Person", names=("Kim Yong Chol",)),
    Entity(source="test", source_id="14", schema="Person", names=("Ali Reza Hosseini",)),
]
ENTITIES = [
    KIM_JONG_UN, PUTIN, XI, CHOE, RIYONGGIL, BIN_SALMAN, MULLER, ROSNEFT, VESSEL,
    OTHER_VESSEL, *COMMON,
]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(ENTITIES)


def _top(index: NameIndex, query: Query) -> str | None:
    hits = screen(query, index)
    return hits[0].entity.key if hits else None


@pytest.mark.parametrize(
    "name", ["Kim Jong Un", "Kim Chŏng-ŭn", "Kim Jeong-eun", "Gim Jeong-eun", "김정은",
             "KIM Jong-un", "Jong Un Kim", "Kim Chong Un", "김 정은"],
)  # fmt: skip
def test_every_korean_form_of_kim_jong_un_matches_the_listed_name(
    index: NameIndex, name: str
) -> None:
    assert _top(index, Query(name)) == KIM_JONG_UN.key


def test_hangul_gives_revised_romanization_and_mccune_reischauer() -> None:
    assert hangul_romanizations("김정은") == ("Gim Jeong-eun", "Kim Chŏng-ŭn", "Kim Jong Un")
    assert hangul_romanizations("최룡해")[2] == "Choe Ryong Hae"


def test_korean_key_maps_family_names_and_mr_rr_spellings_together() -> None:
    assert korean_keys(("ri", "yong", "gil")) == korean_keys(("lee", "yeong", "gil"))
    assert korean_keys(("park", "pong", "ju"))[0] == korean_keys(("pak", "bong", "ju"))[0]
    assert korean_keys(("vladimir", "putin")) == ()


@pytest.mark.parametrize("name", ["최룡해", "Ch'oe Ryong-hae", "Choi Ryong Hae", "Choe Ryonghae"])
def test_choe_ryong_hae_matches_across_romanisations(index: NameIndex, name: str) -> None:
    assert _top(index, Query(name)) == CHOE.key


@pytest.mark.parametrize("name", ["Ri Yong Gil", "Lee Yeong-gil", "Ri Yŏng-gil"])
def test_listed_hangul_name_is_found_by_its_romanisations(index: NameIndex, name: str) -> None:
    assert _top(index, Query(name)) == RIYONGGIL.key


@pytest.mark.parametrize(
    "name",
    ["Путин Владимир Владимирович", "Vladimir Putin", "Vladimir Vladimirovich Putin",
     "PUTIN Vladimir", "Vladmir Putin", "Wladimir Putin"],
)  # fmt: skip
def test_putin_matches_from_cyrillic_and_latin_variants(index: NameIndex, name: str) -> None:
    assert _top(index, Query(name)) == PUTIN.key


@pytest.mark.parametrize("name", ["Xi Jinping", "XI Jin Ping", "Jinping Xi"])
def test_han_name_matches_pinyin(index: NameIndex, name: str) -> None:
    assert _top(index, Query(name)) == XI.key


@pytest.mark.parametrize(
    "name", ["محمد بن سلمان", "Muhammad bin Salman", "Mohamed Bin Salman Al-Saud"]
)
def test_arabic_script_and_romanisation_variants_match(index: NameIndex, name: str) -> None:
    assert _top(index, Query(name)) == BIN_SALMAN.key


def test_lost_diacritics_and_punctuation_still_match(index: NameIndex) -> None:
    assert normalize_name("Jürgen Müller-Lüdenscheidt") == "jurgen muller ludenscheidt"
    assert _top(index, Query("Jurgen Muller Ludenscheidt")) == MULLER.key
    assert _top(index, Query("Juergen Mueller-Luedenscheidt")) == MULLER.key


def test_company_matches_without_legal_form_and_from_cyrillic(index: NameIndex) -> None:
    assert _top(index, Query("Rosneft Oil Co", schema="Company")) == ROSNEFT.key
    assert _top(index, Query("НК Роснефть", schema="Company")) == ROSNEFT.key


def test_vessel_renamed_twice_is_found_by_each_old_name_and_by_imo(index: NameIndex) -> None:
    assert _top(index, Query("Northern Star", schema="Vessel")) == VESSEL.key
    assert _top(index, Query("Sea Pearl", schema="Vessel")) == VESSEL.key
    by_imo = screen(Query("Unknown Tanker", identifiers=(Identifier("imo", "IMO 9123456"),)), index)
    assert [h.entity.key for h in by_imo] == [VESSEL.key]
    assert by_imo[0].score == 1.0
    assert "imo 9123456" in by_imo[0].explanation


def test_strong_identifier_decides_alone_but_a_weak_one_does_not(index: NameIndex) -> None:
    passport = Query("Someone Else", identifiers=(Identifier("passport", "100-000-001"),))
    assert _top(index, passport) == PUTIN.key
    weak = Query("Someone Else", identifiers=(Identifier("call_sign", "100000001"),))
    assert screen(weak, index) == []


def test_conflicting_imo_lowers_a_vessel_name_match(index: NameIndex) -> None:
    plain = screen(Query("Ocean Glory", schema="Vessel"), index)
    assert plain[0].entity.key == VESSEL.key
    wrong_imo = Query("Ocean Glory", schema="Vessel", identifiers=(Identifier("imo", "9999999"),))
    assert all(h.entity.key != VESSEL.key for h in screen(wrong_imo, index))


def test_date_of_birth_and_country_raise_or_lower_the_score(index: NameIndex) -> None:
    base = screen(Query("Vladimir Putin"), index)[0].score
    agreeing = screen(Query("Vladimir Putin", country="ru", dob="1952-10-07"), index)[0]
    conflicting = screen(Query("Vladimir Putin", country="fr", dob="1980"), index, threshold=0)[0]
    assert agreeing.score > base > conflicting.score
    assert "dob agrees" in agreeing.explanation and "country agrees" in agreeing.explanation
    assert "dob conflicts" in conflicting.explanation


def test_schema_conflict_keeps_a_person_from_matching_a_vessel(index: NameIndex) -> None:
    assert screen(Query("Sea Pearl", schema="Person"), index) == []


def test_explanation_names_the_alias_that_matched(index: NameIndex) -> None:
    hit = screen(Query("Kim Chŏng-ŭn"), index)[0]
    assert hit.matched_name == "KIM JONG UN"
    assert "KIM JONG UN" in hit.explanation and f"score {hit.score:.2f}" in hit.explanation


@pytest.mark.parametrize(
    "name",
    ["Mohammad Reza Rahimi", "John Michael Brown", "Maria Garcia Perez", "Kim Yong Il",
     "Ali Reza Karimi", "Kim Jong Il", "Kim Jong Chol", "Vladimir Petrov", "Ocean Star",
     "Sergei Putilin", "Mohammed bin Rashid", "Li Qiang", "Choe Yong Gon"],
)  # fmt: skip
def test_common_name_pairs_do_not_match(index: NameIndex, name: str) -> None:
    hits = screen(Query(name), index)
    assert hits == [], [h.explanation for h in hits]


def test_no_query_is_compared_with_every_name(index: NameIndex) -> None:
    shortlist = index.shortlist(name_forms("Vladimir Putin"), size=5)
    assert 0 < len(shortlist) <= 5 < len(index)
    assert index.rows[shortlist[0]].entity == ENTITIES.index(PUTIN)
