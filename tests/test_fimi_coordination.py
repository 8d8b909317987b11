"""Coordination: each co-activity signal on hand-made timelines (with the two traps of the
reference toolkit), and Leiden clusters on a planted network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from accord.desks.fimi.coordination import clusters, co_actions, default_min_weight
from accord.desks.fimi.posts import POSTS

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def post(
    post_id: str, account: str, seconds: float, text: str = "", urls: tuple[str, ...] = (),
    repost_of: str | None = None,
) -> dict[str, object]:  # fmt: skip
    return {
        "post_id": post_id, "platform": "x", "account": account, "text": text, "text_norm": text,
        "urls": list(urls), "ts": T0 + timedelta(seconds=seconds), "language": None,
        "reply_to": None, "repost_of": repost_of, "source": "test",
    }  # fmt: skip


def table(*posts: dict[str, object]) -> pa.Table:
    return pa.Table.from_pylist(list(posts), schema=POSTS)


def signals(found: pa.Table) -> list[tuple[str, str, str]]:
    return sorted((r["account_a"], r["account_b"], r["signal"]) for r in found.to_pylist())


def test_each_signal_counts_within_the_window_and_not_beyond() -> None:
    posts = table(
        post("1", "a", 0, urls=("https://x.example/1",)),
        post("2", "b", 59, urls=("https://x.example/1",)),
        post("3", "c", 121, urls=("https://x.example/1",)),  # 62 s after b
        post("4", "a", 200, repost_of="orig"),
        post("5", "b", 230, repost_of="orig"),
        post("6", "a", 300, text="sanctions hurt only europeans"),
        post("7", "c", 310, text="sanctions hurt only europeans"),
    )
    assert signals(co_actions(posts, 60)) == [
        ("a", "b", "repost"),
        ("a", "b", "url"),
        ("a", "c", "text"),
    ]


def test_a_one_second_window_finds_nothing_where_a_minute_finds_the_ring() -> None:
    ring = [
        post(str(i), f"acct{i % 4}", i * 7, urls=(f"https://ring.example/{i // 4}",))
        for i in range(40)
    ]
    assert co_actions(table(*ring), 1).num_rows == 0
    assert co_actions(table(*ring), 60).num_rows > 0


def test_empty_urls_are_no_shared_link() -> None:
    posts = table(post("1", "a", 0, urls=("",)), post("2", "b", 1, urls=("",)))
    assert co_actions(posts, 60).num_rows == 0


def test_leiden_finds_the_planted_groups_and_not_the_organic_crowd() -> None:
    posts = []
    for group, members in enumerate((["g1a", "g1b", "g1c", "g1d"], ["g2a", "g2b", "g2c"])):
        for burst in range(6):
            start = group * 10_000 + burst * 600
            for offset, account in enumerate(members):
                posts.append(
                    post(
                        f"{group}-{burst}-{account}",
                        account,
                        start + offset * 5,
                        urls=(f"https://g{group}.example/{burst}",),
                    )
                )
    # Organic accounts share a popular link too, spread over hours.
    posts += [
        post(f"o{i}", f"organic{i}", 50_000 + i * 900, urls=("https://popular.example",))
        for i in range(30)
    ]
    found = clusters(table(*posts), 60)
    assert [c.accounts for c in found[:2]] in (
        [("g1a", "g1b", "g1c", "g1d"), ("g2a", "g2b", "g2c")],
        [("g2a", "g2b", "g2c"), ("g1a", "g1b", "g1c", "g1d")],
    )
    assert all(not any(a.startswith("organic") for a in c.accounts) for c in found)
    record = found[0].record()
    assert set(record) == {"cluster", "accounts", "score", "signals", "evidence"}
    assert record["signals"]["url"] > 0 and record["evidence"]


def test_a_link_inside_a_repost_is_the_originals_not_a_co_share() -> None:
    posts = table(
        post("1", "a", 0, repost_of="orig", urls=("https://x.example/1",)),
        post("2", "b", 5, repost_of="orig", urls=("https://x.example/1",)),
    )
    assert signals(co_actions(posts, 60)) == [("a", "b", "repost")]


def test_chance_co_sharing_of_popular_links_is_no_coordination() -> None:
    # Two busy organic accounts share the two most popular links within the same minutes,
    # twice, among a crowd that shares them too; a small ring shares its own site's links.
    crowd = [
        post(f"c{i}", f"crowd{i}", i * 40, urls=(f"https://popular.example/{i % 2}",))
        for i in range(200)
    ]
    busy = [
        post(f"b{i}{who}", who, 4_000 + i * 40 + offset, urls=(f"https://popular.example/{i}",))
        for i in range(2)
        for offset, who in enumerate(("busy1", "busy2"))
    ]
    ring = [
        post(f"r{burst}{who}", who, 9_000 + burst * 900 + offset * 3,
             urls=(f"https://ring.example/{burst}",))
        for burst in range(4)
        for offset, who in enumerate(("ring1", "ring2", "ring3"))
    ]  # fmt: skip
    found = clusters(table(*crowd, *busy, *ring), 60)
    assert [c.accounts for c in found] == [("ring1", "ring2", "ring3")]
    assert default_min_weight(10) < default_min_weight(100_000) == default_min_weight(1_000)
