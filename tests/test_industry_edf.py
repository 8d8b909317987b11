"""EDF eligibility (Regulation (EU) 2021/697) through the engine: establishment, control
chains and guarantees, unfunded cooperation of Japanese and Korean firms, the minimum
consortium with its independence condition, activities, supporting states and the
funding rate with the PESCO and SME bonuses."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import pytest

from accord.core.errors import InvalidInput
from accord.desks.industry.engine import assess
from accord.desks.industry.questions import parse_question
from accord.desks.industry.rules import read_rule_book

DAY = dt.date(2026, 11, 30)
KOREAN_GROUP = [
    {"name": "Hanwha Aerospace", "country": "KR", "type": "company"},
    {"name": "Hanwha Group", "country": "KR", "type": "company"},
]


def entity(entity_id: str, country: str, **extra: Any) -> dict[str, Any]:
    return {"id": entity_id, "name": entity_id.title(), "established_in": country, **extra}


def consortium(*entities: dict[str, Any], **action: Any) -> dict[str, Any]:
    base = {"type": "development", "activities": ["design"], "supporting_states": ["FR", "DE"]}
    return {"action": {**base, **action}, "entities": list(entities)}


BASE = (
    entity("safran", "FR", role="coordinator"),
    entity("rheinmetall", "DE"),
    entity("kongsberg", "NO"),
)


def judge(document: dict[str, Any]) -> Any:
    return assess(parse_question(document, "q.yaml"), "edf", on=DAY)


def result(answer: Any, rule_id: str) -> Any:
    return next(r.finding for r in answer.results if r.rule.id == rule_id)


def test_three_independent_entities_in_three_countries_are_eligible() -> None:
    answer = judge(consortium(*BASE))
    assert answer.verdict == "eligible" and answer.conditions == ()
    assert answer.entity_status == {
        "safran": "eligible",
        "rheinmetall": "eligible",
        "kongsberg": "eligible",
    }
    assert answer.metrics["counted_entities"] == 3
    assert answer.metrics["counted_countries"] == ["DE", "FR", "NO"]
    assert answer.metrics["independent_entities"] == ["safran", "rheinmetall", "kongsberg"]
    assert result(answer, "EDF-10-4").passed is True
    assert answer.as_json()["rules"][0]["status"] == "secondary"  # EDF-ASSOC, read second-hand


@pytest.mark.parametrize(
    ("guarantees", "verdict", "status", "conditions"),
    [
        (
            "none",
            "eligible_with_condition",
            "eligible_if_guarantees",
            ("guarantees_required:hanwha-pl",),
        ),
        (
            "not_applicable",
            "eligible_with_condition",
            "eligible_if_guarantees",
            ("guarantees_required:hanwha-pl",),
        ),
        ("approved", "eligible", "eligible", ()),
        ("refused", "not_eligible", "not_eligible", ()),
    ],
)
def test_polish_subsidiary_of_a_korean_group_needs_approved_guarantees(
    guarantees: str, verdict: str, status: str, conditions: tuple[str, ...]
) -> None:
    polish = entity("hanwha-pl", "PL", control_chain=KOREAN_GROUP, guarantees=guarantees)
    answer = judge(consortium(*BASE, polish))
    assert answer.verdict == verdict
    assert answer.entity_status["hanwha-pl"] == status
    assert answer.conditions == conditions
    assert result(answer, "EDF-9-3").passed is False  # controlled from KR, whatever the guarantees
    assert "Hanwha Aerospace (KR) > Hanwha Group (KR)" in result(answer, "EDF-9-3").why
    assert result(answer, "EDF-9-4").passed is (guarantees != "refused")


def test_refused_guarantees_also_take_the_entity_out_of_the_minimum() -> None:
    polish = entity("hanwha-pl", "PL", control_chain=KOREAN_GROUP, guarantees="refused")
    answer = judge(consortium(BASE[0], BASE[1], polish))
    assert result(answer, "EDF-10-4").passed is False
    assert answer.metrics["counted_entities"] == 2


def test_a_japanese_firm_without_funding_cooperates_and_does_not_count() -> None:
    japanese = entity("mhi", "JP", requests_eu_funding=False)
    answer = judge(consortium(*BASE, japanese))
    assert answer.verdict == "eligible_with_condition"
    assert answer.conditions == ("no_eu_funding:mhi",)
    assert answer.entity_status["mhi"] == "unfunded_cooperation_only"
    assert answer.metrics["counted_entities"] == 3
    two_europeans = judge(consortium(BASE[0], BASE[1], japanese))
    assert two_europeans.verdict == "not_eligible"
    assert result(two_europeans, "EDF-10-4").passed is False


def test_a_japanese_firm_asking_for_funding_makes_the_action_not_eligible() -> None:
    answer = judge(consortium(*BASE, entity("mhi", "JP")))
    assert answer.verdict == "not_eligible"
    assert answer.entity_status["mhi"] == "not_eligible"
    assert answer.conditions == ()
    assert result(answer, "EDF-9-1").passed is False
    assert "requests_eu_funding: false" in result(answer, "EDF-9-1").why


def test_a_korean_firm_in_the_cooperation_role_gets_no_money_either() -> None:
    answer = judge(consortium(*BASE, entity("hanwha", "KR", role="cooperation")))
    assert answer.entity_status["hanwha"] == "unfunded_cooperation_only"
    assert answer.verdict == "eligible_with_condition"


def test_iceland_is_no_edf_associated_country() -> None:
    answer = judge(consortium(BASE[0], BASE[1], entity("marel", "IS")))
    assert answer.entity_status["marel"] == "not_eligible"
    assert answer.verdict == "not_eligible"


def test_three_entities_in_two_countries_are_too_few_countries() -> None:
    answer = judge(consortium(BASE[0], BASE[1], entity("thales", "FR")))
    finding = result(answer, "EDF-10-4")
    assert finding.passed is False and "2 countries, at least 3 needed" in finding.why


def test_three_subsidiaries_of_one_group_are_not_independent() -> None:
    group = [{"name": "Leonardo", "country": "IT"}]
    members = [entity(f"leo-{c.lower()}", c, control_chain=group) for c in ("DE", "PL", "GR")]
    answer = judge(consortium(*members))
    finding = result(answer, "EDF-10-4")
    assert finding.passed is False and "free of common control" in finding.why
    assert answer.verdict == "not_eligible"


def test_a_parent_and_its_subsidiary_are_not_independent() -> None:
    parent = entity("leonardo", "IT")
    parent["name"] = "Leonardo"
    subsidiary = entity("leonardo-de", "DE", control_chain=[{"name": "Leonardo", "country": "IT"}])
    assert result(judge(consortium(parent, subsidiary, BASE[2])), "EDF-10-4").passed is False
    assert result(judge(consortium(parent, subsidiary, *BASE)), "EDF-10-4").passed is True


def test_management_or_infrastructure_outside_makes_an_entity_not_eligible() -> None:
    managed = entity("abroad", "DE", executive_management_in="US")
    assert judge(consortium(*BASE, managed)).entity_status["abroad"] == "not_eligible"
    operated = entity("plant", "DE", infrastructure_in=["DE", "KR"])
    assert judge(consortium(*BASE, operated)).entity_status["plant"] == "not_eligible"


def test_an_unknown_activity_and_a_third_country_restriction_fail_the_action() -> None:
    answer = judge(consortium(*BASE, activities=["design", "production"]))
    assert answer.verdict == "not_eligible"
    assert "production: not an eligible activity" in result(answer, "EDF-10-3").why
    restricted = judge(consortium(*BASE, third_country_restriction=True))
    assert restricted.verdict == "not_eligible" and result(restricted, "EDF-10-2").passed is False


def test_design_needs_two_supporting_states() -> None:
    answer = judge(consortium(*BASE, supporting_states=["FR"]))
    assert result(answer, "EDF-21-2").passed is False and answer.verdict == "not_eligible"
    outside = judge(consortium(*BASE, supporting_states=["FR", "JP"]))
    assert result(outside, "EDF-21-2").passed is False
    assert result(judge(consortium(*BASE)), "EDF-21-3").passed is None  # no prototyping


def test_funding_rates_for_research_and_development_with_pesco() -> None:
    research = judge(consortium(*BASE, type="research", activities=["knowledge", "studies"]))
    assert research.metrics["funding_rate_percent"] == {"knowledge": "100", "studies": "100"}
    activities = ["design", "prototyping", "testing"]
    development = judge(consortium(*BASE, activities=activities))
    assert development.metrics["funding_rate_percent"] == {
        "design": "100",
        "prototyping": "20",
        "testing": "80",
    }
    pesco = judge(consortium(*BASE, activities=activities, pesco=True))
    assert pesco.metrics["funding_rate_percent"] == {
        "design": "100",
        "prototyping": "30",
        "testing": "90",
    }
    assert result(pesco, "EDF-13-3a").passed is True
    assert result(research, "EDF-13-3a").passed is None


def costed(costs: dict[str, int], smes: set[str]) -> list[dict[str, Any]]:
    countries = {
        "safran": "FR",
        "rheinmetall": "DE",
        "kongsberg": "NO",
        "sme-fr": "FR",
        "sme-ee": "EE",
    }
    return [
        entity(name, countries[name], eligible_costs=cost, sme=name in smes)
        for name, cost in costs.items()
    ]


@pytest.mark.parametrize(
    ("sme_fr", "sme_ee", "points", "prototyping"),
    [
        (30, 70, "3", "23"),  # 10 % to SMEs, 3 % of it in France (a non-SME's country): +3
        (70, 30, "5", "25"),  # 10 % to SMEs, 7 % in France: capped at +5
        (30, 69, "0", "20"),  # 99 of 999 = 9.9099 % to SMEs: under 10 %, no bonus
    ],
)
def test_sme_bonus_counts_smes_in_the_non_smes_countries_up_to_five_points(
    sme_fr: int, sme_ee: int, points: str, prototyping: str
) -> None:
    costs = {
        "safran": 300,
        "rheinmetall": 300,
        "kongsberg": 300,
        "sme-fr": sme_fr,
        "sme-ee": sme_ee,
    }
    members = costed(costs, {"sme-fr", "sme-ee"})
    answer = judge(consortium(*members, activities=["prototyping"], supporting_states=["FR", "DE"]))
    assert answer.metrics["sme_bonus_points"] == points
    assert answer.metrics["funding_rate_percent"] == {"prototyping": prototyping}


def test_sme_bonus_is_not_assessed_without_costs() -> None:
    answer = judge(consortium(*BASE, activities=["prototyping"]))
    assert result(answer, "EDF-13-3b").passed is None
    assert "eligible_costs" in result(answer, "EDF-13-3b").why


def test_edf_judges_consortia_only() -> None:
    product = {
        "end_product": {
            "estimated_value": 10,
            "components": [{"name": "x", "origin": "DE", "cost": 1}],
        }
    }
    with pytest.raises(InvalidInput, match="judges a consortium"):
        assess(parse_question(product, "p.yaml"), "edf", on=DAY)


def test_a_bonus_rule_naming_an_unknown_fact_is_refused_naming_the_rule() -> None:
    data = resources.files("accord.desks.industry") / "data"
    rules_text = (data / "rules.yaml").read_text(encoding="utf-8")
    assert "when: pesco" in rules_text
    book = read_rule_book(
        rules_text.replace("when: pesco", "when: pecso"),
        (data / "sources.yaml").read_text(encoding="utf-8"),
    )
    question = parse_question(consortium(*BASE, pesco=True), "q.yaml")
    with pytest.raises(InvalidInput, match=r"rule EDF-13-3a: check.when 'pecso': one of pesco"):
        assess(question, "edf", on=DAY, book=book)
