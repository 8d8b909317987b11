"""Posts as they are drawn, column by column, and the sorted, numbered table they become."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from accord.desks.fimi.posts import POSTS, normalise_text, normalise_url
from accord.desks.fimi.synthetic.accounts import People
from accord.desks.fimi.synthetic.activity import PlantedGroup, Synthetic
from accord.desks.fimi.synthetic.vocabulary import Array

_NO_LANGUAGE_SHARE = 0.10


@dataclass(frozen=True)
class Planted:
    """A planted group as drawn: its members by account number, its posts by draft number."""

    name: str
    kind: str
    members: Array
    posts: list[int]


class Draft:
    """Posts as drawn, column by column (`_COLUMNS`), numbered in the order they were drawn
    until `synthetic` sorts them by time. URLs are kept raw, those of the URL field apart
    from those in the text: the ingest lists the field's first."""

    def __init__(self, people: People, span_ms: int) -> None:
        self.people, self.span_ms = people, span_ms
        self.columns: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        self.copies: dict[int, str] = {}
        self.claims: dict[int, str] = {}
        self._norms: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.columns["account"])

    def __getitem__(self, column: str) -> list[Any]:
        return self.columns[column]

    def add(
        self,
        account: int,
        text: str,
        offset_ms: int,
        language: str,
        *,
        field_urls: Sequence[str] = (),
        text_urls: Sequence[str] = (),
        repost_of: int = -1,
    ) -> int:
        """One post, its normal text by `normalise_text`; its draft number."""
        if text not in self._norms:
            self._norms[text] = normalise_text(text)
        row = (
            account,
            text,
            self._norms[text],
            list(field_urls),
            list(text_urls),
            offset_ms,
            language,
            -1,
            repost_of,
        )
        return self.extend(**{name: [value] for name, value in zip(_COLUMNS, row, strict=True)})

    def repost(self, account: int, original: int, offset_ms: int) -> int:
        """`account` reposts post `original`: its text behind the platform's marker."""
        author = self.people.names[self["account"][original]]
        text = _REPOST_MARKERS[self.people.platform[account]].format(author)
        text += self["text"][original]
        urls = self["text_urls"][original]
        language = self["language"][original]
        return self.add(account, text, offset_ms, language, text_urls=urls, repost_of=original)

    def extend(self, **columns: Sequence[Any]) -> int:
        """Many posts, every column of `_COLUMNS` given; the draft number of the first."""
        first = len(self)
        for name in _COLUMNS:
            self.columns[name].extend(columns[name])
        return first

    def synthetic(
        self, rng: np.random.Generator, groups: list[Planted], start: datetime
    ) -> Synthetic:
        """The posts sorted by time and numbered so, with the ground truth."""
        offsets = np.asarray(self["offset_ms"], dtype=np.int64)
        order = np.argsort(offsets, kind="stable")
        rank = np.empty(len(self), dtype=np.int64)
        rank[order] = np.arange(len(self))
        width = max(7, len(str(len(self) - 1)))
        ids = np.array([f"p{n:0{width}d}" for n in range(len(self))], dtype=object)[rank]
        accounts = np.asarray(self["account"])[order]
        language = np.asarray(self["language"], dtype=object)
        language[rng.random(len(self)) < _NO_LANGUAGE_SHARE] = None
        start_us = (start - datetime(1970, 1, 1, tzinfo=UTC)) // datetime.resolution
        columns = {
            "post_id": ids[order],
            "platform": self.people.platform[accounts],
            "account": np.asarray(self.people.names, dtype=object)[accounts],
            "text": np.asarray(self["text"], dtype=object)[order],
            "text_norm": np.asarray(self["norm"], dtype=object)[order],
            "urls": [self._urls(post) for post in order.tolist()],
            "ts": start_us + offsets[order] * 1000,
            "language": language[order],
            "reply_to": _referenced(ids, np.asarray(self["reply_to"])[order]),
            "repost_of": _referenced(ids, np.asarray(self["repost_of"])[order]),
            "source": ["synthetic"] * len(self),
        }
        arrays = [pa.array(columns[f.name], f.type) for f in POSTS]
        return Synthetic(
            posts=pa.Table.from_arrays(arrays, schema=POSTS),
            groups=tuple(self._group(group, ids) for group in groups),
            copies={ids[p]: key for p, key in sorted(self.copies.items(), key=_by(rank))},
            claims={ids[p]: key for p, key in sorted(self.claims.items(), key=_by(rank))},
        )

    def _urls(self, post: int) -> list[str]:
        if not self["field_urls"][post] and not self["text_urls"][post]:
            return []
        raw = (*self["field_urls"][post], *self["text_urls"][post])
        return list(dict.fromkeys(url for url in map(_normalised, raw) if url))

    def _group(self, group: Planted, ids: Array) -> PlantedGroup:
        names = sorted(self.people.names[m] for m in group.members.tolist())
        return PlantedGroup(group.name, group.kind, tuple(names), tuple(sorted(ids[group.posts])))


_COLUMNS = (
    "account",
    "text",
    "norm",
    "field_urls",
    "text_urls",
    "offset_ms",
    "language",
    "reply_to",
    "repost_of",
)
_REPOST_MARKERS = {"x": "RT @{}: ", "telegram": "Forwarded from @{}: "}


def _referenced(ids: Array, numbers: Array) -> list[str | None]:
    return [ids[n] if n >= 0 else None for n in numbers.tolist()]


def _by(rank: Array) -> Callable[[tuple[int, str]], int]:
    return lambda item: int(rank[item[0]])


@lru_cache(maxsize=65_536)
def _normalised(url: str) -> str | None:
    # Organic posts share the same popular links again and again.
    return normalise_url(url)
