"""Errors as TAXII 2.1 error messages (§3.6.1), mapped from Accord's errors in one place."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.api.media import TaxiiResponse
from accord.core.errors import (
    AccordError,
    AlreadyExists,
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)

# The spec's titles for the statuses the API answers with.
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
_STATUS_OF_ERROR: tuple[tuple[type[AccordError], int], ...] = (
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (AlreadyExists, 409),
    (InvalidInput, 400),
)
# RFC 7235: a 401 says how to authenticate.
CHALLENGE = {"WWW-Authenticate": 'Basic realm="Accord TAXII", Bearer realm="Accord TAXII"'}


class TaxiiError(Exception):
    """An HTTP error answered as a TAXII error message."""

    def __init__(self, status: int, description: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = dict(headers or {})


def error_response(
    status: int, description: str, headers: Mapping[str, str] | None = None
) -> TaxiiResponse:
    """A TAXII error message; ``http_status`` is a string, as the spec's examples give it."""
    body = {
        "title": _TITLES.get(status, "Error"),
        "description": description,
        "http_status": str(status),
    }
    return TaxiiResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, ours and the framework's, as a TAXII error message."""

    @app.exception_handler(TaxiiError)
    async def _taxii(_: Request, exc: TaxiiError) -> TaxiiResponse:
        return error_response(exc.status, exc.description, exc.headers)

    @app.exception_handler(AccordError)
    async def _accord(_: Request, exc: AccordError) -> TaxiiResponse:
        status = next((code for kind, code in _STATUS_OF_ERROR if isinstance(exc, kind)), 500)
        return error_response(status, str(exc), CHALLENGE if status == 401 else None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> TaxiiResponse:
        return error_response(exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> TaxiiResponse:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem.get("loc", ()))
        return error_response(400, f"{where}: {problem.get('msg', 'invalid')}")
