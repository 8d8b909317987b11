"""Page cursors: where the next page starts, signed so they cannot be forged or reused
for another request, and stateless so they survive restarts and never expire.

A cursor holds the last row's (date_added, seq); the store's order is (date_added, seq),
so the next page starts right after it whatever was added meanwhile.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

import orjson

from accord.core.errors import InvalidInput
from accord.core.stix.canonical import format_timestamp

_MAC_BYTES = 16


class CursorSigner:
    """Makes and checks ``next`` tokens with the node's key."""

    def __init__(self, key: bytes):
        self._key = key

    def cursor(self, date_added: datetime, seq: int, scope: str) -> str:
        """The token for the page after the row (date_added, seq), for requests of `scope`."""
        payload = orjson.dumps([format_timestamp(date_added), seq])
        return f"{_b64(payload)}.{_b64(self._mac(payload, scope))}"

    def position(self, token: str, scope: str) -> int:
        """The seq a token continues after; InvalidInput if this node did not issue it for
        a request of this `scope` (same endpoint, collection, filters and partner)."""
        text, _, mac_text = token.partition(".")
        try:
            payload, mac = _unb64(text), _unb64(mac_text)
            valid = hmac.compare_digest(mac, self._mac(payload, scope))
            _, seq = orjson.loads(payload) if valid else (None, None)
        except (ValueError, orjson.JSONDecodeError):
            valid, seq = False, None
        if not valid or not isinstance(seq, int):
            raise InvalidInput(
                "next: not a cursor this server issued for this request "
                "(send the same filters as the request that returned it)"
            )
        return seq

    def _mac(self, payload: bytes, scope: str) -> bytes:
        digest = hmac.new(self._key, payload + b"\0" + scope.encode(), hashlib.sha256)
        return digest.digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
