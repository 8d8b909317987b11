"""Object signatures: Ed25519 over the RFC 8785 canonical form, carried in Accord's own
property extension; any change to the content breaks them, key order does not."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stix2validator import ValidationOptions, validate_instance

from accord.core.node import Node
from accord.core.signing import (
    SIGNATURE_EXTENSION_ID,
    SignatureError,
    canonical_bytes,
    key_id,
    node_signing_key,
    public_key_from_text,
    public_key_text,
    sign_object,
    signature_extension_definition,
    unsigned_form,
    verify_object,
)

INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-11-30T10:00:00.000Z",
    "modified": "2026-11-30T10:00:00.000Z",
    "name": "Ring site: news-front.example",
    "pattern": "[domain-name:value = 'news-front.example']",
    "pattern_type": "stix",
    "valid_from": "2026-11-30T10:00:00Z",
    "confidence": 80,
    "labels": ["area:fimi"],
}
EU_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEYS = {"EU": EU_KEY.public_key()}


def test_a_signed_object_verifies_and_names_its_signer() -> None:
    signed = sign_object(INDICATOR, "EU", EU_KEY)
    assert verify_object(signed, KEYS) == "EU"
    assert unsigned_form(signed) == INDICATOR
    extension = signed["extensions"][SIGNATURE_EXTENSION_ID]
    assert extension["algorithm"] == "Ed25519" and extension["key_id"] == key_id(
        EU_KEY.public_key()
    )


def test_key_order_and_whitespace_do_not_matter_but_content_does() -> None:
    signed = sign_object(INDICATOR, "EU", EU_KEY)
    reordered = json.loads(json.dumps(dict(reversed(list(signed.items()))), indent=3))
    assert verify_object(reordered, KEYS) == "EU"
    for field, value in [
        ("name", "Ring site: other.example"),
        ("confidence", 81),
        ("confidence", 80.5),
        ("labels", ["area:fimi", "x"]),
        ("modified", "2026-11-30T10:00:00.001Z"),
        ("object_marking_refs", ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]),
    ]:
        tampered = copy.deepcopy(signed)
        tampered[field] = value
        with pytest.raises(SignatureError, match="does not match"):
            verify_object(tampered, KEYS)


def test_numbers_are_compared_as_json_numbers() -> None:
    # RFC 8785 writes 80.0 as 80: the same JSON number, the same signature.
    signed = sign_object(INDICATOR, "EU", EU_KEY)
    signed["confidence"] = 80.0
    assert verify_object(signed, KEYS) == "EU"


def test_other_extensions_are_covered_and_kept() -> None:
    other = "extension-definition--11111111-2222-4333-8444-555555555555"
    with_extension = {**INDICATOR, "extensions": {other: {"extension_type": "property-extension"}}}
    signed = sign_object(with_extension, "EU", EU_KEY)
    assert set(signed["extensions"]) == {other, SIGNATURE_EXTENSION_ID}
    signed["extensions"][other]["x"] = 1
    with pytest.raises(SignatureError):
        verify_object(signed, KEYS)


def test_unsigned_unknown_signer_forged_signer_and_other_key_are_refused() -> None:
    with pytest.raises(SignatureError, match="not signed"):
        verify_object(INDICATOR, KEYS)
    with pytest.raises(SignatureError, match="'JP', whose key is not registered"):
        verify_object(sign_object(INDICATOR, "JP", EU_KEY), KEYS)
    mallory = Ed25519PrivateKey.generate()
    forged = sign_object(INDICATOR, "EU", mallory)  # claims to be EU
    with pytest.raises(SignatureError, match="another key"):
        verify_object(forged, KEYS)
    forged["extensions"][SIGNATURE_EXTENSION_ID]["key_id"] = key_id(EU_KEY.public_key())
    with pytest.raises(SignatureError, match="does not match"):
        verify_object(forged, KEYS)
    garbled = sign_object(INDICATOR, "EU", EU_KEY)
    garbled["extensions"][SIGNATURE_EXTENSION_ID]["signature"] = "!!!"
    with pytest.raises(SignatureError):
        verify_object(garbled, KEYS)


def test_signed_objects_and_the_definition_pass_stix2_validator() -> None:
    options = ValidationOptions(version="2.1")
    for obj in (sign_object(INDICATOR, "EU", EU_KEY), signature_extension_definition()):
        result = validate_instance(obj, options)
        assert result.is_valid, result.as_dict()


def test_the_node_key_persists_and_public_keys_round_trip(node: Node) -> None:
    key = node_signing_key(node.database)
    assert public_key_text(node_signing_key(node.database).public_key()) == public_key_text(
        key.public_key()
    )
    text = public_key_text(key.public_key())
    assert key_id(public_key_from_text(text)) == key_id(key.public_key())
    with pytest.raises(Exception, match="not a base64url Ed25519 key"):
        public_key_from_text("not-a-key")


def test_libsodium_signs_exactly_as_openssl_and_verifies_what_it_signs() -> None:
    # Ed25519 is deterministic: the fast path (PyNaCl) must give `cryptography`'s bytes.
    for number in range(20):
        obj = {**INDICATOR, "name": f"site {number}", "confidence": number}
        signed = sign_object(obj, "EU", EU_KEY)
        extension = signed["extensions"][SIGNATURE_EXTENSION_ID]
        reference = EU_KEY.sign(canonical_bytes(obj))
        assert extension["signature"] == base64.urlsafe_b64encode(reference).rstrip(b"=").decode()
        EU_KEY.public_key().verify(reference, canonical_bytes(unsigned_form(signed)))
        assert verify_object(signed, KEYS) == "EU"
