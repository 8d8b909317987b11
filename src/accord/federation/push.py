"""Pushing to a peer: what the home partner may pass on to the peer's partner, signed.

The onward rule is the policy's ``exportable`` (the owner released the object to the
peer's partner; RED never leaves; AMBER+STRICT leaves only from its owner). Objects the
peer's partner owns are not sent back; another partner's object leaves only with its
originator's signature intact, so a copy redacted for the peer, or an object that was
posted here unsigned, stays. The release markings an envelope's objects use go with it.
The cursor is the last local ``seq`` the peer acknowledged: a crash before the peer's
status is read sends the envelope again, which the peer recognises as held.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from accord.core.markings import release_marking
from accord.core.node import Node
from accord.core.peers import Peer
from accord.core.queries import ObjectQuery
from accord.core.signing import SIGNATURE_EXTENSION_ID, is_node_reference
from accord.federation.client import PeerClient, PeerError
from accord.federation.pull import Transfer

_STATUS_POLLS = 60


def push(node: Node, peer: Peer, client: PeerClient, collection: str) -> Transfer:
    """Send `collection` on the peer what is new here for its partner since the last run."""
    transfer = Transfer(peer.name, collection, "push")
    state = node.peers.cursor(peer.name, collection, "push")
    after = int(state.position) if state and state.position else 0
    release_by_id = node.store.release_markings()
    first_failure: str | None = None  # kept for the whole run: a later envelope does not clear it
    for envelope, last_seq, held_back in _envelopes(node, peer, after):
        markings = _markings_for(envelope, release_by_id)
        failures: list[dict[str, Any]] = []
        if envelope:
            status = _complete(client, client.add_objects(collection, [*markings, *envelope]))
            failures = list(status.get("failures", []))
            transfer.objects += len(envelope) - len(failures)
            _audit_send(node, peer, collection, len(envelope), failures, last_seq)
        transfer.refused += len(failures)
        transfer.withheld += held_back
        transfer.pages += 1
        first_failure = first_failure or _first_failure(failures)
        error = first_failure
        node.peers.record_sync(
            peer.name,
            collection,
            "push",
            position=str(last_seq),
            objects=len(envelope) - len(failures),
            error=error,
        )
    return transfer


def _envelopes(
    node: Node, peer: Peer, after: int
) -> Iterator[tuple[list[dict[str, Any]], int, int]]:
    """(bodies to send, the last seq they cover, objects held back) per envelope."""
    home = node.settings.home_partner
    outbound = node.outbound()
    query = ObjectQuery(versions="all", after_seq=after)
    found = node.store.iter_objects(node.reader(peer.partner), query, holder=home)
    envelope: list[dict[str, Any]] = []
    held_back, last_seq = 0, after
    for stored in found:
        last_seq = stored.seq
        if stored.owner == peer.partner or is_node_reference(stored.body):
            continue  # its own objects; objects every node makes for itself
        body = outbound.body(stored)
        if SIGNATURE_EXTENSION_ID not in body.get("extensions", {}):
            held_back += 1  # another partner's, unsigned or redacted for this peer
            continue
        envelope.append(body)
        if len(envelope) >= node.settings.federation_page_size:
            yield envelope, last_seq, held_back
            envelope, held_back = [], 0
    if envelope or held_back or last_seq != after:
        yield envelope, last_seq, held_back


def _markings_for(
    envelope: list[dict[str, Any]], release_by_id: Mapping[str, frozenset[str]]
) -> list[dict[str, Any]]:
    used = {ref for obj in envelope for ref in obj.get("object_marking_refs") or ()}
    return [release_marking(release_by_id[ref]) for ref in sorted(used) if ref in release_by_id]


def _complete(client: PeerClient, status: dict[str, Any]) -> dict[str, Any]:
    """The status once the peer has processed every object (large envelopes are processed
    in the background there)."""
    for attempt in range(_STATUS_POLLS):
        if status.get("status") == "complete":
            return status
        time.sleep(min(5.0, 0.05 * 2**attempt))
        status = client.status(str(status["id"]))
    raise PeerError(f"status {status.get('id')}: still pending after {_STATUS_POLLS} polls")


def _audit_send(
    node: Node,
    peer: Peer,
    collection: str,
    sent: int,
    failures: list[dict[str, Any]],
    last_seq: int,
) -> None:
    with node.database.writing() as connection:
        node.audit.record(
            connection,
            actor=f"peer:{peer.name}",
            action="federation.send",
            target=peer.partner,
            detail={
                "peer": peer.name,
                "collection": collection,
                "sent": sent,
                "refused": len(failures),
                "up_to_seq": last_seq,
            },
        )


def _first_failure(failures: list[dict[str, Any]]) -> str | None:
    if not failures:
        return None
    first = failures[0]
    return f"refused {len(failures)}: {first.get('id')}: {first.get('message')}"
