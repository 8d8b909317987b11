"""Name normalisation across scripts: every listed name and every query become a few
comparable *forms* (lower-case ASCII token tuples), so that "Путин", "Kim Chŏng-ŭn",
"김정은", "习近平" and "محمد" meet their Latin spellings.

Transliteration comes from the field's libraries: ``rigour`` (Cyrillic, Greek, Armenian,
Georgian, Hangul; legal-form and title removal) with ``normality``/PyICU for every other
script. What they lack is written here: Korean McCune–Reischauer / DPRK romanisation next to
Revised Romanization, the MR ↔ RR equivalence key (issue-notes "#6 Sanctions"), Chinese
family/given splitting of pinyin, and a consonant key for abjad scripts (Arabic, Persian,
Urdu, Hebrew), whose transliteration carries no short vowels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from normality import ascii_text as _icu_ascii
from rigour.names import remove_org_types, remove_person_prefixes
from rigour.text.phonetics import metaphone
from rigour.text.scripts import text_scripts
from rigour.text.translit import maybe_ascii

from accord.desks.sanctions.korean import (
    hangul_romanizations,
    korean_keys,
)

__all__ = [
    "NameForm",
    "consonant_key",
    "hangul_romanizations",
    "korean_keys",
    "name_forms",
    "normalize_name",
    "phonetic_key",
]

# Form kinds. Forms are only compared with forms of the same kind.
LATIN = "latin"
KOREAN = "korean"
ABJAD = "abjad"

_ABJAD_SCRIPTS = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana"})
_PERSON_SCHEMATA = frozenset({"Person"})


@dataclass(frozen=True)
class NameForm:
    """One comparable rendering of a name: its ``kind`` (``latin``, ``korean`` for the
    MR ↔ RR key, ``abjad`` for the consonant key), its tokens and the name it came from."""

    kind: str
    tokens: tuple[str, ...]
    name: str

    @property
    def text(self) -> str:
        """The tokens joined by single spaces."""
        return " ".join(self.tokens)


def normalize_name(name: str) -> str:
    """Lower-case ASCII with single spaces: NFKC, case folding, transliteration of any
    script, diacritics and punctuation removed (apostrophes vanish, ``-`` splits)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _to_ascii(text)
    text = _APOSTROPHES.sub("", text)
    text = _NON_ALNUM.sub(" ", text)
    return " ".join(text.split())


def name_forms(name: str, schema: str | None = None) -> tuple[NameForm, ...]:
    """Every form of ``name`` worth comparing: the Latin form (legal forms removed for
    organisations, titles for persons), Chinese given names joined, both Korean
    romanisations' common key, and the consonant key of abjad-script names.

    ``schema`` is a FollowTheMoney schema name or ``None`` when unknown. Returns an empty
    tuple for a name with no letters or digits.
    """
    stripped = unicodedata.normalize("NFKC", name).strip()
    scripts = text_scripts(stripped)
    forms: list[NameForm] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()

    def add(kind: str, tokens: tuple[str, ...]) -> None:
        if tokens and (kind, tokens) not in seen:
            seen.add((kind, tokens))
            forms.append(NameForm(kind, tokens, name))

    if "Hangul" in scripts:
        for romanised in hangul_romanizations(stripped):
            for tokens in _latin_tokens(romanised, "Person"):
                add(LATIN, tokens)
    for plain in _latin_tokens(stripped, schema):
        if scripts != {"Hangul"}:
            add(LATIN, plain)
        if "Han" in scripts and len(plain) >= 2 and all(len(t) <= 6 for t in plain):
            # Chinese names: a one-syllable family name, the given name written as one word.
            add(LATIN, (plain[0], "".join(plain[1:])))
        if scripts & _ABJAD_SCRIPTS:
            add(ABJAD, tuple(k for k in (consonant_key(t) for t in plain) if k))
    if schema is None or schema in _PERSON_SCHEMATA or schema == "LegalEntity":
        for latin in [f.tokens for f in forms if f.kind == LATIN]:
            for key in korean_keys(latin):
                add(KOREAN, key)
    return tuple(forms)


def phonetic_key(token: str) -> str:
    """The Metaphone key of a token (``mohammed`` and ``muhammad`` both give ``MHMT``)."""
    return metaphone(token) if token.isalpha() else token


@lru_cache(maxsize=65536)
def consonant_key(token: str) -> str:
    """Consonant skeleton of a romanised token, the form an abjad transliteration has:
    vowels, ``h`` after a consonant and doubled letters dropped; the article ``al``/``el``
    kept as ``l``. ``Muhammad`` → ``mhmd``, ``Hussein`` → ``hsn``."""
    token = _ABJAD_DIGRAPHS.sub(lambda m: _ABJAD_MAP[m.group(0)], token)
    head, tail = token[:1], token[1:]
    skeleton = head + _VOWELS.sub("", tail)
    return _DOUBLES.sub(r"\1", skeleton)


# --- helpers -------------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['’ʼ`ʻ‘´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouyw]")
_DOUBLES = re.compile(r"(.)\1+")
_ABJAD_MAP = {"kh": "x", "gh": "g", "sh": "s", "th": "t", "dh": "d", "ph": "f", "q": "k"}
_ABJAD_DIGRAPHS = re.compile("|".join(sorted(_ABJAD_MAP, key=len, reverse=True)))


def _to_ascii(text: str) -> str:
    # rigour spells the admitted scripts the way names are spelt (Шевченко → shevchenko);
    # normality/ICU covers the rest (Han → pinyin, Arabic, kana, ...).
    out = maybe_ascii(text)
    if out.isascii():
        return out
    return str(_icu_ascii(out) or "")


def _latin_tokens(name: str, schema: str | None) -> list[tuple[str, ...]]:
    text = normalize_name(name)
    renderings = []
    if schema is None or schema in _PERSON_SCHEMATA:
        renderings.append(remove_person_prefixes(text) or text)
    if schema not in _PERSON_SCHEMATA:
        # Legal forms (LLC, OOO, PJSC, ...) say little about which company it is. With no
        # schema both readings are kept: "pao" is a legal form and a family name.
        renderings.append(" ".join(remove_org_types(text).split()) or text)
    return [tuple(r.split()) for r in dict.fromkeys(renderings)]
