"""The API's own machinery, in-process: media negotiation, cursors, logins, limits, audit."""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from accord.api import app as app_module
from accord.api.app import create_app
from accord.api.cursor import CursorSigner
from accord.api.limits import RateLimiter
from accord.api.media import accepts_taxii, is_taxii_content
from accord.core.errors import InvalidInput
from accord.core.node import Node
from accord.core.principals import Role

COLLECTION = "/taxii2/api/collections/all/objects/"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, True),
        ("application/taxii+json;version=2.1", True),
        ("application/taxii+json", True),
        ("application/taxii+json; version=2.1; q=0.9, text/html", True),
        ("*/*", True),
        ("application/json", False),
        ("application/taxii+json;version=2.0", False),
        ("application/taxii+json;version=2.1;q=0", False),
    ],
)
def test_accept_negotiation(accept: str | None, expected: bool) -> None:
    assert accepts_taxii(accept) is expected


def test_content_type_must_be_taxii_json() -> None:
    assert is_taxii_content("application/taxii+json;version=2.1")
    assert is_taxii_content("application/taxii+json; charset=utf-8")
    assert not is_taxii_content("application/json")
    assert not is_taxii_content("application/taxii+json;version=2.0")


def test_cursor_is_bound_to_its_key_and_request() -> None:
    signer = CursorSigner(b"k" * 32)
    token = signer.cursor(datetime(2026, 11, 30, tzinfo=UTC), 42, "objects|all|JP|[]")
    assert signer.position(token, "objects|all|JP|[]") == 42
    for scope in ("objects|all|KR|[]", "manifest|all|JP|[]"):
        with pytest.raises(InvalidInput, match="next: not a cursor"):
            signer.position(token, scope)
    with pytest.raises(InvalidInput):
        CursorSigner(b"x" * 32).position(token, "objects|all|JP|[]")
    payload, mac = token.split(".")
    with pytest.raises(InvalidInput):
        signer.position(f"{payload[:-2]}AA.{mac}", "objects|all|JP|[]")


def _client(node: Node, **settings: int) -> TestClient:
    node.settings = node.settings.model_copy(update=settings)
    return TestClient(create_app(node, background=False))


@pytest.fixture
def sqlite_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    from accord.core.settings import Settings

    node = Node(Settings(data_dir=tmp_path_factory.mktemp("node")))
    node.initialise(actor="test")
    yield node
    node.close()


def test_every_request_is_in_the_audit_log_with_what_left(sqlite_node: Node) -> None:
    _, secret = sqlite_node.principals.create_token(
        partner="JP", role=Role.READER, label="t", actor="t"
    )
    with _client(sqlite_node) as client:
        answer = client.get(COLLECTION, headers={"Authorization": f"Bearer {secret}"})
        client.get(COLLECTION, headers={"Authorization": "Bearer accord_wrong"})
    entries = sqlite_node.audit.entries(action="api.request")
    sent = len(answer.json()["objects"])
    assert [(e.actor.split(":")[0], e.detail["status"]) for e in entries] == [
        ("token", 200),
        ("anonymous", 401),
    ]
    assert entries[0].target == f"GET {COLLECTION}" and entries[0].detail["objects"] == sent
    sqlite_node.audit.verify()


def test_a_principal_over_its_rate_gets_429_with_retry_after(sqlite_node: Node) -> None:
    _, secret = sqlite_node.principals.create_token(
        partner="JP", role=Role.READER, label="t", actor="t"
    )
    headers = {"Authorization": f"Bearer {secret}"}
    with _client(sqlite_node, taxii_requests_per_minute=3) as client:
        codes = [client.get("/taxii2/api/", headers=headers).status_code for _ in range(4)]
        refused = client.get("/taxii2/api/", headers=headers)
    assert codes == [200, 200, 200, 429]
    assert refused.json()["http_status"] == "429"
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_bucket_refills_at_its_rate_and_never_beyond_its_burst() -> None:
    now = [0.0]
    limiter = RateLimiter(30, clock=lambda: now[0])
    assert [limiter.retry_after("a") for _ in range(30)] == [0.0] * 30
    assert limiter.retry_after("a") == pytest.approx(2.0)
    assert limiter.waiting("b") == 0.0
    now[0] = 1.9
    assert limiter.waiting("a") == pytest.approx(0.1)
    now[0] = 2.0
    assert limiter.retry_after("a") == 0.0 and limiter.waiting("a") > 0
    now[0] = 3600.0
    assert [limiter.retry_after("a") for _ in range(31)][-2:] == [0.0, pytest.approx(2.0)]


def test_failed_logins_from_one_address_are_slowed_down(
    sqlite_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Time stands still, so the 41 slow password checks cannot earn back a token meanwhile.
    monkeypatch.setattr(
        app_module, "RateLimiter", functools.partial(RateLimiter, clock=lambda: 0.0)
    )
    sqlite_node.principals.add_user(
        username="alice",
        password="correct horse battery",
        partner="EU",
        role=Role.ANALYST,
        actor="t",
    )
    wrong = base64.b64encode(b"alice:wrong password!").decode()
    right = base64.b64encode(b"alice:correct horse battery").decode()
    with _client(sqlite_node) as client:
        codes = [
            client.get("/taxii2/", headers={"Authorization": f"Basic {wrong}"}).status_code
            for _ in range(40)
        ]
        blocked = client.get("/taxii2/", headers={"Authorization": f"Basic {right}"})
    # 30 failures a minute: the first 30 are checked, then no more.
    assert set(codes[:30]) == {401} and codes[-1] == 429
    assert blocked.status_code == 429


def test_basic_login_stops_working_when_the_user_is_disabled(sqlite_node: Node) -> None:
    sqlite_node.principals.add_user(
        username="bob", password="correct horse battery", partner="JP", role=Role.READER, actor="t"
    )
    headers = {"Authorization": "Basic " + base64.b64encode(b"bob:correct horse battery").decode()}
    with _client(sqlite_node) as client:
        assert client.get("/taxii2/", headers=headers).status_code == 200
        sqlite_node.principals.disable_user("bob", actor="t")
        assert client.get("/taxii2/", headers=headers).status_code == 401


def test_unknown_match_field_is_a_400_naming_it(sqlite_node: Node) -> None:
    _, secret = sqlite_node.principals.create_token(
        partner="JP", role=Role.READER, label="t", actor="t"
    )
    with _client(sqlite_node) as client:
        answer = client.get(
            COLLECTION,
            params={"match[tpye]": "indicator"},
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert answer.status_code == 400
    assert "match[tpye]" in answer.json()["description"]


def test_openapi_schema_lists_the_taxii_routes(sqlite_node: Node) -> None:
    with _client(sqlite_node) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/taxii2/api/collections/{collection_id}/objects/" in paths
    assert "/taxii2/api/status/{status_id}/" in paths
