"""Narratives: the claims that travel, grouped across languages.

A claim is a near-duplicate group (`near_duplicates`) with its reposts; claims posted at
least `min_posts` times are embedded with the multilingual model (`embeddings`) and grouped
by average-linkage clustering of their cosine similarity. The model's vectors carry the
language as well as the meaning (two unrelated Korean texts can be closer than the same
claim in Korean and English), so each vector is first centred on the mean of its own
language, taken over the claims and a sample of the other posts in that language; what
is left is mostly meaning.

Each narrative is labelled by its top terms per language (terms frequent in the
narrative and rare in the rest of that language's posts), linked to the debunked cases
whose English titles are closest to it, and given a timeline of its daily volume.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import log
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.cluster.hierarchy import fcluster, linkage

from accord.desks.fimi.cases import Case
from accord.desks.fimi.embeddings import embed

DEFAULT_MIN_POSTS = 3
DEFAULT_SIMILARITY = 0.3
# A narrative links to the cases this close to it (on language-centred vectors).
CASE_SIMILARITY = 0.35
_CASES_LINKED = 3
_BACKGROUND_PER_LANGUAGE = 25
_MIN_LANGUAGE_SAMPLE = 8
_TERMS = 5
_ALL = ""  # the key of the mean over all languages
_WORD = re.compile(r"\w{3,}")

Embedder = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class LinkedCase:
    case_id: str
    title: str
    similarity: float


@dataclass
class Narrative:
    """Claims that say the same thing, in whatever language."""

    narrative: int
    posts: int
    accounts: int
    languages: dict[str, int]
    terms: dict[str, list[str]]  # language -> top terms
    examples: dict[str, str]  # language -> one text as posted
    first_seen: str
    last_seen: str
    timeline: dict[str, int]  # day -> posts
    post_ids: list[str]
    cases: list[LinkedCase] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The narrative as ``narratives --format json`` prints it."""
        return {
            "narrative": self.narrative,
            "posts": self.posts,
            "accounts": self.accounts,
            "languages": self.languages,
            "terms": self.terms,
            "examples": self.examples,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "timeline": self.timeline,
            "cases": [vars(c) for c in self.cases],
            "evidence": self.post_ids[:50],
        }


@dataclass(frozen=True)
class _Claim:
    rows: list[int]
    text: str
    language: str


def narratives(
    posts: pa.Table,
    text_groups: pa.Table,
    *,
    cases: Sequence[Case] = (),
    cache: Path | None = None,
    min_posts: int = DEFAULT_MIN_POSTS,
    similarity: float = DEFAULT_SIMILARITY,
    embedder: Embedder | None = None,
    seed: int = 0,
) -> list[Narrative]:
    """The narratives among the posts, largest first."""
    vectors_of: Embedder = embedder or (lambda texts: embed(texts, cache=cache))
    columns = {name: posts.column(name).to_pylist() for name in _COLUMNS}
    claims = _claims(columns, text_groups.column("group").to_pylist(), min_posts)
    if not claims:
        return []
    background = _background(columns, claims, seed)
    # One call embeds (or reads from the cache) every text this run compares.
    texts = [c.text for c in claims] + [c.title for c in cases]
    everything = vectors_of(texts + [t for sample in background.values() for t in sample])
    raw_claims, raw_titles = everything[: len(claims)], everything[len(claims) : len(texts)]
    samples, start = {}, len(texts)
    for language, sample in background.items():
        samples[language], start = everything[start : start + len(sample)], start + len(sample)
    means = _language_means(claims, raw_claims, samples, english=raw_titles)
    vectors = _centred(raw_claims, [c.language for c in claims], means)
    labels = _grouped(vectors, similarity)
    frequency = _document_frequency(columns)
    titles = _centred(raw_titles, ["en"] * len(cases), means) if cases else None
    found = []
    for label in sorted(set(labels)):
        members = [i for i, own in enumerate(labels) if own == label]
        rows = sorted(r for i in members for r in claims[i].rows)
        narrative = _described(rows, columns, frequency)
        narrative.cases = _linked_cases(vectors[members].mean(axis=0), cases, titles)
        found.append(narrative)
    found.sort(key=lambda n: (-n.posts, n.first_seen))
    for number, narrative in enumerate(found, start=1):
        narrative.narrative = number
    return found


_COLUMNS = ("post_id", "account", "text", "text_norm", "ts", "language", "repost_of")


def _claims(columns: dict[str, list[Any]], groups: list[int], min_posts: int) -> list[_Claim]:
    """Near-duplicate groups with their reposts, posted at least `min_posts` times."""
    row_of = {post_id: row for row, post_id in enumerate(columns["post_id"])}
    members: dict[int, list[int]] = {}
    for row, group in enumerate(groups):
        original = columns["repost_of"][row]
        if original in row_of:
            group = groups[row_of[original]]
        members.setdefault(group, []).append(row)
    found = []
    for rows in members.values():
        if len(rows) < min_posts:
            continue
        first = min(rows, key=lambda r: (columns["repost_of"][r] is not None, columns["ts"][r]))
        languages = Counter(columns["language"][r] or "und" for r in rows)
        found.append(_Claim(rows, columns["text"][first], languages.most_common(1)[0][0]))
    return found


def _background(
    columns: dict[str, list[Any]], claims: list[_Claim], seed: int
) -> dict[str, list[str]]:
    """Per language of the claims, a seeded sample of its other posts (not reposts)."""
    in_claims = {r for claim in claims for r in claim.rows}
    by_language: dict[str, list[str]] = {}
    for row, text in enumerate(columns["text"]):
        if row not in in_claims and columns["repost_of"][row] is None:
            by_language.setdefault(columns["language"][row] or "und", []).append(text)
    rng = random.Random(seed)
    samples = {}
    # Sorted, so that the same seed draws the same samples in every process.
    for language in sorted({claim.language for claim in claims}):
        pool = by_language.get(language, [])
        samples[language] = rng.sample(pool, min(len(pool), _BACKGROUND_PER_LANGUAGE))
    return samples


def _language_means(
    claims: list[_Claim],
    claim_vectors: np.ndarray,
    samples: dict[str, np.ndarray],
    *,
    english: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each language's mean vector over its claims and its background sample; the case
    titles (`english`) count towards English, since they are compared with it."""
    means, everything = {}, []
    for language, sample in samples.items():
        own = [i for i, claim in enumerate(claims) if claim.language == language]
        vectors = np.concatenate([sample.reshape(-1, claim_vectors.shape[1]), claim_vectors[own]])
        if language == "en":
            vectors = np.concatenate([vectors, english])
        everything.append(vectors)
        if len(vectors) >= _MIN_LANGUAGE_SAMPLE:
            means[language] = vectors.mean(axis=0)
    # A language with too few texts for a mean of its own is centred on all of them.
    means[_ALL] = np.concatenate(everything).mean(axis=0)
    return means


def _centred(vectors: np.ndarray, languages: list[str], means: dict[str, np.ndarray]) -> np.ndarray:
    shifted = np.stack(
        [v - means.get(lang, means[_ALL]) for v, lang in zip(vectors, languages, strict=True)]
    )
    centred: np.ndarray = shifted / np.maximum(np.linalg.norm(shifted, axis=1, keepdims=True), 1e-9)
    return centred


def _grouped(vectors: np.ndarray, similarity: float) -> list[int]:
    if len(vectors) == 1:
        return [1]
    tree = linkage(vectors, method="average", metric="cosine")
    return [int(label) for label in fcluster(tree, t=1 - similarity, criterion="distance")]


def _document_frequency(columns: dict[str, list[Any]]) -> dict[str, Counter[str]]:
    frequency: dict[str, Counter[str]] = {}
    for text, language in zip(columns["text_norm"], columns["language"], strict=True):
        frequency.setdefault(language or "und", Counter()).update(set(_WORD.findall(text)))
    return frequency


def _described(
    rows: list[int], columns: dict[str, list[Any]], frequency: dict[str, Counter[str]]
) -> Narrative:
    days = Counter(columns["ts"][r].date().isoformat() for r in rows)
    languages = Counter(columns["language"][r] or "und" for r in rows)
    examples: dict[str, str] = {}
    for r in rows:
        if columns["repost_of"][r] is None:
            examples.setdefault(columns["language"][r] or "und", columns["text"][r])
    times = sorted(columns["ts"][r] for r in rows)
    return Narrative(
        narrative=0,
        posts=len(rows),
        accounts=len({columns["account"][r] for r in rows}),
        languages=dict(languages.most_common()),
        terms={lang: _top_terms(rows, lang, columns, frequency) for lang in languages},
        examples=examples,
        first_seen=times[0].isoformat(),
        last_seen=times[-1].isoformat(),
        timeline={day: days[day] for day in sorted(days)},
        post_ids=[columns["post_id"][r] for r in rows],
    )


def _top_terms(
    rows: list[int],
    language: str,
    columns: dict[str, list[Any]],
    frequency: dict[str, Counter[str]],
) -> list[str]:
    """Terms frequent in the narrative's posts of `language` and rare in the others."""
    counts: Counter[str] = Counter()
    for r in rows:
        if (columns["language"][r] or "und") == language:
            counts.update(_WORD.findall(columns["text_norm"][r]))
    documents = sum(frequency[language].values()) or 1
    scored = {
        term: count * log(1 + documents / (1 + frequency[language][term]))
        for term, count in counts.items()
        if not term.isdigit()
    }
    return [term for term, _ in sorted(scored.items(), key=lambda t: (-t[1], t[0]))[:_TERMS]]


def _linked_cases(
    centre: np.ndarray, cases: Sequence[Case], titles: np.ndarray | None
) -> list[LinkedCase]:
    if titles is None:
        return []
    scores = titles @ (centre / max(float(np.linalg.norm(centre)), 1e-9))
    best = np.argsort(-scores)[:_CASES_LINKED]
    return [
        LinkedCase(cases[i].case_id, cases[i].title, round(float(scores[i]), 3))
        for i in best
        if scores[i] >= CASE_SIMILARITY
    ]
