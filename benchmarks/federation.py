"""Federation sync: a JP node pulling a served EU node's collection, against a plain TAXII
walk of the same pages by the same peer.

EU is a node of `--objects` seeded STIX objects (mostly indicators with varied patterns,
some other SDOs and relationships between them), all TLP:AMBER released to JP, imported
straight into its store and then served by ``accord serve`` on 127.0.0.1 (a subprocess
started fresh for the run; ACCORD_TAXII_PAGE_MAX raised to the largest page asked for, the
request-rate limit lifted). JP is a node in this process that registers EU as a pull peer
with a Role.PEER token made on EU. For each page size of `--page-sizes`:

1. walk: GET the ``all`` collection's objects pages with JP's peer token (the request a
   sync makes: ``match[version]=all``, the same ``limit``), following ``next``, each page
   parsed with orjson; nothing verified, nothing stored. What any TAXII consumer pays,
   and what EU spends on a peer's pages (it signs each object as it leaves).
2. full sync: one ``run_round`` of a new JP node (``federation_page_size`` = the page
   size): every page fetched, every signature verified, every object stored. Seconds,
   objects/s, the ratio to the walk, and where the time went (fetching pages, i.e. EU's
   answer, HTTP and JSON; verifying and storing; the rest). Beside each figure, the CPU
   seconds EU's server and JP (this process and its workers) spent: on a busy machine the
   seconds grow, the CPU seconds much less.

Then, on the JP node of the first page size, `--added` new indicators at EU and one timed
round (incremental), and one round with nothing new. Each step checks JP's store: every
object once, by type, nothing refused. EU's import is setup, never timed in a sync.

    python benchmarks/federation.py [--objects 100000] [--added 100]
        [--page-sizes 1000,5000] [--profile FILE]

With `--profile`, one more full sync into another new JP node runs under cProfile (its
time is not a figure: the profiler slows it); the stats go to FILE and the top functions
are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench_output import exit_on_signal, print_rows
from pattern_check import indicator_pattern

# tests/ sits beside benchmarks/ in the checkout: its live `accord serve`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.live_server import LiveServer, live_server

from accord.core.collections import collection_id
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.peers import new_federation_key
from accord.core.principals import Role
from accord.core.queries import ObjectQuery
from accord.core.settings import Settings
from accord.core.signing import public_key_text
from accord.core.stix.patterns import pattern_problem
from accord.federation.client import TAXII_MEDIA_TYPE, PeerClient
from accord.federation.pull import Transfer
from accord.federation.rounds import connect, run_round

SEED = 20_260_301
FULL_TARGET_SECONDS = 30.0
INCREMENTAL_TARGET_SECONDS = 1.0
ACTOR = "benchmark"
# The share of each kind in the generated collection; indicators take the rest.
SDO_SHARES = {
    "malware": 0.02,
    "threat-actor": 0.005,
    "campaign": 0.005,
    "attack-pattern": 0.01,
    "infrastructure": 0.005,
    "tool": 0.005,
    "vulnerability": 0.01,
}
RELATIONSHIP_SHARE = 0.06
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Sync:
    """One timed round and where its time went."""

    seconds: float
    transfer: Transfer
    fetch_seconds: float = 0.0  # objects pages: EU's answer, HTTP, JSON
    receive_seconds: float = 0.0  # verifying and storing (Node.receive_objects)
    record_seconds: float = 0.0  # saving the cursor after each page
    server_cpu: float = 0.0  # EU's CPU seconds meanwhile
    own_cpu: float = 0.0  # JP's (this process and its workers)

    @property
    def rate(self) -> float:
        return self.transfer.objects / self.seconds

    @property
    def other_seconds(self) -> float:
        return self.seconds - self.fetch_seconds - self.receive_seconds - self.record_seconds


@dataclass
class Walk:
    """A plain walk through the collection's pages."""

    seconds: float
    objects: int
    pages: int
    megabytes: float
    server_cpu: float
    own_cpu: float


@dataclass
class PageSizeRun:
    """The figures of one page size: the walk and the full sync."""

    page_size: int
    walk: Walk
    sync: Sync


@dataclass
class Incremental:
    """The rounds after the full sync: with `--added` new objects, and with none."""

    added: Sync
    idle: Sync


@dataclass
class Generated:
    """What EU holds: the objects, by type."""

    objects: list[dict[str, Any]]
    by_type: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.by_type = Counter(obj["type"] for obj in self.objects)


def main() -> None:
    """Parse the options, build EU, run the walks and syncs, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--added", type=int, default=100, help="objects of the incremental round")
    parser.add_argument(
        "--page-sizes",
        default="1000,5000",
        help="comma-separated; the first is the one held to the targets (default: 1000,5000)",
    )
    parser.add_argument("--profile", type=Path, help="also profile a full sync; stats to FILE")
    args = parser.parse_args()
    page_sizes = [int(size) for size in args.page_sizes.split(",")]
    # A SIGTERM unwinds like an error, so the server and temporary directories go too.
    signal.signal(signal.SIGTERM, exit_on_signal)

    rng = random.Random(SEED)
    collection = Generated(generate(rng, args.objects))
    added = Generated(generate(rng, args.added, indicators_only=True))
    federation_key = new_federation_key()
    print(
        f"{args.objects:,} objects ({_kinds(collection.by_type)}), TLP:AMBER released to JP; "
        f"pages of {', '.join(f'{size:,}' for size in page_sizes)}; "
        f"{multiprocessing.cpu_count()} cores",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="accord-federation-bench-") as tmp:
        work = Path(tmp)
        server_settings = {
            "ACCORD_HOME_PARTNER": "EU",
            "ACCORD_TAXII_PAGE_MAX": str(max(page_sizes)),
            "ACCORD_TAXII_REQUESTS_PER_MINUTE": "10000000",
        }
        with live_server(work / "eu", server_settings) as eu:
            import_seconds, eu_key = populate(eu, collection.objects)
            print(f"EU: {args.objects:,} objects imported in {import_seconds:.1f} s", flush=True)
            token = eu.token("JP", Role.PEER, label="benchmark")
            runs: list[PageSizeRun] = []
            nodes: list[Node] = []
            try:
                for size in page_sizes:
                    walk = timed_walk(eu, token, size)
                    _check_walk(walk, len(collection.objects))
                    print(
                        f"pages of {size:,}: walk {walk.seconds:.2f} s "
                        f"({walk.pages} pages, {walk.megabytes:.0f} MB)",
                        flush=True,
                    )
                    jp = jp_node(work / f"jp-{size}", eu, eu_key, token, federation_key, size)
                    nodes.append(jp)
                    baseline = _held(jp)
                    sync = timed_round(jp, eu)
                    check_sync(jp, sync.transfer, baseline, collection.by_type, collection)
                    print(
                        f"pages of {size:,}: full sync {sync.seconds:.2f} s "
                        f"({sync.rate:,.0f} objects/s); JP holds every object",
                        flush=True,
                    )
                    runs.append(PageSizeRun(size, walk, sync))
                incremental = incremental_rounds(nodes[0], eu, added, collection)
                if args.profile:
                    jp = jp_node(
                        work / "jp-profiled", eu, eu_key, token, federation_key, page_sizes[0]
                    )
                    nodes.append(jp)
                    profiled(jp, eu, args.profile)
            finally:
                for node in nodes:
                    node.close()
    print_table(args, import_seconds, runs, incremental)


def generate(rng: random.Random, count: int, *, indicators_only: bool = False) -> list[Any]:
    """`count` valid STIX 2.1 objects: indicators with varied patterns and, unless
    `indicators_only`, the other SDO kinds of SDO_SHARES and relationships between them."""
    shares = {} if indicators_only else SDO_SHARES
    counts = {kind: int(count * share) for kind, share in shares.items()}
    relationships = 0 if indicators_only else int(count * RELATIONSHIP_SHARE)
    indicators = count - sum(counts.values()) - relationships
    objects = [_indicator(rng, number) for number in range(indicators)]
    by_kind: dict[str, list[dict[str, Any]]] = {"indicator": objects[:]}
    for kind, n in counts.items():
        by_kind[kind] = [_sdo(rng, kind, number) for number in range(n)]
        objects += by_kind[kind]
    objects += [_relationship(rng, by_kind) for _ in range(relationships)]
    return objects


_INDICATOR_TYPES = ["malicious-activity", "anomalous-activity", "attribution"]
# (relationship type, source kind, target kind), among the STIX 2.1 suggested ones.
_RELATIONSHIPS = [
    ("indicates", "indicator", "malware"),
    ("indicates", "indicator", "campaign"),
    ("uses", "malware", "attack-pattern"),
    ("uses", "threat-actor", "tool"),
    ("attributed-to", "campaign", "threat-actor"),
    ("targets", "malware", "vulnerability"),
    ("uses", "campaign", "infrastructure"),
]


def _indicator(rng: random.Random, number: int) -> dict[str, Any]:
    pattern = indicator_pattern(rng)
    while pattern_problem(pattern) is not None:  # pattern_check makes some malformed
        pattern = indicator_pattern(rng)
    stamp = _stamp(rng)
    return {
        **_common(rng, "indicator", stamp),
        "name": f"Indicator {number}",
        "indicator_types": [rng.choice(_INDICATOR_TYPES)],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": stamp,
        "confidence": rng.randint(10, 100),
    }


def _sdo(rng: random.Random, kind: str, number: int) -> dict[str, Any]:
    body = {**_common(rng, kind, _stamp(rng)), "name": f"{kind} {number}"}
    if kind == "malware":
        body["is_family"] = rng.random() < 0.5
        body["malware_types"] = [rng.choice(["ransomware", "backdoor", "trojan", "spyware"])]
    elif kind == "threat-actor":
        body["threat_actor_types"] = [rng.choice(["nation-state", "crime-syndicate"])]
    elif kind == "vulnerability":
        body["name"] = f"CVE-20{rng.randint(10, 25)}-{rng.randint(1000, 99999)}"
    elif kind == "infrastructure":
        body["infrastructure_types"] = [rng.choice(["command-and-control", "botnet"])]
    return body


def _relationship(rng: random.Random, by_kind: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    kind, source, target = rng.choice(_RELATIONSHIPS)
    return {
        **_common(rng, "relationship", _stamp(rng)),
        "relationship_type": kind,
        "source_ref": rng.choice(by_kind[source])["id"],
        "target_ref": rng.choice(by_kind[target])["id"],
    }


def _common(rng: random.Random, kind: str, stamp: str) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "created": stamp,
        "modified": stamp,
    }


def _stamp(rng: random.Random) -> str:
    day, second, milli = rng.randint(1, 28), rng.randint(0, 86_399), rng.randint(0, 999)
    clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    return f"2026-02-{day:02d}T{clock}.{milli:03d}Z"


def populate(eu: LiveServer, objects: list[dict[str, Any]]) -> tuple[float, str]:
    """Import `objects` into the served EU node as the brief's partners would; the seconds
    it took and EU's public key."""
    node = Node.open(_settings(eu.data_dir, "EU"))
    try:
        started = time.perf_counter()
        report = node.import_objects(objects, actor=ACTOR, tlp=Tlp.AMBER, release=["JP"])
        seconds = time.perf_counter() - started
        report.raise_for_rejections()
        return seconds, public_key_text(node.public_key())
    finally:
        node.close()


def jp_node(
    data_dir: Path, eu: LiveServer, eu_key: str, token: str, federation_key: str, page_size: int
) -> Node:
    """A new JP node that pulls from EU with `token`, `page_size` objects a page."""
    settings = _settings(
        data_dir, "JP", federation_key=federation_key, federation_page_size=page_size
    )
    node = Node(settings)
    node.initialise(actor=ACTOR)
    node.peers.add(
        "eu",
        eu.api_root_url,
        partner="EU",
        public_key=eu_key,
        token=token,
        mode="pull",
        actor=ACTOR,
    )
    return node


def _settings(data_dir: Path, partner: str, **more: Any) -> Settings:
    # Explicit values win over ACCORD_* variables of this shell (a PostgreSQL URL, say).
    return Settings(
        data_dir=data_dir, home_partner=partner, database_url=None, collections_file=None, **more
    )


def timed_walk(eu: LiveServer, token: str, page_size: int) -> Walk:
    """The objects pages a sync asks for, read and parsed, nothing else."""
    url = f"{eu.api_root_url}collections/{collection_id('all')}/objects/"
    headers = {"Authorization": f"Bearer {token}", "Accept": TAXII_MEDIA_TYPE}
    objects = pages = size = 0
    with httpx.Client(headers=headers, timeout=120) as client, _cpu(eu) as server_cpu:
        started, cpu_before = time.perf_counter(), _own_cpu_seconds()
        params = {"limit": str(page_size), "match[version]": "all"}
        while True:
            response = client.get(url, params=params)
            response.raise_for_status()
            body = orjson.loads(response.content)
            pages += 1
            size += len(response.content)
            objects += len(body.get("objects", ()))
            if not body.get("more") or not body.get("next"):
                break
            params["next"] = body["next"]
        seconds, own_cpu = time.perf_counter() - started, _own_cpu_seconds() - cpu_before
    return Walk(seconds, objects, pages, size / 1e6, server_cpu(), own_cpu)


def _check_walk(walk: Walk, generated: int) -> None:
    # What was generated, and the reference objects (markings, identities) EU sends too.
    if walk.objects < generated:
        raise RuntimeError(f"the walk read {walk.objects:,} objects of {generated:,}")


def timed_round(jp: Node, eu: LiveServer) -> Sync:
    """One sync round of JP, timed, with the time of its parts."""
    parts = {"fetch": 0.0, "receive": 0.0, "record": 0.0}

    def timed(part: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                parts[part] += time.perf_counter() - started

        return wrapper

    def client_factory(node: Node, peer: Any) -> PeerClient:
        client = connect(node, peer)
        client.objects_page = timed("fetch", client.objects_page)  # type: ignore[method-assign]
        return client

    jp.receive_objects = timed("receive", jp.receive_objects)  # type: ignore[method-assign]
    jp.peers.record_sync = timed("record", jp.peers.record_sync)  # type: ignore[method-assign]
    try:
        with _cpu(eu) as server_cpu:
            started, cpu_before = time.perf_counter(), _own_cpu_seconds()
            transfers = run_round(jp, client_factory=client_factory)
            seconds, own_cpu = time.perf_counter() - started, _own_cpu_seconds() - cpu_before
    finally:
        del jp.receive_objects, jp.peers.record_sync
    if len(transfers) != 1 or transfers[0].error:
        raise RuntimeError(f"the round failed: {transfers}")
    return Sync(
        seconds,
        transfers[0],
        parts["fetch"],
        parts["receive"],
        parts["record"],
        server_cpu(),
        own_cpu,
    )


@contextmanager
def _cpu(eu: LiveServer) -> Iterator[Callable[[], float]]:
    """CPU seconds the EU server process spends in the block (read once it ends)."""
    before = _cpu_seconds(eu.process.pid)
    spent: list[float] = []
    yield lambda: spent[0]
    spent.append(_cpu_seconds(eu.process.pid) - before)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _own_cpu_seconds() -> float:
    # This process's CPU time and that of its workers once they have ended.
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _held(jp: Node) -> Counter[str]:
    return Counter(jp.store.count_by_type(jp.reader()))


def check_sync(
    jp: Node,
    transfer: Transfer,
    baseline: Counter[str],
    expected: Counter[str],
    *collections: Generated,
) -> None:
    """JP holds, by type, `expected` more than `baseline` of the generated kinds (the
    objects of `collections`, each once) and nothing was refused."""
    if transfer.refused or transfer.error:
        raise RuntimeError(f"the sync refused objects: {transfer}")
    held = _held(jp)
    for kind, count in expected.items():
        if held[kind] - baseline[kind] != count:
            raise RuntimeError(f"JP holds {held[kind] - baseline[kind]:,} {kind}, not {count:,}")
    wanted = {obj["id"] for c in collections for obj in c.objects}
    found = {entry.stix_id for entry in jp.store.manifest(jp.reader(), ObjectQuery())}
    if not wanted <= found:
        raise RuntimeError(f"JP lacks {len(wanted - found):,} objects, e.g. {min(wanted - found)}")


def incremental_rounds(
    jp: Node, eu: LiveServer, added: Generated, collection: Generated
) -> Incremental:
    """New objects at EU and a timed round to fetch them; then a round with nothing new."""
    node = Node.open(_settings(eu.data_dir, "EU"))
    try:
        node.import_objects(
            added.objects, actor=ACTOR, tlp=Tlp.AMBER, release=["JP"]
        ).raise_for_rejections()
    finally:
        node.close()
    baseline = _held(jp)
    sync = timed_round(jp, eu)
    check_sync(jp, sync.transfer, baseline, added.by_type, collection, added)
    if sync.transfer.objects != len(added.objects):
        raise RuntimeError(f"the round stored {sync.transfer.objects}, not {len(added.objects)}")
    print(f"incremental {len(added.objects)}: {sync.seconds:.3f} s", flush=True)
    idle = timed_round(jp, eu)
    if idle.transfer.objects:
        raise RuntimeError(f"a round with nothing new stored {idle.transfer.objects}")
    return Incremental(sync, idle)


def profiled(jp: Node, eu: LiveServer, path: Path) -> None:
    """One more full sync under cProfile: the stats to `path`, the top functions printed."""
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    transfers = run_round(jp)
    profile.disable()
    seconds = time.perf_counter() - started
    profile.dump_stats(path)
    print(f"\nprofiled full sync (slowed by the profiler): {seconds:.1f} s; {transfers[0]}")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)


def print_table(
    args: Any, import_seconds: float, runs: list[PageSizeRun], incremental: Incremental
) -> None:
    """The figures of the run, with the targets they are held to."""
    first = runs[0]
    rows = [("", "seconds", "objects/s", "EU CPU s", "JP CPU s", "target")]
    for run in runs:
        held = "" if run is first else " (not held to a target)"
        rows.append(
            (
                f"walk {run.walk.objects:,}, {run.page_size:,}/page",
                f"{run.walk.seconds:.2f}",
                f"{run.walk.objects / run.walk.seconds:,.0f}",
                f"{run.walk.server_cpu:.1f}",
                f"{run.walk.own_cpu:.1f}",
                "the peer figure: fetch and parse only",
            )
        )
        sync = run.sync
        rows.append(
            (
                f"full sync {args.objects:,}, {run.page_size:,}/page",
                f"{sync.seconds:.2f}",
                f"{sync.rate:,.0f}",
                f"{sync.server_cpu:.1f}",
                f"{sync.own_cpu:.1f}",
                f"<= {FULL_TARGET_SECONDS:.0f} s{held}; "
                f"{sync.seconds / run.walk.seconds:.1f}x the walk",
            )
        )
        for label, seconds in (
            ("fetching pages (EU, HTTP, JSON)", sync.fetch_seconds),
            ("verifying and storing", sync.receive_seconds),
            ("saving the cursor", sync.record_seconds),
            # Negative when pages are fetched while others are stored.
            ("the rest (< 0: fetching overlapped)", sync.other_seconds),
        ):
            share = f"{seconds / sync.seconds:.0%}"
            rows.append((f"  {label}", f"{seconds:.2f}", "", "", "", share))
    added = incremental.added
    rows.append(
        (
            f"incremental {args.added:,} new, {first.page_size:,}/page",
            f"{added.seconds:.3f}",
            f"{added.rate:,.0f}",
            f"{added.server_cpu:.2f}",
            f"{added.own_cpu:.2f}",
            f"<= {INCREMENTAL_TARGET_SECONDS:.0f} s",
        )
    )
    rows.append(
        (
            "round with nothing new",
            f"{incremental.idle.seconds:.3f}",
            "",
            f"{incremental.idle.server_cpu:.2f}",
            f"{incremental.idle.own_cpu:.2f}",
            "",
        )
    )
    print()
    print(
        f"EU's import of {args.objects:,} objects (setup, not timed below): {import_seconds:.1f} s"
    )
    print_rows(rows)
    print()
    full_ok = first.sync.seconds <= FULL_TARGET_SECONDS
    incremental_ok = added.seconds <= INCREMENTAL_TARGET_SECONDS
    print(
        f"{'PASS' if full_ok else 'FAIL'}: full sync of {args.objects:,} objects, "
        f"{first.page_size:,}/page, {first.sync.seconds:.2f} s "
        f"(target <= {FULL_TARGET_SECONDS:.0f} s)"
    )
    print(
        f"{'PASS' if incremental_ok else 'FAIL'}: incremental sync of {args.added:,} objects, "
        f"{added.seconds:.3f} s (target <= {INCREMENTAL_TARGET_SECONDS:.0f} s)"
    )


def _kinds(by_type: Counter[str]) -> str:
    return ", ".join(f"{count:,} {kind}" for kind, count in by_type.most_common())


if __name__ == "__main__":
    main()
