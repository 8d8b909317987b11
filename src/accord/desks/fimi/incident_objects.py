"""The STIX 2.1 objects of a FIMI incident: a coordinated cluster with the DISARM techniques
an analyst accepted.

The incident is a ``campaign`` with ``uses`` relationships to DISARM ``attack-pattern``s
(STIX 2.1's ``incident`` is a stub with no defined relationships, so it is not used),
``indicator``s for the links the cluster pushed and the sites behind them, and the
evidence: the accounts (``user-account``) and links (``url``) in an ``observed-data``, and
a ``report`` that bundles everything and lists the evidence posts. Ids derive from the
cluster's accounts and evidence, so building the same incident again gives the same ids.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import stix2

from accord.core.stix.canonical import format_timestamp
from accord.core.stix.identifiers import derived_id
from accord.desks.fimi.coordination import Cluster
from accord.desks.fimi.disarm import Technique

# Salts every id an incident derives, the draft's bundle id included (so shared with
# ``incidents``); changing it would give every re-created incident new ids.
ID_SALT = b"accord-fimi-incident:5b8e1c3a-7d2f-4e69-a0b4-c91f63d28e57:"
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
    campaign = _campaign(derived_id("campaign", ID_SALT, key), cluster, rows, name, common)
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
        "id": derived_id("relationship", ID_SALT, f"{source} {kind} {target}"),
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
            "id": derived_id("indicator", ID_SALT, f"{campaign['id']} {kind} {value}"),
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
        "id": derived_id("observed-data", ID_SALT, campaign_id),
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
        "id": derived_id("report", ID_SALT, campaign["id"]),
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
