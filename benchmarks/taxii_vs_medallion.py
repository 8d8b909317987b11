"""TAXII 2.1 over HTTP: Accord's server against medallion 3 (the OASIS reference server,
memory backend), with the same client (taxii2-client) and the same generated indicators.

One server runs at a time, each a subprocess on 127.0.0.1 started fresh for the run:

1. add: POST `--objects` indicators (one envelope, the same bytes to both) and poll the
   status every `--poll` s until it is complete; objects/s of each and the ratio. Accord
   imports large submissions in a worker process, which it starts before it answers its
   first request; medallion stores in the request.
2. walk: read them back with ``as_pages(collection.get_objects, type="indicator")``, pages
   of `--page-size` (both servers capped at that size); seconds of each and the ratio.
   Medallion filters and sorts the whole collection on the first page (quadratic in its
   size); a walk still running after `--medallion-timeout` s is stopped and reported as
   a lower bound.
3. Accord alone, on a store of `--big` indicators imported straight into a new node before
   the server starts (medallion's walk would take hours at that size): latency of the first
   page of ``match[type]=indicator&limit=100`` over `--latency-requests` requests, and two
   client processes walking the whole store at once (page latencies, total time).

    python benchmarks/taxii_vs_medallion.py [--objects 10000] [--big 100000]
        [--page-size 1000] [--medallion-timeout 600] [--no-medallion] [--no-big]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import taxii2client
from taxii2client.v21 import Collection, as_pages

from bench_output import exit_on_signal, print_rows
from taxii_servers import BearerAuth, Target, accord_node, accord_server, medallion_server

# The tests' valid indicator: tests/ sits beside benchmarks/ in the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.data import indicator

FIRST_PAGE_LIMIT = 100
CLIENTS = 2


@dataclass
class Walk:
    """A walk through a collection's pages; filled as it goes, so a stopped walk still
    tells how far it got."""

    page_seconds: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: bool = False
    error: str | None = None


@dataclass
class Comparison:
    """Figures of one server in steps 1 and 2."""

    add_rate: float
    walk: Walk


@dataclass
class BigStore:
    """Figures of step 3 (Accord only)."""

    import_seconds: float
    first_page_ms: list[float]
    walk_page_ms: list[float]
    walk_seconds: float
    objects_read: int


def main() -> None:
    """Parse the options, run the three steps, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--poll", type=float, default=0.05, help="status poll interval (s)")
    parser.add_argument("--medallion-timeout", type=float, default=600.0)
    parser.add_argument("--latency-requests", type=int, default=100)
    parser.add_argument("--no-medallion", action="store_true")
    parser.add_argument("--no-big", action="store_true")
    args = parser.parse_args()
    # A SIGTERM unwinds like an error, so the servers and temporary directories go too.
    signal.signal(signal.SIGTERM, exit_on_signal)

    objects = [indicator(number) for number in range(args.objects)]
    envelope = json.dumps({"objects": objects}).encode()
    expected = {obj["id"] for obj in objects}
    print(
        f"{args.objects:,} indicators ({len(envelope) / 1e6:.1f} MB envelope), pages of "
        f"{args.page_size}, taxii2-client {taxii2client.__version__}, "
        f"{multiprocessing.cpu_count()} cores; one server at a time",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="accord-taxii-bench-") as tmp:
        work = Path(tmp)
        accord = on_accord(work, envelope, expected, args)
        medallion = None
        if not args.no_medallion:
            with medallion_server(work, args.page_size) as target:
                medallion = compare(target, envelope, expected, args)
        big = None if args.no_big else big_store(work / "big", args)
    print_table(args, accord, medallion, big)


def on_accord(work: Path, envelope: bytes, expected: set[str], args: Any) -> Comparison:
    """Steps 1 and 2 on a fresh Accord node."""
    (work / "accord").mkdir()
    token = accord_node(work / "accord")
    with accord_server(work / "accord", token, args.page_size) as target:
        return compare(target, envelope, expected, args)


def compare(target: Target, envelope: bytes, expected: set[str], args: Any) -> Comparison:
    """Steps 1 and 2 on one server."""
    rate = add_rate(target, envelope, len(expected), args.poll)
    print(f"{target.name}: add {rate:,.0f} objects/s", flush=True)
    cap = args.medallion_timeout if target.name == "medallion" else None
    walk = timed_walk(target, args.page_size, cap)
    _check_walk(target.name, walk, expected)
    state = "" if walk.finished else f" (stopped: {walk.error})"
    print(
        f"{target.name}: walk {walk.seconds:.2f} s, {len(walk.ids):,} objects in "
        f"{len(walk.page_seconds)} pages, first page {_first(walk):.2f} s{state}",
        flush=True,
    )
    return Comparison(rate, walk)


def add_rate(target: Target, envelope: bytes, count: int, poll_seconds: float) -> float:
    """Objects/s of one Add Objects request, from sending it to a complete status."""
    collection = Collection(target.collection_url, auth=target.auth)
    collection.refresh()  # its information (can_write) is read before the clock runs
    started = time.perf_counter()
    status = collection.add_objects(envelope, poll_interval=poll_seconds, timeout=3600)
    seconds = time.perf_counter() - started
    if status.status != "complete" or status.success_count != count:
        raise RuntimeError(
            f"{target.name}: status {status.status}, {status.success_count} of {count} "
            f"stored, failures {status.failures[:3]}"
        )
    return count / seconds


def timed_walk(target: Target, page_size: int, cap_seconds: float | None) -> Walk:
    """Walk the indicators of the target's collection; with `cap_seconds`, stop the server
    once the walk has taken that long (the walk then ends with a connection error)."""
    walk = Walk()
    walker = threading.Thread(
        target=_walk_into, args=(walk, target.collection_url, target.auth, page_size), daemon=True
    )
    started = time.perf_counter()
    walker.start()
    walker.join(cap_seconds)
    if not walker.is_alive():
        if not walk.finished:
            raise RuntimeError(f"{target.name}: walk failed: {walk.error}")
        return walk
    stopped_after = time.perf_counter() - started
    target.stop()
    walker.join()
    walk.seconds = stopped_after
    return walk


def _walk_into(walk: Walk, url: str, auth: Any, page_size: int) -> None:
    started = last = time.perf_counter()
    try:
        collection = Collection(url, auth=auth)
        collection.refresh()
        for envelope in as_pages(collection.get_objects, per_request=page_size, type="indicator"):
            now = time.perf_counter()
            walk.page_seconds.append(now - last)
            walk.ids.extend(obj["id"] for obj in envelope.get("objects", ()))
            last = now
        walk.finished = True
    except Exception as exc:  # noqa: BLE001  (a thread's or process's boundary: kept, reported)
        walk.error = f"{type(exc).__name__}: {exc}"
    walk.seconds = time.perf_counter() - started


def _check_walk(name: str, walk: Walk, expected: set[str]) -> None:
    # Every object once, and nothing else: a fast walk that loses objects is no result.
    if not walk.finished:
        return
    if len(walk.ids) != len(expected) or set(walk.ids) != expected:
        raise RuntimeError(
            f"{name}: walk read {len(walk.ids)} objects ({len(set(walk.ids))} distinct, "
            f"{len(set(walk.ids) & expected)} of the {len(expected)} posted)"
        )


def big_store(data_dir: Path, args: Any) -> BigStore:
    """Step 3: a node holding `--big` indicators, served by Accord."""
    objects = [indicator(number) for number in range(args.big)]
    started = time.perf_counter()
    token = accord_node(data_dir, objects)
    import_seconds = time.perf_counter() - started
    print(f"Accord: {args.big:,} indicators imported in {import_seconds:.1f} s", flush=True)
    with accord_server(data_dir, token, args.page_size) as target:
        first_page = first_page_latencies(target, args.latency_requests)
        print(f"Accord: first page p50 {percentile(first_page, 0.5):.1f} ms", flush=True)
        pages, seconds, read = concurrent_walks(target.collection_url, token, args.page_size)
    if read != CLIENTS * args.big:
        raise RuntimeError(f"Accord: {CLIENTS} walks read {read} objects of {args.big} each")
    return BigStore(import_seconds, first_page, pages, seconds, read)


def first_page_latencies(target: Target, requests_made: int) -> list[float]:
    """Milliseconds of each of `requests_made` first-page requests (after one untimed)."""
    collection = Collection(target.collection_url, auth=target.auth)
    collection.get_objects(limit=FIRST_PAGE_LIMIT, type="indicator")
    latencies = []
    for _ in range(requests_made):
        started = time.perf_counter()
        envelope = collection.get_objects(limit=FIRST_PAGE_LIMIT, type="indicator")
        latencies.append((time.perf_counter() - started) * 1000)
        if len(envelope.get("objects", ())) != FIRST_PAGE_LIMIT:
            raise RuntimeError(f"first page has {len(envelope.get('objects', ()))} objects")
    return latencies


def concurrent_walks(url: str, token: str, page_size: int) -> tuple[list[float], float, int]:
    """`CLIENTS` processes, started together, each walking every page: every page's
    milliseconds, the seconds from the first start to the last end, objects read."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CLIENTS)
    results = context.Queue()
    clients = [
        context.Process(target=_client_walk, args=(url, token, page_size, barrier, results))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        walks = [results.get(timeout=1800) for _ in clients]
    finally:
        for client in clients:
            client.join(10)
            if client.is_alive():
                client.kill()
    failed = [walk[4] for walk in walks if walk[4]]
    if failed:
        raise RuntimeError(f"Accord: a concurrent walk failed: {failed[0]}")
    pages = [ms for walk in walks for ms in walk[2]]
    seconds = max(walk[1] for walk in walks) - min(walk[0] for walk in walks)
    return pages, seconds, sum(walk[3] for walk in walks)


def _client_walk(url: str, token: str, page_size: int, barrier: Any, results: Any) -> None:
    walk = Walk()
    barrier.wait()
    started = time.monotonic()
    _walk_into(walk, url, BearerAuth(token), page_size)
    distinct = len(set(walk.ids)) if walk.finished else -1
    pages_ms = [seconds * 1000 for seconds in walk.page_seconds]
    results.put((started, time.monotonic(), pages_ms, distinct, walk.error))


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0.5 is the median, 0.99 the 99th percentile)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def print_table(
    args: Any, accord: Comparison, medallion: Comparison | None, big: BigStore | None
) -> None:
    """The figures of the run, with the targets they are held to."""
    rows = [("", "Accord", "medallion", "ratio", "target")]
    rows.append(
        _add_row(f"add {args.objects:,} indicators (objects/s)", accord.add_rate, medallion)
    )
    rows.append(
        (
            f"walk {args.objects:,}, {args.page_size}/page (s)",
            f"{accord.walk.seconds:.2f}",
            _walk_text(medallion.walk) if medallion else "not run",
            _walk_ratio(accord.walk, medallion.walk) if medallion else "-",
            "Accord <= 5 s",
        )
    )
    rows.append(
        (
            "  of which first page (s)",
            f"{_first(accord.walk):.2f}",
            f"{_first(medallion.walk):.2f}" if medallion and medallion.walk.finished else "-",
            "",
            "",
        )
    )
    print()
    print_rows(rows)
    if big is not None:
        print()
        print(
            f"Accord only, {args.big:,} indicators (imported in {big.import_seconds:.1f} s); "
            "medallion not run: its walk is quadratic in the collection size"
        )
        print_rows(_big_rows(args, big))


def _add_row(label: str, rate: float, medallion: Comparison | None) -> tuple[str, ...]:
    return (
        label,
        f"{rate:,.0f}",
        f"{medallion.add_rate:,.0f}" if medallion else "not run",
        f"{rate / medallion.add_rate:.1f}x" if medallion else "-",
        "Accord >= 5x medallion",
    )


def _big_rows(args: Any, big: BigStore) -> list[tuple[str, ...]]:
    first = big.first_page_ms
    pages = big.walk_page_ms
    return [
        (
            f"first page, limit={FIRST_PAGE_LIMIT} ({len(first)} requests)",
            f"p50 {percentile(first, 0.5):.1f} ms",
            f"p99 {percentile(first, 0.99):.1f} ms",
            "target p50 <= 50 ms",
        ),
        (
            f"{CLIENTS} concurrent walks, {args.page_size}/page ({len(pages)} pages)",
            f"p50 {percentile(pages, 0.5):.1f} ms",
            f"p99 {percentile(pages, 0.99):.1f} ms",
            f"total {big.walk_seconds:.1f} s, {big.objects_read / big.walk_seconds:,.0f} objects/s",
        ),
    ]


def _walk_text(walk: Walk) -> str:
    if walk.finished:
        return f"{walk.seconds:.2f}"
    return f">= {walk.seconds:.0f} (stopped, {len(walk.ids):,} read)"


def _walk_ratio(accord: Walk, medallion: Walk) -> str:
    ratio = medallion.seconds / accord.seconds
    return f"{ratio:.1f}x faster" if medallion.finished else f">= {ratio:.0f}x faster"


def _first(walk: Walk) -> float:
    return walk.page_seconds[0] if walk.page_seconds else walk.seconds


if __name__ == "__main__":
    main()
