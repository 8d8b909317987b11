"""Bulk ingest and partner read-back of generated STIX 2.1 indicators, SQLite and PostgreSQL.

Prints objects/s for our import (validation included) and read-back (releasability and
reference redaction included) on each engine, the rate of ``stix2.parse`` alone on the same
objects (the peer: parsing is the least any python-stix2-based store does per object), the
ratio, and the peak memory of the process. Each figure is the median of `--repeat` runs
(each import into a fresh store): the shared machines this runs on vary by +-20% from one
second to the next.

    python benchmarks/store_ingest.py [--count 100000] [--repeat 5] [--no-postgres]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import stix2

from accord.core.markings import TLP2_IDS, Tlp, release_marking
from accord.core.node import Node
from accord.core.partners import partner_identity
from accord.core.settings import Settings
from accord.core.stix.canonical import format_timestamp

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RELEASES = (["JP"], ["KR"], ["sdp-jp"], ["maritime-indo-pacific"], ["JP", "KR", "NO"])


def indicators(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` valid, varied indicators marked AMBER/GREEN with release lists, plus the
    release markings they use."""
    rng = random.Random(seed)
    author = partner_identity("EU", "European Union")["id"]
    markings = [release_marking(r) for r in RELEASES]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    objects: list[dict[str, Any]] = list(markings)
    for number in range(count):
        stamp = format_timestamp(start + timedelta(seconds=number))
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "created": stamp,
                "modified": stamp,
                "created_by_ref": author,
                "name": f"Indicator {number}",
                "indicator_types": ["malicious-activity"],
                "pattern": _pattern(rng),
                "pattern_type": "stix",
                "valid_from": stamp,
                "labels": ["area:cyber"],
                "object_marking_refs": [
                    TLP2_IDS[rng.choice((Tlp.GREEN, Tlp.AMBER))],
                    rng.choice(markings)["id"],
                ],
            }
        )
    return objects


def _pattern(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"[ipv4-addr:value = '198.51.{rng.randrange(256)}.{rng.randrange(256)}']"
    if kind == 1:
        return f"[domain-name:value = 'c2-{rng.getrandbits(40):x}.example.net']"
    if kind == 2:
        return f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
    return (
        f"[url:value = 'http://{rng.getrandbits(32):x}.example.org/a'] AND "
        f"[ipv4-addr:value = '203.0.113.{rng.randrange(256)}']"
    )


def measure(url: str | None, data_dir: Path, objects: list[dict[str, Any]]) -> tuple[float, float]:
    """(import objects/s, read-back objects/s as partner JP) on one engine."""
    node = Node(Settings(data_dir=data_dir, database_url=url, home_partner="EU"))
    try:
        node.initialise(actor="benchmark")
        started = time.perf_counter()
        report = node.import_objects(objects, actor="benchmark")
        import_rate = report.stored / (time.perf_counter() - started)
        started = time.perf_counter()
        read = sum(1 for _ in node.store.iter_objects(node.reader("JP")))
        read_rate = read / (time.perf_counter() - started)
        # JP reads what was released to it, to sdp-jp or to maritime-indo-pacific, plus the
        # node's reference objects: most, never all, of the bundle.
        assert report.stored == len(objects) and 0 < read < len(objects), (report, read)
        return import_rate, read_rate
    finally:
        node.close()


def median_of(runs: int, measure_once: Any) -> tuple[float, ...]:
    """Per position, the median over `runs` calls of `measure_once` (a tuple of rates)."""
    results = [measure_once() for _ in range(runs)]
    return tuple(statistics.median(values) for values in zip(*results, strict=True))


def on_postgres(objects: list[dict[str, Any]]) -> tuple[float, float]:
    """One measurement on a fresh PostgreSQL database."""
    name = f"accord_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        with tempfile.TemporaryDirectory(prefix="accord-bench-") as tmp:
            return measure(url, Path(tmp), objects)
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_sqlite(objects: list[dict[str, Any]]) -> tuple[float, float]:
    """One measurement on a fresh SQLite store."""
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as tmp:
        return measure(None, Path(tmp), objects)


def stix2_parse_rate(objects: list[dict[str, Any]]) -> float:
    """Objects/s of ``stix2.parse`` alone (the reference library's object construction)."""
    started = time.perf_counter()
    for obj in objects:
        stix2.parse(obj, allow_custom=True)
    return len(objects) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--parse-sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    objects = indicators(args.count)
    print(f"{len(objects)} objects ({args.count} indicators), median of {args.repeat} runs")
    sample = objects[: args.parse_sample]
    (parse_rate,) = median_of(args.repeat, lambda: (stix2_parse_rate(sample),))
    print(f"stix2.parse alone:  {parse_rate:10,.0f} objects/s  (on {len(sample)})")

    results = {"SQLite": median_of(args.repeat, lambda: on_sqlite(objects))}
    if not args.no_postgres:
        results["PostgreSQL"] = median_of(args.repeat, lambda: on_postgres(objects))

    for engine, (import_rate, read_rate) in results.items():
        print(
            f"{engine + ' import:':19} {import_rate:10,.0f} objects/s  "
            f"= {import_rate / parse_rate:4.1f}x stix2.parse alone"
        )
        print(f"{engine + ' read-back:':19} {read_rate:10,.0f} objects/s  (as partner JP)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
