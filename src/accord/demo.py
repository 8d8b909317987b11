"""A demonstration partnership: partners, groups and a few hundred findings across areas.

The findings are generated from a seed, so every run builds the same node. They are
plausible, not real: vessel names, companies and indicators are invented.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.stix.canonical import format_timestamp

AREAS = ("maritime", "sanctions", "fimi", "cyber", "industry", "space")
_OWNERS = (("EU", 30), ("JP", 20), ("KR", 15), ("NO", 10), ("MD", 10), ("FR", 8), ("DE", 7))
_TLPS = ((Tlp.CLEAR, 15), (Tlp.GREEN, 30), (Tlp.AMBER, 35), (Tlp.AMBER_STRICT, 10), (Tlp.RED, 10))
_RELEASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "maritime": (("maritime-indo-pacific",), ("sdp-jp",), ("sdp-kr",), ("EU", "NO")),
    "sanctions": (("sdp-jp", "sdp-kr"), ("eu-member-states",), ("EU", "JP", "KR", "NO")),
    "fimi": (("sdp-md",), ("eu-member-states", "MD"), ("EU", "NO", "MD")),
    "cyber": (("sdp-jp",), ("sdp-kr",), ("EU", "JP", "KR", "NO", "MD")),
    "industry": (("eu-member-states",), ("EU", "JP"), ("EU", "KR", "NO")),
    "space": (("sdp-jp",), ("EU", "JP", "KR"), ("eu-member-states", "NO")),
}
_SEAS = (
    ("East China Sea", 29.5, 125.0),
    ("Korea Strait", 34.6, 129.2),
    ("Yellow Sea", 36.0, 123.5),
    ("Gulf of Finland", 59.9, 26.0),
    ("Baltic Sea off Gotland", 57.4, 18.6),
    ("Strait of Hormuz", 26.5, 56.3),
)
_VESSEL_NAMES = ("SEA BREEZE", "OCEAN STAR", "KAI FENG", "NORD PACIFIC", "LUCKY WAVE", "AMBER SUN")
_NARRATIVES = (
    "EU grain deals starve Moldovan farmers",
    "Japanese fishery water is unsafe",
    "Sanctions hurt only European households",
    "Election in Moldova was rigged from abroad",
)
_MALWARE = ("ShadowPad", "PlugX", "Lazarus loader", "AppleJeus", "Sednit backdoor")


@dataclass(frozen=True)
class VisibilityRow:
    """What one partner sees on the demo node: latest findings per area, and in all."""

    partner: str
    per_area: dict[str, int]
    total: int


def load_demo(node: Node, *, findings: int = 140, seed: int = 2026) -> int:
    """Load the demo findings into an initialised node; returns how many objects it stored."""
    rng = random.Random(seed)
    stored = 0
    for _area, owner, tlp, release, objects in _findings(rng, findings):
        report = node.import_objects(
            objects,
            owner=owner,
            actor="accord demo",
            tlp=tlp,
            release=None if tlp in (Tlp.CLEAR, Tlp.RED) else release,
        )
        report.raise_for_rejections()
        stored += report.stored
    return stored


def visibility(node: Node) -> list[VisibilityRow]:
    """For every partner on the node, how many demo findings it may read, per area."""
    rows = []
    for partner in node.partners.partners():
        counts = dict.fromkeys(AREAS, 0)
        for item in node.store.iter_objects(node.reader(partner.code)):
            for label in item.body.get("labels", ()):
                area = label.removeprefix("area:")
                if area in counts:
                    counts[area] += 1
        rows.append(VisibilityRow(partner.code, counts, sum(counts.values())))
    return rows


def _findings(
    rng: random.Random, count: int
) -> Iterator[tuple[str, str, Tlp, tuple[str, ...], list[dict[str, Any]]]]:
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for number in range(count):
        area = AREAS[number % len(AREAS)]
        owner = _weighted(rng, _OWNERS)
        tlp = _weighted(rng, _TLPS)
        release = rng.choice(_RELEASES[area])
        when = start + timedelta(hours=rng.randint(0, 24 * 80), seconds=number)
        yield area, owner, tlp, release, _BUILDERS[area](rng, when)


def _weighted(rng: random.Random, choices: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _sdo(kind: str, rng: random.Random, when: datetime, area: str, **props: Any) -> dict[str, Any]:
    stamp = format_timestamp(when)
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "created": stamp,
        "modified": stamp,
        "labels": [f"area:{area}"],
        **props,
    }


def _relationship(
    rng: random.Random,
    when: datetime,
    area: str,
    kind: str,
    source: dict[str, Any],
    target: dict[str, Any],
) -> dict[str, Any]:
    return _sdo(
        "relationship",
        rng,
        when,
        area,
        relationship_type=kind,
        source_ref=source["id"],
        target_ref=target["id"],
    )


def _maritime(rng: random.Random, when: datetime) -> list[dict[str, Any]]:
    sea, lat, lon = rng.choice(_SEAS)
    vessel = rng.choice(_VESSEL_NAMES)
    imo = rng.randint(9_000_000, 9_899_999)
    place = _sdo(
        "location",
        rng,
        when,
        "maritime",
        name=sea,
        latitude=round(lat + rng.uniform(-0.5, 0.5), 4),
        longitude=round(lon + rng.uniform(-0.5, 0.5), 4),
    )
    gap_h = rng.randint(6, 40)
    report = _sdo(
        "report",
        rng,
        when,
        "maritime",
        name=f"{vessel} (IMO {imo}): AIS gap of {gap_h} h, then ship-to-ship transfer in {sea}",
        published=format_timestamp(when),
        report_types=["observed-data"],
        object_refs=[place["id"]],
    )
    return [place, report]


def _sanctions(rng: random.Random, when: datetime) -> list[dict[str, Any]]:
    company = (
        f"{rng.choice(('Eastern', 'Golden', 'Pacific', 'Nordic'))} "
        f"{rng.choice(('Shipping', 'Trading', 'Logistics', 'Marine'))} "
        f"{rng.choice(('Ltd', 'LLC', 'Co.', 'FZE'))}"
    )
    entity = _sdo(
        "identity",
        rng,
        when,
        "sanctions",
        name=company,
        identity_class="organization",
        sectors=["transportation"],
    )
    score = rng.randint(86, 99)
    note = _sdo(
        "note",
        rng,
        when,
        "sanctions",
        abstract=f"Screening hit: {company}",
        content=f"{company} matches a listed entity (score {score}); shares an address with "
        "a designated ship manager.",
        object_refs=[entity["id"]],
    )
    return [entity, note]


def _fimi(rng: random.Random, when: datetime) -> list[dict[str, Any]]:
    narrative = rng.choice(_NARRATIVES)
    accounts = rng.randint(40, 400)
    campaign = _sdo(
        "campaign",
        rng,
        when,
        "fimi",
        name=f"Narrative: {narrative}",
        description=f"{accounts} accounts posted near-identical texts within 2 h.",
    )
    actor = _sdo(
        "intrusion-set", rng, when, "fimi", name=f"Coordinated network {rng.randint(100, 999)}"
    )
    return [campaign, actor, _relationship(rng, when, "fimi", "attributed-to", campaign, actor)]


def _cyber(rng: random.Random, when: datetime) -> list[dict[str, Any]]:
    address = f"203.0.113.{rng.randint(1, 254)}"
    malware = _sdo("malware", rng, when, "cyber", name=rng.choice(_MALWARE), is_family=True)
    indicator = _sdo(
        "indicator",
        rng,
        when,
        "cyber",
        name=f"C2 server {address}",
        pattern=f"[ipv4-addr:value = '{address}']",
        pattern_type="stix",
        valid_from=format_timestamp(when),
        indicator_types=["malicious-activity"],
    )
    return [malware, indicator, _relationship(rng, when, "cyber", "indicates", indicator, malware)]


def _industry(rng: random.Random, when: datetime) -> list[dict[str, Any]]:
    company = (
        f"{rng.choice(('Aero', 'Naval', 'Optro', 'Cyber'))}"
        f"{rng.choice(('tech', 'systems', 'dynamics'))} {rng.choice(('GmbH', 'SA', 'KK', 'AS'))}"
    )
    entity = _sdo(
        "identity",
        rng,
        when,
        "industry",
        name=company,
        identity_class="organization",
        sectors=["defense"],
    )
    note = _sdo(
        "note",
        rng,
        when,
        "industry",
        abstract=f"{company}: consortium candidate",
        content="Eligible as a consortium member for a European Defence Fund call.",
        object_refs=[entity["id"]],
    )
    return [entity, note]


def _space(rng: random.Random, when: datetime) -> list[dict[str, Any]]:
    norad = rng.randint(40_000, 59_999)
    satellite = _sdo(
        "infrastructure",
        rng,
        when,
        "space",
        name=f"Satellite NORAD {norad}",
        infrastructure_types=["unknown"],
    )
    report = _sdo(
        "report",
        rng,
        when,
        "space",
        name=f"Unannounced manoeuvre of NORAD {norad} near a partner satellite",
        published=format_timestamp(when),
        report_types=["observed-data"],
        object_refs=[satellite["id"]],
    )
    return [satellite, report]


_BUILDERS: dict[str, Callable[[random.Random, datetime], list[dict[str, Any]]]] = {
    "maritime": _maritime,
    "sanctions": _sanctions,
    "fimi": _fimi,
    "cyber": _cyber,
    "industry": _industry,
    "space": _space,
}
