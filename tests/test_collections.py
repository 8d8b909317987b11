"""Collections (views on the store), deletion, TAXII version matching and import jobs, in
the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.core.collections import CollectionSpec, collection_id, read_collections_file
from accord.core.errors import ConfigurationError, InvalidInput, NotFound, PermissionDenied
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.principals import Principal, Role
from accord.core.queries import ObjectQuery, VersionMatch
from accord.core.stix.canonical import parse_timestamp
from tests.data import indicator


def test_a_new_node_has_everything_each_area_and_each_group_as_collections(node: Node) -> None:
    aliases = {item.alias for item in node.collections.collections()}
    assert {"all", "maritime", "fimi", "cyber", "group-sdp-jp", "group-eu-member-states"} <= aliases
    assert node.collections.collection("cyber").label == "area:cyber"
    assert node.collections.collection(collection_id("all")).alias == "all"


def test_collection_ids_are_the_same_on_every_node() -> None:
    assert collection_id("cyber") == collection_id("cyber") != collection_id("fimi")


def test_group_collection_is_read_and_written_by_members_only(node: Node) -> None:
    view = node.collections.collection("group-sdp-kr")
    analyst = Principal("a", "KR", Role.ANALYST, "token")
    reader = Principal("r", "KR", Role.READER, "token")
    assert view.can_read(node.reader("KR")) and view.can_write(node.reader("KR"), analyst)
    assert not view.can_write(node.reader("KR"), reader)
    assert not view.can_read(node.reader("JP"))


def test_declaring_again_updates_the_view_and_keeps_its_id(node: Node) -> None:
    spec = CollectionSpec(alias="cables", title="Baltic cables", types=["indicator"])
    node.declare_collections([spec], actor="t")
    first = node.collections.collection("cables")
    node.declare_collections([spec.model_copy(update={"title": "Subsea cables"})], actor="t")
    again = node.collections.collection("cables")
    assert (again.id, again.title, again.types) == (first.id, "Subsea cables", ("indicator",))
    assert [e.action for e in node.audit.entries(action="collection.declare")][-2:] == [
        "collection.declare",
        "collection.declare",
    ]


def test_unknown_audience_is_refused(node: Node) -> None:
    with pytest.raises(InvalidInput, match="audience 'sdp-xx'"):
        node.declare_collections(
            [CollectionSpec(alias="x", title="X", audience="sdp-xx")], actor="t"
        )


def test_removing_a_collection_keeps_its_objects(node: Node) -> None:
    kept = indicator(1, labels=["area:space"])
    node.import_objects([kept], actor="t")
    node.collections.remove("space", actor="t")
    with pytest.raises(NotFound):
        node.collections.collection("space")
    assert node.store.get(node.reader(), kept["id"]).stix_id == kept["id"]


def test_collections_file_is_declared_on_init(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "collections.toml"
    path.write_text(
        '[[collection]]\nalias = "hormuz"\ntitle = "Strait of Hormuz"\n'
        'types = ["indicator", "sighting"]\naudience = "maritime-indo-pacific"\n'
    )
    node.settings.collections_file = path
    node.apply_collections_file(actor="t")
    view = node.collections.collection("hormuz")
    assert (view.types, view.audience) == (("indicator", "sighting"), "maritime-indo-pacific")


def test_bad_collections_file_names_the_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "collections.toml"
    path.write_text(
        '[[collection]]\nalias = "ok"\ntitle = "OK"\n'
        '[[collection]]\nalias = "Bad Alias"\ntitle = "x"\n'
    )
    with pytest.raises(ConfigurationError, match=r"collection #2, field alias"):
        read_collections_file(path)
    path.write_text("[[collection]\n")
    with pytest.raises(ConfigurationError, match="cannot read collections"):
        read_collections_file(path)


def _versions(node: Node, count: int) -> list[dict[str, str]]:
    base = indicator(1)
    return [{**base, "modified": f"2026-03-0{day + 1}T10:00:00.000Z"} for day in range(count)]


def test_version_match_selects_first_last_and_exact_versions(node: Node) -> None:
    versions = _versions(node, 3)
    node.import_objects(versions, actor="t")
    stix_id = versions[0]["id"]

    def picked(match: VersionMatch) -> list[str]:
        found = node.store.manifest(node.reader(), ObjectQuery(ids=(stix_id,), versions=match))
        return sorted(entry.version.isoformat()[:10] for entry in found)

    assert picked(VersionMatch(first=True)) == ["2026-03-01"]
    assert picked(VersionMatch(last=True)) == ["2026-03-03"]
    assert picked(VersionMatch(first=True, last=True)) == ["2026-03-01", "2026-03-03"]
    exact = parse_timestamp("2026-03-02T10:00:00.000Z")
    assert picked(VersionMatch(at=(exact,))) == ["2026-03-02"]


def test_deleting_the_newest_version_makes_the_previous_one_latest(node: Node) -> None:
    versions = _versions(node, 2)
    node.import_objects(versions, actor="t")
    stix_id = versions[0]["id"]
    newest = ObjectQuery(ids=(stix_id,), versions="latest")
    deleted = node.store.delete(node.reader(), newest, actor="t")
    assert [entry.version.isoformat()[:10] for entry in deleted] == ["2026-03-02"]
    assert node.store.get(node.reader(), stix_id).version.isoformat()[:10] == "2026-03-01"
    entry = node.audit.entries(action="object.delete")[-1]
    assert (entry.target, entry.detail["owner"]) == (stix_id, "EU")


def test_only_the_owner_partner_deletes(node: Node) -> None:
    finding = indicator(1)
    node.import_objects([finding], actor="t", tlp=Tlp.AMBER, release=["JP"])
    everything = ObjectQuery(ids=(finding["id"],), versions="all")
    with pytest.raises(PermissionDenied, match="only its owner partner deletes it"):
        node.store.delete(node.reader("JP"), everything, actor="t")
    with pytest.raises(NotFound):
        node.store.delete(node.reader("KR"), everything, actor="t")
    assert node.store.get(node.reader("JP"), finding["id"])


def test_import_job_reports_each_object_and_keeps_nothing_pending(node: Node) -> None:
    good, bad = indicator(1), indicator(2, pattern="[not a pattern")
    job = node.jobs.submit([good, bad], partner="JP", actor="token:x", collection_id=None)
    assert node.jobs.unfinished() == [job.id]
    done = node.run_import_job(job.id)
    assert done.status == "complete" and node.jobs.unfinished() == []
    assert [item.id for item in done.successes] == [good["id"]]
    assert [item.id for item in done.failures] == [bad["id"]]
    assert "pattern" in (done.failures[0].message or "")
    assert node.store.get(node.reader("JP"), good["id"]).owner == "JP"
    with pytest.raises(NotFound):
        node.jobs.job(job.id, partner="KR")


def test_job_whose_collection_was_removed_fails_every_object_with_the_reason(
    node: Node,
) -> None:
    view = node.collections.collection("space")
    job = node.jobs.submit([indicator(1)], partner="JP", actor="token:x", collection_id=view.id)
    node.collections.remove("space", actor="t")
    done = node.run_import_job(job.id)
    assert done.status == "complete" and not done.successes
    assert "no collection" in (done.failures[0].message or "")
