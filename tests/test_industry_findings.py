"""Industry findings: an eligibility answer and its members as valid STIX (identity with
the organisation extension, the eligibility-assessment SDO), TLP:AMBER by default, read
only by the partners it is released to (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
from stix2validator import ValidationOptions, validate_instance

from accord.core.errors import NotFound
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.desks.industry.engine import assess
from accord.desks.industry.findings import (
    assessment_findings,
    organisation_id,
    publish_findings,
)
from accord.desks.industry.questions import Question, read_question

EXAMPLES = resources.files("accord.desks.industry") / "data" / "examples"


def example(name: str = "edf-consortium.yaml") -> Question:
    with resources.as_file(EXAMPLES / name) as path:
        return read_question(path)


def findings(node: Node, name: str = "edf-consortium.yaml", instrument: str = "edf") -> list[dict]:
    question = example(name)
    answer = assess(question, instrument, on=dt.date(2026, 11, 30))
    return assessment_findings(answer, question, author=node.home_identity_id())


@pytest.mark.parametrize(
    ("name", "instrument"), [("edf-consortium.yaml", "edf"), ("safe-procurement.yaml", "safe")]
)
def test_each_example_answer_is_valid_stix(node: Node, name: str, instrument: str) -> None:
    for obj in findings(node, name, instrument):
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
    # STIX forbids empty lists: a rule without sources and an answer without conditions
    # leave the property out.
    record = findings(node, name, instrument)[-1]
    assert "conditions" in record or instrument == "safe"


def test_the_answer_carries_members_as_identities(node: Node) -> None:
    objects = findings(node)
    record = objects[-1]
    assert record["type"] == "eligibility-assessment"
    assert record["verdict"] == "eligible_with_condition"
    polish = organisation_id(name="Korean-owned armour works, Poland", country="PL")
    assert record["entity_status"][polish] == "eligible_if_guarantees"
    identity = next(o for o in objects if o["id"] == polish)
    details = next(iter(identity["extensions"].values()))
    assert details["control_chain"] == [
        {"name": "Korean armour group", "country": "KR", "type": "company"}
    ]
    assert {rule["id"] for rule in record["rules"]} >= {"EDF-9-4", "EDF-10-4"}


def test_stored_findings_are_amber_and_for_the_home_partner_only_by_default(node: Node) -> None:
    objects = findings(node)
    report = publish_findings(node, objects, actor="test")
    assert report.stored == len(objects) - 2 and not report.rejected  # the definitions apart
    record = objects[-1]
    assert node.store.get(node.reader(), record["id"]).tlp is Tlp.AMBER
    japan = node.reader("JP")
    ids = tuple(o["id"] for o in objects if o["type"] != "extension-definition")
    assert node.store.count(japan, ObjectQuery(ids=ids)) == 0
    assert publish_findings(node, objects, actor="test").stored == 0  # same answer, same objects


def test_a_partner_in_the_release_sees_the_answer_and_one_outside_nothing(node: Node) -> None:
    objects = findings(node)
    publish_findings(node, objects, actor="test", release=["KR"])
    record = objects[-1]
    ids = tuple(o["id"] for o in objects if o["type"] != "extension-definition")
    korea, moldova = node.reader("KR"), node.reader("MD")
    assert node.store.get(korea, record["id"]).body["verdict"] == "eligible_with_condition"
    assert node.store.count(korea, ObjectQuery(ids=ids)) == len(ids)
    assert node.store.count(moldova, ObjectQuery(ids=ids)) == 0
    assert node.store.count(moldova, ObjectQuery(label="area:industry")) == 0
    assert node.store.objects(moldova, ObjectQuery(types=("eligibility-assessment",))) == []
    with pytest.raises(NotFound):
        node.store.get(moldova, record["id"])
    assert "eligibility-assessment" not in node.store.count_by_type(moldova)
