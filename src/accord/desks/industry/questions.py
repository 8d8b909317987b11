"""Eligibility questions: a consortium, a product or a common procurement, read from YAML
or JSON (docs/industry.md has the format).

Countries are ISO 3166-1 alpha-2 codes, money is in whole units, and every error names
the file and the field (``entities[2].control_chain[0].country``) that is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pycountry

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12
from accord.desks.industry.rules import parse_date

ACTION_TYPES = ("research", "development")
GUARANTEES = ("not_applicable", "none", "approved", "refused")
# SAFE Art. 16(4): why a subcontractor from outside may still take part.
SUBCONTRACTOR_DEROGATIONS = ("none", "prior_contract", "replacement_study")
CONTROLLER_TYPES = ("company", "state")
Kind = Literal["consortium", "product", "procurement"]


@dataclass(frozen=True)
class Controller:
    """One link of an entity's chain of control, from its direct controller upwards."""

    name: str
    country: str
    type: str  # company | state


@dataclass(frozen=True)
class Entity:
    """A consortium member or a contractor."""

    id: str
    name: str
    role: str
    established_in: str
    executive_management_in: str
    infrastructure_in: tuple[str, ...]
    control_chain: tuple[Controller, ...]
    sme: bool
    requests_eu_funding: bool
    guarantees: str
    eligible_costs: int | None = None  # EDF: its share of the action's eligible costs
    allocated_value: int | None = None  # procurement: its part of the contract value
    derogation: str = "none"  # SAFE Art. 16(4) for a subcontractor from outside

    @property
    def ultimate_controller(self) -> Controller | None:
        return self.control_chain[-1] if self.control_chain else None


@dataclass(frozen=True)
class Action:
    """What a consortium proposes to do."""

    type: str  # research | development
    activities: tuple[str, ...]
    pesco: bool
    supporting_states: tuple[str, ...]
    # EDF Art. 10(2): a non-associated country restricts the pre-existing information.
    third_country_restriction: bool = False


@dataclass(frozen=True)
class Component:
    name: str
    origin: str
    cost: int


@dataclass(frozen=True)
class EndProduct:
    name: str
    estimated_value: int
    components: tuple[Component, ...]
    category: str | None = None  # SAFE Art. 1 product category, e.g. artillery


@dataclass(frozen=True)
class ProcuringState:
    country: str
    receives_safe_loan: bool


@dataclass(frozen=True)
class Question:
    """One eligibility question; which parts are set depends on its kind."""

    kind: Kind
    action: Action | None = None
    entities: tuple[Entity, ...] = ()
    end_product: EndProduct | None = None
    procuring_states: tuple[ProcuringState, ...] = ()
    contract_signed: dt.date | None = None
    third_country_agreements_in_force: tuple[str, ...] = ()
    contractors: tuple[Entity, ...] = ()
    contract_value: int | None = None
    seap: bool = False  # EDIP: a Structure for European Armament Programme procures


def read_question(path: Path) -> Question:
    """The question in a YAML or JSON file."""
    return parse_question(yaml12.load(yaml12.read_text(path), str(path)), str(path))


def parse_question(document: Any, name: str = "question") -> Question:
    """A question from its parsed document; InvalidInput naming `name` and the field."""
    fields = _Fields(name)
    root = fields.mapping(document, "")
    if "procuring_states" in root:
        return _procurement(root, fields)
    if "entities" in root or "action" in root:
        return Question(
            kind="consortium",
            action=_action(fields.required(root, "action"), fields),
            entities=_members(root, "entities", fields),
        )
    if "end_product" in root:
        return Question(kind="product", end_product=_end_product(root["end_product"], fields))
    raise InvalidInput(
        f"{name}: a question has `action` and `entities` (a consortium), `end_product` (a "
        "product) or `procuring_states` (a common procurement)"
    )


def _procurement(root: Mapping[str, Any], fields: _Fields) -> Question:
    states = tuple(
        ProcuringState(
            country=fields.country(item, f"procuring_states[{n}].country"),
            receives_safe_loan=fields.flag(item, f"procuring_states[{n}].receives_safe_loan"),
        )
        for n, item in enumerate(fields.sequence(root, "procuring_states"))
    )
    signed = root.get("contract_signed")
    agreements = root.get("third_country_agreements_in_force") or []
    if not isinstance(agreements, list):
        raise InvalidInput(f"{fields.name}: third_country_agreements_in_force: expected a list")
    return Question(
        kind="procurement",
        procuring_states=states,
        contract_signed=fields.date(signed, "contract_signed") if signed is not None else None,
        third_country_agreements_in_force=tuple(
            fields.code(code, f"third_country_agreements_in_force[{n}]")
            for n, code in enumerate(agreements)
        ),
        contractors=_members(root, "contractors", fields),
        end_product=_end_product(root["end_product"], fields) if "end_product" in root else None,
        contract_value=fields.optional_money(root, "contract_value"),
        seap=bool(root.get("seap", False)),
    )


def _members(root: Mapping[str, Any], key: str, fields: _Fields) -> tuple[Entity, ...]:
    """The entities (or contractors), each id once: answers name entities by id."""
    members = tuple(
        _entity(item, f"{key}[{n}]", fields) for n, item in enumerate(fields.sequence(root, key))
    )
    first: dict[str, int] = {}
    for number, member in enumerate(members):
        if member.id in first:
            raise fields.fail(
                f"{key}[{number}].id",
                f"{member.id!r} is already the id of {key}[{first[member.id]}]",
            )
        first[member.id] = number
    return members


def _action(value: Any, fields: _Fields) -> Action:
    action = fields.mapping(value, "action")
    kind = fields.choice(action, "action.type", ACTION_TYPES)
    activities = action.get("activities") or []
    if not isinstance(activities, list) or not activities:
        raise InvalidInput(f"{fields.name}: action.activities: a list of activities")
    supporting = action.get("supporting_states") or []
    if not isinstance(supporting, list):
        raise InvalidInput(f"{fields.name}: action.supporting_states: expected a list")
    return Action(
        type=kind,
        activities=tuple(str(activity) for activity in activities),
        pesco=bool(action.get("pesco", False)),
        supporting_states=tuple(
            fields.code(code, f"action.supporting_states[{n}]") for n, code in enumerate(supporting)
        ),
        third_country_restriction=bool(action.get("third_country_restriction", False)),
    )


def _entity(value: Any, where: str, fields: _Fields) -> Entity:
    entity = fields.mapping(value, where)
    infrastructure = entity.get("infrastructure_in")
    if infrastructure is None:
        infrastructure = [entity.get("established_in")]
    elif not isinstance(infrastructure, list):
        infrastructure = [infrastructure]
    chain = entity.get("control_chain") or []
    if not isinstance(chain, list):
        raise InvalidInput(f"{fields.name}: {where}.control_chain: expected a list")
    established = fields.country(entity, f"{where}.established_in")
    return Entity(
        id=fields.text(entity, f"{where}.id"),
        name=fields.text(entity, f"{where}.name"),
        role=str(entity.get("role") or "participant"),
        established_in=established,
        executive_management_in=fields.country(
            entity, f"{where}.executive_management_in", default=established
        ),
        infrastructure_in=tuple(
            fields.code(code, f"{where}.infrastructure_in[{n}]")
            for n, code in enumerate(infrastructure)
        ),
        control_chain=tuple(
            _controller(item, f"{where}.control_chain[{n}]", fields) for n, item in enumerate(chain)
        ),
        sme=bool(entity.get("sme", False)),
        requests_eu_funding=bool(entity.get("requests_eu_funding", True)),
        guarantees=fields.choice(entity, f"{where}.guarantees", GUARANTEES, "not_applicable"),
        eligible_costs=fields.optional_money(entity, f"{where}.eligible_costs"),
        allocated_value=fields.optional_money(entity, f"{where}.allocated_value"),
        derogation=fields.choice(entity, f"{where}.derogation", SUBCONTRACTOR_DEROGATIONS, "none"),
    )


def _controller(value: Any, where: str, fields: _Fields) -> Controller:
    item = fields.mapping(value, where)
    return Controller(
        name=fields.text(item, f"{where}.name"),
        country=fields.country(item, f"{where}.country"),
        type=fields.choice(item, f"{where}.type", CONTROLLER_TYPES, "company"),
    )


def _end_product(value: Any, fields: _Fields) -> EndProduct:
    product = fields.mapping(value, "end_product")
    components = tuple(
        Component(
            name=fields.text(item, f"end_product.components[{n}].name"),
            origin=fields.country(item, f"end_product.components[{n}].origin"),
            cost=fields.money(item, f"end_product.components[{n}].cost"),
        )
        for n, item in enumerate(fields.sequence(product, "components", "end_product."))
    )
    return EndProduct(
        name=str(product.get("name") or "end product"),
        estimated_value=fields.money(product, "end_product.estimated_value"),
        components=components,
        category=str(product["category"]) if product.get("category") else None,
    )


class _Fields:
    """Reads typed fields, naming the file and the field's path in every error."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, where: str, problem: str) -> InvalidInput:
        return InvalidInput(
            f"{self.name}: {where}: {problem}" if where else f"{self.name}: {problem}"
        )

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "expected a mapping of fields")
        return value

    def required(self, parent: Mapping[str, Any], key: str) -> Any:
        if parent.get(key) is None:
            raise self.fail(key, "is missing")
        return parent[key]

    def sequence(self, parent: Mapping[str, Any], key: str, prefix: str = "") -> Sequence[Any]:
        value = parent.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(prefix + key, "expected a non-empty list")
        return value

    def text(self, parent: Mapping[str, Any], where: str) -> str:
        value = parent.get(where.rsplit(".", 1)[-1])
        if not isinstance(value, str | int) or not str(value).strip():
            raise self.fail(where, "is missing")
        return str(value).strip()

    def flag(self, parent: Any, where: str) -> bool:
        value = self.mapping(parent, where.rsplit(".", 1)[0]).get(where.rsplit(".", 1)[-1])
        if not isinstance(value, bool):
            raise self.fail(where, f"{value!r}: true or false")
        return value

    def choice(
        self, parent: Mapping[str, Any], where: str, allowed: Sequence[str], default: str = ""
    ) -> str:
        value = parent.get(where.rsplit(".", 1)[-1], default) or default
        if value not in allowed:
            raise self.fail(where, f"{value!r}: one of {', '.join(allowed)}")
        return str(value)

    def country(self, parent: Any, where: str, default: str | None = None) -> str:
        value = self.mapping(parent, where.rsplit(".", 1)[0]).get(where.rsplit(".", 1)[-1])
        if value is None and default is not None:
            return default
        return self.code(value, where)

    def code(self, value: Any, where: str) -> str:
        return country_code(value, f"{self.name}: {where}" if where else self.name)

    def money(self, parent: Mapping[str, Any], where: str) -> int:
        value = parent.get(where.rsplit(".", 1)[-1])
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(where, f"{value!r}: an amount in whole units (0 or more)")
        return value

    def optional_money(self, parent: Mapping[str, Any], where: str) -> int | None:
        if parent.get(where.rsplit(".", 1)[-1]) is None:
            return None
        return self.money(parent, where)

    def date(self, value: Any, where: str) -> dt.date:
        return parse_date(value, f"{self.name}: {where}")


def country_code(value: Any, where: str) -> str:
    """`value` as an ISO 3166-1 alpha-2 code (upper case); InvalidInput naming `where`
    otherwise, with a hint for the EU's ``EL`` (Greece, which ISO writes ``GR``)."""
    problem = country_problem(value)
    if problem:
        raise InvalidInput(f"{where}: {problem}")
    return str(value).upper()


def country_problem(value: Any) -> str | None:
    """What is wrong with `value` as an ISO 3166-1 alpha-2 code, or None if nothing."""
    if value == "EL":
        return "'EL' is the EU's code for Greece; ISO 3166-1 writes GR"
    if not isinstance(value, str) or pycountry.countries.get(alpha_2=value.upper()) is None:
        return f"{value!r} is no ISO 3166-1 alpha-2 country code"
    return None
