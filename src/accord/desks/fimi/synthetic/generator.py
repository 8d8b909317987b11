"""``generate``: from one seed, the accounts, the plan of planted groups, their posts, then
the organic noise around them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from accord.core.errors import InvalidInput
from accord.desks.fimi.synthetic.accounts import PLATFORMS, People, draw_people
from accord.desks.fimi.synthetic.activity import Synthetic
from accord.desks.fimi.synthetic.draft import Draft
from accord.desks.fimi.synthetic.organic import REPOST_SHARE, organic_noise
from accord.desks.fimi.synthetic.planted import KINDS, PARTICIPATION, lone_claims, plant
from accord.desks.fimi.synthetic.rhythm import DAY_MS
from accord.desks.fimi.synthetic.vocabulary import LANGUAGES, Array

_PLANTED_ACCOUNT_SHARE, _PLANTED_POST_SHARE = 0.04, 0.05


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
    people = draw_people(rng, accounts)
    draft = Draft(people, days * DAY_MS)
    groups = [
        plant(draft, rng, kind, name, members, bursts)
        for kind, name, members, bursts in _plan(rng, people, posts)
    ]
    lone_claims(draft, rng, max(3, posts // 5_000))
    organic = posts - len(draft)
    if organic - round(organic * REPOST_SHARE) < len(people.organic):
        raise InvalidInput(
            f"posts={posts}: too few for {accounts} accounts "
            f"({len(draft)} planted, every organic account posts once)"
        )
    organic_noise(draft, rng, organic)
    return draft.synthetic(rng, groups, start)


def _plan(
    rng: np.random.Generator, people: People, posts: int
) -> list[tuple[str, str, Array, int]]:
    """(kind, name, members, bursts) of every group, kinds interleaved; members get their
    group's platform (and language, but for cross_language groups)."""
    accounts = len(people.names)
    largest = min(40, max(5, accounts // 250))
    smallest = max(4, largest // 5)
    mean_size = (smallest + largest) / 2
    per_kind = max(3, round(accounts * _PLANTED_ACCOUNT_SHARE / len(KINDS) / mean_size))
    groups = per_kind * len(KINDS)
    bursts = round(posts * _PLANTED_POST_SHARE / (groups * mean_size * PARTICIPATION))
    bursts = min(30, max(4, bursts))
    sizes = rng.integers(smallest, largest + 1, groups)
    order = rng.permutation(accounts)
    plan, taken = [], 0
    for number, size in enumerate(sizes.tolist()):
        kind = KINDS[number % len(KINDS)]
        members = np.sort(order[taken : taken + size])
        taken += size
        people.platform[members] = rng.choice(PLATFORMS)
        if kind == "cross_language":
            people.language[members] = [LANGUAGES[i % len(LANGUAGES)] for i in range(size)]
        else:
            people.language[members] = rng.choice(LANGUAGES[:4])
        name = f"{kind.replace('_', '-')}-{number // len(KINDS) + 1}"
        plan.append((kind, name, members, bursts))
    people.organic = np.sort(order[taken:])
    return plan
