"""Checks on an EDF action as a whole: its activities, the minimum consortium with its
independence condition, the states behind it, and the funding rate with the PESCO and
SME bonuses (Regulation (EU) 2021/697, Arts 10, 13 and 21). A failed action check makes
the action as described not eligible."""

from __future__ import annotations

from fractions import Fraction

from accord.core.errors import InvalidInput
from accord.desks.industry.assessment import Finding
from accord.desks.industry.context import Check, Context
from accord.desks.industry.independence import independent_group, name_key
from accord.desks.industry.origin import percent
from accord.desks.industry.questions import Action, Entity
from accord.desks.industry.rules import Rule

_COUNTED = ("eligible", "eligible_if_guarantees")
_NOT_COUNTED_ROLES = ("subcontractor", "cooperation")
_WHOLE = Fraction(1)


def eligible_activities(rule: Rule, context: Context) -> Finding:
    allowed = [str(activity) for activity in rule.check["activities"]]
    unknown = [a for a in _action(context).activities if a not in allowed]
    if unknown:
        return Finding(
            False, f"{', '.join(unknown)}: not an eligible activity (one of {', '.join(allowed)})"
        )
    return Finding(True, f"{', '.join(_action(context).activities)}: eligible activities")


def no_third_country_restriction(rule: Rule, context: Context) -> Finding:
    if _action(context).third_country_restriction:
        return Finding(
            False, "a non-associated third country restricts the pre-existing information"
        )
    return Finding(True, "no third-country restriction is declared (third_country_restriction)")


def minimum_consortium(rule: Rule, context: Context) -> Finding:
    counted = [
        entity
        for entity in context.question.entities
        if context.standing[entity.id] in _COUNTED
        and entity.role not in _NOT_COUNTED_ROLES
        and context.is_inside(entity.established_in)
    ]
    # Unconditionally eligible entities first, so the independent group named needs no
    # guarantees if one exists without.
    counted.sort(key=lambda entity: context.standing[entity.id] != "eligible")
    need = {key: int(rule.check[key]) for key in ("entities", "countries", "independent")}
    need_spread = int(rule.check["independent_countries"])
    countries = sorted({entity.established_in for entity in counted})
    independent = independent_group(
        counted, need["independent"], need_spread, lambda entity: entity.established_in, related
    )
    problems = []
    if len(counted) < need["entities"]:
        problems.append(f"{len(counted)} eligible entities, at least {need['entities']} needed")
    if len(countries) < need["countries"]:
        problems.append(f"{len(countries)} countries, at least {need['countries']} needed")
    if independent is None:
        problems.append(
            f"no {need['independent']} entities in {need_spread} or more countries are free of "
            "common control"
        )
    finding = Finding(not problems, "; ".join(problems))
    if not problems:
        names = ", ".join(entity.id for entity in independent or ())
        finding.why = (
            f"{len(counted)} eligible entities in {len(countries)} countries "
            f"({', '.join(countries)}); independent of each other: {names}"
        )
    finding.metrics.update(
        counted_entities=len(counted),
        counted_countries=countries,
        independent_entities=[entity.id for entity in independent or ()],
    )
    return finding


def supporting_states(rule: Rule, context: Context) -> Finding:
    action = _action(context)
    concerned = [a for a in action.activities if a in rule.check["activities"]]
    if not concerned:
        return Finding(None, f"no {' / '.join(rule.check['activities'])} activity")
    states = sorted({state for state in action.supporting_states if context.is_inside(state)})
    need = int(rule.check["states"])
    finding = Finding(
        len(states) >= need,
        f"{', '.join(concerned)}: {len(states)} supporting Member States or associated "
        f"countries ({', '.join(states) or 'none named in action.supporting_states'}), "
        f"at least {need} needed",
    )
    return finding


def funding_rate(rule: Rule, context: Context) -> Finding:
    rates = _funding_rates(context)
    finding = Finding(True, f"up to {percent(rule.share('rate'))} % of eligible costs")
    finding.metrics["funding_rate_percent"] = {a: percent(r) for a, r in rates.items()}
    return finding


def funding_rate_by_activity(rule: Rule, context: Context) -> Finding:
    action = _action(context)
    if action.type != rule.check["action_type"]:
        return Finding(None, f"a {action.type} action: the caps are for development actions")
    capped = {a: rule.share_of("rates", a) for a in action.activities if a in rule.check["rates"]}
    if not capped:
        return Finding(None, "no prototyping, testing, qualification or certification activity")
    return Finding(True, ", ".join(f"{a} up to {percent(r)} %" for a, r in capped.items()))


def funding_bonus(rule: Rule, context: Context) -> Finding:
    action = _action(context)
    points = int(rule.check["points"])
    if action.type != rule.check["action_type"]:
        return Finding(None, f"a {action.type} action: the bonus is for development actions")
    if not _bonus_applies(action, rule):
        return Finding(None, f"not a {rule.check['when'].upper()} action: no bonus")
    return Finding(True, f"{rule.check['when'].upper()} action: +{points} percentage points")


def sme_bonus(rule: Rule, context: Context) -> Finding:
    action = _action(context)
    if action.type != rule.check["action_type"]:
        return Finding(None, f"a {action.type} action: the bonus is for development actions")
    points, why = _sme_points(rule, context)
    finding = Finding(True if points is not None else None, why)
    if points is not None:
        finding.metrics["sme_bonus_points"] = percent(points)
    return finding


CHECKS: dict[str, Check] = {
    "eligible_activities": eligible_activities,
    "no_third_country_restriction": no_third_country_restriction,
    "minimum_consortium": minimum_consortium,
    "supporting_states": supporting_states,
    "funding_rate": funding_rate,
    "funding_rate_by_activity": funding_rate_by_activity,
    "funding_bonus": funding_bonus,
    "sme_bonus": sme_bonus,
}


def _action(context: Context) -> Action:
    action = context.question.action
    assert action is not None, "the engine runs action checks on consortium questions only"
    return action


def related(first: Entity, second: Entity) -> bool:
    """One controls the other, or both are controlled by the same entity (matched by name
    and country along their control chains)."""
    chain_one = {(name_key(link.name), link.country) for link in first.control_chain}
    chain_two = {(name_key(link.name), link.country) for link in second.control_chain}
    return (
        (name_key(second.name), second.established_in) in chain_one
        or (name_key(first.name), first.established_in) in chain_two
        or bool(chain_one & chain_two)
    )


def _bonus_applies(action: Action, rule: Rule) -> bool:
    """Whether the action has the fact a bonus rule names (``when: pesco``)."""
    facts = {"pesco": action.pesco}
    when = str(rule.check["when"])
    if when not in facts:
        raise InvalidInput(f"rules.yaml: rule {rule.id}: check.when {when!r}: one of pesco")
    return facts[when]


def _funding_rates(context: Context) -> dict[str, Fraction]:
    """Each activity's maximum funding rate: the base rate, the development caps, then the
    PESCO and SME bonuses (percentage points), never above 100 %."""
    action = _action(context)
    base = context.rule_of_kind("funding_rate")
    caps = context.rule_of_kind("funding_rate_by_activity")
    points = Fraction(0)
    bonus = context.rule_of_kind("funding_bonus")
    if bonus and action.type == bonus.check["action_type"] and _bonus_applies(action, bonus):
        points += Fraction(int(bonus.check["points"]), 100)
    sme = context.rule_of_kind("sme_bonus")
    if sme and action.type == sme.check["action_type"]:
        points += _sme_points(sme, context)[0] or 0
    rates = {}
    for activity in action.activities:
        rate = base.share("rate") if base else _WHOLE
        if caps and action.type == caps.check["action_type"] and activity in caps.check["rates"]:
            rate = min(rate, caps.share_of("rates", activity))
        if action.type == "development":
            rate = min(_WHOLE, rate + points)
        rates[activity] = rate
    return rates


def _sme_points(rule: Rule, context: Context) -> tuple[Fraction | None, str]:
    """The SME bonus of EDF Art. 13(3)(b): the share of eligible costs going to SMEs in a
    country where a non-SME recipient is established, as percentage points, up to the
    maximum, if SMEs get at least the minimum share; None if costs are not given."""
    funded = [
        entity
        for entity in context.question.entities
        if context.standing[entity.id] in _COUNTED and entity.role != "cooperation"
    ]
    if not funded or any(entity.eligible_costs is None for entity in funded):
        return None, "not assessed: give every funded entity's eligible_costs"
    total = sum(entity.eligible_costs or 0 for entity in funded)
    if total == 0:
        return None, "not assessed: the eligible costs add up to 0"
    smes = [entity for entity in funded if entity.sme]
    sme_share = Fraction(sum(entity.eligible_costs or 0 for entity in smes), total)
    minimum = rule.share("minimum_share")
    if sme_share < minimum:
        return Fraction(
            0
        ), f"SMEs get {percent(sme_share)} % of costs, under {percent(minimum)} %: no bonus"
    large_countries = {entity.established_in for entity in funded if not entity.sme}
    same = sum(
        entity.eligible_costs or 0 for entity in smes if entity.established_in in large_countries
    )
    points = min(Fraction(same, total), Fraction(int(rule.check["maximum_points"]), 100))
    return points, (
        f"SMEs get {percent(sme_share)} % of costs; {percent(Fraction(same, total))} % to SMEs in "
        f"the non-SME recipients' countries: +{percent(points)} points"
    )
