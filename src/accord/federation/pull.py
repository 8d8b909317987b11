"""Pulling a peer's collection: page by page, verified, stored, then the cursor moves.

Within one run the pages are followed with the server's ``next`` tokens. What is saved
between runs is never a ``next`` token (servers expire those; medallion after 30 s) but
the ``added_after`` to start from, taken from the ``X-TAXII-Date-Added-Last`` of the last
page stored: that time itself once the collection was read to its end, or one
millisecond before it while more pages were to come, since objects added in that same
instant may not all have been on the page (they come again, and are recognised as held:
imports are idempotent on id and version). Pages are stored four at a time (4,000
objects at the default page size, so that verifying and storing use every core), and the
position is saved only after they are stored, so a crash at any point loses nothing and a
rerun repeats at most those pages.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accord.core.markings import TLP_BY_MARKING_ID
from accord.core.node import Node
from accord.core.peers import Peer
from accord.core.stix.canonical import format_timestamp, parse_timestamp
from accord.federation.client import Page, PeerClient, PeerError

_OVERLAP = timedelta(milliseconds=1)
# Pages are verified and stored four at a time: at the default 1,000 objects a page, a
# delivery is then large enough for the import to spread over the cores (it forks from
# 4,000 objects, core.ingest).
_PAGES_AT_ONCE = 4


@dataclass
class Transfer:
    """What one direction of one collection's sync moved in a run."""

    peer: str
    collection: str
    direction: str
    objects: int = 0  # stored here (pull) or accepted there (push)
    duplicates: int = 0  # held here already
    withheld: int = 0  # push: another partner's objects this node cannot send on signed
    refused: int = 0
    pages: int = 0
    error: str | None = None


def pull(node: Node, peer: Peer, client: PeerClient, collection: str) -> Transfer:
    """Fetch what the peer added to `collection` since the last run, and store it."""
    transfer = Transfer(peer.name, collection, "pull")
    state = node.peers.cursor(peer.name, collection, "pull")
    added_after = state.position if state else None
    known_markings = set(node.store.release_markings()) | set(TLP_BY_MARKING_ID)
    first_refusal: str | None = None  # kept for the whole run: a later page does not clear it
    pages = _pages(client, collection, added_after, node.settings)
    for batch in _batches(pages, _PAGES_AT_ONCE * node.settings.federation_page_size):
        transfer.pages += len(batch)
        objects = [obj for page in batch for obj in page.objects]
        delivery = _missing_markings(client, collection, objects, known_markings) + objects
        report = node.receive_objects(delivery, actor=f"peer:{peer.name}")
        known_markings.update(obj["id"] for obj in delivery if _is_marking(obj))
        transfer.objects += report.stored
        transfer.duplicates += report.duplicates
        transfer.refused += len(report.rejected)
        if report.rejected and first_refusal is None:
            first_refusal = str(report.rejected[0])
        error = f"refused {transfer.refused}: {first_refusal}" if first_refusal else None
        node.peers.record_sync(
            peer.name,
            collection,
            "pull",
            position=_resume_point(batch[-1]) or added_after,
            objects=report.stored,
            error=error,
        )
    return transfer


def _batches(pages: Iterable[Page], minimum: int) -> Iterator[list[Page]]:
    """Consecutive pages with at least `minimum` objects in all (the last batch may have
    fewer)."""
    batch: list[Page] = []
    for page in pages:
        batch.append(page)
        if sum(len(item.objects) for item in batch) >= minimum:
            yield batch
            batch = []
    if batch:
        yield batch


def _pages(
    client: PeerClient, collection: str, added_after: str | None, settings: Any
) -> Iterator[Page]:
    """The run's pages, fetched by a thread that keeps up to a batch of pages ahead: the
    peer makes the next pages, and they travel, while this node verifies and stores the
    last ones. The cursor still moves only once a page is stored; pages fetched ahead of a
    failure are dropped."""
    ready: queue.Queue[Page | BaseException] = queue.Queue(maxsize=_PAGES_AT_ONCE)
    stop = threading.Event()

    def fetch() -> None:
        next_token: str | None = None
        try:
            while not stop.is_set():
                page = _page(client, collection, added_after, next_token, settings)
                ready.put(page)
                if not page.more or not page.next or not page.objects:
                    return
                next_token = page.next
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            ready.put(error)

    fetcher = threading.Thread(target=fetch, name="accord-pull", daemon=True)
    fetcher.start()
    try:
        while True:
            item = ready.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if not item.more or not item.next or not item.objects:
                return
    finally:
        stop.set()
        while fetcher.is_alive():  # unblock a fetcher waiting for room, then let it end
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        fetcher.join()


def _resume_point(page: Page) -> str | None:
    """The ``added_after`` a later run starts from, if it stops after this page."""
    if page.added_last is None:
        return None
    if not page.more:
        return page.added_last
    return format_timestamp(parse_timestamp(page.added_last) - _OVERLAP)


def _page(
    client: PeerClient,
    collection: str,
    added_after: str | None,
    next_token: str | None,
    settings: Any,
) -> Page:
    limit = settings.federation_page_size
    try:
        return client.objects_page(
            collection, added_after=added_after, next_token=next_token, limit=limit
        )
    except PeerError as error:
        if next_token is None or error.status != 400:
            raise
    # The server no longer takes its own token (expired, or it restarted with a new key):
    # this run carries on from where it is, as a new run would.
    return client.objects_page(collection, added_after=added_after, next_token=None, limit=limit)


def _missing_markings(
    client: PeerClient, collection: str, objects: list[dict[str, Any]], known: set[str]
) -> list[dict[str, Any]]:
    """Marking-definitions the page's objects use that this node has not got yet (a
    release marking is stored after the objects of the import that made it, so it may come
    a page later): fetched first by id, so each object is judged with its release list."""
    present = {obj.get("id") for obj in objects if _is_marking(obj)}
    wanted = sorted(set(_marking_refs(objects)) - known - present)
    fetched: list[dict[str, Any]] = []
    for marking_id in wanted:
        fetched += client.object_versions(collection, marking_id)
    return fetched


def _marking_refs(objects: Iterable[dict[str, Any]]) -> Iterable[str]:
    for obj in objects:
        refs = obj.get("object_marking_refs")
        if isinstance(refs, list):
            yield from (ref for ref in refs if isinstance(ref, str))


def _is_marking(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("type") == "marking-definition"
