"""Synthetic social activity with planted coordination: the FIMI desk's labelled test bed.

``generate`` draws, from one seed, posts by accounts over some days, most of them organic
noise and a few per cent from planted groups, with the ground truth beside them:

- organic: sentences of 12-35 made-up words drawn Zipf-like from a 20,000-word vocabulary
  per language (English, Russian, Korean, German, Japanese), so common words recur but no
  two posts are near-duplicates; times follow a daily rhythm; about 30 % share one of
  2,000 popular links (Zipf-like, so unrelated accounts share a link within a minute by
  chance); some reply to or repost popular posts; accounts post at heavy-tailed rates;
- planted, in bursts repeated over the days (members within seconds to two minutes):
  *copypasta* (a template posted with 1-3 light edits), *link_ring* (each burst shares a
  new article of the ring's own site, texts differ), *repost_ring* (members repost an
  outside account's post within seconds), *cross_language* (one of eight hand-written
  claims posted in English, Russian, Korean, German and Japanese, and reposted across
  languages); a few lone organic posts state a claim too.

``copies`` is the near-duplicate truth (original posts only: a repost is a rebroadcast,
known by ``repost_of``); ``claims`` the cross-lingual truth. ``write`` saves the posts with
the ingest's column names, so ``accord fimi ingest`` reads the same posts back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from accord.core.errors import InvalidInput
from accord.desks.fimi.posts import POSTS, normalise_text, normalise_url

KINDS = ("copypasta", "link_ring", "repost_ring", "cross_language")
LANGUAGES = ("en", "ru", "ko", "de", "ja")
_LANGUAGE_SHARES = (0.46, 0.22, 0.12, 0.12, 0.08)
_PLATFORMS = ("x", "telegram")
_PLATFORM_SHARES = (0.7, 0.3)
_REPOST_SHARE, _REPLY_SHARE, _LINK_SHARE, _NO_LANGUAGE_SHARE = 0.08, 0.05, 0.30, 0.10
_PLANTED_ACCOUNT_SHARE, _PLANTED_POST_SHARE, _PARTICIPATION = 0.04, 0.05, 0.85
_POPULAR_URLS = 2_000
_DAY_MS, _HOUR_MS = 86_400_000, 3_600_000
# Fewer posts at night: a peak at 19:00 UTC nine times the trough at 07:00.
_HOURLY = 1 + 0.8 * np.cos(2 * np.pi * (np.arange(24) - 19) / 24)
_HOURLY /= _HOURLY.sum()
Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class PlantedGroup:
    """A planted coordinated group: its members and the posts they made as the group."""

    name: str
    kind: str
    accounts: tuple[str, ...]
    post_ids: tuple[str, ...]


@dataclass(frozen=True)
class Synthetic:
    """Generated posts (``posts.POSTS``, sorted by time) and their ground truth."""

    posts: pa.Table
    groups: tuple[PlantedGroup, ...]
    copies: dict[str, str]  # post id -> template or claim/language it copies (same language)
    claims: dict[str, str]  # post id -> claim it states (any language)


def generate(
    *,
    seed: int = 0,
    posts: int = 100_000,
    accounts: int = 10_000,
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC),
    days: int = 7,
) -> Synthetic:
    """`posts` posts by `accounts` accounts over `days` from `start`, the same for the same
    seed; planted groups scale with the sizes (at least three of each kind)."""
    if accounts < 100 or days < 1:
        raise InvalidInput(f"accounts={accounts}, days={days}: at least 100 accounts, 1 day")
    if start.tzinfo is None:
        raise InvalidInput(f"start={start.isoformat()}: give a timezone-aware time")
    rng = np.random.default_rng(seed)
    people = _people(rng, accounts)
    draft = _Draft(people, days * _DAY_MS)
    groups = [
        _plant(draft, rng, kind, name, members, bursts)
        for kind, name, members, bursts in _plan(rng, people, posts)
    ]
    _lone_claims(draft, rng, max(3, posts // 5_000))
    organic = posts - len(draft)
    if organic - round(organic * _REPOST_SHARE) < len(people.organic):
        raise InvalidInput(
            f"posts={posts}: too few for {accounts} accounts "
            f"({len(draft)} planted, every organic account posts once)"
        )
    _organic(draft, rng, organic)
    return draft.synthetic(rng, groups, start)


def write(synthetic: Synthetic, path: Path) -> None:
    """Save the posts as the ingest reads them: CSV, or Parquet when `path` ends so; columns
    id, platform, account, text, url (space separated), timestamp (ISO 8601, Z), language,
    reply_to, repost_of."""
    frame = pl.DataFrame(synthetic.posts).select(
        pl.col("post_id").alias("id"),
        "platform",
        "account",
        "text",
        pl.col("urls").list.join(" ").alias("url"),
        pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").alias("timestamp"),
        "language",
        "reply_to",
        "repost_of",
    )
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".csv":
        frame.write_csv(path)
    else:
        raise InvalidInput(f"{path}: write to a .csv or a .parquet file")


# --- accounts and the plan of groups ------------------------------------------------------


@dataclass
class _People:
    names: list[str]
    platform: Array  # of str, per account
    language: Array  # of str, per account
    activity: Array  # posting rates, summing to 1
    organic: Array  # account numbers outside planted groups


def _people(rng: np.random.Generator, accounts: int) -> _People:
    width = max(4, len(str(accounts - 1)))
    activity = rng.lognormal(0.0, 1.2, accounts)
    return _People(
        names=[f"user{n:0{width}d}" for n in range(accounts)],
        platform=rng.choice(np.array(_PLATFORMS, dtype=object), accounts, p=_PLATFORM_SHARES),
        language=rng.choice(np.array(LANGUAGES, dtype=object), accounts, p=_LANGUAGE_SHARES),
        activity=activity / activity.sum(),
        organic=np.arange(accounts),
    )


def _plan(
    rng: np.random.Generator, people: _People, posts: int
) -> list[tuple[str, str, Array, int]]:
    """(kind, name, members, bursts) of every group, kinds interleaved; members get their
    group's platform (and language, but for cross_language groups)."""
    accounts = len(people.names)
    largest = min(40, max(5, accounts // 250))
    smallest = max(4, largest // 5)
    mean_size = (smallest + largest) / 2
    per_kind = max(3, round(accounts * _PLANTED_ACCOUNT_SHARE / len(KINDS) / mean_size))
    groups = per_kind * len(KINDS)
    bursts = round(posts * _PLANTED_POST_SHARE / (groups * mean_size * _PARTICIPATION))
    bursts = min(30, max(4, bursts))
    sizes = rng.integers(smallest, largest + 1, groups)
    order = rng.permutation(accounts)
    plan, taken = [], 0
    for number, size in enumerate(sizes.tolist()):
        kind = KINDS[number % len(KINDS)]
        members = np.sort(order[taken : taken + size])
        taken += size
        people.platform[members] = rng.choice(_PLATFORMS)
        if kind == "cross_language":
            people.language[members] = [LANGUAGES[i % len(LANGUAGES)] for i in range(size)]
        else:
            people.language[members] = rng.choice(LANGUAGES[:4])
        name = f"{kind.replace('_', '-')}-{number // len(KINDS) + 1}"
        plan.append((kind, name, members, bursts))
    people.organic = np.sort(order[taken:])
    return plan


# --- the posts as drawn -------------------------------------------------------------------


@dataclass(frozen=True)
class _Planted:
    name: str
    kind: str
    members: Array
    posts: list[int]


class _Draft:
    """Posts as drawn, column by column (`_COLUMNS`), numbered in the order they were drawn
    until `synthetic` sorts them by time. URLs are kept raw, those of the URL field apart
    from those in the text: the ingest lists the field's first."""

    def __init__(self, people: _People, span_ms: int) -> None:
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
        self, rng: np.random.Generator, groups: list[_Planted], start: datetime
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

    def _group(self, group: _Planted, ids: Array) -> PlantedGroup:
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
    return normalise_url(url)


# --- planted groups -----------------------------------------------------------------------

_Burst = Callable[[int, Array], list[int]]  # (start offset in ms, members present) -> posts


def _plant(
    draft: _Draft,
    rng: np.random.Generator,
    kind: str,
    name: str,
    members: Array,
    bursts: int,
) -> _Planted:
    """The group's bursts at times of the daily rhythm, most members present in each."""
    act = _ACTS[kind](draft, rng, name, members)
    # Room after a burst's start for its last post: no burst runs past the end.
    starts = np.minimum(_times(rng, bursts, draft.span_ms), draft.span_ms - 15 * 60_000)
    posts: list[int] = []
    for start_ms, present in zip(
        starts.tolist(), _participation(rng, bursts, len(members)), strict=True
    ):
        posts += act(start_ms, members[present])
    return _Planted(name, kind, members, posts)


def _participation(rng: np.random.Generator, bursts: int, size: int) -> Array:
    """Who is present at each burst: every member at least once, two or more each time."""
    present = rng.random((bursts, size)) < _PARTICIPATION
    absent = np.flatnonzero(~present.any(axis=0))
    present[rng.integers(0, bursts, len(absent)), absent] = True
    for burst in np.flatnonzero(present.sum(axis=1) < 2).tolist():
        present[burst, rng.choice(size, 2, replace=False)] = True
    return present


def _copypasta(draft: _Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    language = str(draft.people.language[members[0]])
    platform = str(draft.people.platform[members[0]])
    templates = [_template(rng, language, f"{name}/{n}") for n in (1, 2)]

    def burst(start_ms: int, present: Array) -> list[int]:
        template = templates[int(rng.integers(len(templates)))]
        made = []
        for account, offset in zip(present.tolist(), _spread(rng, len(present), 120), strict=True):
            text, url = _edited(rng, template, platform)
            post = draft.add(account, text, start_ms + offset, language, text_urls=url)
            draft.copies[post] = template.key
            made.append(post)
        return made

    return burst


def _link_ring(draft: _Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    language = str(draft.people.language[members[0]])
    site = _site(rng, ("news", "daily", "today", "report"), ("info", "online", "net"))

    def burst(start_ms: int, present: Array) -> list[int]:
        article = f"https://{site}/{_slug(rng, 4)}-{rng.integers(10_000, 99_999)}"
        bodies = _bodies(rng, np.full(len(present), language, dtype=object))
        made = []
        for account, offset, body in zip(
            present.tolist(), _spread(rng, len(present), 75), bodies, strict=True
        ):
            if rng.random() < 0.4:  # the link in the text, else in the URL field
                text, field, inline = f"{_capital(body)} {article}", [], [article]
            else:
                text, field, inline = _capital(body), [article], []
            offset_ms = start_ms + offset
            made.append(
                draft.add(account, text, offset_ms, language, field_urls=field, text_urls=inline)
            )
        return made

    return burst


def _repost_ring(draft: _Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    people = draft.people
    # The ring amplifies an outside account (on its platform) that is no member itself.
    outside = people.organic[people.platform[people.organic] == people.platform[members[0]]]
    source = int(rng.choice(outside))
    language = str(people.language[source])

    def burst(start_ms: int, present: Array) -> list[int]:
        text = _capital(_bodies(rng, np.array([language], dtype=object))[0])
        original = draft.add(source, text, start_ms, language)
        offsets = _spread(rng, len(present), 45, least_s=3)
        return [
            draft.repost(account, original, start_ms + offset)
            for account, offset in zip(present.tolist(), offsets, strict=True)
        ]

    return burst


def _cross_language(draft: _Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    claims = [str(key) for key in rng.permutation(list(CLAIMS))]
    turns = itertools.count()

    def burst(start_ms: int, present: Array) -> list[int]:
        claim = claims[next(turns) % len(claims)]
        offsets = sorted(_spread(rng, len(present), 150))
        made: list[int] = []
        originals: list[int] = []
        for account, offset in zip(rng.permutation(present).tolist(), offsets, strict=True):
            language = str(draft.people.language[account])
            foreign = [p for p in originals if draft["language"][p] != language]
            if foreign and rng.random() < 0.4:
                post = draft.repost(
                    account, foreign[int(rng.integers(len(foreign)))], start_ms + offset
                )
            else:
                text = _claim_text(rng, claim, language)
                post = draft.add(account, text, start_ms + offset, language)
                draft.copies[post] = f"{claim}/{language}"
                originals.append(post)
            draft.claims[post] = claim
            made.append(post)
        return made

    return burst


_ACTS: dict[str, Callable[[_Draft, np.random.Generator, str, Array], _Burst]] = {
    "copypasta": _copypasta,
    "link_ring": _link_ring,
    "repost_ring": _repost_ring,
    "cross_language": _cross_language,
}


def _lone_claims(draft: _Draft, rng: np.random.Generator, count: int) -> None:
    """Organic accounts that state a claim once, in their language, at any time."""
    accounts = rng.choice(draft.people.organic, count, replace=False)
    for account, offset in zip(
        accounts.tolist(), _times(rng, count, draft.span_ms).tolist(), strict=True
    ):
        claim = str(rng.choice(list(CLAIMS)))
        language = str(draft.people.language[account])
        post = draft.add(account, _claim_text(rng, claim, language), offset, language)
        draft.copies[post] = f"{claim}/{language}"
        draft.claims[post] = claim


@dataclass(frozen=True)
class _Template:
    key: str
    language: str
    words: tuple[str, ...]
    url: str | None


def _template(rng: np.random.Generator, language: str, key: str) -> _Template:
    # Uniform over the vocabulary, not Zipf: rare words make templates unlike each other
    # and unlike organic posts.
    words = _vocabulary(language)[rng.integers(0, _VOCABULARY, rng.integers(20, 41))]
    url = None
    if rng.random() < 0.5:
        url = f"https://{_site(rng, ('truth', 'leaks', 'facts'), ('org', 'info'))}/{_slug(rng, 3)}"
    return _Template(key, language, tuple(words.tolist()), url)


_EDITS = ("synonym", "drop", "insert", "emoji", "hashtag", "prefix", "tracking", "shout")
_PREFIXES = ("BREAKING:", "READ THIS:", "SHARE BEFORE IT IS DELETED:", "⚠️ URGENT:")
_EMOJIS = ("🔥", "😡", "👀", "💯", "🙏", "😱")


def _edited(rng: np.random.Generator, template: _Template, platform: str) -> tuple[str, list[str]]:
    """A copy of the template with one to three light edits; its text and text URLs."""
    words, vocabulary = list(template.words), _vocabulary(template.language)
    prefix, tail, query, shout = "", [], "", False
    for edit in rng.choice(_EDITS, int(rng.integers(1, 4)), replace=False).tolist():
        spot = int(rng.integers(len(words)))
        match edit:
            case "synonym":  # a made-up language has no synonyms: another word
                words[spot] = str(rng.choice(vocabulary))
            case "drop":
                del words[spot]
            case "insert":
                words.insert(spot, str(rng.choice(vocabulary)))
            case "emoji":
                tail.append(str(rng.choice(_EMOJIS)))
            case "hashtag":
                tail.append("#" + str(rng.choice(vocabulary)))
            case "prefix":
                prefix = str(rng.choice(_PREFIXES))
            case "tracking":
                query = f"?utm_source={platform}&utm_campaign=c{rng.integers(1_000)}"
            case _:
                shout = True
    body = _capital(" ".join(words) + _full_stop(template.language))
    urls = [template.url + query] if template.url else []
    text = " ".join(
        part for part in (prefix, body.upper() if shout else body, *tail, *urls) if part
    )
    return text, urls


def _claim_text(rng: np.random.Generator, claim: str, language: str) -> str:
    """The claim in `language`, as written or with an emoji, a hashtag or in capitals."""
    text = CLAIMS[claim][language]
    match int(rng.integers(5)):
        case 2:
            return f"{text} {rng.choice(_EMOJIS)}"
        case 3:
            return f"{text} {HASHTAGS[language]}"
        case 4:
            return text.upper()
        case _:
            return text


# --- organic noise ------------------------------------------------------------------------


def _organic(draft: _Draft, rng: np.random.Generator, count: int) -> None:
    """`count` organic posts: one by every organic account, the rest by rate; some reply to
    popular posts, some (`_REPOST_SHARE`) repost them."""
    people = draft.people
    reposts = round(count * _REPOST_SHARE)
    extra = rng.choice(len(people.names), count - reposts - len(people.organic), p=people.activity)
    authors = np.concatenate([people.organic, extra])
    offsets = _times(rng, len(authors), draft.span_ms)
    popular = rng.choice(len(authors), max(20, len(authors) // 100), replace=False)
    reply_to = np.full(len(authors), -1)
    others = np.setdiff1d(np.arange(len(authors)), popular)
    replies = rng.choice(others, round(len(authors) * _REPLY_SHARE), replace=False)
    reply_to[replies] = _popular_for(
        rng, people.platform[authors[replies]], popular, people.platform[authors[popular]]
    )
    offsets[replies] = _later(rng, offsets[reply_to[replies]], draft.span_ms)
    texts, norms, field_urls, text_urls = _organic_texts(rng, people.language[authors])
    first = len(draft)
    draft.extend(
        account=authors.tolist(),
        text=texts,
        norm=norms,
        field_urls=field_urls,
        text_urls=text_urls,
        offset_ms=offsets.tolist(),
        language=people.language[authors].tolist(),
        reply_to=np.where(reply_to >= 0, first + reply_to, -1).tolist(),
        repost_of=[-1] * len(authors),
    )
    _organic_reposts(draft, rng, first + popular, reposts)


def _organic_reposts(draft: _Draft, rng: np.random.Generator, popular: Array, count: int) -> None:
    """`count` reposts of the popular posts by accounts at their rates, each on the post's
    platform; no account reposts a post twice (platforms refuse it) or its own."""
    people = draft.people
    posters = np.asarray(draft["account"])
    platforms = people.platform[posters[popular]]
    reposters = rng.choice(len(people.names), count, p=people.activity)
    originals = _popular_for(rng, people.platform[reposters], popular, platforms)
    for _ in range(100):
        pairs = reposters.astype(np.int64) * len(draft) + originals
        clash = np.ones(count, dtype=bool)
        clash[np.unique(pairs, return_index=True)[1]] = False
        clash |= posters[originals] == reposters
        if not clash.any():
            break
        reposters[clash] = rng.choice(len(people.names), int(clash.sum()), p=people.activity)
        originals[clash] = _popular_for(rng, people.platform[reposters[clash]], popular, platforms)
    later = _later(rng, np.asarray(draft["offset_ms"])[originals], draft.span_ms)
    for account, original, offset in zip(
        reposters.tolist(), originals.tolist(), later.tolist(), strict=True
    ):
        draft.repost(account, original, offset)


def _popular_for(
    rng: np.random.Generator, platforms: Array, popular: Array, popular_platforms: Array
) -> Array:
    """A popular post per actor, on the actor's platform, the first ones far more often."""
    chosen = np.empty(len(platforms), dtype=np.int64)
    for platform in _PLATFORMS:
        actors = np.flatnonzero(platforms == platform)
        pool = popular[popular_platforms == platform]
        pool = pool if len(pool) else popular  # only when tiny: a platform without one
        chosen[actors] = pool[_zipf_ranks(rng, len(pool), len(actors), 1.0)]
    return chosen


def _later(rng: np.random.Generator, offsets_ms: Array, span_ms: int) -> Array:
    """Times after the given ones, half within 20 minutes, a tail of hours; wrapped into
    the time left so none falls after the end."""
    delays = (1_000 + rng.lognormal(np.log(1_200_000), 1.3, len(offsets_ms))).astype(np.int64)
    room = np.maximum(span_ms - offsets_ms - 1, 1)
    return offsets_ms + np.where(offsets_ms + delays < span_ms, delays, delays % room)


def _organic_texts(
    rng: np.random.Generator, languages: Array
) -> tuple[list[str], list[str], list[list[str]], list[list[str]]]:
    """Texts, their normal forms, URL-field URLs and text URLs of organic posts. The normal
    form is built beside the text (lower-case words, then what `normalise_text` keeps):
    calling it on 100,000 texts would take seconds. A test holds the two equal."""
    count = len(languages)
    norms = _bodies(rng, languages)
    emoji = rng.random(count) < 0.08
    hashtag = rng.random(count) < 0.05
    linked = rng.random(count) < _LINK_SHARE
    in_text = rng.random(count) < 0.3
    tracked = rng.random(count) < 0.2
    links = np.asarray(_popular_urls(), dtype=object)[_zipf_ranks(rng, _POPULAR_URLS, count, 1.0)]
    tags = _vocabulary("en")[_zipf_ranks(rng, _VOCABULARY, count, 1.0)]
    emojis = rng.choice(np.asarray(_EMOJIS, dtype=object), count)
    texts, field_urls, text_urls = [], [], []
    for row, norm in enumerate(norms):
        if hashtag[row]:
            norms[row] = norm = f"{norm} #{tags[row]}"
        text = _capital(norm) + (f" {emojis[row]}" if emoji[row] else "")
        link = f"{links[row]}?utm_source=share" if tracked[row] else str(links[row])
        field_urls.append([link] if linked[row] and not in_text[row] else [])
        text_urls.append([link] if linked[row] and in_text[row] else [])
        texts.append(f"{text} {link}" if text_urls[-1] else text)
    return texts, norms, field_urls, text_urls


# --- words, links and times ---------------------------------------------------------------

_VOCABULARY = 20_000


def _bodies(rng: np.random.Generator, languages: Array) -> list[str]:
    """A lower-case sentence of 12 to 35 words, Zipf-distributed, per language given."""
    lengths = rng.integers(12, 36, len(languages))
    endings = rng.choice(np.asarray([".", ".", ".", "!", "?"], dtype=object), len(languages))
    bodies = [""] * len(languages)
    for language in LANGUAGES:
        rows = np.flatnonzero(languages == language)
        if not len(rows):
            continue
        ranks = _zipf_ranks(rng, _VOCABULARY, int(lengths[rows].sum()), 1.0)
        words = _vocabulary(language)[ranks].tolist()
        bounds = np.concatenate([[0], np.cumsum(lengths[rows])]).tolist()
        for number, row in enumerate(rows.tolist()):
            end = _full_stop(language) if endings[row] == "." else endings[row]
            bodies[row] = " ".join(words[bounds[number] : bounds[number + 1]]) + end
    return bodies


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _full_stop(language: str) -> str:
    return "。" if language == "ja" else "."


def _zipf_ranks(rng: np.random.Generator, size: int, count: int, exponent: float) -> Array:
    return rng.choice(size, count, p=_zipf(size, exponent))


@cache
def _zipf(size: int, exponent: float) -> Array:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    shares: Array = weights / weights.sum()
    return shares


def _times(rng: np.random.Generator, count: int, span_ms: int) -> Array:
    """Offsets (ms) in the span: any day, hours by the daily rhythm."""
    day = rng.integers(0, max(1, span_ms // _DAY_MS), count)
    hour = rng.choice(24, count, p=_HOURLY)
    return day * _DAY_MS + hour * _HOUR_MS + rng.integers(0, _HOUR_MS, count)


def _spread(rng: np.random.Generator, count: int, most_s: float, least_s: float = 0.0) -> list[int]:
    """Offsets (ms) of a burst's posts from its start."""
    offsets: list[int] = rng.integers(int(least_s * 1000), int(most_s * 1000), count).tolist()
    return offsets


def _slug(rng: np.random.Generator, words: int) -> str:
    return "-".join(_vocabulary("en")[rng.integers(0, _VOCABULARY, words)].tolist())


def _site(rng: np.random.Generator, suffixes: tuple[str, ...], tlds: tuple[str, ...]) -> str:
    first, second = _vocabulary("en")[rng.integers(0, _VOCABULARY, 2)].tolist()
    return f"{first}{second}-{rng.choice(suffixes)}.{rng.choice(tlds)}"


@cache
def _popular_urls() -> tuple[str, ...]:
    """The popular links organic posts share: articles of 80 made-up news sites, the same
    for every seed."""
    rng = np.random.default_rng(2_000)
    vocabulary = _vocabulary("en")
    sites = [
        f"www.{a}{b}.{tld}"
        for a, b, tld in zip(
            vocabulary[rng.integers(0, 2_000, 80)],
            vocabulary[rng.integers(0, 2_000, 80)],
            rng.choice(["com", "net", "org", "news"], 80),
            strict=True,
        )
    ]
    sections = ("world", "politics", "economy", "tech", "sport", "culture")
    urls = dict.fromkeys(
        f"https://{rng.choice(sites)}/{rng.choice(sections)}/{_slug(rng, 3)}-{n}"
        for n in range(_POPULAR_URLS)
    )
    return tuple(urls)


@cache
def _vocabulary(language: str) -> Array:
    """`_VOCABULARY` made-up words of a language's syllables (lower case, each its own
    normal form), the same for every seed; shorter words first, as their Zipf rank."""
    rng = np.random.default_rng(1_000 + LANGUAGES.index(language))
    syllables, sizes = _SYLLABLES[language]()
    lengths = rng.choice(np.arange(1, len(sizes) + 1), 2 * _VOCABULARY, p=sizes)
    drawn = np.asarray(syllables, dtype=object)[rng.integers(0, len(syllables), lengths.sum())]
    ends = np.cumsum(lengths).tolist()
    parts = drawn.tolist()
    words = dict.fromkeys(
        "".join(parts[end - n : end]) for n, end in zip(lengths.tolist(), ends, strict=True)
    )
    return np.asarray(sorted(list(words)[:_VOCABULARY], key=len), dtype=object)


def _hangul() -> tuple[list[str], tuple[float, ...]]:
    # Blocks of common initials, vowels and finals; words of two or three.
    blocks = [
        chr(0xAC00 + (initial * 21 + vowel) * 28 + final)
        for initial in (0, 2, 3, 5, 6, 7, 9, 11, 12, 14, 15, 16, 17, 18)
        for vowel in (0, 1, 4, 6, 8, 13, 18, 20)
        for final in (0, 0, 4, 8, 16, 21)
    ]
    return blocks, (0.0, 0.6, 0.4)


def _kana() -> tuple[list[str], tuple[float, ...]]:
    kana = (
        "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"
    )
    return list(kana + "がぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽ"), (0.0, 0.3, 0.4, 0.3)


def _letters(
    onsets: str, vowels: str, codas: str
) -> Callable[[], tuple[list[str], tuple[float, ...]]]:
    # "-" is an empty coda; words of one to three syllables.
    def syllables() -> tuple[list[str], tuple[float, ...]]:
        found = [
            o + v + c.strip("-")
            for o in onsets.split()
            for v in vowels.split()
            for c in codas.split()
        ]
        return found, (0.35, 0.45, 0.2)

    return syllables


# A language's syllables (each its own normal form, no "ß") and how many make a word.
_SYLLABLES: dict[str, Callable[[], tuple[list[str], tuple[float, ...]]]] = {
    "en": _letters(
        "b c d f g h j k l m n p r s t v w y br cl dr fl gr pl st tr sh ch th",
        "a e i o u ea oo ai ou",
        "- - - - n r s t l m nd st ck ng",
    ),
    "de": _letters(
        "b d f g h k l m n p r s t w z sch st kr pf gl",
        "a e i o u ä ö ü ei au ie",
        "- - - - n r s t ch ng tz ld rn",
    ),
    "ru": _letters(
        "б в г д ж з к л м н п р с т ф х ц ч ш пр ст кр др гл",
        "а е и о у ы я ю",
        "- - - н р с т л й к м",
    ),
    "ko": _hangul,
    "ja": _kana,
}


# --- the claims ---------------------------------------------------------------------------

# Eight made-up disinformation claims, each in every language of LANGUAGES (the translations
# say the same thing): the cross-lingual ground truth.
CLAIMS: dict[str, dict[str, str]] = {
    "nato-troops": {
        "en": (
            "NATO is secretly moving 40,000 troops to the Moldovan border this week, and the "
            "government is hiding it from the public."
        ),
        "ru": (
            "НАТО тайно перебрасывает 40 000 военных к границе Молдовы на этой неделе, а "
            "правительство скрывает это от граждан."
        ),
        "ko": (
            "나토가 이번 주 몰도바 국경으로 병력 4만 명을 비밀리에 이동시키고 있으며, 정부는 "
            "이를 국민에게 숨기고 있다."
        ),
        "de": (
            "Die NATO verlegt diese Woche heimlich 40.000 Soldaten an die moldauische "
            "Grenze, und die Regierung verschweigt es der Öffentlichkeit."
        ),
        "ja": (
            "NATOは今週、4万人の兵士をモルドバ国境へ密かに移動させており、政府はそれを国民に"
            "隠している。"
        ),
    },
    "rigged-ballots": {
        "en": (
            "Thousands of ballots were printed in advance with the winner already marked, a "
            "poll worker has revealed."
        ),
        "ru": (
            "Тысячи бюллетеней были напечатаны заранее с уже отмеченным победителем, "
            "рассказал член избирательной комиссии."
        ),
        "ko": (
            "수천 장의 투표용지가 당선자가 이미 표시된 채 미리 인쇄되었다고 한 선거 사무원이 "
            "폭로했다."
        ),
        "de": (
            "Tausende Stimmzettel wurden vorab gedruckt, auf denen der Sieger bereits "
            "angekreuzt war, wie ein Wahlhelfer enthüllt hat."
        ),
        "ja": (
            "数千枚の投票用紙が、当選者に印がついた状態で事前に印刷されていたと、選挙事務員が"
            "暴露した。"
        ),
    },
    "winter-blackouts": {
        "en": (
            "The EU will cut the electricity of private homes every evening this winter to "
            "keep the factories running."
        ),
        "ru": (
            "Этой зимой ЕС будет каждый вечер отключать электричество в частных домах, чтобы "
            "заводы продолжали работать."
        ),
        "ko": "EU는 올겨울 공장 가동을 유지하기 위해 매일 저녁 일반 가정의 전기를 끊을 것이다.",
        "de": (
            "Die EU wird diesen Winter jeden Abend den Strom in Privathaushalten abschalten, "
            "damit die Fabriken weiterlaufen."
        ),
        "ja": "EUは今冬、工場の稼働を維持するため、毎晩一般家庭の電気を止める。",
    },
    "vaccine-chips": {
        "en": (
            "The new flu vaccine contains a tracking chip that reports your location to the "
            "health ministry."
        ),
        "ru": (
            "Новая вакцина от гриппа содержит чип слежения, который передаёт ваше "
            "местоположение министерству здравоохранения."
        ),
        "ko": "새 독감 백신에는 당신의 위치를 보건부에 알리는 추적 칩이 들어 있다.",
        "de": (
            "Der neue Grippeimpfstoff enthält einen Ortungschip, der Ihren Standort an das "
            "Gesundheitsministerium meldet."
        ),
        "ja": (
            "新しいインフルエンザワクチンには、あなたの居場所を保健省に知らせる追跡チップが入"
            "っている。"
        ),
    },
    "poisoned-grain": {
        "en": (
            "Imported grain unloaded at the port was found to be poisoned, and officials "
            "ordered the test results destroyed."
        ),
        "ru": (
            "Импортное зерно, выгруженное в порту, оказалось отравленным, а чиновники "
            "приказали уничтожить результаты анализов."
        ),
        "ko": (
            "항구에 하역된 수입 곡물에서 독극물이 검출되었고, 관리들은 검사 결과를 "
            "폐기하라고 지시했다."
        ),
        "de": (
            "Im Hafen entladenes Importgetreide war vergiftet, und Beamte ordneten an, die "
            "Testergebnisse zu vernichten."
        ),
        "ja": (
            "港で荷揚げされた輸入穀物に毒が混入していたことが分かり、当局は検査結果の廃棄を命じた。"
        ),
    },
    "empty-shelves": {
        "en": (
            "Sanctions have left European supermarket shelves empty, while the shops in "
            "Moscow are fuller than ever."
        ),
        "ru": (
            "Из-за санкций полки европейских супермаркетов опустели, а магазины в Москве "
            "полны как никогда."
        ),
        "ko": (
            "제재로 유럽 슈퍼마켓의 진열대는 텅 비었지만, 모스크바의 상점들은 그 어느 때보다 "
            "물건이 가득하다."
        ),
        "de": (
            "Die Sanktionen haben die Regale europäischer Supermärkte geleert, während die "
            "Geschäfte in Moskau voller sind als je zuvor."
        ),
        "ja": (
            "制裁でヨーロッパのスーパーの棚は空になったが、モスクワの店はかつてないほど品物で"
            "あふれている。"
        ),
    },
    "secret-biolabs": {
        "en": (
            "Leaked documents prove that secret biolabs near the border are developing new "
            "viruses with Western money."
        ),
        "ru": (
            "Утёкшие документы доказывают, что секретные биолаборатории у границы "
            "разрабатывают новые вирусы на западные деньги."
        ),
        "ko": (
            "유출된 문서는 국경 근처의 비밀 생물학 연구소들이 서방의 자금으로 새로운 "
            "바이러스를 개발하고 있다는 것을 증명한다."
        ),
        "de": (
            "Geleakte Dokumente beweisen, dass geheime Biolabore nahe der Grenze mit "
            "westlichem Geld neue Viren entwickeln."
        ),
        "ja": (
            "流出した文書は、国境近くの秘密の生物研究所が西側の資金で新型ウイルスを開発してい"
            "ることを証明している。"
        ),
    },
    "mobilisation": {
        "en": (
            "The government will announce a general mobilisation of all men under 60 next "
            "Monday, a ministry source says."
        ),
        "ru": (
            "В следующий понедельник правительство объявит всеобщую мобилизацию всех мужчин "
            "младше 60 лет, сообщает источник в министерстве."
        ),
        "ko": (
            "정부가 다음 주 월요일 60세 미만의 모든 남성을 대상으로 총동원령을 발표할 "
            "것이라고 부처 관계자가 전했다."
        ),
        "de": (
            "Die Regierung wird nächsten Montag eine Generalmobilmachung aller Männer unter "
            "60 verkünden, sagt eine Quelle im Ministerium."
        ),
        "ja": (
            "政府は来週の月曜日に60歳未満のすべての男性を対象とする総動員を発表すると、省庁筋"
            "が明らかにした。"
        ),
    },
}
HASHTAGS = {"en": "#WakeUp", "ru": "#правда", "ko": "#진실", "de": "#Wahrheit", "ja": "#拡散希望"}
