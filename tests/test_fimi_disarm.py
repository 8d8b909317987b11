"""The DISARM framework: read, stored for every partner, round-trips, valid STIX."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from stix2validator import ValidationOptions, validate_instance

from accord.core.errors import InvalidInput
from accord.core.markings import TLP2_IDS, Tlp
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.desks.fimi.disarm import import_framework, read_framework
from tests.data import SHARED_DATA

BUNDLE = SHARED_DATA / "fimi" / "disarm_stix.json"


def test_the_framework_has_its_techniques_and_tactics() -> None:
    framework = read_framework(BUNDLE)
    # SOURCES.md: 391 attack-patterns, 103 techniques and 288 sub-techniques; 16 tactics.
    assert len(framework.techniques) == 391
    assert sum(t.subtechnique for t in framework.techniques) == 288
    assert len(framework.tactics) == 16
    propaganda = framework.technique("T0002")
    assert propaganda.name == "Facilitate State Propaganda"
    assert propaganda.phases == ("plan-objectives",)
    with pytest.raises(InvalidInput, match="no DISARM technique 'T9999'"):
        framework.technique("T9999")


def test_stored_techniques_round_trip_for_every_partner_and_validate(node: Node) -> None:
    framework = read_framework(BUNDLE)
    report = import_framework(node, framework, actor="test")
    assert report.stored == len(framework.objects)
    assert import_framework(node, framework, actor="test").stored == 0
    original = next(o for o in framework.objects if o["id"] == framework.technique("T0002").stix_id)
    stored = node.store.get(node.reader("MD"), str(original["id"])).body
    assert stored == {
        **original,
        "object_marking_refs": [*original["object_marking_refs"], TLP2_IDS[Tlp.CLEAR]],
    }
    patterns = node.store.objects(node.reader("KR"), ObjectQuery(types=("attack-pattern",)))
    assert len(patterns) == 391
    for body in (p.body for p in patterns[::13]):
        assert validate_instance(body, ValidationOptions(version="2.1")).is_valid, body["id"]


def test_a_file_that_is_no_disarm_bundle_is_refused(tmp_path: Path) -> None:
    not_json = tmp_path / "x.json"
    not_json.write_text("{")
    with pytest.raises(InvalidInput, match="not a readable JSON bundle"):
        read_framework(not_json)
    empty = tmp_path / "empty.json"
    empty.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": []}))
    with pytest.raises(InvalidInput, match="no attack-pattern objects"):
        read_framework(empty)
