"""The FIMI part of ``accord demo``: the DISARM framework and real EUvsDisinfo cases, with
synthetic social activity in which a small network pushes three of those debunked claims.

The desk runs end to end: posts in, coordination, narratives linked back to the cases,
DISARM suggestions for the network's cluster, an incident drafted with the top suggestions
and published TLP:AMBER to the EU–Moldova and EU–Japan partnerships.

The DISARM bundle (CC BY-SA 4.0) and the case export (no licence to redistribute) are not
shipped with Accord. They are looked for in ``ACCORD_DEMO_FIMI_DIR``, else in
``../shared/data/fimi`` from the working directory (where a checkout keeps its test data).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from accord.core.markings import Tlp
from accord.core.node import Node
from accord.desks.fimi.cases import read_cases, store_cases, stored_cases
from accord.desks.fimi.coordination import Cluster, clusters, save_clusters
from accord.desks.fimi.disarm import import_framework, read_framework
from accord.desks.fimi.incidents import create_incident, publish_incident
from accord.desks.fimi.narratives import narratives
from accord.desks.fimi.near_duplicates import duplicate_groups
from accord.desks.fimi.posts import (
    POSTS,
    desk_folder,
    normalise_text,
    normalise_url,
    store_posts,
)
from accord.desks.fimi.suggest import suggest
from accord.desks.fimi.synthetic import generate

DISARM_FILE = "disarm_stix.json"
CASES_FILE = "euvsdisinfo_posts.csv.gz"
DEMO_RELEASE = ("sdp-md", "sdp-jp")
_START = datetime(2026, 3, 2, tzinfo=UTC)
# The newest cases only: every case title is embedded once, about 25 ms each.
_DEMO_CASES = 150
_CAMPAIGN_CLAIMS = 3
_CAMPAIGN_ACCOUNTS = 10
_CAMPAIGN_BURSTS = 4
_EDITS = ("", " #wakeup", "BREAKING: ", " Share before they delete it!", " 🔥🔥")


@dataclass(frozen=True)
class FimiSampleRun:
    """What the demo's FIMI part did."""

    posts: int
    accounts: int
    clusters: int
    narratives: int
    linked_cases: int
    techniques: tuple[str, ...]
    published: int


def fimi_sample_dir() -> Path | None:
    """Where the DISARM bundle and the case export are, if anywhere."""
    configured = os.environ.get("ACCORD_DEMO_FIMI_DIR")
    candidate = Path(configured) if configured else Path.cwd() / ".." / "shared" / "data" / "fimi"
    if (candidate / DISARM_FILE).is_file() and (candidate / CASES_FILE).is_file():
        return candidate.resolve()
    return None


def run_sample(node: Node, data: Path, *, actor: str = "accord demo") -> FimiSampleRun:
    """Run the desk on the demo data and publish the network's incident."""
    folder = desk_folder(node)
    import_framework(node, read_framework(data / DISARM_FILE), actor=actor)
    cases = read_cases(data / CASES_FILE).sort("date", "id", descending=True).head(_DEMO_CASES)
    store_cases(folder, cases)
    titles = cases["title"].head(_CAMPAIGN_CLAIMS).to_list()
    campaign = _campaign_posts(titles)
    background = generate(seed=2026, posts=4_000, accounts=400, days=3, start=_START).posts
    posts = pa.concat_tables([background, campaign]).sort_by("ts")
    store_posts(folder, posts)
    groups = duplicate_groups(posts)  # once, for both analyses
    found = clusters(posts, text_groups=groups)
    save_clusters(folder, found, 60.0)
    stories = narratives(posts, groups, cases=stored_cases(folder), cache=_cache(folder))
    network = _cluster_of(found, set(campaign.column("account").to_pylist()))
    accepted = [s.disarm_id for s in suggest(node, network, top=2)]
    draft = create_incident(node, network, accepted, name="Debunked claims pushed by a network")
    report = publish_incident(
        node, draft.campaign_id, actor=actor, tlp=Tlp.AMBER, release=list(DEMO_RELEASE)
    )
    return FimiSampleRun(
        posts=posts.num_rows,
        accounts=len(set(posts.column("account").to_pylist())),
        clusters=len(found),
        narratives=len(stories),
        linked_cases=sum(1 for story in stories if story.cases),
        techniques=tuple(accepted),
        published=report.stored,
    )


def _campaign_posts(titles: Sequence[str]) -> pa.Table:
    """Ten accounts post lightly edited copies of the claims, each burst within a minute
    and a half, with a link to their own site."""
    rng = np.random.default_rng(7)
    rows = []
    for claim, title in enumerate(titles):
        for burst in range(_CAMPAIGN_BURSTS):
            start = _START + timedelta(hours=6 + 17 * burst + 5 * claim)
            link = f"https://truth-front.example/{claim}-{burst}"
            for member in range(_CAMPAIGN_ACCOUNTS):
                edit = _EDITS[int(rng.integers(len(_EDITS)))]
                text = f"{edit}{title}" if edit.endswith(" ") else f"{title}{edit}"
                rows.append(
                    {
                        "post_id": f"tf-{claim}-{burst}-{member}",
                        "platform": "telegram",
                        "account": f"truthfront{member:02d}",
                        "text": f"{text} {link}",
                        "text_norm": normalise_text(text),
                        "urls": [normalise_url(link)],
                        "ts": start + timedelta(seconds=float(rng.uniform(0, 90))),
                        "language": "en",
                        "reply_to": None,
                        "repost_of": None,
                        "source": "accord demo",
                    }
                )
    return pa.Table.from_pylist(rows, schema=POSTS)


def _cluster_of(found: Sequence[Cluster], accounts: set[str]) -> Cluster:
    """The cluster holding most of the network's accounts."""
    return max(found, key=lambda cluster: len(accounts & set(cluster.accounts)))


def _cache(folder: Path) -> Path:
    return folder / "embeddings.parquet"
