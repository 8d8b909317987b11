"""The origin rules' arithmetic: the share of components from inside (or outside) a set of
countries, against the rule's base, compared exactly with the rule's limit.

EDIRPA (Regulation (EU) 2023/2418) wants the components from the Union and associated
countries to cost at least 65 % of the end product's estimated value; EDIP (Regulation (EU)
2025/2643, Art. 10(3)) and SAFE (Council Regulation (EU) 2025/1106, Art. 16) cap the
components from outside at 35 % of the components' estimated cost. The bases differ, and so
does "inside" (SAFE adds Ukraine, and partners with an Art. 17 agreement): the rule record
names both (``check: {kind: origin_share, counted, inside, base, at_least | at_most}``).

Everything is integers and :class:`fractions.Fraction`, never floats, so that "shall not
exceed 35 %" passes at 35.00 % and fails at 35.01 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from accord.core.errors import InvalidInput
from accord.desks.industry.rules import Rule, RuleBook

COUNTED = ("inside", "outside")
BASES = ("end_product_value", "component_cost")
BOUNDS = ("at_least", "at_most")
PERCENT_PLACES = 4


class Costed(Protocol):
    """Anything with a component's name, origin (ISO 3166-1 alpha-2) and cost."""

    @property
    def name(self) -> str: ...

    @property
    def origin(self) -> str: ...

    @property
    def cost(self) -> int: ...


@dataclass(frozen=True)
class OriginShare:
    """One origin rule worked out for one set of components."""

    rule_id: str
    counted: str  # "inside" | "outside"
    base: str  # "end_product_value" | "component_cost"
    counted_cost: int  # cost of the counted components, whole units
    base_amount: int  # the base, whole units
    share: Fraction  # counted_cost / base_amount
    bound: str  # "at_least" | "at_most"
    limit: Fraction
    passed: bool
    outside: tuple[str, ...]  # names of the components originating outside

    @property
    def percent(self) -> str:
        """The share as exact percentage text (see :func:`percent`)."""
        return percent(self.share)


@dataclass(frozen=True)
class LinearBound:
    """An origin rule as an integer linear constraint, for a solver:
    ``counted_cost * counted_factor  (<= | >=)  base_factor * base``, which is
    ``counted_cost / base (<= | >=) base_factor / counted_factor`` without division."""

    rule_id: str
    counted: str  # "inside" | "outside"
    base: str  # "end_product_value" | "component_cost"
    sense: str  # "<=" (at_most) | ">=" (at_least)
    counted_factor: int  # the limit's denominator
    base_factor: int  # the limit's numerator

    def holds(self, counted_cost: int, base_amount: int) -> bool:
        """Whether the constraint holds for these amounts (exact integers)."""
        left = counted_cost * self.counted_factor
        right = self.base_factor * base_amount
        return left <= right if self.sense == "<=" else left >= right


def origin_share(
    rule: Rule,
    components: Sequence[tuple[str, str, int]] | Sequence[Costed],
    estimated_value: int,
    inside: frozenset[str],
) -> OriginShare:
    """Work out an origin rule for `components` ((name, origin, cost) tuples or records).

    `inside` is the caller's set of countries counted as inside (the rule's groups, plus
    partners with an agreement in force where the instrument allows it). Costs and
    `estimated_value` are whole units; the base is `estimated_value` or the components'
    total cost, as the rule says. InvalidInput if the base is 0 (no share exists).
    """
    bound = linear_bound(rule)
    items = [_costed(item) for item in components]
    inside_cost = sum(cost for _, origin, cost in items if origin in inside)
    total_cost = sum(cost for _, _, cost in items)
    counted_cost = inside_cost if bound.counted == "inside" else total_cost - inside_cost
    base_amount = estimated_value if bound.base == "end_product_value" else total_cost
    if base_amount == 0:
        what = "estimated value" if bound.base == "end_product_value" else "component cost"
        raise InvalidInput(f"rule {rule.id}: the end product's {what} is 0; no share exists")
    return OriginShare(
        rule_id=rule.id,
        counted=bound.counted,
        base=bound.base,
        counted_cost=counted_cost,
        base_amount=base_amount,
        share=Fraction(counted_cost, base_amount),
        bound="at_most" if bound.sense == "<=" else "at_least",
        limit=Fraction(bound.base_factor, bound.counted_factor),
        passed=bound.holds(counted_cost, base_amount),
        outside=tuple(name for name, origin, _ in items if origin not in inside),
    )


def linear_bound(rule: Rule) -> LinearBound:
    """The origin rule as ``counted * d (<= | >=) n * base`` for its limit n/d;
    InvalidInput naming the rule and field if its check is not a well-formed origin_share."""
    check = rule.check
    where = f"rule {rule.id} check"
    if rule.kind != "origin_share":
        raise InvalidInput(f"{where}.kind: {rule.kind!r} is not origin_share")
    if check.get("counted") not in COUNTED:
        raise InvalidInput(f"{where}.counted: {check.get('counted')!r}: one of inside, outside")
    if check.get("base") not in BASES:
        raise InvalidInput(f"{where}.base: {check.get('base')!r}: one of {', '.join(BASES)}")
    bounds = [name for name in BOUNDS if name in check]
    if len(bounds) != 1:
        raise InvalidInput(f"{where}: exactly one of at_least, at_most")
    limit = rule.share(bounds[0])
    return LinearBound(
        rule_id=rule.id,
        counted=str(check["counted"]),
        base=str(check["base"]),
        sense="<=" if bounds[0] == "at_most" else ">=",
        counted_factor=limit.denominator,
        base_factor=limit.numerator,
    )


def origin_rules(rule_book: RuleBook, instrument: str, on: dt.date) -> list[Rule]:
    """The origin_share rules of `instrument` in force on `on`, by id; InvalidInput (from
    :meth:`RuleBook.rules_for`) if the instrument is unknown or not in force that day."""
    rules = rule_book.rules_for(instrument, on)
    return sorted((rule for rule in rules if rule.kind == "origin_share"), key=lambda r: r.id)


def percent(share: Fraction) -> str:
    """A share as exact percentage text: "35", "35.01", "64.99", "12.5".

    If the percentage has more than four decimal places (1/3 is 33.333...), its first four
    are shown, truncated, followed by "…": "33.3333…". The digits shown are always the true
    leading digits, and the "…" says more follow, so a share just above a limit never reads
    as the limit itself (35.00001 % is "35.0000…", not "35").
    """
    scaled = share * 100 * 10**PERCENT_PLACES
    sign = "-" if scaled < 0 else ""
    magnitude = abs(scaled)
    digits = magnitude.numerator // magnitude.denominator
    whole, fraction = divmod(digits, 10**PERCENT_PLACES)
    decimals = f"{fraction:0{PERCENT_PLACES}d}"
    if magnitude.denominator != 1:
        return f"{sign}{whole}.{decimals}…"
    decimals = decimals.rstrip("0")
    return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"


def _costed(item: tuple[str, str, int] | Costed) -> tuple[str, str, int]:
    if isinstance(item, tuple):
        name, origin, cost = item
        return str(name), str(origin), int(cost)
    return item.name, item.origin, item.cost
