"""Federation inside one process: the canonical form's fast path, what leaves for a peer,
what a node accepts from one, the peer's view of the TAXII API, pull and push through
an in-process server, and the client's retries. The live three-node runs are in
test_federation_e2e.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from starlette.testclient import TestClient

from accord.api.app import create_app
from accord.core.database import Database
from accord.core.markings import (
    TLP2_IDS,
    Tlp,
    builtin_objects,
    release_marking,
)
from accord.core.node import Node
from accord.core.partners import partner_identity
from accord.core.peers import Peer, new_federation_key
from accord.core.principals import Role
from accord.core.queries import ObjectQuery
from accord.core.settings import Settings
from accord.core.signing import (
    SIGNATURE_EXTENSION_ID,
    canonical_bytes,
    is_node_reference,
    node_signing_key,
    public_key_text,
    sign_object,
    signature_extension_definition,
    unsigned_form,
    verify_object,
)
from accord.federation.client import PeerClient, PeerError, RetryPolicy
from accord.federation.rounds import run_round

JP_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
KR_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
FEDERATION_KEY = new_federation_key()


def indicator(number: int, *, marking: list[str] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=number, version=4)}",
        "created": "2026-11-30T10:00:00.000Z",
        "modified": "2026-11-30T10:00:00.000Z",
        "name": f"Ring site {number}",
        "pattern": f"[domain-name:value = 'site{number}.example']",
        "pattern_type": "stix",
        "valid_from": "2026-11-30T10:00:00Z",
    }
    if marking:
        obj["object_marking_refs"] = marking
    return obj


def released(number: int, tlp: Tlp, *grantees: str) -> dict[str, Any]:
    """An indicator marked `tlp` and released to `grantees`, as its owner would send it."""
    refs = [TLP2_IDS[tlp]] + ([release_marking(grantees)["id"]] if grantees else [])
    return indicator(number, marking=refs)


def make_node(path: Path, home: str, database_url: str | None = None) -> Node:
    settings = Settings(
        data_dir=path,
        database_url=database_url,
        home_partner=home,
        federation_key=FEDERATION_KEY,
        federation_page_size=3,
        federation_backoff_seconds=0.01,
    )
    made = Node(settings)
    made.initialise(actor="test")
    return made


@pytest.fixture
def eu(database: Database, tmp_path: Path) -> Iterator[Node]:
    """The EU node (SQLite and PostgreSQL), which knows JP's and KR's keys."""
    made = make_node(tmp_path / "eu", "EU", database.url)
    know_keys(made, {"JP": JP_KEY.public_key(), "KR": KR_KEY.public_key()})
    yield made
    made.close()


def know_keys(node: Node, keys: dict[str, Ed25519PublicKey]) -> None:
    """Register partners' keys on `node`, as peers it never syncs with here."""
    for partner, key in keys.items():
        name = partner.lower()
        node.peers.add(
            name,
            f"http://127.0.0.1/{name}/taxii2/api/",
            partner=partner,
            public_key=public_key_text(key),
            token="unused",
            mode="pull",
            actor="test",
        )


def stored_rows(node: Node, partner: str) -> list[tuple[str, str, str]]:
    """(id, version, owner) of every version `partner` may read on `node`."""
    query = ObjectQuery(types=("indicator",), versions="all")
    return sorted(
        (o.stix_id, str(o.version), o.owner)
        for o in node.store.objects(node.reader(partner), query)
    )


# -- the canonical form -------------------------------------------------------------------


def test_the_fast_canonical_form_equals_rfc8785_on_every_code_point() -> None:
    code_points = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    for start in range(0, len(code_points), 8192):
        text = "".join(map(chr, code_points[start : start + 8192]))
        obj = {"name": text, "list": [text[:50], 7, None, True]}
        assert canonical_bytes(obj) == rfc8785.dumps(obj)


def test_objects_the_fast_path_cannot_write_go_to_rfc8785() -> None:
    assert canonical_bytes({"confidence": 80.0}) == b'{"confidence":80}'
    assert canonical_bytes({"x": 1e21}) == rfc8785.dumps({"x": 1e21})
    assert canonical_bytes({"n": 2**53}) == b'{"n":9007199254740992}'
    # Keys beyond ASCII sort by UTF-16 code unit: U+10000 before U+FFFF.
    keyed = {"\uffff": 1, "\U00010000": 2}
    assert canonical_bytes(keyed) == rfc8785.dumps(keyed)
    assert canonical_bytes(keyed).index("\U00010000".encode()) < canonical_bytes(keyed).index(
        "\uffff".encode()
    )


def test_reference_objects_are_those_every_node_makes_itself() -> None:
    for obj in [
        *builtin_objects(),
        signature_extension_definition(),
        release_marking(["JP", "sdp-kr"]),
        partner_identity("JP", "Japan"),
    ]:
        assert is_node_reference(obj), obj["id"]
    statement = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--8f7c3b0e-4c53-4cd6-9e5b-6f2c1d8b9a01",
        "created": "2026-11-30T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "Copyright EU"},
    }
    assert not is_node_reference(statement)
    assert not is_node_reference(indicator(1))


# -- what leaves the node --------------------------------------------------------------


def test_home_objects_leave_signed_and_always_with_the_same_bytes(eu: Node) -> None:
    eu.import_objects([indicator(1)], actor="t", tlp=Tlp.AMBER, release=["JP"])
    stored = eu.store.get(eu.reader("JP"), indicator(1)["id"])
    first, second = eu.outbound().body(stored), eu.outbound().body(stored)
    assert orjson.dumps(first) == orjson.dumps(second)
    assert verify_object(first, {"EU": eu.public_key()}) == "EU"
    assert unsigned_form(first) == stored.body


def test_a_copy_redacted_for_the_peer_is_signed_anew_if_ours_and_unsigned_if_not(
    eu: Node,
) -> None:
    hidden = released(9, Tlp.AMBER, "KR")
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--5b9d3c2e-1f0a-4e8b-9c7d-6a5b4c3d2e1f",
        "created": "2026-11-30T10:00:00.000Z",
        "modified": "2026-11-30T10:00:00.000Z",
        "name": "Mixed",
        "published": "2026-11-30T10:00:00Z",
        "object_refs": [indicator(8)["id"], hidden["id"]],
    }
    eu.import_objects([indicator(8)], actor="t", tlp=Tlp.AMBER, release=["JP"])
    eu.import_objects([hidden], actor="t", tlp=Tlp.AMBER, release=["KR"])
    eu.import_objects([report], actor="t", tlp=Tlp.AMBER, release=["JP"])
    ours = eu.store.get(eu.reader("JP"), report["id"])
    assert ours.redacted and ours.body["object_refs"] == [indicator(8)["id"]]
    assert verify_object(eu.outbound().body(ours), {"EU": eu.public_key()}) == "EU"
    theirs = sign_object(
        {**report, "id": "report--0b9d3c2e-1f0a-4e8b-9c7d-6a5b4c3d2e1f"}, "JP", JP_KEY
    )
    theirs["object_marking_refs"] = [TLP2_IDS[Tlp.GREEN], release_marking(["KR", "EU"])["id"]]
    signed = sign_object(unsigned_form(theirs), "JP", JP_KEY)
    eu.receive_objects([release_marking(["KR", "EU"]), signed], actor="t")
    copy = eu.store.get(eu.reader("KR"), signed["id"])
    assert copy.redacted
    assert SIGNATURE_EXTENSION_ID not in eu.outbound().body(copy).get("extensions", {})


# -- what a node accepts from a peer --------------------------------------------------------


def test_verified_objects_are_stored_as_their_signers_and_bit_identical(eu: Node) -> None:
    sent = sign_object(released(1, Tlp.AMBER, "EU"), "JP", JP_KEY)
    report = eu.receive_objects([release_marking(["EU"]), sent], actor="peer:jp")
    assert (report.stored, report.rejected, report.owners) == (2, [], {"EU": 1, "JP": 1})
    held = eu.store.get(eu.reader(), sent["id"])
    assert held.owner == "JP" and orjson.dumps(held.body, option=orjson.OPT_SORT_KEYS) == (
        orjson.dumps(sent, option=orjson.OPT_SORT_KEYS)
    )
    again = eu.receive_objects([release_marking(["EU"]), sent], actor="peer:jp")
    assert (again.stored, again.duplicates) == (0, 2)
    assert stored_rows(eu, "EU") == [(sent["id"], "2026-11-30 10:00:00+00:00", "JP")]


def test_forged_altered_unsigned_and_unreleased_objects_are_refused(eu: Node) -> None:
    good = sign_object(released(1, Tlp.AMBER, "EU"), "JP", JP_KEY)
    altered = {**sign_object(released(2, Tlp.AMBER, "EU"), "JP", JP_KEY), "name": "changed"}
    forged = sign_object(released(3, Tlp.AMBER, "EU"), "JP", KR_KEY)  # KR's key, JP's name
    unknown = sign_object(released(4, Tlp.AMBER, "EU"), "NO", JP_KEY)  # no key for NO
    unsigned = released(5, Tlp.AMBER, "EU")
    not_ours = sign_object(released(6, Tlp.AMBER, "KR"), "JP", JP_KEY)
    red = sign_object(released(7, Tlp.RED, "EU"), "JP", JP_KEY)
    own = sign_object(released(8, Tlp.AMBER, "JP"), "EU", node_signing_key(eu.database))
    bad_marking = {**release_marking(["EU"]), "name": "Release to everyone"}
    delivery = [
        release_marking(["EU"]),
        release_marking(["KR"]),
        good,
        altered,
        forged,
        unknown,
        unsigned,
        not_ours,
        red,
        own,
        bad_marking,
    ]
    report = eu.receive_objects(delivery, actor="peer:jp")
    reasons = {rejection.index: rejection.reason for rejection in report.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 10}
    assert "does not match" in reasons[3] and "another key" in reasons[4]
    assert "not registered" in reasons[5] and "not signed" in reasons[6]
    assert "not released to EU" in reasons[7] and "not released to EU" in reasons[8]
    assert "derive" in reasons[10]
    assert report.skipped == 1  # EU's own object, coming back
    assert [row[0] for row in stored_rows(eu, "EU")] == [good["id"]]
    refusals = [e for e in eu.audit.entries() if e.action == "federation.refuse"]
    assert len(refusals) == 1 and len(refusals[0].detail["reasons"]) == 7
    assert any(e.action == "federation.receive" for e in eu.audit.entries())


def test_a_peer_cannot_version_an_object_another_partner_owns(eu: Node) -> None:
    eu.import_objects([indicator(1)], actor="t", tlp=Tlp.CLEAR)
    newer = {**indicator(1), "modified": "2026-12-01T00:00:00.000Z", "name": "taken over"}
    newer["object_marking_refs"] = [TLP2_IDS[Tlp.CLEAR]]
    report = eu.receive_objects([sign_object(newer, "JP", JP_KEY)], actor="peer:jp")
    assert report.stored == 0 and "only its owner" in report.rejected[0].reason


# -- the peer's view of the TAXII API -----------------------------------------------------


def _token(node: Node, partner: str, role: Role) -> str:
    return node.principals.create_token(partner=partner, role=role, label="t", actor="t")[1]


def _walk(client: TestClient, token: str, path: str = "objects/") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/taxii+json;version=2.1"}
    return client.get(f"/taxii2/api/collections/all/{path}", headers=headers)


def test_peers_read_only_what_may_be_passed_on_and_nothing_else(eu: Node) -> None:
    kr_strict = sign_object(released(1, Tlp.AMBER_STRICT, "EU", "JP"), "KR", KR_KEY)
    kr_amber = sign_object(released(2, Tlp.AMBER, "EU", "JP"), "KR", KR_KEY)
    eu.receive_objects([release_marking(["EU", "JP"]), kr_strict, kr_amber], actor="peer:kr")
    eu.import_objects([indicator(3)], actor="t", tlp=Tlp.AMBER, release=["JP"])
    eu.import_objects([indicator(4)], actor="t", tlp=Tlp.RED, release=["JP"])
    eu.import_objects([indicator(5)], actor="t", tlp=Tlp.AMBER, release=["NO"])
    with TestClient(create_app(eu, background=False)) as client:
        as_peer = _walk(client, _token(eu, "JP", Role.PEER)).json()["objects"]
        as_analyst = _walk(client, _token(eu, "JP", Role.ANALYST)).json()["objects"]
        outsider = _token(eu, "MD", Role.PEER)
        nothing = [
            _walk(client, outsider, f"{path}?match[type]=indicator")
            for path in ("objects/", "manifest/")
        ]
        single = _walk(client, outsider, f"objects/{indicator(3)['id']}/")
    peer_ids = {o["id"] for o in as_peer if o["type"] == "indicator"}
    assert peer_ids == {kr_amber["id"], indicator(3)["id"]}
    assert kr_strict["id"] in {o["id"] for o in as_analyst}  # read here, never passed on
    keys = {"EU": eu.public_key(), "KR": KR_KEY.public_key()}
    for obj in as_peer:
        if obj["type"] == "indicator":
            assert verify_object(obj, keys) == ("KR" if obj["id"] == kr_amber["id"] else "EU")
    for response in nothing:
        assert response.status_code == 200 and response.json() == {"more": False}
        assert "X-TAXII-Date-Added-First" not in response.headers
    assert single.status_code == 404


# -- pull and push through an in-process server ---------------------------------------


class InProcess:
    """Peer clients that reach in-process servers, by the peer's URL prefix."""

    def __init__(self) -> None:
        self.clients: dict[str, TestClient] = {}

    def serve(self, prefix: str, node: Node) -> TestClient:
        client = TestClient(create_app(node, background=False), base_url=prefix)
        self.clients[prefix] = client.__enter__()
        return client

    def __call__(self, node: Node, peer: Peer) -> PeerClient:
        prefix = next(p for p in self.clients if peer.url.startswith(p))
        transport = _Relay(self.clients[prefix])
        return PeerClient(peer.url, node.peers.token(peer.name), transport=transport)

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)


class _Relay(httpx.BaseTransport):
    """Hands the peer client's requests to a test client of the server's app."""

    def __init__(self, client: TestClient):
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._client.request(
            request.method, str(request.url), headers=dict(request.headers), content=request.read()
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@pytest.fixture
def servers() -> Iterator[InProcess]:
    made = InProcess()
    yield made
    made.close()


def _register(node: Node, name: str, server: Node, partner: str, mode: str) -> None:
    node.peers.add(
        name,
        f"https://{name}.test/taxii2/api/",
        partner=partner,
        public_key=public_key_text(server.public_key()),
        token=_token(server, node.settings.home_partner, Role.PEER),
        mode=mode,
        actor="test",
    )


def test_a_pull_brings_exactly_what_was_released_and_then_only_what_is_new(
    eu: Node, tmp_path: Path, servers: InProcess
) -> None:
    eu.import_objects([indicator(n) for n in range(1, 8)], actor="t", tlp=Tlp.AMBER, release=["JP"])
    eu.import_objects([indicator(20)], actor="t", tlp=Tlp.AMBER, release=["KR"])
    eu.import_objects([indicator(21)], actor="t", tlp=Tlp.RED, release=["JP"])
    jp = make_node(tmp_path / "jp", "JP")
    servers.serve("https://eu.test", eu)
    _register(jp, "eu", eu, "EU", "pull")
    first = run_round(jp, client_factory=servers)
    assert [(t.direction, t.objects - 1, t.refused, t.error) for t in first] == [
        ("pull", 7, 0, None)  # and the release marking
    ]
    expected = [(indicator(n)["id"], "2026-11-30 10:00:00+00:00", "EU") for n in range(1, 8)]
    assert stored_rows(jp, "JP") == sorted(expected)
    for stored in jp.store.objects(jp.reader(), ObjectQuery(types=("indicator",))):
        assert verify_object(stored.body, {"EU": eu.public_key()}) == "EU"
    again = run_round(jp, client_factory=servers)
    assert (again[0].objects, again[0].duplicates, again[0].pages) == (0, 0, 1)
    eu.import_objects([indicator(30), indicator(31)], actor="t", tlp=Tlp.GREEN, release=["JP"])
    third = run_round(jp, client_factory=servers)
    assert third[0].objects == 2 and len(stored_rows(jp, "JP")) == 9  # the marking is held
    jp.close()


def test_a_push_sends_what_may_be_passed_on_and_never_twice(
    eu: Node, tmp_path: Path, servers: InProcess
) -> None:
    jp = make_node(tmp_path / "jp", "JP")
    servers.serve("https://jp-node.test", jp)
    _register(eu, "jp-node", jp, "JP", "push")
    know_keys(jp, {"EU": eu.public_key(), "KR": KR_KEY.public_key()})
    kr_amber = sign_object(released(1, Tlp.AMBER, "EU", "JP"), "KR", KR_KEY)
    kr_strict = sign_object(released(2, Tlp.AMBER_STRICT, "EU", "JP"), "KR", KR_KEY)
    eu.receive_objects([release_marking(["EU", "JP"]), kr_amber, kr_strict], actor="peer:kr")
    eu.import_objects([indicator(3), indicator(4)], actor="t", tlp=Tlp.AMBER, release=["JP"])
    eu.import_objects([indicator(5)], actor="t", tlp=Tlp.RED, release=["JP"])
    eu.import_objects([indicator(6)], actor="t", tlp=Tlp.AMBER, release=["KR"])
    eu.import_objects([indicator(7)], owner="KR", actor="t", tlp=Tlp.AMBER, release=["JP"])
    [pushed] = run_round(eu, ["jp-node"], client_factory=servers)
    assert (pushed.objects, pushed.refused, pushed.withheld, pushed.error) == (3, 0, 1, None)
    assert {row[0]: row[2] for row in stored_rows(jp, "JP")} == {
        kr_amber["id"]: "KR",
        indicator(3)["id"]: "EU",
        indicator(4)["id"]: "EU",
    }
    [again] = run_round(eu, ["jp-node"], client_factory=servers)
    assert (again.objects, again.pages) == (0, 0)
    sends = [e for e in eu.audit.entries() if e.action == "federation.send"]
    assert [e.detail["sent"] for e in sends] == [3]
    jp.close()


# -- the client's retries ---------------------------------------------------------------


def _client(handler: Any, waits: list[float], retries: int = 4) -> PeerClient:
    policy = RetryPolicy(retries=retries, backoff_seconds=0.5, sleep=waits.append)
    return PeerClient(
        "https://peer.test/taxii2/api/",
        "secret",
        policy=policy,
        transport=httpx.MockTransport(handler),
    )


def test_failures_are_retried_with_growing_jittered_waits_and_retry_after() -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.ConnectError("refused"),
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json={"collections": [{"id": "c"}]}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer secret"
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    waits: list[float] = []
    assert _client(handler, waits).collections() == [{"id": "c"}]
    assert len(waits) == 3 and 0 <= waits[0] <= 0.5 and 0 <= waits[1] <= 1.0 and waits[2] >= 7


def test_a_refusal_is_final_and_retries_end() -> None:
    waits: list[float] = []
    refused = _client(lambda _: httpx.Response(403, json={"description": "no"}), waits)
    with pytest.raises(PeerError, match="403 no") as error:
        refused.collections()
    assert error.value.status == 403 and waits == []
    down = _client(lambda _: httpx.Response(502), waits, retries=2)
    with pytest.raises(PeerError, match="gave up after 3 attempts"):
        down.collections()
    assert len(waits) == 2


def test_revocations_and_new_versions_travel_and_every_version_is_kept(
    eu: Node, tmp_path: Path, servers: InProcess
) -> None:
    eu.import_objects([indicator(1)], actor="t", tlp=Tlp.AMBER, release=["JP"])
    jp = make_node(tmp_path / "jp", "JP")
    servers.serve("https://eu.test", eu)
    _register(jp, "eu", eu, "EU", "pull")
    run_round(jp, client_factory=servers)
    revoked = {**indicator(1), "modified": "2026-12-01T00:00:00.000Z", "revoked": True}
    eu.import_objects([revoked], actor="t", tlp=Tlp.AMBER, release=["JP"])
    run_round(jp, client_factory=servers)
    versions = [row[1] for row in stored_rows(jp, "JP")]
    assert versions == ["2026-11-30 10:00:00+00:00", "2026-12-01 00:00:00+00:00"]
    latest = jp.store.get(jp.reader(), indicator(1)["id"])
    assert latest.revoked and verify_object(latest.body, {"EU": eu.public_key()}) == "EU"
    jp.close()


def test_versions_of_one_object_from_two_peers_are_both_kept(eu: Node) -> None:
    first = sign_object(released(1, Tlp.AMBER, "EU"), "JP", JP_KEY)
    second = sign_object(
        {**unsigned_form(first), "modified": "2026-12-01T00:00:00.000Z"}, "JP", JP_KEY
    )
    # The newer version comes first (from one peer), the older one later (from another).
    eu.receive_objects([release_marking(["EU"]), second], actor="peer:kr")
    eu.receive_objects([release_marking(["EU"]), first], actor="peer:jp")
    assert [row[1] for row in stored_rows(eu, "EU")] == [
        "2026-11-30 10:00:00+00:00",
        "2026-12-01 00:00:00+00:00",
    ]
    assert eu.store.get(eu.reader(), first["id"]).body == second
