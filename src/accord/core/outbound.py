"""What an object looks like when it leaves this node for a peer node.

The node signs its home partner's objects as they leave (Ed25519 signatures are
deterministic, so the same version always leaves with the same bytes and nothing needs
storing); objects received from peers leave exactly as their originator signed them. A copy
with references removed for the recipient (``policy.redacted_view``) is a new text: the
node signs its own such copies anew, but cannot sign another partner's, so those leave
without a signature and the recipient refuses them rather than hold an altered object.
Which objects may leave at all is the policy's ``exportable`` rule.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.core.signing import is_node_reference, sign_object, unsigned_form
from accord.core.store import StoredObject


class OutboundSigner:
    """Turns stored objects into the bodies peers receive."""

    def __init__(self, home_partner: str, key: Ed25519PrivateKey):
        self._home = home_partner
        self._key = key

    def body(self, stored: StoredObject) -> dict[str, Any]:
        """The body a peer receives for `stored` (already filtered and redacted for it)."""
        if is_node_reference(stored.body):
            return stored.body
        if stored.owner == self._home:
            return sign_object(stored.body, self._home, self._key)
        if stored.redacted:
            return unsigned_form(stored.body)
        return stored.body
