"""The consortium builder's view of a call: who may join in which role, what each brings,
which pairs worked together before, who depends on whom, and the instrument's rules on
the make-up of a consortium (EDF Art. 9 and 10(4), read from the rule book).

The CP-SAT model (:mod:`consortium`) and the greedy baseline (:mod:`consortium_greedy`)
both work on a :class:`Pool`, and both score and check their consortia with
:func:`terms` and :func:`eligibility_problems`, so the two are compared on one footing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from accord.core.errors import InvalidInput
from accord.desks.industry.calls import Call, Weights
from accord.desks.industry.countries import countries
from accord.desks.industry.independence import independent_group, name_key
from accord.desks.industry.organisations import Network, Organisation
from accord.desks.industry.rules import Rule, rule_book


@dataclass(frozen=True)
class ConsortiumRule:
    """The minimum consortium (EDF Art. 10(4)): `entities` eligible entities established in
    `countries` different inside countries, of which `independent` ones, in
    `independent_countries` countries, neither controlled by the same entity nor
    controlling each other."""

    rule_id: str
    entities: int
    countries: int
    independent: int
    independent_countries: int


@dataclass(frozen=True)
class Candidate:
    """An organisation the call admits. `funded`: established in an admitted country, so
    it may receive Fund money and counts towards the minimum; otherwise it may only
    cooperate unfunded (EDF Art. 9, cooperation paragraph). `outside_control`: a link
    of its control chain is outside, so it needs guarantees (EDF Art. 9(4))."""

    organisation: Organisation
    funded: bool
    outside_control: bool
    covers: frozenset[str]  # the call's required capabilities it has

    @property
    def id(self) -> str:
        return self.organisation.id


@dataclass(frozen=True)
class Pool:
    """The candidates of one call (ordered by id) and what the builder knows of them."""

    call: Call
    candidates: tuple[Candidate, ...]
    links: Mapping[tuple[int, int], int]  # (i, j), i < j -> shared projects, capped
    dependent_groups: tuple[tuple[int, ...], ...]  # at most one of each is independent
    rule: ConsortiumRule
    inside: frozenset[str]
    required: tuple[int, ...]
    coordinator: int | None  # the candidate the call names as coordinator
    complete: bool  # False: candidates that cover no required capability were left out

    def index(self) -> dict[str, int]:
        return {candidate.id: number for number, candidate in enumerate(self.candidates)}


@dataclass(frozen=True)
class Terms:
    """What a consortium scores on: required capabilities covered, EDF projects its
    member pairs shared (capped a pair), funded SME members, members controlled from
    outside, members."""

    capabilities: int
    co_participation: int
    smes: int
    outside_controlled: int
    members: int

    def objective(self, weights: Weights) -> int:
        """The builder's objective in points (calls.Weights)."""
        return (
            weights.capability * self.capabilities
            + weights.co_participation * self.co_participation
            + weights.sme * self.smes
            - weights.outside_control * self.outside_controlled
            - weights.member * self.members
        )


def candidate_pool(
    call: Call, network: Network, on: dt.date | None = None, complete: bool = False
) -> Pool:
    """The pool of `call` over `network` under the instrument's rules in force `on`
    (default: the call's date, else today, UTC). Unless `complete`, candidates that cover
    none of the required capabilities are left out (required ones stay)."""
    day = on or call.date or dt.datetime.now(dt.UTC).date()
    rules = rule_book().rules_for(call.instrument, day)
    inside = countries().inside_under(rules)
    admitted = _admitted_countries(call, inside)
    by_id = network.by_id()
    _check_ids(call, by_id)
    wanted = set(call.require) | ({call.roles.coordinator} if call.roles.coordinator else set())
    required_set = frozenset(call.required_capabilities)
    chosen: list[Candidate] = []
    for organisation in sorted(network.organisations, key=lambda o: o.id):
        candidate = _candidate(call, organisation, admitted, inside, required_set)
        if candidate is None or (
            not complete and not candidate.covers and candidate.id not in wanted
        ):
            continue
        chosen.append(candidate)
    index = {candidate.id: number for number, candidate in enumerate(chosen)}
    _check_admitted(call, index, chosen)
    cap = call.weights.co_participation_cap if call.weights.co_participation else 0
    return Pool(
        call=call,
        candidates=tuple(chosen),
        links=_links(network.co_participations(), index, cap),
        dependent_groups=_dependent_groups(chosen),
        rule=_minimum(rules, call),
        inside=inside,
        required=tuple(index[key] for key in call.require),
        coordinator=index[call.roles.coordinator] if call.roles.coordinator else None,
        complete=complete,
    )


def terms(pool: Pool, members: Iterable[int]) -> Terms:
    """The objective's terms of the consortium `members` (pool indices)."""
    chosen = sorted(set(members))
    covered = set().union(*(pool.candidates[i].covers for i in chosen)) if chosen else set()
    pairs = itertools.combinations(chosen, 2)
    return Terms(
        capabilities=len(covered),
        co_participation=sum(pool.links.get(pair, 0) for pair in pairs),
        smes=sum(1 for i in chosen if _funded_sme(pool.candidates[i])),
        outside_controlled=sum(1 for i in chosen if pool.candidates[i].outside_control),
        members=len(chosen),
    )


def eligibility_problems(pool: Pool, members: Iterable[int]) -> list[str]:
    """Why the consortium `members` does not meet the call and the rules (empty if it
    does): size, budget, required members, and the minimum of `pool.rule`."""
    chosen = sorted(set(members))
    call, rule = pool.call, pool.rule
    problems = []
    if not call.roles.min_members <= len(chosen) <= call.roles.max_members:
        problems.append(
            f"{len(chosen)} members, not {call.roles.min_members} to {call.roles.max_members}"
        )
    funded = [i for i in chosen if pool.candidates[i].funded]
    if call.max_funded is not None and len(funded) > call.max_funded:
        problems.append(f"{len(funded)} funded members; the budget pays for {call.max_funded}")
    missing = [pool.candidates[i].id for i in pool.required if i not in chosen]
    if missing:
        problems.append(f"required {', '.join(missing)} missing")
    countries_in = {pool.candidates[i].organisation.country for i in funded}
    if len(funded) < rule.entities or len(countries_in) < rule.countries:
        problems.append(
            f"{rule.rule_id}: {len(funded)} eligible entities in {len(countries_in)} countries, "
            f"not {rule.entities} in {rule.countries}"
        )
    if not _has_independent_core(pool, funded):
        problems.append(
            f"{rule.rule_id}: no {rule.independent} independent entities in "
            f"{rule.independent_countries} countries"
        )
    return problems


def dependent_pairs(pool: Pool) -> set[tuple[int, int]]:
    """Pairs (i < j) of funded candidates that control each other or share a controller."""
    return {
        pair for group in pool.dependent_groups for pair in itertools.combinations(sorted(group), 2)
    }


def _funded_sme(candidate: Candidate) -> bool:
    # The SME share concerns Fund money (EDF Art. 13(3)(b)): cooperation partners are left out.
    return candidate.funded and candidate.organisation.sme


def _has_independent_core(pool: Pool, funded: Sequence[int]) -> bool:
    rule, dependent = pool.rule, dependent_pairs(pool)
    core = independent_group(
        funded,
        rule.independent,
        rule.independent_countries,
        lambda i: pool.candidates[i].organisation.country,
        lambda i, j: (min(i, j), max(i, j)) in dependent,
    )
    return core is not None


def _minimum(rules: Sequence[Rule], call: Call) -> ConsortiumRule:
    rule = next((rule for rule in rules if rule.kind == "minimum_consortium"), None)
    if rule is None:
        raise InvalidInput(f"{call.source}: instrument {call.instrument} has no consortium rule")
    check = rule.check
    return ConsortiumRule(
        rule_id=rule.id,
        entities=int(check["entities"]),
        countries=int(check["countries"]),
        independent=int(check["independent"]),
        independent_countries=int(check["independent_countries"]),
    )


def _admitted_countries(call: Call, inside: frozenset[str]) -> frozenset[str]:
    if call.countries is None:
        return inside
    outside = sorted(call.countries - inside)
    if outside:
        associated = ", ".join(sorted(inside - countries().member_states))
        raise InvalidInput(
            f"{call.source}: countries: {', '.join(outside)} not inside the "
            f"{call.instrument.upper()} (the Union and {associated})"
        )
    return call.countries


def _candidate(
    call: Call,
    organisation: Organisation,
    admitted: frozenset[str],
    inside: frozenset[str],
    required: frozenset[str],
) -> Candidate | None:
    """The organisation as a candidate of `call`, or None if the call leaves it out."""
    key = organisation.id
    if key in call.exclude:
        return None
    if call.candidates is not None and key not in call.candidates and key not in call.require:
        return None
    if organisation.country in inside and organisation.country not in admitted:
        return None  # inside, but not where this call admits members
    funded = organisation.country in admitted
    if not funded and not call.allow_cooperation:
        return None
    return Candidate(
        organisation=organisation,
        funded=funded,
        # Guarantees (EDF Art. 9(4)) concern entities established inside; a cooperation
        # partner from outside gets no Fund money and needs none.
        outside_control=funded
        and any(link.country not in inside for link in organisation.control_chain),
        covers=organisation.capabilities & required,
    )


def _check_ids(call: Call, by_id: Mapping[str, Organisation]) -> None:
    named = [(f"require[{n}]", key) for n, key in enumerate(call.require)]
    named += [(f"candidates: {key!r}", key) for key in sorted(call.candidates or ())]
    named += [(f"exclude: {key!r}", key) for key in sorted(call.exclude)]
    if call.roles.coordinator:
        named.append(("roles.coordinator", call.roles.coordinator))
    for where, key in named:
        if key not in by_id:
            raise InvalidInput(f"{call.source}: {where}: no organisation {key!r} in the network")


def _check_admitted(call: Call, index: Mapping[str, int], chosen: Sequence[Candidate]) -> None:
    for number, key in enumerate(call.require):
        if key not in index:
            raise InvalidInput(
                f"{call.source}: require[{number}]: {key!r} is not admitted by the call "
                "(country, candidates, or cooperation not allowed)"
            )
    coordinator = call.roles.coordinator
    if coordinator and (coordinator not in index or not chosen[index[coordinator]].funded):
        raise InvalidInput(
            f"{call.source}: roles.coordinator: {coordinator!r} is not established in a "
            "country the call admits, so it cannot coordinate"
        )


def _links(
    shared: Mapping[tuple[str, str], int], index: Mapping[str, int], cap: int
) -> dict[tuple[int, int], int]:
    links: dict[tuple[int, int], int] = {}
    if cap <= 0:
        return links
    for (first, second), count in shared.items():
        i, j = index.get(first), index.get(second)
        if i is not None and j is not None and count > 0 and i != j:
            links[(min(i, j), max(i, j))] = min(count, cap)
    return links


def _dependent_groups(chosen: Sequence[Candidate]) -> tuple[tuple[int, ...], ...]:
    """Groups of funded candidates of which at most one may count as independent: each
    entity with every candidate it controls, each controller with everyone it controls
    (matched by name, case and spacing aside, and country)."""
    groups: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for number, candidate in enumerate(chosen):
        if not candidate.funded:
            continue
        organisation = candidate.organisation
        keys = {(name_key(organisation.name), organisation.country)}
        keys.add((name_key(organisation.id), organisation.country))
        keys |= {(name_key(link.name), link.country) for link in organisation.control_chain}
        for key in keys:
            groups[key].add(number)
    distinct = {tuple(sorted(group)) for group in groups.values() if len(group) > 1}
    return tuple(sorted(distinct))
