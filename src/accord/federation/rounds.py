"""Sync rounds: every peer, every collection, each direction the peer is set up for.

A round never stops at one peer's failure: the error is saved in that peer's sync state
(``accord peer status``) and the next round tries again from the saved cursor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from accord.core.errors import AccordError
from accord.core.node import Node
from accord.core.peers import Peer
from accord.federation.client import PeerClient, PeerError, RetryPolicy
from accord.federation.pull import Transfer, pull
from accord.federation.push import push

log = logging.getLogger(__name__)
ClientFactory = Callable[[Node, Peer], PeerClient]


def connect(node: Node, peer: Peer) -> PeerClient:
    """A client for `peer` with the node's retry settings and the peer's stored token."""
    settings = node.settings
    policy = RetryPolicy(settings.federation_retries, settings.federation_backoff_seconds)
    return PeerClient(
        peer.url,
        node.peers.token(peer.name),
        timeout=settings.federation_timeout_seconds,
        policy=policy,
    )


def run_round(
    node: Node, names: Sequence[str] = (), *, client_factory: ClientFactory = connect
) -> list[Transfer]:
    """Sync each peer (all, or those named) once; what moved, per collection and direction."""
    peers = [node.peers.peer(name) for name in names] if names else node.peers.peers()
    transfers: list[Transfer] = []
    for peer in peers:
        transfers += sync_peer(node, peer, client_factory=client_factory)
    return transfers


def sync_peer(node: Node, peer: Peer, *, client_factory: ClientFactory = connect) -> list[Transfer]:
    """Pull, then push, each of the peer's collections; errors end up in its sync state."""
    transfers: list[Transfer] = []
    try:
        with client_factory(node, peer) as client:
            listed = client.collections()
            if node.peers.cursor(peer.name, "*", "both") is not None:
                # The peer answers again: an earlier round's failure to reach it is over.
                node.peers.record_sync(peer.name, "*", "both", position=None, error=None)
            if peer.pulls:
                for collection in pull_collections(peer, listed):
                    transfers.append(_guarded(node, peer, "pull", collection, pull, client))
            if peer.pushes:
                for collection in push_collections(peer, listed)[:1]:
                    transfers.append(_guarded(node, peer, "push", collection, push, client))
    except (PeerError, AccordError) as error:
        node.peers.record_sync(peer.name, "*", "both", position=None, error=str(error))
        transfers.append(Transfer(peer.name, "*", "both", error=str(error)))
    return transfers


def pull_collections(peer: Peer, listed: Sequence[dict[str, Any]]) -> list[str]:
    """The ids of the collections to pull: those the peer was set up with, or else the
    Accord ``all`` view if the peer has one (each other view is a part of it), or else
    every collection it lets this node read."""
    readable = [c for c in listed if c.get("can_read")]
    if peer.collections:
        return _named(peer, readable, "readable")
    everything = [c["id"] for c in readable if c.get("alias") == "all"]
    return everything or [c["id"] for c in readable]


def push_collections(peer: Peer, listed: Sequence[dict[str, Any]]) -> list[str]:
    """The id of the collection to push to: the first one named, else ``all`` or the first
    the peer lets this node write to."""
    writable = [c for c in listed if c.get("can_write")]
    if peer.collections:
        return _named(peer, writable, "writable")
    ranked = sorted(writable, key=lambda c: c.get("alias") != "all")
    return [c["id"] for c in ranked]


def run_forever(
    node: Node,
    every_seconds: float,
    stop: threading.Event,
    *,
    names: Sequence[str] = (),
    report: Callable[[list[Transfer]], None] | None = None,
) -> None:
    """A round every `every_seconds` (counted from the start of the last) until `stop`."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            transfers = run_round(node, names)
        except AccordError as error:  # the registry itself failed (no federation key...)
            log.error("federation round failed: %s", error)
        else:
            _log_round(transfers)
            if report is not None:
                report(transfers)
        stop.wait(max(0.0, every_seconds - (time.monotonic() - started)))


def _log_round(transfers: Sequence[Transfer]) -> None:
    for transfer in transfers:
        if transfer.error:
            log.warning(
                "federation %s %s %s: %s",
                transfer.peer,
                transfer.direction,
                transfer.collection,
                transfer.error,
            )
    moved = {d: sum(t.objects for t in transfers if t.direction == d) for d in ("pull", "push")}
    log.info("federation round: %(pull)d objects received, %(push)d sent", moved)


def _guarded(
    node: Node,
    peer: Peer,
    direction: str,
    collection: str,
    step: Callable[[Node, Peer, PeerClient, str], Transfer],
    client: PeerClient,
) -> Transfer:
    try:
        return step(node, peer, client, collection)
    except (PeerError, AccordError) as error:
        node.peers.record_sync(peer.name, collection, direction, position=None, error=str(error))
        return Transfer(peer.name, collection, direction, error=str(error))


def _named(peer: Peer, offered: Sequence[dict[str, Any]], able: str) -> list[str]:
    by_name = {c["id"]: c["id"] for c in offered} | {
        c["alias"]: c["id"] for c in offered if c.get("alias")
    }
    missing = [name for name in peer.collections or () if name not in by_name]
    if missing:
        raise PeerError(f"peer {peer.name}: no {able} collection {missing[0]!r} there")
    return [by_name[name] for name in peer.collections or ()]
