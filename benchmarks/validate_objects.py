"""Objects per second: accord's STIX validator against stix2-validator and stix2.parse.

Run: ``python benchmarks/validate_objects.py``. Generates 20,000 seeded, valid indicators
and 5,000 other objects (relationships, malware, threat actors, identities, attack patterns
and a custom ``x-mitre-tactic``), times ``object_problem`` over all of them,
``stix2validator.validate_instance`` over 1,000 (it is slow) and
``stix2.parse(obj, allow_custom=True)`` over 5,000, and checks the verdicts.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import stix2
from stix2validator import ValidationOptions, validate_instance

from accord.core.stix.validation import object_problem

INDICATOR_COUNT = 20_000
OTHER_COUNT = 5_000
REFERENCE_COUNT = 1_000
PARSE_COUNT = 5_000
SEED = 20_251_130

StixObject = dict[str, Any]
Result = TypeVar("Result")

TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
START = datetime(2020, 1, 1, tzinfo=UTC)


def main() -> None:
    """Generate the objects, time the three validators, print the figures."""
    rng = random.Random(SEED)
    identity = _identity(rng)
    indicators = [_indicator(rng, identity["id"]) for _ in range(INDICATOR_COUNT)]
    makers = [_relationship, _malware, _threat_actor, _attack_pattern, _tactic, _identity]
    others = [makers[n % len(makers)](rng) for n in range(OTHER_COUNT)]
    objects = indicators + others
    rng.shuffle(objects)
    options = ValidationOptions(version="2.1")

    ours, problems = _rate(object_problem, objects)
    subset = objects[:REFERENCE_COUNT]
    reference, results = _rate(lambda obj: validate_instance(obj, options), subset, runs=1)
    parse, _ = _rate(lambda obj: stix2.parse(obj, allow_custom=True), objects[:PARSE_COUNT])

    rejected = [problem for problem in problems if problem is not None]
    reference_rejected = sum(not result.is_valid for result in results)
    print(f"objects: {len(objects):,} ({INDICATOR_COUNT:,} indicators, {OTHER_COUNT:,} others)")
    print(f"rejected by accord: {len(rejected):,}", *rejected[:3])
    print(f"rejected by stix2-validator (first {REFERENCE_COUNT:,}): {reference_rejected:,}")
    _print_rate("accord object_problem", ours, len(objects))
    _print_rate("stix2validator.validate_instance", reference, REFERENCE_COUNT)
    _print_rate("stix2.parse(allow_custom=True)", parse, PARSE_COUNT)
    print(f"accord / stix2-validator: {ours / reference:,.0f}x")
    print(f"accord / stix2.parse:     {ours / parse:,.1f}x")


def _rate(
    check: Callable[[StixObject], Result], objects: Sequence[StixObject], runs: int = 3
) -> tuple[float, list[Result]]:
    """Objects per second of ``check`` (best of ``runs`` after a warm-up), and its results."""
    results = [check(obj) for obj in objects[:100]]  # warm-up: compiles, caches
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        results = [check(obj) for obj in objects]
        best = min(best, time.perf_counter() - started)
    return len(objects) / best, results


def _print_rate(label: str, per_second: float, count: int) -> None:
    print(f"{label:34} {per_second:10,.0f} objects/s  ({1e6 / per_second:8.1f} us each, {count:,})")


# --- generated objects -------------------------------------------------------------------


def _common(rng: random.Random, stix_type: str) -> StixObject:
    created = START + timedelta(seconds=rng.randrange(50_000_000), milliseconds=rng.randrange(1000))
    modified = created + timedelta(days=rng.randrange(3))
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": f"{stix_type}--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "created": _timestamp(created),
        "modified": _timestamp(modified),
    }


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _indicator(rng: random.Random, creator: str) -> StixObject:
    obj = _common(rng, "indicator")
    address = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    domain = f"{rng.choice(['update', 'cdn', 'mail'])}{rng.randrange(999)}.example.com"
    pattern = rng.choice(
        [
            f"[ipv4-addr:value = '{address}']",
            f"[domain-name:value = '{domain}']",
            f"[url:value = 'http://{domain}/{rng.randrange(99)}.php']",
            f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']",
            f"[file:hashes.MD5 = '{rng.getrandbits(128):032x}'] OR [file:name = 'a.exe']",
            f"[email-message:from_ref.value = 'x{rng.randrange(99)}@{domain}']",
            f"[network-traffic:dst_ref.value = '{address}' AND network-traffic:dst_port = 443]",
        ]
    )
    obj.update(
        created_by_ref=creator,
        name=f"Indicator {rng.randrange(10**6)}",
        indicator_types=[rng.choice(["malicious-activity", "anomalous-activity"])],
        pattern=pattern,
        pattern_type="stix",
        valid_from=obj["created"],
        object_marking_refs=[TLP_GREEN],
    )
    if rng.random() < 0.3:
        phase = rng.choice(["delivery", "command-and-control"])
        obj["kill_chain_phases"] = [
            {"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": phase}
        ]
    return obj


def _relationship(rng: random.Random) -> StixObject:
    obj = _common(rng, "relationship")
    obj.update(
        relationship_type="indicates",
        source_ref=f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        target_ref=f"malware--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
    )
    return obj


def _malware(rng: random.Random) -> StixObject:
    obj = _common(rng, "malware")
    obj.update(name=f"Malware {rng.randrange(999)}", is_family=True, malware_types=["trojan"])
    return obj


def _threat_actor(rng: random.Random) -> StixObject:
    obj = _common(rng, "threat-actor")
    obj.update(name=f"Actor {rng.randrange(999)}", threat_actor_types=["crime-syndicate"])
    obj.update(aliases=[f"Alias {rng.randrange(99)}"], first_seen=obj["created"])
    return obj


def _attack_pattern(rng: random.Random) -> StixObject:
    obj = _common(rng, "attack-pattern")
    technique = f"T{rng.randrange(800, 1600)}"
    obj.update(
        name=f"Technique {technique}",
        external_references=[
            {
                "source_name": "mitre-attack",
                "external_id": technique,
                "url": f"https://attack.mitre.org/techniques/{technique}",
            },
            {"source_name": "capec", "external_id": f"CAPEC-{rng.randrange(700)}"},
        ],
        kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
    )
    return obj


def _tactic(rng: random.Random) -> StixObject:
    obj = _common(rng, "x-mitre-tactic")
    obj.update(name="Execution", x_mitre_shortname="execution", x_mitre_version="1.0")
    return obj


def _identity(rng: random.Random) -> StixObject:
    obj = _common(rng, "identity")
    obj.update(name=f"Partner {rng.randrange(99)}", identity_class="organization")
    return obj


if __name__ == "__main__":
    main()
