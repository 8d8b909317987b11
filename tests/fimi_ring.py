"""A repost ring among organic posts, and a fast stand-in for the embedding model, for the
FIMI suggest and incident tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from accord.core.node import Node
from accord.desks.fimi.coordination import Cluster, clusters, save_clusters
from accord.desks.fimi.disarm import Framework, import_framework, read_framework
from accord.desks.fimi.embeddings import DIMENSIONS
from accord.desks.fimi.posts import POSTS, normalise_text, store_posts, stored_posts
from tests.data import SHARED_DATA

BUNDLE = SHARED_DATA / "fimi" / "disarm_stix.json"
RING = ("ring1", "ring2", "ring3", "ring4")
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
# The site the ring pushes (a quote in it, for pattern escaping) and a platform everyone uses.
RING_LINK = "https://news-front.example/o'brien-report"
POPULAR_LINK = "https://youtube.com/watch?v=ring"
CLAIMS = (
    "The government in Chisinau is selling Moldova to NATO, share before they delete it!",
    "The elections were rigged, Brussels paid the observers. Wake up!",
    "Sanctions hurt only ordinary people, never the elites who ordered them.",
    "Правительство продаёт Молдову НАТО, поделитесь, пока не удалили!",
    "Energy prices are up because of Brussels, not Moscow.",
)


def ring_posts() -> pa.Table:
    """Five claims by @source, each reposted by the four ring accounts within seconds (two
    with links), and a hundred organic posts linking to the popular platform (so that four
    accounts are a small share of all, as a ring is)."""
    rows = []
    for burst, claim in enumerate(CLAIMS):
        at = START + timedelta(hours=burst)
        rows.append(_post(f"src{burst}", "source", claim, at))
        links = [[RING_LINK], [POPULAR_LINK]][burst] if burst < 2 else []
        for offset, account in enumerate(RING):
            seconds = timedelta(seconds=2 + 3 * offset)
            text = f"RT @source: {claim}"
            rows.append(
                _post(f"{burst}-{account}", account, text, at + seconds, links, f"src{burst}")
            )
    for i in range(100):
        at = START + timedelta(seconds=199 * i + 500)
        rows.append(_post(f"o{i}", f"organic{i}", f"watching this {i}", at, [POPULAR_LINK]))
    return pa.Table.from_pylist(rows, schema=POSTS)


def store_ring(node: Node) -> Cluster:
    """Store the ring's posts on the node, run the coordination analysis, keep its clusters
    (as `accord fimi coordination` does) and return the ring's cluster."""
    folder = node.settings.data_dir / "fimi"
    store_posts(folder, ring_posts())
    found = clusters(stored_posts(folder))
    save_clusters(folder, found, 60.0)
    assert found[0].accounts == RING
    return found[0]


def import_disarm(node: Node, *, phases: Sequence[str] = ()) -> Framework:
    """Store the DISARM framework (only the techniques of `phases`, if given) on the node."""
    framework = read_framework(BUNDLE)
    if phases:
        framework = framework_of_phases(framework, phases)
    import_framework(node, framework, actor="test")
    return framework


def framework_of_phases(framework: Framework, phases: Sequence[str]) -> Framework:
    """The framework cut down to the techniques of some tactics (with the tactics, author
    and licence marking they need)."""
    kept = tuple(t for t in framework.techniques if set(t.phases) & set(phases))
    ids = {t.stix_id for t in kept}
    context = ("identity", "marking-definition", "x-mitre-tactic")
    objects = tuple(o for o in framework.objects if o["type"] in context or o["id"] in ids)
    return Framework(kept, framework.tactics, objects)


def word_vectors(texts: Sequence[str], *, cache: Path | None = None) -> np.ndarray:
    """A stand-in for the embedding model: hashed bags of words, L2-normalised (texts that
    share words are close). `cache` is accepted and ignored."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vectors[row, int.from_bytes(digest) % DIMENSIONS] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def _post(
    post_id: str,
    account: str,
    text: str,
    at: datetime,
    urls: Sequence[str] = (),
    repost_of: str | None = None,
) -> dict[str, object]:
    return {
        "post_id": post_id,
        "platform": "twitter",
        "account": account,
        "text": text,
        "text_norm": normalise_text(text),
        "urls": list(urls),
        "ts": at,
        "language": None,
        "reply_to": None,
        "repost_of": repost_of,
        "source": "fimi_ring",
    }
