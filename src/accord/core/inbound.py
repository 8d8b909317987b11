"""Objects arriving from a peer node: verified, checked, then stored as their owner's.

Every object must carry the signature of its originating partner's node under the key
registered for that partner (``core.signing``); the signer becomes the owner, so an object
keeps its owner, markings and release list from node to node. Release-list markings are
not signed: their id is derived from their grantees, so the receiver checks one by
deriving it again. The other reference objects every node makes for itself, and this
node's own objects coming back, are skipped. The receiving node also refuses what it was
not released to (the sender should never have sent it) and any version of a home-partner
object, which only this node originates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from accord.core.fanout import map_ranges
from accord.core.ingest import Rejection
from accord.core.markings import Tlp, release_list_of, release_marking, strictest_tlp
from accord.core.policy import Reader, may_read
from accord.core.signing import SignatureError, is_node_reference, verify_object
from accord.core.store import ImportReport, Store

# Below this many objects, verifying in one process is quicker than forking.
_PARALLEL_MIN = 2000


@dataclass
class InboundReport:
    """What a delivery from a peer brought, and what was refused (by position)."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0  # reference objects and this node's own objects, held already
    owners: dict[str, int] = field(default_factory=dict)  # stored, by owner partner
    rejected: list[Rejection] = field(default_factory=list)

    def add(self, report: ImportReport, owner: str) -> None:
        self.stored += report.stored
        self.duplicates += report.duplicates
        self.rejected.extend(report.rejected)
        if report.stored:
            self.owners[owner] = self.owners.get(owner, 0) + report.stored


def receive(
    store: Store,
    objects: Sequence[Any],
    *,
    home: Reader,
    keys: Mapping[str, Ed25519PublicKey],
    grantees: frozenset[str],
    actor: str,
    workers: int = 1,
) -> InboundReport:
    """Verify `objects` and store each as its signer's; `keys` are the registered public
    keys by partner (the home partner's own included), `grantees` the partners and groups
    of this node. Idempotent on (id, modified), like every import."""
    report = InboundReport(received=len(objects))
    signers = _verify_all(objects, keys, workers)
    release_markings = dict(store.release_markings())
    references: list[dict[str, Any]] = []
    for index, (obj, signer) in enumerate(zip(objects, signers, strict=True)):
        if isinstance(signer, Rejection):
            report.rejected.append(signer)
        elif signer is None:
            grantees_of = release_list_of(obj)
            if grantees_of is None:
                report.skipped += 1
            elif grantees_of and release_marking(grantees_of) == obj:
                references.append(obj)
                release_markings[obj["id"]] = grantees_of
            else:
                reason = "not the release marking its grantees derive (altered)"
                report.rejected.append(Rejection(index, obj.get("id"), "id", reason))
    if references:
        stored = store.import_objects(
            references, owner=home.partner, actor=actor, grantees=grantees
        )
        report.add(stored, home.partner)
    by_owner: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, (obj, signer) in enumerate(zip(objects, signers, strict=True)):
        if not isinstance(signer, str):
            continue
        refusal = _refusal(obj, signer, home, release_markings)
        if refusal == "own":
            report.skipped += 1
        elif refusal:
            report.rejected.append(Rejection(index, obj.get("id"), "object_marking_refs", refusal))
        else:
            by_owner.setdefault(signer, []).append((index, obj))
    for owner, items in sorted(by_owner.items()):
        stored = store.import_objects(
            [obj for _, obj in items],
            owner=owner,
            actor=actor,
            grantees=grantees,
            action="federation.receive",
        )
        # Positions in the owner's share back to positions in the delivery.
        positions = [index for index, _ in items]
        stored.rejected = [
            Rejection(positions[r.index], r.object_id, r.field, r.reason) for r in stored.rejected
        ]
        report.add(stored, owner)
    report.rejected.sort(key=lambda rejection: rejection.index)
    return report


def _verify_all(
    objects: Sequence[Any], keys: Mapping[str, Ed25519PublicKey], workers: int
) -> list[str | Rejection | None]:
    """Per object: its verified signer, None for a reference object, or the rejection."""

    def verify_range(start: int, stop: int) -> list[str | Rejection | None]:
        return [_verify_one(index, objects[index], keys) for index in range(start, stop)]

    if len(objects) < _PARALLEL_MIN:
        return verify_range(0, len(objects))
    shares = map_ranges(verify_range, len(objects), workers)
    return [outcome for share in shares for outcome in share]


def _verify_one(
    index: int, obj: Any, keys: Mapping[str, Ed25519PublicKey]
) -> str | Rejection | None:
    if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str):
        return Rejection(index, None, "id", "not a STIX object with an id")
    if is_node_reference(obj):
        return None
    try:
        return verify_object(obj, keys)
    except SignatureError as error:
        return Rejection(index, obj["id"], "extensions", str(error))


def _refusal(
    obj: Mapping[str, Any],
    signer: str,
    home: Reader,
    release_markings: Mapping[str, frozenset[str]],
) -> str | None:
    """Why the home partner may not hold this verified object ("own" for its own ones)."""
    if signer == home.partner:
        return "own"
    marking_refs = obj.get("object_marking_refs") or ()
    tlp = strictest_tlp(marking_refs)
    release = frozenset().union(*(release_markings.get(ref, frozenset()) for ref in marking_refs))
    if tlp is Tlp.RED or not may_read(home, signer, tlp, release):
        return f"not released to {home.partner} by its owner {signer}; refused"
    return None
