"""Deterministic STIX identifiers for objects Accord derives from something else.

STIX 2.1 asks for UUIDv4 outside SCOs, so these are v4-form UUIDs whose bits come from a
hash of what the object stands for, not from a random source: deriving it again gives the
same id, and importing it again adds nothing.
"""

from __future__ import annotations

import hashlib
import uuid


def derived_id(stix_type: str, salt: bytes, key: str) -> str:
    """The id of the `stix_type` object that `key` stands for, in the namespace `salt`."""
    digest = hashlib.sha256(salt + key.encode()).digest()
    return f"{stix_type}--{uuid.UUID(bytes=digest[:16], version=4)}"
