"""Fast syntax check of STIX 2.1 patterns (STIX 2.1 part 5, section 9 "STIX Patterning").

The reference checker, ``stix2patterns.validator.run_validator(p, stix_version="2.1")``, runs
the ANTLR Python runtime and costs about a millisecond a pattern, too slow for bulk ingest.
This module accepts exactly the patterns the reference accepts with no error message. The
usual shapes are accepted by one whole-pattern regex; anything else, and every rejection, goes
through a single-regex tokenizer and a recursive-descent parser over the token texts.

Besides the grammar (``STIXPattern.g4`` as generated into ``stix2patterns/v21/grammars``) the
reference rejects, and so do we:

* a pattern whose first character other than ``(`` and whitespace is not ``[``
  (``stix2patterns.helpers.brackets_check``; a leading comment therefore fails);
* the same qualifier type twice on one ``[...]`` observation (``v21/validator.py``);
* a value that does not look like the named hash (``v21/object_validator.py``);
* a negative list index, and a list index where a hash name is expected: the reference's
  inspector raises on both (``v21/inspector.py``), so it never accepts them.
"""

from __future__ import annotations

import functools
import re
from typing import NoReturn

from accord.core.errors import InvalidInput

__all__ = ["pattern_problem"]

# Deeper nesting makes the ANTLR runtime itself die with RecursionError (200-300 levels,
# depending on the caller's stack); we refuse it deterministically instead.
MAX_NESTING = 200


def pattern_problem(pattern: str) -> str | None:
    """Return None if `pattern` is a valid STIX 2.1 pattern, else why and at which offset.

    The reason reads ``"offset N: ..."`` where N is the 0-based character offset of the
    offending token (the pattern length when the pattern ends too early).
    """
    if _common_shape().fullmatch(pattern) is not None:
        return None
    tokens: list[str] = _TOKEN_RE.findall(pattern)
    # The end yields an empty token, twice when the pattern ends in whitespace or a comment.
    count = tokens.index("")
    if not count:
        return f"offset {len(pattern)}: the pattern is empty"
    tokens.append("")  # so that rules may look two tokens ahead without bounds checks
    parser = _Parser(tokens, "hashes" in pattern)
    try:
        end = parser.observations(0)
        if end != count:
            parser.fail(end, "expected AND, OR, FOLLOWEDBY or a qualifier")
    except _Rejected as rejected:
        return f"offset {_offset(pattern, rejected.token_index)}: {rejected.reason}"
    if _LEADING_BRACKET.match(pattern) is None:
        return "offset 0: the pattern must start with '[' (after any '(' and whitespace)"
    return None


_TIMESTAMP = (
    r"t'[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?Z'"
)
_STRING = r"'[^'\\]*+(?:\\['\\][^'\\]*+)*+'"
_HEX = r"h'(?:[0-9A-Fa-f]{2})*+'"

# Tokenizing costs ~0.25 us a token on our ingest machine, too slow for the budget of a few us
# a pattern, so the usual shapes are first matched whole by one regex. It accepts a subset of
# the valid patterns, in which the reference's extra checks cannot fail: ASCII spaces only,
# spaces around keywords, lowercase names, non-negative indexes, at most one qualifier of a
# type per observation, one level of parentheses, and 'hashes' only as ``hashes.<name> = '..'``
# with a well-formed value. Everything else goes to the tokenizer and parser below.
_S, _SP = " *", " +"
_NAME = r"(?!(?:true|false|hashes)(?![a-z0-9_]))[a-z_][a-z0-9_]*+|'(?!hashes')[^'\\]*+'"
_TYPE = r"(?!(?:true|false):)[a-z][a-z0-9_-]*+"
_PATH = rf"{_TYPE}:(?:{_NAME})(?:\.(?:{_NAME})|\[(?:\*|0|[1-9][0-9]*+)\])*+"
_HASH_DIGITS = {"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128}
_HASH_TEST = "|".join(
    rf"(?:'{name}'|{name.replace('-', '')}){_S}!?={_S}'[0-9a-fA-F]{{{digits}}}'"
    for name, digits in _HASH_DIGITS.items()
)
_ORDERABLE = rf"{_STRING}|-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?|{_TIMESTAMP}|{_HEX}"
_PRIMITIVE = rf"{_ORDERABLE}|true|false"
_TEST = (
    rf"{_PATH}(?:{_SP}NOT)?(?:{_S}!?={_S}(?:{_PRIMITIVE})|{_S}[<>]=?{_S}(?:{_ORDERABLE})"
    rf"|{_SP}IN{_S}\({_S}(?:(?:{_PRIMITIVE})(?:{_S},{_S}(?:{_PRIMITIVE}))*+{_S})?\)"
    rf"|{_SP}(?:LIKE|MATCHES|ISSUBSET|ISSUPERSET){_SP}{_STRING})"
    rf"|(?:NOT{_SP})?EXISTS{_SP}{_PATH}"
    rf"|{_TYPE}:hashes\.(?:{_HASH_TEST})"
)
_TESTS = rf"(?:{_TEST})(?:{_SP}(?:AND|OR){_SP}(?:{_TEST}))*+"
_TEST_GROUP = rf"(?:{_TEST}|\({_S}{_TESTS}{_S}\))"
_UNSIGNED = r"(?:0|[1-9][0-9]*+)"
_WITHIN = rf"WITHIN{_SP}{_UNSIGNED}(?:\.[0-9]++)?{_SP}SECONDS"
_REPEATS = rf"REPEATS{_SP}{_UNSIGNED}{_SP}TIMES"
_QUALIFIER_CHAIN = (
    rf"(?:{_SP}(?:{_WITHIN}(?:{_SP}{_REPEATS})?|{_REPEATS}(?:{_SP}{_WITHIN})?"
    rf"|START{_SP}{_TIMESTAMP}{_SP}STOP{_SP}{_TIMESTAMP}))?"
)
_JOIN = rf"{_SP}(?:AND|OR|FOLLOWEDBY){_SP}"
_SIMPLE = rf"\[{_S}{_TEST_GROUP}(?:{_SP}(?:AND|OR){_SP}{_TEST_GROUP})*+{_S}\]{_QUALIFIER_CHAIN}"
_OBSERVATION = rf"(?:{_SIMPLE}|\({_S}{_SIMPLE}(?:{_JOIN}{_SIMPLE})*+{_S}\){_QUALIFIER_CHAIN})"


@functools.cache
def _common_shape() -> re.Pattern[str]:
    # Compiled on first use: it takes about half a second, which every command would
    # otherwise pay at start, patterns or not.
    return re.compile(rf"[ \t\r\n]*{_OBSERVATION}(?:{_JOIN}{_OBSERVATION})*+[ \t\r\n]*")


# One token per match; whitespace and comments before it are skipped. Alternatives are ordered
# so that the first to match is also the longest, as in the ANTLR lexer (literals with a
# prefix letter before identifiers, floats before integers, two-character operators first).
_WHITESPACE = r"[ \t\r\n\x0b\x0c\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_B64 = "[A-Za-z0-9+/]"
_TOKEN_RE = re.compile(
    rf"{_WHITESPACE}*+(?:(?:/\*.*?\*/|//[^\r\n]*+){_WHITESPACE}*+)*+"
    rf"(?P<token>{_STRING}|{_TIMESTAMP}|{_HEX}"
    rf"|b'(?:{_B64}{{4}})*(?:{_B64}{{4}}|{_B64}{{3}}=|{_B64}{{2}}==)'"
    r"|[A-Za-z_][A-Za-z0-9_-]*+"
    r"|[+-]?[0-9]*\.[0-9]++"
    r"|[+-]?(?:0|[1-9][0-9]*+)"
    r"|==|!=|<>|<=|>=|."
    r"|\Z"  # the end, as an empty token, so that findall never skips a trailing comment
    r")",
    re.DOTALL,
)
_LEADING_BRACKET = re.compile(r"[\s(]*\[")

_IDENTIFIER_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_DIGITS = frozenset("0123456789")
_SIGN = frozenset("+-")
_SIGN_OR_DOT = frozenset("+-.")
_PLUS_OR_DOT = frozenset("+.")
_TYPED_PREFIXES = frozenset("thb")
_ESCAPE_RE = re.compile(r"\\(.)")
_EQUALITY = frozenset(("=", "==", "!=", "<>"))
_ORDER = frozenset(("<", "<=", ">", ">="))
_STRING_OPERATORS = frozenset(("LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"))
_OBSERVATION_OPERATORS = frozenset(("AND", "OR", "FOLLOWEDBY"))
_QUALIFIERS = frozenset(("WITHIN", "REPEATS", "START"))
_KEYWORDS = _STRING_OPERATORS | _OBSERVATION_OPERATORS | _QUALIFIERS
_KEYWORDS |= {"NOT", "EXISTS", "LAST", "IN", "STOP", "SECONDS", "TIMES", "true", "false"}

# The reference's hash rules (object_validator.HASHES_REGEX), applied with re.match so that,
# as there, "$" also accepts one trailing newline and MD6 only checks a 32-digit prefix.
_HEX_RULES = {
    32: "MD5",
    40: "RIPEMD160 SHA1",
    56: "SHA224 SHA3224",
    64: "SHA256 SHA3256",
    96: "SHA384 SHA3384",
    128: "SHA512 SHA3512 WHIRLPOOL",
}
_HASH_RULES = {
    name: re.compile(f"[a-fA-F0-9]{{{digits}}}$")
    for digits, names in _HEX_RULES.items()
    for name in names.split()
}
_HASH_RULES["MD6"] = re.compile("[a-fA-F0-9]{32}|\n    [a-fA-F0-9]{64}")
_HASH_RULES["SSDEEP"] = re.compile("[a-zA-Z0-9/+:.]{1,128}$")


class _Rejected(InvalidInput):
    """The pattern is not valid; raised inside the parser, turned into a reason string."""

    def __init__(self, token_index: int, reason: str) -> None:
        super().__init__(reason)
        self.token_index = token_index
        self.reason = reason


class _Parser:
    """Recursive descent over token texts; each rule takes a token index, returns the next."""

    __slots__ = ("check_hashes", "depth", "tokens")

    def __init__(self, tokens: list[str], check_hashes: bool) -> None:
        self.tokens = tokens
        self.check_hashes = check_hashes
        self.depth = 0

    def fail(self, i: int, expected: str) -> NoReturn:
        """Reject the pattern at token `i`, which is not what was `expected`."""
        found = self.tokens[i]
        raise _Rejected(i, f"{expected}, found {repr(found) if found else 'the end'}")

    def observations(self, i: int) -> int:
        """Observation expressions joined by AND, OR and FOLLOWEDBY."""
        tokens = self.tokens
        i = self.observation(i)
        while tokens[i] in _OBSERVATION_OPERATORS:
            i = self.observation(i + 1)
        return i

    def observation(self, i: int) -> int:
        """``[ comparisons ]`` or ``( observations )``, then any qualifiers."""
        tokens = self.tokens
        if tokens[i] == "[":
            i = self.expect(self.comparisons(i + 1), "]")
            seen: set[str] | None = set()
        elif tokens[i] == "(":
            self.enter_parenthesis(i)
            i = self.expect(self.observations(i + 1), ")")
            self.depth -= 1
            seen = None  # the reference only checks qualifiers applied directly to [...]
        else:
            self.fail(i, "expected '[' or '('")
        while tokens[i] in _QUALIFIERS:
            if seen is not None:
                if tokens[i] in seen:
                    raise _Rejected(i, f"{tokens[i]} qualifier given twice to one observation")
                seen.add(tokens[i])
            i = self.qualifier(i)
        return i

    def qualifier(self, i: int) -> int:
        """WITHIN n SECONDS, REPEATS n TIMES or START t'...' STOP t'...'."""
        tokens = self.tokens
        keyword, value = tokens[i], tokens[i + 1]
        if keyword == "START":
            if not _is_timestamp(value):
                self.fail(i + 1, "expected a timestamp t'...' after START")
            i = self.expect(i + 2, "STOP")
            if not _is_timestamp(tokens[i]):
                self.fail(i, "expected a timestamp t'...' after STOP")
            return i + 1
        if not _is_positive_number(value) or (keyword == "REPEATS" and "." in value):
            self.fail(i + 1, f"expected a positive number after {keyword}")
        return self.expect(i + 2, "SECONDS" if keyword == "WITHIN" else "TIMES")

    def comparisons(self, i: int) -> int:
        """Property tests joined by AND and OR."""
        tokens = self.tokens
        i = self.property_test(i)
        while tokens[i] == "AND" or tokens[i] == "OR":
            i = self.property_test(i + 1)
        return i

    def property_test(self, i: int) -> int:
        """``( comparisons )``, ``NOT? EXISTS path`` or ``path NOT? operator value``."""
        tokens = self.tokens
        first = tokens[i]
        if first == "(":
            self.enter_parenthesis(i)
            i = self.expect(self.comparisons(i + 1), ")")
            self.depth -= 1
            return i
        if first == "NOT":
            return self.object_path(self.expect(i + 1, "EXISTS"))
        if first == "EXISTS":
            return self.object_path(i + 1)
        path_end = self.object_path(i)
        at = path_end + 1 if tokens[path_end] == "NOT" else path_end
        operator, value = tokens[at], tokens[at + 1]
        end = at + 2
        if operator in _EQUALITY:
            valid = _is_literal(value)
        elif operator in _ORDER:
            valid = _is_literal(value) and value != "true" and value != "false"
        elif operator == "IN":
            valid, end = True, self.set_literal(at + 1)
        elif operator in _STRING_OPERATORS:
            valid = value[:1] == "'" and len(value) > 1
        else:
            self.fail(at, "expected a comparison operator")
        if not valid:
            self.fail(at + 1, f"expected a literal fitting {operator}")
        if self.check_hashes:
            self.check_hash(i + 2, path_end, at + 1, end)
        return end

    def object_path(self, i: int) -> int:
        """``type:property`` then any ``.key``, ``.'key'``, ``[n]``, ``[*]`` steps."""
        tokens = self.tokens
        if not _is_identifier(tokens[i]):
            self.fail(i, "expected an object type")
        i = self.expect(i + 1, ":")
        if not _is_property(tokens[i]):
            self.fail(i, "expected a property name")
        i += 1
        while True:
            if tokens[i] == ".":
                if not _is_property(tokens[i + 1]):
                    self.fail(i + 1, "expected a property name after '.'")
                i += 2
            elif tokens[i] == "[":
                index = tokens[i + 1]
                if index[:1] == "-" and _is_integer(index):
                    raise _Rejected(i + 1, f"negative list index {index} is not supported")
                if index != "*" and not _is_integer(index):
                    self.fail(i + 1, "expected a list index or '*'")
                i = self.expect(i + 2, "]")
            else:
                return i

    def set_literal(self, i: int) -> int:
        """``()`` or ``(literal, ...)``."""
        tokens = self.tokens
        i = self.expect(i, "(")
        if tokens[i] == ")":
            return i + 1
        while True:
            if not _is_literal(tokens[i]):
                self.fail(i, "expected a literal in the set")
            if tokens[i + 1] != ",":
                return self.expect(i + 1, ")")
            i += 2

    def expect(self, i: int, token: str) -> int:
        """Consume `token` at index `i`, or reject."""
        if self.tokens[i] != token:
            self.fail(i, f"expected {token!r}")
        return i + 1

    def enter_parenthesis(self, i: int) -> None:
        """Count one more open parenthesis at token `i`, rejecting beyond MAX_NESTING."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(i, f"nesting deeper than {MAX_NESTING} levels")

    def check_hash(self, path_start: int, path_end: int, value_start: int, value_end: int) -> None:
        """Reject a value that does not fit the hash algorithm the path names."""
        tokens = self.tokens
        path = tokens[path_start:path_end]
        if "hashes" not in path and "'hashes'" not in path:
            return
        selector = path[-1]
        if selector == "]":
            if path[-2] != "*":
                raise _Rejected(path_end - 2, "a list index where a hash name is expected")
            return
        if selector[0] == "'":
            selector = _unescape(selector)
        rule = _HASH_RULES.get(selector.upper().replace("-", "").replace("'", ""))
        value = "".join(tokens[value_start:value_end]).replace("'", "")
        if rule is not None and rule.match(value) is None:
            raise _Rejected(value_start, f"{value!r} is not a valid {selector} hash")


def _is_literal(token: str) -> bool:
    """A primitive literal: number, string, boolean, hex, binary or timestamp."""
    first = token[:1]
    if first in _DIGITS:
        return True
    if first in _SIGN_OR_DOT or first == "'":
        return len(token) > 1  # alone, these are the bare PLUS, MINUS, DOT and QUOTE tokens
    if token == "true" or token == "false":
        return True
    # The tokenizer only yields t'..., h'..., b'... for a complete, well-formed literal.
    return first in _TYPED_PREFIXES and token[1:2] == "'"


def _is_positive_number(token: str) -> bool:
    """An IntPosLiteral or FloatPosLiteral (a leading '+' is allowed)."""
    first = token[:1]
    return first in _DIGITS or (first in _PLUS_OR_DOT and len(token) > 1)


def _is_integer(token: str) -> bool:
    """An IntPosLiteral or IntNegLiteral."""
    first = token[:1]
    return (first in _DIGITS or (first in _SIGN and len(token) > 1)) and "." not in token


def _is_timestamp(token: str) -> bool:
    """A TimestampLiteral (the tokenizer has checked its shape)."""
    return token[:2] == "t'"


def _is_identifier(token: str) -> bool:
    """An identifier, hyphens allowed: what an object type may be."""
    return token[:1] in _IDENTIFIER_START and token[-1] != "'" and token not in _KEYWORDS


def _is_property(token: str) -> bool:
    """An identifier without hyphen or a quoted string: what a property name may be."""
    if token[:1] == "'":
        return len(token) > 1
    return _is_identifier(token) and "-" not in token


def _unescape(string_token: str) -> str:
    """The text of a string literal token without quotes and escapes."""
    return _ESCAPE_RE.sub(r"\1", string_token[1:-1])


def _offset(pattern: str, token_index: int) -> int:
    """Character offset where token number `token_index` starts (error path only)."""
    for index, match in enumerate(_TOKEN_RE.finditer(pattern)):
        if index == token_index:
            return match.start("token")
    return len(pattern)
