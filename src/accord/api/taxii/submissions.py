"""Adding objects to a collection (§5.4): the envelope is stored, then processed (at once
if small, in the background if large), and the answer is its status resource."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from accord.api.context import Authenticated, Server, ServerState, writable_collection
from accord.api.errors import TaxiiError
from accord.api.media import TaxiiResponse, is_taxii_content
from accord.api.taxii.discovery import API_ROOT
from accord.api.taxii.status import status_resource
from accord.core.jobs import ImportJob
from accord.core.principals import Role

router = APIRouter(prefix=f"/taxii2/{API_ROOT}/collections/{{collection_id}}")


@router.post("/objects/", response_class=TaxiiResponse, status_code=202, summary="Add objects")
async def add_objects(
    collection_id: str, request: Request, state: Server, caller: Authenticated
) -> TaxiiResponse:
    """Add the objects of a TAXII envelope (or a STIX bundle) as the caller's partner's.

    Each object stands on its own: the status lists the ones stored and the ones refused,
    with the reason. Objects without a release list are released to the collection's
    audience, if it has one. A peer node's objects are stored as their verified signers'.
    """
    content_type = request.headers.get("content-type")
    if not is_taxii_content(content_type):
        raise TaxiiError(
            415, f"send application/taxii+json;version=2.1, not {content_type or 'nothing'}"
        )
    collection = await run_in_threadpool(writable_collection, state, caller, collection_id)
    objects = _objects_of(await _body(request, state.settings.taxii_max_content_bytes))
    job = await run_in_threadpool(
        state.node.jobs.submit,
        objects,
        partner=caller.principal.partner,
        actor=caller.principal.actor,
        collection_id=collection.id,
        federated=caller.principal.role is Role.PEER,
    )
    job = await run_in_threadpool(_process, state, job)
    request.state.detail = {"submitted": job.total, "status": job.id}
    return TaxiiResponse(status_resource(job), status_code=202)


def _process(state: ServerState, job: ImportJob) -> ImportJob:
    if state.background is not None and job.total > state.settings.taxii_background_objects:
        state.background.submit(job.id)
        return job
    return state.node.run_import_job(job.id)


async def _body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise TaxiiError(413, f"the body has {declared} bytes; the most accepted is {max_bytes}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise TaxiiError(413, f"the body exceeds {max_bytes} bytes, the most accepted")
        chunks.append(chunk)
    return b"".join(chunks)


def _objects_of(body: bytes) -> list[Any]:
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise TaxiiError(400, f"the body is not JSON: {exc}") from exc
    if not isinstance(envelope, dict):
        raise TaxiiError(400, "the body must be a TAXII envelope (an object with 'objects')")
    # A STIX bundle is accepted too: python-stix2's TAXIICollectionSink posts bundles.
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise TaxiiError(400, "'objects' must be a list of STIX objects")
    return objects
