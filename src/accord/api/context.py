"""What every route needs: the node, the caller, the limits. Built once per server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from accord.api.auth import Authenticator, Caller
from accord.api.cursor import CursorSigner
from accord.api.errors import TaxiiError
from accord.api.imports import BackgroundImports
from accord.api.limits import RateLimiter
from accord.api.media import accepts_taxii
from accord.api.requestlog import RequestLog
from accord.core.collections import Collection
from accord.core.node import Node
from accord.core.settings import Settings


@dataclass
class ServerState:
    """The server's parts, shared by every request."""

    node: Node
    settings: Settings
    authenticator: Authenticator
    limiter: RateLimiter
    # Failed logins per client address: each costs an argon2 verification, so guessing
    # passwords (or flooding with bad ones) is slowed down before it costs the server.
    failed_logins: RateLimiter
    cursors: CursorSigner
    request_log: RequestLog
    background: BackgroundImports | None


def server(request: Request) -> ServerState:
    """The server's parts, from the application."""
    state: ServerState = request.app.state.accord
    return state


Server = Annotated[ServerState, Depends(server)]


def authenticated(request: Request, state: Server) -> Caller:
    """The caller of a TAXII route: checks ``Accept`` (406), credentials (401) and the
    caller's request rate (429)."""
    if not accepts_taxii(request.headers.get("accept")):
        raise TaxiiError(
            406, "this server answers application/taxii+json;version=2.1 only (see Accept)"
        )
    address = f"address:{request.client.host if request.client else 'unknown'}"
    if state.failed_logins.waiting(address):
        raise _too_many(
            "too many failed logins from this address", state.failed_logins.waiting(address)
        )
    try:
        caller = state.authenticator.caller(request.headers.get("authorization"))
    except TaxiiError:
        if request.headers.get("authorization"):
            state.failed_logins.retry_after(address)
        raise
    request.state.actor = caller.principal.actor
    wait_seconds = state.limiter.retry_after(caller.principal.actor)
    if wait_seconds:
        limit = state.settings.taxii_requests_per_minute
        raise _too_many(f"more than {limit} requests a minute", wait_seconds)
    return caller


def _too_many(reason: str, wait_seconds: float) -> TaxiiError:
    return TaxiiError(429, reason, headers={"Retry-After": str(max(1, round(wait_seconds + 0.5)))})


Authenticated = Annotated[Caller, Depends(authenticated)]


def visible_collection(state: ServerState, caller: Caller, collection_id: str) -> Collection:
    """A collection the caller may read or write; 404 for any other, as if it did not
    exist."""
    collection = state.node.collections.collection(collection_id)
    if not (
        collection.can_read(caller.reader) or collection.can_write(caller.reader, caller.principal)
    ):
        raise TaxiiError(404, f"no collection {collection_id!r}")
    return collection


def readable_collection(state: ServerState, caller: Caller, collection_id: str) -> Collection:
    """A collection the caller may read; 403 if it may only write to it."""
    collection = visible_collection(state, caller, collection_id)
    if not collection.can_read(caller.reader):
        raise TaxiiError(
            403, f"collection {collection_id} is not readable by {caller.principal.partner}"
        )
    return collection


def writable_collection(state: ServerState, caller: Caller, collection_id: str) -> Collection:
    """A collection the caller may add to (or delete from); 403 if it may only read it."""
    collection = visible_collection(state, caller, collection_id)
    if not collection.can_write(caller.reader, caller.principal):
        raise TaxiiError(
            403,
            f"{caller.principal.actor} ({caller.principal.role.value}) may not write to "
            f"collection {collection.alias}",
        )
    return collection
