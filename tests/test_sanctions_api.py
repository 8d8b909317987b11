"""``POST /api/sanctions/match/{dataset}``: yente's request and answer shapes, Accord's auth."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.core.node import Node
from accord.core.principals import Role
from accord.core.settings import Settings
from accord.desks.sanctions.lists import load_lists
from tests.data import SHARED_DATA

SANCTIONS = SHARED_DATA / "sanctions"
ROUTE = "/api/sanctions/match"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    node = Node(Settings(data_dir=tmp_path_factory.mktemp("api") / "node", database_url=None))
    node.initialise(actor="test")
    load_lists(
        node, [SANCTIONS / "ofac_sdn.csv.gz", SANCTIONS / "un_consolidated.xml.gz"], actor="test"
    )
    _, token = node.principals.create_token(partner="KR", role=Role.READER, label="t", actor="test")
    with TestClient(create_app(node, background=False)) as client:
        yield client, token
    node.close()


def body(**queries: dict[str, object]) -> dict[str, object]:
    return {"queries": queries}


def test_a_yente_shaped_request_gets_a_yente_shaped_answer(served: tuple[TestClient, str]) -> None:
    client, token = served
    answer = client.post(
        f"{ROUTE}/default",
        params={"threshold": 0.8, "limit": 3},
        headers={"Authorization": f"Bearer {token}"},
        json=body(
            q1={
                "schema": "Person",
                "properties": {"name": ["Kim Chŏng-ŭn"], "nationality": ["kp"]},
            },
            q2={"schema": "Person", "properties": {"name": ["Nobody Atall Xyzzy"]}},
        ),
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert set(found) == {"responses", "matcher", "limit"} and found["limit"] == 3
    first = found["responses"]["q1"]
    assert first["status"] == 200 and first["total"]["relation"] == "eq"
    best = first["results"][0]
    assert {
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "score",
        "match",
        "features",
    } <= set(best)
    assert best["match"] is True and "KIM" in best["caption"].upper()
    assert "explanation" in best
    assert [r for r in found["responses"]["q2"]["results"] if r["match"]] == []


def test_identifiers_decide_and_a_list_can_be_chosen(served: tuple[TestClient, str]) -> None:
    client, token = served
    headers = {"Authorization": f"Bearer {token}"}
    by_imo = client.post(
        f"{ROUTE}/ofac-sdn",
        headers=headers,
        json=body(
            v={
                "schema": "Vessel",
                "properties": {"name": ["Renamed"], "imoNumber": ["IMO 9074729"]},
            }
        ),
    )
    assert by_imo.status_code == 200
    unknown = client.post(f"{ROUTE}/no-such-list", headers=headers, json=body())
    assert unknown.status_code == 404


def test_no_credentials_no_answer(served: tuple[TestClient, str]) -> None:
    client, _ = served
    answer = client.post(
        f"{ROUTE}/default",
        json=body(q={"schema": "Person", "properties": {"name": ["Kim Jong Un"]}}),
    )
    assert answer.status_code == 401
    assert "results" not in answer.text
