"""The FastAPI application: TAXII 2.1 at ``/taxii2/``, the OpenAPI schema at
``/openapi.json``. ``accord serve`` runs it with uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from accord import __version__
from accord.api.auth import Authenticator
from accord.api.context import ServerState, authenticated
from accord.api.cursor import CursorSigner
from accord.api.errors import install_error_handlers
from accord.api.imports import BackgroundImports
from accord.api.limits import RateLimiter
from accord.api.requestlog import RequestLog, RequestRecord
from accord.api.taxii import collections, discovery, objects, status, submissions
from accord.core.keys import node_key
from accord.core.node import Node
from accord.core.plugins import installed_desks

_CURSOR_KEY = "taxii-cursor"
_FAILED_LOGINS_PER_MINUTE = 30


@dataclass(frozen=True)
class _RouteServices:
    """The :class:`accord.core.plugins.RouteServices` the API lends every desk."""

    node: Node
    authenticated: Callable[..., Any]


def _mount_desk_routes(app: FastAPI, state: ServerState) -> None:
    services = _RouteServices(node=state.node, authenticated=authenticated)
    for desk in installed_desks():
        if desk.routes is not None:
            app.include_router(desk.routes(services), prefix=f"/api/{desk.name}")


def create_app(node: Node, *, background: bool = True) -> FastAPI:
    """The API of an open node. With `background`, large submissions are processed by a
    worker process (and unfinished ones resumed at start); without, in the request."""
    settings = node.settings
    state = ServerState(
        node=node,
        settings=settings,
        authenticator=Authenticator(node),
        limiter=RateLimiter(settings.taxii_requests_per_minute),
        failed_logins=RateLimiter(_FAILED_LOGINS_PER_MINUTE),
        cursors=CursorSigner(node_key(node.database, _CURSOR_KEY)),
        request_log=RequestLog(node),
        background=None,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.request_log.start()
        if background:
            state.background = BackgroundImports(settings)
            state.background.resume(node)
        try:
            yield
        finally:
            if state.background is not None:
                state.background.close()
            state.request_log.stop()

    app = FastAPI(
        title="Accord TAXII 2.1",
        version=__version__,
        description="TAXII 2.1 server of an Accord node. See docs/taxii.md.",
        lifespan=lifespan,
    )
    app.state.accord = state
    install_error_handlers(app)
    for module in (discovery, collections, objects, submissions, status):
        app.include_router(module.router)
    _mount_desk_routes(app, state)

    @app.middleware("http")
    async def audit_every_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.actor = "anonymous"
        request.state.detail = {}
        response = await call_next(request)
        state.request_log.add(
            RequestRecord(
                actor=request.state.actor,
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                status=response.status_code,
                detail=request.state.detail,
            )
        )
        return response

    return app
