"""The greedy baseline of the consortium builder: what a person with a spreadsheet
would do, to show what the CP-SAT model gains.

Start from the members the call requires; add, one at a time, the candidate that raises
the objective most (ties: the first by id) while that gain is positive; then, while the
consortium falls short of EDF Art. 10(4) or of the call's minimum size, add the candidate
that closes most of the shortfall (then the best gain). Slots are held back so that the
minimum can still be met. Same pool, objective and checks as the model.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from accord.core.errors import NotFound
from accord.desks.industry.calls import Call
from accord.desks.industry.consortium import Proposal, proposal
from accord.desks.industry.consortium_pool import (
    Pool,
    candidate_pool,
    dependent_pairs,
    eligibility_problems,
    terms,
)
from accord.desks.industry.organisations import Network


def greedy_consortium(call: Call, network: Network, on: dt.date | None = None) -> Proposal:
    """The greedy baseline's consortium for `call`; NotFound if greedy ends with none
    that is eligible (the CP-SAT model may still find one)."""
    started = time.perf_counter()
    pool = candidate_pool(call, network, on)
    members = greedy_members(pool)
    if members is None:
        pool = candidate_pool(call, network, on, complete=True)
        members = greedy_members(pool)
    if members is None:
        raise NotFound(f"{call.source}: the greedy baseline found no eligible consortium")
    seconds = time.perf_counter() - started
    return proposal(pool, members, rank=1, method="greedy", seconds=seconds)


def greedy_members(pool: Pool) -> list[int] | None:
    """The greedy consortium of `pool` (pool indices), or None if greedy gets stuck."""
    members = sorted(set(pool.required) | _coordinator(pool))
    dependent = dependent_pairs(pool)
    while True:
        pick = _best_gain(pool, members, dependent)
        if pick is None:
            break
        members.append(pick)
    while _shortfall(pool, members, dependent) > 0:
        pick = _best_repair(pool, members, dependent)
        if pick is None:
            return None
        members.append(pick)
    return sorted(members) if not eligibility_problems(pool, members) else None


def _coordinator(pool: Pool) -> set[int]:
    return set() if pool.coordinator is None else {pool.coordinator}


def _best_gain(pool: Pool, members: list[int], dependent: set[tuple[int, int]]) -> int | None:
    """The candidate with the highest positive gain that leaves room for the minimum."""
    weights = pool.call.weights
    current = terms(pool, members).objective(weights)
    best: tuple[int, int] | None = None  # (gain, -index) of the best so far
    for number in _open(pool, members):
        grown = [*members, number]
        slots = pool.call.roles.max_members - len(grown)
        if _shortfall(pool, grown, dependent) > slots:
            continue
        gain = terms(pool, grown).objective(weights) - current
        if gain > 0 and (best is None or (gain, -number) > best):
            best = (gain, -number)
    return None if best is None else -best[1]


def _best_repair(pool: Pool, members: list[int], dependent: set[tuple[int, int]]) -> int | None:
    """The candidate that closes most of the shortfall, then gains most."""
    weights = pool.call.weights
    before = _shortfall(pool, members, dependent)
    best: tuple[int, int, int] | None = None
    for number in _open(pool, members):
        grown = [*members, number]
        closed = before - _shortfall(pool, grown, dependent)
        if closed <= 0:
            continue
        key = (closed, terms(pool, grown).objective(weights), -number)
        if best is None or key > best:
            best = key
    return None if best is None else -best[2]


def _open(pool: Pool, members: Sequence[int]) -> list[int]:
    """Candidates that may still join without breaking the size or budget caps."""
    call = pool.call
    if len(members) >= call.roles.max_members:
        return []
    funded = sum(1 for i in members if pool.candidates[i].funded)
    full = call.max_funded is not None and funded >= call.max_funded
    taken = set(members)
    return [
        number
        for number, candidate in enumerate(pool.candidates)
        if number not in taken and not (full and candidate.funded)
    ]


def _shortfall(pool: Pool, members: Sequence[int], dependent: set[tuple[int, int]]) -> int:
    """How many members at least are still missing for the call's size and Art. 10(4)."""
    rule = pool.rule
    funded = [i for i in members if pool.candidates[i].funded]
    countries = {pool.candidates[i].organisation.country for i in funded}
    core = _independent_core(pool, funded, dependent)
    return max(
        pool.call.roles.min_members - len(members),
        rule.entities - len(funded),
        rule.countries - len(countries),
        rule.independent - len(core),
        rule.independent_countries - len({pool.candidates[i].organisation.country for i in core}),
        0,
    )


def _independent_core(
    pool: Pool, funded: Sequence[int], dependent: set[tuple[int, int]]
) -> list[int]:
    """Pairwise independent members, picked first from new countries, then by id order."""
    core: list[int] = []
    ordered = sorted(funded, key=lambda i: pool.candidates[i].id)
    for new_country_first in (True, False):
        for number in ordered:
            seen = {pool.candidates[i].organisation.country for i in core}
            fresh = pool.candidates[number].organisation.country not in seen
            if number in core or (new_country_first and not fresh):
                continue
            if all((min(number, i), max(number, i)) not in dependent for i in core):
                core.append(number)
    return core
