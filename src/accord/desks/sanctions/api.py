"""``POST /api/sanctions/match/{dataset}``: screening over HTTP in the request and answer
shapes of OpenSanctions' yente ``/match/{dataset}`` API, so its clients work unchanged,
behind Accord's authentication (and in its audit log, as every API request).

``dataset`` is a loaded list (``ofac-sdn``, ``un-sc``, ...) or ``default`` for all of them.
A query is ``{"schema": "Person", "properties": {"name": [...], "birthDate": [...],
"nationality": [...], "country": [...], "imoNumber": [...], "mmsi": [...],
"passportNumber": [...]}}`` (FollowTheMoney property names); each result carries yente's
fields and, beyond them, Accord's ``explanation``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi import Query as Param
from pydantic import BaseModel, Field

from accord.core.node import Node
from accord.core.plugins import RouteServices
from accord.desks.sanctions.index import NameIndex
from accord.desks.sanctions.lists import current_entities, lists_dir
from accord.desks.sanctions.model import (
    FTM_IDENTIFIER_PROPERTIES,
    STRONG_IDENTIFIERS,
    Entity,
    Identifier,
)
from accord.desks.sanctions.scoring import Hit, Query, screen_many
from accord.desks.sanctions.snapshots import list_snapshots

ALGORITHM = "accord-multiscript"
# yente's defaults: a result is a match at 0.7 or more, five results per query.
DEFAULT_THRESHOLD = 0.7
DEFAULT_LIMIT = 5
MAX_LIMIT = 500
MAX_QUERIES = 1000
# The identifiers a query may carry: those that decide a match alone.
_IDENTIFIER_PROPERTIES = {
    prop: kind for prop, kind in FTM_IDENTIFIER_PROPERTIES.items() if kind in STRONG_IDENTIFIERS
}


class EntityQuery(BaseModel):
    """One query: a FollowTheMoney schema and its properties."""

    schema_: str = Field(default="Thing", alias="schema")
    properties: dict[str, list[str]] = Field(default_factory=dict)


class MatchRequest(BaseModel):
    """yente's match request body."""

    queries: dict[str, EntityQuery]
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)


def routes(services: RouteServices) -> APIRouter:
    """The desk's HTTP routes."""
    # Every route needs an authenticated caller (401 otherwise); the lists are public
    # data, so any partner's caller may screen against them.
    router = APIRouter(tags=["sanctions"], dependencies=[Depends(services.authenticated)])
    indexes = _Indexes(services.node)

    @router.post("/match/{dataset}", summary="Match entities (yente-compatible)")
    def match(
        dataset: str,
        body: Annotated[MatchRequest, Body()],
        threshold: Annotated[float, Param(ge=0, le=1)] = DEFAULT_THRESHOLD,
        limit: Annotated[int, Param(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        algorithm: str = ALGORITHM,
    ) -> dict[str, Any]:
        if len(body.queries) > MAX_QUERIES:
            raise HTTPException(400, f"at most {MAX_QUERIES} queries a request")
        index = indexes.of(dataset)
        keys = list(body.queries)
        queries = [_query(body.queries[key]) for key in keys]
        # Hits down to a floor below the threshold are returned, as yente does, marked
        # match=false, so that a client sees near misses.
        results = screen_many([q for q, _ in queries], index, min(threshold, 0.5), limit)
        responses = {
            key: {
                "status": 200,
                "results": [_result(hit, threshold) for hit in hits],
                "total": {"value": len(hits), "relation": "eq"},
                "query": {"schema": query.schema_, "properties": query.properties},
            }
            for key, hits, query in zip(keys, results, (body.queries[k] for k in keys), strict=True)
        }
        return {
            "responses": responses,
            "matcher": {"name": ALGORITHM, "requested": algorithm},
            "limit": limit,
        }

    return router


class _Indexes:
    """Screening indexes per dataset, rebuilt when a new snapshot is loaded."""

    def __init__(self, node: Node):
        self._node = node
        self._built: dict[str, tuple[tuple[str, ...], NameIndex]] = {}
        self._lock = threading.Lock()

    def of(self, dataset: str) -> NameIndex:
        snapshots = list_snapshots(lists_dir(self._node))
        names = {snapshot.list_name for snapshot in snapshots}
        if dataset != "default" and dataset not in names:
            raise HTTPException(404, f"no dataset {dataset!r} (loaded: {', '.join(sorted(names))})")
        versions = tuple(sorted(s.version for s in snapshots))
        with self._lock:
            held = self._built.get(dataset)
            if held is None or held[0] != versions:
                entities = current_entities(self._node)
                if dataset != "default":
                    entities = [e for e in entities if e.source == dataset]
                held = (versions, NameIndex(entities))
                self._built[dataset] = held
            return held[1]


def _query(given: EntityQuery) -> tuple[Query, EntityQuery]:
    props = given.properties
    names = props.get("name") or props.get("alias") or [""]
    countries = (
        (props.get("nationality") or [])
        + (props.get("country") or [])
        + (props.get("jurisdiction") or [])
    )
    identifiers = tuple(
        Identifier(kind, value)
        for prop, kind in _IDENTIFIER_PROPERTIES.items()
        for value in props.get(prop, [])
    )
    query = Query(
        name=names[0],
        schema=given.schema_ if given.schema_ not in ("Thing", "LegalEntity") else None,
        country=countries[0].lower() if countries else None,
        dob=next(iter(props.get("birthDate") or ()), None),
        identifiers=identifiers,
    )
    return query, given


def _result(hit: Hit, threshold: float) -> dict[str, Any]:
    entity = hit.entity
    return {
        "id": entity.key,
        "caption": entity.names[0] if entity.names else entity.key,
        "schema": entity.schema,
        "properties": _properties(entity),
        "datasets": [entity.source],
        "referents": [],
        "target": True,
        "score": round(hit.score, 3),
        "match": hit.score >= threshold,
        "features": {feature.name: feature.effect for feature in hit.features}
        | {"name": round(hit.name_score, 3)},
        "explanation": hit.explanation,
    }


def _properties(entity: Entity) -> Mapping[str, list[str]]:
    properties: dict[str, list[str]] = {
        "name": list(entity.names[:1]),
        "alias": list(entity.names[1:]),
    }
    if entity.countries:
        properties["country"] = list(entity.countries)
    if entity.birth_dates:
        properties["birthDate"] = list(entity.birth_dates)
    if entity.programmes:
        properties["program"] = list(entity.programmes)
    for identifier in entity.identifiers:
        prop = next((p for p, k in _IDENTIFIER_PROPERTIES.items() if k == identifier.kind), None)
        if prop:
            properties.setdefault(prop, []).append(identifier.value)
    return properties
