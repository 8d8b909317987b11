"""Coordinated behaviour: accounts that act together within a short time window.

The established co-activity signals (as in QUT's coordination-network-toolkit and the
literature it follows): two accounts *co-repost* when they repost the same post, *co-share
a URL* when they post the same link, and *co-post similar text* when they post the same
(normalised) text, each time within ``window_s`` of each other (default 60 s; the toolkit's
1 s default finds almost nothing). Empty URLs are no shared link. The co-actions weight an
account network (igraph); Leiden (``leidenalg``) finds its communities; each cluster is
scored and explained by its co-actions, how tight they were in time, and evidence posts.

The pairs come from one DuckDB range join per signal (same key, times within the window),
not from comparing every post with every other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
import igraph
import leidenalg
import pyarrow as pa

SIGNALS = ("text", "url", "repost")
DEFAULT_WINDOW_S = 60.0
# An edge needs this many co-actions: one shared link at the same minute happens by chance.
DEFAULT_MIN_COACTIONS = 2
_EVIDENCE_POSTS = 50


@dataclass(frozen=True)
class Cluster:
    """A group of accounts that acted together."""

    cluster: int
    accounts: tuple[str, ...]
    score: float  # co-actions per pair of accounts, discounted by how spread out in time
    signals: dict[str, int]
    median_gap_s: float
    evidence: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        """The cluster as ``coordination --format json`` prints it."""
        return {
            "cluster": self.cluster,
            "accounts": list(self.accounts),
            "score": self.score,
            "signals": dict(self.signals),
            "evidence": list(self.evidence),
        }


def co_actions(posts: pa.Table, window_s: float = DEFAULT_WINDOW_S) -> pa.Table:
    """Every pair of accounts' co-actions: (account_a, account_b, signal, post_a, post_b,
    gap_s), account_a < account_b."""
    events = _events(posts)
    with duckdb.connect() as db:
        db.register("events", events)
        return db.sql(
            f"""
            SELECT a.account AS account_a, b.account AS account_b, a.signal,
                a.post_id AS post_a, b.post_id AS post_b,
                ABS(epoch(b.ts) - epoch(a.ts)) AS gap_s
            FROM events AS a JOIN events AS b
                ON a.signal = b.signal AND a.key = b.key AND a.account < b.account
                AND b.ts BETWEEN a.ts - INTERVAL ({float(window_s)}) SECOND
                    AND a.ts + INTERVAL ({float(window_s)}) SECOND
            """
        ).to_arrow_table()


def clusters(
    posts: pa.Table,
    window_s: float = DEFAULT_WINDOW_S,
    *,
    min_coactions: int = DEFAULT_MIN_COACTIONS,
    seed: int = 0,
) -> list[Cluster]:
    """The coordinated clusters among the posts' accounts, strongest first."""
    pairs = co_actions(posts, window_s).to_pylist()
    weights: Counter[tuple[str, str]] = Counter()
    for pair in pairs:
        weights[(pair["account_a"], pair["account_b"])] += 1
    edges = [(a, b, w) for (a, b), w in weights.items() if w >= min_coactions]
    if not edges:
        return []
    graph = igraph.Graph.TupleList(edges, weights=True)
    partition = leidenalg.find_partition(
        graph, leidenalg.ModularityVertexPartition, weights="weight", seed=seed
    )
    found = []
    for members in partition:
        if len(members) < 2:
            continue
        accounts = tuple(sorted(graph.vs[i]["name"] for i in members))
        found.append(_explained(accounts, pairs))
    found.sort(key=lambda c: c.score, reverse=True)
    return [
        Cluster(i + 1, c.accounts, c.score, c.signals, c.median_gap_s, c.evidence)
        for i, c in enumerate(found)
    ]


def _events(posts: pa.Table) -> pa.Table:
    rows: dict[str, list[Any]] = defaultdict(list)
    for post in posts.select(
        ["post_id", "account", "ts", "text_norm", "urls", "repost_of"]
    ).to_pylist():
        keys = [("text", post["text_norm"])] if post["text_norm"] else []
        keys += [("url", url) for url in post["urls"] or () if url]
        keys += [("repost", post["repost_of"])] if post["repost_of"] else []
        for signal, key in keys:
            rows["signal"].append(signal)
            rows["key"].append(key)
            rows["account"].append(post["account"])
            rows["post_id"].append(post["post_id"])
            rows["ts"].append(post["ts"])
    schema = pa.schema(
        [
            ("signal", pa.string()),
            ("key", pa.string()),
            ("account", pa.string()),
            ("post_id", pa.string()),
            ("ts", pa.timestamp("us", tz="UTC")),
        ]
    )
    return pa.Table.from_pydict(dict(rows), schema=schema) if rows else schema.empty_table()


def _explained(accounts: tuple[str, ...], pairs: list[dict[str, Any]]) -> Cluster:
    members = set(accounts)
    inside = [p for p in pairs if p["account_a"] in members and p["account_b"] in members]
    signals = {signal: sum(1 for p in inside if p["signal"] == signal) for signal in SIGNALS}
    gaps = sorted(p["gap_s"] for p in inside)
    median_gap = float(gaps[len(gaps) // 2]) if gaps else 0.0
    possible = len(accounts) * (len(accounts) - 1) / 2
    # Tighter in time, stronger: a gap of the whole minute halves the score.
    score = round(len(inside) / possible / (1 + median_gap / DEFAULT_WINDOW_S), 3)
    evidence = tuple(dict.fromkeys(p[k] for p in inside for k in ("post_a", "post_b")))
    return Cluster(0, accounts, score, signals, median_gap, evidence[:_EVIDENCE_POSTS])
