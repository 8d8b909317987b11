"""Near-duplicate posts: copy-pasta across accounts, light edits included.

Each post's normalised text becomes a set of word pairs (shingles); rensa (Rust) sketches
every set as a 128-slot MinHash. Locality-sensitive hashing over bands of the sketch puts
posts that share a band in one bucket; a bucket's members are checked against its first
member by the sketches' agreement (an estimate of the Jaccard similarity of the two sets)
and those at or over the threshold are linked. Groups are the linked components: an edit
chain (A like B, B like C) is one group, as copy-pasta that drifts through edits is.

A repost is not copy-pasta (the repost signal covers it), and a text of fewer than
`MIN_WORDS` words is too short to say anything: both stay in groups of their own. In
scripts written without spaces (Japanese, Chinese) every character counts as a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np
import polars as pl
import pyarrow as pa
import rensa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

DEFAULT_THRESHOLD = 0.5
MIN_WORDS = 4
NUM_PERM = 128
# 42 bands of 3 slots: a pair at Jaccard 0.5 shares a band with probability 0.996, a pair
# at 0.2 with 0.29 (and is then dropped by the check); unrelated posts almost never do.
_ROWS_PER_BAND = 3
_SEED = 20_261_130
# Words; in scripts written without spaces (Chinese, Japanese kana and kanji) each
# character is a word, so that a Japanese post has word pairs (character bigrams) too.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")
_UNSPACED_POLARS = r"\x{3040}-\x{30ff}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}"
_WORD_POLARS = f"[{_UNSPACED_POLARS}]|[[\\p{{L}}\\p{{N}}_]--[{_UNSPACED_POLARS}]]+"
_MIX = np.uint64(0x9E3779B97F4A7C15)

GROUPS = pa.schema([("post_id", pa.string()), ("group", pa.int64())])


@dataclass(frozen=True)
class Group:
    """Posts whose texts are near-duplicates of each other."""

    group: int
    post_ids: tuple[str, ...]
    accounts: tuple[str, ...]
    text: str  # the first post's text, as published


def shingles(text_norm: str) -> list[str]:
    """The word pairs of a normalised text (its single words when it has one)."""
    words = _WORD.findall(text_norm)
    if len(words) < 2:
        return words
    return [f"{a} {b}" for a, b in pairwise(words)]


def duplicate_groups(posts: pa.Table, *, threshold: float = DEFAULT_THRESHOLD) -> pa.Table:
    """(post_id, group) for every post; posts in one group are near-duplicates, a post with
    none is a group of its own. Group numbers are the row of the group's first post."""
    words, offsets = _word_hashes(posts.column("text_norm"))
    lengths = np.diff(offsets)
    reposts = posts.column("repost_of").is_valid().to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero((lengths >= MIN_WORDS) & ~reposts)
    group = np.arange(posts.num_rows, dtype=np.int64)
    if len(candidates):
        hashes, row_offsets = _pair_hashes(words, offsets, candidates)
        labels = _linked(_sketches(hashes, row_offsets), threshold)
        first_row = np.full(labels.max() + 1, posts.num_rows, dtype=np.int64)
        np.minimum.at(first_row, labels, candidates)
        group[candidates] = first_row[labels]
    return pa.table({"post_id": posts.column("post_id"), "group": group}, schema=GROUPS)


def groups_of(posts: pa.Table, assigned: pa.Table, *, min_posts: int = 2) -> list[Group]:
    """The groups of at least `min_posts` posts, largest first."""
    members: dict[int, list[int]] = {}
    for row, number in enumerate(assigned.column("group").to_pylist()):
        members.setdefault(number, []).append(row)
    ids = posts.column("post_id").to_pylist()
    accounts = posts.column("account").to_pylist()
    texts = posts.column("text").to_pylist()
    found = [
        Group(
            number,
            tuple(ids[r] for r in rows),
            tuple(sorted({accounts[r] for r in rows})),
            texts[rows[0]],
        )
        for number, rows in members.items()
        if len(rows) >= min_posts
    ]
    found.sort(key=lambda g: (-len(g.post_ids), g.group))
    return found


def _word_hashes(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Every text's words hashed (flat), and where each text's words start."""
    # The same words as `shingles` finds, in Polars' vectorised kernels: no Python loop
    # over 100,000 posts.
    frame = pl.DataFrame(pa.table({"text": texts})).select(
        pl.col("text").str.extract_all(_WORD_POLARS).list.eval(pl.element().hash(_SEED))
    )
    column = frame.to_arrow().column(0).combine_chunks()
    return column.flatten().to_numpy(), column.offsets.to_numpy().astype(np.int64)


def _pair_hashes(
    words: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The word-pair hashes of `rows` (flat) and their row offsets."""
    pair = (words[:-1] * _MIX) ^ words[1:]
    starts, ends = offsets[rows], offsets[rows + 1] - 1  # a text of n words has n-1 pairs
    lengths = ends - starts
    row_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.uint64)
    positions = np.repeat(starts - row_offsets[:-1].astype(np.int64), lengths) + np.arange(
        int(row_offsets[-1])
    )
    return np.ascontiguousarray(pair[positions]), row_offsets


def _sketches(hashes: np.ndarray, row_offsets: np.ndarray) -> np.ndarray:
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        hashes, row_offsets, NUM_PERM, _SEED
    )
    count = len(row_offsets) - 1
    # rensa hands the matrix out as lists only.
    flat = np.fromiter(
        chain.from_iterable(matrix.to_rows()), dtype=np.uint32, count=count * NUM_PERM
    )
    return flat.reshape(count, NUM_PERM)


def _linked(sketches: np.ndarray, threshold: float) -> np.ndarray:
    """Component labels of the posts linked by a shared band and a passing check."""
    count = len(sketches)
    heads, members = [], []
    for start in range(0, NUM_PERM - _ROWS_PER_BAND + 1, _ROWS_PER_BAND):
        band = sketches[:, start : start + _ROWS_PER_BAND].astype(np.uint64)
        keys = (band[:, 0] << np.uint64(32)) ^ (band[:, 1] * _MIX) ^ band[:, 2]
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        opens = np.concatenate([[True], ordered[1:] != ordered[:-1]])
        head = np.empty(count, dtype=np.int64)
        head[order] = order[np.flatnonzero(opens)[np.cumsum(opens) - 1]]
        shared = head != np.arange(count)
        heads.append(head[shared])
        members.append(np.flatnonzero(shared))
    pairs = np.unique(np.stack([np.concatenate(heads), np.concatenate(members)]), axis=1)
    agree = np.empty(pairs.shape[1], dtype=np.float32)
    for start in range(0, pairs.shape[1], 200_000):
        a, b = pairs[:, start : start + 200_000]
        agree[start : start + len(a)] = (sketches[a] == sketches[b]).mean(axis=1)
    kept = pairs[:, agree >= threshold]
    graph = coo_matrix(
        (np.ones(kept.shape[1], dtype=np.int8), (kept[0], kept[1])), shape=(count, count)
    )
    labels: np.ndarray = connected_components(graph, directed=False)[1]
    return labels
