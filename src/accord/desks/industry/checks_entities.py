"""Checks on who may take part: where an entity is established, managed and operated,
who controls it, and what saves one that fails (guarantees, FDI screening, a SAFE
agreement, the subcontractor band). Each check returns a Finding that gives entities
their standing; the verdict follows from the standing, so a derogation can save what the
plain rule refuses."""

from __future__ import annotations

from fractions import Fraction

from accord.desks.industry.assessment import Finding
from accord.desks.industry.context import Check, Context, describe_chain
from accord.desks.industry.origin import percent
from accord.desks.industry.questions import Entity
from accord.desks.industry.rules import Rule

_PENDING = {"none": "none given yet", "not_applicable": "none given yet"}


def associated_countries(rule: Rule, context: Context) -> Finding:
    listed = ", ".join(sorted(context.countries.inside(rule.check["countries"])))
    return Finding(True, f"associated countries under this instrument: {listed}")


def established_inside(rule: Rule, context: Context) -> Finding:
    outside = [e for e in context.members if not context.is_inside(e.established_in)]
    funded = [e for e in outside if _funded(e)]
    finding = Finding(not funded, "")
    for entity in funded:
        finding.set_standing(entity.id, "not_eligible")
    if funded:
        finding.why = "; ".join(
            f"{_name(e)} is established in {e.established_in}, outside the Union and "
            "associated countries, and asks for Union money: drop it, or let it take part "
            "without (requests_eu_funding: false)"
            for e in funded
        )
    else:
        cooperating = ", ".join(f"{_name(e)} ({e.established_in})" for e in outside)
        finding.why = "every recipient and subcontractor is established inside" + (
            f"; {cooperating} takes part only as unfunded cooperation" if outside else ""
        )
    return finding


def unfunded_cooperation(rule: Rule, context: Context) -> Finding:
    outside = [e for e in context.members if not context.is_inside(e.established_in)]
    if not outside:
        return Finding(None, "no entity from outside the Union and associated countries")
    finding = Finding(True, "")
    reasons = []
    for entity in outside:
        if _funded(entity):
            finding.passed = False
            finding.set_standing(entity.id, "not_eligible")
            reasons.append(f"{_name(entity)} asks for Union money it cannot receive")
        else:
            finding.set_standing(entity.id, "unfunded_cooperation_only")
            finding.add_condition("no_eu_funding", entity.id)
            reasons.append(
                f"{_name(entity)} ({entity.established_in}) may cooperate without Union "
                "money and does not count towards the consortium"
            )
    finding.why = "; ".join(reasons)
    return finding


def managed_and_operated_inside(rule: Rule, context: Context) -> Finding:
    return _management_check(context, infrastructure=True)


def not_controlled_from_outside(rule: Rule, context: Context) -> Finding:
    controlled = _controlled(context)
    if not controlled:
        return Finding(True, "no entity established inside is controlled from outside")
    saved_by = context.rule_of_kind("control_derogation")
    finding = Finding(False, "")
    for entity in controlled:
        if saved_by is None:
            finding.set_standing(entity.id, "not_eligible")
    finding.why = "; ".join(
        f"{_name(e)} is controlled from outside: {describe_chain(e)}" for e in controlled
    ) + (f" (see {saved_by.id})" if saved_by else "")
    return finding


def control_derogation(rule: Rule, context: Context) -> Finding:
    route = str(rule.check.get("route", "guarantees"))
    controlled = [e for e in _controlled(context) if not _saved_by_agreement(e, context)]
    if not controlled:
        return Finding(None, "no entity established inside is controlled from outside")
    finding = Finding(True, "")
    finding.why = "; ".join(_derogate(entity, route, finding, context) for entity in controlled)
    return finding


def contractor_eligibility(rule: Rule, context: Context) -> Finding:
    if not context.question.contractors:
        return Finding(None, "the question names no contractors")
    inside = context.countries.inside(rule.check["inside"])
    finding = Finding(True, "")
    reasons = []
    for entity in context.question.contractors:
        reason = _contractor(entity, rule, inside, finding, context)
        if reason:
            reasons.append(reason)
    finding.why = "; ".join(reasons) or (
        f"every contractor is established and managed in {_places(rule)}, and none is "
        "controlled from outside"
    )
    return finding


def third_country_agreement(rule: Rule, context: Context) -> Finding:
    linked = [
        (entity, country)
        for entity in context.question.contractors
        for country in _outside_countries(entity, context)
    ]
    if not linked:
        return Finding(None, "no contractor is established in or controlled from a third country")
    finding = Finding(True, "")
    reasons = []
    for entity, country in linked:
        basis = context.agreement_basis(country)
        if basis is not None:
            finding.add_condition("third_country_agreement_terms", entity.id)
            reasons.append(f"{_name(entity)}: {country}'s agreement is {basis}; its terms apply")
        elif entity.established_in == country or entity.executive_management_in == country:
            reason = f"{_name(entity)}: {_agreement_state(country, context)}"
            band = context.rule_of_kind("outside_subcontractor_band")
            if band is not None and _band_applies(entity, context):
                reason += f"; as a subcontractor it may take part only under {band.id}"
            else:
                finding.passed = False
                finding.set_standing(entity.id, "not_eligible")
            reasons.append(reason)
    finding.why = "; ".join(reasons) or "no agreement needed"
    return finding


def outside_subcontractor_band(rule: Rule, context: Context) -> Finding:
    concerned = [e for e in context.question.contractors if _band_applies(e, context)]
    if not concerned:
        return Finding(None, "no subcontractor from outside without an agreement")
    low, high = rule.share("from_share"), rule.share("to_share")
    finding = Finding(True, "")
    reasons = []
    shares = {}
    for entity in concerned:
        value, total = entity.allocated_value, context.question.contract_value
        if value is None or not total:
            finding.passed = False
            finding.set_standing(entity.id, "not_eligible")
            reasons.append(
                f"{_name(entity)}: its share of the contract is unknown (give its "
                "allocated_value and the contract_value)"
            )
            continue
        share = Fraction(value, total)
        shares[entity.id] = percent(share)
        in_band = low <= share <= high
        if in_band and entity.derogation != "none":
            reasons.append(f"{_name(entity)}: {percent(share)} % with {entity.derogation}")
            continue
        finding.passed = False
        finding.set_standing(entity.id, "not_eligible")
        reasons.append(_band_refusal(entity, share, in_band, low, high))
    finding.why = "; ".join(reasons)
    finding.metrics["outside_subcontractor_shares_percent"] = shares
    return finding


CHECKS: dict[str, Check] = {
    "associated_countries": associated_countries,
    "established_inside": established_inside,
    "unfunded_cooperation": unfunded_cooperation,
    "managed_and_operated_inside": managed_and_operated_inside,
    "not_controlled_from_outside": not_controlled_from_outside,
    "control_derogation": control_derogation,
    "contractor_eligibility": contractor_eligibility,
    "third_country_agreement": third_country_agreement,
    "outside_subcontractor_band": outside_subcontractor_band,
}


def _funded(entity: Entity) -> bool:
    return entity.requests_eu_funding and entity.role != "cooperation"


def _name(entity: Entity) -> str:
    return f"{entity.name} [{entity.id}]"


def _management_check(context: Context, infrastructure: bool) -> Finding:
    finding = Finding(True, "")
    reasons = []
    for entity in context.members:
        if not context.is_inside(entity.established_in):
            continue  # established outside: the establishment rule decides
        places = [entity.executive_management_in]
        if infrastructure:
            places += list(entity.infrastructure_in)
        abroad = sorted({place for place in places if not context.is_inside(place)})
        if abroad:
            finding.passed = False
            finding.set_standing(entity.id, "not_eligible")
            reasons.append(f"{_name(entity)} is managed or operates in {', '.join(abroad)}")
    finding.why = "; ".join(reasons) or (
        "every entity established inside is managed"
        + (" and operates" if infrastructure else "")
        + " inside"
    )
    return finding


def _controlled(context: Context) -> list[Entity]:
    """Members established inside with a controller outside."""
    return [
        entity
        for entity in context.members
        if context.is_inside(entity.established_in) and context.outside_controllers(entity)
    ]


def _saved_by_agreement(entity: Entity, context: Context) -> bool:
    """Every outside controller's country has a SAFE agreement in force."""
    links = context.outside_controllers(entity)
    return bool(links) and all(context.agreement_basis(link.country) for link in links)


def _derogate(entity: Entity, route: str, finding: Finding, context: Context) -> str:
    """Apply the guarantees (or FDI screening) route to an entity controlled from outside."""
    approver = entity.established_in
    what = "guarantees" if route == "guarantees" else "FDI screening or guarantees"
    if entity.guarantees == "approved":
        return f"{_name(entity)}: {what} approved by {approver}: eligible"
    if entity.guarantees == "refused":
        finding.passed = False
        finding.set_standing(entity.id, "not_eligible")
        return f"{_name(entity)}: {approver} refused the {what}: not eligible"
    finding.set_standing(entity.id, "eligible_if_guarantees")
    code = "guarantees_required" if route == "guarantees" else "fdi_screening_or_guarantees"
    finding.add_condition(code, entity.id)
    return (
        f"{_name(entity)}: eligible only once {approver} approves {what} "
        f"({_PENDING[entity.guarantees]})"
    )


def _contractor(
    entity: Entity, rule: Rule, inside: frozenset[str], finding: Finding, context: Context
) -> str:
    """Why `entity` fails `rule` (setting its standing), or "" if it meets it."""
    places = {entity.established_in, entity.executive_management_in}
    if rule.check.get("infrastructure"):
        places |= set(entity.infrastructure_in)
    abroad = sorted(place for place in places if place not in inside)
    if abroad:
        finding.passed = False
        deferred = [country for country in abroad if context.agreement_basis(country)]
        if len(deferred) < len(abroad) and not _band_applies(entity, context):
            finding.set_standing(entity.id, "not_eligible")
        return f"{_name(entity)} is established, managed or operates in {', '.join(abroad)}"
    links = [link for link in entity.control_chain if link.country not in inside]
    if not links:
        return ""
    derogation = str(rule.check.get("derogation", "none_read"))
    chain = describe_chain(entity)
    if derogation == "none_read":
        return (
            f"{_name(entity)} is controlled from outside ({chain}); the instrument's "
            "control rule was not read, so control is not assessed"
        )
    if _saved_by_agreement(entity, context):
        finding.passed = False
        return f"{_name(entity)} is controlled from outside ({chain}); see the agreement rule"
    if derogation == "guarantees":
        return f"controlled from outside ({chain}): " + _derogate(
            entity, "guarantees", finding, context
        )
    finding.passed = False
    saved_by = context.rule_of_kind("control_derogation")
    if saved_by is None:
        finding.set_standing(entity.id, "not_eligible")
    return f"{_name(entity)} is controlled from outside ({chain})" + (
        f"; see {saved_by.id}" if saved_by else ""
    )


def _places(rule: Rule) -> str:
    return " + ".join(str(group) for group in rule.check["inside"])


def _outside_countries(entity: Entity, context: Context) -> list[str]:
    """The third countries `entity` is established, managed or controlled in."""
    places = [entity.established_in, entity.executive_management_in]
    places += [link.country for link in entity.control_chain]
    return sorted({place for place in places if not context.is_inside(place)})


def _agreement_state(country: str, context: Context) -> str:
    agreement = context.countries.safe_agreements.get(country)
    if agreement is None:
        return f"{country} has no SAFE agreement on record: its firms cannot be contractors"
    sources = ", ".join(agreement.sources)
    return (
        f"{country}'s SAFE agreement: {agreement.state} as of {agreement.as_of} ({sources}); "
        "without one in force its firms cannot be contractors"
    )


def _band_applies(entity: Entity, context: Context) -> bool:
    """A subcontractor established or managed outside, without an agreement, that the
    subcontractor band (SAFE Art. 16(4)) may admit."""
    if entity.role != "subcontractor" or context.rule_of_kind("outside_subcontractor_band") is None:
        return False
    places = {entity.established_in, entity.executive_management_in}
    abroad = [place for place in places if not context.is_inside(place)]
    return bool(abroad) and not all(context.agreement_basis(place) for place in abroad)


def _band_refusal(
    entity: Entity, share: Fraction, in_band: bool, low: Fraction, high: Fraction
) -> str:
    band = f"{percent(low)}–{percent(high)} %"
    if in_band:
        return (
            f"{_name(entity)}: {percent(share)} % of the contract is within {band}, but "
            "neither a contract before the Regulation (prior_contract) nor a commitment to "
            "study a replacement (replacement_study) is declared"
        )
    if share < low:
        return (
            f"{_name(entity)}: {percent(share)} % of the contract is below {band}; the "
            "band's derogation does not cover it and what applies below it is not settled "
            "in the sources read, so the establishment rule applies"
        )
    return f"{_name(entity)}: {percent(share)} % of the contract is above {band}"
