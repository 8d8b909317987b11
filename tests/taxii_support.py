"""The live TAXII 2.1 server, its callers and the clients of the TAXII interop tests.

The test modules ``test_taxii_client``, ``test_taxii_objects`` and ``test_taxii_http``
import the fixtures here by name, so each has a live ``accord serve`` process of its own
(module scope: one per test module and xdist worker). They talk to it through
``taxii2client.v21`` as a partner's tooling would, and through plain ``httpx`` where the
wire itself (headers, status codes, error bodies) is the point. Section numbers are those
of OASIS TAXII 2.1 (10 June 2021).

A test that reads a whole collection writes into a collection of its own (declared by
``ACCORD_COLLECTIONS_FILE``, selecting its objects by a label), so what it reads back is
exactly what it posted; the other tests read back by object id.

Each fixture's function is named ``fixture_<name>`` and declared with ``name=``, so that
a test's argument (``server``) does not shadow the imported function.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import requests
from taxii2client.v21 import Collection, Status, as_pages

from accord.core.principals import Role
from tests.data import SHARED_DATA, indicator
from tests.live_server import LiveServer, live_server

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
BACKGROUND_OBJECTS = 20
PAGE_MAX = 10
MAX_CONTENT_BYTES = 128 * 1024
PAGED_OBJECTS = 27  # three envelopes of nine: six pages of five
SERVER_SETTINGS = {
    "ACCORD_TAXII_BACKGROUND_OBJECTS": str(BACKGROUND_OBJECTS),
    "ACCORD_TAXII_PAGE_MAX": str(PAGE_MAX),
    "ACCORD_TAXII_MAX_CONTENT_BYTES": str(MAX_CONTENT_BYTES),
}
# Collections of these tests only: each selects the objects posted to it by its label.
TEST_COLLECTIONS = {
    "interop-paging": "interop:paging",
    "interop-filters": "interop:filters",
    "interop-versions": "interop:versions",
    "interop-bulk": "interop:bulk",
    "interop-emitted": "interop:emitted",
    "interop-deletes": "interop:deletes",
}
READ_ONLY_COLLECTION = "interop-published"
SHARED_EXAMPLES = SHARED_DATA / "cyber" / "stix_examples"
BASIC_USER, BASIC_PASSWORD = "ayumi.tanaka", "correct horse battery staple"


# -- fixtures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """Bearer tokens of the main server, one per kind of caller."""

    eu_analyst: str
    eu_reader: str
    jp_analyst: str


@pytest.fixture(scope="module", name="server")
def fixture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The main server: small pages, a small background threshold and body limit."""
    data_dir = tmp_path_factory.mktemp("taxii-node")
    collections_file = data_dir / "collections.toml"
    collections_file.write_text(_collections_toml(), encoding="utf-8")
    settings = {**SERVER_SETTINGS, "ACCORD_COLLECTIONS_FILE": str(collections_file)}
    with live_server(data_dir / "node", settings) as live:
        live.add_user(BASIC_USER, BASIC_PASSWORD, "JP", Role.READER)
        yield live


@pytest.fixture(scope="module", name="tokens")
def fixture_tokens(server: LiveServer) -> Tokens:
    return Tokens(
        eu_analyst=server.token("EU", Role.ANALYST),
        eu_reader=server.token("EU", Role.READER),
        jp_analyst=server.token("JP", Role.ANALYST),
    )


@dataclass(frozen=True)
class FilterObjects:
    """Posted to interop-filters in two envelopes: a1, b, malware; then a2 (a newer
    version of a1) and c."""

    a1: dict[str, Any]
    a2: dict[str, Any]
    b: dict[str, Any]
    c: dict[str, Any]
    malware: dict[str, Any]
    first_envelope_added: str  # date_added of the first envelope's objects

    @property
    def latest_ids(self) -> set[str]:
        return {self.a2["id"], self.b["id"], self.c["id"], self.malware["id"]}


@pytest.fixture(scope="module", name="filter_objects")
def fixture_filter_objects(server: LiveServer, tokens: Tokens) -> FilterObjects:
    a1 = indicator(1)
    a2 = {**a1, "modified": "2026-03-02T10:00:00.000Z", "name": "C2 1 (revised)"}
    b, c = indicator(2), indicator(3)
    malware = {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.uuid4()}",
        "created": "2026-03-01T09:00:00.000Z",
        "modified": "2026-03-01T09:00:00.000Z",
        "name": "ShadowPad",
        "is_family": True,
    }
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    added([a1, b, malware], collection)
    added([a2, c], collection)
    [entry] = collection.get_manifest(id=b["id"])["objects"]
    return FilterObjects(a1, a2, b, c, malware, entry["date_added"])


@pytest.fixture(scope="module", name="paged_ids")
def fixture_paged_ids(server: LiveServer, tokens: Tokens) -> list[str]:
    """The ids of the objects of interop-paging, in the order they were added."""
    collection = taxii_collection(server, tokens.eu_analyst, "interop-paging")
    objects = [indicator(number) for number in range(PAGED_OBJECTS)]
    for start in range(0, PAGED_OBJECTS, 9):
        added(objects[start : start + 9], collection)
    return [obj["id"] for obj in objects]


# -- clients -----------------------------------------------------------------------------


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer`` for taxii2-client (its own TokenAuth sends ``Token``,
    which the server also takes)."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def taxii_collection(server: LiveServer, token: str, alias: str) -> Collection:
    """A taxii2-client collection, addressed by id as the client does."""
    return Collection(server.collection_url(alias), auth=BearerAuth(token))


def http(server: LiveServer, token: str | None = None, **headers: str) -> httpx.Client:
    """An httpx client on the API root that sends TAXII 2.1 headers (and the token)."""
    sent = {"Accept": TAXII, "Content-Type": TAXII}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=server.api_root_url, headers={**sent, **headers}, timeout=30)


def envelope(objects: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"objects": list(objects)}


def added(objects: Sequence[dict[str, Any]], collection: Collection) -> Status:
    """Post objects and wait for them to be stored; every one must be."""
    status = collection.add_objects(envelope(objects), poll_interval=0.2, timeout=60)
    assert status.status == "complete", status._raw
    assert status.failure_count == 0, status.failures
    return status


def every_page(endpoint: Callable[..., dict[str, Any]], **filters: Any) -> list[dict[str, Any]]:
    """All pages of a paged endpoint, as taxii2-client's as_pages walks them."""
    return list(as_pages(endpoint, per_request=PAGE_MAX, **filters))


def objects_of(pages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [obj for page in pages for obj in page.get("objects", [])]


def instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def http_status(call: Callable[[], Any]) -> int:
    """The HTTP status with which taxii2-client's call failed."""
    with pytest.raises(requests.HTTPError) as failure:
        call()
    response = failure.value.response
    assert response is not None
    return response.status_code


def assert_taxii_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """A TAXII error message (§3.6.1): TAXII JSON, a title, http_status as a string."""
    assert response.status_code == status, response.text
    assert media_type(response) == ("application/taxii+json", "2.1")
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("title"), str) and body["title"]
    assert body.get("http_status", str(status)) == str(status)
    assert isinstance(body.get("description", ""), str)
    return body


def media_type(response: httpx.Response) -> tuple[str, str | None]:
    """The response's media type and its version parameter."""
    media, *parameters = (part.strip() for part in response.headers["content-type"].split(";"))
    named = dict(part.partition("=")[::2] for part in parameters)
    return media.lower(), named.get("version")


def _collections_toml() -> str:
    tables = [
        f'[[collection]]\nalias = "{alias}"\ntitle = "Interop test: {alias}"\nlabel = "{label}"\n'
        for alias, label in TEST_COLLECTIONS.items()
    ]
    tables.append(
        f'[[collection]]\nalias = "{READ_ONLY_COLLECTION}"\ntitle = "Published"\nwritable = false\n'
    )
    return "\n".join(tables)
