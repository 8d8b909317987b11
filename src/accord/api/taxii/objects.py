"""Objects, manifests and versions of a collection (§5.3 to §5.8).

Every read runs through the store's releasability filter before the page limit, so a
page is never short while more readable objects exist, and counts and headers describe
only what the caller was given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from fastapi import APIRouter, Request
from starlette.responses import Response

from accord.api.auth import Caller
from accord.api.context import (
    Authenticated,
    Server,
    ServerState,
    readable_collection,
    writable_collection,
)
from accord.api.media import STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, TaxiiResponse
from accord.api.taxii.discovery import API_ROOT
from accord.api.taxii.filters import (
    OBJECT_FILTERS,
    OBJECTS_FILTERS,
    VERSIONS_FILTERS,
    PageRequest,
    page_request,
    within,
)
from accord.core.collections import Collection
from accord.core.errors import NotFound
from accord.core.principals import Role
from accord.core.queries import ObjectQuery
from accord.core.stix.canonical import UNVERSIONED, format_timestamp
from accord.core.store import ManifestEntry, StoredObject

router = APIRouter(prefix=f"/taxii2/{API_ROOT}/collections/{{collection_id}}")


class _Row(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def date_added(self) -> datetime: ...


@router.get("/objects/", response_class=TaxiiResponse, summary="Objects of a collection")
def get_objects(
    collection_id: str, request: Request, state: Server, caller: Authenticated
) -> TaxiiResponse:
    """The objects the caller may read, oldest added first, a page at a time."""
    collection = readable_collection(state, caller, collection_id)
    page = _page(request, state, OBJECTS_FILTERS, default_version="last")
    query, scope = _positioned(state, caller, collection, page, "objects")
    found = state.node.store.objects(caller.reader, query, holder=passing_on(state, caller))
    return _envelope(request, state, page, scope, found, "objects", _body_for(state, caller))


@router.get("/manifest/", response_class=TaxiiResponse, summary="Manifest of a collection")
def get_manifest(
    collection_id: str, request: Request, state: Server, caller: Authenticated
) -> TaxiiResponse:
    """What versions the caller may read, without the objects."""
    collection = readable_collection(state, caller, collection_id)
    page = _page(request, state, OBJECTS_FILTERS, default_version="last")
    query, scope = _positioned(state, caller, collection, page, "manifest")
    found = state.node.store.manifest(caller.reader, query, holder=passing_on(state, caller))
    return _envelope(request, state, page, scope, found, "objects", _manifest_record)


@router.get("/objects/{object_id}/", response_class=TaxiiResponse, summary="An object")
def get_object(
    collection_id: str, object_id: str, request: Request, state: Server, caller: Authenticated
) -> TaxiiResponse:
    """One object's versions the caller may read (newest by default); 404 if none, the
    same whether it does not exist or is not released to the caller."""
    collection = readable_collection(state, caller, collection_id)
    page = _page(request, state, OBJECT_FILTERS, default_version="last", object_id=object_id)
    query, scope = _positioned(state, caller, collection, page, f"object {object_id}")
    found = state.node.store.objects(caller.reader, query, holder=passing_on(state, caller))
    _require_some(found, page, object_id, collection)
    return _envelope(request, state, page, scope, found, "objects", _body_for(state, caller))


@router.get(
    "/objects/{object_id}/versions/", response_class=TaxiiResponse, summary="Versions of an object"
)
def get_versions(
    collection_id: str, object_id: str, request: Request, state: Server, caller: Authenticated
) -> TaxiiResponse:
    """The versions of one object the caller may read, oldest added first."""
    collection = readable_collection(state, caller, collection_id)
    page = _page(request, state, VERSIONS_FILTERS, default_version="all", object_id=object_id)
    query, scope = _positioned(state, caller, collection, page, f"versions {object_id}")
    found = state.node.store.manifest(caller.reader, query, holder=passing_on(state, caller))
    _require_some(found, page, object_id, collection)
    return _envelope(request, state, page, scope, found, "versions", _version_text)


@router.delete("/objects/{object_id}/", summary="Delete an object")
def delete_object(
    collection_id: str, object_id: str, request: Request, state: Server, caller: Authenticated
) -> Response:
    """Delete versions of an object (all, unless ``match[version]`` picks some). Only the
    owner partner's analysts and admins may; the deletion is in the audit log."""
    collection = writable_collection(state, caller, collection_id)
    page = page_request(
        request.query_params,
        allowed=OBJECT_FILTERS,
        default_version="all",
        default_limit=1,
        max_limit=1,
        paged=False,
    )
    query = within(collection.query(), replace(page.query, ids=(object_id,)))
    deleted = state.node.store.delete(caller.reader, query, actor=caller.principal.actor)
    request.state.detail = {"deleted": len(deleted)}
    return Response(status_code=200, media_type=TAXII_MEDIA_TYPE)


def passing_on(state: ServerState, caller: Caller) -> str | None:
    """The holder whose onward rule applies: a peer node's reads take objects off this
    node, so it receives only what the home partner may pass on to its partner."""
    return state.settings.home_partner if caller.principal.role is Role.PEER else None


def _body_for(state: ServerState, caller: Caller) -> Callable[[StoredObject], Any]:
    if caller.principal.role is Role.PEER:
        return state.node.outbound().body
    return lambda stored: stored.body


def _page(
    request: Request,
    state: ServerState,
    allowed: frozenset[str],
    *,
    default_version: str,
    object_id: str | None = None,
) -> PageRequest:
    page = page_request(
        request.query_params,
        allowed=allowed,
        default_version=default_version,
        default_limit=state.settings.taxii_page_default,
        max_limit=state.settings.taxii_page_max,
    )
    if object_id is None:
        return page
    return replace(page, query=replace(page.query, ids=(object_id,)))


def _positioned(
    state: ServerState, caller: Caller, collection: Collection, page: PageRequest, endpoint: str
) -> tuple[ObjectQuery, str]:
    """The store query for this page (one row more than the limit, to know if there are
    more), and the scope its cursors are bound to."""
    scope = f"{endpoint}|{collection.id}|{caller.principal.partner}|{page.scope}"
    after = state.cursors.position(page.next, scope) if page.next else 0
    query = within(collection.query(), page.query)
    return replace(query, after_seq=after, limit=page.limit + 1), scope


def _envelope(
    request: Request,
    state: ServerState,
    page: PageRequest,
    scope: str,
    found: Sequence[Any],
    key: str,
    render: Callable[[Any], Any],
) -> TaxiiResponse:
    rows: Sequence[_Row] = found[: page.limit]
    more = len(found) > page.limit
    body: dict[str, Any] = {"more": more}
    headers = {}
    if rows:
        first, last = rows[0], rows[-1]
        if more:
            body["next"] = state.cursors.cursor(last.date_added, last.seq, scope)
        body[key] = [render(row) for row in rows]
        headers = {
            "X-TAXII-Date-Added-First": format_timestamp(first.date_added),
            "X-TAXII-Date-Added-Last": format_timestamp(last.date_added),
        }
        request.state.detail = {"objects": len(rows), "seq": [first.seq, last.seq]}
    return TaxiiResponse(body, headers=headers)


def _require_some(
    found: Sequence[Any], page: PageRequest, object_id: str, collection: Collection
) -> None:
    if not found and not page.next:
        raise NotFound(f"no object {object_id} in collection {collection.alias}")


def _version_text(entry: ManifestEntry) -> str:
    # TAXII 2.1 §3.4.2: an object without `modified` or `created` has date_added as version.
    return format_timestamp(entry.date_added if entry.version == UNVERSIONED else entry.version)


def _manifest_record(entry: ManifestEntry) -> dict[str, str]:
    return {
        "id": entry.stix_id,
        "date_added": format_timestamp(entry.date_added),
        "version": _version_text(entry),
        "media_type": STIX_MEDIA_TYPE,
    }
