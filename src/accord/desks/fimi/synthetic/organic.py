"""Organic noise: posts by accounts at their rates, sharing popular links, replying to and
reposting popular posts, with no near-duplicates among them."""

from __future__ import annotations

import numpy as np

from accord.desks.fimi.synthetic.accounts import PLATFORMS
from accord.desks.fimi.synthetic.draft import Draft
from accord.desks.fimi.synthetic.links import POPULAR_URL_COUNT, popular_urls
from accord.desks.fimi.synthetic.rhythm import times_in_span
from accord.desks.fimi.synthetic.vocabulary import (
    EMOJIS,
    VOCABULARY_SIZE,
    Array,
    capitalised,
    made_up_words,
    sentences,
    zipf_ranks,
)

REPOST_SHARE = 0.08
_REPLY_SHARE, _LINK_SHARE = 0.05, 0.30


def organic_noise(draft: Draft, rng: np.random.Generator, count: int) -> None:
    """`count` organic posts: one by every organic account, the rest by rate; some reply to
    popular posts, some (`REPOST_SHARE`) repost them."""
    people = draft.people
    reposts = round(count * REPOST_SHARE)
    extra = rng.choice(len(people.names), count - reposts - len(people.organic), p=people.activity)
    authors = np.concatenate([people.organic, extra])
    offsets = times_in_span(rng, len(authors), draft.span_ms)
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


def _organic_reposts(draft: Draft, rng: np.random.Generator, popular: Array, count: int) -> None:
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
    for platform in PLATFORMS:
        actors = np.flatnonzero(platforms == platform)
        pool = popular[popular_platforms == platform]
        pool = pool if len(pool) else popular  # only when tiny: a platform without one
        chosen[actors] = pool[zipf_ranks(rng, len(pool), len(actors), 1.0)]
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
    norms = sentences(rng, languages)
    emoji = rng.random(count) < 0.08
    hashtag = rng.random(count) < 0.05
    linked = rng.random(count) < _LINK_SHARE
    in_text = rng.random(count) < 0.3
    tracked = rng.random(count) < 0.2
    ranks = zipf_ranks(rng, POPULAR_URL_COUNT, count, 1.0)
    links = np.asarray(popular_urls(), dtype=object)[ranks]
    tags = made_up_words("en")[zipf_ranks(rng, VOCABULARY_SIZE, count, 1.0)]
    emojis = rng.choice(np.asarray(EMOJIS, dtype=object), count)
    texts, field_urls, text_urls = [], [], []
    for row, norm in enumerate(norms):
        if hashtag[row]:
            norms[row] = norm = f"{norm} #{tags[row]}"
        text = capitalised(norm) + (f" {emojis[row]}" if emoji[row] else "")
        link = f"{links[row]}?utm_source=share" if tracked[row] else str(links[row])
        field_urls.append([link] if linked[row] and not in_text[row] else [])
        text_urls.append([link] if linked[row] and in_text[row] else [])
        texts.append(f"{text} {link}" if text_urls[-1] else text)
    return texts, norms, field_urls, text_urls
