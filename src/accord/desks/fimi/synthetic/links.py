"""Made-up web sites and article links: the popular ones organic posts share, and the
sites planted groups push."""

from __future__ import annotations

from functools import cache

import numpy as np

from accord.desks.fimi.synthetic.vocabulary import VOCABULARY_SIZE, made_up_words

POPULAR_URL_COUNT = 2_000


@cache
def popular_urls() -> tuple[str, ...]:
    """The popular links organic posts share: articles of 80 made-up news sites, the same
    for every seed."""
    rng = np.random.default_rng(2_000)
    vocabulary = made_up_words("en")
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
        f"https://{rng.choice(sites)}/{rng.choice(sections)}/{made_up_slug(rng, 3)}-{n}"
        for n in range(POPULAR_URL_COUNT)
    )
    return tuple(urls)


def made_up_slug(rng: np.random.Generator, words: int) -> str:
    """A path segment of `words` English made-up words joined by hyphens."""
    return "-".join(made_up_words("en")[rng.integers(0, VOCABULARY_SIZE, words)].tolist())


def made_up_site(rng: np.random.Generator, suffixes: tuple[str, ...], tlds: tuple[str, ...]) -> str:
    """A host name: two made-up words, one of `suffixes`, one of `tlds`."""
    first, second = made_up_words("en")[rng.integers(0, VOCABULARY_SIZE, 2)].tolist()
    return f"{first}{second}-{rng.choice(suffixes)}.{rng.choice(tlds)}"
