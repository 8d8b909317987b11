"""The fast STIX 2.1 pattern check agrees with the reference validator, stix2patterns."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from accord.core.stix.patterns import MAX_NESTING, pattern_problem

SHA256 = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"
MD5 = "cead3f77f6cda6ec00f57d76c9a6879f"


def reference_accepts(pattern: str) -> bool:
    """The verdict of stix2patterns: valid iff it returns no error message.

    It crashes on some inputs (an empty pattern, a negative list index, a list index after
    'hashes'); a pattern it cannot check is not accepted.
    """
    try:
        return not run_validator(pattern, stix_version="2.1")
    except (AttributeError, UnboundLocalError):
        return False


VALID = [
    # STIX 2.1 specification, section 9.9 (examples), as shipped with stix2patterns
    f"[file:hashes.'SHA-256' = '{SHA256}']",
    r"[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND "
    r"email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']",
    f"[file:hashes.'SHA-256' = '{SHA256}' AND file:mime_type = 'application/x-pdf']",
    f"[file:hashes.'SHA-256' = '{SHA256}' OR file:hashes.MD5 = '{MD5}'] "
    f"AND [file:hashes.'SHA-256' = '{SHA256}']",
    f"([file:hashes.MD5 = '{MD5}'] FOLLOWEDBY "
    r"[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS",
    "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND "
    "user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND "
    "user-account:user_id = '1008' AND user-account:account_login = 'Paul']",
    r"[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND "
    r"artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']",
    r"[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']",
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
    "network-traffic:dst_ref.value = '203.0.113.33/32']",
    "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = "
    "'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    "[domain-name:value = 'www.5z8.info' AND "
    "domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
    "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    "[x509-certificate:issuer = 'CN=WEBMAIL' AND "
    "x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    r"[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR "
    r"windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\Run\\Locker']",
    "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
    "[email-message:sender_ref.value = 'jdoe@example.com' AND "
    "email-message:subject = 'Conference Info']",
    "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] "
    "FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r "
    "localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    r"([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo']) "
    "OR [process:name = 'fooproc' OR process:name = 'procfoo']",
    # literals
    "[ipv4-addr:value = '10.0.0.1']",
    "[file:size > 1024 AND file:size <= 1048576]",
    "[file:size >= -1]",
    "[x-acme:temperature < -12.5]",
    "[x-acme:ratio = .5 OR x-acme:ratio = +.5 OR x-acme:ratio = -.5]",
    "[x-acme:count = +3]",
    "[x-acme:count = 007.5]",
    r"[file:name = 'it\'s']",
    r"[file:name = 'back\\slash']",
    "[file:name = '']",
    "[file:name = 'tab\there, line\nbreak, unicode é ✓']",
    "[x-acme:flag = true AND x-acme:other != false]",
    "[artifact:payload_bin = b'SGVsbG8=']",
    "[artifact:payload_bin = b'SGk=' OR artifact:payload_bin = b'SA==']",
    "[file:magic_number_hex = h'']",
    "[file:created > t'2020-02-29T23:59:60.123456Z']",
    # operators
    "[file:name NOT = 'a.exe']",
    "[file:name != 'a.exe' AND file:name <> 'b.exe' AND file:name == 'c.exe']",
    "[file:name IN ('a.exe', 'b.exe', 'c.exe')]",
    "[file:size NOT IN (1, 2, 3)]",
    "[file:name IN ()]",
    "[x-acme:mixed IN (1, -2.5, 'x', true, h'00', b'AAAA', t'2020-01-01T00:00:00Z')]",
    "[file:name LIKE 'a%.exe' AND file:name NOT LIKE '%.tmp']",
    "[file:name NOT MATCHES '^tmp']",
    "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']",
    "[ipv4-addr:value ISSUPERSET '10.0.0.1/32']",
    "[EXISTS file:name]",
    "[NOT EXISTS file:hashes.MD5 AND EXISTS file:hashes[0]]",
    # object paths
    "[a:b[0].c[+1].'d e'[*] = 1]",
    "[file:'name' = 'x']",
    "[x_custom:prop_1 = 1]",
    "[Windows-Registry-Key:Key = 'x']",
    "[file : name . x [ 0 ] = 'a']",
    # hashes: only the algorithms the reference knows are checked, as it checks them
    "[file:hashes[*] = 'not checked']",
    "[file:hashes.'TLSH' = 'not checked']",
    f"[file:hashes.sha256 = '{SHA256}']",
    f"[file:hashes.'SHA3-256' != '{SHA256}']",
    "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
    f"[file:hashes.MD5 = '{MD5}\n']",
    # observation expressions and qualifiers
    "[file:name = 'a'] AND [file:name = 'b'] OR [file:name = 'c'] FOLLOWEDBY [file:name = 'd']",
    "(([file:name = 'a']))",
    "[((file:name = 'a'))]",
    "( [file:name = 'a'] )",
    "[file:name = 'a'] WITHIN 5.5 SECONDS",
    "[file:name = 'a'] WITHIN 0 SECONDS",
    "[file:name = 'a'] REPEATS 0 TIMES",
    "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
    "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z' "
    "WITHIN 10 SECONDS REPEATS 2 TIMES",
    "([file:name = 'a']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "([file:name = 'a'] REPEATS 2 TIMES) REPEATS 3 TIMES",
    # whitespace and comments
    "[file:name = 'a'] // trailing comment",
    "[file:name /* inline */ = 'a']",
    "  \n[file:name = 'a']\n  ",
    "[file:name = 'a']\u3000",
    "[file:name='a']AND[file:size=1]WITHIN 5SECONDS",
]

INVALID = [
    "",
    "   ",
    "// only a comment",
    "file:name = 'a'",
    "[file:name = 'a'",
    "file:name = 'a']",
    "[file:name = 'a']]",
    "[[file:name = 'a']]",
    "[]",
    "()",
    "[file:name = 'a'] [file:name = 'b']",
    "[file:name = 'a'] AND",
    "AND [file:name = 'a']",
    "[file:name = 'a'] and [file:name = 'b']",
    "[file:name = 'a'] FOLLOWED BY [file:name = 'b']",
    "[file:name = 'a' AND]",
    "[file:name = 'a' AND AND file:size = 1]",
    "[(file:name = 'a']",
    "[file:name = 'a')]",
    "([file:name = 'a']",
    "[file:name = 'a'] ; DROP TABLE indicators",
    # operators
    "[file:name 'a']",
    "[file:name =! 'a']",
    "[file:name === 'a']",
    "[file:name => 'a']",
    "[file:name ~ 'a']",
    "[file:name NOT NOT = 'a']",
    "[NOT file:name = 'a']",
    "[file:name NOT EXISTS]",
    "[EXISTS]",
    "[file:size > true]",
    "[file:name LIKE 5]",
    "[file:name MATCHES h'00']",
    "[file:name IN 'a']",
    "[file:name IN ('a',)]",
    "[file:name IN ('a' 'b')]",
    "[file:name IN (('a'))]",
    # literals
    "[file:name = 'a]",
    r"[file:name = 'a\b']",
    "[file:name = a]",
    '[file:name = "a"]',
    "[file:size = 01]",
    "[file:size = 1.]",
    "[file:size = - 1]",
    "[file:size = 1e5]",
    "[file:created = t'2016-13-01T00:00:00Z']",
    "[file:created = t'2016-02-30T24:00:00Z']",
    "[file:created = t'2016-06-01 00:00:00Z']",
    "[file:created = t'2016-06-01T00:00:00']",
    "[file:created = t'2016-06-01T00:00:00+01:00']",
    "[file:magic_number_hex = h'abc']",
    "[file:magic_number_hex = h'zz']",
    "[artifact:payload_bin = b'SGVsbG8']",
    "[artifact:payload_bin = b'']",
    # object paths
    "[EXISTS file]",
    "[file = 'a']",
    "[:name = 'a']",
    "[file:name. = 'a']",
    "[file:first-name = 'a']",
    "[file:name[] = 'a']",
    "[file:name[x] = 'a']",
    "[file:name[1.5] = 'a']",
    "[file:name[-1] = 'a']",
    "[file:AND = 'a']",
    "[AND:name = 'a']",
    "[true:name = 'a']",
    "[file:näme = 'a']",
    # hashes
    "[file:hashes.MD5 = 'not-a-hash']",
    "[file:hashes.'SHA-256' = 'aec0']",
    f"[file:hashes.MD5 IN ('{MD5}')]",
    f"[file:hashes.'SHA-1' = h'{MD5}cead3f77']",
    "[file:hashes[0] = 'a']",
    # qualifiers
    "[file:name = 'a'] WITHIN 5 MINUTES",
    "[file:name = 'a'] WITHIN -5 SECONDS",
    "[file:name = 'a'] WITHIN SECONDS",
    "[file:name = 'a'] REPEATS 2.5 TIMES",
    "[file:name = 'a'] REPEATS 2 TIMES REPEATS 3 TIMES",
    "[file:name = 'a'] WITHIN 5 SECONDS REPEATS 2 TIMES WITHIN 6 SECONDS",
    "[file:name = 'a'] START '2016-06-01T00:00:00Z' STOP '2016-07-01T00:00:00Z'",
    "[file:name = 'a'] START t'2016-06-01T00:00:00Z'",
    "[file:name = 'a'] LAST 5 SECONDS",
    "[file:name = 'a'] WITHIN 5 SECONDS)",
    # whitespace, comments and stray characters
    "/* comment */ [file:name = 'a']",
    "([file:name = 'a'] /* unterminated",
    "[file:name = 'a']\x00",
    "[file:name = 'a']\x1c",
]


@pytest.mark.parametrize("pattern", VALID)
def test_valid_pattern_is_accepted_like_the_reference_does(pattern: str) -> None:
    assert reference_accepts(pattern)
    assert pattern_problem(pattern) is None


@pytest.mark.parametrize("pattern", INVALID)
def test_invalid_pattern_is_rejected_with_a_reason_like_the_reference_does(pattern: str) -> None:
    assert not reference_accepts(pattern)
    reason = pattern_problem(pattern)
    assert reason
    assert reason.startswith("offset ")


def test_reason_names_the_offset_of_the_offending_token() -> None:
    assert pattern_problem("[file:name = 'a'] AND [file:name ~ 'b']") == (
        "offset 33: expected a comparison operator, found '~'"
    )
    assert pattern_problem("[file:name = 'a'") == "offset 16: expected ']', found the end"


def test_nesting_deeper_than_the_limit_is_rejected() -> None:
    deep = "(" * (MAX_NESTING + 1) + "[file:name = 'a']" + ")" * (MAX_NESTING + 1)
    assert "nesting deeper" in (pattern_problem(deep) or "")
    shallow = "(" * 50 + "[" + "(" * 50 + "file:name = 'a'" + ")" * 50 + "]" + ")" * 50
    assert pattern_problem(shallow) is None
    assert reference_accepts(shallow)


# --- property tests: patterns generated from the grammar, and mutations of them -------------

SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", " /* c */ ", "\u3000"])
OBJECT_TYPES = ["file", "ipv4-addr", "domain-name", "x-acme-widget", "process", "_t", "Url"]
PROPERTIES = ["name", "value", "size", "src_ref", "x_1", "'with space'", r"'it\'s'", "Key"]
HASH_NAMES = {"MD5": 32, "'MD5'": 32, "'SHA-1'": 40, "SHA1": 40, "'SHA-256'": 64, "sha256": 64}
HASH_NAMES |= {"'SHA-512'": 128, "'SHA3-256'": 64, "WHIRLPOOL": 128, "'TLSH'": 70, "MD6": 32}
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .%/\\'-é", max_size=12)


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes()).isoformat(timespec=draw(st.sampled_from(["seconds", "auto"])))
    return f"t'{moment}Z'"


@st.composite
def literals(draw: st.DrawFn, orderable: bool = False) -> str:
    kind = draw(st.sampled_from(["int", "float", "str", "str", "hex", "bin", "ts", "bool"]))
    if kind == "int":
        return str(draw(st.integers(-10_000, 10_000)))
    if kind == "float":
        return repr(draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)))
    if kind == "hex":
        return "h'" + draw(st.binary(max_size=6)).hex() + "'"
    if kind == "bin":
        return "b'" + draw(st.sampled_from(["AAAA", "SGk=", "SA==", "SGVsbG8h", "SGVsbG8="])) + "'"
    if kind == "ts":
        return draw(timestamps())
    if kind == "bool" and not orderable:
        return draw(st.sampled_from(["true", "false"]))
    return _quoted(draw(TEXT))


@st.composite
def object_paths(draw: st.DrawFn) -> str:
    path = draw(st.sampled_from(OBJECT_TYPES)) + ":" + draw(st.sampled_from(PROPERTIES))
    for _ in range(draw(st.integers(0, 2))):
        step = draw(st.sampled_from([".", "[", "[*]"]))
        if step == ".":
            path += "." + draw(st.sampled_from(PROPERTIES))
        elif step == "[":
            path += f"[{draw(st.integers(0, 9))}]"
        else:
            path += step
    return path


@st.composite
def property_tests(draw: st.DrawFn) -> str:
    sep = draw(SEPARATORS)
    kind = draw(st.sampled_from(["eq", "eq", "order", "in", "string", "exists", "hash"]))
    negate = draw(st.booleans())
    not_ = f"NOT{sep}" if negate else ""
    if kind == "exists":
        return f"{not_}EXISTS{sep}{draw(object_paths())}"
    if kind == "hash":
        name = draw(st.sampled_from(sorted(HASH_NAMES)))
        digits = HASH_NAMES[name] + draw(st.sampled_from([0, 0, 0, 0, -2]))
        value = draw(st.text(alphabet="0123456789abcdefABCDEF", min_size=digits, max_size=digits))
        return f"file:hashes.{name}{sep}{draw(st.sampled_from(['=', '!=']))}{sep}'{value}'"
    path = draw(object_paths())
    if kind == "eq":
        operator, value = draw(st.sampled_from(["=", "!=", "==", "<>"])), draw(literals())
    elif kind == "order":
        operator = draw(st.sampled_from(["<", "<=", ">", ">="]))
        value = draw(literals(orderable=True))
    elif kind == "in":
        values = draw(st.lists(literals(), max_size=3))
        operator, value = "IN", "(" + f",{sep}".join(values) + ")"
    else:
        operator = draw(st.sampled_from(["LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"]))
        value = _quoted(draw(TEXT))
    return f"{path}{sep}{not_}{operator}{sep}{value}"


@st.composite
def comparisons(draw: st.DrawFn, depth: int = 0) -> str:
    sep = draw(SEPARATORS)
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.integers(0, 5)) == 0:
            parts.append(f"({sep}{draw(comparisons(depth + 1))}{sep})")
        else:
            parts.append(draw(property_tests()))
    joins = [f"{sep}{draw(st.sampled_from(['AND', 'OR']))}{sep}" for _ in parts[1:]]
    return parts[0] + "".join(join + part for join, part in zip(joins, parts[1:], strict=True))


@st.composite
def qualifiers(draw: st.DrawFn) -> str:
    sep = draw(SEPARATORS)
    chosen = draw(st.lists(st.sampled_from(["WITHIN", "REPEATS", "START"]), max_size=2))
    text = ""
    for keyword in chosen:
        if keyword == "WITHIN":
            seconds = draw(st.sampled_from(["5", "300", "0.5", "1800"]))
            text += f"{sep}WITHIN{sep}{seconds}{sep}SECONDS"
        elif keyword == "REPEATS":
            text += f"{sep}REPEATS{sep}{draw(st.integers(0, 9))}{sep}TIMES"
        else:
            start, stop = draw(timestamps()), draw(st.one_of(timestamps(), literals()))
            text += f"{sep}START{sep}{start}{sep}STOP{sep}{stop}"
    return text


@st.composite
def observations(draw: st.DrawFn, depth: int = 0) -> str:
    sep = draw(SEPARATORS)
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            parts.append(f"({sep}{draw(observations(depth + 1))}{sep})")
        else:
            parts.append(f"[{draw(comparisons())}]")
        parts[-1] += draw(qualifiers())
    joins = [f"{sep}{draw(st.sampled_from(['AND', 'OR', 'FOLLOWEDBY']))}{sep}" for _ in parts[1:]]
    return parts[0] + "".join(join + part for join, part in zip(joins, parts[1:], strict=True))


@st.composite
def indicator_comparisons(draw: st.DrawFn) -> str:
    """The comparisons most indicators are made of, spaced as feeds space them."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        name = draw(st.sampled_from(["MD5", "'SHA-1'", "SHA1", "'SHA-256'", "SHA256", "'SHA-512'"]))
        digits = HASH_NAMES.get(name, 128) + draw(st.sampled_from([0, 0, 0, 1]))
        value = draw(st.text(alphabet="0123456789abcdefABCDEF", min_size=digits, max_size=digits))
        return f"file:hashes.{name} = '{value}'"
    if kind == 1:
        octets = draw(st.lists(st.integers(0, 255), min_size=4, max_size=4))
        return f"ipv4-addr:value = '{'.'.join(map(str, octets))}'"
    if kind == 2:
        return (
            f"{draw(object_paths())} {draw(st.sampled_from(['<', '>=', '!=']))} {draw(literals())}"
        )
    if kind == 3:
        return f"file:name IN ({draw(literals())}, {draw(literals())})"
    if kind == 4:
        return f"{draw(st.sampled_from(['', 'NOT ']))}EXISTS {draw(object_paths())}"
    return f"process:command_line MATCHES {_quoted(draw(TEXT))}"


@st.composite
def indicator_patterns(draw: st.DrawFn) -> str:
    """Realistic single-spaced indicator patterns: the shape the fast path is made for."""
    first, second = draw(indicator_comparisons()), draw(indicator_comparisons())
    return draw(
        st.sampled_from(
            [
                f"[{first}]",
                f"[{first} OR {second}]",
                f"[({first} OR {second}) AND {first}]",
                f"[{first}] AND [{second}] REPEATS 2 TIMES WITHIN 60 SECONDS",
                f"([{first}] FOLLOWEDBY [{second}]) WITHIN 300 SECONDS",
            ]
        )
    )


GENERATED_PATTERNS = st.one_of(observations(), indicator_patterns())
MUTATION_CHARACTERS = st.sampled_from([*"[]()'\\:.,=!<>*-+/ tThb0159aAEZ_\n", "AND", "é"])


@st.composite
def mutated(draw: st.DrawFn, patterns: st.SearchStrategy[str]) -> str:
    pattern = draw(patterns)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(pattern)))
        action = draw(st.sampled_from(["delete", "insert", "swap"]))
        if action == "delete":
            pattern = pattern[:at] + pattern[at + 1 :]
        elif action == "insert":
            pattern = pattern[:at] + draw(MUTATION_CHARACTERS) + pattern[at:]
        elif at + 1 < len(pattern):
            pattern = pattern[:at] + pattern[at + 1] + pattern[at] + pattern[at + 2 :]
    return pattern


PROPERTY_SETTINGS = settings(
    max_examples=450, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(GENERATED_PATTERNS)
def test_generated_pattern_gets_the_reference_verdict(pattern: str) -> None:
    assert (pattern_problem(pattern) is None) == reference_accepts(pattern), pattern


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(mutated(GENERATED_PATTERNS))
def test_mutated_pattern_gets_the_reference_verdict(pattern: str) -> None:
    verdict = pattern_problem(pattern)
    assert (verdict is None) == reference_accepts(pattern), (pattern, verdict)
