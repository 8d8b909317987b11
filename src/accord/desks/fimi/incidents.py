"""FIMI incidents: a coordinated cluster, tagged with the DISARM techniques an analyst
accepted, as STIX 2.1 findings partners can share.

The incident is a ``campaign`` with ``uses`` relationships to DISARM ``attack-pattern``s
(STIX 2.1's ``incident`` is a stub with no defined relationships, so it is not used),
``indicator``s for the links the cluster pushed and the sites behind them, and the
evidence: the accounts (``user-account``) and links (``url``) in an ``observed-data``, and
a ``report`` that bundles everything and lists the evidence posts.

``create`` writes a local draft (``<data_dir>/fimi/incidents/<campaign id>.json``), shared
with no one; ``publish`` stores it marked and released as the analyst says. Ids derive from
the cluster's accounts and evidence, so re-creating an incident rewrites the same objects;
an object whose content is unchanged keeps its version, a changed one gets a new version.
"""

from __future__ import annotations

import ipaddress
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import stix2

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
from accord.desks.fimi.posts import stored_posts
from accord.desks.fimi.suggest import stored_techniques

_ID_SALT = b"accord-fimi-incident:5b8e1c3a-7d2f-4e69-a0b4-c91f63d28e57:"
# A site is the cluster's when at least this share of the stored posts linking to it are
# the cluster's: a site the ring pushes, not a platform everyone links to.
RING_DOMAIN_SHARE = 0.5
_EXCERPT_CHARS = 80
_HOST = r"^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)"
# STIX account-type-ov names for the platforms posts come from; others are kept as written.
_ACCOUNT_TYPES = {"twitter": "twitter", "x": "twitter", "facebook": "facebook"}
_SIGNAL_WORDS = {"repost": "co-reposts", "text": "copy-pasted texts", "url": "shared links"}
# What the report is about (report-type-ov), in the order the report lists them.
_REPORT_TYPES = ("campaign", "attack-pattern", "indicator", "observed-data")
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
    folder = _fimi_folder(node)
    posts = stored_posts(folder)
    evidence = _evidence_posts(posts, cluster, folder)
    author = node.partners.partner(node.settings.home_partner).identity_id
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


def incident_objects(
    cluster: Cluster,
    evidence: pa.Table,
    posts: pa.Table,
    techniques: Sequence[Technique],
    *,
    author: str,
    name: str | None,
    stamp: datetime,
) -> list[dict[str, Any]]:
    """The incident's STIX objects, the campaign first. `evidence` are the cluster's
    evidence posts, `posts` every stored post (to tell the cluster's sites from popular
    ones); `stamp` is the created/modified time of new objects."""
    rows = sorted(evidence.to_pylist(), key=lambda row: (row["ts"], row["post_id"]))
    key = "|".join(sorted(cluster.accounts)) + "#" + "|".join(sorted(cluster.evidence))
    common = {"spec_version": "2.1", "created_by_ref": author}
    common |= {"created": format_timestamp(stamp), "modified": format_timestamp(stamp)}
    campaign = _campaign(derived_id("campaign", _ID_SALT, key), cluster, rows, name, common)
    uses = [_relationship(campaign["id"], "uses", t.stix_id, common) for t in techniques]
    accounts = _accounts(cluster.accounts, posts)
    links = _links(rows)
    indicators = _indicators(campaign, links, _ring_domains(posts, cluster.accounts, links), common)
    indicates = [_relationship(i["id"], "indicates", campaign["id"], common) for i in indicators]
    scos = accounts + [_sco(stix2.v21.URL(value=url)) for url in links]
    observed = _observed_data(campaign["id"], rows, scos, common)
    described = [campaign, *uses, *indicators, *indicates, observed]
    refs = [
        *(o["id"] for o in described),
        *(t.stix_id for t in techniques),
        *(s["id"] for s in scos),
    ]
    report = _report(campaign, rows, refs, common)
    return [*described, report, *scos]


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
    folder = _fimi_folder(node) / "incidents"
    found = [_draft(path, read_bundle(path)) for path in sorted(folder.glob("campaign--*.json"))]
    found.sort(key=lambda draft: draft.created, reverse=True)
    return [DraftState(d.campaign_id, d.name, d.created, _state(node, d)) for d in found]


def _campaign(
    campaign_id: str,
    cluster: Cluster,
    rows: list[dict[str, Any]],
    name: str | None,
    common: Mapping[str, Any],
) -> dict[str, Any]:
    first, last = format_timestamp(rows[0]["ts"]), format_timestamp(rows[-1]["ts"])
    shown = ", ".join(cluster.accounts[:3])
    more = len(cluster.accounts) - 3
    default_name = f"Coordinated accounts {shown}" + (f" and {more} more" if more > 0 else "")
    signals = ", ".join(f"{n} {_SIGNAL_WORDS.get(s, s)}" for s, n in cluster.signals.items() if n)
    description = (
        f"{len(cluster.accounts)} accounts acted together ({', '.join(cluster.accounts)}): "
        f"{signals}; co-acts a median {cluster.median_gap_s:.0f} s apart; coordination "
        f"score {cluster.score}. {len(rows)} evidence posts from {first} to {last} "
        "(listed in the report). Found by Accord's coordination analysis (co-activity "
        "within a time window, Leiden communities)."
    )
    active = [f"fimi:signal:{s}" for s, n in cluster.signals.items() if n]
    return {
        "type": "campaign",
        "id": campaign_id,
        **common,
        "name": name or f"{default_name} ({first[:10]})",
        "description": description,
        "first_seen": first,
        "last_seen": last,
        "labels": ["area:fimi", "fimi:coordinated-behaviour", *active],
    }


def _relationship(source: str, kind: str, target: str, common: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "relationship",
        "id": derived_id("relationship", _ID_SALT, f"{source} {kind} {target}"),
        **common,
        "relationship_type": kind,
        "source_ref": source,
        "target_ref": target,
        "labels": ["area:fimi"],
    }


def _accounts(accounts: Sequence[str], posts: pa.Table) -> list[dict[str, Any]]:
    # The platform of each account from any of its posts, so the same account always gets
    # the same user-account (its id derives from login and type).
    theirs = posts.filter(pc.is_in(posts["account"], value_set=pa.array(list(accounts))))
    platform: dict[str, str] = {}
    for row in theirs.select(["account", "platform"]).to_pylist():
        if row["platform"]:
            platform.setdefault(row["account"], row["platform"].strip().lower())
    found = []
    for account in accounts:
        kind = platform.get(account)
        typed = {"account_type": _ACCOUNT_TYPES.get(kind, kind)} if kind else {}
        found.append(_sco(stix2.v21.UserAccount(account_login=account, **typed)))
    return found


def _links(rows: list[dict[str, Any]]) -> dict[str, datetime]:
    """Each URL of the evidence with the first time it was posted."""
    first: dict[str, datetime] = {}
    for row in rows:
        for url in row["urls"] or ():
            first.setdefault(url, row["ts"])
    return dict(sorted(first.items()))


def _ring_domains(
    posts: pa.Table, accounts: Sequence[str], links: Mapping[str, datetime]
) -> dict[str, datetime]:
    """The hosts of `links` that are the cluster's (``RING_DOMAIN_SHARE``), each with the
    first time the evidence linked to it."""
    hosts: dict[str, datetime] = {}
    for url, ts in links.items():
        host = _host(url)
        if host and (host not in hosts or ts < hosts[host]):
            hosts[host] = ts
    if not hosts:
        return {}
    shares = (
        pl.DataFrame(posts.select(["account", "urls"]))
        .explode("urls")
        .with_columns(pl.col("urls").str.extract(_HOST, 1).alias("host"))
        .filter(pl.col("host").is_in(list(hosts)))
        .group_by("host")
        .agg(pl.col("account").is_in(list(accounts)).mean().alias("share"))
    )
    theirs = {h for h, s in shares.iter_rows() if s >= RING_DOMAIN_SHARE}
    return {host: ts for host, ts in sorted(hosts.items()) if host in theirs}


def _host(url: str) -> str | None:
    found = re.match(_HOST, url)
    if not found:
        return None
    try:
        ipaddress.ip_address(found.group(1))
    except ValueError:
        return found.group(1)
    return None  # an address, not a domain name


def _indicators(
    campaign: Mapping[str, Any],
    links: Mapping[str, datetime],
    domains: Mapping[str, datetime],
    common: Mapping[str, Any],
) -> list[dict[str, Any]]:
    wanted = [("url", value, ts) for value, ts in links.items()]
    wanted += [("domain-name", value, ts) for value, ts in domains.items()]
    return [
        {
            "type": "indicator",
            "id": derived_id("indicator", _ID_SALT, f"{campaign['id']} {kind} {value}"),
            **common,
            "name": f"{'Link' if kind == 'url' else 'Site'} pushed by {campaign['name']}",
            "description": f"{value}: {'shared' if kind == 'url' else 'linked to'} by the "
            "campaign's coordinated accounts",
            "indicator_types": ["anomalous-activity"],
            "pattern": f"[{kind}:value = '{_pattern_string(value)}']",
            "pattern_type": "stix",
            "valid_from": format_timestamp(ts),
            "labels": ["area:fimi"],
        }
        for kind, value, ts in wanted
    ]


def _pattern_string(value: str) -> str:
    # STIX 2.1 patterning §9.4: in a quoted string, \ and ' are escaped with a backslash.
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _observed_data(
    campaign_id: str,
    rows: list[dict[str, Any]],
    scos: Sequence[Mapping[str, Any]],
    common: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "type": "observed-data",
        "id": derived_id("observed-data", _ID_SALT, campaign_id),
        **common,
        "first_observed": format_timestamp(rows[0]["ts"]),
        "last_observed": format_timestamp(rows[-1]["ts"]),
        "number_observed": len(rows),
        "object_refs": [sco["id"] for sco in scos],
        "labels": ["area:fimi"],
    }


def _report(
    campaign: Mapping[str, Any],
    rows: list[dict[str, Any]],
    refs: Sequence[str],
    common: Mapping[str, Any],
) -> dict[str, Any]:
    kinds = {ref.partition("--")[0] for ref in refs}
    evidence = "\n".join(
        f"- {row['post_id']} ({row['account']}, {format_timestamp(row['ts'])}): {_excerpt(row)}"
        for row in rows
    )
    return {
        "type": "report",
        "id": derived_id("report", _ID_SALT, campaign["id"]),
        **common,
        "name": f"FIMI incident: {campaign['name']}",
        "description": f"{campaign['description']}\n\nEvidence posts:\n{evidence}",
        "report_types": [kind for kind in _REPORT_TYPES if kind in kinds],
        "published": common["modified"],
        "object_refs": list(refs),
        "labels": ["area:fimi"],
    }


def _excerpt(row: Mapping[str, Any]) -> str:
    text = " ".join(str(row["text"]).split())
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "…"


def _sco(obj: Any) -> dict[str, Any]:
    # Built by the stix2 library: SCO ids are UUIDv5 of their id-contributing properties
    # (STIX 2.1 §2.9), which it computes.
    return dict(orjson.loads(obj.serialize()))


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
    bundle_id = derived_id("bundle", _ID_SALT, str(objects[0]["id"]))
    bundle = {"type": "bundle", "id": bundle_id, "objects": list(objects)}
    partial = path.with_name(f".{uuid.uuid4().hex}.partial")
    partial.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    os.replace(partial, path)


def _draft_path(node: Node, campaign_id: str) -> Path:
    return _fimi_folder(node) / "incidents" / f"{campaign_id}.json"


def _fimi_folder(node: Node) -> Path:
    return node.settings.data_dir / "fimi"


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # STIX's usual precision
