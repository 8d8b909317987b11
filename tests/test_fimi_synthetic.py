"""The synthetic social activity: the same posts for the same seed, counts and schema, ground
truth that holds (planted posts by members, copies that are light edits, claims as written),
organic noise without near-duplicates, a file the ingest reads back, and planted rings that
coordination finds."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from accord.core.errors import InvalidInput
from accord.desks.fimi.coordination import clusters
from accord.desks.fimi.near_duplicates import shingles
from accord.desks.fimi.posts import POSTS, normalise_text, normalise_url, read_posts
from accord.desks.fimi.synthetic import CLAIMS, KINDS, Synthetic, generate, write

SMALL = {"posts": 2_000, "accounts": 300}


@pytest.fixture(scope="module")
def small() -> Synthetic:
    return generate(seed=3, **SMALL)


def ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def test_the_same_seed_gives_byte_identical_posts_and_truth(small: Synthetic) -> None:
    again = generate(seed=3, **SMALL)
    assert ipc_bytes(again.posts) == ipc_bytes(small.posts)
    assert (again.groups, again.copies, again.claims) == (small.groups, small.copies, small.claims)


def test_another_seed_gives_other_posts(small: Synthetic) -> None:
    other = generate(seed=4, **SMALL)
    assert set(other.posts["text"].to_pylist()) != set(small.posts["text"].to_pylist())


def test_counts_schema_order_and_time_span(small: Synthetic) -> None:
    posts = small.posts
    assert posts.schema == POSTS
    assert posts.num_rows == SMALL["posts"]
    assert len(set(posts["account"].to_pylist())) == SMALL["accounts"]
    assert len(set(posts["post_id"].to_pylist())) == posts.num_rows
    times = posts["ts"].to_pylist()
    assert times == sorted(times)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    assert start <= times[0] and times[-1] < start + timedelta(days=7)
    missing = posts["language"].null_count / posts.num_rows
    assert 0.05 < missing < 0.15


def test_urls_are_normalised_and_deduplicated_and_some_posts_have_none(small: Synthetic) -> None:
    lists = small.posts["urls"].to_pylist()
    assert all(normalise_url(u) == u for urls in lists for u in urls)
    assert all(len(set(urls)) == len(urls) for urls in lists)
    assert 0.2 < sum(bool(urls) for urls in lists) / len(lists) < 0.5


def test_text_norm_is_what_the_ingest_makes_of_the_text(small: Synthetic) -> None:
    # Organic normal forms are built beside their texts, for speed: they must not drift.
    for row in small.posts.select(["text", "text_norm"]).to_pylist():
        assert normalise_text(row["text"]) == row["text_norm"], row["text"]


def test_the_full_size_has_100k_posts_by_10k_accounts() -> None:
    # Its speed is the FIMI benchmark's to measure, not a test's: a loaded machine is slower.
    full = generate()
    assert full.posts.num_rows >= 100_000
    assert len(set(full.posts["account"].to_pylist())) >= 10_000
    planted = {a for g in full.groups for a in g.accounts}
    assert 0.02 < len(planted) / 10_000 < 0.06


def test_small_sizes_keep_a_few_groups_of_every_kind(small: Synthetic) -> None:
    kinds = Counter(group.kind for group in small.groups)
    assert all(kinds[kind] >= 3 for kind in KINDS)
    members = [a for group in small.groups for a in group.accounts]
    assert len(members) == len(set(members))  # an account is in one group at most


def test_every_group_post_exists_and_is_by_a_member(small: Synthetic) -> None:
    author = {r["post_id"]: r["account"] for r in small.posts.to_pylist()}
    for group in small.groups:
        assert group.post_ids
        assert all(author[post] in group.accounts for post in group.post_ids)


def test_copies_of_a_template_are_light_edits_by_its_group(small: Synthetic) -> None:
    rows = {r["post_id"]: r for r in small.posts.to_pylist()}
    owners = {post: group for group in small.groups for post in group.post_ids}
    by_template: dict[str, list[str]] = defaultdict(list)
    for post, key in small.copies.items():
        assert rows[post]["repost_of"] is None
        if key not in CLAIMS and key.split("/")[0] not in CLAIMS:
            by_template[key].append(post)
    assert len(by_template) >= 3
    for key, posts in by_template.items():
        assert all(owners[p].name == key.split("/")[0] for p in posts)
        assert all(rows[p]["account"] in owners[p].accounts for p in posts)
        words = [set(rows[p]["text_norm"].split()) for p in posts]
        assert min(jaccard(a, b) for a, b in itertools.combinations(words, 2)) >= 0.5, key
        assert len({rows[p]["text_norm"] for p in posts}) > 1, key


def test_claims_are_stated_as_written_in_several_languages(small: Synthetic) -> None:
    rows = {r["post_id"]: r for r in small.posts.to_pylist()}
    languages: dict[str, set[str]] = defaultdict(set)
    for post, claim in small.claims.items():
        row = rows[post]
        if row["repost_of"] is not None:
            assert small.claims[row["repost_of"]] == claim
            continue
        written = {lang: normalise_text(text) for lang, text in CLAIMS[claim].items()}
        stated = [lang for lang, norm in written.items() if row["text_norm"].startswith(norm)]
        assert stated, row["text"]
        assert small.copies[post] == f"{claim}/{stated[0]}"
        languages[claim].add(stated[0])
    assert any({"en", "ru", "ko"} <= found for found in languages.values())


def test_organic_texts_are_no_near_duplicates_of_each_other(small: Synthetic) -> None:
    planted = {p for g in small.groups for p in g.post_ids} | set(small.claims)
    organic = [
        set(shingles(r["text_norm"]))
        for r in small.posts.to_pylist()
        if r["post_id"] not in planted and r["repost_of"] is None
    ][:400]
    assert max(jaccard(a, b) for a, b in itertools.combinations(organic, 2)) < 0.2


def test_popular_links_are_shared_by_many_and_ring_links_only_by_the_ring(
    small: Synthetic,
) -> None:
    sharers: dict[str, set[str]] = defaultdict(set)
    for row in small.posts.select(["account", "urls", "repost_of"]).to_pylist():
        for url in row["urls"] if row["repost_of"] is None else ():
            sharers[url].add(row["account"])
    assert max(len(accounts) for accounts in sharers.values()) >= 20
    rows = {r["post_id"]: r for r in small.posts.to_pylist()}
    for ring in (g for g in small.groups if g.kind == "link_ring"):
        links = {url for post in ring.post_ids for url in rows[post]["urls"]}
        assert links and all(sharers[url] <= set(ring.accounts) for url in links)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_written_posts_are_read_back_by_the_ingest_as_generated(
    small: Synthetic, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"posts{suffix}"
    write(small, path)
    found = read_posts(path)
    assert not found.rejects
    for column in ("post_id", "account", "text_norm", "urls", "ts", "repost_of", "reply_to"):
        assert found.posts[column].to_pylist() == small.posts[column].to_pylist(), column


def test_write_refuses_a_format_the_ingest_does_not_read(small: Synthetic, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\.csv or a \.parquet"):
        write(small, tmp_path / "posts.xlsx")


def test_too_few_posts_for_the_accounts_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="too few"):
        generate(posts=400, accounts=300)


def test_coordination_finds_the_link_and_repost_rings() -> None:
    # Ten times the small set: rings act in about ten bursts, as at full size, not the
    # four that the smallest sizes leave room for.
    mid = generate(seed=3, posts=10_000, accounts=1_000)
    found = {account for cluster in clusters(mid.posts, 60) for account in cluster.accounts}
    rings = {a for g in mid.groups if g.kind in ("link_ring", "repost_ring") for a in g.accounts}
    assert len(rings & found) / len(rings) >= 0.9


def test_no_account_reposts_a_post_twice_or_its_own(small: Synthetic) -> None:
    rows = small.posts.select(["post_id", "account", "repost_of"]).to_pylist()
    author = {r["post_id"]: r["account"] for r in rows}
    reposts = [(r["account"], r["repost_of"]) for r in rows if r["repost_of"] is not None]
    assert len(reposts) > 0.05 * len(rows)
    assert len(set(reposts)) == len(reposts)
    assert all(author[original] != account for account, original in reposts)
