"""Releasability over TAXII: every endpoint shows a partner exactly what the policy lets
it read, and nothing about the rest (not an id, a count, a header or a page boundary).

In-process (FastAPI's test client) on SQLite and PostgreSQL; tests/test_taxii_client.py,
test_taxii_objects.py and test_taxii_http.py check the same server live with the OASIS
client and httpx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.principals import Role
from tests.data import indicator

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/api"


class Taxii:
    """A test client speaking TAXII as one partner's token."""

    def __init__(self, client: TestClient, token: str):
        self.client = client
        self.headers = {"Accept": TAXII, "Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{ROOT}{path}", headers=self.headers, params=params)

    def objects(self, collection: str = "all", **params: Any) -> list[dict[str, Any]]:
        """Every object of a walk through all pages."""
        found: list[dict[str, Any]] = []
        next_page = None
        while True:
            query = {**params, **({"next": next_page} if next_page else {})}
            response = self.get(f"/collections/{collection}/objects/", **query)
            assert response.status_code == 200, response.text
            envelope = response.json()
            found += envelope.get("objects", [])
            if not envelope["more"]:
                return found
            next_page = envelope["next"]


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node, background=False)) as test_client:
        yield test_client


def token(node: Node, partner: str, role: Role = Role.ANALYST) -> str:
    _, secret = node.principals.create_token(partner=partner, role=role, label="t", actor="test")
    return secret


@pytest.fixture
def shared(node: Node) -> dict[str, dict[str, Any]]:
    """EU findings with different releases, and a relationship between two of them."""
    found = {
        "to_jp": indicator(1, labels=["area:cyber"]),
        "to_kr": indicator(2, labels=["area:cyber"]),
        "red": indicator(3),
        "clear": indicator(4),
        "to_sdp_jp": indicator(5),
    }
    node.import_objects([found["to_jp"]], actor="t", tlp=Tlp.AMBER, release=["JP"])
    node.import_objects([found["to_kr"]], actor="t", tlp=Tlp.AMBER, release=["KR"])
    node.import_objects([found["red"]], actor="t", tlp=Tlp.RED)
    node.import_objects([found["clear"]], actor="t", tlp=Tlp.CLEAR)
    node.import_objects([found["to_sdp_jp"]], actor="t", tlp=Tlp.GREEN, release=["sdp-jp"])
    link = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--7b0e8a24-6c0a-4b8e-9f2e-1d6e0c8f4a11",
        "created": "2026-03-01T10:00:00.000Z",
        "modified": "2026-03-01T10:00:00.000Z",
        "relationship_type": "related-to",
        "source_ref": found["to_jp"]["id"],
        "target_ref": found["to_kr"]["id"],
    }
    node.import_objects([link], actor="t", tlp=Tlp.AMBER, release=["JP", "KR"])
    found["link"] = link
    return found


def ids(objects: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in objects}


def test_partner_sees_exactly_the_objects_released_to_it(
    node: Node, client: TestClient, shared: dict[str, dict[str, Any]]
) -> None:
    jp = Taxii(client, token(node, "JP"))
    seen = ids(jp.objects(**{"match[type]": "indicator,relationship"}))
    assert seen == {shared[key]["id"] for key in ("to_jp", "clear", "to_sdp_jp")}
    eu = Taxii(client, token(node, "EU"))
    assert ids(eu.objects(**{"match[type]": "indicator,relationship"})) == ids(
        list(shared.values())
    )


def test_unreleased_object_is_404_on_every_object_endpoint(
    node: Node, client: TestClient, shared: dict[str, dict[str, Any]]
) -> None:
    jp = Taxii(client, token(node, "JP"))
    unknown = "indicator--00000000-0000-4000-8000-000000000000"
    for suffix in ("", "versions/"):
        absent = jp.get(f"/collections/all/objects/{unknown}/{suffix}")
        assert absent.status_code == 404
        for key in ("to_kr", "red", "link"):
            stix_id = shared[key]["id"]
            hidden = jp.get(f"/collections/all/objects/{stix_id}/{suffix}")
            # Word for word the answer for an id that does not exist.
            assert hidden.status_code == 404
            assert hidden.text.replace(stix_id, unknown) == absent.text
    assert jp.get(f"/collections/all/objects/{shared['to_jp']['id']}/").status_code == 200


def test_manifest_lists_only_released_versions(
    node: Node, client: TestClient, shared: dict[str, dict[str, Any]]
) -> None:
    kr = Taxii(client, token(node, "KR"))
    response = kr.get("/collections/all/manifest/", **{"match[type]": "indicator,relationship"})
    assert {entry["id"] for entry in response.json()["objects"]} == {
        shared["to_kr"]["id"],
        shared["clear"]["id"],
    }


def test_pages_are_filtered_before_the_limit_so_none_comes_back_short(
    node: Node, client: TestClient
) -> None:
    hidden = [indicator(n) for n in range(40)]
    released = [indicator(100 + n) for n in range(5)]
    node.import_objects(hidden[:20], actor="t", tlp=Tlp.AMBER, release=["KR"])
    node.import_objects(released[:2], actor="t", tlp=Tlp.AMBER, release=["JP"])
    node.import_objects(hidden[20:], actor="t", tlp=Tlp.AMBER, release=["KR"])
    node.import_objects(released[2:], actor="t", tlp=Tlp.AMBER, release=["JP"])
    jp = Taxii(client, token(node, "JP"))
    pages = []
    next_page = None
    while True:
        params = {
            "match[type]": "indicator",
            "limit": 2,
            **({"next": next_page} if next_page else {}),
        }
        envelope = jp.get("/collections/all/objects/", **params).json()
        pages.append([item["id"] for item in envelope.get("objects", [])])
        if not envelope["more"]:
            break
        next_page = envelope["next"]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [stix_id for page in pages for stix_id in page] == [item["id"] for item in released]


def test_date_added_headers_describe_only_the_callers_page(
    node: Node, client: TestClient, shared: dict[str, dict[str, Any]]
) -> None:
    late_hidden = indicator(9)
    node.import_objects([late_hidden], actor="t", tlp=Tlp.AMBER, release=["KR"])
    jp = Taxii(client, token(node, "JP"))
    response = jp.get("/collections/all/manifest/", **{"match[type]": "indicator"})
    entries = response.json()["objects"]
    assert response.headers["X-TAXII-Date-Added-First"] == entries[0]["date_added"]
    assert response.headers["X-TAXII-Date-Added-Last"] == entries[-1]["date_added"]
    kr_only = jp.get("/collections/all/objects/", **{"match[id]": late_hidden["id"]})
    assert kr_only.json() == {"more": False}
    assert "X-TAXII-Date-Added-First" not in kr_only.headers


def test_group_collection_is_invisible_to_non_members(
    node: Node, client: TestClient, shared: dict[str, dict[str, Any]]
) -> None:
    kr = Taxii(client, token(node, "KR"))
    listed = {item["alias"] for item in kr.get("/collections/").json()["collections"]}
    assert "group-sdp-kr" in listed
    assert "group-sdp-jp" not in listed
    for path in (
        "/collections/group-sdp-jp/",
        "/collections/group-sdp-jp/objects/",
        "/collections/group-sdp-jp/manifest/",
    ):
        assert kr.get(path).status_code == 404
    jp = Taxii(client, token(node, "JP"))
    in_group = jp.objects("group-sdp-jp", **{"match[type]": "indicator"})
    assert ids(in_group) == {shared["to_sdp_jp"]["id"]}


def test_area_collection_holds_the_areas_labelled_objects_the_caller_may_read(
    node: Node, client: TestClient, shared: dict[str, dict[str, Any]]
) -> None:
    jp = Taxii(client, token(node, "JP"))
    assert ids(jp.objects("cyber")) == {shared["to_jp"]["id"]}
    eu = Taxii(client, token(node, "EU"))
    assert ids(eu.objects("cyber")) == {shared["to_jp"]["id"], shared["to_kr"]["id"]}


def test_walk_yields_each_object_once_while_others_are_added(
    node: Node, client: TestClient
) -> None:
    first = [indicator(n) for n in range(7)]
    node.import_objects(first, actor="t", tlp=Tlp.CLEAR)
    jp = Taxii(client, token(node, "JP"))
    seen: list[str] = []
    added: list[dict[str, Any]] = []
    next_page = None
    while True:
        params = {
            "match[type]": "indicator",
            "limit": 3,
            **({"next": next_page} if next_page else {}),
        }
        envelope = jp.get("/collections/all/objects/", **params).json()
        seen += [item["id"] for item in envelope.get("objects", [])]
        if len(added) < 2:
            added.append(indicator(50 + len(added)))
            node.import_objects([added[-1]], actor="t", tlp=Tlp.CLEAR)
        if not envelope["more"]:
            break
        next_page = envelope["next"]
    assert seen == [item["id"] for item in first + added]


def test_posted_objects_without_release_go_to_the_collections_audience(
    node: Node, client: TestClient
) -> None:
    jp = Taxii(client, token(node, "JP"))
    posted = indicator(1)
    response = client.post(
        f"{ROOT}/collections/group-sdp-jp/objects/",
        headers={**jp.headers, "Content-Type": TAXII},
        content=orjson.dumps({"objects": [posted]}),
    )
    assert response.status_code == 202, response.text
    assert response.json()["success_count"] == 1
    eu = Taxii(client, token(node, "EU"))
    kr = Taxii(client, token(node, "KR"))
    assert posted["id"] in ids(eu.objects("group-sdp-jp", **{"match[type]": "indicator"}))
    assert posted["id"] not in ids(kr.objects())
    assert node.store.release_of(node.reader("JP"), posted["id"]) == {"sdp-jp"}


def test_status_of_another_partners_submission_is_404(node: Node, client: TestClient) -> None:
    jp = Taxii(client, token(node, "JP"))
    response = client.post(
        f"{ROOT}/collections/all/objects/",
        headers={**jp.headers, "Content-Type": TAXII},
        content=orjson.dumps({"objects": [indicator(1)]}),
    )
    status_id = response.json()["id"]
    assert jp.get(f"/status/{status_id}/").status_code == 200
    assert Taxii(client, token(node, "KR")).get(f"/status/{status_id}/").status_code == 404
