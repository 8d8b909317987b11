"""URL filters of TAXII 2.1 (§3.4): ``added_after``, ``limit``, ``next`` and ``match[...]``,
turned into a store query, with errors that name the parameter."""

from __future__ import annotations

from collections.abc import Collection as Names
from dataclasses import dataclass, replace
from datetime import datetime

from starlette.datastructures import QueryParams

from accord.core.errors import InvalidInput
from accord.core.queries import ObjectQuery, VersionMatch, Versions
from accord.core.stix.canonical import parse_timestamp

# Which match fields each endpoint takes (§5.3, §5.5, §5.6, §5.7, §5.8).
OBJECTS_FILTERS = frozenset({"id", "type", "version", "spec_version"})
OBJECT_FILTERS = frozenset({"version", "spec_version"})
VERSIONS_FILTERS = frozenset({"spec_version"})
SPEC_VERSIONS = frozenset({"2.0", "2.1"})


@dataclass(frozen=True)
class PageRequest:
    """A request's filters as a store query, plus its page size and cursor."""

    query: ObjectQuery
    limit: int
    next: str | None
    scope: str  # what a cursor is bound to: the filters, not the page


def page_request(
    params: QueryParams,
    *,
    allowed: Names[str],
    default_version: str,
    default_limit: int,
    max_limit: int,
    paged: bool = True,
) -> PageRequest:
    """Parse the request's filters; InvalidInput names a bad or unsupported parameter."""
    match = _match_fields(params, allowed)
    query = ObjectQuery(
        ids=_split(match.get("id")),
        types=_split(match.get("type")),
        versions=_versions(match.get("version") or default_version),
        spec_versions=_spec_versions(match.get("spec_version")),
        added_after=_timestamp("added_after", params.get("added_after")) if paged else None,
    )
    limit = _limit(params.get("limit"), default_limit, max_limit) if paged else 0
    scope_items = sorted(
        (key, value) for key, value in params.multi_items() if key not in {"limit", "next"}
    )
    return PageRequest(query, limit, params.get("next") if paged else None, repr(scope_items))


def within(view: ObjectQuery, request: ObjectQuery) -> ObjectQuery:
    """The request's query, narrowed to a collection's view."""
    types = request.types
    if view.types:
        # A type outside the view matches nothing; "~" is no STIX type name.
        types = (tuple(t for t in types if t in view.types) or ("~",)) if types else view.types
    return replace(request, types=types, label=view.label, audience=view.audience)


def _match_fields(params: QueryParams, allowed: Names[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, value in params.multi_items():
        if not key.startswith("match["):
            continue
        name = key[len("match[") : -1] if key.endswith("]") else ""
        if name not in allowed:
            raise InvalidInput(
                f"{key}: this endpoint filters on match[{'], match['.join(sorted(allowed))}] only"
            )
        # A repeated parameter is the same as its values joined by commas.
        fields[name] = f"{fields[name]},{value}" if name in fields else value
    return fields


def _split(value: str | None) -> tuple[str, ...]:
    return (
        tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        if value
        else ()
    )


def _versions(value: str) -> Versions:
    parts = _split(value)
    if "all" in parts:
        return "all"
    first = "first" in parts
    last = "last" in parts
    at = tuple(
        _required_timestamp("match[version]", part)
        for part in parts
        if part not in {"first", "last"}
    )
    if last and not first and not at:
        return "latest"
    return VersionMatch(first=first, last=last, at=at)


def _spec_versions(value: str | None) -> tuple[str, ...]:
    versions = _split(value)
    unknown = sorted(set(versions) - SPEC_VERSIONS)
    if unknown:
        raise InvalidInput(f"match[spec_version]: {unknown[0]!r} is no STIX version (2.0, 2.1)")
    return versions


def _timestamp(name: str, value: str | None) -> datetime | None:
    return None if value is None else _required_timestamp(name, value)


def _required_timestamp(name: str, value: str) -> datetime:
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise InvalidInput(
            f"{name}: {value!r} is no timestamp (e.g. 2026-11-30T12:00:00.000Z)"
        ) from exc


def _limit(value: str | None, default: int, maximum: int) -> int:
    if value is None or value == "":
        return min(default, maximum)
    try:
        limit = int(value)
    except ValueError as exc:
        raise InvalidInput(f"limit: {value!r} is not a whole number") from exc
    if limit < 0:
        raise InvalidInput(f"limit: {limit} is negative")
    # taxii2-client sends limit=0 when it leaves the page size to the server.
    return min(limit, maximum) if limit else min(default, maximum)
