"""The store: round trips, versions, bulk import, all-or-nothing validation, exports."""

from __future__ import annotations

import copy
import gzip
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from accord.core.errors import InvalidInput, InvalidStixObject, NotFound, PermissionDenied
from accord.core.exchange import read_bundle
from accord.core.ingest import _may_hold_refs
from accord.core.markings import TLP2_IDS, Tlp, release_marking
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.core.stix import refs
from accord.core.stix.canonical import canonical_json
from tests.data import SHARED_DATA, indicator, stix_example_files


@pytest.mark.parametrize("path", stix_example_files(), ids=lambda p: p.name)
def test_oasis_example_round_trips_unchanged(node: Node, path: Path) -> None:
    objects = read_bundle(path)
    report = node.import_objects(objects, actor="test")
    assert report.received == len(objects)
    home = node.reader("EU")
    for original in objects:
        stored = node.store.get(
            home,
            original["id"],
            None if "modified" not in original else datetime.fromisoformat(original["modified"]),
        )
        assert stored.body == original


def test_mitre_attack_ics_bundle_round_trips(node: Node) -> None:
    with gzip.open(SHARED_DATA / "cyber" / "mitre_ics_attack_18.1.json.gz") as handle:
        bundle = json.load(handle)
    report = node.import_objects(bundle["objects"], actor="test", tlp=Tlp.CLEAR)
    assert report.stored == len(bundle["objects"])
    jp = node.reader("JP")
    assert node.store.count(jp, ObjectQuery(types=("attack-pattern",))) == 95
    relationship = next(o for o in bundle["objects"] if o["type"] == "relationship")
    seen = node.store.get(jp, relationship["id"]).body
    assert seen["source_ref"] == relationship["source_ref"]


def test_every_version_is_kept_and_the_newest_is_the_default_view(node: Node) -> None:
    first = indicator(1)
    second = {**first, "modified": "2026-03-02T10:00:00.000Z", "name": "C2 1 (confirmed)"}
    node.import_objects([second], actor="test")
    node.import_objects([first], actor="test")  # an older version arriving late
    home = node.reader("EU")
    assert node.store.get(home, first["id"]).body["name"] == "C2 1 (confirmed)"
    assert [v.day for v in node.store.versions(home, first["id"])] == [1, 2]
    assert node.store.count(home, ObjectQuery(ids=(first["id"],))) == 1
    assert node.store.count(home, ObjectQuery(ids=(first["id"],), versions="all")) == 2


def test_reimporting_a_bundle_stores_nothing_twice(node: Node) -> None:
    objects = [indicator(n) for n in range(50)]
    assert node.import_objects(objects, actor="test").stored == 50
    again = node.import_objects(objects, actor="test")
    assert (again.stored, again.duplicates) == (0, 50)


def test_one_bad_object_in_1000_is_rejected_by_name_and_the_rest_stored(node: Node) -> None:
    objects = [indicator(n) for n in range(1000)]
    bad = objects[637]
    bad["pattern"] = "[ipv4-addr:value = '10.0.0.1'"
    report = node.import_objects(objects, actor="test")
    assert (report.stored, len(report.rejected)) == (999, 1)
    rejection = report.rejected[0]
    assert (rejection.index, rejection.object_id, rejection.field) == (637, bad["id"], "pattern")
    assert bad["id"] in str(rejection) and "position 637" in str(rejection)
    home = node.reader("EU")
    assert node.store.count(home, ObjectQuery(types=("indicator",))) == 999
    with pytest.raises(NotFound):
        node.store.get(home, bad["id"])
    with pytest.raises(InvalidStixObject) as caught:
        report.raise_for_rejections()
    assert caught.value.object_id == bad["id"]


def test_a_broken_bundle_loses_nothing_already_stored(node: Node) -> None:
    kept = indicator(1)
    node.import_objects([kept], actor="test")
    broken = {**kept, "modified": "2026-03-02T10:00:00.000Z", "pattern": "[broken"}
    report = node.import_objects([broken], actor="test")
    assert report.rejected and report.stored == 0
    assert node.store.get(node.reader("EU"), kept["id"]).body == kept


def test_bulk_import_runs_in_batches(node: Node) -> None:
    node.store._batch_size = 100  # small batches so that 1,000 objects make ten
    report = node.import_objects([indicator(n) for n in range(1000)], actor="test")
    assert (report.stored, report.batches) == (1000, 10)
    assert len(node.audit.entries(action="object.import")) >= 10


def test_release_list_from_the_objects_own_markings(node: Node) -> None:
    marking = release_marking(["JP"])
    finding = indicator(7, object_marking_refs=[TLP2_IDS[Tlp.AMBER], marking["id"]])
    node.import_objects([marking, finding], actor="test")
    assert node.store.get(node.reader("JP"), finding["id"]).body == finding
    with pytest.raises(NotFound):
        node.store.get(node.reader("KR"), finding["id"])


def test_release_list_naming_an_unknown_partner_is_refused(node: Node) -> None:
    with pytest.raises(InvalidInput, match="'XX'"):
        node.import_objects([indicator(1)], actor="test", tlp=Tlp.AMBER, release=["XX"])


def test_object_released_to_an_unknown_partner_is_rejected(node: Node) -> None:
    marking = release_marking(["XX"])
    finding = indicator(2, object_marking_refs=[TLP2_IDS[Tlp.AMBER], marking["id"]])
    report = node.import_objects([marking, finding], actor="test")
    assert [r.object_id for r in report.rejected] == [marking["id"], finding["id"]]
    assert all("'XX'" in r.reason for r in report.rejected)
    assert report.stored == 0


def test_group_membership_decides_who_reads_group_releases(node: Node) -> None:
    finding = indicator(3)
    node.import_objects([finding], actor="test", tlp=Tlp.GREEN, release=["sdp-jp"])
    with pytest.raises(NotFound):
        node.store.get(node.reader("NO"), finding["id"])
    node.partners.add_member("sdp-jp", "NO", actor="test")
    assert node.store.get(node.reader("NO"), finding["id"]).stix_id == finding["id"]


def test_only_the_owner_adds_versions(node: Node) -> None:
    finding = indicator(4)
    node.import_objects([finding], owner="JP", actor="test")
    newer = {**finding, "modified": "2026-04-01T00:00:00.000Z"}
    report = node.import_objects([newer], owner="EU", actor="test")
    assert report.stored == 0
    assert "another partner owns an object with this id" in str(report.rejected[0])
    assert "JP" not in str(report.rejected[0])
    assert report.rejected[0].field == "id"
    # the very same version from another partner is a harmless duplicate
    assert node.import_objects([finding], owner="EU", actor="test").duplicates == 1


def test_change_release_makes_a_new_version_and_is_audited(node: Node) -> None:
    finding = indicator(5)
    node.import_objects([finding], actor="test", tlp=Tlp.AMBER, release=["JP"])
    with pytest.raises(NotFound):
        node.store.get(node.reader("KR"), finding["id"])
    node.change_release(finding["id"], tlp=None, release=["JP", "KR"], actor="test")
    assert node.store.get(node.reader("KR"), finding["id"]).tlp is Tlp.AMBER
    assert len(node.store.versions(node.reader("EU"), finding["id"])) == 2
    assert node.audit.entries(action="object.share")


def test_change_release_of_another_partners_object_is_refused(node: Node) -> None:
    finding = indicator(6)
    node.import_objects([finding], owner="JP", actor="test", tlp=Tlp.CLEAR)
    with pytest.raises(PermissionDenied):
        node.change_release(finding["id"], tlp=None, release=["KR"], actor="test")


def test_export_holds_only_what_the_partner_may_receive(node: Node, tmp_path: Path) -> None:
    released = indicator(1)
    red = indicator(2)
    strict_from_jp = indicator(3)
    node.import_objects([released], actor="test", tlp=Tlp.AMBER, release=["KR"])
    node.import_objects([red], actor="test", tlp=Tlp.RED)
    node.import_objects(
        [strict_from_jp], owner="JP", actor="test", tlp=Tlp.AMBER_STRICT, release=["EU", "KR"]
    )
    out = tmp_path / "kr.json"
    node.export("KR", out, actor="test")
    ids = {obj["id"] for obj in read_bundle(out)}
    assert released["id"] in ids
    assert red["id"] not in ids  # RED never leaves the node
    assert strict_from_jp["id"] not in ids  # AMBER+STRICT is not passed on by EU
    assert TLP2_IDS[Tlp.AMBER] in ids  # markings travel with what they mark
    assert node.audit.entries(action="export")[-1].target == "KR"


def test_relationship_to_an_unreleased_object_is_invisible(node: Node) -> None:
    secret = indicator(8)
    public = indicator(9)
    link = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2026-03-01T10:00:00.000Z",
        "modified": "2026-03-01T10:00:00.000Z",
        "relationship_type": "related-to",
        "source_ref": public["id"],
        "target_ref": secret["id"],
    }
    node.import_objects([secret], actor="test", tlp=Tlp.AMBER, release=["KR"])
    node.import_objects([public, link], actor="test", tlp=Tlp.GREEN, release=["JP", "KR"])
    jp, kr = node.reader("JP"), node.reader("KR")
    assert {o.stix_id for o in node.store.objects(jp, ObjectQuery(ids=(link["id"],)))} == set()
    assert node.store.count(jp, ObjectQuery(types=("relationship",))) == 0
    assert node.store.get(kr, link["id"]).body["target_ref"] == secret["id"]


def test_optional_reference_is_removed_for_a_reader_who_may_not_follow_it(node: Node) -> None:
    author = {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": "2026-03-01T10:00:00.000Z",
        "modified": "2026-03-01T10:00:00.000Z",
        "name": "Analyst team 7",
        "identity_class": "group",
    }
    finding = indicator(10, created_by_ref=author["id"])
    node.import_objects([author], actor="test", tlp=Tlp.AMBER, release=["KR"])
    node.import_objects([finding], actor="test", tlp=Tlp.GREEN, release=["JP", "KR"])
    assert "created_by_ref" not in node.store.get(node.reader("JP"), finding["id"]).body
    assert node.store.get(node.reader("KR"), finding["id"]).body["created_by_ref"] == author["id"]
    stored = node.store.get(node.reader("EU"), finding["id"]).body
    assert stored == {
        **copy.deepcopy(finding),
        "object_marking_refs": stored["object_marking_refs"],
    }


def test_date_added_never_goes_backwards(node: Node) -> None:
    for n in range(3):
        node.import_objects([indicator(n)], actor="test")
    found = node.store.objects(node.reader("EU"), ObjectQuery(types=("indicator",)))
    stamps = [o.date_added for o in found]
    assert stamps == sorted(stamps)
    assert all(s.tzinfo is UTC for s in stamps)


def test_parallel_import_rejects_the_same_objects_as_a_serial_one(node: Node) -> None:
    objects = [indicator(n) for n in range(6000)]
    for position in (4500, 5200):
        objects[position]["pattern"] = "[ipv4-addr:value = ]"
    rejected = []
    for workers in (1, 2):
        node.store._workers = workers
        report = node.import_objects(objects, actor="test")
        rejected.append([(r.index, r.object_id, r.field) for r in report.rejected])
    assert rejected[0] == rejected[1]
    assert [index for index, _, _ in rejected[0]] == [4500, 5200]
    assert node.store.count(node.reader("EU"), ObjectQuery(types=("indicator",))) == 5998


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, False),
        ({"object_marking_refs": [TLP2_IDS[Tlp.AMBER]]}, False),
        ({"created_by_ref": f"identity--{uuid.uuid4()}"}, True),
        ({"external_references": [{"source_name": "x", "description": '"_ref":"a--b'}]}, False),
        ({"x_accord_sources": {"seen_refs": [f"indicator--{uuid.uuid4()}"]}}, True),
        ({"granular_markings": [{"marking_ref": TLP2_IDS[Tlp.RED], "selectors": ["name"]}]}, False),
    ],
)
def test_reference_screen_never_misses_a_reference(extra: dict[str, Any], expected: bool) -> None:
    obj = indicator(1, **extra)
    assert _may_hold_refs(canonical_json(obj)) is expected
    assert bool(refs.redactable_refs(obj)) is expected


def test_partner_without_release_sees_nothing_not_even_a_count(node: Node, tmp_path: Path) -> None:
    finding = indicator(11, name="Tanker STS transfer off Nakhodka")
    node.import_objects([finding], actor="test", tlp=Tlp.AMBER, release=["JP"])
    kr = node.reader("KR")
    by_id = ObjectQuery(ids=(finding["id"],))
    by_text = ObjectQuery(text="Nakhodka")
    assert node.store.objects(kr, by_id) == []
    assert node.store.objects(kr, by_text) == []
    assert node.store.count(kr, by_id) == 0
    assert node.store.count(kr, by_text) == 0
    assert "indicator" not in node.store.count_by_type(kr)
    for read in (node.store.get, node.store.versions, node.store.release_of):
        with pytest.raises(NotFound):
            read(kr, finding["id"])
    node.export("KR", tmp_path / "kr.json", actor="test")
    assert finding["id"] not in (tmp_path / "kr.json").read_text()
    jp = node.reader("JP")
    assert node.store.count(jp, by_text) == 1
    assert node.store.count_by_type(jp)["indicator"] == 1


def test_parallel_import_stores_everything_once_with_one_newest_version(node: Node) -> None:
    node.store._batch_size = 500  # many batches, shared by two writer processes
    node.store._workers = 2
    objects = [indicator(n) for n in range(6000)]
    # Versions of one object in batches that different processes write, newest first.
    versioned = objects[10]
    objects[700] = {**versioned, "modified": "2026-03-05T10:00:00.000Z", "name": "v3"}
    objects[1300] = {**versioned, "modified": "2026-03-04T10:00:00.000Z", "name": "v2"}
    objects[5999] = dict(objects[0])  # a duplicate in the last batch
    report = node.import_objects(objects, actor="test")
    assert (report.stored, report.duplicates, report.batches) == (5999, 1, 12)
    home = node.reader("EU")
    assert node.store.count(home, ObjectQuery(types=("indicator",))) == 5997
    assert node.store.get(home, versioned["id"]).body["name"] == "v3"
    assert len(node.store.versions(home, versioned["id"])) == 3
    seqs = [seq for first, last in report.seq_ranges for seq in range(first, last + 1)]
    assert seqs == list(range(seqs[0], seqs[0] + 5999))
    assert node.audit.verify() >= 12
