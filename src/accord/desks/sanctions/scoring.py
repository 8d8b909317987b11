"""Screening: rank an index's shortlist for a query and explain every hit.

A name score comes from aligning tokens (optimal-string-alignment similarity with a
phonetic floor, ``rapidfuzz``), forms compared only with forms of the same kind (see
``names``). Dates of birth, countries and the schema then raise or lower it; a strong
identifier (IMO, MMSI, passport, ...) shared with a listed entity decides alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA, Levenshtein

from accord.desks.sanctions.index import (
    DEFAULT_SHORTLIST,
    NameIndex,
    is_strong,
    normalize_identifier,
)
from accord.desks.sanctions.model import Entity, Identifier
from accord.desks.sanctions.names import (
    ABJAD,
    KOREAN,
    LATIN,
    NameForm,
    consonant_key,
    name_forms,
    phonetic_key,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Feature",
    "Hit",
    "Query",
    "name_similarity",
    "screen",
    "screen_many",
]

DEFAULT_THRESHOLD = 0.80
# Score effects of the secondary features (tuned on the synthetic benchmark).
DOB_AGREES_DAY = 0.10
DOB_AGREES_YEAR = 0.05
DOB_CONFLICTS = -0.15
COUNTRY_AGREES = 0.03
COUNTRY_CONFLICTS = -0.06
SCHEMA_CONFLICTS = -0.30
IDENTIFIER_CONFLICTS = -0.25
# Unexplained tokens weigh this much against a name (listed names carry more parts than
# queries: patronymics, second family names).
QUERY_ONLY_WEIGHT = 1.0
QUERY_ONLY_MINIMUM = 5
LISTED_ONLY_WEIGHT = 0.5
LISTED_ONLY_MAXIMUM = 6
JOINED_DISCOUNT = 0.95
SHORT_TOKEN_DISCOUNT = 0.6
# Korean given names are two or three syllables: one letter apart is another name.
KOREAN_GIVEN_MINIMUM = 0.9
# Consonant keys say less than spellings with vowels.
ABJAD_DISCOUNT = 0.95


@dataclass(frozen=True)
class Query:
    """A name to screen, with what else is known: FollowTheMoney ``schema`` (``Person``,
    ``Organization``, ``Vessel``, ...), ISO alpha-2 ``country``, ISO 8601 ``dob`` (partial
    allowed) and identifiers."""

    name: str
    schema: str | None = None
    country: str | None = None
    dob: str | None = None
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True)
class Feature:
    """A feature that agreed or conflicted, and how much it moved the score."""

    name: str
    verdict: str
    detail: str
    effect: float


@dataclass(frozen=True)
class Hit:
    """A listed entity matched by a query: the score (0..1), the name score before the
    features, the listed name or alias that matched (``None`` for an identifier match),
    the compared forms, the method and the features."""

    entity: Entity
    score: float
    name_score: float
    matched_name: str | None
    query_form: str
    matched_form: str
    method: str
    features: tuple[Feature, ...]

    @property
    def explanation(self) -> str:
        """One line for people: what matched, how, and what agreed or conflicted."""
        if self.matched_name is None:
            head = f"{self.method}"
        else:
            head = (
                f"name {self.matched_name!r} ({self.method}: {self.query_form!r} ~ "
                f"{self.matched_form!r}) {self.name_score:.2f}"
            )
        parts = [head]
        parts.extend(f"{f.name} {f.verdict} ({f.detail}) {f.effect:+.2f}" for f in self.features)
        return "; ".join(parts) + f"; score {self.score:.2f}"


def screen(
    query: Query,
    index: NameIndex,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[Hit]:
    """Listed entities matching ``query`` with a score ≥ ``threshold``, best first, at most
    ``limit``."""
    return screen_many([query], index, threshold, limit)[0]


def screen_many(
    queries: Sequence[Query],
    index: NameIndex,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[list[Hit]]:
    """``screen`` for many queries; the shortlists come from one sparse product."""
    forms = [name_forms(q.name, q.schema) for q in queries]
    shortlists = index.shortlists(forms, DEFAULT_SHORTLIST)
    return [
        _rank(query, query_forms, shortlist, index, threshold, limit)
        for query, query_forms, shortlist in zip(queries, forms, shortlists, strict=True)
    ]


def name_similarity(query: tuple[str, ...], listed: tuple[str, ...]) -> float:
    """Similarity (0..1) of two token tuples, order-free: tokens are aligned greedily by
    similarity; unexplained query tokens cost more than unexplained listed ones, particles
    (al, bin, de, ...) and initials little. The joined spellings are compared too
    ("jong un" ~ "jongun")."""
    if query == listed:
        return 1.0
    pairs = sorted(
        (
            (_token_similarity(a, b), i, j)
            for i, a in enumerate(query)
            for j, b in enumerate(listed)
        ),
        reverse=True,
    )
    used_q: set[int] = set()
    used_l: set[int] = set()
    matched = weight = 0.0
    for similarity, i, j in pairs:
        if similarity < 0.5 or i in used_q or j in used_l:
            continue
        used_q.add(i)
        used_l.add(j)
        size = _size(query[i]) + _size(listed[j])
        matched += similarity * size
        weight += size
    weight += QUERY_ONLY_WEIGHT * sum(
        _size(t) if t in _PARTICLES else max(len(t), QUERY_ONLY_MINIMUM)
        for i, t in enumerate(query)
        if i not in used_q
    )
    weight += LISTED_ONLY_WEIGHT * sum(
        min(_size(t), LISTED_ONLY_MAXIMUM) for j, t in enumerate(listed) if j not in used_l
    )
    aligned = matched / weight if weight else 0.0
    if len(query) == len(listed):
        return aligned
    # Split or joined tokens ("jong un" ~ "jongun"): compare the spellings run together.
    joined = Levenshtein.normalized_similarity("".join(query), "".join(listed))
    return max(aligned, JOINED_DISCOUNT * joined)


def _size(token: str) -> int:
    # Particles and generic company words say little about who is meant.
    return 1 if token in _PARTICLES else len(token)


_PARTICLES = frozenset(
    (
        "al",
        "el",
        "ul",
        "ad",
        "ar",
        "as",
        "at",
        "ash",
        "bin",
        "ibn",
        "bint",
        "ben",
        "abu",
        "abd",
        "abdul",
        "de",
        "del",
        "della",
        "da",
        "di",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "y",
        "e",
        "the",
        "of",
        "and",
        "mr",
        "mrs",
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "ltd",
        "limited",
        "llc",
        "plc",
        "group",
        "holding",
        "holdings",
        "trading",
    )
)


def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return 0.5 if a[0] == b[0] else 0.0  # an initial
    similarity = float(OSA.normalized_similarity(a, b))
    if max(len(a), len(b)) <= 4 and a[0] != b[0]:
        similarity *= SHORT_TOKEN_DISCOUNT  # "jong" and "yong" are two names, not a typo
    if similarity < 0.8 and min(len(a), len(b)) >= 4 and phonetic_key(a) == phonetic_key(b):
        similarity = 0.8
    # Below 0.8 two tokens are more likely different names than one misspelt: fall fast.
    return similarity if similarity >= 0.8 else max(0.0, similarity - 1.5 * (0.8 - similarity))


def _form_similarity(query: NameForm, listed: NameForm) -> float | None:
    if query.kind == listed.kind == KOREAN:
        given = _token_similarity(query.tokens[-1], listed.tokens[-1])
        if given < KOREAN_GIVEN_MINIMUM:
            return None
        return name_similarity(query.tokens, listed.tokens)
    if query.kind == listed.kind == LATIN:
        return name_similarity(query.tokens, listed.tokens)
    if query.kind == ABJAD and listed.kind == LATIN:
        skeleton = tuple(consonant_key(t) for t in listed.tokens)
        return ABJAD_DISCOUNT * name_similarity(query.tokens, skeleton)
    return None


def _rank(
    query: Query,
    forms: tuple[NameForm, ...],
    shortlist: list[int],
    index: NameIndex,
    threshold: float,
    limit: int,
) -> list[Hit]:
    best: dict[int, tuple[float, NameForm, NameForm]] = {}
    for row_number in shortlist:
        row = index.rows[row_number]
        for form in forms:
            similarity = _form_similarity(form, row.form)
            if similarity is not None and similarity > best.get(row.entity, (-1.0,))[0]:
                best[row.entity] = (similarity, form, row.form)
    hits: dict[int, Hit] = {}
    for position, (similarity, form, listed) in best.items():
        entity = index.entities[position]
        features = _features(query, entity)
        score = min(1.0, max(0.0, similarity + sum(f.effect for f in features)))
        if score >= threshold:
            hits[position] = Hit(
                entity,
                score,
                similarity,
                listed.name,
                form.text,
                listed.text,
                f"name:{form.kind}",
                features,
            )
    for position, hit in _identifier_hits(query, index).items():
        hits[position] = hit
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.entity.key))
    return ranked[:limit]


def _identifier_hits(query: Query, index: NameIndex) -> dict[int, Hit]:
    hits: dict[int, Hit] = {}
    for identifier in query.identifiers:
        for position, listed in index.by_identifier(identifier):
            same_kind = identifier.kind.lower() == listed.kind.lower()
            if not (same_kind and is_strong(listed.kind)):
                continue
            detail = f"{listed.kind} {listed.value} agrees"
            feature = Feature("identifier", "agrees", detail, 1.0)
            hits[position] = Hit(
                index.entities[position],
                1.0,
                0.0,
                None,
                "",
                "",
                f"identifier {listed.kind} {listed.value}",
                (feature,),
            )
    return hits


def _features(query: Query, entity: Entity) -> tuple[Feature, ...]:
    features: list[Feature] = []
    if query.schema and not _schemata_compatible(query.schema, entity.schema):
        features.append(
            Feature("schema", "conflicts", f"{query.schema} vs {entity.schema}", SCHEMA_CONFLICTS)
        )
    if query.dob and entity.birth_dates:
        features.append(_dob_feature(query.dob, entity.birth_dates))
    if query.country and entity.countries:
        country = query.country.lower()
        listed = ", ".join(entity.countries)
        if country in entity.countries:
            features.append(Feature("country", "agrees", country, COUNTRY_AGREES))
        else:
            detail = f"{country} vs {listed}"
            features.append(Feature("country", "conflicts", detail, COUNTRY_CONFLICTS))
    for identifier in query.identifiers:
        if not is_strong(identifier.kind):
            continue
        value = normalize_identifier(identifier.kind, identifier.value)
        listed_values = {
            normalize_identifier(i.kind, i.value)
            for i in entity.identifiers
            if i.kind.lower() == identifier.kind.lower()
        }
        if listed_values and value not in listed_values:
            detail = f"{identifier.kind} {identifier.value} vs {', '.join(sorted(listed_values))}"
            features.append(Feature("identifier", "conflicts", detail, IDENTIFIER_CONFLICTS))
    return tuple(features)


def _dob_feature(dob: str, listed: tuple[str, ...]) -> Feature:
    for date in listed:
        shorter = min(len(dob), len(date))
        if dob[:shorter] == date[:shorter]:
            effect = DOB_AGREES_DAY if shorter >= 10 else DOB_AGREES_YEAR
            return Feature("dob", "agrees", f"{dob} ~ {date}", effect)
    return Feature("dob", "conflicts", f"{dob} vs {', '.join(listed)}", DOB_CONFLICTS)


_ORGANISATIONS = frozenset({"Organization", "Company", "LegalEntity"})


def _schemata_compatible(query: str, listed: str) -> bool:
    if query == listed or "LegalEntity" in (query, listed):
        return True
    return query in _ORGANISATIONS and listed in _ORGANISATIONS
