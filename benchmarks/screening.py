"""Sanctions screening: recall, precision and time of Accord against the field's tools.

The lists are OFAC SDN (with the ALT/ADD files beside it) and the UN Security Council
consolidated list, read with the desk's loaders. The labelled queries come from the lists
themselves, with a fixed seed:

- ``alias``: a listed alias (or the only name) of an entity, as listed;
- ``dropped-token``, ``swapped-tokens``, ``typo`` (one insertion, deletion, substitution or
  transposition at a letter drawn uniformly, in a token of three letters or more),
  ``lost-diacritics`` (accents and the MR breve apostrophes of OFAC's "Cho'ng" removed);
- ``cyrillic``: OFAC names of persons of Russia ("FAMILY, Given Patronymic"), written in
  Russian order in Cyrillic with ICU's ``Latin-Russian/BGN`` transform (``x`` first
  spelt ``ks``);
- ``hangul``: DPRK persons' names (family name first) written back in Hangul. Each
  syllable is parsed into initial, vowel and final and one Hangul reading is drawn among
  those that McCune-Reischauer (breves as OFAC's apostrophes) or the DPRK's practice
  romanise that way (``o`` is 어 or 오, ``u`` 우 or 으, ``k`` ㄱ or ㅋ, ``ch`` ㅈ or ㅊ, ...);
  family names come from a table of their usual Hangul. The tables here are written from
  the standards, not taken from ``names.py``, so the test is not circular;
- ``decoy``: a person's first one or two given names with another person's family name,
  or the head of one company name with the tail of another; kept only if no listed name
  holds a close spelling (same token, Levenshtein similarity >= 0.75, or same Metaphone) of
  every one of its tokens, and it holds no such spelling of every token of a listed name
  (persons' one-word aliases excepted), legal forms left out on both sides: a decoy is
  neither a listed name, nor a spelling or part of one, nor one with words added. Hard
  negatives remain by design: "Abdul MEDVEDEV" (a listed family name, another given name).

A query's true entities are those listing its source name (same tokens after
``normality.normalize``): the same person is often on both lists. Recall = share of the
non-decoy queries whose hits include a true entity; precision = share of the queries with
any hit whose hits include a true entity (a decoy with a hit is a false positive).

Matchers, on the same queries (names only: no type, country or date of birth):

1. Accord: ``NameIndex`` built beforehand (timed apart), ``screen_many`` at
   ``DEFAULT_THRESHOLD`` (limit 10), the queries split across ``--workers`` forked
   processes (interleaved; the fork is inside the time).
2. brute force: ``rapidfuzz.process.cdist`` with ``fuzz.token_sort_ratio`` of every query
   against every listed name, both folded with ``normality.ascii_text`` and rapidfuzz's
   ``default_process`` (listed names beforehand, queries inside the time), ``workers``
   threads. Its threshold is the one with the best F1 on this very query set (an oracle:
   the fairest the baseline can get).
3. ``nomenklatura``'s ``logic-v2`` matcher (yente's default) at yente's threshold 0.70, on
   the entities of Accord's blocking shortlist (``NameIndex.shortlists``, at most
   ``--nk-candidates``), in ``--workers`` processes; skipped if not installed.

    python benchmarks/screening.py [--queries 10000] [--seed 11] [--workers 2]
        [--no-nomenklatura] [--examples 8] [--data ../shared/data/sanctions]

A quick run: ``--queries 1000 --no-nomenklatura``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icu
import numpy as np
from normality import ascii_text, normalize
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rapidfuzz.utils import default_process
from rigour.names import remove_org_types
from rigour.text.phonetics import metaphone

from accord.desks.sanctions.index import DEFAULT_SHORTLIST, NameIndex
from accord.desks.sanctions.loaders import load_paths
from accord.desks.sanctions.model import Entity
from accord.desks.sanctions.names import name_forms
from accord.desks.sanctions.scoring import DEFAULT_THRESHOLD, Query, screen_many

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sanctions"
LIMIT = 10
NOMENKLATURA_THRESHOLD = 0.70  # yente's default SCORE_THRESHOLD
# Share of the query set per kind; what a kind cannot fill (too few source names) goes to
# aliases.
MIX = {
    "alias": 0.20,
    "dropped-token": 0.12,
    "swapped-tokens": 0.12,
    "typo": 0.16,
    "lost-diacritics": 0.03,
    "cyrillic": 0.06,
    "hangul": 0.06,
    "decoy": 0.25,
}
Hits = list[list[tuple[str, float, str]]]  # per query: (entity key, score, matched name)


@dataclass(frozen=True)
class Labelled:
    """A query, how it was made, the listed name it came from and its true entities."""

    name: str
    kind: str
    source: str
    truth: frozenset[str]


@dataclass
class Outcome:
    """One matcher's run: hits per query, seconds, and the threshold it used."""

    label: str
    hits: Hits
    seconds: float
    threshold: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-nomenklatura", action="store_true")
    parser.add_argument("--nk-candidates", type=int, default=10)
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    files = [args.data / "ofac_sdn.csv.gz", args.data / "un_consolidated.xml.gz"]
    entities = [e for loaded in load_paths(files) for e in loaded.entities]
    names = sum(len(dict.fromkeys((*e.names, *e.former_names))) for e in entities)
    print(f"lists: {len(entities):,} entities, {names:,} names (OFAC SDN + UN SC), ", end="")
    print(f"loaded in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    queries = labelled_queries(entities, args.queries, random.Random(args.seed))
    mix = Counter(q.kind for q in queries)
    print(f"queries: {len(queries):,} (seed {args.seed}) in {time.perf_counter() - started:.1f} s:")
    print("  " + ", ".join(f"{kind} {mix[kind]}" for kind in MIX))

    started = time.perf_counter()
    index = NameIndex(entities)
    print(
        f"Accord index: {len(index):,} name forms, built in {time.perf_counter() - started:.1f} s"
    )

    outcomes = [run_accord(index, queries, args.workers)]
    outcomes.append(run_rapidfuzz(entities, queries, args.workers))
    if not args.no_nomenklatura:
        outcome = run_nomenklatura(index, queries, args.workers, args.nk_candidates)
        if outcome is not None:
            outcomes.append(outcome)
    report(queries, outcomes)
    examples(queries, outcomes[0], args.examples)


# --- the labelled query set ----------------------------------------------------------------


def labelled_queries(entities: Sequence[Entity], count: int, rng: random.Random) -> list[Labelled]:
    """``count`` labelled queries in the proportions of ``MIX``, shuffled."""
    truth = _truth_table(entities)
    makers: dict[str, Callable[[Sequence[Entity], int, random.Random], list[tuple[str, str]]]] = {
        "dropped-token": _perturbed(_drop_token),
        "swapped-tokens": _perturbed(_swap_tokens),
        "typo": _perturbed(_typo),
        "lost-diacritics": _without_diacritics,
        "cyrillic": _cyrillic,
        "hangul": _hangul,
    }
    queries: list[Labelled] = []
    for kind, make in makers.items():
        for query, source in make(entities, round(MIX[kind] * count), rng):
            queries.append(Labelled(query, kind, source, truth[_name_key(source)]))
    for query, source in _decoys(entities, round(MIX["decoy"] * count), rng):
        queries.append(Labelled(query, "decoy", source, frozenset()))
    for query in _aliases(entities, count - len(queries), rng):
        queries.append(Labelled(query, "alias", query, truth[_name_key(query)]))
    rng.shuffle(queries)
    return queries


def _name_key(name: str) -> tuple[str, ...]:
    return tuple(sorted((normalize(name, lowercase=True, ascii=True) or "").split()))


def _truth_table(entities: Sequence[Entity]) -> dict[tuple[str, ...], frozenset[str]]:
    table: dict[tuple[str, ...], set[str]] = {}
    for entity in entities:
        for name in (*entity.names, *entity.former_names):
            table.setdefault(_name_key(name), set()).add(entity.key)
    return {key: frozenset(keys) for key, keys in table.items()}


def _usable(name: str) -> bool:
    return sum(c.isalpha() for c in name) >= 3


def _aliases(entities: Sequence[Entity], count: int, rng: random.Random) -> list[str]:
    pool = [n for e in entities for n in (e.names[1:] or e.names) if _usable(n)]
    return rng.sample(pool, count)


def _perturbed(
    perturb: Callable[[list[str], random.Random], list[str] | None],
) -> Callable[[Sequence[Entity], int, random.Random], list[tuple[str, str]]]:
    """A maker of ``count`` queries, each one listed name changed by ``perturb``."""

    def make(entities: Sequence[Entity], count: int, rng: random.Random) -> list[tuple[str, str]]:
        pool = [n for e in entities for n in e.names if _usable(n)]
        made: list[tuple[str, str]] = []
        while len(made) < count:
            source = rng.choice(pool)
            tokens = perturb(source.replace(",", " ").split(), rng)
            if tokens:
                made.append((" ".join(tokens), source))
        return made

    return make


def _drop_token(tokens: list[str], rng: random.Random) -> list[str] | None:
    if len(tokens) < 3:
        return None
    del tokens[rng.randrange(len(tokens))]
    # Not a query if only legal forms are left ("LLC LTD" of "LLC CONSOL-STROI LTD").
    return tokens if _usable(remove_org_types(" ".join(tokens))) else None


def _swap_tokens(tokens: list[str], rng: random.Random) -> list[str] | None:
    if len(tokens) < 2 or len(set(tokens)) < 2:
        return None
    i, j = rng.sample(range(len(tokens)), 2)
    while tokens[i] == tokens[j]:
        i, j = rng.sample(range(len(tokens)), 2)
    tokens[i], tokens[j] = tokens[j], tokens[i]
    return tokens


def _typo(tokens: list[str], rng: random.Random) -> list[str] | None:
    letters = [(i, j) for i, t in enumerate(tokens) if len(t) >= 3 for j in range(len(t))]
    if not letters:
        return None
    i, j = rng.choice(letters)
    token, letter = tokens[i], rng.choice("abcdefghijklmnopqrstuvwxyz")
    letter = letter.upper() if token[j].isupper() else letter
    edit = rng.choice(("insert", "delete", "substitute", "transpose"))
    if edit == "insert":
        token = token[:j] + letter + token[j:]
    elif edit == "delete":
        token = token[:j] + token[j + 1 :]
    elif edit == "transpose" and j + 1 < len(token) and token[j] != token[j + 1]:
        token = token[:j] + token[j + 1] + token[j] + token[j + 2 :]
    else:
        token = token[:j] + (letter if letter.lower() != token[j].lower() else "x") + token[j + 1 :]
    tokens[i] = token
    return tokens


def _without_diacritics(
    entities: Sequence[Entity], count: int, rng: random.Random
) -> list[tuple[str, str]]:
    marked = re.compile(r"(?<=[OoUu])['’]")
    pool = sorted(
        {n for e in entities for n in e.names if not n.isascii() or marked.search(n)} - {""}
    )
    pool = [n for n in pool if _latin(n)]
    made = []
    for source in rng.sample(pool, min(count, len(pool))):
        folded = unicodedata.normalize("NFKD", marked.sub("", source))
        plain = "".join(c for c in folded if not unicodedata.combining(c))
        if plain != source:
            made.append((plain, source))
    return made


def _latin(name: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


_TO_RUSSIAN = icu.Transliterator.createInstance("Latin-Russian/BGN")


def _cyrillic(entities: Sequence[Entity], count: int, rng: random.Random) -> list[tuple[str, str]]:
    pool = sorted(
        {
            name
            for e in entities
            if e.schema == "Person" and "ru" in e.countries and e.source == "ofac-sdn"
            if not _korean(e)
            for name in e.names
            if name.count(",") == 1 and name.isascii() and "'" not in name
        }
    )
    made = []
    for source in rng.sample(pool, min(count, len(pool))):
        family, given = (part.strip().title() for part in source.split(","))
        latin = f"{family} {given}".replace("x", "ks").replace("X", "Ks")
        made.append((_TO_RUSSIAN.transliterate(latin), source))
    return made


# --- Hangul from McCune-Reischauer / DPRK romanisations -----------------------------------

_HANGUL_FAMILY = {
    **dict.fromkeys(("kim", "gim"), "김"),
    **dict.fromkeys(("ri", "li", "rhee"), "리"),
    **dict.fromkeys(("yi", "lee", "i"), "이"),
    **dict.fromkeys(("pak", "park", "bak"), "박"),
    **dict.fromkeys(("choe", "choi"), "최"),
    **dict.fromkeys(("jong", "chong", "jeong", "chung"), "정"),
    **dict.fromkeys(("jo", "cho"), "조"),
    **dict.fromkeys(("jang", "chang"), "장"),
    **dict.fromkeys(("jon", "chon", "jeon"), "전"),
    **dict.fromkeys(("ju", "chu"), "주"),
    **dict.fromkeys(("ji", "chi"), "지"),
    **dict.fromkeys(("o", "oh"), "오"),
    **dict.fromkeys(("so", "seo"), "서"),
    **dict.fromkeys(("thae", "tae"), "태"),
    **dict.fromkeys(("ko", "go"), "고"),
    **dict.fromkeys(("sin", "shin"), "신"),
    "han": "한", "kang": "강", "yun": "윤", "ryu": "류", "yu": "유", "rim": "림", "im": "임",
    "hwang": "황", "an": "안", "song": "송", "hong": "홍", "mun": "문", "yang": "양",
    "ryang": "량", "son": "손", "paek": "백", "ho": "허", "nam": "남", "sim": "심", "ro": "로",
    "ryom": "렴", "kwon": "권", "cha": "차", "chae": "채", "kye": "계", "tong": "동",
    "kil": "길", "hyon": "현", "kwak": "곽", "min": "민", "um": "엄", "pang": "방", "sok": "석",
    "jin": "진", "yo": "여", "yon": "연", "wang": "왕", "pae": "배", "ku": "구", "ra": "라",
    "na": "나", "kal": "갈", "ok": "옥", "kong": "공", "pyon": "변", "mo": "모", "tak": "탁",
    "won": "원", "yom": "염", "myong": "명", "ham": "함", "sung": "승", "u": "우", "chin": "진",
}  # fmt: skip
# Romanised initial / vowel / final -> Hangul jamo indices (Unicode order), likeliest first.
_INITIALS = {
    "k": (0, 15), "g": (0,), "kk": (1,), "n": (2,), "t": (3, 16), "d": (3,), "tt": (4,),
    "r": (5,), "l": (5,), "m": (6,), "p": (7, 17), "b": (7,), "pp": (8,), "s": (9,),
    "sh": (9,), "ss": (10,), "": (11,), "j": (12,), "ch": (12, 14), "tch": (13,), "jj": (13,),
    "ch'": (14,), "k'": (15,), "kh": (15,), "t'": (16,), "th": (16,), "p'": (17,),
    "ph": (17,), "h": (18,),
}  # fmt: skip
_VOWELS = {
    "a": (0,), "ae": (1,), "ya": (2,), "yae": (3,), "eo": (4,), "o'": (4,), "o": (4, 8),
    "e": (5,), "yeo": (6,), "yo'": (6,), "yo": (6, 12), "ye": (7,), "wa": (9,), "wae": (10,),
    "oe": (11,), "u": (13, 18), "wo": (14,), "wo'": (14,), "we": (15,), "wi": (16,),
    "yu": (17,), "eu": (18,), "u'": (18,), "ui": (19,), "u'i": (19,), "i": (20,),
}  # fmt: skip
_FINALS = {"": 0, "k": 1, "g": 1, "n": 4, "t": 7, "d": 7, "l": 8, "r": 8, "m": 16, "p": 17,
           "b": 17, "ng": 21}  # fmt: skip


def _alternation(keys: Sequence[str]) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True) if k)


_SYLLABLE = re.compile(
    f"({_alternation(list(_INITIALS))})?({_alternation(list(_VOWELS))})"
    f"({_alternation(list(_FINALS))})?"
)


def hangul_syllable(romanised: str, rng: random.Random) -> str | None:
    """One Hangul syllable that MR or DPRK practice romanises as ``romanised`` (lower case,
    breves as apostrophes: ``cho'ng``), drawn among the readings (the first with 0.6);
    ``None`` if it is not one syllable."""
    match = _SYLLABLE.fullmatch(romanised)
    if match is None:
        return None
    initial, vowel, final = (group or "" for group in match.groups())

    def draw(options: tuple[int, ...]) -> int:
        return options[0] if len(options) == 1 or rng.random() < 0.6 else rng.choice(options[1:])

    code = (draw(_INITIALS[initial]) * 21 + draw(_VOWELS[vowel])) * 28 + _FINALS[final]
    return chr(0xAC00 + code)


def _korean(entity: Entity) -> bool:
    return entity.schema == "Person" and (
        "kp" in entity.countries or any("DPRK" in p for p in entity.programmes)
    )


def _hangul(entities: Sequence[Entity], count: int, rng: random.Random) -> list[tuple[str, str]]:
    pool = sorted({n for e in entities if _korean(e) for n in e.names})
    made: dict[str, str] = {}
    for _ in range(4):  # more than one reading of a name when there are too few names
        for source in rng.sample(pool, len(pool)):
            parts = re.split(r"[\s,\-]+", source.lower().replace("’", "'").strip())
            family = _HANGUL_FAMILY.get(parts[0])
            given = [hangul_syllable(p, rng) for p in parts[1:]]
            if family and 1 <= len(given) <= 3 and all(given):
                made.setdefault(family + "".join(s for s in given if s), source)
            if len(made) >= count:
                return list(made.items())
    return list(made.items())


# --- decoys --------------------------------------------------------------------------------


def _decoys(entities: Sequence[Entity], count: int, rng: random.Random) -> list[tuple[str, str]]:
    # Given names of one person (the first one or two: a long run of given names
    # identifies its bearer) with another's family name.
    persons = [
        [p.strip() for p in e.names[0].split(",")]
        for e in entities
        if e.schema == "Person" and e.names[0].count(",") == 1
    ]
    companies = [e.names[0].split() for e in entities if e.schema == "LegalEntity"]
    companies = [c for c in companies if len(c) >= 2]
    lookalike = _Lookalikes(entities)
    made: dict[str, str] = {}
    while len(made) < count:
        if rng.random() < 0.75:
            family = rng.choice(persons)[0]
            given = " ".join(rng.choice(persons)[1].split()[: rng.choice((1, 2))])
            name = f"{given} {family.title()}" if rng.random() < 0.5 else f"{family}, {given}"
        else:
            head, tail = rng.choice(companies), rng.choice(companies)
            name = " ".join(head[: max(1, len(head) // 2)] + tail[len(tail) // 2 :])
        if _usable(name) and name not in made and not lookalike(name):
            made[name] = "recombined"
    return list(made.items())


def _content_tokens(name: str) -> set[str]:
    # Legal forms left out: "CASTLE LTD." is a spelling of the listed "CASTLE HOLDINGS".
    text = normalize(name, lowercase=True, ascii=True) or ""
    return set((remove_org_types(text) or text).split())


class _Lookalikes:
    """Whether some listed name holds a close spelling of every token of a name, or a name
    holds a close spelling of every token of a listed name (of two tokens or more for
    persons); legal forms are left out on both sides."""

    def __init__(self, entities: Sequence[Entity]) -> None:
        self._holders: dict[str, set[int]] = {}
        self._sizes: list[int] = []
        for entity in entities:
            for name in (*entity.names, *entity.former_names):
                tokens = _content_tokens(name)
                for token in tokens:
                    self._holders.setdefault(token, set()).add(len(self._sizes))
                # A one-word company name is distinctive; a one-word alias of a person
                # ("Musa", "Sever") is not, and a decoy may hold it.
                whole = len(tokens) >= 2 or entity.schema != "Person"
                self._sizes.append(len(tokens) if whole else 10**6)
        self._vocabulary = list(self._holders)
        self._by_sound: dict[str, list[str]] = {}
        self._cache: dict[str, set[int]] = {}
        for token in self._vocabulary:
            if len(token) >= 3 and token.isalpha():
                self._by_sound.setdefault(metaphone(token), []).append(token)

    def __call__(self, name: str) -> bool:
        holders = [self._close_holders(t) for t in _content_tokens(name)]
        if not holders or set.intersection(*holders):
            return True
        counts = Counter(number for found in holders for number in found)
        return any(count >= self._sizes[number] for number, count in counts.items())

    def _close_holders(self, token: str) -> set[int]:
        if token not in self._cache:
            self._cache[token] = set().union(*(self._holders[t] for t in self._close(token)))
        return self._cache[token]

    def _close(self, token: str) -> set[str]:
        close = {token} & self._holders.keys()
        if len(token) >= 3:
            found = process.extract(
                token,
                self._vocabulary,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=0.75,
                limit=None,
            )
            close.update(choice for choice, _, _ in found)
            if token.isalpha():
                close.update(self._by_sound.get(metaphone(token), ()))
        return close


# --- the matchers --------------------------------------------------------------------------

_STATE: dict[str, Any] = {}  # what forked workers read (set before the fork)


def _in_processes(work: Callable[[list[int]], Hits], total: int, workers: int) -> Hits:
    """``work`` over query numbers 0..total-1 split (interleaved) across forked processes."""
    shares = [list(range(start, total, workers)) for start in range(workers)]
    if workers == 1:
        return work(shares[0])
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(work, shares)
    hits: Hits = [[] for _ in range(total)]
    for share, part in zip(shares, parts, strict=True):
        for number, found in zip(share, part, strict=True):
            hits[number] = found
    return hits


def _accord_share(numbers: list[int]) -> Hits:
    index, queries = _STATE["index"], _STATE["queries"]
    found = screen_many([Query(queries[n].name) for n in numbers], index, DEFAULT_THRESHOLD, LIMIT)
    return [[(h.entity.key, h.score, h.matched_name or "") for h in hits] for hits in found]


def run_accord(index: NameIndex, queries: list[Labelled], workers: int) -> Outcome:
    """Accord's ``screen_many`` at ``DEFAULT_THRESHOLD`` in ``workers`` processes."""
    _STATE.update(index=index, queries=queries)
    started = time.perf_counter()
    hits = _in_processes(_accord_share, len(queries), workers)
    seconds = time.perf_counter() - started
    return Outcome(f"Accord ({workers} processes)", hits, seconds, DEFAULT_THRESHOLD)


def _folded(name: str) -> str:
    return default_process(ascii_text(name) or "")


def run_rapidfuzz(entities: Sequence[Entity], queries: list[Labelled], workers: int) -> Outcome:
    """Brute-force ``token_sort_ratio`` against every name; the best-F1 threshold."""
    owners, choices = [], []
    for entity in entities:
        for name in dict.fromkeys((*entity.names, *entity.former_names)):
            owners.append(entity.key)
            choices.append(_folded(name))
    started = time.perf_counter()
    folded = [_folded(q.name) for q in queries]
    ranked: Hits = []
    for start in range(0, len(folded), 1000):
        scores = process.cdist(
            folded[start : start + 1000],
            choices,
            scorer=fuzz.token_sort_ratio,
            dtype=np.uint8,
            workers=workers,
        )
        ranked.extend(_best_entities(row, owners, choices) for row in scores)
    seconds = time.perf_counter() - started
    threshold = max(range(50, 101), key=lambda t: _f1(queries, _above(ranked, t)))
    return Outcome("rapidfuzz token_sort (brute)", _above(ranked, threshold), seconds, threshold)


def _best_entities(
    row: np.ndarray[Any, Any], owners: list[str], choices: list[str]
) -> list[tuple[str, float, str]]:
    top = np.argpartition(row, -5 * LIMIT)[-5 * LIMIT :]  # row is uint8: no negation
    best: dict[str, tuple[str, float, str]] = {}
    for column in top[np.argsort(row[top], kind="stable")[::-1]]:
        key = owners[column]
        if key not in best and len(best) < LIMIT:
            best[key] = (key, float(row[column]), choices[column])
    return list(best.values())


def _above(ranked: Hits, threshold: float) -> Hits:
    return [[hit for hit in hits if hit[1] >= threshold] for hits in ranked]


def _nomenklatura_share(numbers: list[int]) -> Hits:
    from followthemoney import model
    from nomenklatura.matching import LogicV2, ScoringConfig

    config, proxies = ScoringConfig.defaults(), _STATE["proxies"]
    queries, shortlists = _STATE["queries"], _STATE["shortlists"]
    out: Hits = []
    for number in numbers:
        # A name-only query is a LegalEntity, which FtM does not match with vessels and
        # aircraft: against those, the query takes their schema.
        as_schema: dict[str, Any] = {}
        hits = []
        for position in shortlists[number]:
            schema = proxies[position].schema.name
            schema = schema if schema in ("Vessel", "Airplane") else "LegalEntity"
            if schema not in as_schema:
                as_schema[schema] = model.make_entity(schema)
                as_schema[schema].id = f"q{number}"
                as_schema[schema].add("name", queries[number].name)
            result = LogicV2.compare(as_schema[schema], proxies[position], config)
            if result.score >= NOMENKLATURA_THRESHOLD:
                hits.append((proxies[position].id, result.score, ""))
        out.append(sorted(hits, key=lambda h: -h[1])[:LIMIT])
    return out


def run_nomenklatura(
    index: NameIndex, queries: list[Labelled], workers: int, candidates: int
) -> Outcome | None:
    """nomenklatura ``logic-v2`` on the entities of Accord's shortlists, or ``None`` when
    nomenklatura is not installed."""
    try:
        from followthemoney import model
    except ImportError:
        print("nomenklatura: not installed, skipped (pip install nomenklatura)")
        return None
    schemata = {s: s for s in ("Organization", "Company", "Person", "Vessel", "Airplane")}
    proxies = []
    for entity in index.entities:
        proxy = model.make_entity(schemata.get(entity.schema, "LegalEntity"))
        proxy.id = entity.key
        proxy.add("name", entity.names[0])
        proxy.add("alias", [*entity.names[1:], *entity.former_names])
        proxies.append(proxy)
    started = time.perf_counter()
    forms = [name_forms(q.name) for q in queries]
    rows = index.shortlists(forms, DEFAULT_SHORTLIST)
    shortlists = [list(dict.fromkeys(index.rows[r].entity for r in s))[:candidates] for s in rows]
    _STATE.update(proxies=proxies, queries=queries, shortlists=shortlists)
    hits = _in_processes(_nomenklatura_share, len(queries), workers)
    seconds = time.perf_counter() - started
    label = f"nomenklatura logic-v2 (shortlist {candidates}, {workers} processes)"
    return Outcome(label, hits, seconds, NOMENKLATURA_THRESHOLD)


# --- scores --------------------------------------------------------------------------------


def _found(query: Labelled, hits: list[tuple[str, float, str]]) -> bool:
    return any(key in query.truth for key, _, _ in hits)


def recall(queries: Sequence[Labelled], hits: Hits, kind: str | None = None) -> float:
    """Share of the non-decoy queries (of ``kind`` if given) whose hits hold a true entity."""
    pairs = [(q, h) for q, h in zip(queries, hits, strict=True) if q.kind != "decoy"]
    pairs = [(q, h) for q, h in pairs if kind in (None, q.kind)]
    return sum(_found(q, h) for q, h in pairs) / max(len(pairs), 1)


def precision(queries: Sequence[Labelled], hits: Hits) -> float:
    """Share of the queries with any hit whose hits hold a true entity."""
    pairs = [(q, h) for q, h in zip(queries, hits, strict=True) if h]
    return sum(_found(q, h) for q, h in pairs) / max(len(pairs), 1)


def _f1(queries: Sequence[Labelled], hits: Hits) -> float:
    r, p = recall(queries, hits), precision(queries, hits)
    return 2 * r * p / (r + p) if r + p else 0.0


def report(queries: list[Labelled], outcomes: list[Outcome]) -> None:
    """The summary table, then recall per kind of query (decoys: share with a hit)."""
    print()
    print(f"{'matcher':52} {'time s':>7} {'recall':>7} {'precision':>9} {'hangul':>7} {'thr':>5}")
    for o in outcomes:
        print(
            f"{o.label:52} {o.seconds:7.2f} {recall(queries, o.hits):7.3f} "
            f"{precision(queries, o.hits):9.3f} {recall(queries, o.hits, 'hangul'):7.3f} "
            f"{o.threshold:5.2f}"
        )
    print("targets: 10,000 queries <= 5 s on 2 cores, recall >= 0.95, precision >= 0.95, ", end="")
    print("hangul recall >= 0.90")
    print()
    print(f"{'recall by kind (decoy: share with a hit)':42}", end="")
    print("".join(f"{o.label.split(' (')[0][:22]:>24}" for o in outcomes))
    for kind in MIX:
        number = sum(q.kind == kind for q in queries)
        print(f"  {kind:20} {number:>6} queries    ", end="")
        for o in outcomes:
            if kind == "decoy":
                share = sum(bool(h) for q, h in zip(queries, o.hits, strict=True) if q.kind == kind)
                print(f"{share / max(number, 1):24.3f}", end="")
            else:
                print(f"{recall(queries, o.hits, kind):24.3f}", end="")
        print()


def examples(queries: list[Labelled], outcome: Outcome, count: int) -> None:
    """Up to ``count`` misses per kind and false hits on decoys, for ``outcome``."""
    print(f"\n{outcome.label}: examples of misses (query <- listed source: best hit if any)")
    for kind in MIX:
        shown = 0
        for query, hits in zip(queries, outcome.hits, strict=True):
            if query.kind != kind or shown >= count or (kind != "decoy" and _found(query, hits)):
                continue
            if kind == "decoy" and not hits:
                continue
            top = f"{hits[0][2]!r} {hits[0][1]:.2f} ({hits[0][0]})" if hits else "no hit"
            print(f"  {kind:15} {query.name!r} <- {query.source!r}: {top}")
            shown += 1


if __name__ == "__main__":
    main()
