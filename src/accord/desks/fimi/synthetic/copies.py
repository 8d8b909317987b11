"""The texts planted posts copy: copy-pasta templates posted with light edits, and claims
stated as written or with an emoji, a hashtag or in capitals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.desks.fimi.synthetic.claims import CLAIMS, HASHTAGS
from accord.desks.fimi.synthetic.links import made_up_site, made_up_slug
from accord.desks.fimi.synthetic.vocabulary import (
    EMOJIS,
    VOCABULARY_SIZE,
    capitalised,
    full_stop,
    made_up_words,
)


@dataclass(frozen=True)
class CopypastaTemplate:
    """Words a copy-pasta group posts, and the link it may carry; `key` names it in the
    ground truth."""

    key: str
    language: str
    words: tuple[str, ...]
    url: str | None


def copypasta_template(rng: np.random.Generator, language: str, key: str) -> CopypastaTemplate:
    """20 to 40 words of the language, with a link to a made-up site half the time."""
    # Uniform over the vocabulary, not Zipf: rare words make templates unlike each other
    # and unlike organic posts.
    words = made_up_words(language)[rng.integers(0, VOCABULARY_SIZE, rng.integers(20, 41))]
    url = None
    if rng.random() < 0.5:
        site = made_up_site(rng, ("truth", "leaks", "facts"), ("org", "info"))
        url = f"https://{site}/{made_up_slug(rng, 3)}"
    return CopypastaTemplate(key, language, tuple(words.tolist()), url)


def edited_copy(
    rng: np.random.Generator, template: CopypastaTemplate, platform: str
) -> tuple[str, list[str]]:
    """A copy of the template with one to three light edits; its text and text URLs."""
    words, vocabulary = list(template.words), made_up_words(template.language)
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
                tail.append(str(rng.choice(EMOJIS)))
            case "hashtag":
                tail.append("#" + str(rng.choice(vocabulary)))
            case "prefix":
                prefix = str(rng.choice(_PREFIXES))
            case "tracking":
                query = f"?utm_source={platform}&utm_campaign=c{rng.integers(1_000)}"
            case _:
                shout = True
    body = capitalised(" ".join(words) + full_stop(template.language))
    urls = [template.url + query] if template.url else []
    text = " ".join(
        part for part in (prefix, body.upper() if shout else body, *tail, *urls) if part
    )
    return text, urls


def claim_text(rng: np.random.Generator, claim: str, language: str) -> str:
    """The claim in `language`, as written or with an emoji, a hashtag or in capitals."""
    text = CLAIMS[claim][language]
    match int(rng.integers(5)):
        case 2:
            return f"{text} {rng.choice(EMOJIS)}"
        case 3:
            return f"{text} {HASHTAGS[language]}"
        case 4:
            return text.upper()
        case _:
            return text


_EDITS = ("synonym", "drop", "insert", "emoji", "hashtag", "prefix", "tracking", "shout")
_PREFIXES = ("BREAKING:", "READ THIS:", "SHARE BEFORE IT IS DELETED:", "⚠️ URGENT:")
