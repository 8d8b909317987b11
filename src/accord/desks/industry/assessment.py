"""What an eligibility check finds, and the answer the engine assembles from the findings:
a verdict, the conditions it rests on, each entity's standing, the metrics and every
rule with its citation, status and reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from accord.desks.industry.rules import Rule

# Worst last: an entity's standing is the worst any rule gives it.
ENTITY_STATUSES = (
    "eligible",
    "eligible_if_guarantees",
    "unfunded_cooperation_only",
    "not_eligible",
)
CONDITION_CODES = (
    "guarantees_required",
    "no_eu_funding",
    "fdi_screening_or_guarantees",
    "third_country_agreement_terms",
)
Verdict = Literal["eligible", "not_eligible", "eligible_with_condition"]
# An "entity" rule decides about entities (its verdict comes from their standing, so a
# derogation can save what the plain rule refuses); an "action" rule that fails makes the
# action as described not eligible.
Scope = Literal["entity", "action"]


@dataclass
class Finding:
    """What one rule's check found."""

    passed: bool | None  # None: the rule does not apply to this question
    why: str
    standing: dict[str, str] = field(default_factory=dict)
    conditions: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    def set_standing(self, entity_id: str, status: str) -> None:
        self.standing[entity_id] = worst(self.standing.get(entity_id, "eligible"), status)

    def add_condition(self, code: str, target: str) -> None:
        if code not in CONDITION_CODES:
            raise ValueError(f"no condition code {code!r}")  # a check's own mistake
        condition = f"{code}:{target}"
        if condition not in self.conditions:
            self.conditions.append(condition)


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    scope: Scope
    finding: Finding

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.rule.id,
            "version": self.rule.version,
            "citation": self.rule.citation,
            "status": self.rule.status,
            "sources": list(self.rule.sources),
            "passed": self.finding.passed,
            "why": self.finding.why,
        }


@dataclass(frozen=True)
class Assessment:
    """The engine's answer to one question under one instrument."""

    instrument: str
    act: str
    on: dt.date
    question_kind: str
    verdict: Verdict
    conditions: tuple[str, ...]
    entity_status: Mapping[str, str]
    metrics: Mapping[str, Any]
    results: tuple[RuleResult, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "act": self.act,
            "assessed_on": self.on.isoformat(),
            "question": self.question_kind,
            "verdict": self.verdict,
            "conditions": list(self.conditions),
            "entity_status": dict(self.entity_status),
            "metrics": dict(self.metrics),
            "rules": [result.as_json() for result in self.results],
        }

    @property
    def failed(self) -> list[RuleResult]:
        return [result for result in self.results if result.finding.passed is False]


def worst(first: str, second: str) -> str:
    return max(first, second, key=ENTITY_STATUSES.index)


def verdict_of(
    results: list[RuleResult], standing: Mapping[str, str], conditions: list[str]
) -> Verdict:
    """Not eligible if an action rule fails or an entity is not eligible; eligible with a
    condition if the answer rests on one; eligible otherwise."""
    action_failed = any(r.scope == "action" and r.finding.passed is False for r in results)
    if action_failed or "not_eligible" in standing.values():
        return "not_eligible"
    return "eligible_with_condition" if conditions else "eligible"
