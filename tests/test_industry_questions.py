"""Eligibility questions in YAML or JSON: the three shapes, YAML 1.2 booleans (Norway
is NO), and errors that name the file and the field."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from accord.core.errors import InvalidInput
from accord.desks.industry.questions import Controller, read_question

CONSORTIUM = """\
action: {type: development, activities: [design, prototyping], pesco: true}
entities:
  - id: kongsberg
    name: Kongsberg Defence & Aerospace
    role: coordinator
    established_in: NO
  - id: hanwha-pl
    name: Hanwha Aerospace Poland
    established_in: PL
    control_chain:
      - {name: Hanwha Aerospace, country: KR, type: company}
      - {name: Hanwha Group, country: KR}
    sme: false
    guarantees: approved
  - id: mhi
    name: Mitsubishi Heavy Industries
    role: cooperation
    established_in: JP
    requests_eu_funding: false
"""


def write(tmp_path: Path, text: str, name: str = "question.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_consortium_is_read_with_norway_as_no_and_defaults_filled(tmp_path: Path) -> None:
    question = read_question(write(tmp_path, CONSORTIUM))
    assert question.kind == "consortium" and question.action is not None
    assert question.action.activities == ("design", "prototyping") and question.action.pesco
    norway, poland, japan = question.entities
    assert norway.established_in == "NO" and norway.executive_management_in == "NO"
    assert norway.infrastructure_in == ("NO",) and norway.guarantees == "not_applicable"
    assert poland.control_chain == (
        Controller("Hanwha Aerospace", "KR", "company"),
        Controller("Hanwha Group", "KR", "company"),
    )
    assert poland.ultimate_controller == Controller("Hanwha Group", "KR", "company")
    assert poland.guarantees == "approved" and not japan.requests_eu_funding


def test_a_product_and_a_procurement_are_read_from_json_too(tmp_path: Path) -> None:
    product = {
        "end_product": {
            "name": "K9 licence-built",
            "estimated_value": 4_000_000,
            "components": [
                {"name": "engine", "origin": "DE", "cost": 700_000},
                {"name": "barrel", "origin": "KR", "cost": 500_000},
            ],
        }
    }
    question = read_question(write(tmp_path, json.dumps(product), "product.json"))
    assert question.kind == "product" and question.end_product is not None
    assert [c.cost for c in question.end_product.components] == [700_000, 500_000]
    procurement = """\
procuring_states:
  - {country: PL, receives_safe_loan: true}
  - {country: EE, receives_safe_loan: false}
contract_signed: 2026-03-01
third_country_agreements_in_force: [CA]
contractors:
  - {id: hsw, name: Huta Stalowa Wola, established_in: PL}
"""
    question = read_question(write(tmp_path, procurement))
    assert question.kind == "procurement" and question.contract_signed == dt.date(2026, 3, 1)
    assert [s.receives_safe_loan for s in question.procuring_states] == [True, False]
    assert question.third_country_agreements_in_force == ("CA",)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (("country: KR}", "country: XX}"), "entities[1].control_chain[1].country: 'XX' is no ISO"),
        (("established_in: PL", "established_in: EL"), "entities[1].established_in: 'EL' is the"),
        (("    name: Mitsubishi Heavy Industries\n", ""), "entities[2].name: is missing"),
        (("guarantees: approved", "guarantees: maybe"), "entities[1].guarantees: 'maybe': one of"),
        (("type: development", "type: production"), "action.type: 'production': one of"),
        (("activities: [design, prototyping]", "activities: []"), "action.activities: a list"),
        (("type: company}", "type: person}"), "entities[1].control_chain[0].type: 'person'"),
    ],
    ids=["country", "greece", "name", "guarantees", "action", "activities", "controller"],
)
def test_a_bad_question_names_the_file_and_field(
    tmp_path: Path, broken: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, CONSORTIUM.replace(*broken, 1))
    with pytest.raises(InvalidInput, match=re.escape(f"{path}: {message}")):
        read_question(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "end_product: {estimated_value: 10, components: [{name: a, origin: DE, cost: 1.5}]}",
            "end_product.components[0].cost: 1.5: an amount in whole units",
        ),
        (
            "end_product: {estimated_value: -1, components: [{name: a, origin: DE, cost: 1}]}",
            "end_product.estimated_value: -1: an amount in whole units",
        ),
        (
            "procuring_states: [{country: PL, receives_safe_loan: maybe}]\ncontractors: [x]",
            "procuring_states[0].receives_safe_loan: 'maybe': true or false",
        ),
        ("something: else", "a question has `action` and `entities`"),
        ("entities: [1, 2", "line 1: not YAML or JSON"),
    ],
    ids=["float-cost", "negative-value", "loan-flag", "shape", "syntax"],
)
def test_bad_products_procurements_and_files_are_named(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        read_question(path)


def test_an_id_given_twice_is_refused_naming_both_places(tmp_path: Path) -> None:
    text = CONSORTIUM.replace("id: mhi", "id: kongsberg")
    with pytest.raises(
        InvalidInput, match=r"entities\[2\]\.id: 'kongsberg' is already the id of entities\[0\]"
    ):
        read_question(write(tmp_path, text))


def test_a_file_that_is_not_utf8_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("action: {type: research, activities: [études]}\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match=r"latin1.yaml: not UTF-8 text \(byte \d+\)"):
        read_question(path)
