"""Checks on a common procurement or a product: who procures together (EDIRPA, EDIP,
SAFE), the origin of the components, the Union contribution's cap, the product category
and SAFE's single-procurer window. A failed check makes the procurement or product as
described not eligible."""

from __future__ import annotations

from fractions import Fraction

from accord.desks.industry.assessment import Finding
from accord.desks.industry.context import Check, Context
from accord.desks.industry.origin import origin_share as work_out_origin_share
from accord.desks.industry.origin import percent
from accord.desks.industry.rules import Rule, parse_date


def minimum_procurers(rule: Rule, context: Context) -> Finding:
    states = context.question.procuring_states
    if not states:
        return Finding(None, "no procuring states: a product question")
    check = rule.check
    if "participants" in check:
        return _safe_procurers(rule, context)
    countries = sorted({state.country for state in states})
    members = [country for country in countries if country in context.countries.member_states]
    problems = []
    if "countries" in check:
        inside = [country for country in countries if context.is_inside(country)]
        if len(inside) < int(check["countries"]):
            problems.append(
                f"{len(inside)} Member States or associated countries, at least "
                f"{check['countries']} needed"
            )
    if len(members) < int(check.get("member_states", 0)):
        problems.append(f"{len(members)} Member States, at least {check['member_states']} needed")
    if problems and check.get("or_seap") and context.question.seap:
        return Finding(True, "a SEAP procures: " + "; ".join(problems) + " does not apply")
    why = "; ".join(problems) or f"procuring: {', '.join(countries)}"
    finding = Finding(not problems, why)
    finding.metrics["procuring_member_states"] = members
    return finding


def co_procurers(rule: Rule, context: Context) -> Finding:
    states = sorted({state.country for state in context.question.procuring_states})
    others = [country for country in states if not context.is_inside(country)]
    if not others:
        return Finding(None, "every procuring state is inside (no co-procurer from outside)")
    if rule.check.get("partnership_countries"):
        allowed = context.countries.inside(["SDP"])
        what = "Security and Defence Partnership countries"
    else:
        allowed = context.countries.inside(rule.check["countries"])
        what = ", ".join(sorted(allowed))
    refused = [country for country in others if country not in allowed]
    if refused:
        return Finding(False, f"{', '.join(refused)} may not procure with them (only {what})")
    finding = Finding(True, f"{', '.join(others)}: may procure with them ({what})")
    if rule.check.get("partnership_countries"):
        # Per the EEAS their part rests on further agreements; whether a co-procurer needs
        # one is open in the research, so the answer depends on the agreement's terms.
        for country in others:
            finding.add_condition("third_country_agreement_terms", country)
        finding.why += "; on the terms of the partner's agreement with the Union"
    return finding


def origin_share(rule: Rule, context: Context) -> Finding:
    product = context.question.end_product
    if product is None:
        return Finding(None, "no end_product: the origin of components is not assessed")
    inside = context.countries.inside(rule.check["inside"]) | set(context.agreements)
    share = work_out_origin_share(rule, product.components, product.estimated_value, inside)
    base = (
        "the estimated value of the end product"
        if share.base == "end_product_value"
        else ("the estimated cost of the components")
    )
    verb = "not lower than" if share.bound == "at_least" else "at most"
    finding = Finding(
        share.passed,
        f"components from {share.counted}: {share.counted_cost:,} of {share.base_amount:,} = "
        f"{share.percent} % of {base}; the rule: {verb} {percent(share.limit)} %",
    )
    key = f"{share.counted}_share_of_{share.base}"
    finding.metrics[key] = {"percent": share.percent, "exact": str(share.share)}
    for country in sorted({c.origin for c in product.components if c.origin in context.agreements}):
        finding.add_condition("third_country_agreement_terms", country)
    return finding


def contribution_cap(rule: Rule, context: Context) -> Finding:
    # The cap is a share of the procurement contract, not of one unit's value.
    value = context.question.contract_value
    if not value:
        return Finding(None, "not assessed: no contract_value")
    reasons = _raised_because(rule, context)
    rate = rule.share("raised_rate") if reasons else rule.share("rate")
    cap = value * rate
    finding = Finding(
        True,
        f"the Union contribution is at most {percent(rate)} % of {value:,} = "
        f"{cap.numerator // cap.denominator:,}" + (f" ({'; '.join(reasons)})" if reasons else ""),
    )
    finding.metrics["maximum_union_contribution"] = cap.numerator // cap.denominator
    return finding


def product_categories(rule: Rule, context: Context) -> Finding:
    product = context.question.end_product
    if product is None or product.category is None:
        return Finding(None, "not assessed: no end_product.category")
    for category, products in rule.check["categories"].items():
        if product.category in products:
            return Finding(True, f"{product.category}: category {category}")
    known = sorted(name for names in rule.check["categories"].values() for name in names)
    return Finding(False, f"{product.category}: in no category (one of {', '.join(known)})")


def single_procurer_window(rule: Rule, context: Context) -> Finding:
    states = context.question.procuring_states
    if len({state.country for state in states}) != 1:
        return Finding(None, "not a procurement by a single Member State")
    deadline = parse_date(rule.check["signed_by"], f"rule {rule.id} check.signed_by")
    signed = context.question.contract_signed
    state = states[0]
    if state.country not in context.countries.member_states or not state.receives_safe_loan:
        return Finding(False, f"{state.country} alone: only a Member State with a SAFE loan may")
    if signed is None or signed > deadline:
        when = signed.isoformat() if signed else "no contract_signed date given"
        return Finding(False, f"{state.country} alone, contract {when}: not signed by {deadline}")
    return Finding(True, f"{state.country} alone, contract signed {signed}, by {deadline}")


CHECKS: dict[str, Check] = {
    "minimum_procurers": minimum_procurers,
    "co_procurers": co_procurers,
    "origin_share": origin_share,
    "contribution_cap": contribution_cap,
    "product_categories": product_categories,
    "single_procurer_window": single_procurer_window,
}


def _safe_procurers(rule: Rule, context: Context) -> Finding:
    """SAFE: a borrowing Member State with at least one more participant."""
    check = rule.check
    # A partnership country may join (SAFE-17-COPROC) but is none of the two participants.
    allowed = context.countries.member_states | context.countries.inside(check["partners_from"])
    states = context.question.procuring_states
    participants = sorted({state.country for state in states if state.country in allowed})
    borrowers = sorted(
        {
            state.country
            for state in states
            if state.receives_safe_loan and state.country in context.countries.member_states
        }
    )
    window = context.rule_of_kind("single_procurer_window")
    if len({state.country for state in states}) == 1 and window is not None:
        return Finding(None, f"one procuring state: see {window.id}")
    problems = []
    if len(participants) < int(check["participants"]):
        problems.append(f"{len(participants)} participants, at least {check['participants']}")
    if len(borrowers) < int(check["borrowers"]):
        problems.append("no procuring Member State receives a SAFE loan")
    finding = Finding(
        not problems,
        "; ".join(problems) or f"{', '.join(participants)}; borrowing: {', '.join(borrowers)}",
    )
    finding.metrics["safe_borrowers"] = borrowers
    return finding


def _raised_because(rule: Rule, context: Context) -> list[str]:
    question = context.question
    reasons = []
    wanted = rule.check.get("raised_when") or []
    states = {state.country for state in question.procuring_states}
    if "ukraine_or_moldova_receive" in wanted and states & {"UA", "MD"}:
        taking_part = ", ".join(sorted(states & {"UA", "MD"}))
        reasons.append(f"{taking_part} procures too, so receives quantities")
    if "sme_share_15" in wanted and question.contract_value:
        sme_value = sum(c.allocated_value or 0 for c in question.contractors if c.sme)
        if Fraction(sme_value, question.contract_value) >= Fraction(15, 100):
            reasons.append("at least 15 % of the value goes to SMEs")
    return reasons
