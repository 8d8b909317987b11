"""Organisations the desk can team with: the participants of European Defence Fund
projects (read by :mod:`accord.desks.industry.edf_network`) and the companies a partner
adds (read by :mod:`accord.desks.industry.companies`), kept together as one network.

The node keeps them in ``<data_dir>/industry/organisations.json``, in two parts:

- the EDF part: loading an EDF calls file replaces it whole;
- the partner part: a company file adds its companies and replaces those with the same id.

A partner company's id may not be an EDF PIC, so that an EDF participant is never
replaced by accident; a company that sets ``amends_edf`` instead adds its facts (control
chain, certifications, capabilities, keywords) to the EDF organisation with that PIC,
which must be loaded. Amendments are kept apart and applied when the network is read, so
that they survive a reload of the EDF file; one whose PIC a reload dropped is shown as a
partner company.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import Any

import orjson

from accord.core.errors import InvalidInput
from accord.core.node import Node
from accord.desks.industry.questions import Controller

ORGANISATION_TYPES = ("PRC", "REC", "HES", "PUB", "OTH")
"""EDF organisation types: private for-profit, research, higher education, public body,
other."""
SOURCES = ("edf", "partner")
_FILE = "organisations.json"
_FORMAT = 1


@dataclass(frozen=True)
class Organisation:
    """A company, research body, university or public body, as the desk knows it."""

    id: str  # EDF PIC (as text), or the partner's own id for added companies
    name: str
    country: str  # ISO 3166-1 alpha-2 (GR, not the EU's EL)
    type: str  # PRC | REC | HES | PUB | OTH, or "" if unknown
    sme: bool
    control_chain: tuple[Controller, ...]  # direct controller first, ultimate last
    capabilities: frozenset[str]  # controlled-vocabulary terms
    keywords: frozenset[str]  # mined from project texts, or given by the partner
    certifications: tuple[str, ...]  # e.g. AQAP-2110, ISO 9001
    projects: tuple[str, ...]  # EDF project ids it took part in
    topics: tuple[str, ...]  # EDF call (topic) ids of those projects
    source: str  # edf | partner
    amends_edf: bool = False  # a partner record adding facts to the EDF organisation `id`
    # (term, how many of its EDF projects work on it), most first; () for partner companies
    capability_projects: tuple[tuple[str, int], ...] = ()

    @property
    def ultimate_controller(self) -> Controller | None:
        """The last link of its chain of control (None if none is known)."""
        return self.control_chain[-1] if self.control_chain else None

    def record(self) -> dict[str, Any]:
        """The organisation as JSON-ready fields (sets sorted)."""
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "type": self.type,
            "sme": self.sme,
            "control_chain": [
                {"name": c.name, "country": c.country, "type": c.type} for c in self.control_chain
            ],
            "capabilities": sorted(self.capabilities),
            "keywords": sorted(self.keywords),
            "certifications": list(self.certifications),
            "projects": list(self.projects),
            "topics": list(self.topics),
            "source": self.source,
            "amends_edf": self.amends_edf,
            "capability_projects": [list(pair) for pair in self.capability_projects],
        }

    def capabilities_ranked(self) -> list[str]:
        """Its capabilities, those most of its EDF projects work on first, then the others
        (a partner's, say) by term."""
        counted = [term for term, _ in self.capability_projects if term in self.capabilities]
        return counted + sorted(self.capabilities - set(counted))


@dataclass(frozen=True)
class Network:
    """The organisations, and through their EDF projects, who worked with whom."""

    organisations: tuple[Organisation, ...]

    def by_id(self) -> dict[str, Organisation]:
        """Each organisation by its id."""
        return {organisation.id: organisation for organisation in self.organisations}

    def co_participations(self) -> dict[tuple[str, str], int]:
        """(id_a, id_b), id_a < id_b -> the number of EDF projects both took part in;
        pairs that share none are absent."""
        members: defaultdict[str, set[str]] = defaultdict(set)
        for organisation in self.organisations:
            for project in organisation.projects:
                members[project].add(organisation.id)
        shared: defaultdict[tuple[str, str], int] = defaultdict(int)
        for ids in members.values():
            for pair in combinations(sorted(ids), 2):
                shared[pair] += 1
        return dict(shared)

    def projects(self) -> set[str]:
        """The EDF projects any organisation took part in."""
        return {project for organisation in self.organisations for project in organisation.projects}


def find_organisations(
    network: Network,
    *,
    capabilities: Iterable[str] = (),
    countries: Iterable[str] = (),
    source: str | None = None,
    sme: bool | None = None,
    text: str | None = None,
) -> list[Organisation]:
    """The organisations with every capability of `capabilities`, in one of `countries`
    (any if none), of `source` and SME state (any if None), whose name, id or keywords
    contain `text` (any case). Those with the most EDF projects on the capabilities asked
    for come first, then those with the most EDF projects, then by name."""
    wanted = frozenset(capabilities)
    places = frozenset(countries)
    needle = text.lower() if text else None
    found = [
        o
        for o in network.organisations
        if wanted <= o.capabilities
        and (not places or o.country in places)
        and (source is None or o.source == source)
        and (sme is None or o.sme == sme)
        and (needle is None or any(needle in t.lower() for t in (o.name, o.id, *o.keywords)))
    ]

    def order(o: Organisation) -> tuple[int, int, str, str]:
        on_wanted = sum(n for term, n in o.capability_projects if term in wanted)
        return (-on_wanted, -len(o.projects), o.name.lower(), o.id)

    return sorted(found, key=order)


def desk_folder(node: Node) -> Path:
    """Where the industry desk keeps its files on a node."""
    return node.settings.data_dir / "industry"


def stored_network(folder: Path) -> Network:
    """The node's network, amendments applied (empty before anything is loaded)."""
    edf, partner = _stored_parts(folder)
    amendments = {o.id: o for o in partner if o.amends_edf}
    organisations = [_amended(o, amendments.pop(o.id)) if o.id in amendments else o for o in edf]
    # An amendment whose EDF organisation is gone stands as a partner company.
    organisations += [o for o in partner if not o.amends_edf or o.id in amendments]
    return Network(tuple(organisations))


def store_network(folder: Path, network: Network) -> None:
    """Merge `network` into the node's copy (atomically): its EDF organisations, if any,
    replace the EDF part; its partner companies are added, or replace those with the same
    id. InvalidInput, storing nothing, if a partner id is an EDF PIC without
    ``amends_edf``, or an amendment names a PIC that is not loaded."""
    strange = [o for o in network.organisations if o.source not in SOURCES]
    if strange:
        raise InvalidInput(f"organisation {strange[0].id}: source {strange[0].source!r}")
    edf, partner = _stored_parts(folder)
    new_edf = [o for o in network.organisations if o.source == "edf"]
    if new_edf:
        edf = new_edf
    by_id = {o.id: o for o in partner}
    by_id.update((o.id, o) for o in network.organisations if o.source == "partner")
    pics = {o.id: o for o in edf}
    added = {o.id for o in network.organisations if o.source == "partner"}
    for company in by_id.values():
        _check_against_edf(company, pics, added=company.id in added)
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "format": _FORMAT,
        "edf": [o.record() for o in edf],
        "partner": [o.record() for o in by_id.values()],
    }
    partial = folder / f".{uuid.uuid4().hex}.partial"
    partial.write_bytes(orjson.dumps(document))
    os.replace(partial, folder / _FILE)


def _check_against_edf(company: Organisation, pics: dict[str, Organisation], added: bool) -> None:
    found = pics.get(company.id)
    what = "company" if added else "stored partner company"
    if found is not None and not company.amends_edf:
        raise InvalidInput(
            f"{what} {company.id} ({company.name}): the id is the EDF PIC of {found.name} "
            f"({found.country}); to add facts to that organisation set amends_edf: true, "
            "otherwise give the company an id of its own"
        )
    if found is None and company.amends_edf and added:
        raise InvalidInput(
            f"company {company.id} ({company.name}): amends_edf, but no EDF organisation has "
            "that PIC (load the EDF calls file first: accord industry load FILE)"
        )


def _amended(base: Organisation, facts: Organisation) -> Organisation:
    return replace(
        base,
        control_chain=facts.control_chain or base.control_chain,
        capabilities=base.capabilities | facts.capabilities,
        keywords=base.keywords | facts.keywords,
        certifications=tuple(dict.fromkeys(base.certifications + facts.certifications)),
    )


def _stored_parts(folder: Path) -> tuple[list[Organisation], list[Organisation]]:
    target = folder / _FILE
    if not target.exists():
        return [], []
    try:
        document = orjson.loads(target.read_bytes())
        return (
            [_organisation(record) for record in document["edf"]],
            [_organisation(record) for record in document["partner"]],
        )
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"{target}: not a network this desk wrote ({exc}); move it away, then load the "
            "EDF file and add the companies again"
        ) from exc


def _organisation(record: dict[str, Any]) -> Organisation:
    return Organisation(
        id=record["id"],
        name=record["name"],
        country=record["country"],
        type=record["type"],
        sme=record["sme"],
        control_chain=tuple(Controller(**c) for c in record["control_chain"]),
        capabilities=frozenset(record["capabilities"]),
        keywords=frozenset(record["keywords"]),
        certifications=tuple(record["certifications"]),
        projects=tuple(record["projects"]),
        topics=tuple(record["topics"]),
        source=record["source"],
        # Fields added after the first format have defaults, so that older files still read.
        amends_edf=record.get("amends_edf", False),
        capability_projects=tuple((t, n) for t, n in record.get("capability_projects", ())),
    )
