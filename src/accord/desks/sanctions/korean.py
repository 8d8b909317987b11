"""Korean names: Hangul read in Revised Romanization, McCune–Reischauer and the DPRK's own
practice, and the key that makes their romanised spellings equal (issue notes, "#6
Sanctions": "Kim Jong Un", "Kim Chŏng-ŭn", "Kim Jeong-eun", "Gim Jeong-eun" and 김정은 are
one name)."""

from __future__ import annotations

import re

_DOUBLES = re.compile(r"(.)\1+")


def hangul_romanizations(text: str) -> tuple[str, ...]:
    """Revised Romanization and McCune–Reischauer/DPRK renderings of a Hangul name.

    ``김정은`` → ``("Gim Jeong-eun", "Kim Chŏng-ŭn", "Kim Jong Un")``: the first syllable is
    taken as the family name (two for the compound family names such as 남궁), syllables are
    romanised one by one as names are (no assimilation across syllables).
    """
    words = text.split()
    if len(words) == 1 and all(_is_hangul(c) for c in words[0]) and len(words[0]) >= 2:
        cut = 2 if words[0][:2] in _COMPOUND_FAMILY_NAMES and len(words[0]) > 2 else 1
        words = [words[0][:cut], words[0][cut:]]
    rr, mr, dprk = [], [], []
    for word in words:
        syllables = [_syllable(c) for c in word]
        if any(s is None for s in syllables):
            rr.append(word)
            mr.append(word)
            dprk.append(word)
            continue
        parts = [s for s in syllables if s is not None]
        rr.append(_hyphenate([p[0] for p in parts]).capitalize())
        mr.append(_hyphenate([p[1] for p in parts]).capitalize())
        dprk.append(" ".join(p[2].capitalize() for p in parts))
    return (" ".join(rr), " ".join(mr), " ".join(dprk))


def korean_keys(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The MR ↔ RR equivalence keys of a name that looks Korean (none if it does not).

    The family name (first token, or last in Western order; both keys when both could be)
    is mapped to one spelling (Ri/Rhee/Yi/Lee → ``ri``, Pak/Park/Bak → ``bak``) and the
    given name's syllables are joined and folded: ŏ/eo → o, ŭ/eu → u, k → g, t → d, p → b,
    ch → j, l → r, doubled letters single. "Kim Jong Un", "Kim Chŏng-ŭn", "Kim Jeong-eun"
    and "Gim Jeong-eun" all give ``("gim", "jongun")``.
    """
    if not 2 <= len(tokens) <= 4 or not all(t.isalpha() for t in tokens):
        return ()
    splits = []
    if tokens[0] in _KOREAN_FAMILY:
        splits.append((tokens[0], tokens[1:]))
    if tokens[-1] in _KOREAN_FAMILY:
        splits.append((tokens[-1], tokens[:-1]))
    keys = []
    for family, given in splits:
        joined = "".join(given)
        if _KOREAN_GIVEN_NAME.fullmatch(joined):
            keys.append((_KOREAN_FAMILY[family], _fold_korean(joined)))
    return tuple(keys)


# A given name of one to three romanised Korean syllables (RR, MR without diacritics, and
# the common English-style spellings such as "young", "soo", "hee").
_KOREAN_SYLLABLE = (
    r"(?:tch|ch|sh|kk|tt|pp|ss|jj|[gkndtrlmbpsjhyw])?"
    r"(?:yae|yeo|wae|ya|ae|yo|ye|wa|oe|wo|we|wi|yu|eu|ui|eo|oo|ee|ou|oi|ai|a|e|o|u|i)"
    r"(?:ng|[kntlmpgbdr])?"
)
_KOREAN_GIVEN_NAME = re.compile(f"(?:{_KOREAN_SYLLABLE}){{1,3}}")


def _fold_korean(word: str) -> str:
    for old, new in _KOREAN_FOLDS:
        word = word.replace(old, new)
    if word[:1] in "rn" and word[1:2] in ("i", "y"):
        word = word[1:]  # initial ㄹ/ㄴ before i/y: DPRK writes it (Ryong), the South drops it
    return _DOUBLES.sub(r"\1", word)


_KOREAN_FOLDS = (
    ("tch", "j"),
    ("ch", "j"),
    ("sh", "s"),
    ("eo", "o"),
    ("eu", "u"),
    ("oo", "u"),
    ("ou", "o"),
    ("oi", "oe"),
    ("ee", "i"),
    ("k", "g"),
    ("t", "d"),
    ("p", "b"),
    ("l", "r"),
)

# Romanised family names → one key. Spellings from the National Institute of Korean
# Language's surname survey and the DPRK forms seen in UN/OFAC designations.
_FAMILY_SPELLINGS = {
    "gim": "kim gim",
    "ri": "ri rhee rhie ree yi yee lee li i lie",
    "bak": "pak park bak bag pack",
    "joe": "choe choi chey choy",
    "jong": "jong jeong chong chung jung joung cheong",
    "jo": "cho jo joh",
    "han": "han hahn",
    "gang": "kang gang kahng",
    "yun": "yun yoon youn",
    "ryu": "ryu yu yoo ryoo rew you",
    "jang": "jang chang",
    "rim": "rim im lim",
    "o": "o oh",
    "sin": "sin shin",
    "hwang": "hwang whang",
    "an": "an ahn",
    "song": "song",
    "hong": "hong",
    "jon": "jon jeon chon chun jun",
    "go": "ko go koh",
    "mun": "mun moon",
    "yang": "yang ryang",
    "son": "son sohn",
    "bae": "bae pae bai",
    "baeg": "paek baek paik baik",
    "ho": "ho heo hur huh",
    "nam": "nam",
    "sim": "sim shim",
    "ro": "ro roh no noh",
    "ha": "ha",
    "gwag": "kwak gwak",
    "sung": "sung",
    "ja": "cha",
    "ju": "ju chu joo",
    "u": "u woo",
    "ra": "ra na",
    "min": "min",
    "ryom": "ryom yom yeom",
    "gwon": "kwon gwon",
    "so": "so seo suh",
    "ji": "ji chi",
    "jin": "jin chin",
    "hyon": "hyon hyun hyeon",
    "dong": "tong dong",
    "gil": "kil gil",
    "gu": "ku gu koo",
}
_KOREAN_FAMILY = {
    spelling: key for key, spellings in _FAMILY_SPELLINGS.items() for spelling in spellings.split()
}
_COMPOUND_FAMILY_NAMES = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문"})

# Hangul syllable tables (Unicode 3.12): 19 initials, 21 medials, 28 finals.
_INITIAL_RR = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "-",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_INITIAL_MR = [
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "-",
    "ch",
    "tch",
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
]
_INITIAL_DPRK = [
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "-",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_MEDIAL_RR = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_MEDIAL_MR = [
    "a",
    "ae",
    "ya",
    "yae",
    "ŏ",
    "e",
    "yŏ",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wŏ",
    "we",
    "wi",
    "yu",
    "ŭ",
    "ŭi",
    "i",
]
_MEDIAL_DPRK = [
    "a",
    "ae",
    "ya",
    "yae",
    "o",
    "e",
    "yo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "u",
    "ui",
    "i",
]
_FINAL = [
    "-",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]


def _is_hangul(char: str) -> bool:
    return 0xAC00 <= ord(char) <= 0xD7A3


def _syllable(char: str) -> tuple[str, str, str] | None:
    if not _is_hangul(char):
        return None
    index = ord(char) - 0xAC00
    initial, rest = divmod(index, 21 * 28)
    medial, final = divmod(rest, 28)

    def join(table_i: list[str], table_m: list[str]) -> str:
        return (table_i[initial] + table_m[medial] + _FINAL[final]).replace("-", "")

    return (
        join(_INITIAL_RR, _MEDIAL_RR),
        join(_INITIAL_MR, _MEDIAL_MR),
        join(_INITIAL_DPRK, _MEDIAL_DPRK),
    )


def _hyphenate(syllables: list[str]) -> str:
    # RR and MR write a given name as one word, with a hyphen between syllables.
    return "-".join(syllables)
