"""Server discovery (§4.1) and API root information (§4.2)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from accord.api.context import Authenticated, Server
from accord.api.media import TAXII_MEDIA_TYPE, TaxiiResponse

API_ROOT = "api"
router = APIRouter()


@router.get("/taxii2/", response_class=TaxiiResponse, summary="Server discovery")
def discovery(request: Request, state: Server, _: Authenticated) -> TaxiiResponse:
    """The server and its API roots (one: this node's)."""
    root = f"{request.base_url}taxii2/{API_ROOT}/"
    home = state.settings.home_partner
    return TaxiiResponse(
        {
            "title": f"Accord node of {home}",
            "description": "Findings of the Security and Defence Partnership, shared under "
            "releasability rules.",
            "default": root,
            "api_roots": [root],
        }
    )


@router.get(f"/taxii2/{API_ROOT}/", response_class=TaxiiResponse, summary="API root")
def api_root(state: Server, _: Authenticated) -> TaxiiResponse:
    """What this API root serves."""
    return TaxiiResponse(
        {
            "title": f"Accord node of {state.settings.home_partner}",
            "description": "Collections are views on the node's store, by cooperation area "
            "and by sharing group; each caller sees what its partner may read.",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": state.settings.taxii_max_content_bytes,
        }
    )
