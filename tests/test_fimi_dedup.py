"""Near-duplicates: copy-pasta with light edits grouped across accounts, different texts
kept apart, and the vectorised shingling equal to its reference definition."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from accord.desks.fimi.near_duplicates import (
    _pair_hashes,
    _word_hashes,
    duplicate_groups,
    groups_of,
    shingles,
)
from accord.desks.fimi.posts import POSTS, normalise_text

T0 = datetime(2026, 3, 1, tzinfo=UTC)
TEMPLATE = (
    "Western media hide that the sanctions against Russia hurt ordinary families in "
    "Europe far more than anyone in Moscow, and the energy bills prove it this winter"
)


def table(texts: list[str], reposts: dict[int, str] | None = None) -> pa.Table:
    rows = [
        {
            "post_id": f"p{i}",
            "platform": "x",
            "account": f"a{i}",
            "text": text,
            "text_norm": normalise_text(text),
            "urls": [],
            "ts": T0 + timedelta(seconds=i),
            "language": None,
            "reply_to": None,
            "repost_of": (reposts or {}).get(i),
            "source": "test",
        }
        for i, text in enumerate(texts)
    ]
    return pa.Table.from_pylist(rows, schema=POSTS)


def edited(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(2):
        spot = rng.randrange(len(words))
        match rng.randrange(3):
            case 0:
                words[spot] = rng.choice(["truly", "really", "obviously", "clearly"])
            case 1:
                del words[spot]
            case _:
                words.insert(spot, rng.choice(["#truth", "BREAKING:", "🔥", "wake up"]))
    return " ".join(words)


def test_edited_copies_group_together_and_other_texts_stay_apart() -> None:
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(5_000)]
    organic = [" ".join(rng.choice(vocabulary) for _ in range(20)) for _ in range(300)]
    copies = [edited(TEMPLATE, rng) for _ in range(25)]
    posts = table(organic + copies)
    assigned = duplicate_groups(posts)
    found = groups_of(posts, assigned)
    assert len(found) == 1
    assert set(found[0].post_ids) == {f"p{i}" for i in range(300, 325)}
    assert len(found[0].accounts) == 25


def test_reposts_and_short_texts_are_no_copy_pasta() -> None:
    posts = table(
        [TEMPLATE, TEMPLATE, "so true", "so true", "so true"],
        reposts={1: "p0"},
    )
    groups = duplicate_groups(posts).column("group").to_pylist()
    assert groups == [0, 1, 2, 3, 4]


def test_the_same_text_in_other_scripts_is_split_into_the_same_words() -> None:
    texts = [
        normalise_text("Санкции против России вредят только простым европейцам!"),
        normalise_text("제재는 평범한 유럽인에게만 해를 끼친다, 모스크바가 아니라"),
        normalise_text("Les sanctions nuisent d'abord aux Européens — pas à Moscou"),
    ]
    words, offsets = _word_hashes(pa.chunked_array([texts]))
    hashes, row_offsets = _pair_hashes(words, offsets, np.arange(len(texts)))
    for row, text in enumerate(texts):
        fast = hashes[int(row_offsets[row]) : int(row_offsets[row + 1])]
        assert len(set(fast.tolist())) == len(set(shingles(text)))


def test_japanese_copies_are_grouped_by_their_characters() -> None:
    text = "北大西洋条約機構がロシア国境に秘密裏に部隊を移動させて攻撃を準備している"
    posts = table(
        [text, text.replace("秘密裏に", "") + "！", "今日は公園で友達とサッカーをしました"]
    )
    assert duplicate_groups(posts).column("group").to_pylist() == [0, 0, 2]
