"""Interoperability of Accord's TAXII 2.1 server with the OASIS client, over real HTTP.

Every test talks to a live ``accord serve`` process (one per xdist worker, plus a small
one for the request-rate limit): through ``taxii2client.v21`` as a partner's tooling
would, and through plain ``httpx`` where the wire itself (headers, status codes, error
bodies) is the point. Section numbers are those of OASIS TAXII 2.1 (10 June 2021).

A test that reads a whole collection writes into a collection of its own (declared by
``ACCORD_COLLECTIONS_FILE``, selecting its objects by a label), so what it reads back is
exactly what it posted; the other tests read back by object id.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import requests
from stix2validator import ValidationOptions, validate_instance
from taxii2client.common import TokenAuth
from taxii2client.exceptions import AccessError
from taxii2client.v21 import ApiRoot, Collection, Server, Status, as_pages

from accord.core.collections import collection_id
from accord.core.principals import Role
from tests.data import SHARED_DATA, indicator, stix_example_files
from tests.live_server import LiveServer, live_server

# stix2-validator itself catches a jsonschema class that is deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:stix2validator")

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
# Collections of this module only: each selects the objects posted to it by its label.
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The main server: small pages, a small background threshold and body limit."""
    data_dir = tmp_path_factory.mktemp("taxii-node")
    collections_file = data_dir / "collections.toml"
    collections_file.write_text(_collections_toml(), encoding="utf-8")
    settings = {**SERVER_SETTINGS, "ACCORD_COLLECTIONS_FILE": str(collections_file)}
    with live_server(data_dir / "node", settings) as live:
        live.add_user(BASIC_USER, BASIC_PASSWORD, "JP", Role.READER)
        yield live


@pytest.fixture(scope="module")
def tokens(server: LiveServer) -> Tokens:
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


@pytest.fixture(scope="module")
def filter_objects(server: LiveServer, tokens: Tokens) -> FilterObjects:
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


@pytest.fixture(scope="module")
def paged_ids(server: LiveServer, tokens: Tokens) -> list[str]:
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


# -- discovery, API root, collections (§4.1, §4.2, §5.1, §5.2) ---------------------------


def test_discovery_names_the_one_api_root_as_default(server: LiveServer, tokens: Tokens) -> None:
    with Server(server.discovery_url, auth=BearerAuth(tokens.eu_analyst)) as taxii:
        assert taxii.title
        assert [root.url for root in taxii.api_roots] == [server.api_root_url]
        assert taxii.default is not None
        assert taxii.default.url == server.api_root_url


def test_the_clients_own_token_auth_works_too(server: LiveServer, tokens: Tokens) -> None:
    with Server(server.discovery_url, auth=TokenAuth(tokens.eu_reader)) as taxii:
        assert taxii.default is not None and taxii.default.url == server.api_root_url


def test_http_basic_user_discovers_the_api_root_and_its_collections(server: LiveServer) -> None:
    with Server(server.discovery_url, user=BASIC_USER, password=BASIC_PASSWORD) as taxii:
        root = taxii.default
        assert root is not None
        assert root.versions == [TAXII]
        assert "group-sdp-jp" in {collection.alias for collection in root.collections}


def test_api_root_serves_taxii_2_1_and_states_its_max_content_length(
    server: LiveServer, tokens: Tokens
) -> None:
    with ApiRoot(server.api_root_url, auth=BearerAuth(tokens.eu_reader)) as root:
        assert root.title
        assert root.versions == [TAXII]
        assert root.max_content_length == MAX_CONTENT_BYTES


def test_reader_role_token_may_read_but_not_write_any_collection(
    server: LiveServer, tokens: Tokens
) -> None:
    with ApiRoot(server.api_root_url, auth=BearerAuth(tokens.eu_reader)) as root:
        collections = root.collections
    assert {"all", "cyber", "group-sdp-jp", READ_ONLY_COLLECTION} <= {c.alias for c in collections}
    assert all(c.can_read and not c.can_write for c in collections)
    assert all(c.media_types == [STIX] for c in collections)


def test_analyst_may_write_writable_collections_but_not_a_read_only_one(
    server: LiveServer, tokens: Tokens
) -> None:
    with ApiRoot(server.api_root_url, auth=BearerAuth(tokens.eu_analyst)) as root:
        can_write = {c.alias: c.can_write for c in root.collections}
    assert can_write["all"] and can_write["cyber"] and can_write["group-sdp-kr"]
    assert not can_write[READ_ONLY_COLLECTION]


def test_jp_caller_sees_its_groups_collections_and_never_another_groups(
    server: LiveServer, tokens: Tokens
) -> None:
    with ApiRoot(server.api_root_url, auth=BearerAuth(tokens.jp_analyst)) as root:
        aliases = {c.alias for c in root.collections}
    assert {"all", "cyber", "group-sdp-jp", "group-maritime-indo-pacific"} <= aliases
    assert not aliases & {"group-sdp-kr", "group-sdp-no", "group-sdp-md", "group-eu-member-states"}


def test_collection_of_a_group_the_caller_is_not_in_is_404_not_403(
    server: LiveServer, tokens: Tokens
) -> None:
    other_group = collection_id("group-sdp-kr")
    with http(server, tokens.jp_analyst) as client:
        for path in ("", "objects/", "manifest/"):
            assert_taxii_error(client.get(f"collections/{other_group}/{path}"), 404)
        posted = client.post(f"collections/{other_group}/objects/", json=envelope([indicator()]))
        assert_taxii_error(posted, 404)
    reading = taxii_collection(server, tokens.jp_analyst, "group-sdp-kr")
    assert http_status(reading.refresh) == 404


def test_unknown_collection_is_404(server: LiveServer, tokens: Tokens) -> None:
    unknown = uuid.uuid4()
    with http(server, tokens.eu_analyst) as client:
        for path in ("", "objects/", "manifest/", f"objects/indicator--{uuid.uuid4()}/"):
            assert_taxii_error(client.get(f"collections/{unknown}/{path}"), 404)
        assert_taxii_error(client.post(f"collections/{unknown}/objects/", json=envelope([])), 404)


# -- add objects and status (§5.4, §4.3) -------------------------------------------------


def test_small_envelope_is_stored_at_once_with_each_objects_outcome(
    server: LiveServer, tokens: Tokens
) -> None:
    good = [indicator(1), indicator(2)]
    broken = indicator(3)
    del broken["pattern"]
    collection = taxii_collection(server, tokens.eu_analyst, "cyber")

    status = collection.add_objects(envelope([*good, broken]), wait_for_completion=False)

    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (3, 2, 1)
    assert status.pending_count == 0
    assert {item["id"] for item in status.successes} == {obj["id"] for obj in good}
    assert all(
        instant(item["version"]) == instant(good[0]["modified"]) for item in status.successes
    )
    [failure] = status.failures
    assert failure["id"] == broken["id"]
    assert "pattern" in failure["message"]
    with ApiRoot(server.api_root_url, auth=BearerAuth(tokens.eu_analyst)) as root:
        again = root.get_status(status.id)
    assert (again.status, again.success_count, again.failure_count) == ("complete", 2, 1)
    stored = collection.get_objects(id=[obj["id"] for obj in [*good, broken]])["objects"]
    assert {obj["id"] for obj in stored} == {obj["id"] for obj in good}


def test_envelope_over_the_background_threshold_is_pending_then_completes(
    server: LiveServer, tokens: Tokens
) -> None:
    good = [indicator(number) for number in range(BACKGROUND_OBJECTS + 5)]
    broken = {**indicator(99), "valid_from": "yesterday"}
    collection = taxii_collection(server, tokens.eu_analyst, "interop-bulk")

    status = collection.add_objects(envelope([*good, broken]), wait_for_completion=False)

    total = len(good) + 1
    assert status.status == "pending"
    assert (status.total_count, status.pending_count, status.success_count) == (total, total, 0)
    status.wait_until_final(poll_interval=0.2, timeout=60)
    assert status.status == "complete", status._raw
    assert (status.success_count, status.failure_count, status.pending_count) == (len(good), 1, 0)
    assert {item["id"] for item in status.successes} == {obj["id"] for obj in good}
    [failure] = status.failures
    assert failure["id"] == broken["id"]
    assert "valid_from" in failure["message"]
    stored = objects_of(every_page(collection.get_manifest))
    assert sorted(entry["id"] for entry in stored) == sorted(obj["id"] for obj in good)


def test_status_of_another_partners_submission_is_404(server: LiveServer, tokens: Tokens) -> None:
    status = added([indicator()], taxii_collection(server, tokens.eu_analyst, "cyber"))
    with ApiRoot(server.api_root_url, auth=BearerAuth(tokens.jp_analyst)) as root:
        assert http_status(lambda: root.get_status(status.id)) == 404
    with http(server, tokens.eu_analyst) as client:
        for path in (f"status/{status.id}/", f"status/{status.id}"):
            assert client.get(path).json()["id"] == status.id
        assert_taxii_error(client.get(f"status/{uuid.uuid4()}/"), 404)


def test_posting_a_stix_bundle_instead_of_an_envelope_stores_its_objects(
    server: LiveServer, tokens: Tokens
) -> None:
    objects = [indicator(1), indicator(2)]
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    with http(server, tokens.eu_analyst) as client:
        response = client.post("collections/cyber/objects/", json=bundle)
    assert response.status_code == 202, response.text
    assert media_type(response) == ("application/taxii+json", "2.1")
    assert (response.json()["status"], response.json()["success_count"]) == ("complete", 2)
    collection = taxii_collection(server, tokens.eu_analyst, "cyber")
    for obj in objects:
        assert collection.get_object(obj["id"])["objects"][0]["id"] == obj["id"]


def test_reader_role_may_not_add_objects(server: LiveServer, tokens: Tokens) -> None:
    with http(server, tokens.eu_reader) as client:
        assert_taxii_error(client.post("collections/cyber/objects/", json=envelope([])), 403)
    # taxii2-client believes the collection's can_write and does not even send it.
    collection = taxii_collection(server, tokens.eu_reader, "cyber")
    with pytest.raises(AccessError):
        collection.add_objects(envelope([indicator()]))


# -- get objects and its filters (§5.3, §3.4) --------------------------------------------


def test_get_objects_gives_the_latest_version_of_each_object(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    found = taxii_collection(server, tokens.eu_analyst, "interop-filters").get_objects()
    assert found["more"] is False
    assert {obj["id"] for obj in found["objects"]} == filter_objects.latest_ids
    [a] = [obj for obj in found["objects"] if obj["id"] == filter_objects.a1["id"]]
    assert a["modified"] == filter_objects.a2["modified"]
    assert "interop:filters" in a["labels"]


def test_added_after_gives_only_objects_added_later(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    found = collection.get_objects(added_after=filter_objects.first_envelope_added)
    assert {(obj["id"], obj["modified"]) for obj in found["objects"]} == {
        (filter_objects.a2["id"], filter_objects.a2["modified"]),
        (filter_objects.c["id"], filter_objects.c["modified"]),
    }
    assert "objects" not in collection.get_objects(added_after="2999-01-01T00:00:00.000Z")


def test_limit_and_next_walk_the_objects_a_page_at_a_time(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    first = collection.get_objects(limit=3)
    assert (len(first["objects"]), first["more"]) == (3, True)
    assert first["next"]
    second = collection.get_objects(limit=3, next=first["next"])
    assert (len(second["objects"]), second["more"]) == (1, False)
    assert "next" not in second
    ids = [obj["id"] for obj in [*first["objects"], *second["objects"]]]
    assert sorted(ids) == sorted(filter_objects.latest_ids)


def test_match_id_selects_objects_by_id(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    b, c = filter_objects.b["id"], filter_objects.c["id"]
    assert [obj["id"] for obj in collection.get_objects(id=b)["objects"]] == [b]
    assert {obj["id"] for obj in collection.get_objects(id=[b, c])["objects"]} == {b, c}
    assert "objects" not in collection.get_objects(id=f"indicator--{uuid.uuid4()}")


def test_match_type_selects_objects_by_type(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    malware = collection.get_objects(type="malware")["objects"]
    assert [obj["id"] for obj in malware] == [filter_objects.malware["id"]]
    both = collection.get_objects(type=["indicator", "malware"])["objects"]
    assert {obj["id"] for obj in both} == filter_objects.latest_ids
    assert "objects" not in collection.get_objects(type="campaign")


def test_match_version_picks_first_last_all_or_an_exact_version(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    a1, a2 = filter_objects.a1, filter_objects.a2

    def versions(**filters: Any) -> list[str]:
        found = collection.get_objects(id=a1["id"], **filters).get("objects", [])
        return sorted(obj["modified"] for obj in found)

    assert versions(version="first") == [a1["modified"]]
    assert versions(version="last") == [a2["modified"]]
    assert versions(version="all") == [a1["modified"], a2["modified"]]
    assert versions(version=a1["modified"]) == [a1["modified"]]
    assert versions(version=[a1["modified"], a2["modified"]]) == [a1["modified"], a2["modified"]]
    assert versions(version="2020-01-01T00:00:00.000Z") == []
    everything = collection.get_objects(version="all")["objects"]
    assert len(everything) == len(filter_objects.latest_ids) + 1


def test_match_spec_version_selects_by_stix_version(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    found = collection.get_objects(spec_version="2.1")["objects"]
    assert {obj["id"] for obj in found} == filter_objects.latest_ids
    assert "objects" not in collection.get_objects(spec_version="2.0")


def test_bad_filter_values_are_400(server: LiveServer, tokens: Tokens) -> None:
    with http(server, tokens.eu_analyst) as client:
        for query in (
            {"added_after": "last tuesday"},
            {"limit": "ten"},
            {"match[version]": "newest"},
            {"match[spec_version]": "3.0"},
        ):
            assert_taxii_error(client.get("collections/cyber/objects/", params=query), 400)


# -- paging (§3.4, taxii2-client's as_pages) ---------------------------------------------


def test_as_pages_yields_every_object_exactly_once_over_six_pages(
    server: LiveServer, tokens: Tokens, paged_ids: list[str]
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-paging")
    pages = list(as_pages(collection.get_objects, per_request=5))
    assert [len(page["objects"]) for page in pages] == [5, 5, 5, 5, 5, 2]
    assert [page["more"] for page in pages] == [True] * 5 + [False]
    ids = [obj["id"] for obj in objects_of(pages)]
    assert ids == paged_ids  # oldest added first (§5.3), each once
    assert not [item for item, count in Counter(ids).items() if count > 1]


def test_as_pages_over_the_manifest_yields_every_entry_exactly_once(
    server: LiveServer, tokens: Tokens, paged_ids: list[str]
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-paging")
    pages = list(as_pages(collection.get_manifest, per_request=4))
    assert len(pages) == 7
    assert [entry["id"] for entry in objects_of(pages)] == paged_ids


def test_page_size_is_capped_by_the_server_and_as_pages_follows_it(
    server: LiveServer, tokens: Tokens, paged_ids: list[str]
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-paging")
    capped = collection.get_objects(limit=1000)
    assert (len(capped["objects"]), capped["more"]) == (PAGE_MAX, True)
    pages = list(as_pages(collection.get_objects, per_request=0))
    assert [len(page["objects"]) for page in pages] == [10, 10, 7]
    assert [obj["id"] for obj in objects_of(pages)] == paged_ids


def test_date_added_headers_are_those_of_the_first_and_last_object_of_the_page(
    server: LiveServer, tokens: Tokens, paged_ids: list[str]
) -> None:
    path = f"collections/{collection_id('interop-paging')}"
    with http(server, tokens.eu_analyst) as client:
        manifest = client.get(f"{path}/manifest/", params={"limit": 10})
        entries = manifest.json()["objects"]
        objects = client.get(f"{path}/objects/", params={"limit": 10})
        second = client.get(
            f"{path}/objects/", params={"limit": 10, "next": objects.json()["next"]}
        )
        second_entries = client.get(
            f"{path}/manifest/", params={"limit": 10, "next": manifest.json()["next"]}
        ).json()["objects"]
    assert [entry["id"] for entry in entries] == [obj["id"] for obj in objects.json()["objects"]]
    assert entries[0]["date_added"] != entries[-1]["date_added"]  # two envelopes on the page
    for response, page in ((manifest, entries), (objects, entries), (second, second_entries)):
        assert response.headers["X-TAXII-Date-Added-First"] == page[0]["date_added"]
        assert response.headers["X-TAXII-Date-Added-Last"] == page[-1]["date_added"]


def test_date_added_headers_of_one_object_are_those_of_its_first_and_last_version(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    path = f"collections/{collection_id('interop-filters')}"
    object_id = filter_objects.a1["id"]
    with http(server, tokens.eu_analyst) as client:
        every = {"match[id]": object_id, "match[version]": "all"}
        entries = client.get(f"{path}/manifest/", params=every).json()["objects"]
        versions = client.get(f"{path}/objects/{object_id}/versions/")
        versioned = client.get(f"{path}/objects/{object_id}/", params={"match[version]": "all"})
    assert len(entries) == 2
    for response in (versions, versioned):
        assert response.headers["X-TAXII-Date-Added-First"] == entries[0]["date_added"]
        assert response.headers["X-TAXII-Date-Added-Last"] == entries[-1]["date_added"]


def test_forged_altered_or_borrowed_next_is_400(
    server: LiveServer, tokens: Tokens, paged_ids: list[str]
) -> None:
    path = f"collections/{collection_id('interop-paging')}"
    with http(server, tokens.eu_analyst) as client:
        issued = client.get(f"{path}/objects/", params={"limit": 5}).json()["next"]
        # Another first character changes the cursor's bytes (a last one may not: base64).
        altered = ("X" if issued[0] != "X" else "Y") + issued[1:]
        for params in (
            {"next": "forged"},
            {"next": altered},
            {"next": issued, "match[type]": "malware"},  # another request's cursor
        ):
            assert_taxii_error(client.get(f"{path}/objects/", params=params), 400)
        assert_taxii_error(client.get(f"{path}/manifest/", params={"next": issued}), 400)
        assert client.get(f"{path}/objects/", params={"next": issued}).status_code == 200


# -- manifest, versions, one object (§5.5, §5.6, §5.8) -----------------------------------


def test_manifest_describes_each_latest_version(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-filters")
    entries = collection.get_manifest()["objects"]
    assert {entry["id"] for entry in entries} == filter_objects.latest_ids
    for entry in entries:
        assert set(entry) >= {"id", "date_added", "version", "media_type"}
        assert entry["media_type"] == STIX
        assert instant(entry["date_added"]) >= instant(filter_objects.first_envelope_added)
    [a] = [entry for entry in entries if entry["id"] == filter_objects.a1["id"]]
    assert instant(a["version"]) == instant(filter_objects.a2["modified"])
    assert len(collection.get_manifest(version="all")["objects"]) == len(entries) + 1


def test_object_versions_lists_every_version_oldest_first(
    server: LiveServer, tokens: Tokens
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-versions")
    first = indicator(7)
    second = {**first, "modified": "2026-04-01T08:30:00.000Z", "description": "Still active."}
    added([first], collection)
    added([second], collection)

    versions = collection.object_versions(first["id"])

    assert versions["more"] is False
    assert [instant(v) for v in versions["versions"]] == [
        instant(first["modified"]),
        instant(second["modified"]),
    ]
    latest = collection.get_object(first["id"])["objects"]
    assert [obj["modified"] for obj in latest] == [second["modified"]]
    every = collection.get_object(first["id"], version="all")["objects"]
    assert [obj["modified"] for obj in every] == [first["modified"], second["modified"]]
    oldest = collection.get_object(first["id"], version="first")["objects"]
    assert oldest == [{**first, "labels": ["interop:versions"]}]
    assert http_status(lambda: collection.object_versions(f"indicator--{uuid.uuid4()}")) == 404


def test_object_not_released_to_the_caller_is_404_never_403(
    server: LiveServer, tokens: Tokens
) -> None:
    owners_only = indicator(11)  # no release list: the owner (EU) alone reads it
    added([owners_only], taxii_collection(server, tokens.eu_analyst, "all"))
    collection = taxii_collection(server, tokens.jp_analyst, "all")
    assert http_status(lambda: collection.get_object(owners_only["id"])) == 404
    assert http_status(lambda: collection.object_versions(owners_only["id"])) == 404
    assert "objects" not in collection.get_objects(id=owners_only["id"])
    assert "objects" not in collection.get_manifest(id=owners_only["id"])


# -- delete (§5.7) -----------------------------------------------------------------------


def test_owner_analyst_deletes_an_object_which_is_then_gone(
    server: LiveServer, tokens: Tokens
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-deletes")
    doomed, kept = indicator(21), indicator(22)
    added([doomed, kept], collection)

    collection.delete_object(doomed["id"])

    assert http_status(lambda: collection.get_object(doomed["id"])) == 404
    assert [entry["id"] for entry in collection.get_manifest()["objects"]] == [kept["id"]]
    assert http_status(lambda: collection.delete_object(doomed["id"])) == 404


def test_delete_with_match_version_removes_only_that_version(
    server: LiveServer, tokens: Tokens
) -> None:
    collection = taxii_collection(server, tokens.eu_analyst, "interop-deletes")
    first = indicator(26)
    second = {**first, "modified": "2026-05-01T00:00:00.000Z"}
    added([first], collection)
    added([second], collection)

    collection.delete_object(first["id"], version=first["modified"])

    versions = collection.object_versions(first["id"])["versions"]
    assert [instant(version) for version in versions] == [instant(second["modified"])]
    kept = collection.get_object(first["id"], version="all")["objects"]
    assert [obj["modified"] for obj in kept] == [second["modified"]]


def test_analyst_of_another_partner_may_not_delete_an_object_released_to_it(
    server: LiveServer, tokens: Tokens
) -> None:
    shared = indicator(23)  # released to sdp-jp (EU, JP) by the collection
    added([shared], taxii_collection(server, tokens.eu_analyst, "group-sdp-jp"))
    as_jp = taxii_collection(server, tokens.jp_analyst, "group-sdp-jp")
    assert as_jp.get_object(shared["id"])["objects"][0]["id"] == shared["id"]

    assert http_status(lambda: as_jp.delete_object(shared["id"])) == 403

    still = taxii_collection(server, tokens.eu_analyst, "group-sdp-jp").get_object(shared["id"])
    assert [obj["id"] for obj in still["objects"]] == [shared["id"]]


def test_deleting_an_object_not_released_to_the_caller_is_404(
    server: LiveServer, tokens: Tokens
) -> None:
    owners_only = indicator(24)
    added([owners_only], taxii_collection(server, tokens.eu_analyst, "all"))
    with http(server, tokens.jp_analyst) as client:
        assert_taxii_error(client.delete(f"collections/all/objects/{owners_only['id']}/"), 404)


def test_reader_role_may_not_delete(server: LiveServer, tokens: Tokens) -> None:
    target = indicator(25)
    added([target], taxii_collection(server, tokens.eu_analyst, "interop-deletes"))
    path = f"collections/{collection_id('interop-deletes')}/objects/{target['id']}/"
    with http(server, tokens.eu_reader) as client:
        assert_taxii_error(client.delete(path), 403)
        assert client.get(path).status_code == 200
    # taxii2-client believes the collection's can_write and does not even send it.
    with pytest.raises(AccessError):
        taxii_collection(server, tokens.eu_reader, "interop-deletes").delete_object(target["id"])


# -- media types and content negotiation (§1.6.8) ----------------------------------------


def test_every_taxii_response_has_the_taxii_2_1_media_type(
    server: LiveServer, tokens: Tokens, filter_objects: FilterObjects
) -> None:
    object_id = filter_objects.b["id"]
    path = f"collections/{collection_id('interop-filters')}"
    status = added([indicator()], taxii_collection(server, tokens.eu_analyst, "cyber"))
    with http(server, tokens.eu_analyst) as client:
        for url in (
            server.discovery_url,
            "",
            "collections/",
            f"{path}/",
            f"{path}/objects/",
            f"{path}/manifest/",
            f"{path}/objects/{object_id}/",
            f"{path}/objects/{object_id}/versions/",
            f"status/{status.id}/",
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.text)
            assert media_type(response) == ("application/taxii+json", "2.1"), url


def test_accept_of_another_media_type_or_taxii_version_is_406(
    server: LiveServer, tokens: Tokens
) -> None:
    for accept in (
        "application/json",
        "application/taxii+json;version=2.0",
        "application/vnd.oasis.taxii+json; version=2.0",
        "text/html",
    ):
        with http(server, tokens.eu_analyst, Accept=accept) as client:
            for url in (server.discovery_url, "collections/", "collections/cyber/objects/"):
                assert_taxii_error(client.get(url), 406)


def test_unversioned_or_wildcard_accept_is_answered_with_taxii_2_1(
    server: LiveServer, tokens: Tokens
) -> None:
    for accept in ("application/taxii+json", "*/*", "application/taxii+json; version=2.1"):
        with http(server, tokens.eu_analyst, Accept=accept) as client:
            response = client.get("collections/cyber/objects/")
        assert response.status_code == 200, (accept, response.text)
        assert media_type(response) == ("application/taxii+json", "2.1")
    unversioned = {"Accept": "application/taxii+json", "Content-Type": "application/taxii+json"}
    with http(server, tokens.eu_analyst, **unversioned) as client:
        posted = client.post("collections/cyber/objects/", json=envelope([indicator()]))
    assert posted.status_code == 202, posted.text
    assert media_type(posted) == ("application/taxii+json", "2.1")


def test_post_with_a_content_type_other_than_taxii_2_1_is_415(
    server: LiveServer, tokens: Tokens
) -> None:
    sent = indicator()
    body = json.dumps(envelope([sent]))
    for content_type in ("application/json", "application/taxii+json;version=2.0", "text/plain"):
        with http(server, tokens.eu_analyst, **{"Content-Type": content_type}) as client:
            assert_taxii_error(client.post("collections/cyber/objects/", content=body), 415)
    with http(server, tokens.eu_analyst) as client:
        assert_taxii_error(client.get(f"collections/cyber/objects/{sent['id']}/"), 404)


def test_body_over_the_max_content_length_is_413(server: LiveServer, tokens: Tokens) -> None:
    padding = "x" * MAX_CONTENT_BYTES
    body = json.dumps(envelope([indicator(description=padding)])).encode()
    with http(server, tokens.eu_analyst) as client:
        assert_taxii_error(client.post("collections/cyber/objects/", content=body), 413)
        # The same body without a Content-Length (chunked) is cut off as it streams in.
        chunks = iter([body[:65536], body[65536:]])
        assert_taxii_error(client.post("collections/cyber/objects/", content=chunks), 413)


# -- authentication and errors (§3.6, RFC 7235) ------------------------------------------


def test_missing_or_bad_credentials_are_401_with_a_challenge(
    server: LiveServer, tokens: Tokens
) -> None:
    unknown_token = "accord_000000000000_" + "A" * 43
    wrong_secret = tokens.eu_analyst[:-4] + (
        "AAAA" if not tokens.eu_analyst.endswith("AAAA") else "BBBB"
    )
    for authorization in (
        None,
        "Bearer nonsense",
        f"Bearer {unknown_token}",
        f"Bearer {wrong_secret}",
        "Basic " + _basic(BASIC_USER, "not the password"),
        "Basic " + _basic("nobody", BASIC_PASSWORD),
        "Basic !!!not-base64!!!",
        f"Token {unknown_token}",
    ):
        headers = {"Authorization": authorization} if authorization else {}
        with http(server, **headers) as client:
            for url in (server.discovery_url, "collections/cyber/objects/"):
                response = client.get(url)
                assert_taxii_error(response, 401)
                challenge = response.headers.get("WWW-Authenticate", "")
                assert "Basic" in challenge and "Bearer" in challenge, (authorization, challenge)


def test_error_message_is_taxii_json_with_title_description_and_string_status(
    server: LiveServer, tokens: Tokens
) -> None:
    with http(server, tokens.eu_analyst) as client:
        body = assert_taxii_error(client.get(f"collections/{uuid.uuid4()}/objects/"), 404)
    assert body["title"] == "Not Found"
    assert body["http_status"] == "404"
    assert body["description"]


def test_caller_over_its_request_rate_gets_429_with_retry_after(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data_dir = tmp_path_factory.mktemp("taxii-rate")
    with live_server(data_dir, {"ACCORD_TAXII_REQUESTS_PER_MINUTE": "3"}) as small:
        busy, other = small.token("EU", Role.READER), small.token("JP", Role.READER)
        with http(small, busy) as client:
            answers = [client.get("collections/").status_code for _ in range(3)]
            refused = client.get("collections/")
        with http(small, other) as client:
            others = client.get("collections/")
    assert answers == [200, 200, 200]
    assert_taxii_error(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert others.status_code == 200  # the limit is each caller's own


# -- what Accord emits is valid STIX 2.1 -------------------------------------------------


def test_every_object_emitted_over_taxii_passes_stix2_validator(
    server: LiveServer, tokens: Tokens
) -> None:
    examples = {path.stem: json.loads(path.read_text()) for path in stix_example_files()}
    labelled = taxii_collection(server, tokens.eu_analyst, "interop-emitted")
    for name in (
        "apt1",
        "sighting-of-observed-data",
        "threat-actor-leveraging-attack-patterns-and-malware",
    ):
        added(examples[name]["objects"], labelled)
    shared = taxii_collection(server, tokens.eu_analyst, "group-sdp-jp")
    for name in ("indicators-for-C2-with-COA", "using-granular-markings", "infrastructure"):
        added(examples[name]["objects"], shared)
    _post_report_partly_released_to_jp(server, tokens)

    as_owner = taxii_collection(server, tokens.eu_analyst, "all")
    as_partner = taxii_collection(server, tokens.jp_analyst, "all")
    emitted = [
        *objects_of(every_page(as_owner.get_objects, version="all")),
        *objects_of(every_page(as_partner.get_objects)),  # with references redacted
    ]

    assert len(emitted) > 100
    assert {"report", "relationship", "sighting", "observed-data", "marking-definition"} <= {
        obj["type"] for obj in emitted
    }
    options = ValidationOptions(version="2.1")
    invalid = {
        obj["id"]: [str(error) for error in result.errors]
        for obj in emitted
        if not (result := validate_instance(obj, options)).is_valid
    }
    assert not invalid


def test_marking_definitions_posted_to_an_area_collection_are_stored_unchanged(
    server: LiveServer, tokens: Tokens
) -> None:
    # STIX 2.1 §7.2.1: a marking-definition has no `labels` and is never versioned, so an
    # area's label cannot be added to it (TLP 1.0 ones must match the spec's text exactly).
    example = json.loads((SHARED_EXAMPLES / "using-marking-definitions.json").read_text())
    markings = [obj for obj in example["objects"] if obj["type"] == "marking-definition"]
    status = taxii_collection(server, tokens.eu_analyst, "cyber").add_objects(envelope(markings))
    assert (status.success_count, status.failure_count) == (2, 0), status.failures
    everything = taxii_collection(server, tokens.eu_analyst, "all")
    for marking in markings:
        assert everything.get_object(marking["id"])["objects"] == [marking]


def test_report_partly_released_to_a_partner_shows_it_only_the_released_references(
    server: LiveServer, tokens: Tokens
) -> None:
    report, released, withheld = _post_report_partly_released_to_jp(server, tokens)
    as_jp = taxii_collection(server, tokens.jp_analyst, "group-sdp-jp")
    [seen] = as_jp.get_object(report["id"])["objects"]
    assert seen["object_refs"] == [released["id"]]
    assert withheld["id"] not in json.dumps(seen)
    assert validate_instance(seen, ValidationOptions(version="2.1")).is_valid


def _post_report_partly_released_to_jp(
    server: LiveServer, tokens: Tokens
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    withheld, released = indicator(31), indicator(32)
    added([withheld], taxii_collection(server, tokens.eu_analyst, "all"))  # EU only
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid4()}",
        "created": "2026-03-01T12:00:00.000Z",
        "modified": "2026-03-01T12:00:00.000Z",
        "name": "C2 infrastructure seen by two partners",
        "published": "2026-03-01T12:00:00.000Z",
        "report_types": ["indicator"],
        "object_refs": [withheld["id"], released["id"]],
    }
    added([released, report], taxii_collection(server, tokens.eu_analyst, "group-sdp-jp"))
    return report, released, withheld


def _basic(username: str, password: str) -> str:
    return base64.b64encode(f"{username}:{password}".encode()).decode()
