"""The accounts: names, platform, language and posting rate of each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.desks.fimi.synthetic.vocabulary import LANGUAGES, Array

PLATFORMS = ("x", "telegram")
_PLATFORM_SHARES = (0.7, 0.3)
_LANGUAGE_SHARES = (0.46, 0.22, 0.12, 0.12, 0.08)


@dataclass
class People:
    """The accounts, by account number; the plan of groups changes the platform and language
    of members and narrows `organic` to the accounts left out."""

    names: list[str]
    platform: Array  # of str, per account
    language: Array  # of str, per account
    activity: Array  # posting rates, summing to 1
    organic: Array  # account numbers outside planted groups


def draw_people(rng: np.random.Generator, accounts: int) -> People:
    """`accounts` accounts at heavy-tailed (log-normal) rates, all organic so far."""
    width = max(4, len(str(accounts - 1)))
    activity = rng.lognormal(0.0, 1.2, accounts)
    return People(
        names=[f"user{n:0{width}d}" for n in range(accounts)],
        platform=rng.choice(np.array(PLATFORMS, dtype=object), accounts, p=_PLATFORM_SHARES),
        language=rng.choice(np.array(LANGUAGES, dtype=object), accounts, p=_LANGUAGE_SHARES),
        activity=activity / activity.sum(),
        organic=np.arange(accounts),
    )
