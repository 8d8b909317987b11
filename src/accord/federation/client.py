"""A TAXII 2.1 client for one peer node, with retries.

Connection errors, 5xx answers and 429 are retried with exponential backoff and full
jitter (each wait drawn between zero and the doubled cap, so that nodes that failed
together do not retry together), honouring ``Retry-After``; any other error answer is
final and raised with the server's own description.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from accord.core.errors import AccordError

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_WAIT_SECONDS = 60.0


class PeerError(AccordError):
    """A peer could not be reached, or refused a request; says which and why."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Page:
    """One page of a collection's objects and where it stands in the collection."""

    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    added_first: str | None  # X-TAXII-Date-Added-First
    added_last: str | None  # X-TAXII-Date-Added-Last


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a failed request."""

    retries: int = 6
    backoff_seconds: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def wait(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number `attempt` (0 for the first)."""
        cap = min(_MAX_WAIT_SECONDS, self.backoff_seconds * 2**attempt)
        drawn = random.uniform(0, cap)
        if retry_after and retry_after.isdigit():
            return max(drawn, min(_MAX_WAIT_SECONDS, float(retry_after)))
        return drawn


class PeerClient:
    """Requests to one peer's TAXII API root (``https://host/taxii2/api/``)."""

    def __init__(
        self,
        api_root: str,
        token: str,
        *,
        timeout: float = 120.0,
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self._root = api_root.rstrip("/") + "/"
        self._policy = policy or RetryPolicy()
        # `transport` lets tests put an in-process server (or a failing one) behind it.
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {token}", "Accept": TAXII_MEDIA_TYPE},
            timeout=timeout,
            transport=transport,
        )

    def collections(self) -> list[dict[str, Any]]:
        """The collections the peer shows this node."""
        body = self._request("GET", "collections/")
        return list(body.get("collections", []))

    def objects_page(
        self, collection: str, *, added_after: str | None, next_token: str | None, limit: int
    ) -> Page:
        """One page of objects, every version, oldest added first."""
        params = {"limit": str(limit), "match[version]": "all"}
        if added_after:
            params["added_after"] = added_after
        if next_token:
            params["next"] = next_token
        response = self._send("GET", f"collections/{collection}/objects/", params=params)
        body = _json(response)
        return Page(
            objects=list(body.get("objects", [])),
            more=bool(body.get("more", False)),
            next=body.get("next"),
            added_first=response.headers.get("X-TAXII-Date-Added-First"),
            added_last=response.headers.get("X-TAXII-Date-Added-Last"),
        )

    def object_versions(self, collection: str, object_id: str) -> list[dict[str, Any]]:
        """Every version of one object the peer shows this node ([] if none)."""
        try:
            body = self._request(
                "GET",
                f"collections/{collection}/objects/{object_id}/",
                params={"match[version]": "all"},
            )
        except PeerError as error:
            if error.status == 404:
                return []
            raise
        return list(body.get("objects", []))

    def add_objects(self, collection: str, objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Post an envelope; the status resource the peer answers with."""
        content = orjson.dumps({"objects": list(objects)})
        return self._request(
            "POST",
            f"collections/{collection}/objects/",
            content=content,
            headers={"Content-Type": TAXII_MEDIA_TYPE},
        )

    def status(self, status_id: str) -> dict[str, Any]:
        """A status resource (of an earlier :meth:`add_objects`)."""
        return self._request("GET", f"status/{status_id}/")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PeerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return _json(self._send(method, path, **kwargs))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self._root + path
        for attempt in range(self._policy.retries + 1):
            retry_after = None
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{method} {url}: {type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return response
                problem = f"{method} {url}: {response.status_code} {_description(response)}"
                if response.status_code not in _RETRIED_STATUS:
                    raise PeerError(problem, status=response.status_code)
                retry_after = response.headers.get("Retry-After")
            if attempt == self._policy.retries:
                break
            self._policy.sleep(self._policy.wait(attempt, retry_after))
        raise PeerError(f"{problem} (gave up after {self._policy.retries + 1} attempts)")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content) if response.content else {}
    except orjson.JSONDecodeError as exc:
        raise PeerError(f"{response.request.url}: the answer is not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise PeerError(f"{response.request.url}: the answer is not a JSON object")
    return body


def _description(response: httpx.Response) -> str:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("description") or body.get("title") or body)[:500]
    return str(body)[:200]
