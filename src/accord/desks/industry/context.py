"""What every check sees: the question, the instrument's rules in force, where "inside"
is for this instrument, which third countries have a SAFE agreement in force, and the
entities' standing so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from accord.desks.industry.assessment import Finding
from accord.desks.industry.countries import Countries, countries
from accord.desks.industry.questions import Controller, Entity, Question
from accord.desks.industry.rules import Instrument, Rule


@dataclass(frozen=True)
class Context:
    question: Question
    instrument: Instrument
    on: dt.date
    rules: tuple[Rule, ...]
    countries: Countries
    inside: frozenset[str]  # where entities may be established, managed and controlled
    agreements: Mapping[str, str]  # SAFE Art. 17 agreement in force: country -> basis
    standing: dict[str, str]  # entity id -> the worst status given so far

    @classmethod
    def build(
        cls,
        question: Question,
        instrument: Instrument,
        on: dt.date,
        rules: list[Rule],
        known: Countries | None = None,
    ) -> Context:
        known = known or countries()
        members = question.entities + question.contractors
        return cls(
            question=question,
            instrument=instrument,
            on=on,
            rules=tuple(rules),
            countries=known,
            inside=known.inside_under(rules),
            agreements=_agreements(question, rules, known),
            standing={member.id: "eligible" for member in members},
        )

    @property
    def members(self) -> tuple[Entity, ...]:
        """The consortium's entities or the procurement's contractors."""
        return self.question.entities + self.question.contractors

    def rule_of_kind(self, kind: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.kind == kind), None)

    def is_inside(self, country: str) -> bool:
        return country in self.inside

    def outside_controllers(self, entity: Entity) -> list[Controller]:
        """The links of `entity`'s control chain in countries outside."""
        return [link for link in entity.control_chain if not self.is_inside(link.country)]

    def agreement_basis(self, country: str) -> str | None:
        return self.agreements.get(country)


def _agreements(question: Question, rules: list[Rule], known: Countries) -> dict[str, str]:
    # Only an instrument with an agreement rule (SAFE Art. 17) has agreements.
    if not any(rule.kind == "third_country_agreement" for rule in rules):
        return {}
    found = {
        code: f"in force as of {agreement.as_of} ({', '.join(agreement.sources)})"
        for code, agreement in known.safe_agreements.items()
        if known.safe_agreement_in_force(code)
    }
    for code in question.third_country_agreements_in_force:
        found.setdefault(code, "in force, as the question states")
    return found


def describe_chain(entity: Entity) -> str:
    """``Hanwha Aerospace (KR) > Hanwha Group (KR)``."""
    return " > ".join(f"{link.name} ({link.country})" for link in entity.control_chain)


# A rule's check: what it finds for the question in `context`.
Check = Callable[[Rule, Context], Finding]
