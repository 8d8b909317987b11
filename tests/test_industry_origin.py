"""The origin rules' arithmetic: exact thresholds (35.00 % passes an "at most 35 %", 35.01 %
fails; 65.00 % passes an "at least 65 %", 64.99 % fails), the two bases, who counts as
inside under each instrument, the percentage text, and the rule as a linear constraint."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest

from accord.core.errors import InvalidInput
from accord.desks.industry.countries import countries
from accord.desks.industry.origin import linear_bound, origin_rules, origin_share, percent
from accord.desks.industry.questions import Component
from accord.desks.industry.rules import Rule, rule_book

DAY = dt.date(2025, 12, 30)  # EDIRPA, EDIP and SAFE all in force


def rule(instrument: str) -> Rule:
    (found,) = origin_rules(rule_book(), instrument, DAY)
    return found


def inside(instrument: str) -> frozenset[str]:
    return countries().inside(rule(instrument).check["inside"])


@pytest.mark.parametrize("instrument", ["edip", "safe"])
def test_at_most_35_percent_passes_at_35_00_and_fails_at_35_01(instrument: str) -> None:
    at_limit = origin_share(
        rule(instrument), [("barrel", "KR", 3500), ("hull", "PL", 6500)], 0, inside(instrument)
    )
    assert (at_limit.share, at_limit.percent, at_limit.passed) == (Fraction(35, 100), "35", True)
    over = origin_share(
        rule(instrument), [("barrel", "KR", 3501), ("hull", "PL", 6499)], 0, inside(instrument)
    )
    assert (over.share, over.percent, over.passed) == (Fraction(3501, 10000), "35.01", False)
    assert over.counted == "outside" and over.bound == "at_most" and over.outside == ("barrel",)
    assert (over.counted_cost, over.base_amount, over.limit) == (3501, 10000, Fraction(7, 20))


def test_at_least_65_percent_passes_at_65_00_and_fails_at_64_99() -> None:
    edirpa = rule("edirpa")
    at_limit = origin_share(
        edirpa, [("hull", "PL", 6500), ("fcs", "KR", 1)], 10000, inside("edirpa")
    )
    assert (at_limit.percent, at_limit.passed, at_limit.bound) == ("65", True, "at_least")
    under = origin_share(edirpa, [("hull", "PL", 6499), ("fcs", "KR", 1)], 10000, inside("edirpa"))
    assert (under.share, under.percent, under.passed) == (Fraction(6499, 10000), "64.99", False)
    assert (under.counted, under.counted_cost, under.base_amount) == ("inside", 6499, 10000)


def test_edirpa_counts_against_the_estimated_value_edip_against_the_component_cost() -> None:
    parts = [Component("hull", "PL", 600), Component("barrel", "KR", 300)]
    edirpa = origin_share(rule("edirpa"), parts, 1000, inside("edirpa"))
    edip = origin_share(rule("edip"), parts, 1000, inside("edip"))
    # EDIRPA: inside 600 of the value 1,000 = 60 % < 65 %; EDIP: outside 300 of 900 = 33.3 %.
    assert (edirpa.base, edirpa.base_amount, edirpa.share, edirpa.passed) == (
        "end_product_value", 1000, Fraction(3, 5), False
    )  # fmt: skip
    assert (edip.base, edip.base_amount, edip.share, edip.passed) == (
        "component_cost", 900, Fraction(1, 3), True
    )  # fmt: skip
    assert edip.percent == "33.3333…"


def test_safe_counts_ukraine_inside_and_edip_does_not() -> None:
    parts = [("hull", "PL", 600), ("transmission", "UA", 400)]
    safe = origin_share(rule("safe"), parts, 0, inside("safe"))
    edip = origin_share(rule("edip"), parts, 0, inside("edip"))
    assert (safe.share, safe.passed, safe.outside) == (Fraction(0), True, ())
    assert (edip.share, edip.passed, edip.outside) == (Fraction(2, 5), False, ("transmission",))
    assert "NO" in inside("edip") and "UA" not in inside("edip") and "UA" in inside("safe")


def test_a_partner_with_an_agreement_in_force_counts_inside_when_the_caller_adds_it() -> None:
    assert countries().safe_agreement_in_force("CA") is not None
    assert countries().safe_agreement_in_force("KR") is None
    parts = [("hull", "PL", 600), ("navigation", "CA", 400)]
    plain = origin_share(rule("safe"), parts, 0, inside("safe"))
    with_agreement = origin_share(rule("safe"), parts, 0, inside("safe") | {"CA"})
    assert (plain.passed, with_agreement.passed) == (False, True)
    assert with_agreement.outside == ()


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (Fraction(35, 100), "35"),
        (Fraction(3501, 10000), "35.01"),
        (Fraction(6499, 10000), "64.99"),
        (Fraction(1, 8), "12.5"),
        (Fraction(0), "0"),
        (Fraction(1), "100"),
        (Fraction(350001, 1000000), "35.0001"),
        (Fraction(3500001, 10000000), "35.0000…"),  # just over 35 never reads as 35
        (Fraction(1, 3), "33.3333…"),
        (Fraction(2, 3), "66.6666…"),  # truncated, not rounded: the digits shown are true
        (Fraction(12, 10), "120"),
    ],
)
def test_percent_is_exact_or_says_more_digits_follow(share: Fraction, text: str) -> None:
    assert percent(share) == text


def test_a_base_of_zero_is_refused_naming_the_rule() -> None:
    with pytest.raises(InvalidInput, match="rule EDIP-10-3: the end product's component cost is 0"):
        origin_share(rule("edip"), [("hull", "PL", 0)], 1000, inside("edip"))
    with pytest.raises(
        InvalidInput, match="rule EDIRPA-65: the end product's estimated value is 0"
    ):
        origin_share(rule("edirpa"), [("hull", "PL", 10)], 0, inside("edirpa"))


def test_the_rule_as_an_integer_linear_constraint() -> None:
    edip = linear_bound(rule("edip"))
    assert (edip.sense, edip.counted_factor, edip.base_factor) == ("<=", 20, 7)  # 35/100 = 7/20
    assert edip.holds(35, 100) and edip.holds(3500, 10000) and not edip.holds(3501, 10000)
    edirpa = linear_bound(rule("edirpa"))
    assert (edirpa.sense, edirpa.counted_factor, edirpa.base_factor) == (">=", 20, 13)
    assert edirpa.holds(6500, 10000) and not edirpa.holds(6499, 10000)
    assert (edirpa.counted, edirpa.base) == ("inside", "end_product_value")


def test_origin_rules_are_those_in_force_on_the_day() -> None:
    book = rule_book()
    assert [r.id for r in origin_rules(book, "edirpa", dt.date(2025, 12, 31))] == ["EDIRPA-65"]
    assert [r.id for r in origin_rules(book, "edip", dt.date(2026, 6, 1))] == ["EDIP-10-3"]
    assert [r.id for r in origin_rules(book, "safe", dt.date(2026, 6, 1))] == ["SAFE-16-35"]
    assert origin_rules(book, "edf", dt.date(2026, 6, 1)) == []
    with pytest.raises(InvalidInput, match="applies from 2023-10-27 to 2025-12-31"):
        origin_rules(book, "edirpa", dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"kind": "minimum_procurers"}, r"check.kind: 'minimum_procurers' is not origin_share"),
        ({"counted": "both"}, r"check.counted: 'both': one of inside, outside"),
        ({"base": "price"}, r"check.base: 'price': one of end_product_value, component_cost"),
        ({"at_least": "65/100"}, r"check: exactly one of at_least, at_most"),
        ({"at_most": "135/100"}, r"check.at_most: '135/100' is not between 0 and 1"),
    ],
)
def test_a_malformed_origin_check_is_refused_naming_the_field(
    check: dict[str, str], message: str
) -> None:
    edip = rule("edip")
    bad = dataclasses.replace(edip, check={**edip.check, **check})
    with pytest.raises(InvalidInput, match=f"rule EDIP-10-3 {message}"):
        linear_bound(bad)
