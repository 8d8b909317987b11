"""Common procurements and products under EDIRPA (2023/2418), EDIP (2025/2643) and SAFE
(2025/1106) through the engine: minimum participants, co-procurers, the origin rules at
their exact thresholds and on their different bases, contractors controlled from outside,
SAFE agreements and the subcontractor band."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from accord.core.errors import InvalidInput
from accord.desks.industry.engine import assess
from accord.desks.industry.questions import parse_question

EDIRPA_DAY = dt.date(2025, 6, 1)
DAY = dt.date(2026, 11, 30)
KOREAN_GROUP = [
    {"name": "Hanwha Aerospace", "country": "KR"},
    {"name": "Hanwha Group", "country": "KR"},
]


def states(*codes: str, borrowers: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{"country": code, "receives_safe_loan": code in borrowers} for code in codes]


def procurement(*codes: str, borrowers: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    contractor = {"id": "hsw", "name": "Huta Stalowa Wola", "established_in": "PL"}
    return {
        "procuring_states": states(*codes, borrowers=borrowers),
        "contractors": extra.pop("contractors", [contractor]),
        **extra,
    }


def product(value: int, **costs_by_origin: int) -> dict[str, Any]:
    components = [
        {"name": f"part from {origin}", "origin": origin, "cost": cost}
        for origin, cost in costs_by_origin.items()
    ]
    return {"name": "howitzer", "estimated_value": value, "components": components}


def judge(document: dict[str, Any], instrument: str, on: dt.date = DAY) -> Any:
    return assess(parse_question(document, "q.yaml"), instrument, on=on)


def finding(answer: Any, rule_id: str) -> Any:
    return next(r.finding for r in answer.results if r.rule.id == rule_id)


# -- minimum participants ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "passed"),
    [(("PL", "EE", "LT"), True), (("PL", "EE", "NO"), False), (("PL", "EE", "LT", "NO"), True)],
)
def test_edirpa_needs_three_member_states_with_associated_countries_in_addition(
    codes: tuple[str, ...], passed: bool
) -> None:
    answer = judge(procurement(*codes), "edirpa", EDIRPA_DAY)
    assert finding(answer, "EDIRPA-MS3").passed is passed
    assert answer.verdict == ("eligible" if passed else "not_eligible")


def test_edirpa_takes_ukraine_and_moldova_as_co_procurers_but_not_japan() -> None:
    assert finding(
        judge(procurement("PL", "EE", "LT", "UA", "MD"), "edirpa", EDIRPA_DAY), "EDIRPA-UAMD"
    ).passed
    japan = judge(procurement("PL", "EE", "LT", "JP"), "edirpa", EDIRPA_DAY)
    assert finding(japan, "EDIRPA-UAMD").passed is False and japan.verdict == "not_eligible"


def test_edirpa_no_longer_applies_after_2025() -> None:
    with pytest.raises(InvalidInput, match="to 2025-12-31, not on 2026-11-30"):
        judge(procurement("PL", "EE", "LT"), "edirpa")


@pytest.mark.parametrize(
    ("codes", "seap", "passed"),
    [
        (("PL", "EE", "NO"), False, True),  # 3 countries, 2 Member States
        (("PL", "NO", "IS"), False, False),  # 3 countries, 1 Member State
        (("PL", "EE"), False, False),  # 2 countries
        (("PL", "EE"), True, True),  # a SEAP procures
    ],
)
def test_edip_needs_three_countries_with_two_member_states_or_a_seap(
    codes: tuple[str, ...], seap: bool, passed: bool
) -> None:
    answer = judge(procurement(*codes, seap=seap), "edip")
    assert finding(answer, "EDIP-11-3").passed is passed


@pytest.mark.parametrize(
    ("codes", "borrowers", "passed"),
    [
        (("PL", "EE"), ("PL",), True),
        (("PL", "UA"), ("PL",), True),  # Ukraine may be the second participant
        (("PL", "NO"), ("PL",), True),
        (("PL", "EE"), (), False),  # nobody borrows
        (("PL", "US"), ("PL",), False),  # the United States is no co-procurer
    ],
)
def test_safe_needs_two_participants_one_of_them_borrowing(
    codes: tuple[str, ...], borrowers: tuple[str, ...], passed: bool
) -> None:
    answer = judge(procurement(*codes, borrowers=borrowers), "safe")
    assert (answer.verdict != "not_eligible") is passed


def test_a_partnership_country_may_join_a_safe_procurement_but_is_not_the_second() -> None:
    alone = judge(procurement("PL", "JP", borrowers=("PL",)), "safe")
    assert finding(alone, "SAFE-2-CP").passed is False and alone.verdict == "not_eligible"
    joined = judge(procurement("PL", "EE", "JP", borrowers=("PL",)), "safe")
    assert finding(joined, "SAFE-17-COPROC").passed is True
    assert joined.verdict == "eligible_with_condition"
    assert joined.conditions == ("third_country_agreement_terms:JP",)


@pytest.mark.parametrize(("signed", "passed"), [("2026-05-30", True), ("2026-05-31", False)])
def test_a_single_safe_procurer_rests_on_the_unverified_window(signed: str, passed: bool) -> None:
    answer = judge(procurement("PL", borrowers=("PL",), contract_signed=signed), "safe")
    window = next(r for r in answer.results if r.rule.id == "SAFE-SINGLE")
    assert window.finding.passed is passed and window.rule.status == "not_verified"
    assert answer.as_json()["assessed_on"] == "2026-11-30"
    assert answer.verdict == ("eligible" if passed else "not_eligible")


# -- origin rules --------------------------------------------------------------------------


@pytest.mark.parametrize(("inside", "passed"), [(6500, True), (6499, False), (6501, True)])
def test_edirpa_counts_inside_components_against_the_end_product_value(
    inside: int, passed: bool
) -> None:
    # 65.00 % of the estimated value passes "not lower than 65 %"; 64.99 % fails.
    document = procurement("PL", "EE", "LT", end_product=product(10000, PL=inside, US=1000))
    answer = judge(document, "edirpa", EDIRPA_DAY)
    assert finding(answer, "EDIRPA-65").passed is passed
    share = answer.metrics["inside_share_of_end_product_value"]
    assert share["percent"] == {6500: "65", 6499: "64.99", 6501: "65.01"}[inside]


@pytest.mark.parametrize(("outside", "passed"), [(3500, True), (3501, False), (3499, True)])
@pytest.mark.parametrize("instrument", ["edip", "safe"])
def test_edip_and_safe_cap_outside_components_at_35_percent_of_component_cost(
    instrument: str, outside: int, passed: bool
) -> None:
    # 35.00 % of the components' cost passes "may not exceed 35 %"; 35.01 % fails. The
    # estimated value (20000) is not the base here.
    components = product(20000, DE=10000 - outside, US=outside)
    answer = judge(
        procurement("PL", "EE", "LT", borrowers=("PL",), end_product=components), instrument
    )
    rule = {"edip": "EDIP-10-3", "safe": "SAFE-16-35"}[instrument]
    assert finding(answer, rule).passed is passed
    assert answer.metrics["outside_share_of_component_cost"]["exact"] == str(
        Fraction(outside, 10000)
    )


def test_ukrainian_components_are_inside_for_safe_but_outside_for_edip() -> None:
    components = product(10000, PL=6000, UA=4000)
    document = procurement("PL", "EE", "LT", borrowers=("PL",), end_product=components)
    assert finding(judge(document, "safe"), "SAFE-16-35").passed is True
    assert finding(judge(document, "edip"), "EDIP-10-3").passed is False


def test_a_product_question_is_judged_on_its_origin_alone() -> None:
    answer = judge({"end_product": product(10000, PL=6000, KR=4000)}, "safe")
    assert answer.question_kind == "product" and answer.verdict == "not_eligible"
    assert finding(answer, "SAFE-16-35").passed is False
    assert finding(answer, "SAFE-2-CP").passed is None


def test_components_from_a_country_with_an_agreement_count_inside_on_its_terms() -> None:
    components = product(10000, PL=6000, CA=4000)  # Canada's agreement is in force (S26, S36)
    answer = judge({"end_product": components}, "safe")
    assert finding(answer, "SAFE-16-35").passed is True
    assert answer.verdict == "eligible_with_condition"
    assert answer.conditions == ("third_country_agreement_terms:CA",)
    korean = judge(
        {"end_product": product(10000, PL=6000, KR=4000), "third_country_agreements_in_force": []},
        "safe",
    )
    assert korean.verdict == "not_eligible"


# -- contractors ---------------------------------------------------------------------------


def contractor(entity_id: str, country: str, **extra: Any) -> dict[str, Any]:
    return {"id": entity_id, "name": entity_id.title(), "established_in": country, **extra}


@pytest.mark.parametrize(
    ("agreements", "verdict", "status"),
    [((), "not_eligible", "not_eligible"), (("KR",), "eligible_with_condition", "eligible")],
)
def test_a_korean_contractor_needs_a_safe_agreement_in_force(
    agreements: tuple[str, ...], verdict: str, status: str
) -> None:
    document = procurement(
        "PL",
        "EE",
        borrowers=("PL",),
        contractors=[contractor("hanwha", "KR")],
        third_country_agreements_in_force=list(agreements),
    )
    answer = judge(document, "safe")
    assert answer.verdict == verdict and answer.entity_status["hanwha"] == status
    if agreements:
        assert answer.conditions == ("third_country_agreement_terms:hanwha",)
    else:
        assert "negotiating as of 2025-12" in finding(answer, "SAFE-17").why


@pytest.mark.parametrize(
    ("instrument", "guarantees", "verdict", "conditions"),
    [
        ("safe", "none", "eligible_with_condition", ("fdi_screening_or_guarantees:hanwha-pl",)),
        ("safe", "approved", "eligible", ()),
        ("safe", "refused", "not_eligible", ()),
        ("edip", "none", "eligible", ()),  # EDIP's control rule was not read: not assessed
    ],
)
def test_a_polish_subsidiary_of_a_korean_group_as_contractor(
    instrument: str, guarantees: str, verdict: str, conditions: tuple[str, ...]
) -> None:
    polish = contractor("hanwha-pl", "PL", control_chain=KOREAN_GROUP, guarantees=guarantees)
    document = procurement("PL", "EE", "LT", borrowers=("PL",), contractors=[polish])
    answer = judge(document, instrument)
    assert answer.verdict == verdict and answer.conditions == conditions


def test_edirpa_contractor_controlled_from_outside_needs_guarantees() -> None:
    polish = contractor("hanwha-pl", "PL", control_chain=KOREAN_GROUP)
    answer = judge(procurement("PL", "EE", "LT", contractors=[polish]), "edirpa", EDIRPA_DAY)
    assert answer.conditions == ("guarantees_required:hanwha-pl",)
    assert answer.entity_status["hanwha-pl"] == "eligible_if_guarantees"


@pytest.mark.parametrize(
    ("allocated", "derogation", "status"),
    [
        (15000, "prior_contract", "eligible"),  # 15 %: the band's lower end
        (35000, "replacement_study", "eligible"),  # 35 %: its upper end
        (20000, "none", "not_eligible"),  # in the band, but neither condition declared
        (35001, "prior_contract", "not_eligible"),  # above the band
        (14999, "prior_contract", "not_eligible"),  # below it: the band does not cover it
    ],
)
def test_safe_subcontractor_band_for_a_japanese_subcontractor(
    allocated: int, derogation: str, status: str
) -> None:
    japanese = contractor(
        "jsw", "JP", role="subcontractor", allocated_value=allocated, derogation=derogation
    )
    document = procurement(
        "PL",
        "EE",
        borrowers=("PL",),
        contract_value=100000,
        contractors=[contractor("hsw", "PL"), japanese],
    )
    answer = judge(document, "safe")
    assert answer.entity_status["jsw"] == status
    assert finding(answer, "SAFE-16-4").passed is (status == "eligible")


def test_edirpa_contribution_cap_rises_when_ukraine_takes_part() -> None:
    value = {"contract_value": 1_000_000}
    plain = judge(procurement("PL", "EE", "LT", **value), "edirpa", EDIRPA_DAY)
    assert plain.metrics["maximum_union_contribution"] == 150_000
    ukraine = judge(procurement("PL", "EE", "LT", "UA", **value), "edirpa", EDIRPA_DAY)
    assert ukraine.metrics["maximum_union_contribution"] == 200_000


def test_safe_product_category_is_checked_when_given() -> None:
    artillery = product(10000, PL=10000) | {"category": "artillery"}
    assert finding(judge({"end_product": artillery}, "safe"), "SAFE-1").passed is True
    tanks = product(10000, PL=10000) | {"category": "submarine_cables"}
    assert finding(judge({"end_product": tanks}, "safe"), "SAFE-1").passed is False
