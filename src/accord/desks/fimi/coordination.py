"""Coordinated behaviour: accounts that act together within a short time window.

The established co-activity signals (as in QUT's coordination-network-toolkit and the
literature it follows): two accounts *co-repost* when they repost the same post, *co-share
a URL* when they post the same link, and *co-post similar text* when they post the same
text or a near-duplicate of it (`near_duplicates`), each time within ``window_s`` of each
other (default 60 s; the toolkit's 1 s default finds almost nothing). Empty URLs are no
shared link. The co-actions weight an account network (igraph); Leiden (``leidenalg``)
finds its communities; each cluster is scored and explained by its co-actions, how tight
they were in time, and evidence posts.

The pairs come from one DuckDB range join (same signal and key, times within the window),
not from comparing every post with every other; the network and the clusters' figures are
aggregated in DuckDB too.
"""

from __future__ import annotations

import math
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import igraph
import leidenalg
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from accord.core.errors import InvalidInput
from accord.desks.fimi.near_duplicates import duplicate_groups
from accord.desks.fimi.posts import quiet_duckdb

SIGNALS = ("text", "url", "repost")
DEFAULT_WINDOW_S = 60.0
# An edge needs this many co-actions: one shared link at the same minute happens by chance.
DEFAULT_MIN_COACTIONS = 2
# The evidence an edge needs by default: three co-actions on items one account in a
# thousand acts on (3 x ln 1000 = 20.7), or more co-actions on commoner ones. Chance
# co-sharing of popular links, even over an hour, stays below it (benchmarks/fimi.py). A
# corpus of fewer than 1,000 accounts cannot tell rarer from rare, so there it asks for
# three co-actions' worth on items no one else touched (3 x ln N).
_EVIDENCE_COACTIONS, _EVIDENCE_POPULATION = 3, 1_000
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


def save_clusters(folder: Path, found: list[Cluster], window_s: float) -> None:
    """Keep a run's clusters (``folder/clusters.json``) for the commands that act on one
    cluster by its number: suggest, incident create."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{uuid.uuid4().hex}.partial"
    partial.write_bytes(
        orjson.dumps({"window_s": window_s, "clusters": [asdict(c) for c in found]})
    )
    os.replace(partial, folder / "clusters.json")


def load_clusters(folder: Path) -> list[Cluster]:
    """The clusters of the last ``accord fimi coordination`` run."""
    path = folder / "clusters.json"
    if not path.exists():
        raise InvalidInput("no clusters yet: run `accord fimi coordination` first")
    saved = orjson.loads(path.read_bytes())["clusters"]
    return [
        Cluster(
            cluster=c["cluster"],
            accounts=tuple(c["accounts"]),
            score=c["score"],
            signals=dict(c["signals"]),
            median_gap_s=c["median_gap_s"],
            evidence=tuple(c["evidence"]),
        )
        for c in saved
    ]


def cluster_numbered(folder: Path, number: int) -> Cluster:
    """Cluster `number` of the last run; an error names the numbers there are."""
    found = load_clusters(folder)
    for cluster in found:
        if cluster.cluster == number:
            return cluster
    raise InvalidInput(f"--cluster {number}: the last run found clusters 1 to {len(found)}")


def co_actions(
    posts: pa.Table, window_s: float = DEFAULT_WINDOW_S, *, text_groups: pa.Table | None = None
) -> pa.Table:
    """Every pair of accounts' co-actions: (account_a, account_b, signal, post_a, post_b,
    gap_s, rarity), account_a < account_b. Texts are the same when they are near-duplicates
    (`text_groups`, from `near_duplicates.duplicate_groups`; computed when not given)."""
    groups = duplicate_groups(posts) if text_groups is None else text_groups
    with quiet_duckdb() as db:
        db.register("posts", posts.select(["post_id", "account", "ts", "urls", "repost_of"]))
        db.register("text_groups", groups)
        db.execute(f"CREATE TEMP TABLE events AS {_EVENTS}")
        db.execute(_RARITY)
        return db.sql(
            f"""
            SELECT a.account AS account_a, b.account AS account_b, a.signal,
                a.post_id AS post_a, b.post_id AS post_b,
                ABS(epoch(b.ts) - epoch(a.ts)) AS gap_s, r.rarity
            FROM events AS a JOIN events AS b
                ON a.signal = b.signal AND a.key = b.key AND a.account < b.account
                AND b.ts BETWEEN a.ts - INTERVAL ({float(window_s)}) SECOND
                    AND a.ts + INTERVAL ({float(window_s)}) SECOND
            JOIN rarity AS r ON r.signal = a.signal AND r.key = a.key
            """
        ).to_arrow_table()


# One row per act that others can share: a near-duplicate text (of a group of two or more
# posts), a link (never an empty one; never one inside a repost, which is the original's
# link, not a share of the reposter's), a repost.
_EVENTS = """
    SELECT 'text' AS signal, CAST(g."group" AS VARCHAR) AS key, p.account, p.post_id, p.ts
    FROM posts AS p JOIN text_groups AS g USING (post_id)
    WHERE g."group" IN (SELECT "group" FROM text_groups GROUP BY 1 HAVING count(*) > 1)
    UNION ALL
    SELECT 'url', url, account, post_id, ts
    FROM (SELECT account, post_id, ts, unnest(urls) AS url FROM posts
        WHERE repost_of IS NULL OR repost_of = '')
    WHERE url IS NOT NULL AND url <> ''
    UNION ALL
    SELECT 'repost', repost_of, account, post_id, ts
    FROM posts WHERE repost_of IS NOT NULL AND repost_of <> ''
"""


# How telling a co-action is: -ln of the share of all accounts that acted on the item. Two
# accounts sharing a link that half the platform shares say little (0.7); sharing one that
# 20 of 10,000 accounts share says much (6.2).
_RARITY = """
    CREATE TEMP TABLE rarity AS
    SELECT signal, key,
        ln((SELECT count(DISTINCT account) FROM posts) / count(DISTINCT account)) AS rarity
    FROM events GROUP BY signal, key
"""


def clusters(
    posts: pa.Table,
    window_s: float = DEFAULT_WINDOW_S,
    *,
    min_coactions: int = DEFAULT_MIN_COACTIONS,
    min_weight: float | None = None,
    text_groups: pa.Table | None = None,
    seed: int = 0,
) -> list[Cluster]:
    """The coordinated clusters among the posts' accounts, strongest first. A pair of
    accounts is linked when it has `min_coactions` co-actions or more whose rarities add
    up to `min_weight` or more (default: `default_min_weight` of the posts' accounts)."""
    pairs = co_actions(posts, window_s, text_groups=text_groups)
    if min_weight is None:
        min_weight = default_min_weight(len(pc.unique(posts.column("account"))))
    with quiet_duckdb() as db:
        db.register("pairs", pairs)
        edges = db.sql(
            f"""SELECT account_a, account_b, sum(rarity) AS weight FROM pairs GROUP BY 1, 2
            HAVING count(*) >= {int(min_coactions)} AND sum(rarity) >= {float(min_weight)}"""
        ).fetchall()
        if not edges:
            return []
        membership = _communities(edges, seed)
        db.register("membership", membership)
        found = [_explained(row) for row in db.sql(_CLUSTER_STATS).fetchall()]
    found.sort(key=lambda c: (-c.score, c.accounts))
    return [
        Cluster(i + 1, c.accounts, c.score, c.signals, c.median_gap_s, c.evidence)
        for i, c in enumerate(found)
    ]


def default_min_weight(accounts: int) -> float:
    """The evidence an edge needs among `accounts` accounts (see _EVIDENCE_COACTIONS)."""
    return _EVIDENCE_COACTIONS * math.log(max(2, min(accounts, _EVIDENCE_POPULATION)))


def _communities(edges: list[tuple[str, str, float]], seed: int) -> pa.Table:
    """(account, community) for the accounts of communities of two or more."""
    graph = igraph.Graph.TupleList(edges, weights=True)
    partition = leidenalg.find_partition(
        graph, leidenalg.ModularityVertexPartition, weights="weight", seed=seed
    )
    accounts, communities = [], []
    for number, members in enumerate(partition):
        if len(members) >= 2:
            accounts += [graph.vs[i]["name"] for i in members]
            communities += [number] * len(members)
    return pa.table({"account": accounts, "community": communities})


# Per community: its accounts, co-actions by signal, the median gap, the evidence posts.
_CLUSTER_STATS = f"""
    WITH inside AS (
        SELECT m.community, p.*
        FROM pairs AS p
        JOIN membership AS m ON p.account_a = m.account
        JOIN membership AS n ON p.account_b = n.account AND m.community = n.community
    ), posts_of AS (
        SELECT community, post FROM inside, unnest([post_a, post_b]) AS t(post)
        GROUP BY 1, 2
    )
    SELECT m.community, list(DISTINCT m.account ORDER BY m.account),
        (SELECT count(*) FROM inside AS i WHERE i.community = m.community AND signal = 'text'),
        (SELECT count(*) FROM inside AS i WHERE i.community = m.community AND signal = 'url'),
        (SELECT count(*) FROM inside AS i WHERE i.community = m.community AND signal = 'repost'),
        (SELECT coalesce(quantile_disc(gap_s, 0.5), 0) FROM inside AS i
            WHERE i.community = m.community),
        (SELECT list(post ORDER BY post)[1:{_EVIDENCE_POSTS}] FROM posts_of AS e
            WHERE e.community = m.community)
    FROM membership AS m GROUP BY m.community
"""


def _explained(row: tuple[Any, ...]) -> Cluster:
    _, accounts, text, url, repost, median_gap, evidence = row
    coactions = text + url + repost
    possible = len(accounts) * (len(accounts) - 1) / 2
    # Tighter in time, stronger: a gap of the whole minute halves the score.
    score = round(coactions / possible / (1 + float(median_gap) / DEFAULT_WINDOW_S), 3)
    signals = {"text": text, "url": url, "repost": repost}
    return Cluster(0, tuple(accounts), score, signals, float(median_gap), tuple(evidence or ()))
