"""A call for proposals, as the consortium builder reads it from YAML or JSON
(docs/industry.md, "Consortium builder", has the format).

A call names the capabilities a consortium must bring, where its funded members may be
established, its budget, the roles and sizes it accepts, and the weights of the builder's
objective. Weights are whole numbers, so that objectives are exact. Every error names the
file and the field (``call.yaml: roles.max_members: ...``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12
from accord.desks.industry.capabilities import vocabulary
from accord.desks.industry.countries import countries
from accord.desks.industry.questions import country_code
from accord.desks.industry.rules import parse_date

INSTRUMENTS = ("edf",)  # the only instrument whose consortium rules the builder models
DEFAULT_MAX_MEMBERS = 8


@dataclass(frozen=True)
class Weights:
    """The builder's objective, in points (whole numbers, 0 or more):

    ``capability`` per required capability covered, ``co_participation`` per EDF project
    two members shared (counted up to ``co_participation_cap`` projects a pair), ``sme``
    per funded SME member, minus ``outside_control`` per member controlled from outside
    (eligible only with guarantees, EDF Art. 9(4)), minus ``member`` per member.
    """

    capability: int = 100
    co_participation: int = 2
    co_participation_cap: int = 3
    sme: int = 5
    outside_control: int = 30
    member: int = 4


@dataclass(frozen=True)
class Roles:
    """Who the consortium has: one coordinator (``coordinator`` is 1, or the id of the
    organisation that must coordinate) and between ``min_members`` and ``max_members``
    members, cooperation partners included."""

    coordinator: str | None = None  # an organisation id; None: the builder chooses
    min_members: int = 3
    max_members: int = DEFAULT_MAX_MEMBERS


@dataclass(frozen=True)
class Call:
    """One call: what to cover, with whom, at what weights.

    ``countries`` are the countries where funded members may be established (None: every
    country the instrument admits). ``budget`` (whole euros) is reported per funded member;
    with ``member_cost`` it also caps the funded members at ``budget // member_cost``.
    ``candidates`` (None: everyone) restricts the pool; ``require`` and ``exclude`` force
    organisations in or out. ``date`` is the day whose rules apply (None: today).
    """

    id: str
    title: str
    instrument: str
    required_capabilities: tuple[str, ...]
    source: str = "call"
    countries: frozenset[str] | None = None
    budget: int | None = None
    member_cost: int | None = None
    roles: Roles = field(default_factory=Roles)
    allow_cooperation: bool = True
    weights: Weights = field(default_factory=Weights)
    candidates: frozenset[str] | None = None
    require: tuple[str, ...] = ()
    exclude: frozenset[str] = frozenset()
    date: dt.date | None = None

    @property
    def max_funded(self) -> int | None:
        """How many funded members the budget pays for (None: no cap)."""
        if self.budget is None or self.member_cost is None:
            return None
        return self.budget // self.member_cost


def read_call(path: Path) -> Call:
    """The call in a YAML or JSON file; InvalidInput naming the file and the field."""
    return parse_call(yaml12.load(yaml12.read_text(path), str(path)), str(path))


def parse_call(document: Any, name: str = "call") -> Call:
    """A call from its parsed document; InvalidInput naming `name` and the field."""
    if not isinstance(document, Mapping):
        raise InvalidInput(f"{name}: expected a mapping of fields (id, required_capabilities...)")
    fields = _Fields(name, document)
    instrument = fields.text("instrument", default="edf").lower()
    if instrument not in INSTRUMENTS:
        raise fields.fail("instrument", f"{instrument!r}: the builder knows only edf")
    terms = vocabulary()
    capabilities = tuple(
        terms.term(value, f"{name}: required_capabilities[{number}]")
        for number, value in enumerate(fields.texts("required_capabilities", required=True))
    )
    if len(set(capabilities)) < len(capabilities):
        raise fields.fail("required_capabilities", "a capability is listed twice")
    countries = fields.texts("countries")
    call = Call(
        id=fields.text("id"),
        title=fields.text("title", default=""),
        instrument=instrument,
        required_capabilities=capabilities,
        source=name,
        countries=_countries(countries, fields) if countries else None,
        budget=fields.whole("budget"),
        member_cost=fields.whole("member_cost", minimum=1),
        roles=_roles(fields),
        allow_cooperation=fields.flag("allow_cooperation", default=True),
        weights=_weights(fields),
        candidates=frozenset(fields.texts("candidates")) if "candidates" in document else None,
        require=fields.texts("require"),
        exclude=frozenset(fields.texts("exclude")),
        date=parse_date(document["date"], f"{name}: date") if document.get("date") else None,
    )
    clash = sorted(set(call.require) & call.exclude)
    if clash:
        raise fields.fail("exclude", f"{clash[0]!r} is also required")
    if call.member_cost is not None and call.budget is None:
        raise fields.fail("member_cost", "needs a budget")
    return call


def _countries(names: Sequence[str], fields: _Fields) -> frozenset[str]:
    # Group names (EU, EEA_EFTA) or ISO codes; whether they are inside the instrument's
    # area is checked against the rules when the builder runs.
    known = countries()
    found: set[str] = set()
    for number, value in enumerate(names):
        if value in known.groups:
            found |= known.groups[value]
        else:
            found.add(country_code(value, f"{fields.name}: countries[{number}]"))
    return frozenset(found)


def _roles(fields: _Fields) -> Roles:
    roles = fields.section("roles")
    coordinator = roles.get("coordinator", 1)
    if isinstance(coordinator, bool) or not isinstance(coordinator, int | str):
        raise fields.fail("roles.coordinator", f"{coordinator!r}: 1 or an organisation id")
    if isinstance(coordinator, int) and coordinator != 1:
        raise fields.fail("roles.coordinator", f"{coordinator}: an EDF action has one coordinator")
    least = fields.whole("min_members", roles, "roles.", default=3)
    most = fields.whole("max_members", roles, "roles.", default=DEFAULT_MAX_MEMBERS)
    assert least is not None and most is not None  # defaults given
    if most < max(least, 1):
        raise fields.fail("roles.max_members", f"{most} is below roles.min_members ({least})")
    unknown = sorted(set(roles) - {"coordinator", "min_members", "max_members"})
    if unknown:
        raise fields.fail(
            f"roles.{unknown[0]}", "unknown role (coordinator, min_members, max_members)"
        )
    return Roles(
        coordinator=coordinator if isinstance(coordinator, str) else None,
        min_members=least,
        max_members=most,
    )


def _weights(fields: _Fields) -> Weights:
    given = fields.section("weights")
    defaults = Weights()
    unknown = sorted(set(given) - set(vars(defaults)))
    if unknown:
        known = ", ".join(vars(defaults))
        raise fields.fail(f"weights.{unknown[0]}", f"unknown weight ({known})")
    values = {
        key: fields.whole(key, given, "weights.", default=default) or 0
        for key, default in vars(defaults).items()
    }
    return Weights(**values)


class _Fields:
    """Reads the call's typed fields, naming the file and the field in every error."""

    def __init__(self, name: str, document: Mapping[str, Any]):
        self.name = name
        self.document = document

    def fail(self, where: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{self.name}: {where}: {problem}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.document.get(key, default)
        if value is None or (default is None and not str(value).strip()):
            raise self.fail(key, "is missing")
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.fail(key, f"{value!r}: expected text")
        return str(value).strip()

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.document.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or (required and not value):
            raise self.fail(key, "expected a non-empty list" if required else "expected a list")
        for number, item in enumerate(value):
            if not isinstance(item, str | int) or isinstance(item, bool) or not str(item).strip():
                raise self.fail(f"{key}[{number}]", f"{item!r}: expected text")
        return tuple(str(item).strip() for item in value)

    def section(self, key: str) -> Mapping[str, Any]:
        value = self.document.get(key) or {}
        if not isinstance(value, Mapping):
            raise self.fail(key, "expected a mapping")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.document.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"{value!r}: true or false")
        return value

    def whole(
        self,
        key: str,
        parent: Mapping[str, Any] | None = None,
        prefix: str = "",
        default: int | None = None,
        minimum: int = 0,
    ) -> int | None:
        value = (self.document if parent is None else parent).get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(prefix + key, f"{value!r}: a whole number ({minimum} or more)")
        return value
