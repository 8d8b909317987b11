"""TAXII 2.1 media types and content negotiation (TAXII 2.1 §1.6.8)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
_TAXII = "application/taxii+json"
_VERSION = "2.1"


class TaxiiResponse(Response):
    """A TAXII 2.1 JSON response."""

    media_type = TAXII_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def accepts_taxii(accept: str | None) -> bool:
    """Whether an ``Accept`` header admits TAXII 2.1 JSON. No header, a wildcard, or
    ``application/taxii+json`` without a version (meaning the newest) all do."""
    if not accept or not accept.strip():
        return True
    for media_range in accept.split(","):
        media, parameters = _parse(media_range)
        if parameters.get("q", "1").strip() in {"0", "0.0", "0.00", "0.000"}:
            continue
        if media in {"*/*", "application/*"}:
            return True
        if media == _TAXII and parameters.get("version", _VERSION) == _VERSION:
            return True
    return False


def is_taxii_content(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` is TAXII 2.1 JSON (unversioned means the newest)."""
    if not content_type:
        return False
    media, parameters = _parse(content_type)
    return media == _TAXII and parameters.get("version", _VERSION) == _VERSION


def _parse(value: str) -> tuple[str, dict[str, str]]:
    media, *rest = (part.strip() for part in value.split(";"))
    parameters = {}
    for item in rest:
        name, _, setting = item.partition("=")
        parameters[name.strip().lower()] = setting.strip().strip('"')
    return media.lower(), parameters
