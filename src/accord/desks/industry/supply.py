"""Supply options for a bill of materials: the origin shares under each instrument in force,
the dependencies (single-source and third-country components, concentration per supplier
and country), and the least-cost substitutions that make the product eligible.

"Inside" is each origin rule's country groups (``data/countries.yaml``). Under an
instrument that has the third-country agreement rule (SAFE, Council Regulation (EU)
2025/1106, Art. 17), a partner with an agreement in force counts as inside too, and so does
a partner the user assumes one for; the agreement's own terms then apply and are not
checked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from accord.core.errors import InvalidInput
from accord.desks.industry.bom import BillOfMaterials, Part
from accord.desks.industry.countries import Countries, countries
from accord.desks.industry.origin import OriginShare, origin_rules, origin_share
from accord.desks.industry.questions import country_problem
from accord.desks.industry.rules import Rule, RuleBook, rule_book
from accord.desks.industry.substitution import (
    OriginTest,
    Substitution,
    least_cost_substitution,
)

AGREEMENT_KIND = "third_country_agreement"
_Holder = Callable[[Part], str]


@dataclass(frozen=True)
class InstrumentShares:
    """The origin rules of one instrument worked out for the components as built."""

    instrument: str
    act: str
    tests: tuple[OriginTest, ...]
    shares: tuple[OriginShare, ...]
    notes: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return all(share.passed for share in self.shares)

    @property
    def outside(self) -> tuple[str, ...]:
        """The components originating outside under any of the instrument's rules."""
        names = [name for share in self.shares for name in share.outside]
        return tuple(dict.fromkeys(names))

    def rule(self, rule_id: str) -> Rule:
        return next(test.rule for test in self.tests if test.rule.id == rule_id)


@dataclass(frozen=True)
class Concentration:
    """The share of the component cost that one supplier (or country) holds."""

    holder: str
    cost: int  # whole units
    share: Fraction  # of the total component cost
    components: tuple[str, ...]


@dataclass(frozen=True)
class SupplyReport:
    bom: BillOfMaterials
    on: dt.date
    instruments: tuple[InstrumentShares, ...]
    skipped: tuple[str, ...]  # why an instrument asked for was not worked out
    single_source: tuple[Part, ...]  # components with no alternative
    by_supplier: tuple[Concentration, ...]  # largest first
    by_country: tuple[Concentration, ...]  # largest first
    substitutions: tuple[Substitution, ...]  # per instrument, then all of them together


def analyse_supply(
    bom: BillOfMaterials,
    on: dt.date,
    instruments: Sequence[str] = (),
    agreements: Sequence[str] = (),
    book: RuleBook | None = None,
    known: Countries | None = None,
) -> SupplyReport:
    """The supply report for `bom` on `on`, under `instruments` (default: every instrument
    with an origin rule; those not in force that day are skipped with a note), assuming a
    SAFE agreement in force with each of `agreements` (ISO alpha-2 codes)."""
    book = book or rule_book()
    known = known or countries()
    assumed = _agreement_codes(agreements)
    analysed: list[InstrumentShares] = []
    skipped: list[str] = []
    for instrument in instruments or origin_instruments(book):
        found = _instrument_shares(bom, instrument, on, book, known, assumed)
        if isinstance(found, str):
            skipped.append(found)
        else:
            analysed.append(found)
    return SupplyReport(
        bom=bom,
        on=on,
        instruments=tuple(analysed),
        skipped=tuple(skipped),
        single_source=tuple(part for part in bom.parts if not part.alternatives),
        by_supplier=concentration(bom, lambda part: part.supplier),
        by_country=concentration(bom, lambda part: part.origin),
        substitutions=_substitutions(bom, analysed),
    )


def origin_instruments(book: RuleBook) -> list[str]:
    """The instruments with an origin rule on any day, in the rule book's order."""
    having = {rule.instrument for rule in book.rules if rule.kind == "origin_share"}
    return [code for code in book.instruments if code in having]


def concentration(bom: BillOfMaterials, holder: _Holder) -> tuple[Concentration, ...]:
    """The component cost per holder (a part's supplier or origin), largest share first."""
    total = bom.component_cost
    grouped: dict[str, list[Part]] = {}
    for part in bom.parts:
        grouped.setdefault(holder(part), []).append(part)
    found = [
        Concentration(
            holder=name,
            cost=sum(part.cost for part in parts),
            share=Fraction(sum(part.cost for part in parts), total) if total else Fraction(0),
            components=tuple(part.name for part in parts),
        )
        for name, parts in grouped.items()
    ]
    return tuple(sorted(found, key=lambda item: (-item.cost, item.holder)))


def _instrument_shares(
    bom: BillOfMaterials,
    instrument: str,
    on: dt.date,
    book: RuleBook,
    known: Countries,
    assumed: frozenset[str],
) -> InstrumentShares | str:
    """The instrument's shares, or a note why it was skipped."""
    if instrument not in book.instruments:
        raise InvalidInput(f"--instrument {instrument!r}: one of {', '.join(book.instruments)}")
    try:
        rules = origin_rules(book, instrument, on)
    except InvalidInput as exc:  # not in force that day: say so and go on
        return f"{instrument}: skipped: {exc}"
    if not rules:
        return f"{instrument}: skipped: no origin rule in force on {on.isoformat()}"
    partners: frozenset[str] = frozenset()
    notes: list[str] = []
    if any(rule.kind == AGREEMENT_KIND for rule in book.rules_for(instrument, on)):
        partners, notes = _agreement_partners(bom, known, assumed)
    tests = tuple(OriginTest(rule, known.inside(rule.check["inside"]) | partners) for rule in rules)
    return InstrumentShares(
        instrument=instrument,
        act=book.instruments[instrument].act,
        tests=tests,
        shares=tuple(
            origin_share(test.rule, bom.parts, bom.estimated_value, test.inside) for test in tests
        ),
        notes=tuple(notes),
    )


def _agreement_partners(
    bom: BillOfMaterials, known: Countries, assumed: frozenset[str]
) -> tuple[frozenset[str], list[str]]:
    """The partners counted inside through an agreement, and a note for each such partner
    (and each negotiating one) that the bill of materials buys or could buy from."""
    in_force = {code for code in known.safe_agreements if known.safe_agreement_in_force(code)}
    origins = {option.origin for part in bom.parts for option in part.options}
    notes = []
    for code in sorted((origins & set(known.safe_agreements)) | assumed):
        agreement = known.safe_agreements.get(code)
        if code in assumed:
            notes.append(
                f"{code} counts as inside: an agreement is assumed (--agreement {code}); "
                "its terms apply and are not checked here"
            )
        elif agreement is not None and code in in_force:
            notes.append(
                f"{code} counts as inside: agreement in force (as of {agreement.as_of}: "
                f"{agreement.note}); its terms apply and are not checked here"
            )
        elif agreement is not None:
            notes.append(
                f"{code} counts as outside: no agreement in force ({agreement.state}, as of "
                f"{agreement.as_of}); --agreement {code} assumes one"
            )
    return frozenset(in_force | assumed), notes


def _agreement_codes(codes: Sequence[str]) -> frozenset[str]:
    for code in codes:
        problem = country_problem(code)
        if problem:
            raise InvalidInput(f"--agreement: {problem}")
    return frozenset(code.upper() for code in codes)


def _substitutions(
    bom: BillOfMaterials, analysed: Sequence[InstrumentShares]
) -> tuple[Substitution, ...]:
    found = [least_cost_substitution(bom, item.tests, item.instrument) for item in analysed]
    if len(analysed) > 1:
        every = [test for item in analysed for test in item.tests]
        target = "+".join(item.instrument for item in analysed)
        found.append(least_cost_substitution(bom, every, target))
    return tuple(found)
