"""Who calls: HTTP Basic (a user and password) or a bearer token, on every request.

No credentials, or wrong ones, is 401 with a challenge; a known caller lacking a right is
403 (TAXII 2.1 §3.6.2 and RFC 7235).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from dataclasses import dataclass

from accord.api.errors import CHALLENGE, TaxiiError
from accord.core.errors import AuthenticationFailed, NotFound
from accord.core.node import Node
from accord.core.policy import Reader
from accord.core.principals import Principal

# argon2 costs tens of milliseconds by design; a client sends the same password on every
# request, so a verified login is remembered briefly (by a hash of the password, never the
# password). A disabled user is refused at once all the same: each request checks that.
_LOGIN_MEMORY_SECONDS = 300.0


@dataclass(frozen=True)
class Caller:
    """An authenticated caller and the reader its partner is."""

    principal: Principal
    reader: Reader


class Authenticator:
    """Turns an ``Authorization`` header into a :class:`Caller`."""

    def __init__(self, node: Node):
        self._node = node
        self._logins: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def caller(self, authorization: str | None) -> Caller:
        """The caller; TaxiiError 401 (with a challenge) when it cannot be authenticated."""
        if not authorization:
            raise TaxiiError(
                401, "authentication required: HTTP Basic or a bearer token", headers=CHALLENGE
            )
        scheme, _, credentials = authorization.strip().partition(" ")
        try:
            # taxii2-client's TokenAuth says "Token"; the same tokens answer to both.
            if scheme.lower() in {"bearer", "token"}:
                principal = self._node.principals.authenticate_token(credentials.strip())
            elif scheme.lower() == "basic":
                principal = self._basic(credentials.strip())
            else:
                raise AuthenticationFailed(f"unsupported authorization scheme {scheme!r}")
        except AuthenticationFailed as exc:
            raise TaxiiError(401, str(exc), headers=CHALLENGE) from exc
        return Caller(principal, self._node.reader(principal.partner))

    def _basic(self, credentials: str) -> Principal:
        try:
            username, sep, password = (
                base64.b64decode(credentials, validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise AuthenticationFailed("malformed HTTP Basic credentials") from exc
        if not sep:
            raise AuthenticationFailed("malformed HTTP Basic credentials (no ':')")
        key = hashlib.sha256(f"{username}\0{password}".encode()).hexdigest()
        with self._lock:
            remembered = self._logins.get(key)
        if remembered and remembered[0] > time.monotonic() and self._still_enabled(username):
            return remembered[1]
        principal = self._node.principals.authenticate_user(username, password)
        with self._lock:
            self._logins[key] = (time.monotonic() + _LOGIN_MEMORY_SECONDS, principal)
        return principal

    def _still_enabled(self, username: str) -> bool:
        try:
            return not self._node.principals.user(username).disabled
        except NotFound:
            return False
