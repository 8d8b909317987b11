"""The wire of Accord's TAXII 2.1 server, through plain ``httpx`` where headers, status
codes and error bodies are the point: media types and content negotiation, authentication
and error messages, limits (body size, request rate), and, in paging, the date-added
headers and the ``next`` cursors.

Every test talks to this module's live ``accord serve`` (``tests/taxii_support.py``), but
the request-rate one, which starts a small server of its own. Section numbers are those of
OASIS TAXII 2.1 (10 June 2021).
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from accord.core.collections import collection_id
from accord.core.principals import Role
from tests.data import indicator
from tests.live_server import LiveServer, live_server
from tests.taxii_support import (
    BASIC_PASSWORD,
    BASIC_USER,
    MAX_CONTENT_BYTES,
    FilterObjects,
    Tokens,
    added,
    assert_taxii_error,
    envelope,
    fixture_filter_objects,  # noqa: F401 (a fixture, found by pytest here)
    fixture_paged_ids,  # noqa: F401 (a fixture, found by pytest here)
    fixture_server,  # noqa: F401 (a fixture, found by pytest here)
    fixture_tokens,  # noqa: F401 (a fixture, found by pytest here)
    http,
    media_type,
    taxii_collection,
)

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


# -- limits: body size and request rate --------------------------------------------------


def test_body_over_the_max_content_length_is_413(server: LiveServer, tokens: Tokens) -> None:
    padding = "x" * MAX_CONTENT_BYTES
    body = json.dumps(envelope([indicator(description=padding)])).encode()
    with http(server, tokens.eu_analyst) as client:
        assert_taxii_error(client.post("collections/cyber/objects/", content=body), 413)
        # The same body without a Content-Length (chunked) is cut off as it streams in.
        chunks = iter([body[:65536], body[65536:]])
        assert_taxii_error(client.post("collections/cyber/objects/", content=chunks), 413)


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


# -- paging on the wire: date-added headers, next cursors (§3.4) -------------------------


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


def _basic(username: str, password: str) -> str:
    return base64.b64encode(f"{username}:{password}".encode()).decode()
