"""The blocking index over listed names: a query's shortlist comes from the names that share
its tokens, their Metaphone keys or their one-deletion neighbours (which catch one typo:
two spellings one edit apart always share a deletion), weighted by rarity. The lookup is a
sparse matrix product, so no query is compared with every name.

Strong identifiers (IMO, MMSI, passport, ...) are indexed apart: they decide a match alone.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from accord.desks.sanctions.model import STRONG_IDENTIFIERS, Entity, Identifier
from accord.desks.sanctions.names import (
    ABJAD,
    KOREAN,
    LATIN,
    NameForm,
    consonant_key,
    name_forms,
    phonetic_key,
)

__all__ = ["IndexedName", "NameIndex", "blocking_keys", "normalize_identifier"]

# Relative weight of each kind of blocking key (before the rarity weight).
_WEIGHT_TOKEN = 1.0
_WEIGHT_JOINED = 0.8
_WEIGHT_PHONETIC = 0.6
_WEIGHT_DELETION = 0.4
_WEIGHT_ABJAD = 0.8
# Rows a query keeps before scoring; enough for the aliases of a few close entities.
DEFAULT_SHORTLIST = 24


@dataclass(frozen=True)
class IndexedName:
    """One form of one name of one listed entity (``entity`` indexes ``NameIndex.entities``)."""

    entity: int
    form: NameForm


class NameIndex:
    """Names and strong identifiers of a set of entities, ready for screening."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        self.rows: list[IndexedName] = []
        self._identifiers: dict[str, list[tuple[int, Identifier]]] = {}
        for position, entity in enumerate(self.entities):
            names = dict.fromkeys((*entity.names, *entity.former_names))
            for name in names:
                for form in name_forms(name, entity.schema):
                    self.rows.append(IndexedName(position, form))
            for identifier in entity.identifiers:
                value = normalize_identifier(identifier.kind, identifier.value)
                if value:
                    self._identifiers.setdefault(value, []).append((position, identifier))
        self._vocabulary: dict[str, int] = {}
        self._matrix_t = self._build_matrix()

    def __len__(self) -> int:
        return len(self.rows)

    def shortlist(self, forms: Sequence[NameForm], size: int = DEFAULT_SHORTLIST) -> list[int]:
        """Row numbers of the ``size`` names that best share blocking keys with ``forms``."""
        return self.shortlists([forms], size)[0]

    def shortlists(
        self, queries: Sequence[Sequence[NameForm]], size: int = DEFAULT_SHORTLIST
    ) -> list[list[int]]:
        """``shortlist`` for many queries in one sparse product (much faster per query)."""
        result: list[list[int]] = []
        for start in range(0, len(queries), 2048):
            chunk = queries[start : start + 2048]
            scores = (self._query_matrix(chunk) @ self._matrix_t).tocsr()
            result.extend(_top_per_row(scores, size))
        return result

    def by_identifier(self, identifier: Identifier) -> list[tuple[int, Identifier]]:
        """Entities carrying ``identifier``'s value, with the identifier as listed.

        The value is compared after ``normalize_identifier``; the caller decides whether the
        kinds agree (a passport number listed as a national id still shows up here).
        """
        value = normalize_identifier(identifier.kind, identifier.value)
        return list(self._identifiers.get(value, ())) if value else []

    def _build_matrix(self) -> sparse.csc_matrix:
        row_keys = [blocking_keys(row.form, listed=True) for row in self.rows]
        document_frequency: dict[str, int] = {}
        for keys in row_keys:
            for key in keys:
                document_frequency[key] = document_frequency.get(key, 0) + 1
        self._vocabulary = {key: i for i, key in enumerate(document_frequency)}
        total = max(len(self.rows), 1)
        self._idf = np.array(
            [math.log(1 + total / df) for df in document_frequency.values()], dtype=np.float32
        )
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[float] = []
        for keys in row_keys:
            columns = [self._vocabulary[k] for k in keys]
            weights = np.array(list(keys.values()), dtype=np.float32) * self._idf[columns]
            norm = float(np.sqrt((weights**2).sum())) or 1.0
            indices.extend(columns)
            data.extend((weights / norm).tolist())
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (np.array(data, dtype=np.float32), np.array(indices), np.array(indptr)),
            shape=(len(self.rows), len(self._vocabulary)),
        )
        return matrix.T.tocsr()

    def _query_matrix(self, queries: Sequence[Sequence[NameForm]]) -> sparse.csr_matrix:
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[float] = []
        for forms in queries:
            merged: dict[int, float] = {}
            for form in forms:
                for key, weight in blocking_keys(form, listed=False).items():
                    column = self._vocabulary.get(key)
                    if column is not None:
                        merged[column] = max(merged.get(column, 0.0), weight)
            indices.extend(merged)
            data.extend(w * float(self._idf[c]) for c, w in merged.items())
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int64), indptr),
            shape=(len(queries), len(self._vocabulary)),
        )


def blocking_keys(form: NameForm, listed: bool) -> dict[str, float]:
    """Blocking keys of a name form with their weights.

    Latin forms give their tokens, adjacent tokens joined ("jong un" meets "jongun"),
    Metaphone keys and one-deletion neighbours; Korean forms their tokens and neighbours.
    A listed Latin name also gives its consonant keys, which abjad-script queries use.
    """
    keys: dict[str, float] = {}

    def put(key: str, weight: float) -> None:
        if weight > keys.get(key, 0.0):
            keys[key] = weight

    prefix = {LATIN: "", KOREAN: "k:", ABJAD: "a:"}[form.kind]
    tokens = form.tokens
    for token in tokens:
        put(prefix + "t:" + token, _WEIGHT_TOKEN)
        for neighbour in _deletions(token):
            put(prefix + "d:" + neighbour, _WEIGHT_DELETION)
        if form.kind == LATIN and len(token) >= 3:
            put("m:" + phonetic_key(token), _WEIGHT_PHONETIC)
        if form.kind == LATIN and listed:
            put("a:t:" + consonant_key(token), _WEIGHT_ABJAD)
    if form.kind == LATIN:
        for left, right in itertools.pairwise(tokens):
            put("t:" + left + right, _WEIGHT_JOINED)
    return keys


def normalize_identifier(kind: str, value: str) -> str:
    """An identifier value as compared: upper-case letters and digits only, without the
    ``IMO`` prefix that IMO numbers are often written with."""
    cleaned = _NON_ALNUM.sub("", value.upper())
    if kind.lower() == "imo" and cleaned.startswith("IMO"):
        cleaned = cleaned[3:]
    return cleaned


def is_strong(kind: str) -> bool:
    """Whether an identifier kind decides a match on its own (``STRONG_IDENTIFIERS``)."""
    return kind.lower() in STRONG_IDENTIFIERS


_NON_ALNUM = re.compile(r"[^A-Z0-9]")


def _deletions(token: str) -> set[str]:
    # One-deletion neighbourhood (SymSpell): tokens one edit apart share a member.
    if len(token) < 4:
        return set()
    return {token, *(token[:i] + token[i + 1 :] for i in range(len(token)))}


def _top_per_row(scores: sparse.csr_matrix, size: int) -> list[list[int]]:
    top: list[list[int]] = []
    indptr, indices, data = scores.indptr, scores.indices, scores.data
    for row in range(scores.shape[0]):
        start, end = int(indptr[row]), int(indptr[row + 1])
        if end - start <= size:
            order: npt.NDArray[np.intp] = np.argsort(-data[start:end])
        else:
            part = np.argpartition(-data[start:end], size)[:size]
            order = part[np.argsort(-data[start:end][part])]
        top.append((indices[start:end][order]).tolist())
    return top
