"""Made-up words in five languages and the lower-case sentences drawn from them.

A language's words are built from its syllables from a fixed seed, so they are the same for
every seed of ``generate``; sentences draw them Zipf-like, so common words recur but no two
sentences are near-duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

LANGUAGES = ("en", "ru", "ko", "de", "ja")
VOCABULARY_SIZE = 20_000
EMOJIS = ("🔥", "😡", "👀", "💯", "🙏", "😱")
Array = np.ndarray[Any, Any]  # the package's one spelling of "a numpy array, any shape or dtype"


def sentences(rng: np.random.Generator, languages: Array) -> list[str]:
    """A lower-case sentence of 12 to 35 words, Zipf-distributed, per language given."""
    lengths = rng.integers(12, 36, len(languages))
    endings = rng.choice(np.asarray([".", ".", ".", "!", "?"], dtype=object), len(languages))
    bodies = [""] * len(languages)
    for language in LANGUAGES:
        rows = np.flatnonzero(languages == language)
        if not len(rows):
            continue
        ranks = zipf_ranks(rng, VOCABULARY_SIZE, int(lengths[rows].sum()), 1.0)
        words = made_up_words(language)[ranks].tolist()
        bounds = np.concatenate([[0], np.cumsum(lengths[rows])]).tolist()
        for number, row in enumerate(rows.tolist()):
            end = full_stop(language) if endings[row] == "." else endings[row]
            bodies[row] = " ".join(words[bounds[number] : bounds[number + 1]]) + end
    return bodies


def capitalised(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def full_stop(language: str) -> str:
    """The sentence-ending full stop of the language."""
    return "。" if language == "ja" else "."


def zipf_ranks(rng: np.random.Generator, size: int, count: int, exponent: float) -> Array:
    """`count` ranks below `size`, rank r drawn with weight 1 / (r + 1) ** exponent."""
    return rng.choice(size, count, p=_zipf(size, exponent))


@cache
def made_up_words(language: str) -> Array:
    """`VOCABULARY_SIZE` made-up words of a language's syllables (lower case, each its own
    normal form), the same for every seed; shorter words first, as their Zipf rank."""
    rng = np.random.default_rng(1_000 + LANGUAGES.index(language))
    syllables, sizes = _SYLLABLES[language]()
    lengths = rng.choice(np.arange(1, len(sizes) + 1), 2 * VOCABULARY_SIZE, p=sizes)
    drawn = np.asarray(syllables, dtype=object)[rng.integers(0, len(syllables), lengths.sum())]
    ends = np.cumsum(lengths).tolist()
    parts = drawn.tolist()
    words = dict.fromkeys(
        "".join(parts[end - n : end]) for n, end in zip(lengths.tolist(), ends, strict=True)
    )
    return np.asarray(sorted(list(words)[:VOCABULARY_SIZE], key=len), dtype=object)


@cache
def _zipf(size: int, exponent: float) -> Array:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    shares: Array = weights / weights.sum()
    return shares


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
