"""What the industry desk puts in the store: organisations as STIX ``identity`` objects
(with an ``industry-organisation`` property extension for their country, SME flag, chain
of controllers and capabilities), each eligibility answer as an ``eligibility-assessment``
and each proposed consortium as a ``consortium-proposal`` (new SDOs, defined by the
extension-definitions below), labelled ``area:industry``.

Company data is commercially sensitive: findings are TLP:AMBER by default and reach only
the partners the analyst releases them to (none but the home partner if no release list
is given). Ids derive from what each object stands for, so storing the same answer again
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from accord.core.markings import Tlp, accord_extension_definition
from accord.core.node import Node
from accord.core.stix.canonical import format_timestamp
from accord.core.stix.identifiers import derived_id
from accord.core.store import ImportReport
from accord.desks.industry.assessment import Assessment
from accord.desks.industry.calls import Call
from accord.desks.industry.consortium import Proposal
from accord.desks.industry.engine import QUESTION_KINDS
from accord.desks.industry.organisations import Network, Organisation
from accord.desks.industry.questions import Controller, Entity, Question

ORGANISATION_EXTENSION_ID = "extension-definition--5d3b8f1a-7c2e-4b9d-a6f0-1e8c4d2b7a93"
ASSESSMENT_EXTENSION_ID = "extension-definition--9a1c6e4f-3b7d-4f2a-8e5c-0d6b2f9a7c14"
PROPOSAL_EXTENSION_ID = "extension-definition--e2c84b17-6d3a-4f95-b0c1-7a9d5e3f2b68"
_ORGANISATION_SALT = b"accord-industry-organisation:6f2d9b4e-1a7c-4e3b-9d8f-2c5a7e0b4d61:"
_ASSESSMENT_SALT = b"accord-industry-assessment:b3e7a1d9-5c2f-4a8e-9b6d-4f1c8e2a7d35:"
# Before any instrument the desk knows applied: every day an identity is stored is later.
_ORGANISATION_CREATED = "2021-01-01T00:00:00.000Z"
_PROPOSAL_SALT = b"accord-industry-proposal:4c9e2a7b-8d1f-4b6a-a3e5-9f0c2d7b1e84:"
# Proposals are named by their content, so a proposal has one version; its timestamps are
# fixed, and storing the same proposal again adds nothing.
_PROPOSAL_CREATED = "2026-11-30T00:00:00.000Z"
AREA_LABEL = "area:industry"
DEFAULT_TLP = Tlp.AMBER

_CHAIN_SCHEMA = {
    "type": "array",
    "description": "Controllers from the direct to the ultimate one.",
    "items": {
        "type": "object",
        "required": ["name", "country", "type"],
        "properties": {
            "name": {"type": "string"},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "type": {"enum": ["company", "state"]},
        },
    },
}
ORGANISATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "industry-organisation",
    "type": "object",
    "required": ["country"],
    "properties": {
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "sme": {"type": "boolean"},
        "control_chain": _CHAIN_SCHEMA,
        "capabilities": {"type": "array", "items": {"type": "string"}},
        "certifications": {"type": "array", "items": {"type": "string"}},
        "edf_pic": {"type": "string"},
    },
}
ASSESSMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "eligibility-assessment",
    "type": "object",
    "required": ["instrument", "act", "assessed_on", "verdict", "rules"],
    "properties": {
        "instrument": {"enum": list(QUESTION_KINDS)},
        "act": {"type": "string"},
        "assessed_on": {"type": "string", "format": "date"},
        "question_kind": {"enum": ["consortium", "product", "procurement"]},
        "verdict": {"enum": ["eligible", "eligible_with_condition", "not_eligible"]},
        "conditions": {"type": "array", "items": {"type": "string"}},
        "member_refs": {"type": "array", "items": {"type": "string", "pattern": "^identity--"}},
        "entity_status": {"type": "object", "description": "identity id -> standing"},
        "metrics": {"type": "object"},
        "rules": {"type": "array", "items": {"type": "object"}},
    },
}


PROPOSAL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "consortium-proposal",
    "type": "object",
    "required": ["call_id", "method", "objective", "member_refs", "members"],
    "properties": {
        "call_id": {"type": "string"},
        "call_title": {"type": "string"},
        "method": {"enum": ["cp-sat", "greedy"]},
        "rank": {"type": "integer"},
        "objective": {"type": "integer"},
        "terms": {"type": "object"},
        "optimal": {"type": "boolean"},
        "gap": {"type": "number", "description": "Relative distance to the solver's bound."},
        "member_refs": {"type": "array", "items": {"type": "string", "pattern": "^identity--"}},
        "members": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["identity_ref", "role"],
                "properties": {
                    "identity_ref": {"type": "string"},
                    "role": {"enum": ["coordinator", "participant", "cooperation"]},
                    "covers": {"type": "array", "items": {"type": "string"}},
                    "outside_control": {"type": "boolean"},
                },
            },
        },
        "uncovered": {"type": "array", "items": {"type": "string"}},
    },
}


def organisation_extension_definition() -> dict[str, Any]:
    return accord_extension_definition(
        ORGANISATION_EXTENSION_ID,
        name="Accord industry organisation",
        description="An organisation's country of establishment, SME flag, chain of "
        "controllers (direct first, ultimate last), capabilities and certifications.",
        schema=ORGANISATION_SCHEMA,
        extension_type="property-extension",
    )


def assessment_extension_definition() -> dict[str, Any]:
    return accord_extension_definition(
        ASSESSMENT_EXTENSION_ID,
        name="Accord eligibility assessment",
        description="A new SDO: whether a consortium, product or common procurement is "
        "eligible for an EU defence-industrial instrument (EDF, EDIRPA, EDIP, SAFE), the "
        "conditions, each member's standing, the figures and every rule applied with its "
        "legal citation, status and reason.",
        schema=ASSESSMENT_SCHEMA,
        extension_type="new-sdo",
    )


def proposal_extension_definition() -> dict[str, Any]:
    return accord_extension_definition(
        PROPOSAL_EXTENSION_ID,
        name="Accord consortium proposal",
        description="A new SDO: a consortium proposed for a call by the industry desk's "
        "builder (CP-SAT or the greedy baseline): its members and their roles, the "
        "capabilities each covers, the objective and its terms, and whether it is proven "
        "optimal or its gap to the solver's bound.",
        schema=PROPOSAL_SCHEMA,
        extension_type="new-sdo",
    )


def organisation_identity(
    *,
    name: str,
    country: str,
    author: str,
    sme: bool = False,
    control_chain: Sequence[Controller] = (),
    capabilities: Sequence[str] = (),
    certifications: Sequence[str] = (),
    edf_pic: str | None = None,
    modified: str | None = None,
) -> dict[str, Any]:
    """An organisation as a STIX identity; its id derives from its EDF PIC if it has one,
    else from its country and name. Every version keeps one `created`; `modified` is the
    day it is stored (default today, UTC), so what is known of it on a later day (its
    controllers, say) becomes a new version."""
    details: dict[str, Any] = {"extension_type": "property-extension", "country": country}
    details["sme"] = sme
    if control_chain:
        details["control_chain"] = [
            {"name": link.name, "country": link.country, "type": link.type}
            for link in control_chain
        ]
    if capabilities:
        details["capabilities"] = sorted(capabilities)
    if certifications:
        details["certifications"] = list(certifications)
    if edf_pic:
        details["edf_pic"] = edf_pic
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": organisation_id(name=name, country=country, edf_pic=edf_pic),
        "created_by_ref": author,
        "created": _ORGANISATION_CREATED,
        "modified": modified or format_timestamp_of_day(dt.datetime.now(dt.UTC).date().isoformat()),
        "name": name,
        "identity_class": "organization",
        "sectors": ["defense"],
        "labels": [AREA_LABEL],
        "extensions": {ORGANISATION_EXTENSION_ID: details},
    }


def organisation_id(*, name: str, country: str, edf_pic: str | None = None) -> str:
    key = f"pic:{edf_pic}" if edf_pic else f"{country}|{name.casefold()}"
    return derived_id("identity", _ORGANISATION_SALT, key)


def assessment_findings(
    assessment: Assessment, question: Question, *, author: str, name: str | None = None
) -> list[dict[str, Any]]:
    """The extension definitions, an identity per member and the assessment."""
    members = {
        entity.id: _member(entity, author) for entity in question.entities + question.contractors
    }
    answer = assessment.as_json()
    digest = hashlib.sha256(orjson.dumps(answer, option=orjson.OPT_SORT_KEYS)).hexdigest()
    stamp = format_timestamp_of_day(assessment.on.isoformat())
    record: dict[str, Any] = {
        "type": "eligibility-assessment",
        "spec_version": "2.1",
        "id": derived_id("eligibility-assessment", _ASSESSMENT_SALT, digest),
        "created_by_ref": author,
        "created": stamp,
        "modified": stamp,
        "name": name or _default_name(assessment, question),
        "labels": [AREA_LABEL, f"industry:{assessment.instrument}"],
        "instrument": assessment.instrument,
        "act": assessment.act,
        "assessed_on": assessment.on.isoformat(),
        "question_kind": assessment.question_kind,
        "verdict": assessment.verdict,
        "conditions": list(assessment.conditions),
        "metrics": answer["metrics"],
        "rules": answer["rules"],
        "extensions": {ASSESSMENT_EXTENSION_ID: {"extension_type": "new-sdo"}},
    }
    record = _without_empty(record)
    if members:
        record["member_refs"] = [identity["id"] for identity in members.values()]
        record["entity_status"] = {
            members[entity_id]["id"]: status
            for entity_id, status in assessment.entity_status.items()
        }
    definitions = [organisation_extension_definition(), assessment_extension_definition()]
    return [*definitions, *members.values(), record]


def proposal_findings(
    proposal: Proposal, call: Call, network: Network, *, author: str
) -> list[dict[str, Any]]:
    """The extension definitions, an identity per member and the proposal."""
    known = network.by_id()
    identities = {member.id: _organisation(known[member.id], author) for member in proposal.members}
    members = [
        {
            "identity_ref": identities[member.id]["id"],
            "role": member.role,
            "covers": list(member.covers),
            "outside_control": member.outside_control,
        }
        for member in proposal.members
    ]
    facts = (proposal.method, proposal.objective, proposal.rank, proposal.optimal, proposal.gap)
    key = f"{call.id}|{','.join(sorted(identities))}|" + "|".join(map(str, facts))
    record: dict[str, Any] = {
        "type": "consortium-proposal",
        "spec_version": "2.1",
        "id": derived_id("consortium-proposal", _PROPOSAL_SALT, key),
        "created_by_ref": author,
        "created": _PROPOSAL_CREATED,
        "modified": _PROPOSAL_CREATED,
        "name": f"{call.id} consortium #{proposal.rank} ({proposal.method})",
        "labels": [AREA_LABEL, f"industry:{call.instrument}"],
        "call_id": call.id,
        "call_title": call.title,
        "method": proposal.method,
        "rank": proposal.rank,
        "objective": proposal.objective,
        "terms": dict(vars(proposal.terms)),
        "optimal": proposal.optimal,
        "member_refs": [identity["id"] for identity in identities.values()],
        "members": members,
        "uncovered": list(proposal.uncovered),
        "extensions": {PROPOSAL_EXTENSION_ID: {"extension_type": "new-sdo"}},
    }
    if proposal.gap is not None:
        record["gap"] = proposal.gap
    definitions = [organisation_extension_definition(), proposal_extension_definition()]
    return [*definitions, *identities.values(), _without_empty(record)]


def publish_findings(
    node: Node,
    objects: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    tlp: Tlp = DEFAULT_TLP,
    release: Sequence[str] | None = None,
) -> ImportReport:
    """Store findings of the home partner, marked `tlp` (TLP:AMBER by default) and released
    to `release` only (no one but the home partner without one). The extension-definitions
    go in as TLP:CLEAR: every partner must be able to read what the types are. Raises on
    any rejected object."""
    definitions = [o for o in objects if o["type"] == "extension-definition"]
    findings = [o for o in objects if o["type"] != "extension-definition"]
    node.import_objects(definitions, actor=actor).raise_for_rejections()
    report = node.import_objects(findings, actor=actor, tlp=tlp, release=release or None)
    report.raise_for_rejections()
    return report


def format_timestamp_of_day(day: str) -> str:
    """Midnight UTC of an ISO day, as STIX writes timestamps."""
    return format_timestamp(dt.datetime.fromisoformat(f"{day}T00:00:00+00:00"))


def _organisation(organisation: Organisation, author: str) -> dict[str, Any]:
    return organisation_identity(
        name=organisation.name,
        country=organisation.country,
        author=author,
        sme=organisation.sme,
        control_chain=organisation.control_chain,
        capabilities=sorted(organisation.capabilities),
        certifications=organisation.certifications,
        edf_pic=organisation.id if organisation.source == "edf" else None,
    )


def _member(entity: Entity, author: str) -> dict[str, Any]:
    return organisation_identity(
        name=entity.name,
        country=entity.established_in,
        author=author,
        sme=entity.sme,
        control_chain=entity.control_chain,
    )


def _default_name(assessment: Assessment, question: Question) -> str:
    subject = {
        "consortium": f"consortium of {len(question.entities)}",
        "product": question.end_product.name if question.end_product else "product",
        "procurement": "common procurement by "
        + ", ".join(state.country for state in question.procuring_states),
    }[assessment.question_kind]
    return f"{assessment.instrument.upper()} eligibility: {subject}: {assessment.verdict}"


def _without_empty(value: Any) -> Any:
    """`value` without empty lists and mappings, at any depth: STIX forbids them (an absent
    property says the same)."""
    if isinstance(value, dict):
        kept = {key: _without_empty(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in ([], {})}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value
