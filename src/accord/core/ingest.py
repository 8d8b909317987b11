"""Turning a bundle's objects into rows to store: validation, markings, versions.

Each object is checked on its own: an invalid one is left out with a :class:`Rejection`
naming it (position, id, field, reason), and the rest of the bundle is stored. That is also
how TAXII 2.1 treats the objects of one envelope, and it lets validation, preparation and
writing of a large bundle run side by side on every core.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from accord.core.errors import InvalidInput, InvalidStixObject
from accord.core.markings import (
    TLP2_IDS,
    TLP_BY_MARKING_ID,
    Tlp,
    release_list_of,
    release_marking,
    strictest_tlp,
)
from accord.core.stix import refs
from accord.core.stix.canonical import (
    UNVERSIONED,
    canonical_json,
    parse_timestamp,
    sortable_timestamp,
)
from accord.core.stix.validation import validate_object

# Below this many objects, forking workers costs more than it saves.
_PARALLEL_MIN = 4000
_UNVERSIONED_KEY = sortable_timestamp(UNVERSIONED)


@dataclass(frozen=True)
class MarkingOverride:
    """Markings set at import time (``accord import --tlp --release``), replacing the
    object's own TLP and release markings; other markings stay.

    With ``fill_only``, an object keeps the TLP or release marking it has, and receives
    the override's only where it has none of that kind (objects posted to a collection
    whose audience is a sharing group are released to that group unless they say).
    """

    tlp: Tlp | None = None
    release: tuple[str, ...] | None = None
    fill_only: bool = False


@dataclass(frozen=True)
class Rejection:
    """An object an import left out, and why."""

    index: int
    object_id: str | None
    field: str
    reason: str

    def error(self) -> InvalidStixObject:
        """The rejection as the error that names the object, its position and the field."""
        return InvalidStixObject(self.object_id, self.field, self.reason, index=self.index)

    def __str__(self) -> str:
        return str(self.error())


class PreparedObject(NamedTuple):
    """One validated object, ready to become a row.

    Plain values only. Timestamps are UTC text in :func:`sortable_timestamp` form: equal
    text, equal instant; text order, time order.
    """

    stix_id: str
    type: str
    spec_version: str
    created: str | None
    version: str
    revoked: bool
    tlp: str | None
    release: tuple[str, ...]  # sorted grantees
    required_refs: tuple[tuple[str, str], ...]
    has_refs: bool
    labels: tuple[str, ...]  # distinct, for the views that select by label
    body: str
    position: int  # in the bundle, for rejections found when writing


@dataclass(frozen=True)
class Bundle:
    """A bundle's objects with the markings they carry, ready to check and prepare."""

    objects: list[Mapping[str, Any]]
    release_by_marking: Mapping[str, frozenset[str]]
    known_grantees: frozenset[str]
    workers: int

    def prepare_range(self, start: int, stop: int) -> tuple[list[PreparedObject], list[Rejection]]:
        """Objects ``start`` to ``stop`` (exclusive): the valid ones as rows to store, the
        others as rejections."""
        prepared: list[PreparedObject] = []
        rejected: list[Rejection] = []
        for index in range(start, stop):
            obj = self.objects[index]
            try:
                validate_object(obj, index=index)
                prepared.append(
                    _prepare_one(obj, index, self.release_by_marking, self.known_grantees)
                )
            except InvalidStixObject as error:
                rejected.append(Rejection(index, error.object_id, error.field, error.reason))
        return prepared, rejected

    def parallel_workers(self) -> int:
        """How many processes should handle this bundle (one for a small bundle)."""
        return self.workers if len(self.objects) >= _PARALLEL_MIN else 1


def open_bundle(
    objects: Sequence[Mapping[str, Any]],
    *,
    override: MarkingOverride | None,
    stored_release_markings: Mapping[str, frozenset[str]],
    known_grantees: frozenset[str],
    workers: int = 1,
) -> Bundle:
    """The bundle with the override's markings applied; InvalidInput if the override names
    a partner or group that does not exist (every object would be rejected for it).

    `stored_release_markings` maps the ids of release markings already in the store to
    their grantees; the bundle's own release markings are added to it.
    """
    unknown = sorted(set(override.release or ()) - known_grantees) if override else []
    if unknown:
        raise InvalidInput(
            f"the release list names {unknown[0]!r}, which is no partner or sharing group here"
        )
    objects = list(objects)
    if override is not None:
        objects = _apply_override(objects, override, stored_release_markings)
    release_by_marking = dict(stored_release_markings)
    for obj in objects:
        grantees = release_list_of(obj) if obj.get("type") == "marking-definition" else None
        if grantees is not None:
            release_by_marking[obj["id"]] = grantees
    return Bundle(objects, release_by_marking, known_grantees, workers)


def _release_of(
    obj: Mapping[str, Any],
    index: int,
    release_by_marking: Mapping[str, frozenset[str]],
    known_grantees: frozenset[str],
) -> frozenset[str]:
    """The grantees the object is released to; every one must be a partner or group."""
    marking_refs = obj.get("object_marking_refs") or ()
    own_release = release_list_of(obj) if obj["type"] == "marking-definition" else None
    release = frozenset(own_release or ()).union(
        *(release_by_marking[ref] for ref in marking_refs if ref in release_by_marking)
    )
    unknown = release - known_grantees
    if unknown:
        raise InvalidStixObject(
            obj["id"],
            "object_marking_refs",
            f"release list names {min(unknown)!r}, which is no partner or sharing group here",
            index=index,
        )
    return release


def _prepare_one(
    obj: Mapping[str, Any],
    index: int,
    release_by_marking: Mapping[str, frozenset[str]],
    known_grantees: frozenset[str],
) -> PreparedObject:
    stix_id = obj["id"]
    tlp = strictest_tlp(obj.get("object_marking_refs") or ())
    if stix_id in TLP_BY_MARKING_ID:
        # The TLP marking-definitions are published standards; their bodies stay as OASIS
        # wrote them (unmarked), and every partner reads them.
        tlp = Tlp.CLEAR
    release = _release_of(obj, index, release_by_marking, known_grantees)
    created_text = obj.get("created")
    created = _key(created_text) if isinstance(created_text, str) else None
    modified_text = obj.get("modified")
    if isinstance(modified_text, str) and modified_text != created_text:
        version = _key(modified_text)
    else:
        version = created or _UNVERSIONED_KEY
    body = canonical_json(obj)
    return PreparedObject(
        stix_id,
        obj["type"],
        obj.get("spec_version", "2.1"),
        created,
        version,
        bool(obj.get("revoked", False)),
        tlp.value if tlp else None,
        tuple(sorted(release)),
        tuple(refs.required_refs(obj)),
        _may_hold_refs(body),
        tuple(dict.fromkeys(label for label in obj.get("labels") or () if len(label) <= 250)),
        body,
        index,
    )


# A reference property name as compact JSON writes it (`"created_by_ref":`), markings aside.
# JSON escapes every quote inside a string, so only property names match.
# It starts with the literal `_ref`, which the regex engine looks for with a fast scan; the
# look-behinds come after it (the same matches as look-behinds before it, 30x faster).
_REFERENCE_NAME = re.compile(r'_ref(?:s(?<!"object_marking_refs)|(?<!"marking_ref))":')


def _may_hold_refs(body: str) -> bool:
    """Whether the object has references a reader may need removed. A cheap, conservative
    test on the canonical JSON: it may say yes in vain, never no in vain."""
    return _REFERENCE_NAME.search(body) is not None


def _key(stix_timestamp: str) -> str:
    """:func:`sortable_timestamp` of a STIX timestamp, by slicing where the text allows.

    Validation has checked the form ``YYYY-MM-DDTHH:MM:SS[.fraction]Z``; this is the
    import's hot path, so the common shape skips the datetime round trip.
    """
    if len(stix_timestamp) >= 20 and stix_timestamp[10] == "T" and stix_timestamp[-1] == "Z":
        fraction = stix_timestamp[20:-1] if stix_timestamp[19:20] == "." else ""
        if fraction.isdigit() or not fraction:
            return f"{stix_timestamp[:10]} {stix_timestamp[11:19]}.{fraction[:6]:0<6}"
    return sortable_timestamp(parse_timestamp(stix_timestamp))


def _apply_override(
    objects: list[Mapping[str, Any]],
    override: MarkingOverride,
    stored_release_markings: Collection[str],
) -> list[Mapping[str, Any]]:
    """Objects with the override's markings in place of their own TLP/release markings.

    Marking-definitions keep theirs: they are the markings, not findings.
    """
    release_ids = set(stored_release_markings)
    release_ids |= {obj["id"] for obj in objects if release_list_of(obj) is not None}
    replaced = set(TLP_BY_MARKING_ID) if override.tlp is not None else set()
    new_refs = [TLP2_IDS[override.tlp]] if override.tlp is not None else []
    added: list[Mapping[str, Any]] = []
    if override.release:
        replaced |= release_ids
        marking = release_marking(override.release)
        new_refs.append(marking["id"])
        if all(obj["id"] != marking["id"] for obj in objects):
            added.append(marking)
    if override.fill_only:
        kinds = [(TLP2_IDS[override.tlp], set(TLP_BY_MARKING_ID))] if override.tlp else []
        if override.release:
            kinds.append((new_refs[-1], release_ids))
        marked = [
            obj if obj.get("type") == "marking-definition" else _filled(obj, kinds)
            for obj in objects
        ]
        return marked + added
    marked = [
        obj if obj.get("type") == "marking-definition" else _remarked(obj, replaced, new_refs)
        for obj in objects
    ]
    # Added markings go last, so every object keeps its position for error messages.
    return marked + added


def _filled(obj: Mapping[str, Any], kinds: list[tuple[str, set[str]]]) -> Mapping[str, Any]:
    own = list(obj.get("object_marking_refs") or ())
    missing = [ref for ref, of_kind in kinds if of_kind.isdisjoint(own)]
    return {**obj, "object_marking_refs": own + missing} if missing else obj


def _remarked(
    obj: Mapping[str, Any], replaced: Collection[str], new_refs: list[str]
) -> dict[str, Any]:
    kept = [ref for ref in obj.get("object_marking_refs") or () if ref not in replaced]
    result = {key: value for key, value in obj.items() if key != "object_marking_refs"}
    if kept + new_refs:
        result["object_marking_refs"] = kept + new_refs
    return result
