"""References between STIX objects: which an object cannot be shown without, and redaction.

A reader sees a reference id only if it may read the target. References the object cannot
exist without (a relationship's ends, a sighting's subject, a report's non-empty
``object_refs``) decide whether the object is visible at all; every other reference is
removed from the copy a reader receives when the reader may not read its target.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any, Literal

RefMode = Literal["all", "any"]

# STIX 2.1 sections 5.1 (relationship) and 5.2 (sighting): required single references.
REQUIRED_SINGLE_REFS: dict[str, tuple[str, ...]] = {
    "relationship": ("source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
}
# Required lists (minItems 1): the object is meaningless once every entry is hidden.
REQUIRED_LIST_REFS: dict[str, str] = {
    "grouping": "object_refs",
    "note": "object_refs",
    "observed-data": "object_refs",
    "opinion": "object_refs",
    "report": "object_refs",
}
# Markings are shown with the object they mark; they reveal no finding.
_MARKING_KEYS = frozenset({"object_marking_refs", "marking_ref"})


def is_stix_id(value: object) -> bool:
    """Whether `value` looks like a STIX identifier (``type--uuid``)."""
    return isinstance(value, str) and "--" in value


def required_refs(obj: Mapping[str, Any]) -> list[tuple[str, RefMode]]:
    """The references `obj` cannot be shown without, each with its mode.

    Mode "all": every such target must be visible. Mode "any": at least one must be.
    """
    kind = obj.get("type")
    found: dict[str, RefMode] = {}
    for key in REQUIRED_SINGLE_REFS.get(str(kind), ()):
        if is_stix_id(obj.get(key)):
            found[obj[key]] = "all"
    list_key = REQUIRED_LIST_REFS.get(str(kind))
    if list_key is not None:
        for ref in obj.get(list_key) or ():
            if is_stix_id(ref):
                found.setdefault(ref, "any")
    return list(found.items())


def redactable_refs(obj: Mapping[str, Any]) -> set[str]:
    """Ids that a copy for a non-owner may have to drop (every reference but markings and
    the required single ones, which visibility already guarantees)."""
    required_single = set(REQUIRED_SINGLE_REFS.get(str(obj.get("type")), ()))
    return {ref for key, ref in _walk_refs(obj) if key not in required_single}


def references(obj: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every (property, id) reference of `obj`, nested ones included, markings excluded."""
    return _walk_refs(obj)


def redact(obj: Mapping[str, Any], visible: Collection[str]) -> dict[str, Any]:
    """A copy of `obj` without references to ids outside `visible` (markings are kept, and
    so are the required single references, which visibility already guarantees).

    A single reference to a hidden target is removed with its key; a list keeps its visible
    entries and is removed when none is left.
    """
    required_single = REQUIRED_SINGLE_REFS.get(str(obj.get("type")), ())
    return {
        key: value
        for key, value in (
            (k, v if k in required_single else _redact_value(k, v, visible)) for k, v in obj.items()
        )
        if value is not _REMOVED
    }


def _redact_nested(obj: Mapping[str, Any], visible: Collection[str]) -> dict[str, Any]:
    return {
        key: value
        for key, value in ((k, _redact_value(k, v, visible)) for k, v in obj.items())
        if value is not _REMOVED
    }


class _Removed:
    pass


_REMOVED: Any = _Removed()


def _redact_value(key: str, value: Any, visible: Collection[str]) -> Any:
    if key in _MARKING_KEYS:
        return value
    if key.endswith("_ref") and is_stix_id(value):
        return value if value in visible else _REMOVED
    if key.endswith("_refs") and type(value) is list:
        kept = [ref for ref in value if not is_stix_id(ref) or ref in visible]
        return kept if kept else _REMOVED
    if type(value) is dict:
        return _redact_nested(value, visible)
    if type(value) is list:
        return [_redact_nested(item, visible) if type(item) is dict else item for item in value]
    return value


def _walk_refs(node: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # `type(...) is` rather than isinstance against ABCs: this runs for every object on
    # the bulk import path, and parsed JSON only holds dicts, lists and scalars.
    for key, value in node.items():
        kind = type(value)
        if kind is str:
            if key.endswith("_ref") and "--" in value and key not in _MARKING_KEYS:
                yield key, value
        elif kind is list:
            if key.endswith("_refs"):
                if key not in _MARKING_KEYS:
                    yield from ((key, ref) for ref in value if type(ref) is str and "--" in ref)
            else:
                for item in value:
                    if type(item) is dict:
                        yield from _walk_refs(item)
        elif kind is dict:
            yield from _walk_refs(value)
