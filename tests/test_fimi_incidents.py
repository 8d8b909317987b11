"""FIMI incidents: a cluster and its accepted DISARM techniques drafted as valid STIX,
stable on re-creation, published marked and released, and read only by the release."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from stix2validator import ValidationOptions, validate_instance
from typer.testing import CliRunner

from accord.cli.app import app as accord_app
from accord.cli.desks import Services
from accord.core.errors import InvalidInput, NotFound
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.core.stix.patterns import pattern_problem
from accord.desks.fimi.cli_incidents import add_commands
from accord.desks.fimi.incidents import (
    Draft,
    create_incident,
    drafts,
    publish_incident,
    read_draft,
)
from tests.fimi_ring import BUNDLE, RING, import_disarm, ring_posts, store_ring, word_vectors

BOTS = "attack-pattern--e6ab2793-a059-4354-bb60-045afb019833"  # T0049.003
FLOOD = "attack-pattern--0c765d19-99b2-4703-af48-e20a677c4bfc"  # T0049
runner = CliRunner()


def drafted(node: Node, **options: Any) -> Draft:
    import_disarm(node)
    return create_incident(node, store_ring(node), ["T0049.003", "T0049"], **options)


def of_type(draft: Draft, kind: str) -> list[dict[str, Any]]:
    return [o for o in draft.objects if o["type"] == kind]


def test_the_draft_is_valid_stix_and_shares_nothing_yet(node: Node) -> None:
    draft = drafted(node)
    assert draft.path == node.settings.data_dir / "fimi" / "incidents" / f"{draft.campaign_id}.json"
    for obj in draft.objects:
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid and not result.warnings, (obj["id"], result.as_dict())
    assert node.store.count(node.reader(), ObjectQuery(ids=(draft.campaign_id,))) == 0
    assert drafts(node)[0].state == "draft"


def test_the_campaign_uses_the_techniques_and_carries_its_evidence(node: Node) -> None:
    draft = drafted(node)
    campaign = of_type(draft, "campaign")[0]
    home = node.partners.partner("EU").identity_id
    assert campaign["created_by_ref"] == home
    assert (campaign["first_seen"], campaign["last_seen"]) == (
        "2026-03-01T08:00:02.000Z",
        "2026-03-01T12:00:11.000Z",
    )
    assert "area:fimi" in campaign["labels"] and "30 co-reposts" in campaign["description"]
    uses = [r for r in of_type(draft, "relationship") if r["relationship_type"] == "uses"]
    assert {(r["source_ref"], r["target_ref"]) for r in uses} == {
        (campaign["id"], BOTS),
        (campaign["id"], FLOOD),
    }
    accounts = of_type(draft, "user-account")
    assert sorted(a["account_login"] for a in accounts) == list(RING)
    assert {a["account_type"] for a in accounts} == {"twitter"}
    observed = of_type(draft, "observed-data")[0]
    assert observed["number_observed"] == 20
    assert set(observed["object_refs"]) == {o["id"] for o in draft.objects if "created" not in o}
    report = of_type(draft, "report")[0]
    assert report["report_types"] == ["campaign", "attack-pattern", "indicator", "observed-data"]
    assert set(report["object_refs"]) == {o["id"] for o in draft.objects if o is not report} | {
        BOTS,
        FLOOD,
    }
    assert (
        "- 0-ring1 (ring1, 2026-03-01T08:00:02.000Z): RT @source: The government"
        in (report["description"])
    )
    assert all(o.get("created_by_ref", home) == home for o in draft.objects)


def test_indicators_cover_the_links_and_only_the_rings_own_site(node: Node) -> None:
    draft = drafted(node)
    indicators = of_type(draft, "indicator")
    assert {i["pattern"] for i in indicators} == {
        "[url:value = 'https://news-front.example/o\\'brien-report']",
        "[url:value = 'https://youtube.com/watch?v=ring']",
        # youtube.com is linked to by twenty organic accounts too: no domain indicator.
        "[domain-name:value = 'news-front.example']",
    }
    assert all(pattern_problem(i["pattern"]) is None for i in indicators)
    indicates = {
        r["source_ref"]
        for r in of_type(draft, "relationship")
        if r["relationship_type"] == "indicates" and r["target_ref"] == draft.campaign_id
    }
    assert indicates == {i["id"] for i in indicators}


def test_recreating_the_incident_rewrites_the_same_objects(node: Node) -> None:
    first = drafted(node)
    again = create_incident(node, store_ring(node), ["T0049.003", "T0049"])
    assert again.objects == first.objects
    renamed = create_incident(node, store_ring(node), ["T0049.003", "T0049"], name="Ring A")
    assert [o["id"] for o in renamed.objects] == [o["id"] for o in first.objects]
    before, after = of_type(first, "campaign")[0], of_type(renamed, "campaign")[0]
    assert after["name"] == "Ring A" and after["created"] == before["created"]
    assert after["modified"] > before["modified"]
    assert of_type(renamed, "observed-data") == of_type(first, "observed-data")


def test_only_stored_disarm_techniques_are_accepted(node: Node) -> None:
    import_disarm(node, phases=("maximise-exposure",))
    ring = store_ring(node)
    with pytest.raises(InvalidInput, match=r"stored on this node: T0084\.001, T9999 "):
        create_incident(node, ring, ["T0049.003", "T0084.001", "T9999"])
    with pytest.raises(InvalidInput, match="no technique"):
        create_incident(node, ring, [])
    by_stix_id = create_incident(node, ring, [BOTS, "T0049.003"])
    uses = [r["target_ref"] for r in of_type(by_stix_id, "relationship")]
    assert uses.count(BOTS) == 1


def test_publish_stores_everything_marked_and_released_once(node: Node) -> None:
    draft = drafted(node)
    report = publish_incident(
        node, draft.campaign_id, actor="test", tlp=Tlp.AMBER, release=["JP", "KR"]
    )
    assert report.stored >= len(draft.objects) and not report.rejected
    home = node.reader()
    for obj in draft.objects:
        assert node.store.get(home, obj["id"]).tlp is Tlp.AMBER
        assert node.store.release_of(home, obj["id"]) == {"JP", "KR"}
    again = publish_incident(
        node, draft.campaign_id, actor="test", tlp=Tlp.AMBER, release=["JP", "KR"]
    )
    assert again.stored == 0
    assert drafts(node)[0].state == "published"
    create_incident(node, store_ring(node), ["T0049.003"], name="Ring B")
    assert drafts(node)[0].state == "changed"


def test_a_partner_in_the_release_sees_the_incident_and_one_outside_nothing(
    node: Node,
) -> None:
    draft = drafted(node)
    publish_incident(node, draft.campaign_id, actor="test", tlp=Tlp.AMBER, release=["sdp-kr"])
    ids = tuple(o["id"] for o in draft.objects)
    korea, moldova = node.reader("KR"), node.reader("MD")
    assert node.store.get(korea, draft.campaign_id).body["name"].startswith("Coordinated")
    assert node.store.count(korea, ObjectQuery(ids=ids)) == len(ids)
    assert node.store.count(moldova, ObjectQuery(ids=ids)) == 0
    assert node.store.count(moldova, ObjectQuery(label="area:fimi")) == 0
    assert node.store.objects(moldova, ObjectQuery(types=("campaign", "report"))) == []
    for stix_id in (draft.campaign_id, of_type(draft, "report")[0]["id"]):
        with pytest.raises(NotFound):
            node.store.get(moldova, stix_id)
    assert not {"campaign", "report", "indicator", "observed-data", "user-account"} & set(
        node.store.count_by_type(moldova)
    )


def test_an_unknown_draft_is_not_found(node: Node) -> None:
    with pytest.raises(NotFound, match="no incident draft"):
        read_draft(node, "campaign--00000000-0000-4000-8000-000000000000")
    with pytest.raises(InvalidInput, match="not a campaign id"):
        read_draft(node, "../../etc/passwd")


def test_the_commands_from_suggest_to_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stand-in embeddings keep this fast; the real model has its own test.
    monkeypatch.setattr("accord.desks.fimi.suggest.embed", word_vectors)
    data_dir = tmp_path / "node"
    fimi = typer.Typer()
    add_commands(fimi, Services())

    def accord(*args: str) -> Any:
        return runner.invoke(accord_app, [*args, "--data-dir", str(data_dir)])

    def desk(*args: str) -> Any:
        return runner.invoke(fimi, [*args, "--data-dir", str(data_dir)])

    assert accord("init").exit_code == 0
    assert accord("fimi", "ingest", str(_ring_csv(tmp_path))).exit_code == 0
    ring = json.loads(accord("fimi", "coordination", "--format", "json").output)[0]
    assert ring["accounts"] == list(RING)
    missing = desk("suggest", "--cluster", "1")
    assert missing.exit_code == 1 and "accord fimi disarm FILE" in missing.output
    assert accord("fimi", "disarm", str(BUNDLE)).exit_code == 0

    found = json.loads(desk("suggest", "--cluster", "1", "--format", "json").output)
    assert found[0]["disarm_id"] == "T0049.003" and "co-reposts" in found[0]["why"]
    assert "Bots Amplify" in desk("suggest", "--cluster", "1", "--top", "3").output

    refused = desk("incident", "create", "--cluster", "1", "--technique", "T9999")
    assert refused.exit_code == 1 and "T9999" in refused.output
    created = desk("incident", "create", "--cluster", "1", "--technique", "T0049.003")
    assert created.exit_code == 0, created.output
    campaign = re.search(r"campaign--[0-9a-f-]{36}", created.output)
    assert campaign is not None
    assert "draft" in desk("incident", "list").output

    published = desk("publish", campaign.group(), "--tlp", "amber", "--release", "JP,KR")
    assert published.exit_code == 0, published.output
    assert "TLP:AMBER, released to JP,KR" in published.output
    assert "published" in desk("incident", "list").output
    for partner, sees in (("KR", True), ("MD", False)):
        listed = accord("objects", "list", "--as", partner, "--type", "campaign,report", "--json")
        assert (campaign.group() in listed.output) is sees


def _ring_csv(folder: Path) -> Path:
    path = folder / "posts.csv"
    fields = ["id", "platform", "account", "text", "timestamp", "url", "repost_of"]
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(fields)
        for post in ring_posts().to_pylist():
            writer.writerow(
                [
                    post["post_id"],
                    post["platform"],
                    post["account"],
                    post["text"],
                    post["ts"].isoformat(),
                    "|".join(post["urls"]),
                    post["repost_of"] or "",
                ]
            )
    return path
