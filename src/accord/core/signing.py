"""Signed objects: the originating node signs what it shares; receivers verify.

STIX and TAXII have no place for a signature, so Accord carries it in a property extension
of its own (``SIGNATURE_EXTENSION_ID``, defined by `signature_extension_definition`):

    "extensions": {"extension-definition--…": {
        "extension_type": "property-extension",
        "signer": "EU",                # the partner whose node signed
        "key_id": "ed25519:3f9a…",    # which of its keys (a hash of the public key)
        "algorithm": "Ed25519",
        "signature": "…"               # base64url, no padding
    }}

The signature is Ed25519 over the RFC 8785 (JSON Canonicalization Scheme) form of the
object with this extension removed (and ``extensions`` removed if nothing else is in it),
so any change to any other property, or to its value's JSON type, breaks it, while key
order and whitespace do not. A node's key pair is made on first use and kept in the store;
partners exchange public keys out of band and register them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import nacl.signing
import orjson
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.exceptions import BadSignatureError

from accord.core.database import Database
from accord.core.errors import InvalidInput
from accord.core.keys import node_key
from accord.core.markings import (
    ACCORD_IDENTITY_ID,
    TLP_BY_MARKING_ID,
    accord_extension_definition,
    release_list_of,
)

SIGNATURE_EXTENSION_ID = "extension-definition--7d3c9a61-2b4e-4f08-9c5d-e1a6b8f02d47"
ALGORITHM = "Ed25519"
# RFC 8785 numbers are IEEE doubles: integers beyond this are not exact in them.
_EXACT_INTEGER = 2**53
_KEY_NAME = "signing-ed25519"
SIGNATURE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "extension_type": {"const": "property-extension"},
        "signer": {"type": "string", "description": "Code of the partner whose node signed."},
        "key_id": {"type": "string", "description": "ed25519: and the SHA-256 of the key."},
        "algorithm": {"const": ALGORITHM},
        "signature": {
            "type": "string",
            "description": "Ed25519 signature, base64url without padding, over the RFC 8785 "
            "canonical JSON of the object without this extension.",
        },
    },
    "required": ["extension_type", "signer", "key_id", "algorithm", "signature"],
}


class SignatureError(InvalidInput):
    """An object's signature is missing, malformed, from an unknown key, or wrong."""


def signature_extension_definition() -> dict[str, Any]:
    """The extension-definition object of Accord's object signatures."""
    return accord_extension_definition(
        SIGNATURE_EXTENSION_ID,
        name="Accord object signature",
        description=(
            "Property extension: the Ed25519 signature of the originating partner's node over "
            "the RFC 8785 canonical JSON of the object without this extension."
        ),
        schema=SIGNATURE_SCHEMA,
        extension_type="property-extension",
    )


def node_signing_key(database: Database) -> Ed25519PrivateKey:
    """The node's signing key, made on first use and the same in every process."""
    return Ed25519PrivateKey.from_private_bytes(node_key(database, _KEY_NAME))


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as partners exchange it: base64url of its 32 raw bytes."""
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from `public_key_text`; InvalidInput if it is not one."""
    try:
        raw = _unb64(text.strip())
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(f"public key {text!r}: not a base64url Ed25519 key") from exc


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name of a public key."""
    return _key_id_of(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


@functools.lru_cache(maxsize=256)
def _key_id_of(raw: bytes) -> str:
    # Every object verified asks for its signer's key id: a node knows a handful of keys.
    return f"ed25519:{hashlib.sha256(raw).hexdigest()[:32]}"


def sign_object(obj: Mapping[str, Any], signer: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of `obj` carrying `signer`'s signature (any earlier one replaced)."""
    unsigned = unsigned_form(obj)
    sodium_key, its_id = _sodium_signer(key.private_bytes_raw())
    extension = {
        "extension_type": "property-extension",
        "signer": signer,
        "key_id": its_id,
        "algorithm": ALGORITHM,
        "signature": _b64(sodium_key.sign(canonical_bytes(unsigned)).signature),
    }
    signed = dict(unsigned)
    signed["extensions"] = {**unsigned.get("extensions", {}), SIGNATURE_EXTENSION_ID: extension}
    return signed


def verify_object(obj: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]) -> str:
    """The signer of `obj` if its signature is good under the signer's registered key
    (`keys`: partner code -> public key); SignatureError naming the object otherwise."""
    extension = obj.get("extensions", {}).get(SIGNATURE_EXTENSION_ID)
    where = f"{obj.get('id', 'object')}"
    if not isinstance(extension, Mapping):
        raise SignatureError(f"{where}: not signed")
    signer = str(extension.get("signer", ""))
    key = keys.get(signer)
    if key is None:
        raise SignatureError(f"{where}: signed by {signer!r}, whose key is not registered")
    if extension.get("algorithm") != ALGORITHM or extension.get("key_id") != key_id(key):
        raise SignatureError(f"{where}: signed with another key or algorithm than {signer}'s")
    try:
        signature = _unb64(str(extension.get("signature", "")))
        _sodium_verifier(key.public_bytes_raw()).verify(
            canonical_bytes(unsigned_form(obj)), signature
        )
    except (BadSignatureError, ValueError, binascii.Error) as exc:
        raise SignatureError(f"{where}: the signature does not match its content") from exc
    return signer


# Signing and verifying go through libsodium (PyNaCl): Ed25519 is deterministic (RFC 8032),
# so it makes the very signatures `cryptography` (OpenSSL) makes, which the tests check,
# in about half the time here; `cryptography` keeps and exchanges the keys.
@functools.lru_cache(maxsize=16)
def _sodium_signer(seed: bytes) -> tuple[nacl.signing.SigningKey, str]:
    sodium_key = nacl.signing.SigningKey(seed)
    return sodium_key, _key_id_of(bytes(sodium_key.verify_key))


@functools.lru_cache(maxsize=256)
def _sodium_verifier(raw: bytes) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(raw)


def canonical_bytes(obj: Mapping[str, Any]) -> bytes:
    """The RFC 8785 canonical form of `obj`.

    The ``rfc8785`` package is the reference; it costs about 50 µs an object, so objects
    without floats, with ASCII keys and with integers a double holds exactly are written
    by orjson with sorted keys, which gives the same bytes for them (a test compares the
    two over every code point) in a tenth of the time.
    """
    if _orjson_writes_canonically(obj):
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    return rfc8785.dumps(obj)


def _orjson_writes_canonically(value: Any) -> bool:
    # Floats differ in form (RFC 8785 writes 80.0 as 80, 1e21 as 1e+21); RFC 8785 sorts
    # keys by UTF-16 code unit, orjson by code point, which agree on ASCII. A loop over a
    # stack with exact type tests, not recursion: this runs for every object signed or
    # verified, and is then about three times quicker.
    pending = [value]
    while pending:
        item = pending.pop()
        values: Iterable[Any]
        if type(item) is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False
            values = item.values()
        elif type(item) is list or type(item) is tuple:
            values = item
        else:
            values = (item,)
        for sub in values:
            kind = type(sub)
            if kind is str or kind is bool or sub is None:
                continue
            if kind is int:
                if not -_EXACT_INTEGER <= sub <= _EXACT_INTEGER:
                    return False
            elif kind is dict or kind is list or kind is tuple:
                pending.append(sub)
            else:
                return False
    return True


def is_node_reference(obj: Mapping[str, Any]) -> bool:
    """Whether `obj` is a reference object every node makes for itself, the same on each:
    the TLP markings, Accord's identity and extension-definitions, release-list markings
    (their id is derived from their grantees) and partner identities. These are not signed
    and not pushed; a peer reading the collection gets them unsigned and skips them, but
    for release markings, which it checks by deriving them.
    """
    stix_id = str(obj.get("id", ""))
    if stix_id in TLP_BY_MARKING_ID or stix_id == ACCORD_IDENTITY_ID:
        return True
    if obj.get("type") == "extension-definition":
        return obj.get("created_by_ref") == ACCORD_IDENTITY_ID
    if obj.get("type") == "marking-definition":
        return release_list_of(obj) is not None
    return obj.get("type") == "identity" and "x_accord_partner_code" in obj


def unsigned_form(obj: Mapping[str, Any]) -> dict[str, Any]:
    """`obj` without Accord's signature extension: what the signature covers."""
    unsigned = dict(obj)
    extensions = {k: v for k, v in obj.get("extensions", {}).items() if k != SIGNATURE_EXTENSION_ID}
    if extensions:
        unsigned["extensions"] = extensions
    else:
        unsigned.pop("extensions", None)
    return unsigned


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
