"""What an organisation can do: the desk's controlled vocabulary of defence capabilities
(``data/capabilities.yaml``), the terms a text speaks of, and the keywords that set one
organisation's projects apart from everyone else's.

A vocabulary phrase matches whole words, case-insensitively, with punctuation read as a
space ("Counter-UAS" is "counter uas"); a phrase whose last word has four letters or more
also matches its plural in -s or -es. Where phrases overlap the longest wins, so
"missile defence" counts for air and missile defence and not for missiles.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import process
from scipy import sparse

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12

KEYWORDS_PER_ORGANISATION = 10
OBJECTIVE_MIN_HITS = 2
DESCRIPTION_MIN_HITS = 4
DESCRIPTION_MIN_SHARE = 0.1
_TERM = re.compile(r"[a-z][a-z0-9_]*")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Capability:
    """One term of the vocabulary."""

    term: str  # snake_case, e.g. air_and_missile_defence
    label: str
    phrases: tuple[str, ...]  # lower case, words separated by one space


@dataclass(frozen=True)
class Vocabulary:
    """The capability terms and a matcher for their phrases."""

    capabilities: Mapping[str, Capability]
    stop_words: frozenset[str]  # words the keyword miner ignores
    _pattern: re.Pattern[str]
    _term_of: Mapping[str, str]

    def counts(self, text: str) -> Counter[str]:
        """How often each term's phrases occur in `text` (plain text; strip HTML first)."""
        found: Counter[str] = Counter()
        for match in self._pattern.finditer(f" {normal_words(text)} "):
            term = self._term_of.get(match[1]) if not match[2] else self._plural_of(match[1])
            if term is not None:
                found[term] += 1
        return found

    def _plural_of(self, phrase: str) -> str | None:
        # "ai" + "s" is AIS, not artificial intelligence: short words take no plural.
        if len(phrase.rsplit(" ", 1)[-1]) < 4:
            return None
        return self._term_of.get(phrase)

    def term(self, value: Any, where: str) -> str:
        """The term `value` names (the term, or its label in any case); InvalidInput
        naming `where` and the nearest term otherwise."""
        text = str(value).strip()
        wanted = re.sub(r"[\s-]+", "_", text.lower())
        if wanted in self.capabilities:
            return wanted
        for capability in self.capabilities.values():
            if capability.label.lower() == text.lower():
                return capability.term
        choices = {term: term.replace("_", " ") for term in self.capabilities}
        choices.update({f"{c.term}|label": c.label.lower() for c in self.capabilities.values()})
        nearest = process.extractOne(text.lower().replace("_", " "), choices)
        hint = f"; nearest: {nearest[2].split('|')[0]}" if nearest else ""
        raise InvalidInput(f"{where}: {text!r} is no capability term{hint}")


def vocabulary() -> Vocabulary:
    """The packaged vocabulary (read once)."""
    return _packaged_vocabulary()


def capabilities_in(text: str, min_hits: int = 1) -> frozenset[str]:
    """The vocabulary terms whose phrases occur in `text` at least `min_hits` times."""
    return frozenset(term for term, n in vocabulary().counts(text).items() if n >= min_hits)


def project_capabilities(titles: str, objective: str, description: str) -> frozenset[str]:
    """The terms an EDF project works on: those its call's or its own title names, those
    its objective names at least twice, and those its call's description (long, and
    naming neighbouring needs in passing) names at least 4 times and at least a tenth as
    often as its most frequent term. The thresholds keep a project to about 4 terms
    (1 to 10) on the EDF 2022-2024 calls."""
    terms = vocabulary()
    described = terms.counts(description)
    floor = max(DESCRIPTION_MIN_HITS, DESCRIPTION_MIN_SHARE * max(described.values(), default=0))
    return frozenset(
        set(terms.counts(titles))
        | {term for term, n in terms.counts(objective).items() if n >= OBJECTIVE_MIN_HITS}
        | {term for term, n in described.items() if n >= floor}
    )


def read_vocabulary(text: str, name: str = "capabilities.yaml") -> Vocabulary:
    """A vocabulary from its YAML; InvalidInput naming the file, term and field."""
    document = yaml12.load(text, name)
    entries = document.get("capabilities") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise InvalidInput(f"{name}: capabilities: expected a mapping of terms")
    capabilities: dict[str, Capability] = {}
    term_of: dict[str, str] = {}
    for term, entry in entries.items():
        where = f"{name}: capabilities.{term}"
        if not isinstance(term, str) or not _TERM.fullmatch(term):
            raise InvalidInput(f"{where}: a term is snake_case (a-z, 0-9, _)")
        if not isinstance(entry, dict) or not entry.get("label") or not entry.get("phrases"):
            raise InvalidInput(f"{where}: needs a label and a list of phrases")
        phrases = entry["phrases"]
        if not isinstance(phrases, list):
            raise InvalidInput(f"{where}.phrases: expected a list")
        for phrase in phrases:
            if not isinstance(phrase, str) or normal_words(phrase) != phrase:
                raise InvalidInput(
                    f"{where}.phrases: {phrase!r}: write it lower case, words separated by "
                    "one space, no punctuation"
                )
            if phrase in term_of:
                raise InvalidInput(
                    f"{where}.phrases: {phrase!r} is also a phrase of {term_of[phrase]}"
                )
            term_of[phrase] = term
        capabilities[term] = Capability(term, str(entry["label"]), tuple(phrases))
    stop_words = document.get("stop_words") or ""
    if not isinstance(stop_words, str):
        raise InvalidInput(f"{name}: stop_words: the words as text, separated by spaces")
    return Vocabulary(capabilities, frozenset(stop_words.split()), _matcher(term_of), term_of)


def normal_words(text: str) -> str:
    """`text` in lower case with every run of non-alphanumerics made one space."""
    return " ".join(_WORD.findall(text.lower()))


def plain_text(markup: str) -> str:
    """The text of an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub(" ", markup))


def distinctive_keywords(
    documents: Mapping[str, str],
    groups: Mapping[str, Iterable[str]],
    top: int = KEYWORDS_PER_ORGANISATION,
) -> dict[str, tuple[str, ...]]:
    """For each group of documents (an organisation's projects), its `top` keywords by
    TF-IDF: words and two-word phrases without the vocabulary's stop words, scored by
    their mean share of the group's documents times log(documents / documents having the
    term); best first.

    Plural words count as their singular where the corpus has it ("lasers" as "laser"). A
    term in every document scores 0 and is never chosen. A term that overlaps a better
    one is skipped ("unmanned" beside "unmanned ground", or the other way round), and
    of two equal scores the phrase goes first ("beam combining" before "beam"). A group
    of no known documents gets no keywords.
    """
    doc_ids = list(documents)
    tfidf, terms = _tfidf([documents[doc_id] for doc_id in doc_ids])
    position = {doc_id: n for n, doc_id in enumerate(doc_ids)}
    best: dict[tuple[int, ...], tuple[str, ...]] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    for group, members in groups.items():
        key = tuple(sorted({position[m] for m in members if m in position}))
        if key not in best:
            scores = np.asarray(tfidf[list(key)].mean(axis=0)).ravel() if key else np.zeros(0)
            best[key] = _best(scores, terms, top)
        keywords[group] = best[key]
    return keywords


def _tfidf(texts: list[str]) -> tuple[Any, np.ndarray[Any, Any]]:
    """The TF-IDF matrix of `texts` (a row per text, a column per term; sparse), and the
    terms of its columns."""
    tokens = [_TOKEN.findall(text.lower()) for text in texts]
    stop_words = vocabulary().stop_words
    kept = {token: _keeps(token, stop_words) for token in set().union(*tokens)}
    singular = _singulars([token for token, keep in kept.items() if keep])
    index: dict[str, int] = {}
    rows, columns, values = [], [], []
    for row, found in enumerate(tokens):
        counts = _terms([singular.get(token, token) if kept[token] else None for token in found])
        total = sum(counts.values())
        for term, n in counts.items():
            rows.append(row)
            columns.append(index.setdefault(term, len(index)))
            values.append(n / total)
    tf = sparse.csr_matrix((values, (rows, columns)), shape=(len(texts), len(index)))
    spread = np.bincount(np.asarray(columns, dtype=np.int64), minlength=len(index))
    idf = np.log(len(texts) / np.maximum(spread, 1))
    return tf.multiply(idf).tocsr(), np.array(list(index), dtype=object)


@cache
def _packaged_vocabulary() -> Vocabulary:
    text = resources.files("accord.desks.industry").joinpath("data", "capabilities.yaml")
    return read_vocabulary(text.read_text(encoding="utf-8"))


def _matcher(phrases: Iterable[str]) -> re.Pattern[str]:
    """One regex for all phrases in normal words: a space, a phrase (group 1), a plural
    ending (group 2) and a space ahead. The phrases are a trie, each branch trying the
    longer continuation first, so "missile defence" wins over "missile"; the leading
    space lets the engine skip to word starts: several times faster than a plain
    alternation of the phrases."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(rf" ({_trie_pattern(trie)})(e?s)?(?= )")


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _trie_pattern(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a phrase ends here; a longer one may go on
        return f"(?:{body})?"
    return body


def _terms(words: list[str | None]) -> Counter[str]:
    """The words and the two-word phrases of kept words (a stop word is None)."""
    found: Counter[str] = Counter(word for word in words if word)
    found.update(f"{a} {b}" for a, b in pairwise(words) if a and b)
    return found


def _keeps(token: str, stop_words: frozenset[str]) -> bool:
    return (len(token) >= 3 or "-" in token) and not token.isdigit() and token not in stop_words


def _best(scores: np.ndarray[Any, Any], terms: np.ndarray[Any, Any], top: int) -> tuple[str, ...]:
    # The best few times `top` are enough to skip the terms inside better ones.
    many = min(top * 5, len(scores))
    if many == 0:
        return ()
    candidates = np.argpartition(-scores, many - 1)[:many]
    chosen: list[str] = []
    for term, value in sorted(
        ((terms[i], scores[i]) for i in candidates), key=lambda c: (-c[1], -c[0].count(" "), c[0])
    ):
        if len(chosen) == top or value <= 0:
            break
        words = f" {term} "
        if any(f" {other} " in words or words in f" {other} " for other in chosen):
            continue
        chosen.append(str(term))
    return tuple(chosen)


def _singulars(words: list[str]) -> dict[str, str]:
    """Each plural among `words` whose singular is among them too ("lasers": "laser",
    "capacities": "capacity")."""
    known = set(words)
    singular: dict[str, str] = {}
    for word in known:
        for plural, single in (("ies", "y"), ("es", ""), ("s", "")):
            if word.endswith(plural) and not word.endswith("ss"):
                form = word[: -len(plural)] + single
                if form in known:
                    singular[word] = form
                    break
    return singular
