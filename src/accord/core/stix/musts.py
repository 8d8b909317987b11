"""The MUST rules that stix2-validator checks in code, beyond its JSON schemas.

stix2-validator runs these (``stix2validator/v21/musts.py``) in its default, non-strict mode,
where the SHOULD rules only warn. Each rule returns the first violation as ``(field,
reason)``; where the reference crashes on a value (so never accepts it), so does the rule.
The vocabularies (language codes, IANA registries, which properties are timestamps) come
from the reference's own tables, so that both stay in step.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from accord.core.stix.patterns import pattern_problem
from accord.core.stix.schemas import reference_tables

Problem = tuple[str, str]
"""A broken rule: the field (a property name or a dotted path) and the reason."""

Rule = Callable[[Mapping[str, Any]], Problem | None]


def must_problem(obj: Mapping[str, Any]) -> Problem | None:
    """Return the first MUST rule that ``obj`` breaks, as ``(field, reason)``, or None.

    Only ``obj`` itself is checked, not the objects it nests. The rules tolerate any shape:
    the reference also runs them on STIX objects nested in lists, which no schema covers.
    """
    # The reference crashes on (so rejects) an id that is no string, or a type that is a
    # list or an object; a type of another kind gets the rules for every object.
    stix_type = obj.get("type")
    if not isinstance(obj.get("id"), str):
        return "id", "must be a string"
    if isinstance(stix_type, (list, dict)):
        return "type", "must be a string"
    stix_type = stix_type if isinstance(stix_type, str) else ""
    for rule in _rules_for(stix_type):
        problem = rule(obj)
        if problem is not None:
            return problem
    return None


_TABLES = reference_tables()
_LANGUAGE_CODES: frozenset[str] = frozenset(_TABLES.LANG_CODES)
_SOFTWARE_LANGUAGE_CODES = _LANGUAGE_CODES | frozenset(_TABLES.SOFTWARE_LANG_CODES)
_OBSERVABLE_TYPES: frozenset[str] = frozenset(_TABLES.OBSERVABLE_TYPES)
_OBSERVABLE_PROPERTIES: dict[str, frozenset[str]] = {
    name: frozenset(properties) for name, properties in _TABLES.OBSERVABLE_PROPERTIES.items()
}


@lru_cache(maxsize=1024)
def _rules_for(stix_type: str) -> tuple[Rule, ...]:
    """The rules for one type, assembled once (types outside the spec are bounded by LRU)."""
    timestamps = ("created", "modified", *_TABLES.TIMESTAMP_PROPERTIES.get(stix_type, ()))
    orders = [("modified", "ge", "created"), *_TABLES.TIMESTAMP_COMPARE.get(stix_type, ())]
    rules: list[Rule] = [_language, _marking_selectors, _cpe]
    if stix_type in _OBSERVABLE_TYPES:
        timestamps += tuple(_TABLES.TIMESTAMP_OBSERVABLE_PROPERTIES.get(stix_type, ()))
        rules += [_embedded_timestamps, _observable_or_members, _id_uuid_version]
    rules += _TYPE_RULES.get(stix_type, ())
    return (_timestamps_rule(timestamps, orders), *rules)


# --- timestamps ------------------------------------------------------------------------

# The form the schemas require (a `$` that, as in Python, allows a final newline).
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?Z$"
)
# Timestamps that are surely real instants (no 0000 year, day 29-31 or leap second).
_PLAIN_TIMESTAMP = re.compile(
    r"(?!0000)[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z\n?"
)


def _timestamp_problem(value: Any) -> str | None:
    """Why ``value`` names no real instant although it has the form of a timestamp."""
    if not isinstance(value, str):
        return "must be a timestamp string"
    if _PLAIN_TIMESTAMP.fullmatch(value) is not None or _TIMESTAMP.match(value) is None:
        return None  # the schema judges the form
    if value[17:19] == "60":
        return f"{value!r} is not a valid timestamp: second must be in 0..59"
    try:
        date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError as error:
        return f"{value!r} is not a valid timestamp: {error}"
    return None


def _timestamps_rule(names: tuple[str, ...], orders: list[tuple[str, str, str]]) -> Rule:
    """Each of ``names`` present is a real instant; each ``(later, op, earlier)`` holds."""

    def timestamps(obj: Mapping[str, Any]) -> Problem | None:
        for name in names:
            reason = _timestamp_problem(obj[name]) if name in obj else None
            if reason is not None:
                return name, reason
        for later, operator, earlier in orders:
            strictly = operator == "gt"
            if (
                later in obj
                and earlier in obj
                and not _in_order(obj[later], obj[earlier], strictly=strictly)
            ):
                relation = "later than" if strictly else "later than or equal to"
                return later, f"must be {relation} '{earlier}' ({obj[earlier]})"
        return None

    return timestamps


def _embedded_timestamps(obj: Mapping[str, Any]) -> Problem | None:
    for container, names in _TABLES.TIMESTAMP_EMBEDDED_PROPERTIES.get(obj["type"], {}).items():
        holder = obj.get(container)
        if not isinstance(holder, dict):
            continue
        # Under `extensions` the timestamps sit one level deeper, in each extension.
        holders: dict[str, Any] = holder if container == "extensions" else {"": holder}
        for key, properties in holders.items():
            problem = (
                _timestamps_rule(names, [])(properties) if isinstance(properties, dict) else None
            )
            if problem is not None:
                return ".".join(filter(None, (container, key, problem[0]))), problem[1]
    return None


def _in_order(later: Any, earlier: Any, *, strictly: bool) -> bool:
    """Compare two timestamps the way the reference does.

    It compares instants when both parse (at most six fractional digits), else the strings.
    Two strings of the same length order the same either way, which spares the parsing.
    """
    if not isinstance(later, str) or not isinstance(earlier, str):
        return False  # the reference crashes on these
    if len(later) != len(earlier):
        first, second = _instant(later), _instant(earlier)
        if first is not None and second is not None:
            return first > second if strictly else first >= second
    return later > earlier if strictly else later >= earlier


def _instant(value: str) -> datetime | None:
    if _TIMESTAMP.match(value) is None:
        return None
    for form in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, form)
        except ValueError:
            continue
    return None


# --- rules for every object ------------------------------------------------------------


def _language(obj: Mapping[str, Any]) -> Problem | None:
    if "lang" in obj:
        code = obj["lang"]
        if not isinstance(code, str) or code not in _LANGUAGE_CODES:
            return "lang", f"{code!r} is not an RFC 5646 language code"
    return None


_LIST_INDEX = re.compile(r"\[(\d+)\]")


def _marking_selectors(obj: Mapping[str, Any]) -> Problem | None:
    markings = obj.get("granular_markings")
    if not isinstance(markings, list):
        return None
    for position, marking in enumerate(markings):
        if not isinstance(marking, dict) or not isinstance(marking.get("selectors"), list):
            continue
        for selector in marking["selectors"]:
            reason = _selector_problem(obj, selector)
            if reason is not None:
                return f"granular_markings[{position}].selectors", reason
    return None


def _selector_problem(obj: Mapping[str, Any], selector: Any) -> str | None:
    """Why ``selector`` points at nothing in ``obj`` (segments: names, or ``[n]`` indexes)."""
    if not isinstance(selector, str):
        return f"{selector!r} is not a selector string"
    node: Any = obj
    for segment in selector.split("."):
        index = _LIST_INDEX.match(segment)
        if index is not None:
            # As in the reference, a string may be indexed too.
            if not isinstance(node, (list, str)):
                return f"{selector!r} is not a valid selector: {segment} indexes no list"
            if int(index.group(1)) >= len(node):
                return f"{selector!r} is not a valid selector: {segment} is out of range"
            node = node[int(index.group(1))]
        elif isinstance(node, Mapping) and segment in node:
            node = node[segment]
        else:
            return f"{selector!r} is not a valid selector: {segment!r} is not a property"
    return None


def _cpe(obj: Mapping[str, Any]) -> Problem | None:
    if "cpe" not in obj:
        return None
    # Imported here: only software objects carry a CPE, and the package has no types.
    from cpe import CPE  # type: ignore[import-untyped]

    name = obj["cpe"]
    try:
        if isinstance(name, str):
            CPE(name, CPE.VERSION_2_3)
            return None
    except NotImplementedError:
        pass
    return "cpe", f"{name!r} is not a CPE 2.3 name"


# --- rules for one type ----------------------------------------------------------------


def _no_self_marking(obj: Mapping[str, Any]) -> Problem | None:
    own_id = obj.get("id")
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list) and own_id in refs:
        return "object_marking_refs", "a marking definition must not mark itself"
    markings = obj.get("granular_markings")
    for position, marking in enumerate(markings if isinstance(markings, list) else ()):
        if isinstance(marking, dict) and marking.get("marking_ref") == own_id:
            field = f"granular_markings[{position}].marking_ref"
            return field, "a marking definition must not mark itself"
    return None


def _indicator_pattern(obj: Mapping[str, Any]) -> Problem | None:
    pattern = obj.get("pattern")
    if obj.get("pattern_type") != "stix" or not isinstance(pattern, str):
        return None
    reason = pattern_problem(pattern)
    # The reference checks a pattern declared older with the STIX 2.0 grammar (then reads
    # it with the 2.1 one): it must pass both. That checker takes a millisecond.
    version = obj.get("pattern_version", obj.get("spec_version", "2.1"))
    if reason is None and version != "2.1":
        from stix2patterns.validator import run_validator

        errors = run_validator(pattern, stix_version="2.0")
        reason = f"not a valid STIX 2.0 pattern: {errors[0]}" if errors else None
    reason = reason or _pattern_names_problem(pattern)
    return None if reason is None else ("pattern", reason)


# Each object path of a (valid) pattern: `type:property` or `type:'property'`. String
# literals and comments are matched too, only so that their insides are skipped.
_OBJECT_PATH = re.compile(
    r"'(?:[^'\\]|\\.)*'|/\*.*?\*/|//[^\r\n]*"
    r"|(?P<type>[A-Za-z_][A-Za-z0-9_-]*)\s*:\s*"
    r"(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|'(?P<quoted>(?:[^'\\]|\\.)*)')",
    re.DOTALL,
)
_TYPE_NAME = re.compile(r"^\-?[a-z0-9]+(-[a-z0-9]+)*\-?$")
_PROPERTY_NAME = re.compile(r"^[a-z0-9_]{3,250}$")


def _pattern_names_problem(pattern: str) -> str | None:
    """Why an object type or top property named in a valid pattern is no valid name.

    Names the spec defines are fine; others must follow the naming rules of custom types
    and properties (the custom prefix checks are SHOULDs: off in default mode).
    """
    for path in _OBJECT_PATH.finditer(pattern):
        object_type = path["type"]
        if object_type is None:
            continue
        if object_type not in _OBSERVABLE_TYPES and (
            _TYPE_NAME.match(object_type) is None or not 3 <= len(object_type) <= 250
        ):
            return f"{object_type!r} is not a valid observable type name"
        name = path["name"]
        if name is None:
            name = path["quoted"].replace("\\'", "'").replace("\\\\", "\\")
        if name in _OBSERVABLE_PROPERTIES.get(object_type, ()):
            continue
        if _PROPERTY_NAME.match(name) is None:
            return f"{name!r} is not a valid observable property name"
    return None


def _language_contents(obj: Mapping[str, Any]) -> Problem | None:
    if "contents" not in obj:
        return None
    contents = obj["contents"]
    if not isinstance(contents, dict):
        return "contents", "must map language codes to translations"
    for code, translations in contents.items():
        if code not in _LANGUAGE_CODES:
            return f"contents.{code}", "the key must be an RFC 5646 language code"
        if not isinstance(translations, dict):
            return f"contents.{code}", "must map property names to their translations"
        for name in translations:
            if not isinstance(name, str) or _PROPERTY_NAME.match(name) is None:
                return f"contents.{code}.{name}", "is not a valid property name"
    return None


_TYPE_RULES: dict[str, tuple[Rule, ...]] = {
    "marking-definition": (_no_self_marking,),
    "indicator": (_indicator_pattern,),
    "language-content": (_language_contents,),
}


# --- cyber observables -----------------------------------------------------------------

# The ID contributing properties (STIX 2.1 section 6) of the observables whose all are
# optional: with none of them, the id cannot be a UUIDv5 and must be a UUIDv4.
_ID_CONTRIBUTING = {
    "artifact": ("hashes", "payload_bin"),
    "email-message": ("from_ref", "subject", "body"),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
}


def _id_uuid_version(obj: Mapping[str, Any]) -> Problem | None:
    stix_type = obj["type"]
    if stix_type != "process" and stix_type not in _ID_CONTRIBUTING:
        return None
    try:
        version = uuid.UUID(obj["id"].split("--")[-1]).version
    except ValueError:
        return "id", "must end in a UUID"
    if stix_type == "process" and version != 4:
        return "id", "a process must have a UUIDv4 id"
    if version != 4 and not any(name in obj for name in _ID_CONTRIBUTING.get(stix_type, ())):
        return "id", "without ID contributing properties the id must be a UUIDv4"
    return None


def _observable_or_members(obj: Mapping[str, Any]) -> Problem | None:
    # As for observed-data, the reference applies the rules to the values of an `objects`
    # property instead of to the observable itself (and crashes if it is no dictionary).
    if "objects" not in obj:
        return observable_problem(obj)
    if not isinstance(obj["objects"], dict):
        return "objects", "stix2-validator requires a dictionary here"
    return observables_problem(obj["objects"])


def observables_problem(objects: dict[str, Any]) -> Problem | None:
    """The observable rules on each value of an observed-data ``objects`` dictionary."""
    for key, member in objects.items():
        if not isinstance(member, dict):
            return f"objects.{key}", "must be a cyber observable object"
        problem = observable_problem(member)
        if problem is not None:
            return f"objects.{key}.{problem[0]}", problem[1]
    return None


def observable_problem(sco: Mapping[str, Any]) -> Problem | None:
    """The rules for an observable, at the top level or inside observed-data ``objects``.

    (The timestamp and id rules apply at the top level only, as in the reference.)
    """
    stix_type = sco.get("type")
    if "id" not in sco:
        # The reference crashes on it (its character set rule reads every observable's id).
        return "id", "stix2-validator requires an id on every observable"
    if stix_type == "network-traffic" and "start" in sco and "end" in sco:
        if not _in_order(sco["end"], sco["start"], strictly=False):
            return "end", f"must be later than or equal to 'start' ({sco['start']})"
    elif stix_type == "artifact" and "mime_type" in sco:
        if not _is_listed(sco["mime_type"], "media_types"):
            return "mime_type", "must be an IANA registered media type"
    elif stix_type in ("directory", "file"):
        name = "path_enc" if stix_type == "directory" else "name_enc"
        if name in sco and not _is_listed(sco[name], "char_sets"):
            return name, "must be an IANA registered character set"
    elif stix_type == "software" and "languages" in sco:
        # Any iterable is walked as in the reference (a string by its characters).
        languages = sco["languages"]
        if not isinstance(languages, (list, dict, str)):
            return "languages", "must be a list of language codes"
        for position, code in enumerate(languages):
            if not isinstance(code, str) or code not in _SOFTWARE_LANGUAGE_CODES:
                return f"languages[{position}]", f"{code!r} is not a language code"
    return None


def _is_listed(value: Any, registry: str) -> bool:
    """Whether ``value`` is in an IANA registry (``media_types``, ``char_sets``)."""
    return isinstance(value, str) and value in _iana_registry(registry)


@cache
def _iana_registry(name: str) -> frozenset[str]:
    return frozenset(getattr(_TABLES, name)())  # read from CSV files: on first use only
