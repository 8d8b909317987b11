"""The industry desk's rules as data: exactly the researched rules, each with the status
the research gives it, its sources, its dates, and exact shares; bad records are refused
with the rule and field named."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from importlib import resources

import pycountry
import pytest
import yaml

from accord.core.errors import InvalidInput
from accord.desks.industry.rules import parse_share, read_rule_book, rule_book
from tests.data import SHARED_DATA

RESEARCH = SHARED_DATA.parent / "docs" / "industry-rules.md"
_RULE_ROW = re.compile(r"^\| ((?:EDF|EDIRPA|EDIP|SAFE)-[A-Za-z0-9-]+) \|(.*)\|$", re.M)
_STATUS = re.compile(r"text read|secondary|not verified")


def researched() -> dict[str, str]:
    """Rule id -> the status the research page gives (its first status phrase)."""
    found = {}
    for rule_id, rest in _RULE_ROW.findall(RESEARCH.read_text(encoding="utf-8")):
        cells = [cell.strip().replace("*", "") for cell in rest.split("|")]
        # EDIRPA's table has no citation column: the status is the second-last cell.
        status = _STATUS.search(cells[-2])
        assert status, (rule_id, cells)
        found[rule_id] = status.group(0).replace(" ", "_")
    return found


def test_the_rules_are_exactly_the_researched_ones_with_their_status() -> None:
    book = rule_book()
    assert {rule.id: rule.status for rule in book.rules} == researched()


def test_every_rule_cites_known_sources_and_every_not_verified_one_says_so() -> None:
    book = rule_book()
    for rule in book.rules:
        assert rule.paraphrase and rule.citation, rule.id
        assert set(rule.sources) <= set(book.sources), rule.id
        assert rule.sources or rule.status == "not_verified", rule.id
    assert all(source["urls"] for source in book.sources.values())


def test_instruments_apply_on_their_dates_only() -> None:
    book = rule_book()
    edirpa = book.rules_for("edirpa", dt.date(2025, 12, 31))
    assert {rule.id for rule in edirpa} == {
        "EDIRPA-MS3", "EDIRPA-UAMD", "EDIRPA-EST", "EDIRPA-65", "EDIRPA-CAP"
    }  # fmt: skip
    with pytest.raises(InvalidInput, match="applies from 2023-10-27 to 2025-12-31"):
        book.rules_for("edirpa", dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="instrument 'edfx': one of edf, edip, edirpa, safe"):
        book.rules_for("edfx", dt.date(2026, 1, 1))
    assert len(book.rules_for("edf", dt.date(2026, 11, 30))) == 15


def test_thresholds_are_exact_fractions() -> None:
    by_id = {rule.id: rule for rule in rule_book().rules}
    assert by_id["EDIRPA-65"].share("at_least") == Fraction(65, 100)
    assert by_id["EDIP-10-3"].share("at_most") == by_id["SAFE-16-35"].share("at_most")
    assert by_id["SAFE-16-35"].share("at_most") == Fraction(7, 20)
    assert by_id["EDIP-10-3"].check["base"] == "component_cost"
    assert by_id["EDIRPA-65"].check["base"] == "end_product_value"
    assert "UA" in by_id["SAFE-16-35"].check["inside"]
    assert "UA" not in by_id["EDIP-10-3"].check["inside"]
    with pytest.raises(InvalidInput, match="x: '1/0' is no share"):
        parse_share("1/0", "x")
    with pytest.raises(InvalidInput, match="not between 0 and 1"):
        parse_share("3/2", "x")


def test_a_new_version_replaces_the_old_from_its_date() -> None:
    folder = resources.files("accord.desks.industry") / "data"
    document = yaml.safe_load(folder.joinpath("rules.yaml").read_text(encoding="utf-8"))
    old = next(rule for rule in document["rules"] if rule["id"] == "SAFE-16-35")
    old["valid_to"] = "2026-12-31"
    document["rules"].append(
        {**old, "version": 2, "valid_from": "2027-01-01", "valid_to": None,
         "check": {**old["check"], "at_most": "30/100"}}
    )  # fmt: skip
    book = read_rule_book(yaml.safe_dump(document), _sources_text())

    def cap(day: dt.date) -> Fraction:
        [rule] = [r for r in book.rules_for("safe", day) if r.id == "SAFE-16-35"]
        return rule.share("at_most")

    assert (cap(dt.date(2026, 12, 31)), cap(dt.date(2027, 1, 1))) == (
        Fraction(35, 100),
        Fraction(30, 100),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "proven"}, "rule EDF-9-1: status 'proven': one of text_read"),
        ({"sources": ["S99"]}, "rule EDF-9-1: source S99 is not in sources.yaml"),
        ({"citation": ""}, "rule EDF-9-1: citation is missing"),
        ({"instrument": "nato"}, "rule EDF-9-1: instrument 'nato' is not declared"),
        ({"valid_from": "2021-13-01"}, "rule EDF-9-1: valid_from: '2021-13-01' is no date"),
        ({"check": {"entities": 3}}, "rule EDF-9-1: check needs a kind"),
    ],
    ids=["status", "source", "citation", "instrument", "date", "check"],
)
def test_a_bad_record_is_refused_naming_the_rule_and_field(
    change: dict[str, object], message: str
) -> None:
    folder = resources.files("accord.desks.industry") / "data"
    document = yaml.safe_load(folder.joinpath("rules.yaml").read_text(encoding="utf-8"))
    rule = next(rule for rule in document["rules"] if rule["id"] == "EDF-9-1")
    rule.update(change)
    with pytest.raises(InvalidInput, match=re.escape(f"rules.yaml: {message}")):
        read_rule_book(yaml.safe_dump(document), _sources_text())


def test_country_groups_and_safe_agreements_are_valid_data() -> None:
    folder = resources.files("accord.desks.industry") / "data"
    document = yaml.safe_load(folder.joinpath("countries.yaml").read_text(encoding="utf-8"))
    groups = document["groups"]
    assert len(groups["EU"]) == 27 and len(set(groups["EU"])) == 27
    codes = {code for members in groups.values() for code in members}
    codes |= {entry["country"] for entry in document["safe_agreements"]}
    assert all(pycountry.countries.get(alpha_2=code) for code in codes)
    sources = set(rule_book().sources)
    for entry in document["safe_agreements"]:
        assert entry["state"] in ("in_force", "negotiating", "none")
        assert entry["as_of"] and set(entry["sources"]) <= sources


def test_countries_named_in_checks_are_iso_codes_not_yaml_booleans() -> None:
    # YAML 1.1 reads a bare NO (Norway) as false: every such list must stay text.
    for rule in rule_book().rules:
        named = rule.check.get("countries")
        for code in named if isinstance(named, list) else ():
            assert isinstance(code, str) and pycountry.countries.get(alpha_2=code), rule.id
    by_id = {rule.id: rule for rule in rule_book().rules}
    assert by_id["EDF-ASSOC"].check["countries"] == ["NO"]


def _sources_text() -> str:
    folder = resources.files("accord.desks.industry") / "data"
    return folder.joinpath("sources.yaml").read_text(encoding="utf-8")
