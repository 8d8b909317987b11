"""FIMI incidents: a coordinated cluster, tagged with the DISARM techniques an analyst
accepted, as STIX 2.1 findings partners can share (``incident_objects`` builds the objects).

``create`` writes a local draft (``<data_dir>/fimi/incidents/<campaign id>.json``), shared
with no one; ``publish`` stores it marked and released as the analyst says. Ids derive from
the cluster's accounts and evidence, so re-creating an incident rewrites the same objects;
an object whose content is unchanged keeps its version, a changed one gets a new version.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from accord.core.errors import InvalidInput, NotFound
from accord.core.exchange import read_bundle
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.core.stix.canonical import format_timestamp, parse_timestamp
from accord.core.stix.identifiers import derived_id
from accord.core.store import ImportReport
from accord.desks.fimi.coordination import Cluster
from accord.desks.fimi.disarm import Technique
from accord.desks.fimi.incident_objects import ID_SALT, incident_objects
from accord.desks.fimi.posts import desk_folder, stored_posts
from accord.desks.fimi.suggest import stored_techniques

# Properties that tell versions apart, not content (markings are added when published).
_TIMESTAMPS = ("created", "modified", "published")
_VERSION_KEYS = (*_TIMESTAMPS, "object_marking_refs")
_CAMPAIGN_ID = re.compile(
    r"^campaign--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


@dataclass(frozen=True)
class Draft:
    """An incident drafted on this node: its bundle file and objects."""

    campaign_id: str
    name: str
    created: str
    path: Path
    objects: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class DraftState:
    """A draft as ``incident list`` shows it."""

    campaign_id: str
    name: str
    created: str
    # "draft" (nothing stored), "published" (every object stored at this version), or
    # "changed" (published, then created again with other content).
    state: str


def create_incident(
    node: Node, cluster: Cluster, techniques: Sequence[str], *, name: str | None = None
) -> Draft:
    """Draft the incident of `cluster` using the accepted `techniques` (DISARM ids such as
    ``T0049.003``, or attack-pattern ids) and write it to the drafts folder. InvalidInput
    names techniques that are not DISARM techniques stored on the node."""
    accepted = accepted_techniques(node, techniques)
    folder = desk_folder(node)
    posts = stored_posts(folder)
    evidence = _evidence_posts(posts, cluster, folder)
    author = node.home_identity_id()
    stamp = _now()
    objects = incident_objects(
        cluster, evidence, posts, accepted, author=author, name=name, stamp=stamp
    )
    path = _draft_path(node, objects[0]["id"])
    previous = _previous_versions(node, path, objects)
    objects = [_versioned(obj, previous.get(obj["id"], []), stamp) for obj in objects]
    _write_bundle(path, objects)
    return _draft(path, objects)


def accepted_techniques(node: Node, wanted: Sequence[str]) -> list[Technique]:
    """The stored DISARM techniques `wanted` names (DISARM or STIX ids), in that order."""
    if not wanted:
        raise InvalidInput("no technique: accept at least one (`accord fimi suggest` lists some)")
    stored = stored_techniques(node)
    by_id = {t.disarm_id: t for t in stored} | {t.stix_id: t for t in stored}
    unknown = [item for item in wanted if item not in by_id]
    if unknown:
        raise InvalidInput(
            f"not a DISARM technique stored on this node: {', '.join(unknown)} "
            "(`accord fimi suggest` lists candidates)"
        )
    return list({by_id[item].stix_id: by_id[item] for item in wanted}.values())


def publish_incident(
    node: Node, campaign_id: str, *, actor: str, tlp: Tlp, release: Sequence[str] | None
) -> ImportReport:
    """Store a draft as findings of the home partner, marked `tlp` and released to
    `release` (the DISARM techniques it uses are already stored, TLP:CLEAR). Re-publishing
    the same draft adds nothing. Raises on any rejected object."""
    draft = read_draft(node, campaign_id)
    # The techniques may have gone since the draft was made; a `uses` must not dangle.
    accepted_techniques(
        node, [o["target_ref"] for o in draft.objects if o.get("relationship_type") == "uses"]
    )
    report = node.import_objects(list(draft.objects), actor=actor, tlp=tlp, release=release)
    report.raise_for_rejections()
    return report


def read_draft(node: Node, campaign_id: str) -> Draft:
    """The draft of the campaign `campaign_id`; NotFound if there is none."""
    if not _CAMPAIGN_ID.match(campaign_id):
        raise InvalidInput(f"{campaign_id!r}: not a campaign id (campaign--<uuid>)")
    path = _draft_path(node, campaign_id)
    if not path.exists():
        raise NotFound(f"no incident draft {campaign_id} (`accord fimi incident list`)")
    return _draft(path, read_bundle(path))


def drafts(node: Node) -> list[DraftState]:
    """The incident drafts on this node, newest first, each with whether it is published."""
    folder = desk_folder(node) / "incidents"
    found = [_draft(path, read_bundle(path)) for path in sorted(folder.glob("campaign--*.json"))]
    found.sort(key=lambda draft: draft.created, reverse=True)
    return [DraftState(d.campaign_id, d.name, d.created, _state(node, d)) for d in found]


def _evidence_posts(posts: pa.Table, cluster: Cluster, folder: Path) -> pa.Table:
    wanted = pa.array(list(cluster.evidence), type=pa.string())
    found = posts.filter(pc.is_in(posts["post_id"], value_set=wanted))
    if found.num_rows == 0:
        raise InvalidInput(
            f"cluster {cluster.cluster}: none of its {len(cluster.evidence)} evidence posts "
            f"is among the stored posts ({folder / 'posts.parquet'}); ingest them again"
        )
    return found


def _previous_versions(
    node: Node, path: Path, objects: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The earlier versions of the objects: in the old draft, and as stored."""
    ids = tuple(o["id"] for o in objects if "modified" in o)
    found: dict[str, list[dict[str, Any]]] = {}
    drafted = read_bundle(path) if path.exists() else []
    stored = [s.body for s in node.store.objects(node.reader(), ObjectQuery(ids=ids))]
    for body in [*drafted, *stored]:
        found.setdefault(str(body.get("id")), []).append(body)
    return found


def _versioned(
    obj: dict[str, Any], previous: Sequence[Mapping[str, Any]], now: datetime
) -> dict[str, Any]:
    """`obj` with the timestamps of an earlier version of the same content, or as a new
    version of its earlier versions (same ``created``, a later ``modified``)."""
    if "modified" not in obj or not previous:
        return obj
    content = _content(obj)
    for earlier in previous:
        if _content(earlier) == content:
            return {**obj, **{k: earlier[k] for k in _TIMESTAMPS if k in earlier}}
    latest = max(parse_timestamp(str(p["modified"])) for p in previous)
    stamp = format_timestamp(max(now, latest + timedelta(milliseconds=1)))
    created = min(str(p["created"]) for p in previous)
    return {**obj, "created": created, "modified": stamp} | (
        {"published": stamp} if "published" in obj else {}
    )


def _content(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in _VERSION_KEYS}


def _state(node: Node, draft: Draft) -> str:
    versions = {(o["id"], parse_timestamp(o["modified"])) for o in draft.objects if "modified" in o}
    query = ObjectQuery(ids=tuple(i for i, _ in versions), versions="all")
    stored = {(e.stix_id, e.version) for e in node.store.manifest(node.reader(), query)}
    if versions <= stored:
        return "published"
    return "changed" if stored else "draft"


def _draft(path: Path, objects: Sequence[dict[str, Any]]) -> Draft:
    campaign = next((o for o in objects if o.get("type") == "campaign"), None)
    if campaign is None:
        raise InvalidInput(f"{path}: no campaign in it: not an incident draft")
    return Draft(campaign["id"], campaign["name"], campaign["created"], path, tuple(objects))


def _write_bundle(path: Path, objects: Sequence[Mapping[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    bundle_id = derived_id("bundle", ID_SALT, str(objects[0]["id"]))
    bundle = {"type": "bundle", "id": bundle_id, "objects": list(objects)}
    partial = path.with_name(f".{uuid.uuid4().hex}.partial")
    partial.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    os.replace(partial, path)


def _draft_path(node: Node, campaign_id: str) -> Path:
    return desk_folder(node) / "incidents" / f"{campaign_id}.json"


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # STIX's usual precision
