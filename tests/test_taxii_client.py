"""Accord's TAXII 2.1 server as the OASIS client (``taxii2client.v21``) sees it, over real
HTTP: discovery, the API root and its collections, adding objects and their status, getting
objects with their filters, and paging with ``as_pages``.

Every test talks to this module's live ``accord serve`` (``tests/taxii_support.py``); plain
``httpx`` is used where the client would not send what is tested. Section numbers are
those of OASIS TAXII 2.1 (10 June 2021).
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest
from taxii2client.common import TokenAuth
from taxii2client.exceptions import AccessError
from taxii2client.v21 import ApiRoot, Server, as_pages

from accord.core.collections import collection_id
from tests.data import indicator
from tests.live_server import LiveServer
from tests.taxii_support import (
    BACKGROUND_OBJECTS,
    BASIC_PASSWORD,
    BASIC_USER,
    MAX_CONTENT_BYTES,
    PAGE_MAX,
    READ_ONLY_COLLECTION,
    STIX,
    TAXII,
    BearerAuth,
    FilterObjects,
    Tokens,
    added,
    assert_taxii_error,
    envelope,
    every_page,
    fixture_filter_objects,  # noqa: F401 (a fixture, found by pytest here)
    fixture_paged_ids,  # noqa: F401 (a fixture, found by pytest here)
    fixture_server,  # noqa: F401 (a fixture, found by pytest here)
    fixture_tokens,  # noqa: F401 (a fixture, found by pytest here)
    http,
    http_status,
    instant,
    media_type,
    objects_of,
    taxii_collection,
)

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
