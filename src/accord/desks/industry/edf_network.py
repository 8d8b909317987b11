"""The European Defence Fund's consortia: every organisation that took part in a funded
EDF project, read from the Funding & Tenders Portal's calls as a JSON file (optionally
gzipped): ``{"calls": {topic id: {title, description (HTML), projects: [{project_id,
title, acronym, objective, start_date, participants: [{pic, organization_name,
country_code, type, sme, ...}]}]}}}``.

An organisation (one PIC) gets its country in ISO 3166-1 (the EU's ``EL`` becomes ``GR``,
``UK`` becomes ``GB``), the SME flag of its most recent project (the flag changes with
the firm's size), the vocabulary terms of its projects
(:func:`~accord.desks.industry.capabilities.project_capabilities`) and the keywords that
set its projects apart (:func:`~accord.desks.industry.capabilities.distinctive_keywords`).
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from accord.core.errors import InvalidInput
from accord.desks.industry.capabilities import (
    distinctive_keywords,
    normal_words,
    plain_text,
    project_capabilities,
)
from accord.desks.industry.organisations import ORGANISATION_TYPES, Network, Organisation
from accord.desks.industry.questions import country_code

# The Commission's own codes that ISO 3166-1 writes otherwise.
_EU_CODES = {"EL": "GR", "UK": "GB"}


def read_edf(path: Path) -> Network:
    """The organisations of the EDF calls file at `path` (.json or .json.gz), with their
    projects, topics, capabilities and keywords; InvalidInput naming the file and the
    field on malformed input."""
    document = _document(path)
    calls = document.get("calls") if isinstance(document, dict) else None
    if not isinstance(calls, dict):
        raise InvalidInput(f"{path}: calls: expected a mapping of topic ids to calls")
    projects = _Projects()
    for topic, call in calls.items():
        projects.read_call(str(topic), call, f"{path}: calls.{topic}")
    members = projects.members
    keywords = distinctive_keywords(projects.texts, {pic: m.projects for pic, m in members.items()})
    return Network(
        tuple(
            member.organisation(projects.capabilities, keywords.get(pic, ()))
            for pic, member in members.items()
        )
    )


@dataclass
class _Projects:
    """The projects read so far: their texts, their capabilities, and who took part."""

    members: dict[str, _Member] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    capabilities: dict[str, frozenset[str]] = field(default_factory=dict)

    def read_call(self, topic: str, call: Any, where: str) -> None:
        if not isinstance(call, dict):
            raise InvalidInput(f"{where}: expected a mapping")
        projects = _list(call, "projects", where)
        if not projects:
            return  # most calls: not funded yet, or a title-only stub
        call_title = _text(call, "title", where)
        description = plain_text(_text(call, "description", where))
        for n, project in enumerate(projects):
            here = f"{where}.projects[{n}]"
            if not isinstance(project, dict):
                raise InvalidInput(f"{here}: expected a mapping")
            project_id = _required(project, "project_id", here)
            titles = f"{call_title} \n{_text(project, 'title', here)}"
            objective = _text(project, "objective", here)
            self.capabilities[project_id] = project_capabilities(titles, objective, description)
            self.texts[project_id] = _without(
                f"{titles} \n{objective} \n{description}", _text(project, "acronym", here)
            )
            started = _text(project, "start_date", here)
            for m, participant in enumerate(_list(project, "participants", here)):
                member, sme = _member(self.members, participant, f"{here}.participants[{m}]")
                member.add(project_id, topic, started, sme)


@dataclass
class _Member:
    """What the participations of one PIC say, gathered as they are read."""

    pic: str
    name: str
    country: str
    type: str
    sme_by_start: dict[str, bool] = field(default_factory=dict)
    projects: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def add(self, project: str, topic: str, started: str, sme: bool) -> None:
        if project not in self.projects:
            self.projects.append(project)
        if topic not in self.topics:
            self.topics.append(topic)
        self.sme_by_start[f"{started}|{project}"] = sme

    def organisation(
        self, project_terms: Mapping[str, frozenset[str]], keywords: tuple[str, ...]
    ) -> Organisation:
        latest = max(self.sme_by_start)  # ISO dates sort as text
        counted = Counter(term for p in self.projects for term in project_terms[p])
        return Organisation(
            id=self.pic,
            name=self.name,
            country=self.country,
            type=self.type,
            sme=self.sme_by_start[latest],
            control_chain=(),
            capabilities=frozenset(counted),
            keywords=frozenset(keywords),
            certifications=(),
            projects=tuple(self.projects),
            topics=tuple(self.topics),
            source="edf",
            capability_projects=tuple(sorted(counted.items(), key=lambda c: (-c[1], c[0]))),
        )


def _member(members: dict[str, _Member], participant: Any, where: str) -> tuple[_Member, bool]:
    """The member a participation is of (new on its PIC's first), and its SME flag."""
    if not isinstance(participant, dict):
        raise InvalidInput(f"{where}: expected a mapping")
    pic = _required(participant, "pic", where)
    kind = str(participant.get("type") or participant.get("organization_type") or "")
    if kind and kind not in ORGANISATION_TYPES:
        raise InvalidInput(f"{where}.type: {kind!r}: one of {', '.join(ORGANISATION_TYPES)}")
    raw_country = participant.get("country_code")
    if isinstance(raw_country, str):
        raw_country = _EU_CODES.get(raw_country.upper(), raw_country)
    country = country_code(raw_country, f"{where}.country_code")
    sme = participant.get("sme", False)
    if not isinstance(sme, bool):
        raise InvalidInput(f"{where}.sme: {sme!r}: true or false")
    member = members.get(pic)
    if member is None:
        name = _required(participant, "organization_name", where)
        member = members[pic] = _Member(pic, " ".join(name.split()), country, kind)
    return member, sme


def _document(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read it: {exc.strerror or exc}") from exc
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise InvalidInput(f"{path}: not a gzip file: {exc}") from exc
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: not JSON: {exc}") from exc


def _list(parent: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{where}.{key}: expected a list")
    return value


def _text(parent: Mapping[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{where}.{key}: expected text")
    return value


def _required(parent: Mapping[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise InvalidInput(f"{where}.{key}: is missing")
    return str(value).strip()


def _without(text: str, acronym: str) -> str:
    """`text` without the project's acronym, which would otherwise be its most
    distinctive keyword and says nothing of what it does."""
    words = set(normal_words(acronym).split())
    return " ".join(word for word in normal_words(text).split() if word not in words)
