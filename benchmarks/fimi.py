"""FIMI: near-duplicate grouping and coordination of Accord against the field's tools, on one
seeded synthetic week of social activity (``accord.desks.fimi.synthetic.generate``: organic
noise with popular links and reposts, planted copypasta, link rings, repost rings and
cross-language groups, with their ground truth).

1. Near-duplicates. Accord: ``near_duplicates.duplicate_groups`` (rensa MinHash-LSH, its
   own check of each candidate). Peer: datasketch ``MinHash`` (``num_perm`` 128, built with
   ``MinHash.bulk``) and ``MinHashLSH`` at Accord's threshold, over the same shingles
   (``near_duplicates.shingles``) of the same posts (reposts and texts of fewer than
   ``MIN_WORDS`` words left alone, as Accord does), grouped by union-find over the LSH
   candidates. Scored on the original posts (a repost is found by ``repost_of``, not by
   its text), by pairs: a true pair is two copies of one planted text in one language
   (``Synthetic.copies``), a found pair two posts in one group; recall = true pairs found
   / true pairs, precision = true pairs found / pairs found, from contingency counts.
2. Coordination at a 60 s and a 1 h window. Accord: ``coordination.clusters`` on the posts
   table (its near-duplicate grouping inside the time); found = accounts of any cluster.
   Peer: QUT's coordination-network-toolkit on the same posts, loaded into its SQLite
   database beforehand (``preprocess_data``, timed apart), then its co-retweet, co-link
   and co-similar-tweet networks (its defaults: Jaccard of token sets >= 0.8) with every
   edge kept (``min_edge_weight`` 1), on ``--cpus`` processes, in a child process stopped
   after ``--peer-timeout`` s. An account pair's co-actions are summed over the three
   networks (the larger of the two directions of each); pairs with two or more (Accord's
   `min_coactions`; Accord also weighs each co-action by its item's rarity, the toolkit
   has no such step) make the found accounts. Recall and precision are over the accounts
   of all planted groups.

    python benchmarks/fimi.py [--posts 100000] [--accounts 10000] [--seed 0] [--skip-peer]
        [--peer-timeout 600] [--cpus N]

A quick run: ``--posts 20000 --accounts 2000``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import multiprocessing
import os
import queue
import re
import shutil
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from accord.desks.fimi.coordination import clusters
from accord.desks.fimi.near_duplicates import (
    DEFAULT_THRESHOLD,
    MIN_WORDS,
    NUM_PERM,
    duplicate_groups,
    shingles,
)
from accord.desks.fimi.synthetic import PlantedGroup, Synthetic, generate
from bench_output import exit_on_signal, print_rows

WINDOWS_S = (60, 3600)
TOOLKIT_NETWORKS = ("co_retweet", "co_link", "co_similar_tweet")
_WORD = re.compile(r"\w+")  # the words `near_duplicates.shingles` pairs


@dataclass
class Grouping:
    """One near-duplicate grouper's run."""

    seconds: float
    recall: float
    precision: float


@dataclass
class Coordination:
    """One coordination tool's run at one window; seconds is a lower bound if stopped."""

    seconds: float
    accounts: set[str] | None  # None: stopped or failed before the end
    steps: dict[str, float] = field(default_factory=dict)
    failed: bool = False


def main() -> None:
    """Generate the week, run both comparisons, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--peer-timeout", type=float, default=600.0, help="s per window")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    # A SIGTERM unwinds like an error, so a running toolkit child is stopped too.
    signal.signal(signal.SIGTERM, exit_on_signal)

    started = time.perf_counter()
    synthetic = generate(seed=args.seed, posts=args.posts, accounts=args.accounts)
    kinds = Counter(group.kind for group in synthetic.groups)
    planted = {account for group in synthetic.groups for account in group.accounts}
    print(
        f"{synthetic.posts.num_rows:,} posts by {args.accounts:,} accounts (seed {args.seed}), "
        f"generated in {time.perf_counter() - started:.1f} s; {len(planted)} planted accounts "
        f"in {len(synthetic.groups)} groups ({', '.join(f'{n} {k}' for k, n in kinds.items())})"
        f"; {args.cpus} cpus",
        flush=True,
    )
    ours = accord_grouping(synthetic)
    print(f"Accord near-duplicates: {ours.seconds:.1f} s", flush=True)
    peer = None if args.skip_peer else datasketch_grouping(synthetic)
    if peer:
        print(f"datasketch {version('datasketch')}: {peer.seconds:.1f} s", flush=True)
    print_grouping(synthetic, ours, peer)

    runs: dict[int, tuple[Coordination, Coordination | None]] = {}
    with tempfile.TemporaryDirectory(prefix="accord-fimi-bench-") as tmp:
        database = None if args.skip_peer else toolkit_database(synthetic.posts, Path(tmp))
        for window in WINDOWS_S:
            ours_run = accord_coordination(synthetic.posts, window)
            print(f"Accord coordination, {window} s window: {ours_run.seconds:.1f} s", flush=True)
            peer_run = None
            if database is not None:
                peer_run = toolkit_coordination(database, window, args.cpus, args.peer_timeout)
                print(f"toolkit, {window} s window: {_seconds(peer_run)} s", flush=True)
            runs[window] = (ours_run, peer_run)
    print_coordination(synthetic.groups, runs)


# --- near-duplicates -----------------------------------------------------------------------


def accord_grouping(synthetic: Synthetic) -> Grouping:
    """Accord's ``duplicate_groups`` at its default threshold, scored."""
    started = time.perf_counter()
    groups = duplicate_groups(synthetic.posts).column("group").to_numpy()
    seconds = time.perf_counter() - started
    return Grouping(seconds, *pair_scores(synthetic, groups))


def datasketch_grouping(synthetic: Synthetic) -> Grouping:
    """datasketch MinHash + MinHashLSH over the same shingles, union-find over candidates."""
    from datasketch import MinHash, MinHashLSH

    texts = synthetic.posts.column("text_norm").to_pylist()
    reposts = synthetic.posts.column("repost_of").is_valid().to_pylist()
    started = time.perf_counter()
    rows = [
        row
        for row, text in enumerate(texts)
        if not reposts[row] and len(_WORD.findall(text)) >= MIN_WORDS
    ]
    sketches = MinHash.bulk(
        ([s.encode() for s in shingles(texts[row])] for row in rows), num_perm=NUM_PERM
    )
    lsh = MinHashLSH(threshold=DEFAULT_THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, sketch in enumerate(sketches):
            session.insert(key, sketch, check_duplication=False)
    parent = list(range(len(rows)))
    for key, sketch in enumerate(sketches):
        for other in lsh.query(sketch):
            parent[_root(parent, key)] = _root(parent, other)
    groups = np.arange(len(texts))
    groups[rows] = [rows[_root(parent, key)] for key in range(len(rows))]
    seconds = time.perf_counter() - started
    return Grouping(seconds, *pair_scores(synthetic, groups))


def _root(parent: list[int], key: int) -> int:
    while parent[key] != key:
        parent[key] = parent[parent[key]]  # path halving
        key = parent[key]
    return key


def pair_scores(synthetic: Synthetic, groups: np.ndarray[Any, Any]) -> tuple[float, float]:
    """(recall, precision) of the groups' pairs of original posts against the copies."""
    posts = synthetic.posts
    frame = pl.DataFrame(
        {
            "post_id": posts.column("post_id").to_pylist(),
            "group": groups,
            "repost": posts.column("repost_of").is_valid().to_pylist(),
        }
    ).filter(~pl.col("repost"))
    truth = pl.DataFrame(
        {"post_id": list(synthetic.copies), "copied": list(synthetic.copies.values())},
        schema={"post_id": pl.String, "copied": pl.String},
    )
    frame = frame.join(truth, on="post_id", how="left")
    true_pairs = _pairs(frame.drop_nulls("copied"), ["copied"])
    found_pairs = _pairs(frame, ["group"])
    both = _pairs(frame.drop_nulls("copied"), ["copied", "group"])
    return both / max(true_pairs, 1), both / max(found_pairs, 1)


def _pairs(frame: pl.DataFrame, keys: list[str]) -> int:
    sizes = frame.group_by(keys).len()["len"].to_numpy().astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def print_grouping(synthetic: Synthetic, ours: Grouping, peer: Grouping | None) -> None:
    """The near-duplicate figures, Accord beside datasketch, with the targets."""
    originals = synthetic.posts.column("repost_of").null_count
    print(
        f"\nnear-duplicate grouping of {synthetic.posts.num_rows:,} posts "
        f"(scored on {originals:,} originals, {len(synthetic.copies):,} planted copies)"
    )
    rows = [("", "Accord", "datasketch", "ratio", "target")]
    rows.append(
        (
            "time (s)",
            f"{ours.seconds:.1f}",
            f"{peer.seconds:.1f}" if peer else "not run",
            f"{peer.seconds / ours.seconds:.1f}x faster" if peer else "-",
            "Accord <= 10 s",
        )
    )
    for label, name, target in (
        ("recall", "recall", ">= 0.97"),
        ("precision", "precision", ">= 0.95"),
    ):
        value = getattr(ours, name)
        rows.append(
            (
                f"{label} (pairs)",
                f"{value:.3f}",
                f"{getattr(peer, name):.3f}" if peer else "not run",
                "",
                f"Accord {target}",
            )
        )
    print_rows(rows)


# --- coordination ------------------------------------------------------------------------


def accord_coordination(posts: pa.Table, window_s: int) -> Coordination:
    """``clusters`` at the window; the accounts of its clusters."""
    started = time.perf_counter()
    with _no_stdout():
        found = clusters(posts, window_s)
    seconds = time.perf_counter() - started
    return Coordination(seconds, {account for cluster in found for account in cluster.accounts})


@contextlib.contextmanager
def _no_stdout() -> Iterator[None]:
    # DuckDB draws its progress bar on file descriptor 1 from C++ during long queries;
    # Python's redirect_stdout does not reach it.
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def toolkit_database(posts: pa.Table, folder: Path) -> Path:
    """The posts in the toolkit's SQLite database (its ``preprocess_data``), timed."""
    from coordination_network_toolkit.preprocess import preprocess_data

    path = folder / "toolkit.db"
    started = time.perf_counter()
    rows = posts.select(["post_id", "account", "repost_of", "reply_to", "text", "urls"])
    seconds_since_epoch = (posts.column("ts").cast(pa.int64()).to_numpy() / 1e6).tolist()
    preprocess_data(
        str(path),
        (
            (
                r["post_id"],
                r["account"],
                r["account"],
                r["repost_of"] or "",
                r["reply_to"] or "",
                r["text"],
                ts,
                r["urls"],
            )
            for r, ts in zip(rows.to_pylist(), seconds_since_epoch, strict=True)
        ),
    )
    with sqlite3.connect(path) as db:  # one file to copy, no write-ahead log beside it
        db.execute("pragma journal_mode=delete")
    print(
        f"toolkit {version('coordination-network-toolkit')}: {posts.num_rows:,} posts "
        f"preprocessed in {time.perf_counter() - started:.1f} s (not counted below)",
        flush=True,
    )
    return path


def toolkit_coordination(
    database: Path, window_s: int, cpus: int, timeout_s: float
) -> Coordination:
    """The toolkit's networks at the window on a fresh copy of the database, in a child
    process stopped (with the toolkit's workers) after `timeout_s`."""
    copy = database.with_name(f"window-{window_s}.db")
    shutil.copyfile(database, copy)
    with sqlite3.connect(copy) as db:  # back to the toolkit's journal: readers let writers in
        db.execute("pragma journal_mode=wal")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_toolkit_networks, args=(copy, window_s, cpus, results))
    started = time.perf_counter()
    child.start()
    steps: dict[str, float] = {}
    try:
        while len(steps) < len(TOOLKIT_NETWORKS):
            left = timeout_s - (time.perf_counter() - started)
            if left <= 0 or (not child.is_alive() and results.empty()):
                seconds = time.perf_counter() - started
                return Coordination(seconds, None, steps, failed=left > 0)
            with contextlib.suppress(queue.Empty):
                network, seconds = results.get(timeout=min(left, 1.0))
                steps[network] = seconds
    finally:
        _stop_group(child)
    return Coordination(sum(steps.values()), _toolkit_accounts(copy), steps)


def _stop_group(child: Any) -> None:
    """Stop the child and what it started: the toolkit leaves its worker pool and manager
    running (it never shuts them down), which a child process would wait for forever."""
    if child.pid is not None:
        with contextlib.suppress(ProcessLookupError):  # a group of its own: see setsid
            os.killpg(child.pid, signal.SIGKILL)
    child.join()


def _toolkit_networks(database: Path, window_s: int, cpus: int, results: Any) -> None:
    from coordination_network_toolkit import compute_networks as networks
    from coordination_network_toolkit.similarity import get_similarity_fn_from_min_size

    os.setsid()  # a process group of its own, so a timeout stops its workers too
    compute = {
        "co_retweet": lambda: networks.compute_co_retweet_parallel(
            str(database), window_s, n_threads=cpus, min_edge_weight=1
        ),
        "co_link": lambda: networks.compute_co_link_network(
            str(database), window_s, n_threads=cpus, min_edge_weight=1
        ),
        # The toolkit's command-line defaults: threshold 0.8, documents of a token or more.
        "co_similar_tweet": lambda: networks.compute_co_similar_tweet(
            str(database),
            window_s,
            n_threads=cpus,
            min_edge_weight=1,
            similarity_threshold=0.8,
            similarity_function=get_similarity_fn_from_min_size(1),
        ),
    }
    for network in TOOLKIT_NETWORKS:
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # its progress lines
            compute[network]()
        results.put((network, time.perf_counter() - started))


def _toolkit_accounts(database: Path) -> set[str]:
    """Accounts with two or more co-actions with another, summed over the networks."""
    weights: Counter[tuple[str, str]] = Counter()
    with sqlite3.connect(database) as db:
        for network in TOOLKIT_NETWORKS:
            per_pair: dict[tuple[str, str], int] = {}
            for a, b, weight in db.execute(
                f"select user_1, user_2, weight from {network}_network where user_1 != user_2"
            ):
                pair = (min(a, b), max(a, b))
                per_pair[pair] = max(per_pair.get(pair, 0), weight)
            weights.update(per_pair)
    return {account for pair, weight in weights.items() if weight >= 2 for account in pair}


def print_coordination(
    groups: Sequence[PlantedGroup], runs: dict[int, tuple[Coordination, Coordination | None]]
) -> None:
    """The coordination figures per window, Accord beside the toolkit, with the targets;
    then recall by kind of group and the toolkit's time by network."""
    planted = {account for group in groups for account in group.accounts}
    print(f"\ncoordination on the planted network ({len(planted)} planted accounts)")
    rows = [("", "Accord", "toolkit", "ratio", "target")]
    for window, (ours, peer) in runs.items():
        label = f"{window} s window" if window < 3600 else f"{window // 3600} h window"
        ratio = "-"
        if peer and not peer.failed:
            ratio = f"{peer.seconds / ours.seconds:.1f}x faster"
            ratio = ratio if peer.accounts is not None else f"> {ratio}"
        speed = "Accord >= 5x faster" if window == 3600 else ""
        rows.append((f"{label}: time (s)", f"{ours.seconds:.1f}", _seconds(peer), ratio, speed))
        for name in ("recall", "precision"):
            score = functools.partial(_score, name, planted)
            rows.append(
                (
                    f"  {name} (planted accounts)",
                    _figure(ours, score),
                    _figure(peer, score),
                    "",
                    "Accord >= 0.9",
                )
            )
        rows.append(("  accounts found", _figure(ours, _count), _figure(peer, _count), "", ""))
    print_rows(rows)
    for window, (ours, peer) in runs.items():
        for tool, run in (("Accord", ours), ("toolkit", peer)):
            if run is not None and run.accounts is not None:
                print(
                    f"{tool} recall by kind at {window} s: {_recall_by_kind(groups, run.accounts)}"
                )
        if peer:
            steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in peer.steps.items())
            state = f" (then {_state(peer)})" if _state(peer) else ""
            print(f"toolkit at {window} s by network: {steps or 'none finished'}{state}")


def _recall_by_kind(groups: Sequence[PlantedGroup], found: set[str]) -> str:
    kinds: dict[str, set[str]] = {}
    for group in groups:
        kinds.setdefault(group.kind, set()).update(group.accounts)
    return ", ".join(f"{kind} {len(a & found) / len(a):.2f}" for kind, a in kinds.items())


def _score(name: str, planted: set[str], found: set[str]) -> str:
    hits = len(planted & found)
    return f"{hits / max(len(planted if name == 'recall' else found), 1):.3f}"


def _figure(run: Coordination | None, figure: Callable[[set[str]], str]) -> str:
    if run is None or run.accounts is None:
        return _state(run) or ""
    return figure(run.accounts)


def _count(found: set[str]) -> str:
    return str(len(found))


def _state(run: Coordination | None) -> str | None:
    """Why a run has no figures, or None when it has them."""
    if run is None:
        return "not run"
    if run.failed:
        return "failed"
    return "stopped" if run.accounts is None else None


def _seconds(run: Coordination | None) -> str:
    if run is None or run.failed:
        return _state(run) or ""
    return f"{run.seconds:.1f}" if run.accounts is not None else f"> {run.seconds:.0f}"


if __name__ == "__main__":
    main()
