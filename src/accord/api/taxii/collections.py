"""Collections (§5.1, §5.2): the views the caller may read or write."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accord.api.auth import Caller
from accord.api.context import Authenticated, Server, visible_collection
from accord.api.media import STIX_MEDIA_TYPE, TaxiiResponse
from accord.api.taxii.discovery import API_ROOT
from accord.core.collections import Collection

router = APIRouter(prefix=f"/taxii2/{API_ROOT}")


@router.get("/collections/", response_class=TaxiiResponse, summary="Collections")
def collections(state: Server, caller: Authenticated) -> TaxiiResponse:
    """The collections the caller may read or write; none is listed to others."""
    shown = [
        _resource(collection, caller)
        for collection in state.node.collections.collections()
        if collection.can_read(caller.reader)
        or collection.can_write(caller.reader, caller.principal)
    ]
    return TaxiiResponse({"collections": shown} if shown else {})


@router.get("/collections/{collection_id}/", response_class=TaxiiResponse, summary="A collection")
def collection(collection_id: str, state: Server, caller: Authenticated) -> TaxiiResponse:
    """One collection (by id, or by alias for convenience)."""
    return TaxiiResponse(_resource(visible_collection(state, caller, collection_id), caller))


def _resource(collection: Collection, caller: Caller) -> dict[str, Any]:
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "alias": collection.alias,
        "can_read": collection.can_read(caller.reader),
        "can_write": collection.can_write(caller.reader, caller.principal),
        "media_types": [STIX_MEDIA_TYPE],
    }
