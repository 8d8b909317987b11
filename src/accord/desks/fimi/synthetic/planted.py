"""The planted groups: each kind's bursts of posts, and the lone organic accounts that state
a claim once."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from accord.desks.fimi.synthetic.claims import CLAIMS
from accord.desks.fimi.synthetic.copies import claim_text, copypasta_template, edited_copy
from accord.desks.fimi.synthetic.draft import Draft, Planted
from accord.desks.fimi.synthetic.links import made_up_site, made_up_slug
from accord.desks.fimi.synthetic.rhythm import burst_offsets, times_in_span
from accord.desks.fimi.synthetic.vocabulary import Array, capitalised, sentences

KINDS = ("copypasta", "link_ring", "repost_ring", "cross_language")
PARTICIPATION = 0.85  # the chance a member is present at one of the group's bursts

_Burst = Callable[[int, Array], list[int]]  # (start offset in ms, members present) -> posts


def plant(
    draft: Draft,
    rng: np.random.Generator,
    kind: str,
    name: str,
    members: Array,
    bursts: int,
) -> Planted:
    """The group's bursts at times of the daily rhythm, most members present in each."""
    act = _ACTS[kind](draft, rng, name, members)
    # Room after a burst's start for its last post: no burst runs past the end.
    starts = np.minimum(times_in_span(rng, bursts, draft.span_ms), draft.span_ms - 15 * 60_000)
    posts: list[int] = []
    for start_ms, present in zip(
        starts.tolist(), _participation(rng, bursts, len(members)), strict=True
    ):
        posts += act(start_ms, members[present])
    return Planted(name, kind, members, posts)


def lone_claims(draft: Draft, rng: np.random.Generator, count: int) -> None:
    """Organic accounts that state a claim once, in their language, at any time."""
    accounts = rng.choice(draft.people.organic, count, replace=False)
    for account, offset in zip(
        accounts.tolist(), times_in_span(rng, count, draft.span_ms).tolist(), strict=True
    ):
        claim = str(rng.choice(list(CLAIMS)))
        language = str(draft.people.language[account])
        post = draft.add(account, claim_text(rng, claim, language), offset, language)
        draft.copies[post] = f"{claim}/{language}"
        draft.claims[post] = claim


def _participation(rng: np.random.Generator, bursts: int, size: int) -> Array:
    """Who is present at each burst: every member at least once, two or more each time."""
    present = rng.random((bursts, size)) < PARTICIPATION
    absent = np.flatnonzero(~present.any(axis=0))
    present[rng.integers(0, bursts, len(absent)), absent] = True
    for burst in np.flatnonzero(present.sum(axis=1) < 2).tolist():
        present[burst, rng.choice(size, 2, replace=False)] = True
    return present


def _copypasta(draft: Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    language = str(draft.people.language[members[0]])
    platform = str(draft.people.platform[members[0]])
    templates = [copypasta_template(rng, language, f"{name}/{n}") for n in (1, 2)]

    def burst(start_ms: int, present: Array) -> list[int]:
        template = templates[int(rng.integers(len(templates)))]
        made = []
        offsets = burst_offsets(rng, len(present), 120)
        for account, offset in zip(present.tolist(), offsets, strict=True):
            text, url = edited_copy(rng, template, platform)
            post = draft.add(account, text, start_ms + offset, language, text_urls=url)
            draft.copies[post] = template.key
            made.append(post)
        return made

    return burst


def _link_ring(draft: Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    language = str(draft.people.language[members[0]])
    site = made_up_site(rng, ("news", "daily", "today", "report"), ("info", "online", "net"))

    def burst(start_ms: int, present: Array) -> list[int]:
        article = f"https://{site}/{made_up_slug(rng, 4)}-{rng.integers(10_000, 99_999)}"
        bodies = sentences(rng, np.full(len(present), language, dtype=object))
        made = []
        for account, offset, body in zip(
            present.tolist(), burst_offsets(rng, len(present), 75), bodies, strict=True
        ):
            if rng.random() < 0.4:  # the link in the text, else in the URL field
                text, field, inline = f"{capitalised(body)} {article}", [], [article]
            else:
                text, field, inline = capitalised(body), [article], []
            offset_ms = start_ms + offset
            made.append(
                draft.add(account, text, offset_ms, language, field_urls=field, text_urls=inline)
            )
        return made

    return burst


def _repost_ring(draft: Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    people = draft.people
    # The ring amplifies an outside account (on its platform) that is no member itself.
    outside = people.organic[people.platform[people.organic] == people.platform[members[0]]]
    source = int(rng.choice(outside))
    language = str(people.language[source])

    def burst(start_ms: int, present: Array) -> list[int]:
        text = capitalised(sentences(rng, np.array([language], dtype=object))[0])
        original = draft.add(source, text, start_ms, language)
        offsets = burst_offsets(rng, len(present), 45, least_s=3)
        return [
            draft.repost(account, original, start_ms + offset)
            for account, offset in zip(present.tolist(), offsets, strict=True)
        ]

    return burst


def _cross_language(draft: Draft, rng: np.random.Generator, name: str, members: Array) -> _Burst:
    claims = [str(key) for key in rng.permutation(list(CLAIMS))]
    turns = itertools.count()

    def burst(start_ms: int, present: Array) -> list[int]:
        claim = claims[next(turns) % len(claims)]
        offsets = sorted(burst_offsets(rng, len(present), 150))
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
                text = claim_text(rng, claim, language)
                post = draft.add(account, text, start_ms + offset, language)
                draft.copies[post] = f"{claim}/{language}"
                originals.append(post)
            draft.claims[post] = claim
            made.append(post)
        return made

    return burst


# How each kind of group acts: given the draft, the group's name and members, its burst.
_ACTS: dict[str, Callable[[Draft, np.random.Generator, str, Array], _Burst]] = {
    "copypasta": _copypasta,
    "link_ring": _link_ring,
    "repost_ring": _repost_ring,
    "cross_language": _cross_language,
}
