"""The eligibility engine: one small check per rule kind, run over a question.

``assess(question, "safe")`` takes the instrument's rules in force on the day (the newest
version of each), runs each rule's check with the rule's own numbers, and assembles the
answer (:class:`~accord.desks.industry.assessment.Assessment`). The checks live in
``checks_entities``, ``checks_action`` and ``checks_procurement``; this module only routes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from accord.core.errors import InvalidInput
from accord.desks.industry import checks_action, checks_entities, checks_procurement
from accord.desks.industry.assessment import (
    Assessment,
    RuleResult,
    Scope,
    verdict_of,
    worst,
)
from accord.desks.industry.context import Check, Context
from accord.desks.industry.countries import Countries
from accord.desks.industry.questions import Question
from accord.desks.industry.rules import Rule, RuleBook, rule_book

# The kind of question each instrument's rules are about.
QUESTION_KINDS: Mapping[str, tuple[str, ...]] = {
    "edf": ("consortium",),
    "edirpa": ("procurement", "product"),
    "edip": ("procurement", "product"),
    "safe": ("procurement", "product"),
}


@dataclass(frozen=True)
class _Registered:
    check: Check
    scope: Scope


CHECKS: dict[str, _Registered] = {
    **{kind: _Registered(check, "entity") for kind, check in checks_entities.CHECKS.items()},
    **{kind: _Registered(check, "action") for kind, check in checks_action.CHECKS.items()},
    **{kind: _Registered(check, "action") for kind, check in checks_procurement.CHECKS.items()},
}


def assess(
    question: Question,
    instrument: str,
    on: dt.date | None = None,
    book: RuleBook | None = None,
    known_countries: Countries | None = None,
) -> Assessment:
    """The answer to `question` under `instrument` on day `on` (default: the contract's
    signature date, else today in UTC). InvalidInput if the instrument does not apply that day,
    the question is of a kind the instrument does not judge, or a rule's check is unknown."""
    book = book or rule_book()
    day = on or question.contract_signed or dt.datetime.now(dt.UTC).date()
    rules = book.rules_for(instrument, day)
    wanted = QUESTION_KINDS.get(instrument, ())
    if question.kind not in wanted:
        raise InvalidInput(
            f"{book.instruments[instrument].act} ({instrument}) judges "
            f"{' or '.join(_describe(kind) for kind in wanted)}; this question is "
            f"{_describe(question.kind)}"
        )
    context = Context.build(question, book.instruments[instrument], day, rules, known_countries)
    results = _run(rules, context)
    return _assemble(context, results)


def _run(rules: list[Rule], context: Context) -> list[RuleResult]:
    # Entity rules first, so that the action rules (the minimum consortium) count the
    # entities' standing; within a scope, the order of rules.yaml.
    ordered = sorted(rules, key=lambda rule: _registered(rule).scope != "entity")
    results = []
    for rule in ordered:
        registered = _registered(rule)
        finding = registered.check(rule, context)
        for entity_id, status in finding.standing.items():
            context.standing[entity_id] = worst(context.standing[entity_id], status)
        results.append(RuleResult(rule, registered.scope, finding))
    return sorted(results, key=lambda result: rules.index(result.rule))


def _assemble(context: Context, results: list[RuleResult]) -> Assessment:
    conditions: list[str] = []
    metrics: dict[str, object] = {}
    for result in results:
        conditions += [c for c in result.finding.conditions if c not in conditions]
        metrics.update(result.finding.metrics)
    # A condition on an entity that is not eligible anyway is no condition of the answer.
    conditions = [
        condition
        for condition in conditions
        if context.standing.get(condition.split(":", 1)[1]) != "not_eligible"
    ]
    standing = dict(context.standing)
    return Assessment(
        instrument=context.instrument.code,
        act=context.instrument.act,
        on=context.on,
        question_kind=context.question.kind,
        verdict=verdict_of(results, standing, conditions),
        conditions=tuple(conditions),
        entity_status=standing,
        metrics=metrics,
        results=tuple(results),
    )


def _registered(rule: Rule) -> _Registered:
    registered = CHECKS.get(rule.kind)
    if registered is None:
        raise InvalidInput(f"rules.yaml: rule {rule.id}: no check of kind {rule.kind!r}")
    return registered


def _describe(kind: str) -> str:
    return {
        "consortium": "a consortium (action and entities)",
        "procurement": "a common procurement (procuring_states)",
        "product": "a product (end_product)",
    }[kind]
